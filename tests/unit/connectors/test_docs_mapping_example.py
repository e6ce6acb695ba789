"""The small mapping of docs/connectors.md works as the page says: a newcomer copies it.

The page's ``calls.csv`` and ``calls.toml`` blocks are imported as written and the report
gives the figures printed under them (sales: 2 offered, 1 answered after 12 s and talked
263 s, 1 abandoned; support: 1 answered after 40 s, 380 s)."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from omnikpi.cli.main import app

DOC = Path(__file__).resolve().parents[3] / "docs" / "connectors.md"


def _block(text: str, label: str, language: str) -> str:
    found = re.search(rf"`{re.escape(label)}`[^\n]*\n(?:[^\n]*\n)*?```{language}\n(.*?)```",
                      text, re.S)
    assert found, f"docs/connectors.md has no {label} block"
    return found.group(1)


def test_the_small_mapping_of_the_docs_imports_and_reports_as_shown(tmp_path: Path) -> None:
    text = DOC.read_text(encoding="utf-8")
    (tmp_path / "calls.csv").write_text(_block(text, "calls.csv", "csv"))
    (tmp_path / "calls.toml").write_text(_block(text, "calls.toml", "toml"))
    runner = CliRunner()
    done = runner.invoke(app, ["import", "csv", str(tmp_path / "calls.csv"), "--mapping",
                               str(tmp_path / "calls.toml"), "--out", str(tmp_path / "data")])
    assert done.exit_code == 0, done.output
    report = runner.invoke(app, ["report", "--data", str(tmp_path / "data"), "--metrics",
                                 "offered,answered,abandoned,asa,aht", "--by", "queue",
                                 "--format", "csv"])
    assert report.exit_code == 0, report.output
    shown = [line.removeprefix("# ") for line in text.split("\n")
             if line.startswith("# queue,offered") or line.startswith("# sales,2")
             or line.startswith("# support,1")]
    assert report.stdout.splitlines() == shown == [
        "queue,offered,answered,abandoned,asa,aht", "sales,2,1,1,12.0,263.0",
        "support,1,1,0,40.0,380.0"]
