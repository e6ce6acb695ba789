"""The words of every row problem validation reports, as templates with named fields.

A problem's text is built in SQL on each engine (a row's bad value is only known there)
and read by people in three languages. Both sides use these templates: the rules fill
their fields with SQL expressions (:func:`omnikpi.schema.rules.render_checks`), the web
page reads the fields back out of the English text and shows the page's language
(:mod:`omnikpi.web.problem_texts`). A message built from words written elsewhere would
stay English on a Russian page; one written here cannot.
"""

from __future__ import annotations

NUL_BYTE = "NUL byte in a value"
UNREADABLE_KIND = "cannot read {kind} as {type}{expected}"
UNREADABLE = "cannot read '{value}' as {type}{expected}"
MISSING = "missing value (the column is required{why})"
UNKNOWN = "unknown value '{value}' (expected one of: {choices})"
OUT_OF_YEARS = "instant outside the years {first}–{last}"
NEGATIVE = "negative value {value}"
BELOW_MINIMUM = "value {value} below the minimum {minimum}"
ABOVE_MAXIMUM = "value {value} above the maximum {maximum}"
INFINITE = "infinite value"
NUMBER_BELOW = "{column} {value} is below {other} {other_value}"
BEFORE = "{column} is before {other}"
NOT_ABOVE = "{column} {value} is not above {other} {other_value}{scale}"
DUPLICATE = "duplicate {key} '{value}' (first seen at {first_file} row {first_row})"
OVERLAP = ("overlaps an earlier {table} row of {group} '{value}' that ends at {end} "
           "(it would be counted twice)")
MISSING_COLUMN = "required column is missing"
MISSING_COLUMN_NEAR = ("required column is missing (the file has {near}: column names are "
                       "exact, lower case)")
EMPTY_FILE = "the file is empty: not even a header line (it needs the columns {columns})"

TEMPLATES = (NUL_BYTE, UNREADABLE_KIND, UNREADABLE, MISSING, UNKNOWN, OUT_OF_YEARS,
             NEGATIVE, BELOW_MINIMUM, ABOVE_MAXIMUM, INFINITE, NUMBER_BELOW, BEFORE,
             NOT_ABOVE, DUPLICATE, OVERLAP, MISSING_COLUMN, MISSING_COLUMN_NEAR, EMPTY_FILE)
"""Every template, the most specific first where two could read the same text."""

ONE_POINT_SCALE = " (a scale of one point places no answer on it)"
"""NOT_ABOVE's ``scale`` when the two values are equal (a survey scale 5 to 5)."""

A_NUMBER = "a number"
TRUE_FALSE = "true/false"
A_TYPED_VALUE = "a {source} value"
"""UNREADABLE_KIND's ``kind``: what a source value that is no text is."""
