"""Property tests of the mapped CSV and transcript connectors (issue 19, robustness): any
bytes give a clear result or a clear error, never a traceback; every source row is
accounted for; the order of valid rows does not change the canonical rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from omnikpi.connectors.mapped_table import REQUIRED_EMPTY, import_mapped
from omnikpi.connectors.transcripts import import_transcripts
from omnikpi.errors import OmniKPIError

MAPPING = """table = "contacts"
[source]
format = "csv"
[[filters]]
when = "kind = 'test'"
reason = "test calls"
[columns]
contact_id = "id"
channel = "'voice'"
queue = "q"
arrived_at = "TRY_CAST(ts AS TIMESTAMP)"  # a bad value: null, rejected by name
"""
HEADER = "id,q,ts,kind\n"
row = st.tuples(
    st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True),
    st.sampled_from(["sales", "support", ""]),
    st.sampled_from(["2024-03-05 10:00:00", "2024-03-05 11:30:00", "not a time", ""]),
    st.sampled_from(["real", "test"]),
)
SETTINGS = settings(max_examples=8, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


Imported = tuple[int, int, int, dict[str, int], list[tuple[str, ...]]]


def _import(folder: Path, text: bytes) -> Imported:
    source = folder / "export.csv"
    source.write_bytes(text)
    mapping = folder / "map.toml"
    mapping.write_text(MAPPING)
    (summary,) = import_mapped([source], mapping, folder / "out")
    target = folder / "out" / "contacts.parquet"
    rows = pq.read_table(target).to_pylist() if target.exists() else []
    canonical = sorted(tuple(str(v) for v in r.values()) for r in rows)
    rejected = {column: summary.rejected[f"{column} {REQUIRED_EMPTY}"]
                for column in ("arrived_at", "queue")}
    assert sum(rejected.values()) == sum(summary.rejected.values()), summary.rejected
    return (summary.read, summary.written, sum(summary.filtered.values()), rejected,
            canonical)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=12, unique_by=lambda r: r[0]), seed=st.randoms())
def test_every_row_accounted_for_and_order_free(rows: list[tuple[str, ...]],
                                                seed: object) -> None:
    lines = [",".join(r) + "\n" for r in rows]
    shuffled = list(lines)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        read, written, filtered, rejected, canonical = _import(
            Path(one), (HEADER + "".join(lines)).encode())
        again = _import(Path(two), (HEADER + "".join(shuffled)).encode())
    tests = sum(1 for r in rows if r[3] == "test")
    assert read == len(rows) and filtered == tests and written == len(rows) - tests
    real = [r for r in rows if r[3] != "test"]
    assert rejected == {  # each problem by its column: a row may have two
        "arrived_at": sum(1 for r in real if r[2] in ("", "not a time")),
        "queue": sum(1 for r in real if r[1] == "")}
    assert again[4] == canonical


@SETTINGS
@given(blob=st.binary(max_size=300))
def test_any_bytes_give_a_result_or_a_clear_error(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            read, written, filtered, _, _ = _import(Path(folder), HEADER.encode() + blob)
        except OmniKPIError as exc:
            assert str(exc)  # a message for the user, not a traceback
            return
        assert written + filtered <= read


TRANSCRIPT_MAPPING = """[source]
format = "csv"
[fields]
conversation = "c"
ts = "t"
role = "r"
agent = "a"
"""


@SETTINGS
@given(blob=st.binary(max_size=300))
def test_transcripts_of_any_bytes(blob: bytes) -> None:
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        (folder / "m.csv").write_bytes(b"c,t,r,a\n" + blob)
        (folder / "map.toml").write_text(TRANSCRIPT_MAPPING)
        try:
            import_transcripts([folder / "m.csv"], folder / "map.toml", folder / "out")
        except OmniKPIError as exc:
            assert str(exc)
