"""A count's noun in the form its number takes ("1 оценка", "3 оценки", "5 оценок"):
it was one fixed genitive plural ("1 оценок", "2 строк") and "1 evaluation(s)"."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from omnikpi.web.plurals import NOUNS, counted, noun_for


@pytest.mark.parametrize(("number", "lang", "said"), [
    (1, "en", "1 evaluation"), (2, "en", "2 evaluations"), (0, "en", "0 evaluations"),
    (1, "ru", "1 оценка"), (3, "ru", "3 оценки"), (5, "ru", "5 оценок"),
    (11, "ru", "11 оценок"), (21, "ru", "21 оценка"), (22, "ru", "22 оценки"),
    (112, "ru", "112 оценок"), (1, "uk", "1 оцінка"), (4, "uk", "4 оцінки"),
    (14, "uk", "14 оцінок"), (1300, "ru", "1\u00a0300 оценок"),
])
def test_evaluations_by_hand(number: int, lang: str, said: str) -> None:
    assert counted(number, "evaluation(s)", lang) == said


@given(st.integers(min_value=0, max_value=10**7), st.sampled_from(sorted(NOUNS)))
def test_the_slavic_rule(number: int, noun: str) -> None:
    """The textbook rule: 1, 21, 101 (not 11) → one; 2–4, 22–24 (not 12–14) → few;
    the rest → many."""
    last, two = number % 10, number % 100
    form = 0 if last == 1 and two != 11 else 1 if 2 <= last <= 4 and not 12 <= two <= 14 \
        else 2
    for lang in ("ru", "uk"):
        assert noun_for(number, noun, lang) == NOUNS[noun][lang][form]
    assert noun_for(number, noun, "en") == NOUNS[noun]["en"][0 if number == 1 else 1]


def test_every_drill_noun_has_its_forms() -> None:
    from omnikpi.web.service import DRILL_NOUNS

    assert set(DRILL_NOUNS.values()) | {"row(s)"} <= set(NOUNS)
    assert all(len(forms["en"]) == 2 and len(forms["ru"]) == len(forms["uk"]) == 3
               for forms in NOUNS.values())
