"""Fixtures of the engine tests: the Spark standalone cluster (see ``spark_cluster.py``),
started once per session by the first test that asks for it."""

from .spark_cluster import spark_cluster

__all__ = ["spark_cluster"]
