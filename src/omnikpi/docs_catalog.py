"""The catalog as JSON, Markdown (docs/metrics.md) and a Rich table, from the declarations."""

from __future__ import annotations

import textwrap
from typing import Any

from rich.table import Table
from rich.text import Text

from omnikpi.engine.registry import metric_dimensions, metric_reads, metric_tables, source
from omnikpi.metrics.base import Metric, all_metrics

AREAS = ("volume", "accessibility", "productivity", "quality", "experience", "cost",
         "workforce", "outbound")


def _ordered() -> list[Metric]:
    return sorted(all_metrics(), key=lambda m: (AREAS.index(m.area) if m.area in AREAS
                                                 else 99, m.id))


def booking_of(metric: Metric) -> str:
    """What puts the metric's rows into a period: its own rule for contact rows, else its
    source's (a survey's answered_at, a dial's dialed_at; clock for time split across
    periods). Every source but contacts was shown as clock: CSAT booked at the answer
    read as if spread over time."""
    booked = source(metric.source).booking
    return metric.booking if booked is None else booked


def catalog_json() -> list[dict[str, Any]]:
    return [
        {
            "id": m.id, "name": m.name, "unit": m.unit, "area": m.area, "mode": m.mode,
            "tables": list(metric_tables(m)),
            "optional_tables": [t for t in metric_reads(m) if t not in metric_tables(m)],
            "booking": booking_of(m),
            "dimensions": list(metric_dimensions(m)),
            "parameters": [
                {"name": p.name, "type": p.kind, "default": p.default, "unit": p.unit,
                 "choices": list(p.choices), "description": p.description}
                for p in m.params if p.settable
            ],
            "formula": m.formula, "notes": m.notes,
        }
        for m in _ordered()
    ]


def _tables(m: dict[str, Any]) -> str:
    optional = f" ({', '.join(m['optional_tables'])})" if m["optional_tables"] else ""
    return ", ".join(m["tables"]) + optional


def _param_markdown(p: dict[str, Any]) -> str:
    """``name = default (unit) ∈ choices``; a parameter with no default of its own (the
    configuration or the data decides) says what happens unset — its description — not
    "None"."""
    unit = f" ({p['unit']})" if p["unit"] else ""
    choices = f" ∈ {', '.join(p['choices'])}" if p["choices"] else ""
    if p["default"] is None:
        return f"`{p['name']}`{unit}: unset by default — {p['description']}{choices}"
    return f"`{p['name']}` = {p['default']!r}{unit}{choices}"


GLOSSARY = (
    ("continuous / discrete", "the contact's mode: voice and chat are answered while the "
     "customer waits (continuous), e-mail and social in a queue of items (discrete); "
     "configurable per channel and queue"),
    ("as-of", "the instant a report is cut at: what is recorded after it has not happened "
     "yet (default: the latest event in the tables the report reads, over the whole "
     "dataset — a tenant's login reads the center's clock)"),
    ("T", "the service-level threshold (`threshold_seconds`)"),
    ("VTST", "discrete contacts answered within T"),
    ("VLate", "discrete contacts answered later than T"),
    ("VLNA", "discrete contacts still unanswered at the as-of and older than T (late, not "
     "answered)"),
    ("WorkloadRT", "an agent's real-time work: handling + hold + after-call work on "
     "continuous channels (a chat agent with 3 sessions for an hour has 1 h, not 3 h)"),
    ("WorkloadD", "handling + after-work on discrete channels"),
    ("ActiveTimeRT", "WorkloadRT + time available for continuous work"),
    ("ShiftPaidTime", "paid shift time minus unpaid activities inside it"),
)
"""The catalog's abbreviations, explained once at the top of the generated metrics page (a
newcomer met VTST and WorkloadRT in the formulas with no word on them)."""


def catalog_markdown() -> str:
    lines = [
        "# Metrics",
        "",
        "Generated from the KPI declarations (`omnikpi catalog --format markdown`); do not "
        "edit by hand. Ratios are fractions 0–1, durations seconds, an empty denominator "
        "gives null. Mode *continuous*/*discrete* restricts a metric to contacts of that "
        "mode. Booking: what puts a row into a period — a contact's arrival, end or "
        "resolution, another record's timestamp (a survey's answered_at, a dial's "
        "dialed_at), or clock: time split across periods (agent time, costs). Tables: "
        "those a metric needs "
        "(a clear error names a missing one), then in brackets those it reads when present "
        "(absent = empty).",
        "",
        "Terms the formulas use (the catalog's, `docs/spec/kpi-catalog.md`):",
        "",
        *[f"- **{term}**: {meaning}" for term, meaning in GLOSSARY],
        "",
    ]
    for area in AREAS:
        metrics = [m for m in catalog_json() if m["area"] == area]
        if not metrics:
            continue
        lines += [f"## {area.capitalize()}", "",
                  "| id | name | unit | mode | tables | booking | parameters | formula |",
                  "|---|---|---|---|---|---|---|---|"]
        for m in metrics:
            params = "; ".join(_param_markdown(p) for p in m["parameters"]) or "–"
            formula = m["formula"] + (f" — {m['notes']}" if m["notes"] else "")
            lines.append(
                f"| `{m['id']}` | {m['name']} | {m['unit']} | {m['mode']} | "
                f"{_tables(m)} | {m['booking']} | {params} | {formula} |"
            )
        lines.append("")
    return "\n".join(lines)


WIDE_CATALOG = 140
"""Below this many columns the catalog's six columns squeeze every formula into a strip a
word wide: it is shown as one entry per metric instead (:func:`catalog_entries`)."""


def _wrapped(text: str, width: int, first: str = "    ") -> str:
    """``text`` cut into lines of ``width`` (words whole, hyphenated ones too), indented
    by four spaces after the first line's ``first``."""
    return "\n".join(line.rstrip() for line in textwrap.wrap(
        text, width=width, initial_indent=first, subsequent_indent="    ",
        break_on_hyphens=False)) + "\n"


def catalog_entries(width: int) -> Text:
    """The catalog for a narrow terminal: per area, each metric's id and name, its unit,
    mode and tables on one line, its formula and parameters below, wrapped at ``width``
    (print it with ``soft_wrap=True``: the lines are already cut)."""
    out = Text()
    catalog = catalog_json()
    for area in AREAS:
        metrics = [m for m in catalog if m["area"] == area]
        if not metrics:
            continue
        out.append(area.capitalize() + "\n", style="bold underline")
        for m in metrics:
            out.append("\n" + m["id"], style="bold")
            head = f"{m['id']} — {m['name']} ({m['unit']}, {m['mode']}; {_tables(m)})"
            out.append(_wrapped(head, width, first="")[len(m["id"]):])
            formula = m["formula"] + (f" — {m['notes']}" if m["notes"] else "")
            out.append(_wrapped(formula, width))
            params = ", ".join(f"{p['name']}={p['default']}" for p in m["parameters"])
            if params:
                out.append(_wrapped(f"parameters: {params}", width), style="dim")
        out.append("\n")
    return out


def catalog_table() -> Table:
    table = Table(title="OmniKPI metric catalog", show_lines=True, header_style="bold")
    # the contract's columns: id, name, unit, mode, tables, parameters, formula
    for column in ("id", "name", "unit", "mode", "tables", "parameters", "formula"):
        table.add_column(column, overflow="fold")
    for m in catalog_json():
        params = ", ".join(f"{p['name']}={p['default']}" for p in m["parameters"]) or "–"
        table.add_row(m["id"], m["name"], m["unit"], m["mode"], ", ".join(m["tables"]),
                      params, m["formula"])
    return table


def tables_markdown() -> str:
    """The canonical input tables (data-model contract v1) from the column specs."""
    from omnikpi.schema.files import FILE_SUFFIXES
    from omnikpi.schema.tables import TABLES

    lines = [
        "# Canonical tables",
        "",
        "Generated from the column specs (`omnikpi tables --format markdown`). A dataset is a "
        "folder with one file per table — "
        + ", ".join(f"`NAME{suffix}`" for suffix in FILE_SUFFIXES)
        + " (`.tsv` is tab-separated; the JSON ones hold one object per line) "
        "— or a folder `NAME/` of such files (names matched without case). No table is "
        "required of every dataset: a report needs the tables its metrics read (`omnikpi "
        "catalog` lists them; the contact metrics read `contacts`, the workforce ones the "
        "schedules and agent states); a file no table reads (a misspelt name, a spreadsheet) is "
        "listed by `omnikpi validate` as ignored, with why. "
        "Timestamps are ISO-8601 (no offset = UTC), durations seconds, booleans "
        "true/false/1/0/yes/no, an empty cell is null; unknown columns are kept. A CSV "
        "field may be quoted with `\"` (a quote inside doubled: `\"\"`), and then hold the "
        "separator or a line break. In a CSV "
        "file whose fields are separated by `;` or a tab, a number may have a decimal comma "
        "(`12,5`, as Excel writes it where the comma is the decimal sign). Text files are "
        "UTF-8 (with or without a byte-order mark); a UTF-16 file (Excel's \"Unicode "
        "text\") is refused with the way out.",
        "",
    ]
    for table in TABLES.values():
        lines += [f"## {table.name}", "", "| column | type | required | notes |",
                  "|---|---|---|---|"]
        for col in table.columns:
            notes = []
            if col.default is not None:
                notes.append(f"default {col.default}")
            if col.choices:
                notes.append("one of " + ", ".join(col.choices))
            if col.lowercase:
                notes.append("read in lower case (`Voice` is `voice`)")
            if col.min_value is not None:
                notes.append(f"≥ {col.min_value:g}")
            if col.max_value is not None:
                notes.append(f"≤ {col.max_value:g}")
            required = "yes" if col.not_null else ("column" if col.required else "")
            lines.append(f"| `{col.name}` | {col.type.value} | {required} | "
                         f"{'; '.join(notes)} |")
        rules = []
        if table.key:
            rules.append(f"`{table.key}` is unique (later duplicates are quarantined)")
        rules += [f"`{a}` ≤ `{b}`" for a, b in table.ordered]
        rules += [f"`{a}` < `{b}`" for a, b in table.wider]
        if table.no_overlap:
            group, start, end = table.no_overlap
            rules.append(f"rows of one `{group}` must not overlap in time (`{start}`–`{end}`)")
        if rules:
            lines += ["", "Rules: " + "; ".join(rules) + "."]
        lines.append("")
    return "\n".join(lines)
