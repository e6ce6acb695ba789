"""`schedule add … --replace` replaces the whole schedule: an option left out takes its
default again — the dataset among them, which `schedule list` did not show, so a newcomer
could not see that a replaced schedule now read the server's dataset. `schedule list`
shows it (`data` in the table and, an added key, in JSON)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _run(url: str, *args: str, columns: str = "250") -> str:
    result = runner.invoke(app, [*args, "--database-url", url], env={"COLUMNS": columns})
    assert result.exit_code == 0, result.output
    return result.stdout


def test_the_list_shows_each_schedule_s_dataset(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _run(url, "db", "upgrade")
    common = ["schedule", "add", "Daily SL", "--definition", str(REPO / "reports" /
              "daily-sl.toml"), "--folder", str(tmp_path / "out"), "--tz", "Europe/Kyiv"]
    _run(url, *common, "--data", str(DEMO_DATA_DIR), "--format", "csv", "--lang", "uk")
    (listed,) = json.loads(_run(url, "schedule", "list", "--format", "json"))
    assert listed["data"] == str(DEMO_DATA_DIR.resolve())
    assert (listed["format"], listed["lang"]) == ("csv", "uk")
    for columns in ("250", "80"):  # the table, or one block per schedule
        assert str(DEMO_DATA_DIR.resolve()) in _run(url, "schedule", "list",
                                                    columns=columns)

    # --replace without --format, --lang: each back to its default, as documented; a
    # --data left out keeps the dataset, and the list says which
    _run(url, *common, "--cron", "0 9 * * *", "--replace")
    (listed,) = json.loads(_run(url, "schedule", "list", "--format", "json"))
    assert listed["data"] == str(DEMO_DATA_DIR.resolve())
    assert (listed["format"], listed["lang"], listed["cron"]) == ("xlsx", "en", "0 9 * * *")


def test_a_schedule_without_data_reads_the_server_s(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    _run(url, "db", "upgrade")
    _run(url, "schedule", "add", "Daily SL", "--definition",
         str(REPO / "reports" / "daily-sl.toml"), "--folder", str(tmp_path / "out"))
    (listed,) = json.loads(_run(url, "schedule", "list", "--format", "json"))
    assert "data" in listed and listed["data"] is None
    assert "(the server's)" in _run(url, "schedule", "list")


def test_the_docs_say_replace_takes_every_option_again() -> None:
    page = (REPO / "docs" / "scheduled-reports.md").read_text(encoding="utf-8")
    assert "replaces the **whole** schedule" in page
    assert "`data` (the folder, or null" in page
