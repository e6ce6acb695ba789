"""What makes a rollup stale besides the data: the code its sums come from, and saying
what a build did."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.engine.rollups import code_digest, code_digest_of


def _package(root: Path) -> None:
    for name, text in {"config.py": "CHAT_SL = 60\n", "instants.py": "DAY = 86400\n",
                       "metrics/speed.py": "X = 1\n", "engine/run.py": "Y = 1\n",
                       "schema/model.py": "Z = 1\n", "web/page.py": "P = 1\n",
                       "cli/main.py": "C = 1\n"}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_a_default_threshold_changed_in_config_makes_the_rollup_stale(tmp_path: Path) -> None:
    """The audit: the chat SL default changed from 60 to 30 s in config.py, and the
    rollup still said "up to date" (0.960 beside the direct 0.955)."""
    _package(tmp_path)
    before = code_digest_of(tmp_path)
    (tmp_path / "config.py").write_text("CHAT_SL = 30\n")
    assert code_digest_of(tmp_path) != before
    changed = code_digest_of(tmp_path)
    (tmp_path / "instants.py").write_text("DAY = 86_400\n")
    assert code_digest_of(tmp_path) != changed
    for part in ("metrics/speed.py", "engine/run.py", "schema/model.py"):
        now = code_digest_of(tmp_path)
        (tmp_path / part).write_text("changed = True\n")
        assert code_digest_of(tmp_path) != now, part


def test_pages_and_commands_leave_the_rollup_as_it_is(tmp_path: Path) -> None:
    _package(tmp_path)
    before = code_digest_of(tmp_path)
    (tmp_path / "web/page.py").write_text("P = 2\n")
    (tmp_path / "cli/main.py").write_text("C = 2\n")
    assert code_digest_of(tmp_path) == before


def test_the_real_packages_default_thresholds_are_in_its_digest(tmp_path: Path) -> None:
    """On a copy of the installed package's code: a changed default in config.py, or in
    the code that writes the sums, gives another digest; a changed page does not."""
    import shutil

    import omnikpi.engine.rollups as rollups

    root = Path(rollups.__file__).resolve().parents[1]
    copy = tmp_path / "omnikpi"
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns("*.pyc", "__pycache__",
                                                              "data", "locale", "static"))
    assert code_digest_of(copy) == code_digest()
    before = code_digest_of(copy)
    (copy / "web" / "app.py").write_text("# another page\n")
    assert code_digest_of(copy) == before
    for changed in ("config.py", "rollup/refresh.py"):
        text = (copy / changed).read_text()
        (copy / changed).write_text(text + "\n# changed\n")
        assert code_digest_of(copy) != before, changed
        (copy / changed).write_text(text)


def test_a_rollup_of_no_contact_says_it_was_built(tmp_path: Path) -> None:
    """contacts.csv with its header only: the first run builds the rollup's files and
    said "rollup up to date"; the second is up to date."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,ended_at\n")
    runner = CliRunner()
    first = runner.invoke(app, ["rollup", "--data", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert "rollup built 0 UTC day(s)" in first.output, first.output
    assert (tmp_path / "_rollups").is_dir()
    second = runner.invoke(app, ["rollup", "--data", str(tmp_path)])
    assert "rollup up to date" in second.output, second.output
