"""A validation problem in the page's language.

Problems are written in English where they are found (in SQL on the engine, or by the
loader) from the templates of :mod:`omnikpi.schema.problem_messages`; the command line
prints them so. A Russian or Ukrainian data-quality page showed them in English among
translated headings. Here a message is read back against those templates: its fields
(the value, the column, the file) are taken out of the English text and put into the
translated template; fields that are words of ours (what a column expects, why a value
is required) are translated too. A message of no template (a file DuckDB could not
open, a reader's note) stays English, and the page marks it so (``lang="en"``).
"""

from __future__ import annotations

import re

from omnikpi.schema import problem_messages as said
from omnikpi.schema.rules import EXPECTED
from omnikpi.schema.tables import TABLES, ColumnType
from omnikpi.web.template_reading import TemplateReader, Translate


def _when_missing() -> tuple[str, ...]:
    return tuple(sorted({column.when_missing for table in TABLES.values()
                         for column in table.columns if column.when_missing}))


WORDS: dict[str, tuple[str, ...]] = {
    "expected": tuple(EXPECTED.values()),
    "why": _when_missing(),
    "scale": (said.ONE_POINT_SCALE,),
}
"""Fields whose value is one of our own phrases (or empty): translated with the rest."""

NAME = r"[a-z_][a-z0-9_]*"
"""A table's or a column's name in the data model."""
WORD = r"\S+"
"""A number as an engine writes it (``-5.0``, ``1.0E10``, ``inf``): no space."""

FIELD_PATTERNS: dict[str, str] = {
    # the data's own text may hold the template's words: read to the last place where
    # the rest still reads (the fields after it are ours and constrained)
    "value": ".*",
    **dict.fromkeys(("key", "column", "other", "table", "group"), NAME),
    **dict.fromkeys(("other_value", "minimum", "maximum"), WORD),
    **dict.fromkeys(("first", "last", "first_row"), r"\d+"),
    "end": r"\d{4}-\d\d-\d\dT[0-9:.]+(?:[+-]\d\d:\d\d|Z)?",
    "choices": rf"{NAME}(?:, {NAME})*",
    "columns": rf"{NAME}(?:, {NAME})*",
    "near": r"'.*'|\".*\"",
    "type": "|".join(re.escape(t.value) for t in ColumnType),
    "kind": "|".join([re.escape(said.A_NUMBER), re.escape(said.TRUE_FALSE),
                      re.escape(said.A_TYPED_VALUE).replace(r"\{source\}", ".+?")]),
    **{name: "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + "|"
       for name, phrases in WORDS.items()},
}
"""Fields that take only known values; any other field is any text (the data's)."""


def msgids() -> set[str]:
    """Every text of ours a translated problem is made of (for the catalogs' check)."""
    phrases = {p for values in WORDS.values() for p in values}
    return {*said.TEMPLATES, *phrases, said.A_NUMBER, said.TRUE_FALSE, said.A_TYPED_VALUE}


READER = TemplateReader(FIELD_PATTERNS)


def _kind(kind: str, _: Translate) -> str:
    """What a source value is (``a number``, ``a bigint[] value``), translated."""
    typed = READER.pattern(said.A_TYPED_VALUE).fullmatch(kind)
    return _(said.A_TYPED_VALUE).format(**typed.groupdict()) if typed else _(kind)


def read_back(message: str) -> tuple[str, dict[str, str]] | None:
    """The template a message was made from and its fields' values; None when it was
    made from none."""
    return READER.read_back(message, said.TEMPLATES)


def translated_problem(message: str, _: Translate) -> str | None:
    """The message in the language of ``_``; None when it was built from no template
    (it is shown as it is, in English)."""
    found = read_back(message)
    if found is None:
        return None
    template, fields = found
    for name, value in fields.items():
        if name in WORDS and value:
            fields[name] = _(value)
        elif name == "kind":
            fields[name] = _kind(value, _)
    return _(template).format(**fields)
