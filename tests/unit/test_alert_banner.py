"""The wallboard banner: a rule firing on many subjects is one line that names its
longest-held firings and counts the rest, in every language; a few firings stay one line
each."""

from __future__ import annotations

from typing import Any

from omnikpi.web.alert_banner import SHOWN, banner_lines


def _firing(rule_id: int, rule: str, agent: str, since_minute: int,
            value: float | None = 900.0, threshold: float = 600.0) -> dict[str, Any]:
    return {"rule_id": rule_id, "rule": rule,
            "since": f"2026-12-04T12:{since_minute:02d}:00+00:00",
            "facts": {"value": value, "threshold": threshold},
            "text": {"en": f"not ready {agent}", "ru": f"не готов {agent}",
                     "uk": f"не готовий {agent}"}}


def test_a_rule_firing_on_many_agents_is_one_line() -> None:
    # all fired at 12:30 as lunch began; op7 has been not ready longest (660 + 7·60 s)
    lunch = [_firing(7, "Not ready", f"op{i}", 30, value=660.0 + 60 * i)
             for i in range(1, 8)]
    queue = [_firing(2, "SL", "sales", 5, value=0.62, threshold=0.8)]
    lines = banner_lines([queue[0], *lunch])
    assert [line["rule"] for line in lines] == ["SL", "Not ready"]
    assert lines[0] == {"rule": "SL", "count": 1, "text": queue[0]["text"]}
    assert lines[1]["count"] == 7
    assert lines[1]["text"] == {
        "en": "not ready op7 · not ready op6 · not ready op5 · and 4 more",
        "ru": "не готов op7 · не готов op6 · не готов op5 · и ещё 4",
        "uk": "не готовий op7 · не готовий op6 · не готовий op5 · і ще 4"}


def test_below_kinds_and_ties_put_the_worst_first() -> None:
    """Service level below 80 %: 40 % is worse than 70 %; equal values by when they began,
    and a firing without a value last."""
    queues = [_firing(3, "SL", "q70", 1, value=0.7, threshold=0.8),
              _firing(3, "SL", "none", 0, value=None, threshold=0.8),
              _firing(3, "SL", "q50-late", 9, value=0.5, threshold=0.8),
              _firing(3, "SL", "q40", 5, value=0.4, threshold=0.8),
              _firing(3, "SL", "q50-early", 2, value=0.5, threshold=0.8)]
    assert banner_lines(queues)[0]["text"]["en"] == (
        "not ready q40 · not ready q50-early · not ready q50-late · and 2 more")


def test_up_to_shown_firings_keep_a_line_each() -> None:
    few = [_firing(7, "Not ready", f"op{i}", i, value=700.0 + i) for i in range(SHOWN)]
    assert [line["text"]["en"] for line in banner_lines(few)] == [
        "not ready op2", "not ready op1", "not ready op0"]
    assert banner_lines([]) == []
