"""Agent states from what agents did: one row at a time per agent, never overlapping.

Each moment of a shift gets one state by priority: handling (any open session: parallel
chat sessions are one ``handling`` interval, never several), then ACW, then a scheduled
break (an agent finishes the contact before the break), else ``available``. A contact
still open at the end of the shift is finished: its handling and ACW go past the shift's
end (cut there, a chat accepted at 17:55 ran to 18:05 with its agent shown logged out,
and the chat metrics had session time without active time). A sweep over the interval
ends keeps this linear in the number of intervals.
"""

from __future__ import annotations

from collections import Counter

Row = tuple[float, float, str, str | None, str | None]


def agent_timeline(
    shifts: list[tuple[float, float]],
    breaks: list[tuple[float, float, str]],
    work: list[tuple[float, float, str, str]],
) -> list[Row]:
    """Rows (start, end, state, reason, channel) covering every shift."""
    events: list[tuple[float, int, str, str]] = []
    for s, e, state, channel in work:
        if e > s:
            events += [(s, 1, state, channel), (e, -1, state, channel)]
    for s, e, reason in breaks:
        if e > s:
            events += [(s, 1, "break", reason), (e, -1, "break", reason)]
    for s, e in shifts:
        events += [(s, 1, "shift", ""), (e, -1, "shift", "")]
    events.sort(key=lambda ev: (ev[0], ev[1]))
    open_: dict[str, Counter[str]] = {k: Counter() for k in ("handling", "acw", "break",
                                                               "shift")}
    rows: list[Row] = []
    i = 0
    while i < len(events):
        moment = events[i][0]
        while i < len(events) and events[i][0] == moment:
            _, delta, kind, info = events[i]
            open_[kind][info] += delta
            if open_[kind][info] == 0:
                del open_[kind][info]
            i += 1
        if i == len(events):
            break
        nxt = events[i][0]
        if not (open_["shift"] or open_["handling"] or open_["acw"]):
            continue
        label: tuple[str, str | None, str | None]
        if open_["handling"]:
            label = ("handling", None, min(open_["handling"]))
        elif open_["acw"]:
            label = ("acw", None, min(open_["acw"]))
        elif open_["break"]:
            label = ("not_ready", min(open_["break"]), None)
        else:
            label = ("available", None, None)
        if rows and rows[-1][1] == moment and rows[-1][2:] == label:
            rows[-1] = (rows[-1][0], nxt, *label)
        else:
            rows.append((moment, nxt, *label))
    return rows
