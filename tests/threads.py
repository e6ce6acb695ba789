"""Run a blocking call in a thread with a ceiling, for tests of time limits.

A test of a time limit must itself end when the limit does not hold: joined in the main
thread, a send or post that hangs would hang the suite instead of failing one test.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable


def run_within(seconds: float, call: Callable[[], object],
               doing: str = "the call") -> tuple[float, object]:
    """(how long ``call`` took, what it returned or raised). Fails the test when it is
    still going after ``seconds``; the thread is a daemon, left to end on its own."""
    outcome: list[object] = []

    def calling() -> None:
        try:
            outcome.append(call())
        except Exception as exc:
            outcome.append(exc)

    started = time.monotonic()
    thread = threading.Thread(target=calling, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"{doing} was still going after {seconds} s"
    return time.monotonic() - started, outcome[0]
