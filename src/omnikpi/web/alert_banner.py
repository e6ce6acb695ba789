"""The wallboard's alert banner: what a floor reads on a TV above the numbers.

One line per firing was right for a queue's service level and wrong for an agent rule: at
the start of a lunch hour "not ready over 10 min" fires for twenty agents at once, and
twenty red lines pushed every number off a TV that nobody scrolls. A rule with more than
``SHOWN`` firings is one line: the worst firings first (the value furthest past the rule's
threshold: the agent longest on a break, the queue with the lowest service level), then
"and N more". The snapshot's ``alerts`` list keeps every firing for scripts and the
alerts page.
"""

from __future__ import annotations

from typing import Any

from omnikpi.web.i18n import LANGUAGES, translator

SHOWN = 3
"""Firings of one rule written out before the rest are counted."""


def _worst_first(alert: dict[str, Any]) -> tuple[float, str]:
    """The firings of one rule share its threshold, so the distance from it orders them
    whichever side is bad; a firing without a value goes last, ties by when they began."""
    facts = alert.get("facts") or {}
    value, threshold = facts.get("value"), facts.get("threshold")
    if value is None or threshold is None:
        return (float("inf"), alert["since"])
    return (-abs(float(value) - float(threshold)), alert["since"])


def banner_lines(firing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The banner's lines for ``firing`` (each alert as the snapshot carries it:
    ``rule_id``, ``rule``, ``since``, ``facts`` and its sentence per language in ``text``),
    in the order the rules first appear: ``{"rule", "count", "text": {lang: sentence}}``."""
    by_rule: dict[int, list[dict[str, Any]]] = {}
    for alert in firing:
        by_rule.setdefault(alert["rule_id"], []).append(alert)
    lines: list[dict[str, Any]] = []
    for alerts in by_rule.values():
        alerts = sorted(alerts, key=_worst_first)
        if len(alerts) <= SHOWN:
            lines.extend({"rule": a["rule"], "count": 1, "text": a["text"]} for a in alerts)
            continue
        rest = len(alerts) - SHOWN
        lines.append({"rule": alerts[0]["rule"], "count": len(alerts), "text": {
            lang: " · ".join([*(a["text"][lang] for a in alerts[:SHOWN]),
                              translator(lang)("and {n} more").format(n=rest)])
            for lang in LANGUAGES}})
    return lines
