"""Many people opening uncached reports at once: every answer right, no hang, no 500.

Before the report pool, one DuckDB connection was shared by the request threads: four
clients got 500s ("closed pending query result") and ten hung the server for good.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

import omnikpi
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.errors import UsageError
from omnikpi.schema.dataset import Dataset, load_dataset
from omnikpi.web.workers import Overloaded, PoolLimits, Requester, TooLong, WorkPool
from tests.web.conftest import running_server

CUTS = [("offered,service_level,asa", "queue", "day"),
        ("abandon_rate,aht,handled", "channel", "hour"),
        ("service_level,answered", "site", "total"),
        ("asa,abandoned", "", "week"),
        ("aht,art", "agent_id", "total"),
        ("offered,a1rt", "tenant", "day")]


def _request(number: int) -> dict[str, str]:
    """A distinct report: each number asks another SL threshold, so none is cached."""
    metrics, by, grain = CUTS[number % len(CUTS)]
    return {"metrics": metrics, "by": by, "grain": grain, "tz": "Europe/Kyiv",
            "param": f"service_level.threshold_seconds={5 + number}"}


def _engine_json(dataset: Dataset, request: dict[str, str]) -> dict[str, Any]:
    threshold = float(request["param"].split("=")[1])
    return omnikpi.report_result(
        dataset, metrics=request["metrics"].split(","),
        by=[request["by"]] if request["by"] else [], grain=request["grain"],
        tz=request["tz"], params={"service_level.threshold_seconds": threshold}).to_json()


def _same(ours: Any, theirs: Any) -> bool:
    """Equal, floats to the last bits (parallel sums may add in another order)."""
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(_same(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(map(_same, ours, theirs))
    if isinstance(ours, float) and isinstance(theirs, float):
        return ours == pytest.approx(theirs, rel=1e-12)
    return bool(ours == theirs)


def test_concurrent_uncached_reports_answer_the_engines_numbers(
        make_app: Callable[..., FastAPI]) -> None:
    clients, per_client = 8, 3
    numbers = list(range(clients * per_client))
    dataset = load_dataset(DEMO_DATA_DIR)
    started = time.perf_counter()
    expected = {n: _engine_json(dataset, _request(n)) for n in numbers}
    print(f"serial: {time.perf_counter() - started:.2f} s")
    answers: dict[int, tuple[int, Any]] = {}
    catalog_seconds: list[float] = []
    app = make_app(live_updates=False)
    with running_server(app) as url:
        def client(index: int) -> None:
            mine = numbers[index::clients]
            random.Random(index).shuffle(mine)
            with httpx.Client(base_url=url, timeout=60) as http:
                for n in mine:
                    response = http.get("/api/v1/report", params=_request(n))
                    answers[n] = (response.status_code, response.json())

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        started = time.perf_counter()  # a light request while the reports queue up
        assert httpx.get(f"{url}/api/v1/catalog", timeout=30).status_code == 200
        catalog_seconds.append(time.perf_counter() - started)
        for thread in threads:
            thread.join(timeout=120)
        print(f"concurrent: {time.perf_counter() - started:.2f} s")
        assert not any(thread.is_alive() for thread in threads), "a client hung"
    assert sorted(answers) == numbers
    for n in numbers:
        status, body = answers[n]
        assert status == 200, (n, body)
        assert _same(body, expected[n]), n
    assert catalog_seconds[0] < 10


def test_a_full_queue_answers_503_with_retry_after(make_app: Callable[..., FastAPI]) -> None:
    app = make_app(live_updates=False, limits=PoolLimits(workers=1, max_waiting=1,
                                                         wait_seconds=30, run_seconds=30))
    pool = app.state.omnikpi.pool
    release = threading.Event()
    blocker = threading.Thread(target=pool.run, args=(release.wait,))
    with running_server(app) as url:
        blocker.start()  # the one worker is busy and the one waiting place taken
        for _ in range(100):
            if pool.busy():
                break
            time.sleep(0.01)
        response = httpx.get(f"{url}/api/v1/report", params=_request(1), timeout=30)
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) >= 1
        assert "busy" in response.json()["detail"]
        assert httpx.get(f"{url}/api/v1/catalog", timeout=30).status_code == 200
        release.set()
        blocker.join(timeout=10)
        assert httpx.get(f"{url}/api/v1/report", params=_request(1),
                         timeout=30).status_code == 200


def test_waiting_too_long_for_a_worker_is_overloaded_not_a_hang() -> None:
    pool = WorkPool(PoolLimits(workers=1, max_waiting=10, wait_seconds=0.3, run_seconds=30))
    release = threading.Event()
    blocker = threading.Thread(target=pool.run, args=(release.wait,))
    blocker.start()
    started = time.perf_counter()
    with pytest.raises(Overloaded, match=r"waited 0\.3 s") as caught:
        pool.run(lambda: 1)
    assert caught.value.retry_after >= 1
    assert time.perf_counter() - started < 5
    release.set()
    blocker.join(timeout=10)
    assert pool.run(lambda: 42) == 42  # the skipped job left no trace behind


def test_identical_requests_share_one_computation() -> None:
    pool = WorkPool(PoolLimits(workers=2, max_waiting=10, wait_seconds=30, run_seconds=30))
    calls: list[int] = []
    gate = threading.Event()

    def work() -> int:
        calls.append(1)
        gate.wait(5)
        return 7

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(pool.run(work, key="same")))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert results == [7] * 5
    assert len(calls) == 1


def test_a_query_past_the_time_limit_is_interrupted() -> None:
    dataset = load_dataset(DEMO_DATA_DIR)
    pool = WorkPool(PoolLimits(workers=1, max_waiting=10, wait_seconds=30, run_seconds=0.5))
    slow = ("SELECT count(*) FROM range(100000000000) a, range(10) b "
            "WHERE a.range * b.range % 7 = 3")
    started = time.perf_counter()
    with pytest.raises(TooLong, match=r"limit of 0\.5 s") as caught:
        pool.run(lambda: dataset.con.execute(slow).fetchall(), dataset)
    assert isinstance(caught.value, UsageError)
    assert time.perf_counter() - started < 10
    assert pool.run(lambda: dataset.con.execute("SELECT 1").fetchall(), dataset) == [(1,)]


def test_work_errors_reach_the_request() -> None:
    pool = WorkPool(PoolLimits(workers=1))

    def fail() -> None:
        raise UsageError("bad metric")

    with pytest.raises(UsageError, match="bad metric"):
        pool.run(fail)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_sigterm_stops_a_busy_server_within_seconds(tmp_path: Path) -> None:
    import shutil

    data = tmp_path / "data"
    shutil.copytree(DEMO_DATA_DIR, data)
    port = _free_port()
    env = {**os.environ, "OMNIKPI_WEB_WORKERS": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "omnikpi", "serve", "--no-auth", "--data", str(data),
         "--port", str(port), "--database-url", f"sqlite:///{tmp_path / 'app.db'}"],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/api/v1/catalog", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start: " + server.stdout.read().decode()
                        if server.stdout else "")

        def ask(number: int) -> None:
            with contextlib.suppress(httpx.TransportError):  # the server went away
                httpx.get(f"{url}/api/v1/report", params=_request(number), timeout=30)

        clients = [threading.Thread(target=ask, args=(n,), daemon=True) for n in range(8)]
        for client in clients:
            client.start()
        time.sleep(0.5)  # reports running and queued
        stopped_at = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
        assert time.perf_counter() - stopped_at < 10
        # the one line that tells a newcomer where the pages are (uvicorn logs warnings only)
        said = server.stdout.read().decode() if server.stdout else ""
        assert f"OmniKPI starting on http://127.0.0.1:{port}/ — data {data} — no logins" \
            in said, said
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition never held"
        time.sleep(0.01)


def _ask(pool: WorkPool, work: Callable[[], Any], caller: str) -> threading.Thread:
    """A request thread asking the pool for ``work`` as ``caller`` (started)."""
    thread = threading.Thread(target=pool.run, args=(work,),
                              kwargs={"caller": Requester(caller)})
    thread.start()
    return thread


def _recorded(started: list[str], first: str,
              gate: threading.Event) -> Callable[[str], Callable[[], str]]:
    """Jobs that note when they start, in ``started``; ``first`` holds the worker until
    ``gate`` opens."""
    def job(name: str) -> Callable[[], str]:
        def work() -> str:
            started.append(name)
            if name == first:
                gate.wait(10)
            return name
        return work
    return job


def test_callers_take_turns_on_the_workers() -> None:
    """One caller's queue of five does not delay another's one report behind it."""
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=30, run_seconds=30))
    gate = threading.Event()
    started: list[str] = []
    job = _recorded(started, "a0", gate)

    threads = [_ask(pool, job("a0"), "a")]
    _wait_until(lambda: started == ["a0"])
    # queued in this order: a1 .. a4, then b1, b2
    for waiting, name in enumerate(["a1", "a2", "a3", "a4", "b1", "b2"], start=2):
        threads.append(_ask(pool, job(name), name[0]))
        _wait_until(lambda n=waiting: pool._waiting == n)  # type: ignore[misc]
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    # b, never served, goes first; then the two take turns; a's rest in its own order
    assert started == ["a0", "b1", "a1", "b2", "a2", "a3", "a4"]


def test_one_callers_pages_run_page_by_page() -> None:
    """A browser restoring three dashboards asks their parts interleaved (p1, p2, p3,
    p1, p2, p3): the worker takes them page by page, so the first page is whole first
    and a late page is the one that may wait too long — not every page at once."""
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=30, run_seconds=30))
    gate = threading.Event()
    started: list[str] = []
    job = _recorded(started, "busy", gate)

    def ask(name: str, page: int) -> threading.Thread:
        thread = threading.Thread(target=pool.run, args=(job(name),),
                                  kwargs={"caller": Requester("alice", page=page)})
        thread.start()
        return thread

    threads = [ask("busy", 0)]
    _wait_until(lambda: started == ["busy"])
    for waiting, (name, page) in enumerate(
            [("p1a", 1), ("p2a", 2), ("p3a", 3), ("p1b", 1), ("p2b", 2), ("p3b", 3)],
            start=2):
        threads.append(ask(name, page))
        _wait_until(lambda n=waiting: pool._waiting == n)  # type: ignore[misc]
    gate.set()
    for thread in threads:
        thread.join(timeout=10)
    assert started == ["busy", "p1a", "p1b", "p2a", "p2b", "p3a", "p3b"]


def test_waiting_behind_ones_own_earlier_page_is_not_waiting_for_the_server() -> None:
    """With one worker and a 0.5 s wait limit, alice's page 2 waits 1.2 s behind her own
    page 1 and is served (a browser's tenth dashboard is late, not refused); bob's report,
    behind alice's page 1 only, is refused after 0.5 s as before."""
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=0.5,
                               run_seconds=30))
    answers: dict[str, Any] = {}

    def ask(name: str, caller: Requester, work: Callable[[], Any]) -> threading.Thread:
        def run() -> None:
            try:
                answers[name] = pool.run(work, caller=caller)
            except Overloaded as exc:
                answers[name] = exc
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    first = ask("page 1", Requester("alice", page=1), lambda: time.sleep(1.2) or "one")
    _wait_until(lambda: len(pool._running) == 1)
    threads = [first, ask("page 2", Requester("alice", page=2), lambda: "two"),
               ask("bob", Requester("bob", page=3), lambda: "bob's")]
    for thread in threads:
        thread.join(timeout=10)
    assert answers["page 1"] == "one" and answers["page 2"] == "two"
    assert isinstance(answers["bob"], Overloaded)


def test_an_earlier_page_that_only_waits_does_not_hold_the_clock() -> None:
    """Bob holds the one worker for 2.5 s; alice's pages 1 and 2 wait for the server,
    neither running: each is refused after the 1 s limit — page 2 not after page 1's
    refusal plus another second (page N of a busy server's caller waited N limits)."""
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=1.0,
                               run_seconds=30))
    refused_after: dict[str, float] = {}
    began = time.monotonic()

    def ask(name: str, caller: Requester, work: Callable[[], Any]) -> threading.Thread:
        def run() -> None:
            try:
                pool.run(work, caller=caller)
            except Overloaded:
                refused_after[name] = time.monotonic() - began
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    bob = ask("bob", Requester("bob", page=1), lambda: time.sleep(2.5))
    _wait_until(lambda: len(pool._running) == 1)
    pages = [ask(f"page {n}", Requester("alice", page=n + 1), lambda: None)
             for n in (1, 2)]
    for thread in [bob, *pages]:
        thread.join(timeout=10)
    assert sorted(refused_after) == ["page 1", "page 2"]
    assert refused_after["page 2"] < 1.5  # one limit (and a tick), not two


def test_the_cap_of_one_caller_lets_in_the_rest_of_a_page_it_let_in() -> None:
    """Cap 2, the worker busy: alice's page 1 asks 3 parts, then pages 2 and 3 one each.
    Page 1 is served whole (its third part belongs to a page already in); pages 2 and 3,
    whose first parts come with 3 waiting, are refused whole. Capped by parts, page 1
    lost its third part and the whole page failed."""
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=30, run_seconds=30,
                               max_waiting_per_caller=2))
    gate = threading.Event()
    blocker = _ask(pool, lambda: gate.wait(10), "bob")
    _wait_until(lambda: len(pool._running) == 1)
    answers: dict[str, Any] = {}

    def ask(name: str, page: int) -> threading.Thread:
        def run() -> None:
            try:
                answers[name] = pool.run(lambda: name, caller=Requester("alice", page=page))
            except Overloaded:
                answers[name] = "503"
        thread = threading.Thread(target=run)
        thread.start()
        return thread

    threads = []
    for waiting, (name, page) in enumerate([("p1a", 1), ("p1b", 1), ("p1c", 1)], start=2):
        threads.append(ask(name, page))
        _wait_until(lambda n=waiting: pool._waiting == n)  # type: ignore[misc]
    threads += [ask("p2a", 2), ask("p3a", 3)]
    for thread in threads[3:]:
        thread.join(timeout=10)
    gate.set()
    for thread in [blocker, *threads]:
        thread.join(timeout=10)
    assert answers == {"p1a": "p1a", "p1b": "p1b", "p1c": "p1c", "p2a": "503",
                       "p3a": "503"}


def test_one_caller_may_queue_only_so_many() -> None:
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=30, run_seconds=30,
                               max_waiting_per_caller=2))
    gate = threading.Event()
    blocker = _ask(pool, lambda: gate.wait(10), "script")
    _wait_until(lambda: len(pool._running) == 1)
    queued = [_ask(pool, lambda: 1, "script") for _ in range(2)]
    _wait_until(lambda: pool._waiting == 3)
    with pytest.raises(Overloaded, match="you have 2 reports waiting") as caught:
        pool.run(lambda: 1, caller=Requester("script"))
    assert caught.value.retry_after >= 1
    answers: list[int] = []
    other = _ask(pool, lambda: answers.append(2), "someone else")
    _wait_until(lambda: pool._waiting == 4)  # the other caller is queued, not refused
    gate.set()
    for thread in [blocker, *queued, other]:
        thread.join(timeout=10)
    assert answers == [2]


def test_a_long_job_keeps_the_last_worker_for_someone_else() -> None:
    pool = WorkPool(PoolLimits(workers=2, max_waiting=50, wait_seconds=4, run_seconds=30,
                               long_seconds=0.2))
    long_gate, second_gate = threading.Event(), threading.Event()
    began: dict[str, float] = {}

    def work(name: str, gate: threading.Event | None = None) -> Callable[[], str]:
        def run() -> str:
            began[name] = time.monotonic()
            if gate is not None:
                gate.wait(10)
            return name
        return run

    long = _ask(pool, work("long", long_gate), "heavy")
    _wait_until(lambda: "long" in began)
    time.sleep(0.3)  # the heavy caller's job has now run past long_seconds
    asked = time.monotonic()
    second = _ask(pool, work("second", second_gate), "heavy")
    time.sleep(0.6)
    assert "second" not in began  # the last free worker is kept meanwhile
    assert pool.run(work("light"), caller=Requester("light")) == "light"  # another caller gets it
    # alone, the heavy caller's job starts once it has waited half of wait_seconds (2 s)
    _wait_until(lambda: "second" in began)
    assert 1.9 <= began["second"] - asked < 3.5
    long_gate.set()
    second_gate.set()
    long.join(timeout=10)
    second.join(timeout=10)


def test_shutdown_fails_the_queued_work_at_once() -> None:
    pool = WorkPool(PoolLimits(workers=1, max_waiting=50, wait_seconds=30, run_seconds=30))
    gate = threading.Event()
    blocker = threading.Thread(target=pool.run, args=(lambda: gate.wait(10),))
    blocker.start()
    _wait_until(lambda: len(pool._running) == 1)
    errors: list[BaseException] = []

    def queued() -> None:
        try:
            pool.run(lambda: 1, caller=Requester("x"))
        except Overloaded as exc:
            errors.append(exc)

    waiting = threading.Thread(target=queued)
    waiting.start()
    _wait_until(lambda: pool._waiting == 2)
    pool.close()
    waiting.join(timeout=5)
    assert [str(error) for error in errors] == ["the server is shutting down"]
    gate.set()
    blocker.join(timeout=10)
    with pytest.raises(Overloaded, match="shutting down"):
        pool.run(lambda: 1)


def test_the_pool_tells_callers_apart() -> None:
    from types import SimpleNamespace

    from omnikpi.auth.accounts import Principal
    from omnikpi.web.deps import caller_of

    def request(host: str) -> Any:
        return SimpleNamespace(client=SimpleNamespace(host=host))

    demo = Principal("demo", "admin", via="none")
    assert caller_of(request("10.0.0.1"), demo) != caller_of(request("10.0.0.2"), demo)
    assert not caller_of(request("10.0.0.1"), demo).capped  # a proxy's many users
    alice = Principal("alice", "supervisor", user_id=7)
    # an account is one caller, whatever its address or session
    assert caller_of(request("10.0.0.1"), alice) == caller_of(request("10.0.0.2"), alice)
    assert caller_of(request("10.0.0.1"), alice).capped
    # each request is a later page of the caller's
    assert caller_of(request("10.0.0.1"), alice).page < \
        caller_of(request("10.0.0.1"), alice).page
    key = Principal("apikey:crm", "ingest", via="api_key")
    assert caller_of(request("10.0.0.1"), key) != caller_of(request("10.0.0.1"), alice)
