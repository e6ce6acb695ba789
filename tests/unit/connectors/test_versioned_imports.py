"""Records that change after they were imported (a ticket answered later, a call whose
wrap-up ended after the export): with ``[source] version`` the newest form of each record
is kept, whatever order the exports are imported in (``connectors/writer.py``)."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.connectors.transaction import committed_import
from omnikpi.connectors.writer import merge_write, to_arrow

TALK = Path(__file__).parent / "fixtures" / "platforms" / "zendesk_talk"

FORMS = st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 5)), min_size=1,
                 max_size=12)
"""(record, version) pairs: several forms of a few records."""


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forms=FORMS, cuts=st.lists(st.integers(0, 12), max_size=3), data=st.data())
def test_the_newest_form_wins_in_any_order_of_exports(
        tmp_path_factory: object, forms: list[tuple[str, int]], cuts: list[int],
        data: st.DataObject) -> None:
    """The forms are cut into exports imported one after the other, in a shuffled order;
    each record keeps its newest form (ties: the first imported of the newest)."""
    out = tmp_path_factory.mktemp("versions")  # type: ignore[attr-defined]
    rows = [{"contact_id": record, "channel": "voice", "queue": f"{record}-{version}-{i}",
             "arrived_at": 1709629200.0} for i, (record, version) in enumerate(forms)]
    bounds = sorted({0, len(rows), *[min(c, len(rows)) for c in cuts]})
    exports = [list(range(a, b)) for a, b in pairwise(bounds)]
    exports = data.draw(st.permutations(exports))
    imported_order: list[int] = []
    for export in exports:
        with committed_import(out) as run:
            merge_write(run, "contacts", to_arrow("contacts", [rows[i] for i in export]),
                        versions=pa.array([float(forms[i][1]) for i in export]))
        imported_order += export
    kept = {r["contact_id"]: r["queue"] for r in
            pq.read_table(out / "contacts.parquet").to_pylist()}
    expected: dict[str, str] = {}
    best: dict[str, int] = {}
    for i in imported_order:
        record, version = forms[i]
        if record not in best or version > best[record]:
            best[record], expected[record] = version, rows[i]["queue"]
    assert kept == expected


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forms=FORMS, cuts=st.lists(st.integers(0, 12), max_size=3), data=st.data())
def test_the_newest_form_of_a_record_wins_whatever_its_key(
        tmp_path_factory: object, forms: list[tuple[str, int]], cuts: list[int],
        data: st.DataObject) -> None:
    """The forms of a record each have a key of their own (a changed rating: another score,
    another time), so only the record tells they are one: each record keeps its newest
    form, in any order of exports, and rows without a record are left alone."""
    out = tmp_path_factory.mktemp("records")  # type: ignore[attr-defined]
    rows = [{"contact_id": f"{record}-{i}", "channel": "voice", "arrived_at": 1709629200.0}
            for i, (record, _) in enumerate(forms)]
    loose = {"contact_id": "no-record", "channel": "voice", "arrived_at": 1709629200.0}
    bounds = sorted({0, len(rows), *[min(c, len(rows)) for c in cuts]})
    exports = data.draw(st.permutations([list(range(a, b)) for a, b in pairwise(bounds)]))
    imported_order: list[int] = []
    for n, export in enumerate(exports):
        arriving = [rows[i] for i in export] + ([loose] if n == 0 else [])
        with committed_import(out) as run:
            merge_write(run, "contacts", to_arrow("contacts", arriving),
                        versions=pa.array([float(forms[i][1]) for i in export]
                                          + ([None] if n == 0 else []), pa.float64()),
                        records=pa.array([forms[i][0] for i in export]
                                         + ([None] if n == 0 else []), pa.string()))
        imported_order += export
    kept = {r["contact_id"] for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    best: dict[str, tuple[int, int]] = {}
    for i in imported_order:
        record, version = forms[i]
        if record not in best or version > best[record][0]:
            best[record] = (version, i)
    assert kept == {rows[i]["contact_id"] for _, i in best.values()} | {"no-record"}


KNOWN = st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 5),
                           st.one_of(st.none(), st.integers(1, 9)), st.booleans()),
                 min_size=1, max_size=10)
"""(record, version, a value the form knows or not, whether an older value may stay)."""


@settings(max_examples=int(os.environ.get("KEEP_EXAMPLES", "40")), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forms=KNOWN, cuts=st.lists(st.integers(0, 10), max_size=3), data=st.data())
def test_an_older_value_stays_where_the_newest_form_has_none(
        tmp_path_factory: object, forms: list[tuple[str, int, int | None, bool]],
        cuts: list[int], data: st.DataObject) -> None:
    """``keep_older``: each record keeps its newest form; where that form's value is empty
    and its flag set, the value of the newest form that has one — in any order of the
    exports (the flags are kept beside the versions)."""
    out = tmp_path_factory.mktemp("keep")  # type: ignore[attr-defined]
    rows = [{"contact_id": record, "channel": "voice", "arrived_at": 1709629200.0,
             "hold_seconds": None if value is None else float(value), "queue": str(i)}
            for i, (record, _, value, _) in enumerate(forms)]
    bounds = sorted({0, len(rows), *[min(c, len(rows)) for c in cuts]})
    exports = data.draw(st.permutations([list(range(a, b)) for a, b in pairwise(bounds)]))
    order: list[int] = []
    for export in exports:
        with committed_import(out) as run:
            merge_write(run, "contacts", to_arrow("contacts", [rows[i] for i in export]),
                        versions=pa.array([float(forms[i][1]) for i in export]),
                        keep_older={"hold_seconds": pa.array([forms[i][3] for i in export])})
        order += export
    kept = {r["contact_id"]: (r["queue"], r["hold_seconds"])
            for r in pq.read_table(out / "contacts.parquet").to_pylist()}
    expected = {}
    for record in {r for r, *_ in forms}:
        mine = [i for i in order if forms[i][0] == record]  # in the order imported
        newest = max(mine, key=lambda i: (forms[i][1], -mine.index(i)))
        value = forms[newest][2]
        if value is None and forms[newest][3]:
            known = [i for i in mine if forms[i][2] is not None]
            if known:
                value = forms[max(known, key=lambda i: (forms[i][1], -mine.index(i)))][2]
        expected[record] = (str(newest), None if value is None else float(value))
    assert kept == expected


def test_a_call_imported_during_its_wrap_up_then_complete(tmp_path: Path) -> None:
    """Zendesk Talk: the first export caught call 101 in its wrap-up; the next one has it
    complete and replaces it; the first export imported again changes nothing."""
    said = []
    for page in ("calls-1.json", "calls-2.json", "calls-1.json"):
        result = CliRunner().invoke(app, ["import", "zendesk-talk", str(TALK / page),
                                          "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
        said.append(" ".join(result.output.split()))
    assert "1 contacts: imported before in an older form" in said[1]
    assert "imported before in an older form" not in said[2].replace("0 contacts", "")
    assert "3 contacts: already imported, or repeated in these files (same contact_id): " \
        "kept once, the newest form" in said[2]
    calls = {r["contact_id"]: r for r in pq.read_table(tmp_path / "contacts.parquet")
             .to_pylist()}
    assert calls["101"]["acw_seconds"] == 30
    assert len(calls) == 6


REMOVING_FORMS = st.lists(st.tuples(st.sampled_from("abcd"), st.integers(0, 5),
                                    st.booleans()), min_size=1, max_size=12)
"""(record, version, removing) triples: a removing form is one a filter with
``removes_older_forms`` skipped (a conversation since resolved by the AI agent)."""


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(forms=REMOVING_FORMS, cuts=st.lists(st.integers(0, 12), max_size=3),
       data=st.data())
def test_a_removing_newest_form_leaves_out_every_older_one_in_any_order(
        tmp_path_factory: object, forms: list[tuple[str, int, bool]], cuts: list[int],
        data: st.DataObject) -> None:
    """A record whose newest form is a removing one is absent, whatever order its forms
    were imported in; a form newer than every removing one (a reopened conversation) stays,
    and at an equal version the real form stays."""
    out = tmp_path_factory.mktemp("removals")  # type: ignore[attr-defined]
    rows = [{"contact_id": record, "channel": "chat", "queue": f"{record}-{version}-{i}",
             "arrived_at": 1709629200.0} for i, (record, version, _) in enumerate(forms)]
    bounds = sorted({0, len(rows), *[min(c, len(rows)) for c in cuts]})
    exports = data.draw(st.permutations([list(range(a, b)) for a, b in pairwise(bounds)]))
    imported_order: list[int] = []
    stored: dict[str, int] = {}  # record → version of its stored row
    gone: dict[str, int] = {}  # record → its newest removing form's version
    for export in exports:
        with committed_import(out) as run:
            merged = merge_write(
                run, "contacts", to_arrow("contacts", [rows[i] for i in export]),
                versions=pa.array([float(forms[i][1]) for i in export]),
                removing=pa.array([forms[i][2] for i in export]))
        imported_order += export
        # the counts, by the rule: the newest real form wins (ties: the first), unless a
        # removing form is newer; a stored record removed is `removed`, replaced `updated`
        real = [i for i in export if not forms[i][2]]
        for i in export:
            if forms[i][2]:
                gone[forms[i][0]] = max(forms[i][1], gone.get(forms[i][0], forms[i][1]))
        winners: dict[str, tuple[int, int | None]] = {r: (v, None) for r, v in stored.items()}
        for i in real:
            record, version, _ = forms[i]
            if record not in winners or version > winners[record][0]:
                winners[record] = (version, i)
        removed = updated = 0
        kept_new = 0
        for record, (version, index) in winners.items():
            if record in gone and version < gone[record]:
                removed += record in stored
                stored.pop(record, None)
                continue
            updated += record in stored and index is not None
            kept_new += index is not None
            stored[record] = version
        assert (merged.removed, merged.updated, merged.repeated) == (
            removed, updated, len(real) - kept_new), (export, forms)
    kept = {r["contact_id"]: r["queue"] for r in
            pq.read_table(out / "contacts.parquet").to_pylist()} \
        if (out / "contacts.parquet").exists() else {}
    expected: dict[str, str] = {}
    best: dict[str, int] = {}
    removed_at: dict[str, int] = {}
    for i in imported_order:
        record, version, removing = forms[i]
        if removing:
            removed_at[record] = max(version, removed_at.get(record, version))
        elif record not in best or version > best[record]:
            best[record], expected[record] = version, rows[i]["queue"]
    expected = {r: q for r, q in expected.items()
                if r not in removed_at or best[r] >= removed_at[r]}
    assert kept == expected


def test_a_conversation_the_ai_agent_resolved_after_an_export_is_no_contact(
        tmp_path: Path) -> None:
    """Intercom: a conversation exported while Fin was at work (a contact waiting), then
    resolved by Fin alone (a bot session): it stayed an unanswered contact (offered 1,
    service level 0 %), imported one export after the other or both at once."""
    fin = Path(__file__).parent / "fixtures" / "platforms" / "intercom"
    at_work, resolved = fin / "fin-at-work-1000.json", fin / "fin-resolved-1005.json"
    runner = CliRunner()
    for name, imports in {"in order": [[at_work], [resolved]],
                          "at once": [[at_work, resolved]],
                          "older later": [[resolved], [at_work]]}.items():
        out = tmp_path / name.replace(" ", "-")
        printed = ""
        for files in imports:
            result = runner.invoke(app, ["import", "intercom", *map(str, files),
                                         "--out", str(out)])
            assert result.exit_code == 0, result.output
            printed += result.output
        contacts = out / "contacts.parquet"
        assert not contacts.exists() or pq.read_table(contacts).num_rows == 0, name
        sessions = pq.read_table(out / "ivr_sessions.parquet").to_pylist()
        assert [(s["session_id"], s["result"]) for s in sessions] == [("fin-500", "self_served")]
        if name == "in order":
            assert "1 contacts: imported before, now removed" in " ".join(printed.split())


def test_removes_older_forms_needs_a_version_and_no_text_key(tmp_path: Path) -> None:
    """A removing filter without a version cannot tell older forms from newer; on
    messages (keyed by their text too where a transcript import stored it) it would
    remove a different message of the same second: both are refused, naming the key."""
    (tmp_path / "in.csv").write_text("id,at,who,text,state\nm1,2024-03-05T10:00:00Z,"
                                     "customer,hello,deleted\n")
    base = ('[columns]\ncontact_id = "id"\nts = "at"\nsender = "who"\n'
            '[[filters]]\nwhen = "state = \'deleted\'"\nreason = "deleted"\n'
            "removes_older_forms = true\n")
    for name, mapping, words in [
            ("no-version", 'table = "contacts"\n' + base.replace(
                'ts = "at"\nsender = "who"', 'channel = "\'chat\'"\nqueue = "who"\n'
                'arrived_at = "at"'), "needs a version"),
            ("messages", 'table = "messages"\n[source]\nversion = "1"\n' + base,
             "is not for messages")]:
        (tmp_path / f"{name}.toml").write_text(mapping)
        result = CliRunner().invoke(app, ["import", "csv", str(tmp_path / "in.csv"),
                                          "--mapping", str(tmp_path / f"{name}.toml"),
                                          "--out", str(tmp_path / name)])
        assert result.exit_code == 2, result.output
        assert words in " ".join(result.output.split()), result.output
