"""Numbers typed into a page's form, read by the page itself.

The planning pages (staffing, what-if) read their fields here rather than through
FastAPI, so that a typo shows the page again with a sentence in the page's language
instead of a JSON error: out of range, not a number, empty, a fraction where a whole number
is needed, a choice not in the list. A decimal comma (180,5) and spaces between thousands
(1 000) are read; "1,000" — a thousand in English, one in Russian — is asked back, never
guessed; per-cent fields take per cents (80, not 0.8).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

GROUPED = re.compile(r"\d{1,3}(,\d{3})+")
"""“1,000”: a thousand in English, one in Russian — asked back, never guessed (a decimal
comma elsewhere, “180,5”, is read)."""
Translate = Callable[[str], str]


@dataclass(frozen=True)
class Field:
    """One input of the form: its label (an English message id), default and range."""

    name: str
    label: str
    default: float | str | None
    low: float = 0.0
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    integer: bool = False
    optional: bool = False
    percent: bool = False
    """Typed in per cent, used as a share (80 → 0.8)."""
    no_share: bool = False
    """A per-cent field whose 0–1 (0.8, 0,85) is a share typed where per cents are asked,
    never a real value (a service level target of 0.8 % planned 11 agents for 39 %): it
    is asked again."""
    choices: tuple[str, ...] = ()


def number_text(value: float) -> str:
    """A number as the form asks it typed (and a command line takes it): digits and a
    point, never an exponent ("at most 1e+06" for 1,000,000) nor a thousands separator
    (the form reads "1,000" as ambiguous)."""
    return str(np.format_float_positional(float(value), trim="-"))


def read_field(field: Field, typed: str | None, _: Translate) -> tuple[Any, str | None]:
    """The field's value (a share for a per-cent field) and the problem with it, if any."""
    label = _(field.label)
    text = (typed if typed is not None else "").strip()
    if typed is None:
        text = "" if field.default is None else str(field.default)
    if field.choices:
        if text not in field.choices:
            return field.default, _("{field}: choose one of the list.").format(field=label)
        return text, None
    if not text:
        if field.optional:
            return None, None
        return None, _("{field}: enter a number.").format(field=label)
    compact = text.replace("\u00a0", "").replace(" ", "")
    if GROUPED.fullmatch(compact):
        return None, _("{field}: “{value}” could be thousands or a decimal: write thousands "
                       "without a separator (1000) and decimals with a point (1.5)."
                       ).format(field=label, value=text)
    try:
        value = float(compact.replace(",", "."))
    except ValueError:
        return None, _("{field}: “{value}” is not a number.").format(field=label, value=text)
    if not math.isfinite(value):
        return None, _("{field}: “{value}” is not a number.").format(field=label, value=text)
    problem = None
    if field.integer and value != int(value):
        problem = _("{field} must be a whole number.")
    elif value < field.low or (field.low_open and value == field.low):
        problem = (_("{field} must be more than {low}.") if field.low_open
                   else _("{field} must be at least {low}."))
    elif value > field.high or (field.high_open and value == field.high):
        problem = (_("{field} must be less than {high}.") if field.high_open
                   else _("{field} must be at most {high}."))
    if field.percent and field.no_share and 0 < value <= 1:
        problem = _("{field}: {value} % looks like a share: type per cents ({hundred} for "
                    "{hundred} %).").replace("{value}", text).replace(
                        "{hundred}", number_text(round(value * 100, 6)))
    if problem:
        return None, problem.format(field=label, low=number_text(field.low),
                                    high=number_text(field.high))
    if field.integer:
        return int(value), None
    return (value / 100 if field.percent else value), None


@dataclass
class ReadFields:
    """Fields as typed (or their defaults, as the form shows them), as read, and the
    problem of each field that has one."""

    texts: dict[str, str]
    values: dict[str, Any]
    problems: dict[str, str]


def read_fields(fields: tuple[Field, ...], typed: Mapping[str, str], _: Translate
                ) -> ReadFields:
    """Every field read from ``typed`` (a field not typed takes its default)."""
    read = ReadFields({}, {}, {})
    for field in fields:
        given = typed.get(field.name)
        value, problem = read_field(field, given, _)
        default = field.default
        read.texts[field.name] = given if given is not None else (
            "" if default is None else default if isinstance(default, str)
            else number_text(default))
        read.values[field.name] = value
        if problem:
            read.problems[field.name] = problem
    return read
