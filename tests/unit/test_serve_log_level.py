"""`omnikpi serve --log-level`: docs/web.md quotes the warm-up's INFO line of
``omnikpi.web`` ("dashboard warmed up in … s"), but the server ran uvicorn at "warning"
and nothing configured the ``omnikpi`` loggers, so no INFO line could ever be seen. The
option sets both; no server is started here."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from omnikpi.cli import serve as serve_module
from omnikpi.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def _restore_the_logger() -> Iterator[None]:
    """The ``omnikpi`` logger as it was: other tests of this process read it."""
    logger = logging.getLogger("omnikpi")
    level, handlers = logger.level, list(logger.handlers)
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers


def _served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *extra: str) -> dict[str, Any]:
    """`omnikpi serve` up to uvicorn.run, whose arguments are returned."""
    import uvicorn

    import omnikpi.web.app as web_app

    ran: dict[str, Any] = {}
    monkeypatch.setattr(web_app, "create_app", lambda *a, **k: object())
    monkeypatch.setattr(serve_module, "check_port_free", lambda host, port: None)
    monkeypatch.setattr(serve_module, "_quiet_garbage_collector", lambda: None)
    monkeypatch.setattr(sys, "setswitchinterval", lambda interval: None)

    def run(application: Any, **kwargs: Any) -> None:
        ran.update(kwargs)  # the warm-up's line, as web/warmup.py logs it
        logging.getLogger("omnikpi.web").info("dashboard warmed up in %.1f s", 2.5)

    monkeypatch.setattr(uvicorn, "run", run)
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--no-auth",
                                 "--engine", "spark", *extra])  # spark: no rollup watcher
    assert result.exit_code == 0, result.output
    ran["stdout"], ran["stderr"] = result.stdout, result.stderr
    return ran


def test_the_default_stays_warning(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran = _served(monkeypatch, tmp_path)
    assert ran["log_level"] == "warning" and ran["access_log"] is False
    assert logging.getLogger("omnikpi.web").getEffectiveLevel() == logging.WARNING
    assert "warmed up" not in ran["stderr"] + ran["stdout"]


def test_info_reaches_uvicorn_and_the_omnikpi_loggers(monkeypatch: pytest.MonkeyPatch,
                                                      tmp_path: Path) -> None:
    ran = _served(monkeypatch, tmp_path, "--log-level", "info")
    assert ran["log_level"] == "info" and ran["access_log"] is False
    web = logging.getLogger("omnikpi.web")
    assert web.isEnabledFor(logging.INFO) and not web.isEnabledFor(logging.DEBUG)
    # the line docs/web.md quotes, on stderr: stdout stays the program's
    assert "INFO      omnikpi.web: dashboard warmed up in 2.5 s\n" in ran["stderr"]
    assert "warmed up" not in ran["stdout"]


def test_debug_adds_the_access_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    ran = _served(monkeypatch, tmp_path, "--log-level", "DEBUG")
    assert ran["log_level"] == "debug" and ran["access_log"] is True


def test_the_warm_up_line_is_written_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """What docs/web.md quotes, as the handler writes it."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    serve_module.configure_logging("info")
    logging.getLogger("omnikpi.web").info("dashboard warmed up in %.1f s", 2.5)
    assert stream.getvalue() == "INFO      omnikpi.web: dashboard warmed up in 2.5 s\n"
    serve_module.configure_logging("info")  # twice: still one handler, one line
    logging.getLogger("omnikpi.web").debug("hidden at info")
    assert stream.getvalue().count("\n") == 1


def test_an_unknown_level_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["serve", "--data", str(tmp_path), "--log-level", "loud"])
    assert result.exit_code == 2
    assert "--log-level 'loud': choose one of debug, info, warning, error" in result.output
