"""A mapping's SQL cannot read or write the machine: once the source is read, a mapping
that reaches for a file, a database or a setting is a clear usage error (before, a mapping
could ``COPY … TO`` any file, ``ATTACH`` databases and ``read_text('/etc/…')``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from omnikpi.cli.main import app

SECRET = "top secret, not for mappings"


def _mapping(tmp_path: Path, contact_id: str, when: str = "false") -> Path:
    path = tmp_path / "mapping.toml"
    path.write_text(f'''table = "contacts"
[source]
format = "csv"
[[filters]]
when = "{when}"
reason = "test"
[columns]
contact_id = "{contact_id}"
channel = "'voice'"
queue = "'q'"
arrived_at = "CAST(arrived AS TIMESTAMP)"
''')
    return path


@pytest.mark.parametrize(("contact_id", "when"), [
    ("id || (SELECT content FROM read_text('SECRET_FILE'))", "false"),
    ("id", "(SELECT count(*) > 0 FROM read_csv('SECRET_FILE'))"),
    ("id", "false); COPY (SELECT 1) TO 'OUT_FILE' (FORMAT csv); SELECT (false"),
    ("id", "false); ATTACH 'OUT_FILE.db' AS other; SELECT (false"),
    ("id", "false); SET enable_external_access = true; SELECT (false"),
])
def test_a_mapping_cannot_reach_outside(tmp_path: Path, contact_id: str, when: str) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    written = tmp_path / "written.csv"
    source = tmp_path / "calls.csv"
    source.write_text("id,arrived\nc1,2024-03-04 10:00:00\n")
    mapping = _mapping(tmp_path, contact_id.replace("SECRET_FILE", str(secret)),
                       when.replace("SECRET_FILE", str(secret)).replace("OUT_FILE",
                                                                        str(written)))
    result = CliRunner().invoke(app, ["import", "csv", str(source), "--mapping",
                                      str(mapping), "--out", str(tmp_path / "out")])
    assert result.exit_code in (2, 3), result.output
    assert "Traceback" not in result.output and SECRET not in result.output
    assert not written.exists() and not (tmp_path / "written.csv.db").exists()
    out = tmp_path / "out"
    assert not out.exists() or SECRET not in "".join(
        f.read_text(errors="ignore") for f in out.rglob("*") if f.is_file())


def test_a_plain_mapping_still_imports(tmp_path: Path) -> None:
    source = tmp_path / "calls.csv"
    source.write_text("id,arrived\nc1,2024-03-04 10:00:00\nc2,2024-03-04 10:01:00\n")
    result = CliRunner().invoke(app, ["import", "csv", str(source), "--mapping",
                                      str(_mapping(tmp_path, "id")), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2" in result.output
