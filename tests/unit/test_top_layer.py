"""Laying a layered schedule flat (``engine.intervals.top_layer``), against an oracle that
paints every minute: each minute covered by some activity belongs to exactly one output
piece, that of the covering activity ranked first (shortest, then later-starting, then by
name and paid flag); a minute no activity covers belongs to none."""

from __future__ import annotations

from typing import Any

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from omnikpi.engine.intervals import top_layer

CON = ibis.duckdb.connect()  # one connection for every example (one each cost seconds)

Row = tuple[str, str, int, int, bool]  # agent, activity, start, end, paid


def _rank(j: Any) -> list[Any]:
    return [j.end - j.start, ibis.desc(j.start), j.activity, j.paid]


def _activities(rows: list[Row]) -> Any:
    """``rows`` as a ``shift_activities`` table."""
    return ibis.memtable(
        {"agent_id": [r[0] for r in rows], "activity": [r[1] for r in rows],
         "start": [r[2] for r in rows], "end": [r[3] for r in rows],
         "paid": [r[4] for r in rows]},
        schema={"agent_id": "string", "activity": "string", "start": "int64",
                "end": "int64", "paid": "boolean"})


def _rows(expr: Any) -> list[Row]:
    return [(r.agent_id, r.activity, int(r.start), int(r.end), bool(r.paid))
            for r in CON.execute(expr).itertuples()]


def _flat(rows: list[Row]) -> list[Row]:
    return _rows(top_layer(_activities(rows), ["agent_id"], "start", "end", _rank))


def _painted(rows: list[Row]) -> dict[tuple[str, int], tuple[str, bool]]:
    """Each (agent, minute) → the activity laid there by the pieces; no minute twice."""
    minutes: dict[tuple[str, int], tuple[str, bool]] = {}
    for agent, activity, start, end, paid in rows:
        for minute in range(start, end):
            assert (agent, minute) not in minutes, f"two pieces hold {agent} at {minute}"
            minutes[(agent, minute)] = (activity, paid)
    return minutes


def _oracle(rows: list[Row]) -> dict[tuple[str, int], tuple[str, bool]]:
    minutes: dict[tuple[str, int], tuple[int, int, str, bool]] = {}
    for agent, activity, start, end, paid in rows:
        for minute in range(start, end):
            key = (end - start, -start, activity, paid)
            if (agent, minute) not in minutes or key < minutes[(agent, minute)]:
                minutes[(agent, minute)] = key
    return {k: (v[2], v[3]) for k, v in minutes.items()}


interval = st.tuples(st.sampled_from(["a1", "a2"]), st.sampled_from(["work", "break", "lunch"]),
                     st.integers(0, 40), st.integers(0, 15), st.booleans()
                     ).map(lambda r: (r[0], r[1], r[2], r[2] + r[3], r[4]))


@settings(max_examples=60, deadline=None)
@given(st.lists(interval, min_size=1, max_size=7))
def test_every_minute_is_the_top_layers(rows: list[Row]) -> None:
    assert _painted(_flat(rows)) == _oracle(rows)


def test_a_break_over_a_work_block() -> None:
    rows = [("a1", "work", 800, 1200, True), ("a1", "break", 1000, 1015, True),
            ("a1", "lunch", 1100, 1130, False), ("a2", "work", 800, 900, True),
            ("a2", "break", 900, 915, True)]  # consecutive: nothing to cut
    assert sorted(_flat(rows)) == [
        ("a1", "break", 1000, 1015, True), ("a1", "lunch", 1100, 1130, False),
        ("a1", "work", 800, 1000, True), ("a1", "work", 1015, 1100, True),
        ("a1", "work", 1130, 1200, True),
        ("a2", "break", 900, 915, True), ("a2", "work", 800, 900, True)]


# -- the schedule a report reads: activities laid flat over their shifts' work ----------


def _schedule(shifts: list[tuple[str, int, int, bool]], acts: list[Row]) -> list[Row]:
    from omnikpi.engine.schedule_sources import scheduled_activities

    shift_table = ibis.memtable(
        {"agent_id": [s[0] for s in shifts], "start": [s[1] for s in shifts],
         "end": [s[2] for s in shifts], "paid": [s[3] for s in shifts],
         "site": ["kyiv"] * len(shifts), "tenant": [None] * len(shifts)},
        schema={"agent_id": "string", "start": "int64", "end": "int64", "paid": "boolean",
                "site": "string", "tenant": "string"})
    roster = ibis.memtable(
        {"agent_id": [], "hired_on": [], "left_on": [], "site": [], "tenant": []},
        schema={"agent_id": "string", "hired_on": "int64", "left_on": "int64",
                "site": "string", "tenant": "string"})
    tables = {"shifts": shift_table, "shift_activities": _activities(acts),
              "roster": roster}
    return _rows(scheduled_activities(tables.__getitem__))


@st.composite
def _day(draw: st.DrawFn) -> tuple[list[tuple[str, int, int, bool]], list[Row]]:
    """One agent's shifts (apart) and activities that start inside a shift or lie wholly
    outside every shift (as exports have them)."""
    shifts: list[tuple[str, int, int, bool]] = []
    at = 0
    for _ in range(draw(st.integers(0, 2))):
        start = at + draw(st.integers(0, 10))
        end = start + draw(st.integers(1, 30))
        shifts.append(("a1", start, end, draw(st.booleans())))
        at = end + 5  # a gap before the next shift: activities outside fit there
    acts: list[Row] = []
    for _ in range(draw(st.integers(0, 6))):
        name = draw(st.sampled_from(["work", "break", "lunch", "training"]))
        paid = draw(st.booleans())
        if shifts and draw(st.booleans()):
            _, s, e, _ = draw(st.sampled_from(shifts))
            start = draw(st.integers(s, e - 1))  # may run past the shift, not into the next
            acts.append(("a1", name, start, draw(st.integers(start, e + 4)), paid))
        else:  # after every shift: outside all of them
            start = at + draw(st.integers(0, 20))
            acts.append(("a1", name, start, start + draw(st.integers(0, 10)), paid))
    return shifts, acts


@settings(max_examples=25, deadline=None)
@given(_day())
def test_a_paid_shifts_time_no_activity_claims_is_work(
        day: tuple[list[tuple[str, int, int, bool]], list[Row]]) -> None:
    shifts, acts = day
    expected = _oracle(acts)
    for agent, start, end, paid in shifts:
        for minute in range(start, end):
            if paid and (agent, minute) not in expected:
                expected[(agent, minute)] = ("work", True)
    assert _painted(_schedule(shifts, acts)) == expected
