"""How the PDF's table is laid out on the page's width (:func:`omnikpi.export.write_pdf`).

A value is never broken across lines and a heading wraps between words only, so every
column of figures is at least as wide as its longest value and its heading's longest
word. A table that fits the page so is set in the largest type (7.5 pt down to 5 pt)
where it fits, as before. A dimension's value is text, not a number: a long queue name
may wrap (between words, or anywhere in one long token) rather than push the figures off
the page. A table too wide for the page even then is split into column groups, each
printed as a table of its own with the row's cut and period repeated at its left: as few
groups as the smallest type allows, of about even size, in the largest type that keeps
that many groups. A column is never narrower than its content needs: fpdf squeezed the
widths it was given into the page ("Abandone|d", "4,84|0", then "Not enough horizontal
space to render a single character").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SIZES = (7.5, 7.0, 6.5, 6.0, 5.5, 5.0)
"""Font sizes tried for the table, largest first."""
CELL_SLACK_MM = 3.4
"""A cell's horizontal padding (1.2 mm a side) and a little room."""
MIN_COLUMN_MM = 8.0
"""The narrowest column, its padding aside."""
TEXT_CAP_MM = 60.0
"""A dimension's column wider than this wraps its long names when the page is short."""
TEXT_WORD_MM = 30.0
"""A word of a dimension's value up to this wide is not broken while there is room."""


@dataclass(frozen=True)
class ColumnText:
    """What a column must show, measured at 1 pt (widths scale with the font's size)."""

    heading_word: float
    """The heading's widest word, bold (a heading wraps between words only)."""
    value: float
    """The widest value (a value is never broken)."""
    value_word: float
    """The widest word of a value (a text column breaks long names there first)."""
    text: bool
    """A dimension's name, which may wrap; a number or a date never does."""
    key: bool
    """Says which row it is (a dimension or the period): repeated in every group."""


@dataclass(frozen=True)
class Group:
    columns: list[int]
    """Indices of the table's columns, the key columns first."""
    widths: list[float]
    """Their widths in mm (the table is as wide as the page)."""


@dataclass(frozen=True)
class Layout:
    size: float
    """The table's font size in points."""
    groups: list[Group]
    """One group when the table fits the page, else its column groups in order."""


def measure_columns(measure: Callable[[str, bool], float], labels: Sequence[str],
                    body: Sequence[Sequence[str]], text: Sequence[bool],
                    key: Sequence[bool]) -> list[ColumnText]:
    """Each column's widths at 1 pt; ``measure(text, bold)`` is a string's width at 1 pt."""
    out = []
    for index, label in enumerate(labels):
        values = [row[index] for row in body]
        out.append(ColumnText(
            heading_word=max((measure(w, True) for w in label.split()), default=0.0),
            value=max((measure(v, False) for v in values), default=0.0),
            value_word=max((measure(w, False) for v in values for w in v.split()),
                           default=0.0),
            text=text[index], key=key[index]))
    return out


def _natural(column: ColumnText, size: float) -> float:
    return max(column.value * size, column.heading_word * size, MIN_COLUMN_MM) \
        + CELL_SLACK_MM


def _floor(column: ColumnText, size: float) -> float:
    """The narrowest a column may be: its natural width for a number or a date; for a
    name, its heading's widest word and (up to :data:`TEXT_WORD_MM`) its widest word."""
    if not column.text:
        return _natural(column, size)
    return min(_natural(column, size),
               max(column.heading_word * size, min(column.value_word * size, TEXT_WORD_MM),
                   MIN_COLUMN_MM) + CELL_SLACK_MM)


def _comfortable(column: ColumnText, size: float) -> float:
    """A name's column up to :data:`TEXT_CAP_MM` wide before the table is split."""
    return min(_natural(column, size), max(_floor(column, size), TEXT_CAP_MM))


def _need(columns: Sequence[ColumnText], size: float,
          width: Callable[[ColumnText, float], float]) -> float:
    return sum(width(c, size) for c in columns)


def widths(columns: Sequence[ColumnText], size: float, page: float) -> list[float]:
    """Natural widths when they fit ``page``; else the names' columns get what the
    figures leave, each between its floor and its natural width."""
    natural = [_natural(c, size) for c in columns]
    if sum(natural) <= page:
        return natural
    floors = [_floor(c, size) for c in columns]
    extra = sum(n - f for n, f in zip(natural, floors, strict=True))
    share = max(0.0, min(1.0, (page - sum(floors)) / extra)) if extra > 0 else 0.0
    return [f + (n - f) * share for n, f in zip(natural, floors, strict=True)]


def _pack(columns: Sequence[ColumnText], keys: list[int], others: list[int], size: float,
          page: float, cap: int) -> list[list[int]] | None:
    """``others`` in order, in groups of at most ``cap`` beside the keys, each group as
    many as fit (the names' columns at most :data:`TEXT_CAP_MM` wide, narrower only when
    a single column would not fit so); None when one column does not fit at all."""
    key_columns = [columns[i] for i in keys]
    groups: list[list[int]] = []
    current: list[int] = []
    for index in others:
        trial = [*key_columns, *(columns[i] for i in current), columns[index]]
        if len(current) < cap and (_need(trial, size, _comfortable) <= page or (
                not current and _need(trial, size, _floor) <= page)):
            current.append(index)
            continue
        if not current:
            return None
        groups.append(current)
        current = [index]
        if _need([*key_columns, columns[index]], size, _comfortable) > page \
                and _need([*key_columns, columns[index]], size, _floor) > page:
            return None
    if current:
        groups.append(current)
    return groups


def layout(columns: Sequence[ColumnText], page: float) -> Layout:
    """The table's size and its column groups on a page ``page`` mm wide."""
    everything = list(range(len(columns)))
    for width in (_natural, _comfortable, _floor):
        for size in SIZES:
            if _need(columns, size, width) <= page:
                return Layout(size, [Group(everything, widths(columns, size, page))])
    keys = [i for i, c in enumerate(columns) if c.key]
    others = [i for i, c in enumerate(columns) if not c.key]
    if not keys or not others:
        keys, others = [], everything
    packed = {size: _pack(columns, keys, others, size, page, len(others)) for size in SIZES}
    counts = {size: len(groups) for size, groups in packed.items() if groups is not None}
    if not counts:  # even one column beside the keys is too wide: at least no crash
        size = SIZES[-1]
        return Layout(size, [Group([*keys, i], _scaled([*keys, i], columns, size, page))
                             for i in others])
    fewest = min(counts.values())
    size = max(s for s, n in counts.items() if n == fewest)
    for count in range(fewest, len(others) + 1):  # of about even size
        groups = _pack(columns, keys, others, size, page, math.ceil(len(others) / count))
        if groups is not None and len(groups) <= count:
            break
    else:  # pragma: no cover - one column a group always packs
        groups = packed[size] or [[i] for i in others]
    return Layout(size, [Group([*keys, *group],
                               widths([columns[i] for i in [*keys, *group]], size, page))
                         for group in groups])


def _scaled(indices: list[int], columns: Sequence[ColumnText], size: float,
            page: float) -> list[float]:
    floors = [_floor(columns[i], size) for i in indices]
    return [w * page / sum(floors) for w in floors]
