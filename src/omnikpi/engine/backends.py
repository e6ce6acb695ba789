"""Backends: where the compiled expressions run.

DuckDB (default, :mod:`omnikpi.engine.local_duckdb`) runs in-process on the validated
tables the loader already holds.
Spark runs the very same Ibis expressions on a local (or configured) Spark session. A
Parquet dataset is read, validated and quarantined by the executors
(:mod:`omnikpi.engine.spark_load`: the tables arrive here as Spark views). Other datasets
are validated by DuckDB on the driver and handed over with their canonical types (int64
microseconds, booleans) intact: as Parquet files in a folder every executor can read
(``OMNIKPI_SPARK_STAGING``; a temporary folder when Spark runs locally), or through the
driver as Arrow batches (``OMNIKPI_SPARK_STAGING=driver``, the default on a cluster: no
shared folder needed).
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
import tempfile
import uuid
import weakref
from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir

from omnikpi.engine.spark_shared import computed_once
from omnikpi.errors import UsageError
from omnikpi.schema.convert import quote
from omnikpi.schema.dataset import Dataset

ENGINES = ("duckdb", "spark")


class Backend:
    """Gives the engine an Ibis table for each canonical table and runs expressions."""

    name = "base"

    def table(self, name: str) -> ir.Table:
        raise NotImplementedError

    def execute(self, expr: ir.Table) -> Any:
        raise NotImplementedError

    def sql(self, expr: ir.Table) -> str:
        raise NotImplementedError


@lru_cache(maxsize=1)
def spark_session() -> Any:
    """One local Spark session per process (starting one costs seconds)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        raise UsageError(
            "the Spark engine needs the optional extra: uv sync --extra spark "
            "(and Java 17)"
        ) from exc
    remote = os.environ.get("OMNIKPI_SPARK_REMOTE")
    if remote:  # Spark Connect: a client session, the work runs on the server
        check_reachable(remote)
        session = (
            SparkSession.builder.remote(remote)
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.ansi.enabled", "false")
            .getOrCreate()
        )
        session.conf.set("spark.sql.shuffle.partitions",
                         os.environ.get("OMNIKPI_SPARK_PARTITIONS", "4"))
        return session
    master = os.environ.get("OMNIKPI_SPARK_MASTER", "local[2]")
    builder = (
        SparkSession.builder.appName("omnikpi")
        .master(master)
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("OMNIKPI_SPARK_PARTITIONS", "4"))
        .config("spark.sql.ansi.enabled", "false")
        .config("spark.driver.memory", os.environ.get("OMNIKPI_SPARK_DRIVER_MEMORY", "2g"))
        .config("spark.driver.maxResultSize",
                os.environ.get("OMNIKPI_SPARK_MAX_RESULT_SIZE", "1g"))
    )
    executor_memory = os.environ.get("OMNIKPI_SPARK_EXECUTOR_MEMORY")
    if executor_memory:
        builder = builder.config("spark.executor.memory", executor_memory)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def check_reachable(remote: str, seconds: float = 5.0) -> None:
    """Fail fast on a Spark Connect URL nobody answers at: the client would otherwise
    retry in silence for minutes. ``local`` (a server PySpark starts) is not checked."""
    if not remote.startswith("sc://"):
        if remote == "local" or remote.startswith("local["):
            return
        raise UsageError(f"OMNIKPI_SPARK_REMOTE={remote!r}: expected sc://host[:port] or local")
    address = remote[len("sc://"):].split("/", 1)[0]
    host, _, port = address.partition(":")
    try:
        with socket.create_connection((host, int(port or 15002)), timeout=seconds):
            pass
    except (OSError, ValueError) as exc:
        raise UsageError(
            f"OMNIKPI_SPARK_REMOTE={remote!r}: no Spark Connect server answers at "
            f"{host}:{port or 15002} ({exc})"
        ) from exc


def _master(session: Any) -> str:
    """The session's master URL; ``connect`` for a Spark Connect client (no SparkContext:
    its server may be anywhere, so only the driver path reaches it for sure)."""
    if type(session).__module__.startswith("pyspark.sql.connect"):
        return "connect"
    return str(session.sparkContext.master)


DRIVER = "driver"
TEMPORARY = "<temporary>"
"""``staging_choice``: a temporary folder of the dataset's own (:func:`temporary_staging`)."""


def staging_choice(master: str, setting: str | None) -> str:
    """Where validated tables go for Spark: ``driver`` (Arrow batches through the
    driver) or a folder for Parquet files, which executors on other machines can read
    only if it is shared (NFS, a mounted bucket). Locally a temporary folder is fastest;
    on a cluster without a configured folder, the driver is the one path that always
    works."""
    if setting:
        return setting
    if master.startswith("local"):
        return TEMPORARY
    return DRIVER


def temporary_staging(dataset: Dataset, parent: str | None = None) -> str:
    """The dataset's staging folder (in ``parent``, the configured shared folder, or the
    system's temporary folder), made once and removed with the dataset (when it is
    garbage-collected, or at exit): the staged files are copies of its tables, and a
    server making one folder per report filled the disk with them."""
    folder: str | None = getattr(dataset, "_spark_staging", None)
    if folder is None:
        folder = tempfile.mkdtemp(prefix="omnikpi-spark-", dir=parent)
        dataset._spark_staging = folder  # type: ignore[attr-defined]
        weakref.finalize(dataset, shutil.rmtree, folder, True)
    return folder


def _writable_folder(folder: str) -> None:
    try:
        os.makedirs(folder, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise UsageError(
            f"OMNIKPI_SPARK_STAGING={folder!r}: cannot write there ({exc.strerror}); "
            "name a folder every Spark executor can read, or 'driver'"
        ) from exc


class SparkBackend(Backend):
    name = "spark"

    def __init__(self, dataset: Dataset) -> None:
        self._dataset = dataset
        self._session = spark_session()
        self._con = ibis.pyspark.connect(self._session)
        self._views: dict[str, str] = getattr(dataset, "_spark_views", {})
        dataset._spark_views = self._views  # type: ignore[attr-defined]
        self._staging = staging_choice(
            _master(self._session), os.environ.get("OMNIKPI_SPARK_STAGING"))
        if self._staging != DRIVER:
            parent = None if self._staging == TEMPORARY else self._staging
            if parent is not None:
                _writable_folder(parent)
            self._staging = temporary_staging(dataset, parent)

    def table(self, name: str) -> ir.Table:
        if name not in self._views:
            view = f"omnikpi_{name}_{uuid.uuid4().hex[:12]}"
            select = f"SELECT * FROM {quote(name)}"
            if self._staging == DRIVER:
                frame = self._session.createDataFrame(
                    self._dataset.con.sql(select).to_arrow_table())
            else:
                path = os.path.join(self._staging, f"{view}.parquet")
                self._dataset.con.execute(f"COPY ({select}) TO '{path}' (FORMAT parquet)")
                frame = self._session.read.schema(self._spark_schema(select)).parquet(path)
            frame.createOrReplaceTempView(view)
            self._views[name] = view
        return self._con.table(self._views[name])

    def _spark_schema(self, select: str) -> Any:
        """The staged file's schema, known from DuckDB: given to the reader, Spark need not
        run a job that opens the file's footer to learn it."""
        from pyspark.sql.pandas.types import from_arrow_schema

        arrow = self._dataset.con.sql(f"{select} LIMIT 0").to_arrow_table().schema
        return from_arrow_schema(arrow)

    def execute(self, expr: ir.Table) -> Any:
        shared = os.environ.get("OMNIKPI_SPARK_SHARED", "on")
        if shared not in ("on", "off"):
            raise UsageError(f"OMNIKPI_SPARK_SHARED={shared!r}: expected on or off")
        if shared == "off":  # every read inlined, as Spark plans the SQL
            return self._con.execute(expr)
        with computed_once(self._con, expr) as once:
            return self._con.execute(once)

    def sql(self, expr: ir.Table) -> str:
        return str(ibis.to_sql(expr, dialect="pyspark"))


class SqlOnlyBackend(Backend):
    """Compiles against the tables' schemas only: shows an engine's SQL without running it
    (``omnikpi report --show-sql``; snapshot tests of the SQL per engine)."""

    name = "sql"

    def __init__(self, dataset: Dataset, engine: str) -> None:
        if engine not in ENGINES:
            raise UsageError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
        self._schemas = ibis.duckdb.from_connection(dataset.con)
        self._dialect = "duckdb" if engine == "duckdb" else "pyspark"
        if engine == "spark":
            try:  # registers the PySpark compiler's options
                module = importlib.import_module("ibis.backends.pyspark")
                if getattr(ibis.options, "pyspark", None) is None:
                    module.Backend.register_options()
            except ImportError as exc:
                raise UsageError("showing Spark SQL needs the extra: uv sync --extra spark") \
                    from exc

    def table(self, name: str) -> ir.Table:
        return ibis.table(self._schemas.table(name).schema(), name=name)

    def execute(self, expr: ir.Table) -> Any:
        raise UsageError("--show-sql only compiles the report; it does not run it")

    def sql(self, expr: ir.Table) -> str:
        return str(ibis.to_sql(expr, dialect=self._dialect))


def backend_for(engine: str, dataset: Dataset) -> Backend:
    """The one place that chooses where expressions run: reports, drill-downs, the
    wallboard and the CLI all ask here."""
    if engine == "duckdb":
        from omnikpi.engine.local_duckdb import LocalDuckDB

        return LocalDuckDB(dataset)
    if engine == "spark":
        return SparkBackend(dataset)
    raise UsageError(f"unknown engine {engine!r}: choose one of {', '.join(ENGINES)}")
