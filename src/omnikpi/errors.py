"""One exception hierarchy for the whole product.

The CLI maps each family to an exit code of the command-line contract, and the web
service maps them to HTTP 4xx answers, so a message must tell the user what to do.
"""

from __future__ import annotations

from pathlib import Path


class OmniKPIError(Exception):
    """Base of every error OmniKPI raises on purpose."""

    exit_code = 1


class UsageError(OmniKPIError):
    """The request itself is wrong: unknown metric id, bad parameter, bad option value."""

    exit_code = 2


class NotFoundError(UsageError):
    """The request names something that is not there (a saved report, a schedule, a QA
    form or evaluation): a usage error on the command line, 404 on the web."""


class DataError(OmniKPIError):
    """The data cannot serve the request: missing table or column, unparsable file."""

    exit_code = 3


def describe_validation_error(where: str, exc: Exception) -> str:
    """One line naming every invalid key of a pydantic model (config, scenario files)."""
    errors: list[dict[str, object]] = getattr(exc, "errors", lambda: [])()
    problems = "; ".join(
        f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"  # type: ignore[attr-defined]
        for err in errors)
    return f"{where}: {problems or exc}"


def read_text(path: Path | str, what: str) -> str:
    """The text of a file someone named (a QA form, a scenario, a saved definition, a
    forecast), or a usage error saying what is wrong with it: missing, a folder,
    unreadable, not UTF-8 text. A UTF-8 byte-order mark is dropped: Excel's "CSV UTF-8"
    and Notepad write one, and kept it made the first column's name unknown and a TOML
    file's first line invalid. Decoded from bytes so that a bad byte's position counts
    from the file's start, mark included."""
    try:
        return Path(path).read_bytes().decode("utf-8").removeprefix("\ufeff")
    except FileNotFoundError:
        raise UsageError(f"{what} not found: {path}") from None
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} {path} is not UTF-8 text (byte {exc.start:,})") from None
    except OSError as exc:
        raise UsageError(f"cannot read the {what} {path}: {exc.strerror or exc}") from None


class QuarantineWarning(UserWarning):
    """Rows the validation quarantined were left out of a report (Python API): the
    command line says the same on stderr."""


class ReportNote(UserWarning):
    """Why a report came out empty or without some figure (Python API): a filter value no
    row holds, a period outside the data, a metric whose figures cannot exist yet. The
    command line prints the same sentences on stderr as ``note:``."""
