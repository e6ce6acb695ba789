"""``extends``: a mapping built on another, changing only what differs
(``connectors/mapping_files.py``)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from omnikpi.connectors.mapped_table import import_mapped
from omnikpi.connectors.mapping_files import merged, read_mapping
from omnikpi.errors import UsageError

PAGES = sorted((Path(__file__).parent / "fixtures" / "platforms" / "twilio_taskrouter")
               .glob("events-page-*.json"))


def test_a_workspaces_own_activity_names_in_three_lines(tmp_path: Path) -> None:
    """A workspace whose "Unavailable" means the agent went home: one [derived] name of the
    shipped TaskRouter mapping replaced, every other decision kept."""
    mine = tmp_path / "our-flex.toml"
    mine.write_text('extends = "twilio-taskrouter"\n[derived]\n'
                    "activity_state = \"CASE WHEN activity_now IN ('Offline', 'Unavailable') "
                    "THEN 'logged_out' WHEN activity_now = 'Available' THEN 'available' "
                    "ELSE 'not_ready' END\"\n")
    import_mapped(PAGES, mine, tmp_path / "out")
    states = pq.read_table(tmp_path / "out" / "agent_states.parquet").to_pylist()
    ivan = {str(s["start"].time()): (s["state"], s["reason"]) for s in states
            if s["agent_id"].startswith("ivan")}
    assert ivan["09:06:17"] == ("logged_out", None)  # until 09:08:00, "Unavailable"
    assert len(states) == 20
    contacts = pq.read_table(tmp_path / "out" / "contacts.parquet")
    assert contacts.num_rows == 7  # the contacts' side is the shipped mapping's


def test_the_merge_rules() -> None:
    base = {"table": "contacts", "source": {"format": "json", "unnest": "events"},
            "derived": {"a": "1", "b": "a + 1"}, "columns": {"queue": "'x'", "channel": "'y'"},
            "filters": [{"when": "a IS NULL", "reason": "r1"}],
            "tables": {"agent_states": {"columns": {"state": "'s'"}, "filters": []}}}
    child = {"source": {"format": "csv"}, "derived": {"b": "a + 2", "z": "0"},
             "columns": {"channel": "'voice'"},
             "filters": [{"when": "z > 0", "reason": "r2"}],
             "tables": {"agent_states": {"columns": {"reason": "'r'"}},
                        "surveys": {"columns": {"score": "1"}}}}
    out = merged(base, child, Path("child.toml"))
    assert out["source"] == {"format": "csv"}  # replaced whole
    assert list(out["derived"].items()) == [("z", "0"), ("a", "1"), ("b", "a + 2")]
    assert out["columns"] == {"queue": "'x'", "channel": "'voice'"}
    assert [f["reason"] for f in out["filters"]] == ["r1", "r2"]
    assert out["tables"]["agent_states"] == {"columns": {"state": "'s'", "reason": "'r'"},
                                             "filters": []}
    assert out["tables"]["surveys"] == {"columns": {"score": "1"}}
    assert out["table"] == "contacts"


def test_a_chain_and_its_mistakes(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('table = "contacts"\n[derived]\nx = "1"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n[derived]\ny = "x + 1"\n')
    (tmp_path / "c.toml").write_text('extends = "b"\n[derived]\nx = "5"\n')
    assert read_mapping(tmp_path / "c.toml")["derived"] == {"y": "x + 1", "x": "5"}
    (tmp_path / "loop1.toml").write_text('extends = "loop2.toml"\n')
    (tmp_path / "loop2.toml").write_text('extends = "loop1.toml"\n')
    with pytest.raises(UsageError, match=r"comes back to a mapping it extends \(loop1.toml"):
        read_mapping(tmp_path / "loop1.toml")
    (tmp_path / "lost.toml").write_text('extends = "nowhere"\n')
    with pytest.raises(UsageError, match="no such file beside it and no shipped platform"):
        read_mapping(tmp_path / "lost.toml")
    (tmp_path / "odd.toml").write_text("extends = 3\n")
    with pytest.raises(UsageError, match="extends names a shipped platform"):
        read_mapping(tmp_path / "odd.toml")
