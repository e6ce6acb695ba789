"""Password checks are bounded: a flood of logins cannot take every core.

Forty logins at once from unknown names ran forty Argon2 hashes at once (64 MiB and a
core each): the health check answered in 3.5 s. At most ``HASHES_AT_ONCE`` run at once;
the rest wait their turn, and each login still gets its answer.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from omnikpi.auth import accounts
from omnikpi.auth.accounts import authenticate, create_user
from omnikpi.store.db import session_scope, upgrade


class CountingHasher:
    """A hasher that takes 30 ms a check and records how many ran at once."""

    def __init__(self, real: Any) -> None:
        self.real, self.now, self.most = real, 0, 0
        self.lock = threading.Lock()

    def _run(self, work: Any, *args: Any) -> Any:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        time.sleep(0.03)
        try:
            return work(*args)
        finally:
            with self.lock:
                self.now -= 1

    def verify(self, hashed: str, password: str) -> bool:
        return bool(self._run(self.real.verify, hashed, password))

    def hash(self, password: str) -> str:
        return str(self._run(self.real.hash, password))

    def check_needs_rehash(self, hashed: str) -> bool:
        return False


def test_at_most_so_many_password_checks_run_at_once(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with session_scope(url) as session:
        create_user(session, "ana", "a-long-enough-secret", "admin")
    counting = CountingHasher(accounts.hasher())
    monkeypatch.setattr(accounts, "hasher", lambda: counting)
    # two at once, whatever this machine's cores (HASHES_AT_ONCE is half of them)
    monkeypatch.setattr(accounts, "_HASHING", threading.BoundedSemaphore(2))
    answers: list[bool] = []

    def login(number: int) -> None:
        name, password = ("ana", "a-long-enough-secret") if number % 4 == 0 else \
            (f"nobody{number}", "wrong")
        with session_scope(url) as session:
            answers.append(authenticate(session, name, password, f"10.0.0.{number}")
                           is not None)

    threads = [threading.Thread(target=login, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(answers) == [False] * 9 + [True] * 3  # every login answered, ana's right
    assert counting.most == 2
