"""Mappings are expressions, not programs: once a connector has read its source files,
the DuckDB connection that runs a mapping's SQL (filters, column expressions) loses all
access outside itself — no ``read_text('/etc/…')``, no ``COPY … TO`` a file, no
``ATTACH`` — and its settings are locked, so the mapping cannot give that access back.

The trust model (``docs/accounts.md``): operators write mappings, but a mapping file
shared between teams or found online must not be able to read or write the machine.
"""

from __future__ import annotations

import duckdb


def seal(con: duckdb.DuckDBPyConnection) -> None:
    """From now on ``con`` reads and writes nothing outside its own tables."""
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
