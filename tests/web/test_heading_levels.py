"""Each page's headings go down one level at a time (h1, then h2, …): a screen reader's
list of headings is the page's outline, and a skipped level reads as a missing section
(axe's ``heading-order``). The staffing, what-if, schedule and agent pages went from
their h1 straight to h3. Checked in each page template's own order; the partials a page
includes start at h2, under the page's h1."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "omnikpi" / "web" / "templates"
PAGES = sorted(p for p in TEMPLATES.glob("*.html") if not p.name.startswith("_"))
PARTIALS = sorted(p for p in TEMPLATES.glob("_*.html"))


def _levels(path: Path) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", path.read_text("utf-8"))]


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_a_page_skips_no_heading_level(page: Path) -> None:
    previous = 0
    for level in _levels(page):
        assert level <= previous + 1, f"{page.name}: h{level} after h{previous}"
        previous = level


@pytest.mark.parametrize("partial", PARTIALS, ids=[p.name for p in PARTIALS])
def test_a_partial_starts_under_the_pages_title(partial: Path) -> None:
    levels = _levels(partial)
    assert not levels or (levels[0] == 2 and 1 not in levels), partial.name
