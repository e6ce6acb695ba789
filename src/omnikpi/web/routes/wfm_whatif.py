"""The what-if page (/wfm/whatif): a change tried on a simulated center before production.

A planner picks a scenario — one shipped with OmniKPI or their own scenario file — and
changes what they would change on the floor: agents per group, chat sessions an agent
holds, the routing rule, volume, handle time, an outbound campaign's dialing pace. Both
centers are simulated with the same callers (:mod:`omnikpi.simulate.whatif`) and measured
by the engine (:mod:`omnikpi.simulate.compare`); the page shows the catalog's numbers per
channel and per outbound campaign side by side, better or worse by each metric's declared
direction, the service level hour by hour, and both scenario files with the command line
that gives the same numbers.

The page reads no dataset: its numbers come from the simulation alone, so nothing of a
tenant's data can show. A shipped scenario is a GET (a link keeps a what-if); one's own
scenario text is a POST. The simulation runs on the server's worker pool, limited in
size (``check_size``), and its result is kept until the dataset is reloaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from omnikpi import formatting
from omnikpi.config import Config
from omnikpi.delivery.disposition import attachment
from omnikpi.errors import UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.simulate.bundled import DEFAULT, bundled_scenarios
from omnikpi.simulate.compare import (
    CAMPAIGN_METRICS,
    CENTER_METRICS,
    CHANNEL_METRICS,
    Comparison,
    compare,
    zone_label,
)
from omnikpi.simulate.replications import Replicated
from omnikpi.simulate.runner import ContactLimitReached
from omnikpi.simulate.scenario import Routing, Scenario, parse_scenario
from omnikpi.simulate.whatif import (
    MAX_AGENTS,
    MAX_CONTACTS,
    ScenarioTooLarge,
    WhatIf,
    check_size,
    scenario_toml,
)
from omnikpi.web import service
from omnikpi.web.deps import View, ViewDep
from omnikpi.web.form_fields import Field, Translate, number_text, read_fields
from omnikpi.web.i18n import choose_language, translator
from omnikpi.web.metric_change import change, spread
from omnikpi.web.security import require_roles
from omnikpi.web.templating import templates
from omnikpi.wfm.staffing import MAX_CONCURRENCY

router = APIRouter(include_in_schema=False)
READERS = ("admin", "supervisor")
CUSTOM = "custom"
MAX_SCENARIO_CHARS = 100_000
"""Longest scenario text the page reads (the shipped demo is 5,000 characters)."""
ROUTINGS: tuple[str, ...] = get_args(Routing)
"""The scenario file's routing rules, in the order the form lists them."""
ROUTING = Field("routing", "Routing", "", choices=("", *ROUTINGS))
VOLUME = Field("volume", "Volume change, %", 0, -100, 1_000)
AHT = Field("aht", "Handle time change, %", 0, -100, 1_000, low_open=True)
SEED = Field("seed", "Seed (random numbers)", None, 0, 2**31 - 1, integer=True,
             optional=True)
PAGE_RUNS = 10
"""Most runs (seeds) the page simulates: one run of the demo takes about six seconds of
the server's worker; the command line's ``--replications`` goes to 100."""
RUNS = Field("runs", "Runs (seeds)", 1, 1, PAGE_RUNS, integer=True)
COMMON_FIELDS = (ROUTING, VOLUME, AHT, SEED, RUNS)


def agents_field(index: int, count: int) -> Field:
    return Field(f"agents-{index}", "Agents", count, 0, MAX_AGENTS, integer=True)


def capacity_field(index: int, capacity: int) -> Field:
    return Field(f"capacity-{index}", "Sessions at once", capacity, 1, MAX_CONCURRENCY,
                 integer=True)


MAX_DIALING = 100_000
"""Most dial attempts per hour the page takes for a campaign (a what-if's size is checked
as well: ``check_size``)."""


def dialing_field(index: int, pace: float) -> Field:
    return Field(f"dialing-{index}", "Dial attempts per hour", pace, 0, MAX_DIALING)


@dataclass(frozen=True)
class Chosen:
    """The scenario the what-if starts from: its name (a shipped one or ``custom``), text,
    the scenario itself (None when it cannot be read) and a fingerprint of the text."""

    name: str
    text: str
    scenario: Scenario | None
    fingerprint: str


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def choose_scenario(fields: Mapping[str, str], _: Translate) -> tuple[Chosen, list[str]]:
    """The scenario named in the form (a shipped one, or the text sent as ``custom``)
    and the problems reading it."""
    shipped = bundled_scenarios()
    name = fields.get("scenario") or DEFAULT
    if name == CUSTOM:
        text = fields.get("toml", "").replace("\r\n", "\n")
        if not text.strip():
            return Chosen(name, text, None, ""), [_("Paste a scenario file (TOML) to use it.")]
        if len(text) > MAX_SCENARIO_CHARS:
            return Chosen(name, "", None, ""), [
                _("The scenario is longer than {limit} characters.").format(
                    limit=number_text(MAX_SCENARIO_CHARS))]
        where = "you pasted"
    elif name in shipped:
        text = shipped[name].read_text(encoding="utf-8")
        where = f"{name}.toml"
    else:
        return Chosen(name, "", None, ""), [_("Choose a scenario from the list.")]
    try:
        scenario = parse_scenario(text, where)
    except UsageError as exc:
        return Chosen(name, text, None, fingerprint(text)), [
            _("The scenario cannot be read: {reason}").format(reason=str(exc))]
    if "streams" not in scenario.model_fields_set:
        # each queue's callers from streams of its own: a change to one queue, or to the
        # volume, leaves the other queues' callers as they were
        scenario = scenario.model_copy(update={"streams": "per_queue"})
    return Chosen(name, text, scenario, fingerprint(text)), []


@dataclass
class WhatIfForm:
    """The what-if as typed and as read."""

    fields: tuple[Field, ...]
    texts: dict[str, str]
    whatif: WhatIf
    seed: int | None
    runs: int
    """How many seeds both centers are simulated with (``seed``, ``seed + 1``, …)."""
    problems: list[str]
    chat_groups: frozenset[int]
    """Indexes of the groups that take chats (their sessions field is shown)."""


def read_whatif(scenario: Scenario, typed: Mapping[str, str], use_typed_groups: bool,
                _: Translate) -> WhatIfForm:
    """The form's fields for this scenario's groups, read from ``typed``; the groups'
    fields are read only when ``use_typed_groups`` (they were drawn for this scenario)."""
    chat_queues = {q.name for q in scenario.queues if q.channel in ("chat", "messenger")}
    chat_groups = frozenset(i for i, g in enumerate(scenario.agent_groups)
                            if chat_queues & set(g.skills))
    group_fields: list[Field] = []
    for i, group in enumerate(scenario.agent_groups):
        group_fields.append(agents_field(i, group.count))
        if i in chat_groups:
            group_fields.append(capacity_field(i, group.capacity))
    group_fields += [dialing_field(i, c.attempts_per_hour)
                     for i, c in enumerate(scenario.campaigns)]
    fields = (*COMMON_FIELDS, *group_fields)
    if not use_typed_groups:
        typed = {k: v for k, v in typed.items() if k not in {f.name for f in group_fields}}
    read = read_fields(fields, typed, _)
    values = read.values
    problems = [problem if _group_of(name, scenario) is None
                else f"{_group_of(name, scenario)}: {problem}"
                for name, problem in read.problems.items()]
    agents = {g.name: values[f"agents-{i}"] for i, g in enumerate(scenario.agent_groups)
              if values.get(f"agents-{i}") is not None}
    capacity = {g.name: values[f"capacity-{i}"] for i, g in enumerate(scenario.agent_groups)
                if values.get(f"capacity-{i}") is not None}
    dialing = {c.name: values[f"dialing-{i}"] for i, c in enumerate(scenario.campaigns)
               if values.get(f"dialing-{i}") is not None}
    whatif = WhatIf(agents=agents, capacity=capacity, routing=values["routing"] or None,
                    volume_change=(values["volume"] or 0.0) / 100,
                    aht_change=(values["aht"] or 0.0) / 100, dialing=dialing)
    return WhatIfForm(fields, read.texts, whatif, values["seed"], int(values["runs"] or 1),
                      problems, chat_groups)


def _group_of(name: str, scenario: Scenario) -> str | None:
    """The agent group or campaign a field is about (``agents-2``: the third group,
    ``dialing-0``: the first campaign), or None."""
    prefix, _, index = name.partition("-")
    if prefix in ("agents", "capacity") and index.isdigit():
        return scenario.agent_groups[int(index)].name
    if prefix == "dialing" and index.isdigit():
        return scenario.campaigns[int(index)].name
    return None


def comparison(view: View, chosen: Chosen, baseline: Scenario, whatif: Scenario,
               seed: int | None) -> Comparison:
    """Both centers simulated and measured on the worker pool with the server's
    configuration (its thresholds, as its dashboards read them) — once per scenario
    text, what-if and seed until the dataset is reloaded."""
    key = "wfm:whatif:" + repr((chosen.fingerprint, scenario_toml(whatif), seed))
    return service.remembered(view, key, Comparison, lambda: view.state.pool.run(
        lambda: compare(baseline, whatif, seed, max_contacts=MAX_CONTACTS,
                        config=view.state.config), key=key, caller=view.caller))


def figures(view: View, chosen: Chosen, baseline: Scenario, whatif: Scenario,
            seed: int | None, runs: int) -> dict[str, Any]:
    """The comparison as ``omnikpi simulate compare --format json`` gives it: one run
    with ``seed``, or ``runs`` of them with the seeds ``seed``, ``seed + 1``, … (the
    baseline's seed first when none is given) — each run a job of its own on the pool,
    remembered on its own, so that 10 runs after 5 simulate only the five new seeds.
    The seeds run one after another: a page's work takes one worker, the other stays
    for everyone else's reports."""
    first = baseline.seed if seed is None else seed
    if runs == 1:
        return comparison(view, chosen, baseline, whatif, first).as_json()
    seeds = [first + i for i in range(runs)]
    return Replicated([comparison(view, chosen, baseline, whatif, s) for s in seeds],
                      seeds).as_json()


def _rows(compared: Mapping[str, Mapping[str, Any]], metrics: tuple[str, ...],
          lang: str) -> list[dict[str, Any]]:
    """A table's rows: each metric's baseline, what-if and change; over several runs,
    the means, the change's 95 % half-width (``spread``, None when it rounds to nothing:
    the same calls offered in every seed) and whether a better or worse change's interval
    holds 0 (``noise``: the seeds do not tell it from chance)."""
    rows = []
    for metric_id in metrics:
        metric = get_metric(metric_id)
        pair = compared.get(metric_id, {})
        before, after = pair.get("baseline"), pair.get("whatif")
        if before is None and after is None:
            continue
        changed = change(after, before, metric, lang)
        row: dict[str, Any] = {"id": metric_id, "name": metric.name_in(lang),
                               "unit": metric.unit, "baseline": before, "whatif": after,
                               "change": changed, "spread": None, "noise": False}
        difference = pair.get("difference")
        if difference and difference["low"] is not None and difference["high"] is not None:
            row["spread"] = spread(difference["high"] - difference["mean"], metric, lang)
            row["noise"] = (changed is not None and changed["verdict"] in ("better", "worse")
                            and difference["low"] <= 0 <= difference["high"])
        rows.append(row)
    return rows


def _changes(form: WhatIfForm, scenario: Scenario, _: Translate, lang: str) -> list[str]:
    """The changes in words."""
    routing_names = routing_labels(_)
    said = []
    for c in form.whatif.changes(scenario):
        if c.what == "agents":
            said.append(_("Agents in {group}: {before} → {after}").format(
                group=c.group, before=c.before, after=c.after))
        elif c.what == "capacity":
            said.append(_("Sessions at once in {group}: {before} → {after}").format(
                group=c.group, before=c.before, after=c.after))
        elif c.what == "routing":
            said.append(_("Routing: {before} → {after}").format(
                before=routing_names[c.before], after=routing_names[c.after]))
        elif c.what == "volume":
            said.append(_("Volume: {change}").format(change=_signed_percent(c.after, lang)))
        elif c.what == "dialing":
            said.append(_("Dial attempts per hour in {campaign}: {before} → {after}").format(
                campaign=c.group, before=number_text(c.before), after=number_text(c.after)))
        else:
            said.append(_("Handle time: {change}").format(change=_signed_percent(c.after,
                                                                                  lang)))
    return said


def _signed_percent(share: float, lang: str) -> str:
    return ("+" if share > 0 else "−") + formatting.percent(abs(share), lang)


def routing_labels(_: Translate) -> dict[str, str]:
    return {"longest_idle": _("the agent idle longest"), "round_robin": _("in turn"),
            "sequential": _("the first free agent in the list"),
            "ring_all": _("all ring, a random free agent answers"),
            "least_loaded": _("the fewest open sessions"),
            "skills_priority": _("first skill first")}


def _files_fields(typed: Mapping[str, str], form: WhatIfForm | None) -> dict[str, str]:
    """What the scenario files' links (or buttons) send: the form's own fields as typed
    (the scenario's text too when it was pasted), nothing else of the address."""
    kept = {"scenario", "toml", "fingerprint", "lang",
            *(f.name for f in (form.fields if form else ()))}
    return {k: v for k, v in typed.items() if k in kept}


def _page(request: Request, view: View, typed: Mapping[str, str]) -> Response:
    require_roles(view.principal, *READERS)
    lang = choose_language(request)
    _ = translator(lang)
    chosen, problems = choose_scenario(typed, _)
    form = None
    answer = None
    changes: list[str] = []
    if chosen.scenario is not None:
        stale = bool(typed.get("fingerprint")) and typed.get("fingerprint") != chosen.fingerprint
        form = read_whatif(chosen.scenario, typed, not stale, _)
        problems += form.problems
        changes = _changes(form, chosen.scenario, _, lang)
        wants_run = typed.get("run") == "1"
        if stale and wants_run:
            problems.append(_("The scenario changed: its agent groups are below, set the "
                              "what-if for them and run it again."))
        elif wants_run and not problems:
            if not changes:
                problems.append(_("Nothing is changed yet: change agents, sessions, routing, "
                                  "volume, handle time or dialing, then run."))
            else:
                answer = _answer(view, chosen, form, _, lang, problems)
    shipped = list(bundled_scenarios())
    return templates.TemplateResponse(request, "wfm_whatif.html", {
        "chosen": chosen, "shipped": shipped, "custom": CUSTOM, "form": form,
        "problems": problems, "changes": changes, "answer": answer,
        "routing_names": routing_labels(_),
        "files": _files_fields(typed, form), "typed": typed})


def _answer(view: View, chosen: Chosen, form: WhatIfForm, _: Translate, lang: str,
            problems: list[str]) -> dict[str, Any] | None:
    assert chosen.scenario is not None
    try:
        whatif = form.whatif.apply(chosen.scenario)
        for scenario, where in ((chosen.scenario, _("The scenario")),
                                (whatif, _("The what-if"))):
            check_size(scenario, where)
        found = figures(view, chosen, chosen.scenario, whatif, form.seed, form.runs)
    except (ScenarioTooLarge, ContactLimitReached) as exc:
        # a year of a thousand agents is too many shift and break events, not "contacts
        # or agents" (3,208,000 of at most 500,000 contacts or agents read as nonsense)
        what = getattr(exc, "what", "contacts")
        text = (_("This center is too large to simulate on a page ({size} shift and break "
                  "events of at most {limit}): compare it on the command line with omnikpi "
                  "simulate compare.") if what == "shift and break events" else
                _("This center is too large to simulate on a page ({size} customers of at "
                  "most {limit}): compare it on the command line with omnikpi simulate "
                  "compare.") if what == "customers" else
                _("This center is too large to simulate on a page ({size} of at most "
                  "{limit} contacts or agents): compare it on the command line with "
                  "omnikpi simulate compare."))
        problems.append(text.format(size=formatting.count(exc.size, lang),
                                    limit=formatting.count(exc.limit, lang)))
        return None
    except UsageError as exc:
        problems.append(str(exc))
        return None
    seed_option = "" if form.seed is None else f" --seed {form.seed}"
    runs_option = "" if form.runs == 1 else f" --replications {form.runs}"
    # measured with the server's configuration: the command needs the same file
    config_option = "" if view.state.config == Config() else " --config omnikpi.toml"
    return {
        "channels": [{"channel": ch, "rows": _rows(rows, CHANNEL_METRICS, lang)}
                     for ch, rows in found["channels"].items()],
        "center": _rows(found["center"], CENTER_METRICS, lang),
        "campaigns": [{"campaign": c, "rows": _rows(rows, CAMPAIGN_METRICS, lang)}
                      for c, rows in found["campaigns"].items()],
        "hourly": {side: {ch: list(hours.items()) for ch, hours in channels.items()}
                   for side, channels in found["hourly_service_level"].items()},
        "zone": zone_label(found["zone"]),
        "runs": found.get("replications", 1), "seeds": found.get("seeds"),
        "command": "omnikpi simulate compare baseline.toml whatif.toml"
                   f"{seed_option}{runs_option}{config_option}",
    }


def _typed(pairs: Any) -> dict[str, str]:
    """The form's fields as text (the last of a repeated one; an upload is not text)."""
    return {k: v for k, v in pairs if isinstance(v, str)}


@router.get("/wfm/whatif", response_class=HTMLResponse)
def whatif_page(request: Request, view: ViewDep) -> Response:
    return _page(request, view, _typed(request.query_params.multi_items()))


@router.post("/wfm/whatif", response_class=HTMLResponse)
async def whatif_post(request: Request, view: ViewDep) -> Response:
    form = await request.form()
    typed = _typed(form.multi_items())
    return await _in_thread(_page, request, view, typed)


async def _in_thread(function: Any, *args: Any) -> Response:
    """Run the page's blocking work off the event loop (as FastAPI runs a plain ``def``)."""
    result: Response = await run_in_threadpool(function, *args)
    return result


def scenario_file(request: Request, view: View, typed: Mapping[str, str]) -> Response:
    """``which=baseline`` or ``whatif``: the scenario file the page compared."""
    require_roles(view.principal, *READERS)
    _ = translator(choose_language(request))
    chosen, problems = choose_scenario(typed, _)
    which = typed.get("which", "whatif")
    if chosen.scenario is None or which not in ("baseline", "whatif"):
        raise UsageError(" ".join(problems) or "which must be baseline or whatif")
    form = read_whatif(chosen.scenario, typed, True, _)
    if form.problems:
        raise UsageError(" ".join(form.problems))
    source = f"{chosen.name}.toml" if chosen.name != CUSTOM else "your scenario"
    if which == "baseline":
        text = scenario_toml(chosen.scenario, f"Baseline: {source}, as the what-if page ran it")
    else:
        changes = "; ".join(_changes(form, chosen.scenario, translator("en"), "en"))
        text = scenario_toml(form.whatif.apply(chosen.scenario),
                             f"What-if of {source}: {changes or 'nothing changed'}")
    return Response(text, media_type="application/toml; charset=utf-8",
                    headers={"Content-Disposition": attachment(f"{which}.toml")})


@router.get("/wfm/whatif/scenario.toml")
def scenario_file_get(request: Request, view: ViewDep) -> Response:
    return scenario_file(request, view, _typed(request.query_params.multi_items()))


@router.post("/wfm/whatif/scenario.toml")
async def scenario_file_post(request: Request, view: ViewDep) -> Response:
    form = await request.form()
    return await _in_thread(scenario_file, request, view, _typed(form.multi_items()))
