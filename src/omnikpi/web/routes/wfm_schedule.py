"""The schedule page: coverage (required vs scheduled per interval) of a day, the agent ×
day roster of its week (also as XLSX), and each agent's breaks and lunch of the day, which
a supervisor can move.

Where the schedule lives: in the dataset folder, as the canonical ``shifts.csv`` and
``shift_activities.csv`` that ``omnikpi wfm schedule --out DIR`` writes (with the
requirement beside them in ``schedule_plan.csv``). Adherence, conformance and utilization
read the same tables, so a moved break counts in them at once; the move rewrites
``shift_activities.csv`` (whole, atomically) and is written to the audit log.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape

from omnikpi.auth.accounts import audit
from omnikpi.delivery.disposition import attachment
from omnikpi.demo import DEMO_DATA_DIR
from omnikpi.engine.timezones import zone as time_zone
from omnikpi.errors import UsageError
from omnikpi.schema.files import find_table_files
from omnikpi.store.db import session_scope
from omnikpi.web.audit_trail import record_taken
from omnikpi.web.deps import View, ViewDep
from omnikpi.web.filters import zone_names
from omnikpi.web.gantt import clock, day_axis
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.limits import INSTANT_CHARS, NAME_CHARS
from omnikpi.web.page_errors import Translate
from omnikpi.web.security import require_roles
from omnikpi.web.templating import templates
from omnikpi.wfm.schedule.inputs import read_plan
from omnikpi.wfm.schedule.roster import ScheduledShift, roster, roster_xlsx, week_of
from omnikpi.wfm.schedule.tables import (
    ACTIVITY_COLUMNS,
    PLAN_FILE,
    MoveRefused,
    coverage,
    csv_text,
    move_activity,
    scheduled_work,
    under_over,
    write_atomic,
)

router = APIRouter(include_in_schema=False)
READERS = ("admin", "supervisor")
EDIT_LOCK = threading.Lock()
"""One break move at a time rewrites the file."""
Row = dict[str, Any]


def _utc(us: int) -> datetime:
    return datetime.fromtimestamp(int(us) / 1_000_000, tz=UTC)


def _us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


def _tables(view: View) -> tuple[list[Row], list[Row]]:
    """The schedule the caller may see (the scoped dataset), instants as UTC datetimes."""
    con = view.dataset.con
    shifts: list[Row] = []
    if view.dataset.has("shifts"):
        shifts = [{"agent_id": a, "start": _utc(s), "end": _utc(e), "paid": p, "site": site}
                  for a, s, e, p, site in con.execute(
                      'SELECT agent_id, start, "end", paid, site FROM shifts '
                      'WHERE "end" > start ORDER BY agent_id, start').fetchall()]
    acts: list[Row] = []
    if view.dataset.has("shift_activities"):
        acts = [{"agent_id": a, "activity": str(n).lower(), "start": _utc(s), "end": _utc(e),
                 "paid": p}
                for a, n, s, e, p in con.execute(
                    'SELECT agent_id, activity, start, "end", paid FROM shift_activities '
                    'WHERE "end" > start ORDER BY agent_id, start').fetchall()]
    return shifts, acts


def _requirement(view: View) -> tuple[dict[datetime, int], int]:
    """Agents required per interval (all skills) and the interval length. The plan is
    the whole centre's: only an account that sees every tenant gets it."""
    path = view.state.data_path / PLAN_FILE
    if not view.scope.unbounded or not path.is_file():
        return {}, 30
    req = read_plan(path)
    need: dict[datetime, int] = {}
    for (_, at), n in req.required.items():
        moment = req.at(at)
        moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else \
            moment.astimezone(UTC)
        need[moment] = need.get(moment, 0) + n
    return need, req.interval_minutes


def _chosen_day(days: list[date], asked: str) -> tuple[date | None, date | None]:
    """The day to show, and the day asked for when the schedule has none (the page then
    says so beside the first day: it showed the first day as if it were the one asked)."""
    if asked.strip():
        try:
            wanted = date.fromisoformat(asked.strip())
        except ValueError:
            raise UsageError(f"day {asked!r} is not a date (YYYY-MM-DD)") from None
        if wanted in days:
            return wanted, None
        return (days[0], wanted) if days else (None, None)
    return (days[0] if days else None), None


def _page_data(view: View, day: str, tz: str) -> dict[str, Any]:
    zone = time_zone(tz)
    shifts, acts = _tables(view)
    need, minutes = _requirement(view)
    days = sorted({s["start"].astimezone(zone).date() for s in shifts})
    chosen, unscheduled = _chosen_day(days, day)
    out: dict[str, Any] = {"days": days, "day": chosen, "unscheduled": unscheduled,
                           "tz": tz, "interval_minutes": minutes,
                           "has_plan": bool(need), "points": [], "breaks": [], "roster": None}
    if chosen is None:
        return out
    # the chart's axis: real time from the day's start (25 hours the day the clocks go
    # back: the repeated hour's intervals are not drawn on the first one's), labelled with
    # the local clock
    axis = day_axis(chosen, tz)
    start, end = _utc(axis.start_us), _utc(axis.end_us)
    out["clock"] = axis.clock
    work = scheduled_work(view.dataset, view.state.engine, (start, end))
    points = [p for p in coverage(work, minutes, need) if start <= p.interval_start < end]
    out["points"] = [{"t": axis.at(_us(p.interval_start))[:16],  # whole minutes
                      "shown": clock(p.interval_start, zone), "required": p.required,
                      "scheduled": p.scheduled} for p in points]
    out["under"], out["over"] = under_over(points)
    out["roster"] = roster((ScheduledShift(s["agent_id"], s["start"], s["end"], s["site"])
                            for s in shifts), [d for d in week_of(chosen) if d in days], tz)
    breaks_of: dict[str, list[Row]] = {}
    for a in acts:
        if a["activity"] != "work":
            breaks_of.setdefault(a["agent_id"], []).append(a)
    by_agent: dict[str, list[Row]] = {}
    # the shifts starting on the day, with every activity that starts inside them (an
    # overnight shift's breaks after midnight are the day's it starts on)
    for s in shifts:
        if start <= s["start"] < end:
            mine = [a for a in breaks_of.get(s["agent_id"], [])
                    if s["start"] <= a["start"] < s["end"]]
            for a in mine:
                length = a["end"] - a["start"]
                options = []
                t = s["start"]
                while t + length <= s["end"]:
                    options.append({"value": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                    "text": clock(t, zone),
                                    "selected": t == a["start"]})
                    t += timedelta(minutes=15)
                by_agent.setdefault(s["agent_id"], []).append({
                    "activity": a["activity"],
                    "start": a["start"].strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "shown": f"{clock(a['start'], zone)}–{clock(a['end'], zone)}",
                    "options": options})
    out["breaks"] = sorted(by_agent.items())
    return out


@router.get("/wfm/schedule", response_class=HTMLResponse)
def schedule_page(request: Request, view: ViewDep,
                  day: Annotated[str, Query(max_length=INSTANT_CHARS)] = "",
                  tz: Annotated[str, Query(max_length=NAME_CHARS)] = "UTC",
                  moved: Annotated[str, Query(max_length=NAME_CHARS)] = "") -> Response:
    require_roles(view.principal, *READERS)
    return _schedule(request, view, day, tz, moved)


def _schedule(request: Request, view: View, day: str, tz: str, moved: str = "",
              refused: Markup | None = None, refused_agent: str = "") -> Response:
    """The page; ``refused``: why a break of ``refused_agent`` could not move, shown at
    the agent's row with the schedule as it stays (a bare error page had no way back)."""
    data = _page_data(view, day, tz)
    query = urlencode({"day": data["day"].isoformat() if data["day"] else "", "tz": tz})
    return templates.TemplateResponse(request, "wfm_schedule.html", {
        "filters": None, **data, "moved": moved, "query": query, "zones": zone_names(),
        "refused_agent": refused_agent, "refused": refused or ""},
        status_code=400 if refused else 200)


def _refused_text(_: Callable[[str], str], agent: str, why: str) -> Markup:
    """One sentence, its words in the page's order, the agent a link to their row."""
    link = Markup('<a href="#refused-agent" translate="no">{}</a>').format(agent)
    return Markup(escape(_("Not moved for {agent}: {why}"))).format(agent=link, why=why)


@router.get("/wfm/schedule/roster.xlsx")
def roster_export(request: Request, view: ViewDep,
                  day: Annotated[str, Query(max_length=INSTANT_CHARS)] = "",
                  tz: Annotated[str, Query(max_length=NAME_CHARS)] = "UTC") -> Response:
    require_roles(view.principal, *READERS)
    data = _page_data(view, day, tz)
    if data["roster"] is None:
        raise HTTPException(404, "no schedule in this dataset")
    if data["unscheduled"] is not None:  # another week's roster under its own name
        raise HTTPException(404, f"no schedule on {data['unscheduled'].isoformat()}")
    _ = translator(choose_language(request))
    table = data["roster"]
    headers = [_("Agent"), _("Site")] + [d.isoformat() for d in table.days]
    body = roster_xlsx(table, f"{_('Roster')} {table.days[0].isoformat()} – "
                       f"{table.days[-1].isoformat()} ({tz})", headers, _("off"))
    record_taken(request, view, "export", {"what": "schedule roster",
                                           "week": table.days[0].isoformat()})
    name = f"roster-{table.days[0].isoformat()}.xlsx"
    return Response(body, media_type="application/vnd.openxmlformats-officedocument."
                    "spreadsheetml.sheet",
                    headers={"Content-Disposition": attachment(name)})


def _one_csv(view: View, table: str) -> Any:
    if view.state.data_path.resolve() == DEMO_DATA_DIR.resolve():
        raise UsageError("the bundled demo data is not edited: copy its folder and serve "
                         "the copy")
    found = find_table_files(view.state.data_path, {table}).get(table, [])
    path = view.state.data_path / f"{table}.csv"
    if [f.path for f in found] != [path]:
        raise UsageError(f"breaks can be moved when the schedule is the folder's {table}.csv "
                         "alone (as `omnikpi wfm schedule --out` writes it)")
    return path


def _refusal(refused: MoveRefused, _: Translate, tz: str) -> str:
    """Why a break stays where it is, in the page's language and clock (the shift's hours
    read "2024-03-05T07:00:00Z–2024-03-05T16:00:00Z" on a Russian page in Kyiv)."""
    zone = time_zone(tz)
    activity = _(ACTIVITY_WORDS.get(refused.activity.lower(), refused.activity))

    def clock(at: datetime | None) -> str:
        return "" if at is None else at.astimezone(zone).strftime("%H:%M")

    if refused.what == "outside":
        return _("The {activity} must stay inside the shift, {start}–{end}.").format(
            activity=activity, start=clock(refused.start), end=clock(refused.end))
    other = refused.other or ""
    return _("The {activity} would overlap the {other} at {start}.").format(
        activity=activity, other=_(ACTIVITY_WORDS.get(other.lower(), other)),
        start=clock(refused.start))


ACTIVITY_WORDS = {"break": "break", "lunch": "lunch", "training": "training",
                  "meeting": "meeting", "coaching": "coaching"}
"""The activities the page names in its language (others as the schedule writes them)."""


@router.post("/wfm/schedule/move")
def move_break(request: Request, view: ViewDep,
               agent_id: Annotated[str, Form(max_length=NAME_CHARS)],
               start: Annotated[str, Form(max_length=INSTANT_CHARS)],
               new_start: Annotated[str, Form(max_length=INSTANT_CHARS)],
               day: Annotated[str, Form(max_length=INSTANT_CHARS)] = "",
               tz: Annotated[str, Form(max_length=NAME_CHARS)] = "UTC") -> Response:
    """Move one of an agent's breaks or lunch within their shift."""
    require_roles(view.principal, *READERS)
    _ = translator(choose_language(request))
    try:
        old = datetime.fromisoformat(start.replace("Z", "+00:00"))
        new = datetime.fromisoformat(new_start.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(_("The break's new start is not a time.")) from None
    old = old if old.tzinfo else old.replace(tzinfo=UTC)
    us = int(old.timestamp() * 1_000_000)
    # the caller must see the activity (their tenant / sites): else it is not there
    if not view.dataset.has("shift_activities") or view.dataset.con.execute(
            "SELECT count(*) FROM shift_activities WHERE agent_id = ? AND start = ?",
            [agent_id, us]).fetchone() in (None, (0,)):
        raise HTTPException(404, "no such break")
    acts_path = _one_csv(view, "shift_activities")
    shifts_path = _one_csv(view, "shifts")
    with EDIT_LOCK:
        with shifts_path.open(encoding="utf-8", newline="") as handle:
            shifts = list(csv.DictReader(handle))
        with acts_path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            columns = list(reader.fieldnames or ACTIVITY_COLUMNS)
            acts = list(reader)
        try:
            rows, placed = move_activity(shifts, acts, agent_id, old, new)
        except MoveRefused as refused:
            return _schedule(request, view, day, tz,
                             refused=_refused_text(_, agent_id, _refusal(refused, _, tz)),
                             refused_agent=agent_id)
        write_atomic(acts_path, csv_text(rows, columns))
    view.state.force_reload = True
    with session_scope(view.state.database_url) as session:
        audit(session, view.principal.name, "schedule_activity_moved", {
            "agent_id": agent_id, "activity": placed["activity"], "from": start,
            "to": placed["start"]})
    query = urlencode({"day": day, "tz": tz, "moved": agent_id})
    # back at the agent whose break moved (focus went to the top of the page: a keyboard
    # user tabbed through every row again)
    return RedirectResponse(f"/wfm/schedule?{query}#moved-agent", status_code=303)
