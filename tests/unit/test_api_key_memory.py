"""An ingest key is looked up once per few seconds, not once per posted event, and a key
revoked in the database stops working once that memory lapses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import create_api_key
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models import ApiKey
from omnikpi.web import security


def test_a_key_is_remembered_for_a_few_seconds_then_checked_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'keys.db'}"
    upgrade(url)
    with session_scope(url) as session:
        key = create_api_key(session, "collector", tenant="acme")
    lookups = 0

    @contextmanager
    def counted() -> Iterator[Session]:
        nonlocal lookups
        lookups += 1
        with session_scope(url) as session:
            yield session

    clock = [1000.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: clock[0])
    first = security._api_key_principal(url, counted, key)
    assert first is not None and first.tenant == "acme" and first.via == "api_key"
    clock[0] += security.API_KEY_MEMORY_SECONDS - 0.5
    assert security._api_key_principal(url, counted, key) == first
    assert lookups == 1
    with session_scope(url) as session:
        session.execute(update(ApiKey).values(revoked_at=datetime.now(UTC)))
    clock[0] += 1.0  # past the memory: the database is asked again and says no
    assert security._api_key_principal(url, counted, key) is None
    assert lookups == 2
    assert security._api_key_principal(url, counted, "ok_not-a-key") is None
    assert lookups == 3
