"""Saved report definitions: one file that the UI's report builder and the CLI both run.

```toml
name = "Daily SL by queue"
metrics = ["offered", "service_level", "asa"]
by = ["queue"]
grain = "day"
tz = "Europe/Kyiv"
params = { "service_level.threshold_seconds" = 30 }
[filters]
channel = ["voice"]
```
"""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from omnikpi.errors import UsageError, describe_validation_error, read_text
from omnikpi.request import ReportRequest


class ReportDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str | None = None
    metrics: list[str]
    by: list[str] = Field(default_factory=list)
    grain: str = "total"
    tz: str = "UTC"
    from_: str | None = Field(default=None, alias="from")
    to: str | None = None
    as_of: str | None = None
    params: dict[str, str | float | int | bool] = Field(default_factory=dict)
    filters: dict[str, list[str]] = Field(default_factory=dict)

    @field_validator("params", mode="before")
    @classmethod
    def _dotted(cls, value: Any) -> Any:
        """``[params]`` written as TOML reads it: ``service_level.threshold_seconds = 30``
        under ``[params]`` (or ``[params.service_level]``) is a table of tables, which was
        refused with four lines of pydantic's types — the same as the quoted
        ``"service_level.threshold_seconds" = 30``, as the Python API takes it."""
        if not isinstance(value, dict):
            return value
        flat: dict[str, Any] = {}
        for key, given in value.items():
            if isinstance(given, dict):
                flat.update({f"{key}.{name}": inner for name, inner in given.items()})
            else:
                flat[key] = given
        return flat

    def to_request(self) -> ReportRequest:
        """The report this definition asks for."""
        return ReportRequest.of(self.metrics, self.by, self.grain, self.tz, self.from_,
                                self.to, self.as_of, self.params, self.filters)

    @classmethod
    def from_request(cls, name: str, request: ReportRequest) -> ReportDefinition:
        """A definition that saves ``request`` under ``name`` (the engine is not saved:
        it is the runner's choice)."""
        return cls(name=name, metrics=list(request.metrics), by=list(request.by),
                   grain=request.grain, tz=request.tz,
                   **{"from": None if request.from_ is None else str(request.from_)},
                   to=None if request.to is None else str(request.to),
                   as_of=None if request.as_of is None else str(request.as_of),
                   params=dict(request.params),
                   filters={d: list(v) for d, v in request.filters.items()})

    def to_toml(self) -> str:
        """The definition as TOML that ``tomllib`` reads back equal, whatever the strings
        hold (control characters are escaped)."""
        lines = []
        for key, value in self.model_dump(by_alias=True, exclude={"params", "filters"}).items():
            if value not in (None, [], ""):
                lines.append(f"{key} = {_toml_value(value)}")
        if self.params:
            lines.append("[params]")
            lines += [f"{_toml_value(k)} = {_toml_value(v)}" for k, v in self.params.items()]
        if self.filters:
            lines.append("[filters]")
            lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in self.filters.items()]
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    """A TOML literal of a string, number, boolean or list of them.

    JSON's escapes are TOML's, except that TOML also forbids a raw DEL (U+007F).
    """
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(key: str) -> str:
    """A bare key when TOML allows one (``channel``), else a quoted one."""
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)


NAME_MAX = 100


def check_name(name: str | None) -> str:
    """A saved report's name: printable, at most ``NAME_MAX`` characters, with letters or
    digits (its slug is the key it is stored and downloaded under)."""
    if not name or not name.strip():
        raise UsageError("a saved report needs a name")
    if len(name) > NAME_MAX:
        raise UsageError(f"a report name has at most {NAME_MAX} characters")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in name):
        raise UsageError("a report name cannot hold control characters")
    slug(name)
    return name.strip()


def load_definition(path: Path) -> ReportDefinition:
    text = read_text(path, "report definition")
    try:
        data: dict[str, Any] = json.loads(text) if str(path).endswith(".json") else \
            tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"report definition {path} cannot be read: {exc}") from exc
    try:
        return ReportDefinition.model_validate(data)
    except ValidationError as exc:
        raise UsageError(describe_validation_error(f"report definition {path}", exc)) from exc


def slug(name: str) -> str:
    """The key a report (or a schedule) is stored, linked and downloaded under: its
    letters and digits, lower case, in any script ("Время обработки" is
    ``время-обработки``; only Latin ones were kept, so a Russian name could not be
    saved). Names that differ only in case or punctuation share a key: saving one over
    the other asks first (:func:`omnikpi.store.reports.save_report`)."""
    value = re.sub(r"[\W_]+", "-", unicodedata.normalize("NFC", name).lower()).strip("-")
    if not value:
        raise UsageError("a saved report needs a name with letters or digits")
    return value


def legacy_slug(name: str) -> str:
    """The key of the versions that kept Latin letters alone (to find what they saved)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def save_definition(definition: ReportDefinition, folder: Path) -> Path:
    check_name(definition.name)
    assert definition.name is not None
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(definition.name)}.toml"
    path.write_text(definition.to_toml(), encoding="utf-8")
    return path


def list_definitions(folder: Path) -> list[tuple[str, ReportDefinition]]:
    if not folder.exists():
        return []
    return [(p.stem, load_definition(p)) for p in sorted(folder.glob("*.toml"))]
