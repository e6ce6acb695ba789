"""Rollups of a data folder: stored partial sums that long-range reports read (the format
and the reading side are in :mod:`omnikpi.engine.rollups`)."""

from omnikpi.rollup.refresh import RefreshResult, refresh

__all__ = ["RefreshResult", "refresh"]
