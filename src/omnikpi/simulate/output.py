"""Turning a simulation result into the canonical tables, written as CSV or Parquet.

Values are formatted explicitly (timestamps to the millisecond, durations to 0.1 s) so the
same run always writes the same bytes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa

from omnikpi.config import AgentSettings
from omnikpi.errors import UsageError
from omnikpi.schema.arrow_types import ARROW_TYPES
from omnikpi.schema.tables import TABLES, ColumnType
from omnikpi.simulate.model import CONCURRENT_CHANNELS, HOUR
from omnikpi.simulate.runner import Result, _window
from omnikpi.simulate.timeline import agent_timeline

Table = list[dict[str, object]]


def _ts(start: datetime, seconds: float | None) -> str | None:
    if seconds is None:
        return None
    moment = start + timedelta(milliseconds=round(seconds * 1000))
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _fraction(seed: int, key: str) -> float:
    """A stable draw in [0, 1) per contact, apart from the run's random stream: adding a
    sale rate to a scenario leaves every other simulated number as it was."""
    digest = hashlib.blake2b(f"{seed}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def tables(result: Result) -> dict[str, Table]:
    s = result.scenario
    # the run's seed (--seed), not the file's: three seeds gave three runs with one set
    # of sale outcomes by contact id
    seed = s.seed if result.seed is None else result.seed
    # naive UTC: the scenario's start may carry any offset (no offset = UTC)
    start = s.start.astimezone(UTC).replace(tzinfo=None) if s.start.tzinfo else s.start
    queues = {q.name: q for q in s.queues}
    groups = {a.id: a.group for a in result.agents}
    contacts: Table = []
    for c in result.contacts:
        q = queues[c.queue]
        group = groups.get(c.agent or "")
        contacts.append({
            "contact_id": c.id, "parent_id": c.parent, "channel": c.channel,
            "direction": "inbound", "queue": c.queue,
            "site": (group.site if group and group.site else q.site),
            "tenant": q.tenant or (group.tenant if group else None),
            "customer_id": c.customer, "topic": c.topic, "arrived_at": _ts(start, c.arrived),
            "blocked": c.blocked, "accepted_at": _ts(start, c.accepted),
            "first_response_at": _ts(start, c.first_response),
            "abandoned_at": _ts(start, c.abandoned), "ended_at": _ts(start, c.ended),
            "agent_id": c.agent, "hold_seconds": c.hold or None, "acw_seconds": c.acw or None,
            "transferred": c.transferred, "resolved": c.resolved,
            # a contact marked resolved was closed as resolved when it ended
            "resolved_at": _ts(start, c.ended) if c.resolved else None,
            "outcome": "sale" if c.agent and c.ended is not None
            # per_queue: drawn by who the caller is (the id counts every queue's
            # contacts: a chat agent more changed the sales queue's sales 170 → 152)
            and _fraction(seed, c.key or c.id) < q.sale_rate else None,
        })
    states: Table = []
    shifts: Table = []
    activities: Table = []
    for agent in result.agents:
        g = agent.group
        for a, b, state, reason, channel in agent_timeline(
                result.shifts[agent.id], result.breaks[agent.id], agent.work):
            states.append({"agent_id": agent.id, "state": state, "reason": reason,
                           "start": _ts(start, a), "end": _ts(start, b), "channel": channel,
                           "site": g.site, "tenant": g.tenant})
        for a, b in result.shifts[agent.id]:
            shifts.append({"agent_id": agent.id, "start": _ts(start, a), "end": _ts(start, b),
                           "paid": True, "site": g.site, "tenant": g.tenant})
            cursor = a
            for bs, be, reason in sorted(result.breaks[agent.id]):
                if bs >= b or be <= a:
                    continue
                if bs > cursor:
                    activities.append(_activity(agent.id, "work", start, cursor, bs, True))
                activities.append(_activity(agent.id, reason, start, max(bs, a), min(be, b),
                                            reason == "break"))
                cursor = min(be, b)
            if cursor < b:
                activities.append(_activity(agent.id, "work", start, cursor, b, True))
    out: dict[str, Table] = {
        "contacts": contacts, "agent_states": states, "shifts": shifts,
        "shift_activities": activities,
        "messages": [{"contact_id": c, "ts": _ts(start, t), "sender": who, "agent_id": agent}
                     for c, t, who, agent in sorted(result.messages, key=lambda m: (m[0], m[1]))],
        "surveys": [{"contact_id": c, "customer_id": cust, "survey": kind, "score": score,
                     "scale_min": lo, "scale_max": hi, "answered_at": _ts(start, t)}
                    for c, cust, kind, score, lo, hi, t in result.surveys],
        "dial_attempts": [{"attempt_id": a, "campaign": camp, "lead_id": lead,
                           "dialed_at": _ts(start, t), "agent_id": agent, "result": res,
                           "right_party": rpc, "converted": sale, "talk_seconds": talk}
                          for a, camp, lead, t, agent, res, rpc, sale, talk in result.dials],
        "availability": _availability(result, start),
    }
    # a center nobody called still has its contacts table, empty: without it `report
    # --metrics offered` on the run failed ("no contacts.csv") where the answer is 0
    return {name: rows for name, rows in out.items() if rows or name == "contacts"}


def _activity(agent: str, activity: str, start: datetime, a: float, b: float,
              paid: bool) -> dict[str, object]:
    return {"agent_id": agent, "activity": activity, "start": _ts(start, a),
            "end": _ts(start, b), "paid": paid}


def _availability(result: Result, start: datetime) -> Table:
    s = result.scenario
    rows: Table = []
    horizon = s.hours() * HOUR
    midnight = s.start.replace(hour=0, minute=0, second=0, microsecond=0)
    day0 = -(s.start - midnight).total_seconds()
    for q in s.queues:
        open_start, open_end = _window(q.open)
        # from the day before the start: an opening past midnight (20:00-08:00) is open
        # in the run's first hours too (its planned time was missing: blocked time rate
        # undercounted)
        day = -1
        while day0 + day * 24 * HOUR < horizon:
            a = max(day0 + day * 24 * HOUR + open_start, 0.0)
            b = min(day0 + day * 24 * HOUR + open_end, horizon)
            if b > a:
                rows.append({"channel": q.channel, "queue": q.name, "start": _ts(start, a),
                             "end": _ts(start, b), "status": "planned"})
            day += 1
    for o in s.outages:
        rows.append({"channel": o.channel, "queue": o.queue,
                     "start": _ts(start, (o.start - s.start).total_seconds()),
                     "end": _ts(start, (o.end - s.start).total_seconds()),
                     "status": "unavailable"})
    return rows


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.1f}"
    return str(value)


def write(tables_: dict[str, Table], out: Path, fmt: str = "csv") -> dict[str, int]:
    """Write each table to ``out`` (one file per table); returns row counts.

    A folder holding table files this run would not replace is refused before anything
    is written: a Parquet run into a folder of an earlier CSV run left both, every row
    twice (17,862 rows quarantined as overlaps), and a run without an outbound campaign
    would have left an earlier run's dial attempts beside its own contacts."""
    written = {f"{name}.{fmt}" for name in tables_}
    stale = sorted(f.name for f in out.iterdir() if f.name not in written and any(
        f.name.startswith(f"{name}.") or f.name == name for name in TABLES)) \
        if out.is_dir() else []
    if stale:
        raise UsageError(f"{out} holds tables this run would not replace ({', '.join(stale)}): "
                         "write the simulation to an empty folder (or one of a run in the "
                         "same format with the same tables), or remove them")
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for name, rows in tables_.items():
        columns = list(TABLES[name].column_names)
        if fmt == "parquet":
            import pyarrow.parquet as pq

            pq.write_table(_arrow(name, _csv_text(rows, columns)), out / f"{name}.parquet")
        else:
            (out / f"{name}.csv").write_text(_csv_text(rows, columns), encoding="utf-8")
        counts[name] = len(rows)
    return counts


def _arrow(name: str, text: str) -> pa.Table:
    """The table's CSV text as the canonical Arrow types (``schema.arrow_types``): each
    column typed by the data model, not guessed from its values — guessed, every time was
    a zone-aware nanosecond, which Spark cannot read ("Illegal Parquet type"), and a
    column of no value had no type."""
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    spec = TABLES[name]
    read = {c.name: (pa.timestamp("us", tz="UTC") if c.type is ColumnType.TIMESTAMP
                     else ARROW_TYPES[c.type]) for c in spec.columns}
    table = pacsv.read_csv(io.BytesIO(text.encode()), convert_options=pacsv.ConvertOptions(
        column_types=read, strings_can_be_null=True))
    for c in spec.columns:  # the instant in UTC, without its zone
        if c.type is ColumnType.TIMESTAMP:
            position = table.schema.get_field_index(c.name)
            table = table.set_column(position, c.name, pc.cast(table[c.name],
                                                               ARROW_TYPES[c.type]))
    return table


def _csv_text(rows: Table, columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


CONFIG_FILE = "omnikpi.toml"
"""The configuration a simulated dataset is reported with (``--config OUT/omnikpi.toml``)."""


def capacity_config(result: Result) -> str | None:
    """``[agents.capacity]`` of the run's chat agents, when one differs from the
    configuration's default: the tables carry no capacity, and ``report`` on a run whose
    chat agents held 2 sessions read chat occupancy at 4 (36 % where the comparison,
    which knows the capacity, said 72 %). None when every chat agent holds the default."""
    default = AgentSettings().chat_capacity
    chat_queues = {q.name for q in result.scenario.queues
                   if q.channel in CONCURRENT_CHANNELS}
    chat_agents = [a for a in result.agents if chat_queues & set(a.group.skills)]
    if all(a.group.capacity == default for a in chat_agents):
        return None
    lines = ["# chat sessions each simulated agent held at once: report this dataset with",
             "# --config pointing here, so chat occupancy is measured against them",
             "[agents.capacity]"]
    lines += [f"{json.dumps(a.id)} = {a.group.capacity}" for a in chat_agents]
    return "\n".join(lines) + "\n"
