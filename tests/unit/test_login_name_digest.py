"""A name no account has is audited as a digest keyed with the database's own secret."""

from __future__ import annotations

import hashlib
from pathlib import Path

from omnikpi.auth.accounts import _name_digest, server_secret
from omnikpi.store.db import session_scope, upgrade


def _database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'omnikpi.db'}"
    upgrade(url)
    return url


def test_the_digest_is_keyed_stable_and_the_databases_own(tmp_path: Path) -> None:
    """The same name reads the same in every session of one database (the per-name
    lock-out counts it as one), differently in another database, and never as the plain
    SHA-256 a guess loop reversed ("Summer2024!" in 6 ms)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, other = _database(tmp_path / "a"), _database(tmp_path / "b")
    with session_scope(first) as session:
        once = _name_digest(session, "Summer2024!")
        key = server_secret(session, "login_names")
    with session_scope(first) as session:
        assert _name_digest(session, "Summer2024!") == once
        assert server_secret(session, "login_names") == key
    with session_scope(other) as session:
        assert _name_digest(session, "Summer2024!") != once
    assert once != hashlib.sha256(b"Summer2024!").hexdigest()[:12]
    assert len(once) == 12 and len(key) >= 40
