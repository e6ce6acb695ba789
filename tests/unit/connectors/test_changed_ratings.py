"""A rating the customer changed after it was imported counts once, in its last form.

A survey answer has no id in the canonical table (its key is the contact, the survey, the
time and the score), so a changed rating — another score, another time — was a second
answer: CSAT counted the ticket twice, once happy and once not. The platform mappings of
ratings name the rating's own id as the row's ``record`` (``connectors/writer.py``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app

FIXTURES = Path(__file__).parent / "fixtures" / "platforms"
MAPPINGS = Path(omnikpi.__file__).parents[2] / "mappings"


def _import(command: str, page: Path, out: Path) -> str:
    result = CliRunner().invoke(app, ["import", command, str(page), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def _scores(out: Path) -> dict[str, float]:
    rows = pq.read_table(out / "surveys.parquet").to_pylist()
    contacts = [row["contact_id"] for row in rows]
    assert len(contacts) == len(set(contacts)), rows  # one answer per rated contact
    return {row["contact_id"]: row["score"] for row in rows}


def _zendesk(page: Any) -> Any:
    rating = page["satisfaction_ratings"][1]  # ticket 35437, bad at 15:30
    rating.update(score="good", updated_at="2024-03-06T09:00:00Z")
    return {"satisfaction_ratings": [rating]}


def _freshdesk(page: Any) -> Any:
    rating = page[0]  # ticket 101, 103 (the happiest)
    rating.update(ratings={"default_question": -103}, updated_at="2024-03-06T09:00:00Z")
    return [rating]


def _chatwoot(page: Any) -> Any:
    response = page[1]  # conversation 43, rated 2
    response["rating"] = 5
    return [response]


def _intercom(page: Any) -> Any:
    conversation = page["conversations"][1]  # 1002, rated 2
    conversation["updated_at"] += 86_400
    conversation["conversation_rating"].update(rating=5, updated_at=1709737500)
    return {**page, "conversations": [conversation]}


CASES: dict[str, tuple[str, Path, Callable[[Any], Any], str, float, float]] = {
    # command, first export, the same rating changed, its contact, score before, after
    "zendesk": ("zendesk-satisfaction", FIXTURES / "zendesk" / "satisfaction_ratings.json",
                _zendesk, "35437", 0.0, 1.0),
    "freshdesk": ("freshdesk-satisfaction",
                  FIXTURES / "freshdesk" / "satisfaction_ratings.json", _freshdesk, "101",
                  7.0, 1.0),
    "chatwoot": ("chatwoot-csat", FIXTURES / "chatwoot" / "csat-page-1.json", _chatwoot,
                 "43", 2.0, 5.0),
    "intercom": ("intercom", FIXTURES / "intercom" / "conversations-page-1.json", _intercom,
                 "1002", 2.0, 5.0),
}


@pytest.mark.parametrize("platform", sorted(CASES))
def test_a_changed_rating_replaces_the_imported_one(platform: str, tmp_path: Path) -> None:
    command, first, change, contact, before, after = CASES[platform]
    out = tmp_path / "data"
    _import(command, first, out)
    scores = _scores(out)
    assert scores[contact] == before
    later = tmp_path / "later.json"
    later.write_text(json.dumps(change(json.loads(first.read_text()))))
    said = _import(command, later, out)
    assert "1 imported before in an older form" in said.replace("surveys: ", "")
    assert _scores(out) == {**scores, contact: after}


@pytest.mark.parametrize("platform", ["zendesk", "freshdesk", "intercom"])
def test_an_older_export_imported_later_changes_nothing(platform: str,
                                                         tmp_path: Path) -> None:
    """With the rating's update time as its version, the exports may come in any order."""
    command, first, change, contact, _, after = CASES[platform]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(change(json.loads(first.read_text()))))
    out = tmp_path / "data"
    _import(command, later, out)
    _import(command, first, out)
    assert _scores(out)[contact] == after


def test_without_an_update_time_the_export_imported_last_wins(tmp_path: Path) -> None:
    """Chatwoot's response list has no update time: the mapping takes the form imported
    last for the newer (docs/connectors.md), so an old export imported again brings the
    old rating back — once, never as a second answer."""
    command, first, change, contact, before, after = CASES["chatwoot"]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(change(json.loads(first.read_text()))))
    out = tmp_path / "data"
    for page, score in ((first, before), (later, after), (first, before)):
        _import(command, page, out)
        assert _scores(out)[contact] == score


def test_csat_counts_the_changed_ticket_once(tmp_path: Path) -> None:
    """Zendesk: three answered ratings, one changed from bad to good — CSAT 3 of 3, not
    3 of 4 with a CDSAT of 1 of 4."""
    command, first, change, *_ = CASES["zendesk"]
    out = tmp_path / "data"
    _import(command, first, out)
    later = tmp_path / "later.json"
    later.write_text(json.dumps(change(json.loads(first.read_text()))))
    _import(command, later, out)
    row = omnikpi.report(omnikpi.load_dataset(out), metrics=["csat", "cdsat"]).iloc[0]
    assert (row["csat"], row["cdsat"]) == (1.0, 0.0)


def test_a_folder_imported_before_records_were_kept_is_mended_by_importing_again(
        tmp_path: Path) -> None:
    """A folder an older OmniKPI filled (its Zendesk mapping had no record and no
    version) holds both forms of the changed rating; importing the two exports again with
    today's mapping gives each stored row its record, and the older form goes."""
    command, first, change, contact, _, after = CASES["zendesk"]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(change(json.loads(first.read_text()))))
    shipped = MAPPINGS / "zendesk_satisfaction.toml"
    older = tmp_path / "older.toml"
    older.write_text("\n".join(line for line in shipped.read_text().splitlines()
                               if not line.startswith(("record =", "version ="))))
    out = tmp_path / "data"
    for page in (first, later):
        result = CliRunner().invoke(app, ["import", "json", str(page), "--mapping",
                                          str(older), "--out", str(out)])
        assert result.exit_code == 0, result.output
    assert len(pq.read_table(out / "surveys.parquet")) == 4  # the rating counted twice
    _import(command, first, out)
    _import(command, later, out)
    assert _scores(out)[contact] == after


@pytest.mark.parametrize("reverse", [False, True])
def test_without_an_update_time_the_file_given_last_wins_in_one_import(
        tmp_path: Path, reverse: bool) -> None:
    """Both Chatwoot exports in one import (``import chatwoot-csat old.json new.json``):
    the form in the file given last is the newer, as across imports. The two forms tie on
    created_at, and the one kept was whichever the reader met first."""
    command, first, change, contact, before, after = CASES["chatwoot"]
    later = tmp_path / "later.json"
    later.write_text(json.dumps(change(json.loads(first.read_text()))))
    pages = [later, first] if reverse else [first, later]
    out = tmp_path / "data"
    result = CliRunner().invoke(app, ["import", command, *map(str, pages), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _scores(out)[contact] == (before if reverse else after)
