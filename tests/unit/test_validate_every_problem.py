"""`omnikpi validate` prints every problem by default, as the CLI contract says ("prints
every problem (file, row, column, what is wrong)"): it stopped at 200, and the JSON's
`problems` held 200 of 250 with nothing but the count to say so."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from omnikpi.cli.main import app

HEADER = "contact_id,channel,queue,direction,arrived_at,accepted_at,ended_at\n"


def write_bad_rows(folder: Path, bad: int, good: int) -> Path:
    folder.mkdir()
    lines = [f"c{i},voice,q,inbound,garbage,,\n" for i in range(bad)]
    lines += [f"g{i},voice,q,inbound,2024-03-04T09:00:00Z,2024-03-04T09:00:10Z,"
              "2024-03-04T09:02:00Z\n" for i in range(good)]
    (folder / "contacts.csv").write_text(HEADER + "".join(lines))
    return folder


def test_every_problem_is_printed_and_in_the_json(tmp_path: Path) -> None:
    data = write_bad_rows(tmp_path / "data", bad=250, good=5)
    runner = CliRunner()
    shown = runner.invoke(app, ["validate", "--data", str(data), "--no-cache"],
                          terminal_width=400)
    assert shown.exit_code == 0, shown.output
    assert shown.output.count("column arrived_at") == 250
    assert "more problem" not in shown.output
    answer = runner.invoke(app, ["validate", "--data", str(data), "--no-cache",
                                 "--format", "json"])
    listed = json.loads(answer.stdout)
    assert listed["problem_count"] == 250 and len(listed["problems"]) == 250


def test_a_limit_prints_fewer_and_says_how_many_more(tmp_path: Path) -> None:
    data = write_bad_rows(tmp_path / "data", bad=250, good=5)
    shown = CliRunner().invoke(app, ["validate", "--data", str(data), "--no-cache",
                                     "--limit", "10"], terminal_width=400)
    assert shown.output.count("column arrived_at") == 10
    assert "… and 240 more problem(s)" in shown.output


def test_past_the_problems_kept_the_count_goes_on_and_says_why(tmp_path: Path) -> None:
    data = write_bad_rows(tmp_path / "data", bad=10_003, good=1)
    shown = CliRunner().invoke(app, ["validate", "--data", str(data), "--no-cache"],
                               terminal_width=400)
    assert shown.output.count("column arrived_at") == 10_000
    assert ("… and 3 more problem(s) (the first 10,000 are kept: fix those and validate "
            "again)") in shown.output
