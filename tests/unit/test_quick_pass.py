"""A typed Parquet file proved clean from raw aggregates has exactly the first pass's facts.

:func:`omnikpi.schema.quick_pass.prove_clean` decides the rules from a few aggregates of the
raw columns and returns the facts the full first pass (every rule on every converted row)
would measure. It may decline a clean file (the full pass then runs), never accept a file
with a broken rule or report other facts. Hypothesis writes files with every kind of odd
value the rules and the conversions care about: empty and space-padded texts, Unicode
spaces at either end (which DuckDB's ``trim`` removes), tabs (which it keeps), NUL bytes,
mixed-case choices, instants outside the years or reversed, negative and NaN numbers,
nulls, absent columns and a time-zone typed instant.
"""

from __future__ import annotations

import math
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnikpi.schema import database, loading, quick_pass
from omnikpi.schema.dataset import load_dataset
from omnikpi.schema.files import Reading, TableFile, describe
from omnikpi.schema.first_pass import FileFacts
from omnikpi.schema.tables import TABLES

CONTACTS = TABLES["contacts"]
T0 = datetime(2024, 3, 1, 8, 0, tzinfo=UTC)

TEXTS = st.one_of(
    st.none(),
    st.sampled_from(["c1", "c2", "", " ", " c3", "c4 ", "\u00a0c5", "c6\u3000", "\tc7",
                     "c8\t", "c\x009", "Київ", "Київ\u00a0", "é", "a b", "q\u00a0x"]),
    st.text(alphabet="ab \u00a0\t\x00é", max_size=4),
)
CHANNELS = st.one_of(st.none(), st.sampled_from(["voice", "chat", "Voice", " voice", "", "x"]))
DIRECTIONS = st.one_of(st.none(), st.sampled_from(["inbound", "outbound", "Inbound", "in"]))
OFFSETS = st.one_of(st.none(), st.integers(-120, 3600),
                    st.sampled_from([-10 ** 7, 10 ** 8]))  # days: outside the years
NUMBERS = st.one_of(st.none(), st.floats(-5, 100), st.just(math.nan))

ROW = st.tuples(TEXTS, CHANNELS, DIRECTIONS, TEXTS, st.integers(0, 86_400), OFFSETS,
                OFFSETS, NUMBERS, st.one_of(st.none(), st.booleans()), TEXTS)
"""A row of anything: most such rows break a rule."""

CLEAN_TEXTS = st.sampled_from(["c1", "c2", "Київ", "q\u00a0x", "a b", "é", "Voice"])


@st.composite
def clean_rows(draw: st.DrawFn) -> tuple[Any, ...]:
    """A row that breaks no rule and that trimming does not change."""
    accepted = draw(st.one_of(st.none(), st.integers(0, 600)))
    ended = None if accepted is None else accepted + draw(st.integers(0, 3600))
    return (draw(CLEAN_TEXTS), draw(st.sampled_from(["voice", "chat", "Chat"])),
            draw(st.sampled_from([None, "inbound", "outbound"])), draw(CLEAN_TEXTS),
            draw(st.integers(0, 86_400)), accepted, ended,
            draw(st.one_of(st.none(), st.floats(0, 100), st.just(math.nan))),
            draw(st.one_of(st.none(), st.booleans())),
            draw(st.one_of(st.none(), CLEAN_TEXTS)))


@st.composite
def files(draw: st.DrawFn) -> list[tuple[Any, ...]]:
    """Clean rows, and in about half of the files one row of anything among them."""
    rows = draw(st.lists(clean_rows(), min_size=1, max_size=5))
    odd = draw(st.one_of(st.none(), ROW))
    if odd is not None:
        rows.insert(draw(st.integers(0, len(rows))), odd)
    return rows


def _instant(base: int, offset: int | None) -> datetime | None:
    if offset is None:
        return None
    if abs(offset) >= 10 ** 7:  # far outside 1900–2199, still a valid Parquet value
        return datetime(1850 if offset < 0 else 2250, 1, 1, tzinfo=UTC)
    return T0 + timedelta(seconds=base + offset)


def _write(path: Path, rows: list[tuple[Any, ...]], *, zoned: bool, direction: bool,
           extra: bool) -> None:
    ts = pa.timestamp("us", tz="UTC") if zoned else pa.timestamp("us")

    def instants(values: list[datetime | None]) -> pa.Array:
        if zoned:
            return pa.array(values, ts)
        return pa.array([None if v is None else v.replace(tzinfo=None) for v in values], ts)

    columns: dict[str, pa.Array] = {
        "contact_id": pa.array([r[0] for r in rows], pa.string()),
        "channel": pa.array([r[1] for r in rows], pa.string()),
        "queue": pa.array([r[3] for r in rows], pa.string()),
        "arrived_at": instants([T0 + timedelta(seconds=r[4]) for r in rows]),
        "accepted_at": instants([_instant(r[4], r[5]) for r in rows]),
        "ended_at": instants([_instant(r[4], r[6]) for r in rows]),
        "acw_seconds": pa.array([r[7] for r in rows], pa.float64()),
        "blocked": pa.array([r[8] for r in rows], pa.bool_()),
    }
    if direction:
        columns["direction"] = pa.array([r[2] for r in rows], pa.string())
    if extra:
        columns["note"] = pa.array([r[9] for r in rows], pa.string())
    pq.write_table(pa.table(columns), path)


def _both(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[FileFacts | None, FileFacts]:
    reading = Reading(TableFile("contacts", path, "parquet"))
    try:
        sources = describe(con, reading)
        return (quick_pass.prove_clean(con, CONTACTS, reading, sources),
                loading.full_first_pass(con, CONTACTS, reading, sources))
    finally:
        reading.close()


def _comparable(facts: FileFacts) -> FileFacts:
    """The facts with each domain's values sorted (``list(DISTINCT …)`` keeps no order)."""
    domains = {k: sorted(v, key=lambda x: (x is None, x or "")) for k, v in facts.domains.items()}
    return FileFacts(facts.rows, facts.bad, facts.counts, facts.bounds, domains, facts.plain)


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    connection = database.connect()
    yield connection
    connection.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(rows=files(), zoned=st.booleans(),
       direction=st.booleans(), extra=st.booleans())
def test_a_file_proved_clean_has_the_first_pass_facts(
    con: duckdb.DuckDBPyConnection, rows: list[tuple[Any, ...]], zoned: bool,
    direction: bool, extra: bool,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "contacts.parquet"
        _write(path, rows, zoned=zoned, direction=direction, extra=extra)
        proved, full = _both(con, path)
    if proved is not None:
        assert full.bad == 0
        assert _comparable(proved) == _comparable(full)


def test_clean_files_of_every_covered_shape_are_proved(
    con: duckdb.DuckDBPyConnection, tmp_path: Path,
) -> None:
    """Non-ASCII names with inner spaces, a zoned instant, absent columns with and without
    defaults, an extra text column: proved clean, with the full pass's facts."""
    rows = [("c1", "voice", "inbound", "Київ\u00a0черга", 10, 5, 300, 12.5, True, "a note"),
            ("c2", "chat", "outbound", "q b", 20, None, None, None, None, None),
            ("c3", "voice", None, "q3", 30, 0, 0, 0.0, False, "é")]
    for zoned in (False, True):
        for direction in (False, True):
            path = tmp_path / f"c-{zoned}-{direction}.parquet"
            _write(path, rows, zoned=zoned, direction=direction, extra=True)
            proved, full = _both(con, path)
            assert full.bad == 0
            assert proved is not None, (zoned, direction)
            assert _comparable(proved) == _comparable(full)
            assert proved.counts["direction"] == 3  # its default fills the null
            assert proved.counts["acw_seconds"] == 2
            assert proved.bounds["accepted_at"] == (
                int((T0 + timedelta(seconds=15)).timestamp() * 1_000_000),
                int((T0 + timedelta(seconds=30)).timestamp() * 1_000_000))
            assert sorted(proved.domains["channel"]) == ["chat", "voice"]


@pytest.mark.parametrize(("field", "value"), [
    (0, ""), (0, " c9"), (0, "c9 "), (0, "\u00a0c9"), (0, "c9\u3000"), (0, "c\x009"),
    (0, "\tc9"), (1, " voice"), (2, "Inbound"), (6, -60), (5, 10 ** 8), (7, -1.0), (9, "n\x00"),
])
def test_each_odd_value_sends_the_file_to_the_full_pass(
    con: duckdb.DuckDBPyConnection, tmp_path: Path, field: int, value: Any,
) -> None:
    """One odd cell in an otherwise clean file: not proved (whether the full pass then
    quarantines it, as a reversed instant, or only converts it, as a padded id)."""
    good = ["c1", "voice", "inbound", "q1", 10, 5, 300, 12.5, True, "note"]
    odd = list(good)
    odd[field] = value
    path = tmp_path / "contacts.parquet"
    _write(path, [tuple(good), tuple(odd)], zoned=False, direction=True, extra=True)
    proved, full = _both(con, path)
    assert proved is None
    padded_only = field == 0 and value not in ("", "c\x009") and value.strip("\t") == value
    if padded_only:
        assert full.bad == 0 and "contact_id" not in full.plain


def test_the_loader_gives_the_same_dataset_with_and_without_the_proof(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """End to end: a clean typed folder loads to the same rows, facts and verdict either way."""
    rows = [(f"c{i}", "voice" if i % 3 else "chat", "inbound", f"q{i % 4}", i * 60, 5 + i,
             400 + i, float(i), i % 2 == 0, None) for i in range(40)]
    folder = tmp_path / "data"
    folder.mkdir()
    _write(folder / "contacts.parquet", rows, zoned=False, direction=True, extra=False)
    calls: list[bool] = []
    real = quick_pass.prove_clean

    def counted(*args: Any) -> FileFacts | None:
        found = real(*args)
        calls.append(found is not None)
        return found

    monkeypatch.setattr(quick_pass, "prove_clean", counted)
    proved = load_dataset(folder, cache=False)
    assert calls == [True]
    monkeypatch.setattr(quick_pass, "prove_clean", lambda *args: None)
    full = load_dataset(folder, cache=False)
    query = "SELECT * FROM contacts ORDER BY contact_id"
    assert proved.con.execute(query).fetchall() == full.con.execute(query).fetchall()
    assert (proved.bounds, proved.domains, proved.empty) == (full.bounds, full.domains, full.empty)
    assert proved.bounds is not None and proved.domains is not None
    assert proved.problems == full.problems == []


def test_a_one_point_survey_scale_is_not_proved_clean(
        con: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    """The rule of a survey scale wider than one point is decided by the quick pass too:
    a file breaking it is left to the full pass, which flags the row; the same file
    without it is proved clean."""
    when = datetime(2024, 3, 5, 10, tzinfo=UTC)
    for scale_max, proved_clean in ((5.0, True), (3.0, False)):
        path = tmp_path / f"surveys-{scale_max}.parquet"
        pq.write_table(pa.table({
            "survey": ["csat", "csat"], "score": [3.0, 3.0], "scale_min": [1.0, 3.0],
            "scale_max": [5.0, scale_max], "answered_at": [when, when]}), path)
        reading = Reading(TableFile("surveys", path, "parquet"))
        try:
            sources = describe(con, reading)
            proved = quick_pass.prove_clean(con, TABLES["surveys"], reading, sources)
            full = loading.full_first_pass(con, TABLES["surveys"], reading, sources)
        finally:
            reading.close()
        assert (proved is not None, full.bad) == (proved_clean, 0 if proved_clean else 1)
