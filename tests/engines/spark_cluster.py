"""A real Spark standalone cluster on this machine, started from the pyspark package.

A master and two workers run as separate JVMs (``SPARK_HOME`` is the pyspark folder, whose
``jars/`` hold everything), each worker with 1 core and ``WORKER_MEMORY``; a Spark Connect
server can be started against the same master. The session fixture stops every JVM it
started, whatever the tests did.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..conftest import SMALL_SPARK

WORKER_MEMORY = "1g"
DRIVER_MEMORY = "512m"
MAX_RESULT_SIZE = "8m"
"""``spark.driver.maxResultSize``: what the executors may send the driver in one action.
The Spark-side load sends counts, problems and report rows only; collecting the rows of
the test dataset would need far more."""


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    master_url: str
    work: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    connect_url: str | None = None

    def env(self) -> dict[str, str]:
        """The environment of a driver process that runs on this cluster."""
        kept = {k: v for k, v in os.environ.items() if k not in SMALL_SPARK}
        return {
            **kept, "OMNIKPI_SPARK_MASTER": self.master_url,
            "OMNIKPI_SPARK_DRIVER_MEMORY": DRIVER_MEMORY,
            "OMNIKPI_SPARK_MAX_RESULT_SIZE": MAX_RESULT_SIZE,
            "OMNIKPI_SPARK_EXECUTOR_MEMORY": "600m",
            "PYSPARK_PYTHON": sys.executable, "SPARK_HOME": str(spark_home()),
        }

    def start_connect(self) -> str:
        """A Spark Connect server whose jobs run on this cluster's workers."""
        if self.connect_url:
            return self.connect_url
        port = free_port()
        self._start("connect", [
            "org.apache.spark.deploy.SparkSubmit", "--master", self.master_url,
            "--class", "org.apache.spark.sql.connect.service.SparkConnectServer",
            "--conf", f"spark.connect.grpc.binding.port={port}",
            "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf", "spark.driver.host=127.0.0.1",
            "--conf", f"spark.driver.maxResultSize={MAX_RESULT_SIZE}",
            "--conf", "spark.executor.memory=600m", "--conf", "spark.ui.enabled=false",
            "--conf", "spark.sql.session.timeZone=UTC",
            "--driver-memory", DRIVER_MEMORY, "spark-internal",
        ], heap=DRIVER_MEMORY)
        _wait_for_port(port, 120, self, "connect")
        self.connect_url = f"sc://127.0.0.1:{port}"
        return self.connect_url

    def _start(self, name: str, args: list[str], heap: str = "256m") -> None:
        home = spark_home()
        log = (self.work / f"{name}.log").open("wb")
        process = subprocess.Popen(
            ["java", f"-Xmx{heap}", "-cp", f"{home}/conf:{home}/jars/*", *args],
            stdout=log, stderr=subprocess.STDOUT, cwd=self.work,
            # the launcher finds the jars by the Scala version (bin/load-spark-env.sh sets it)
            env={**{k: v for k, v in os.environ.items() if k not in SMALL_SPARK},
                 "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
                 "SPARK_SCALA_VERSION": "2.13",
                 "PYSPARK_PYTHON": sys.executable, "SPARK_WORKER_DIR": str(self.work)})
        self.processes.append(process)

    def log(self, name: str) -> str:
        path = self.work / f"{name}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_port(port: int, seconds: float, cluster: Cluster, name: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in cluster.processes):
            raise RuntimeError(f"a Spark JVM exited early; {name}.log:\n{cluster.log(name)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"Spark {name} did not listen on {port} in {seconds} s:\n"
                       f"{cluster.log(name)}")


def _wait_for_workers(cluster: Cluster, count: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        registered = len(re.findall(r"Registering worker", cluster.log("master")))
        if registered >= count:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{count} workers did not register in {seconds} s:\n"
                       f"{cluster.log('master')}")


def start_cluster(work: Path, workers: int = 2) -> Cluster:
    port = free_port()
    cluster = Cluster(f"spark://127.0.0.1:{port}", work)
    try:
        cluster._start("master", ["org.apache.spark.deploy.master.Master", "--host",
                                  "127.0.0.1", "--port", str(port), "--webui-port", "0"])
        _wait_for_port(port, 90, cluster, "master")
        for i in range(workers):
            cluster._start(f"worker-{i}", [
                "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                "--cores", "1", "--memory", WORKER_MEMORY, "--webui-port", "0",
                "--work-dir", str(work / f"worker-{i}"), cluster.master_url])
        _wait_for_workers(cluster, workers, 90)
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """Master + two workers (1 core, 1 GiB each) for the session; always stopped."""
    from ..conftest import require_spark

    require_spark()
    if shutil.which("java") is None:  # pragma: no cover - require_spark checked it
        pytest.skip("no java")
    cluster = start_cluster(tmp_path_factory.mktemp("spark-cluster"))
    try:
        yield cluster
    finally:
        cluster.stop()
