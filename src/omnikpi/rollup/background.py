"""The rollup kept fresh beside a running server (``omnikpi serve``): refreshed when the
server starts and whenever it has loaded the data folder again (new or changed files)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import duckdb

from omnikpi.config import Config
from omnikpi.errors import OmniKPIError
from omnikpi.rollup.refresh import refresh
from omnikpi.schema.dataset import Dataset

log = logging.getLogger("omnikpi.rollup")


class RollupWatcher(threading.Thread):
    """Refreshes the rollup of each dataset the server loads, once, on its own thread.

    Reports never wait for it: until a refresh has written its manifest, the files no
    longer match it and reports read the contacts (the same numbers, slower).
    """

    def __init__(self, current: Callable[[], Dataset], config: Config,
                 interval_seconds: float = 5.0) -> None:
        super().__init__(name="omnikpi-rollup", daemon=True)
        self._current = current
        self._config = config
        self._interval_seconds = interval_seconds
        self._stopping = threading.Event()
        self.refreshed = threading.Event()
        """Set after each refresh (tests wait on it)."""

    def stop(self) -> None:
        self._stopping.set()

    def run(self) -> None:
        done: Dataset | None = None
        while True:
            dataset = self._current()
            if dataset is not done:
                try:
                    result = refresh(dataset, self._config)
                    log.info("rollup of %s: %d day(s) in %.2f s", dataset.path,
                             result.days, result.seconds)
                except (OmniKPIError, OSError, duckdb.Error) as exc:
                    # a read-only folder, a dataset closed by a reload meanwhile: reports
                    # read the contacts, and the next loaded dataset is tried again
                    log.warning("rollup of %s not refreshed: %s", dataset.path, exc)
                done = dataset
                self.refreshed.set()
            if self._stopping.wait(self._interval_seconds):
                return
