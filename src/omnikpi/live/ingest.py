"""Validating live rows with the canonical loader and persisting them idempotently.

A live row is validated by exactly the rules of ``omnikpi validate`` (the batch is written
to a scratch folder and loaded by :func:`omnikpi.schema.dataset.load_dataset`), so a row the
wallboard accepts is a row the reports will accept. Rows are *final* once nothing more can
happen to them (a contact answered-and-ended, abandoned or blocked; an agent state with an
end): final rows are appended once to ``<data>/<table>/ingest-YYYY-MM-DD.jsonl``, where
reports read them; a repeat of a final row's id is a duplicate and ignored. Open rows (a
contact still waiting or talking, an agent's current state) may be posted again as they
progress; they live in ``<data>/.live/open.jsonl`` until they are final. Ids are compared as
the loader reads them (:mod:`omnikpi.live.as_loaded`): ``"contact_id": 12345`` is the
contact ``"12345"``.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from omnikpi.errors import UsageError
from omnikpi.instants import LAST_YEAR, LATEST_US, to_us
from omnikpi.live.as_loaded import key_parts, non_finite_value, with_text_values
from omnikpi.schema.convert import quote
from omnikpi.schema.dataset import load_dataset
from omnikpi.schema.tables import TABLES, ColumnType

LIVE_TABLES: dict[str, tuple[str, ...]] = {
    "contacts": ("contact_id",),
    "agent_states": ("agent_id", "start"),
    "availability": ("channel", "queue", "start", "status"),
}
"""Tables that can be posted live, and the columns that identify a row."""
OPEN_END = f"{LAST_YEAR}-12-31T00:00:00Z"
"""Stand-in end of an agent state still in progress while it is validated (the last day
an instant may fall on)."""
MAX_BATCH = 5000
"""Rows one request may post (a larger one is refused as a whole; docs/realtime.md)."""
COMPACT_LINES = 1000
"""``open.jsonl`` is appended to until it holds this many lines (or four times the open
rows, if more), then rewritten with the open rows only."""
LOG = logging.getLogger("omnikpi.live")
ANOTHER_TENANTS_ID = ("the contact_id of another tenant's contact: a contact id is never "
                      "reused across tenants")
ANOTHER_TENANTS_AGENT = ("the agent_id is in a state of another tenant's at that time: an "
                         "agent is in one state at a time")
"""Said instead of the clashing state's times, which are the other tenant's."""


@dataclass(frozen=True)
class Outcome:
    status: str
    """accepted, duplicate (a final row posted again) or rejected."""
    column: str | None = None
    message: str | None = None


@dataclass
class BatchResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    canonical: pa.Table | None = None
    """The accepted rows in canonical types (timestamps as epoch µs), open ones included."""
    seq: int = 0

    @classmethod
    def of(cls, outcomes: list[Outcome], seq: int) -> BatchResult:
        return cls(
            accepted=sum(o.status == "accepted" for o in outcomes),
            duplicates=sum(o.status == "duplicate" for o in outcomes),
            rejected=[{"row": i, "column": o.column, "message": o.message}
                      for i, o in enumerate(outcomes) if o.status == "rejected"],
            seq=seq)

    def to_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "duplicates": self.duplicates,
                "rejected": self.rejected, "seq": self.seq}


def row_key(table: str, row: dict[str, Any]) -> str:
    """A row's identity as the loader reads its id columns: two rows the loader would call
    one (``12345`` and ``"12345"``) are one row to ingest too."""
    return json.dumps(key_parts(table, LIVE_TABLES[table], row), default=str)


def closed_key(table: str, key: str) -> str:
    """The identity of a ``closed`` entry of ``open.jsonl``, which may have been written
    when ids were compared as posted (a start ``…Z``, now its UTC instant)."""
    return row_key(table, dict(zip(LIVE_TABLES[table], json.loads(key), strict=True)))


def identified(table: str, row: Any) -> bool:
    """A row holding every column that identifies it (else it is only itself)."""
    return isinstance(row, dict) and all(
        part not in (None, "") for part in key_parts(table, LIVE_TABLES[table], row))


def refused_numbers(rows: list[Any]) -> dict[int, Outcome]:
    """The rows holding NaN or an infinite number, refused before they are read: JSON has
    no such values, and written as posted they made the ingest file invalid."""
    refused: dict[int, Outcome] = {}
    for index, row in enumerate(rows):
        found = non_finite_value(row) if isinstance(row, dict) else None
        if found is not None:
            refused[index] = Outcome("rejected", *found)
    return refused


EMPTY_ROW = "an empty row: it has no column"


def refused_empty(rows: list[Any]) -> dict[int, Outcome]:
    """The rows without a column (``{}``), refused before they are read: alone in a
    batch, the reader could not read the batch at all and said so in its own words
    ("Binder Error: json_read expected records")."""
    return {index: Outcome("rejected", None, EMPTY_ROW)
            for index, row in enumerate(rows) if row == {}}


def superseded(kept: Outcome | None) -> Outcome:
    """What a version left aside for the version kept in the same batch counts as: a
    duplicate (the batch is one update, as a later repeat of an older version is a
    duplicate), unless the kept version was refused, whose reason it shares."""
    if kept is None:
        return Outcome("rejected", None, "not loaded")
    return kept if kept.status == "rejected" else Outcome("duplicate")


def has_instant(row: dict[str, Any], column: str) -> bool:
    """Whether the row gives ``column`` an instant the loader may read: text that is not
    blank. A JSON number (``1796468404``) or blank text is no instant to the loader, so
    a row ended only by one is not final (it was written as final and read as open)."""
    value = row.get(column)
    return isinstance(value, str) and value.strip() != ""


def is_final(table: str, row: dict[str, Any]) -> bool:
    if table == "contacts":
        blocked = str(row.get("blocked", "")).lower() in ("true", "1", "yes")
        return blocked or has_instant(row, "abandoned_at") or has_instant(row, "ended_at")
    return has_instant(row, "end")


FIRST_INSTANT = {"contacts": "arrived_at", "agent_states": "start", "availability": "start"}
FUTURE_SECONDS = 300
"""How far ahead of the server's clock a live event may be (clocks differ a little): a
sender two days ahead moved the wallboard's and the reports' as-of."""


def instant_columns(table: str) -> tuple[str, ...]:
    """The table's timestamp columns, its first instant first: every one of them is
    checked against the server's clock (an ``ended_at`` two days ahead made a 48-hour
    handle time and moved the reports' as-of)."""
    others = [c.name for c in TABLES[table].columns
              if c.type is ColumnType.TIMESTAMP and c.name != FIRST_INSTANT[table]]
    return (FIRST_INSTANT[table], *others)


def future_columns(table: str, canonical: pa.Table | None) -> list[str | None]:
    """For each canonical row, its first instant more than ``FUTURE_SECONDS`` ahead of the
    server's clock (None if none is)."""
    if canonical is None:
        return []
    latest = int((time.time() + FUTURE_SECONDS) * 1_000_000)
    names = [c for c in instant_columns(table) if c in canonical.column_names]
    values = [canonical.column(c).to_pylist() for c in names]
    return [next((c for c, column in zip(names, values, strict=True)
                  if column[i] is not None and column[i] > latest), None)
            for i in range(canonical.num_rows)]


def in_the_future(column: str) -> Outcome:
    return Outcome("rejected", column,
                   f"{column} is in the future (more than {FUTURE_SECONDS // 60} minutes "
                   "after the server's clock): a live event cannot have happened yet; "
                   "check the sender's clock")

LIFE = {"contacts": ("accepted_at", "first_response_at", "abandoned_at", "ended_at"),
        "agent_states": ("end",)}
"""The instants a row gains as it lives (a contact: answered, then ended)."""


def progress(table: str, row: Any) -> tuple[bool, int]:
    """How much of its life a version of a row knows: final first, then the number of its
    life's instants. A version knowing less than one already held is an old one."""
    if not isinstance(row, dict):
        return (False, -1)
    return (is_final(table, row),
            sum(has_instant(row, c) for c in LIFE.get(table, ())))


def own_refusals(table: str, rows: list[dict[str, Any]]) -> dict[int, Outcome]:
    """Why each of ``rows`` is refused by the rules of the row alone (types, order of its
    instants, an instant in the future), whatever any other row or tenant holds: a row
    another tenant's id makes refused says this first, so the answer to an invalid row
    does not tell whether another tenant has that id (a side-effect-free probe that
    counted a client's contacts)."""
    refused = {**refused_numbers(rows), **refused_empty(rows)}
    readable = [i for i in range(len(rows)) if i not in refused]
    texts = [_alone(table, with_text_values(table, rows[i]), i) for i in readable]
    canonical, rejected = validate_rows(table, texts)
    for problem in rejected:
        if problem["row"] is None:
            return {**refused, **{i: Outcome("rejected", problem["column"],
                                             problem["message"]) for i in readable}}
        refused.setdefault(readable[problem["row"]],
                           Outcome("rejected", problem["column"], problem["message"]))
    if canonical is not None:
        positions = canonical.column("__index").to_pylist()
        for position, late in enumerate(future_columns(table, canonical)):
            if late is not None:
                refused.setdefault(readable[positions[position]], in_the_future(late))
    return refused


def _alone(table: str, row: dict[str, Any], index: int) -> dict[str, Any]:
    """``row`` with an identity no other row of the batch has, for :func:`own_refusals`:
    two versions of one contact, or two states of one agent, are not a rule of the row."""
    column = "contact_id" if table == "contacts" else "agent_id" \
        if table == "agent_states" else None
    if column is None or not isinstance(row.get(column), str) or not row[column].strip():
        return row
    return {**row, column: f"row {index}"}


def check_table(table: str) -> None:
    if table not in LIVE_TABLES:
        raise UsageError(f"table {table!r} cannot be posted live; live tables: "
                         f"{', '.join(LIVE_TABLES)} (import other tables as files)")


def validate_rows(table: str, rows: list[dict[str, Any]]) -> tuple[pa.Table | None,
                                                                    list[dict[str, Any]]]:
    """Canonical rows (with ``__index``, the position in ``rows``) and the rejected ones,
    each with the loader's messages."""
    check_table(table)
    if not rows:
        return None, []
    prepared = []
    still_open: list[bool] = []
    for row in rows:
        if not isinstance(row, dict):
            raise UsageError("rows must be JSON objects")
        copy = dict(row)
        still_open.append(table in ("agent_states", "availability") and not copy.get("end"))
        if still_open[-1]:
            copy["end"] = OPEN_END  # still going on: validated with a stand-in end
        prepared.append(copy)
    if table == "agent_states":
        end_at_next_start(prepared, still_open)
    with tempfile.TemporaryDirectory(prefix="omnikpi-ingest-") as tmp:
        path = Path(tmp) / f"{table}.jsonl"
        path.write_text("".join(json.dumps(r, default=str) + "\n" for r in prepared))
        dataset = load_dataset(tmp, rows_only=True)
        load = dataset.loads.get(table)
        if load is None or load.fatal:
            message = load.fatal[0].message if load and load.fatal else "unreadable rows"
            column = load.fatal[0].column if load and load.fatal else None
            return None, [{"row": None, "column": column, "message": message}]
        rejected = [{"row": p.row - 1 if p.row else None, "column": p.column,
                     "message": p.message}
                    for p in dataset.problems if p.table == table]
        columns = ", ".join(quote(c) for c in load.columns)
        canonical = dataset.con.execute(
            f"SELECT {columns}, __row - 1 AS __index FROM __stage_{table}_0 s "
            f"WHERE NOT __bad AND NOT EXISTS (SELECT 1 FROM __quarantine_{table} q "
            "WHERE q.__row = s.__row) ORDER BY __row").to_arrow_table()
        dataset.close()
    if table in ("agent_states", "availability"):
        ends = canonical.column("end").to_pylist()
        indexes = canonical.column("__index").to_pylist()
        canonical = canonical.set_column(
            canonical.schema.get_field_index("end"), "end",
            pa.array([None if still_open[i] else e for i, e in zip(indexes, ends,
                                                                    strict=True)],
                     pa.int64()))
    return canonical, rejected


def end_at_next_start(prepared: list[dict[str, Any]], still_open: list[bool]) -> None:
    """An open state's stand-in end is its agent's next state's start in the batch, if
    any: a batch of state changes without ends (available, then handling) was checked
    with both going on to the stand-in's last day, and the loader refused the second as
    overlapping the first."""
    starts: dict[str, list[datetime]] = {}
    for row in prepared:
        moment = posted_instant(row.get("start"))
        if moment is not None:
            starts.setdefault(agent_of(row), []).append(moment)
    for row, going_on in zip(prepared, still_open, strict=True):
        start = posted_instant(row.get("start"))
        if not going_on or start is None:
            continue
        later = [m for m in starts.get(agent_of(row), ()) if m > start]
        if later:
            row["end"] = min(later).isoformat()


def latest_open_states(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each agent's open state with the latest start (the one the running board shows:
    an agent is in one state at a time). Checked together, an agent's two open states
    overlap, and the loader dropped the newer one: after a restart the board showed the
    state the agent had left. An agent with a start that cannot be read keeps every row
    (the loader names the problem)."""
    by_agent: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_agent.setdefault(agent_of(row), []).append(row)
    kept: list[dict[str, Any]] = []
    for own in by_agent.values():
        read = [(moment, i) for i, row in enumerate(own)
                if (moment := posted_instant(row.get("start"))) is not None]
        if len(own) == 1 or len(read) < len(own):
            kept.extend(own)
            continue
        kept.append(own[max(read)[1]])  # the latest start; the last posted of equals
    return kept


def agent_of(row: dict[str, Any]) -> str:
    """The agent a state belongs to, as the loader groups states to find overlaps: by
    ``agent_id`` alone (a person is in one state at a time, whichever client the state
    is for)."""
    return str(key_parts("agent_states", ("agent_id",), row)[0] or "")


def tenant_of(row: dict[str, Any]) -> str:
    return str(row.get("tenant") or "").strip()


def state_clash(row: dict[str, Any], start_us: int, end_us: int | None, tenant: str,
                where: str) -> Outcome:
    """Why a state overlapping a stored one (``where``: "posted before", "imported") is
    refused, in the loader's words; without the stored state's times when it is another
    tenant's and the row names a tenant (a tenant-bound key's rows always do). A stored
    state without an end (``end_us`` None) is said to be still going on."""
    if tenant_of(row) and tenant != tenant_of(row):
        return Outcome("rejected", "agent_id", ANOTHER_TENANTS_AGENT)

    def clock(us: int) -> str:
        return datetime.fromtimestamp(us / 1_000_000, UTC).isoformat()
    span = f"{clock(start_us)} to {clock(end_us)}" if end_us is not None \
        else f"from {clock(start_us)}, still going on"
    return Outcome("rejected", "start", (
        f"overlaps an earlier agent_states row of agent_id {agent_of(row)!r} "
        f"({span}, {where}): an agent is in one state at a time"))


OPEN_STATE_HOURS = 48
"""An open state that started longer ago than this clashes with nothing: its end never
came (the board stops showing it after the day's grace, too)."""
OpenStates = dict[str, dict[str, tuple[int, str]]]
"""Each agent's open states: key → (start in µs, tenant)."""


def open_clash(row: dict[str, Any], key: str, start_us: int, end_us: int | None,
               opens: OpenStates) -> Outcome | None:
    """Why a state clashes with an open state of its agent posted before, if it does. The
    agent's next state ends an open one (a stream of state changes without ends), so of
    the same tenant only an ended state spanning the open one's start clashes (the open
    state at T-300 leaves "available from T-600 to T-240" no room: it was accepted, and
    the open state's own end was then refused, the agent shown in it for ever). Another
    tenant's open state is the agent's until it ends: a state of the agent that does not
    end before it started is refused, as another tenant's ended states are (another
    tenant's key changed a bank agent's state on the board and fired a bank alert)."""
    for other_key, (open_start, tenant) in opens.get(agent_of(row), {}).items():
        if other_key == key:
            continue
        if tenant != tenant_of(row):
            if end_us is None or end_us > open_start:
                return Outcome("rejected", "agent_id", ANOTHER_TENANTS_AGENT)
        elif end_us is not None and start_us < open_start < end_us:
            return state_clash(row, open_start, None, tenant, "posted before")
    return None


def posted_instant(text: Any) -> datetime | None:
    """An ISO time as an aware instant (UTC without an offset, as the loader reads it)."""
    try:
        moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class LiveStore:
    """The data folder's live side: final rows appended once, open rows kept until final."""

    def __init__(self, data: Path) -> None:
        self.data = Path(data)
        self.lock = threading.Lock()
        self.final: dict[str, set[str]] = {t: set() for t in LIVE_TABLES}
        self.open: dict[str, dict[str, dict[str, Any]]] = {t: {} for t in LIVE_TABLES}
        self.contact_tenants: dict[str, str | None] = {}
        """Each live contact's tenant (final and open): a row of another tenant may not take
        its id (``web/tenant_claims.py`` does the same against the loaded dataset)."""
        self.state_spans: dict[str, list[tuple[int, int, str]]] = {}
        """Each agent's final states (start, end in microseconds, tenant): a state posted
        later that overlaps one was accepted, then dropped from the reports by the loader."""
        self.seq = int(time.time() * 1000)
        """The newest batch's number: it starts at the start's millisecond, so that it
        only grows across restarts too (it started at 0, and a client tracking it saw it
        go back); batches are at least 0.1 s apart, so a restart's start is beyond it."""
        self.open_lines = 0
        """Lines in ``open.jsonl``: a log of open rows, compacted when it outgrows them."""
        self._load()

    @property
    def open_path(self) -> Path:
        return self.data / ".live" / "open.jsonl"

    def _load(self) -> None:
        for table in LIVE_TABLES:
            folder = self.data / table
            for path in sorted(folder.glob("ingest-*.jsonl")) if folder.is_dir() else []:
                for line in path.read_text().splitlines():
                    if line.strip():
                        row = json.loads(line)
                        self.final[table].add(row_key(table, row))
                        self._own(table, row)
                        if table == "agent_states":
                            self._remember_span(row)
        if self.open_path.exists():
            lines = self.open_path.read_text().splitlines()
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    rows = self.open[item["table"]]
                    if "closed" in item:
                        rows.pop(closed_key(item["table"], item["closed"]), None)
                    else:
                        rows[row_key(item["table"], item["row"])] = item["row"]
                        self._own(item["table"], item["row"])
                except (ValueError, KeyError, TypeError):
                    # a line cut short by a crash while it was appended: that row's
                    # earlier version (if any) stands, and it is said
                    LOG.warning("%s line %d is not a whole open row; ignored",
                                self.open_path, number)
            self.open_lines = len(lines)

    def _own(self, table: str, row: dict[str, Any]) -> None:
        if table == "contacts":
            self.contact_tenants.setdefault(row_key(table, row), row.get("tenant") or None)

    def _remember_span(self, row: dict[str, Any], start_us: int | None = None,
                       end_us: int | None = None) -> None:
        """Keep a final agent state's span (read from its text when not given)."""
        if start_us is None or end_us is None:
            start, end = posted_instant(row.get("start")), posted_instant(row.get("end"))
            if start is None or end is None:
                return
            start_us, end_us = to_us(start), to_us(end)
        self.state_spans.setdefault(agent_of(row), []).append(
            (start_us, end_us, tenant_of(row)))

    def _overlapped(self, row: dict[str, Any], start_us: int, end_us: int | None
                    ) -> tuple[int, int, str] | None:
        """A final state of the row's agent that the row's span overlaps, if any."""
        end = end_us if end_us is not None else LATEST_US
        return next(((s, e, t) for s, e, t in self.state_spans.get(agent_of(row), ())
                     if start_us < e and s < end), None)

    def _another_tenants(self, table: str, key: str, row: dict[str, Any]) -> bool:
        """A row naming a tenant that posts a live contact of another tenant."""
        if table != "contacts" or not row.get("tenant") or key not in self.contact_tenants:
            return False
        return self.contact_tenants[key] != row.get("tenant")

    def open_states(self, now_us: int) -> OpenStates:
        """Each agent's open states that started within ``OPEN_STATE_HOURS`` of now."""
        since = now_us - OPEN_STATE_HOURS * 3600 * 1_000_000
        out: OpenStates = {}
        for key, row in self.open["agent_states"].items():
            start = posted_instant(row.get("start"))
            if start is not None and to_us(start) >= since:
                out.setdefault(agent_of(row), {})[key] = (to_us(start), tenant_of(row))
        return out

    def open_rows(self, table: str) -> list[dict[str, Any]]:
        return list(self.open[table].values())

    def accept(self, table: str, rows: list[dict[str, Any]]) -> BatchResult:
        """Validate, drop repeats of final rows, persist; return what happened."""
        outcomes, canonical, seq = self.accept_rows(table, rows)
        result = BatchResult.of(outcomes, seq)
        result.canonical = canonical
        return result

    def accept_rows(self, table: str, rows: list[dict[str, Any]]
                    ) -> tuple[list[Outcome], pa.Table | None, int]:
        """What happened to each row, the accepted rows in canonical types, and the new
        sequence number. Several versions of one row in a batch (a contact posted waiting,
        then answered) are one update: the version that knows most of the row's life is
        validated and kept, the last of those when several know as much (a late retry of
        "waiting" after "ended" left the call waiting for ever); the others count as
        duplicates. Rows are stored with their text columns as text (``with_text_values``)."""
        check_table(table)
        refused = {**refused_numbers(rows), **refused_empty(rows)}
        rows = [with_text_values(table, r) if isinstance(r, dict) else r for r in rows]
        keys = [row_key(table, r) if i not in refused and identified(table, r) else f"#{i}"
                for i, r in enumerate(rows)]
        best: dict[str, int] = {}
        for i, k in enumerate(keys):
            if k not in best or progress(table, rows[i]) >= progress(table, rows[best[k]]):
                best[k] = i
        unique = [i for i in sorted(best.values()) if i not in refused]
        canonical, rejected = validate_rows(table, [rows[i] for i in unique])
        outcomes: dict[int, Outcome] = dict(refused)
        for problem in rejected:
            if problem["row"] is None:  # the batch as a whole could not be read
                outcomes.update({i: Outcome("rejected", problem["column"], problem["message"])
                                 for i in unique})
                canonical = None
                break
            original = unique[problem["row"]]
            outcomes.setdefault(original, Outcome("rejected", problem["column"],
                                                  problem["message"]))
        keep: list[int] = []
        with self.lock:
            finals: list[dict[str, Any]] = []
            log: list[dict[str, Any]] = []
            positions = canonical.column("__index").to_pylist() if canonical is not None else []
            ahead = future_columns(table, canonical)
            spans = (list(zip(canonical.column("start").to_pylist(),
                              canonical.column("end").to_pylist(), strict=True))
                     if table == "agent_states" and canonical is not None else [])
            opens = self.open_states(int(time.time() * 1_000_000)) if spans else {}
            for position, index in enumerate(positions):
                original = unique[index]
                row = rows[original]
                key = keys[original]
                late = ahead[position]
                if late is not None:
                    outcomes[original] = in_the_future(late)
                    continue
                if self._another_tenants(table, key, row):
                    outcomes[original] = Outcome("rejected", "contact_id", ANOTHER_TENANTS_ID)
                    continue
                if key in self.final[table]:
                    outcomes[original] = Outcome("duplicate")
                    continue
                known = self.open[table].get(key)
                if spans and known is not None and tenant_of(known) != tenant_of(row):
                    # the same agent and start as another tenant's open state
                    outcomes[original] = Outcome("rejected", "agent_id",
                                                 ANOTHER_TENANTS_AGENT)
                    continue
                if known is not None and progress(table, row) < progress(table, known):
                    outcomes[original] = Outcome("duplicate")  # an older version, late
                    continue
                clash = self._overlapped(row, *spans[position]) if spans else None
                if clash is not None:
                    outcomes[original] = state_clash(row, *clash, where="posted before")
                    continue
                open_refusal = open_clash(row, key, *spans[position], opens) if spans \
                    else None
                if open_refusal is not None:
                    outcomes[original] = open_refusal
                    continue
                if spans:
                    own = opens.setdefault(agent_of(row), {})
                    own.pop(key, None)
                    if not is_final(table, row):
                        own[key] = (spans[position][0], tenant_of(row))
                if spans and is_final(table, row):
                    self._remember_span(row, *spans[position])
                self._own(table, row)
                keep.append(position)
                outcomes[original] = Outcome("accepted")
                if is_final(table, row):
                    self.final[table].add(key)
                    if self.open[table].pop(key, None) is not None:
                        log.append({"table": table, "closed": key})
                    finals.append(row)
                else:
                    self.open[table][key] = row
                    log.append({"table": table, "row": row})
            if finals:
                day = datetime.now(UTC).date().isoformat()
                target = self.data / table / f"ingest-{day}.jsonl"
                target.parent.mkdir(parents=True, exist_ok=True)
                with target.open("a") as handle:
                    handle.write("".join(json.dumps(r, default=str) + "\n" for r in finals))
            if log:
                self._log_open(log)
            self.seq += 1
            seq = self.seq
        for i, k in enumerate(keys):  # the versions left aside for the one kept
            if i not in outcomes:
                outcomes[i] = superseded(outcomes.get(best[k]))
        accepted = None
        if canonical is not None:
            accepted = canonical.take(pa.array(keep, pa.int64())).drop_columns(["__index"])
        return [outcomes[i] for i in range(len(rows))], accepted, seq

    def _log_open(self, entries: list[dict[str, Any]]) -> None:
        """Append the batch's open rows and the keys that closed. Rewriting the whole file
        each batch cost O(open rows): 2,000 contacts waiting made every batch ~50 ms
        slower. The log is rewritten (atomically) only when it holds four times the open
        rows (and at least ``COMPACT_LINES`` lines)."""
        open_count = sum(len(rows) for rows in self.open.values())
        if self.open_lines + len(entries) > max(COMPACT_LINES, 4 * open_count):
            self._write_open()
            return
        self.open_path.parent.mkdir(parents=True, exist_ok=True)
        with self.open_path.open("a") as handle:
            handle.write("".join(json.dumps(e, default=str) + "\n" for e in entries))
        self.open_lines += len(entries)

    def _write_open(self) -> None:
        self.open_path.parent.mkdir(parents=True, exist_ok=True)
        scratch = self.open_path.with_suffix(".tmp")
        lines = [json.dumps({"table": t, "row": r}, default=str) + "\n"
                 for t, rows in self.open.items() for r in rows.values()]
        scratch.write_text("".join(lines))
        scratch.replace(self.open_path)
        self.open_lines = len(lines)
