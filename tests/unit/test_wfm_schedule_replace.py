"""`wfm schedule --out DATA_DIR` replaced the folder's shifts.csv and shift_activities.csv
without a word (the demo's 63 real shifts gone): a folder that holds a schedule is refused
before the solver runs, naming the files and ``--replace``, which overwrites them."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from omnikpi.cli.main import app

runner = CliRunner()


def _schedule(tmp_path: Path, out: Path, *extra: str) -> tuple[int, str]:
    plan = tmp_path / "plan.csv"
    plan.write_text("interval_start,agents_required\n" + "".join(
        f"2024-03-04T{h:02d}:00:00Z,1\n" for h in range(9, 11)), encoding="utf-8")
    result = runner.invoke(app, ["wfm", "schedule", "--plan", str(plan), "--agents", "1",
                                 "--out", str(out), "--shift-hours", "2", "--start-between",
                                 "09:00-09:00", "--lunch-minutes", "0", "--format", "json",
                                 "--time-limit", "20", *extra])
    return result.exit_code, result.output


def test_an_existing_schedule_is_kept_unless_replace(tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "shifts.csv").write_text("the real schedule\n", encoding="utf-8")
    (out / "shift_activities.csv").write_text("its activities\n", encoding="utf-8")
    code, output = _schedule(tmp_path, out)
    assert code == 2, output
    assert "already holds shifts.csv and shift_activities.csv" in output
    assert "--replace" in output
    assert (out / "shifts.csv").read_text(encoding="utf-8") == "the real schedule\n"
    assert (out / "shift_activities.csv").read_text(encoding="utf-8") == "its activities\n"
    assert not (out / "schedule_plan.csv").exists()

    code, output = _schedule(tmp_path, out, "--replace")
    assert code == 0, output
    assert (out / "shifts.csv").read_text(encoding="utf-8").startswith("agent_id,start")


def test_one_of_the_two_files_is_enough_to_refuse(tmp_path: Path) -> None:
    out = tmp_path / "data"
    out.mkdir()
    (out / "shift_activities.csv").write_text("x\n", encoding="utf-8")
    code, output = _schedule(tmp_path, out)
    assert code == 2 and "already holds shift_activities.csv" in output


def test_a_new_or_empty_folder_needs_no_flag(tmp_path: Path) -> None:
    code, output = _schedule(tmp_path, tmp_path / "new")
    assert code == 0, output
    assert (tmp_path / "new" / "shifts.csv").exists()
    code, output = _schedule(tmp_path, tmp_path / "new")  # a second run: now it holds one
    assert code == 2 and "--replace" in output
