"""Risk-weighted sampling: more evaluations where errors are likelier.

Following the call-center glossary's advice to sample new and error-prone agents more:

Per agent — an agent id in a tenant: ids repeat across an outsourcer's clients, so the
roster's hire date and the recent QA score are joined on both (a null tenant, the
operator's own agent, matching a null tenant) — how many of their contacts are drawn::

    factor = 1 + new_agent × [hired within new_agent_days of the period's end]
               + low_score × [mean QA score over the recent_days before the period's end
                              below low_score_below]
    n = max(min(min_per_agent, N), min(N, round(rate × N × factor)))

Per contact (which of the agent's contacts are drawn)::

    weight = 1 + negative_survey × [a customer survey of the contact (csat, nps, ces) in
                                    the bad negative_below of its scale: the bottom for
                                    csat and nps, the top for ces (high = more effort)]
               + long_handle × [handle time in the top long_handle_top share of its queue,
                                among the queue's contacts that have one]
               + talk_flag × [talk analytics: a silence of long_silence_seconds or more,
                              or overtalk of overtalk_share of the call or more]

The agent's ``n`` contacts are drawn without replacement with probability proportional to
weight (Efraimidis–Spirakis: the smallest keys −ln(u) / weight), where ``u`` comes from
``md5(seed:contact_id)`` — stable across machines, versions and row order — so the same
seed on the same data gives the same sample. The features are optional: without a roster,
QA evaluations, surveys or talk analytics in the dataset, that term is 0. Every feature and
the draw run as one Ibis expression on the engine (no loop over contacts in Python).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir

from omnikpi.config import Config
from omnikpi.engine.backends import backend_for
from omnikpi.engine.contact_facts import contact_facts
from omnikpi.engine.drill import run_context
from omnikpi.engine.run import parse_window
from omnikpi.engine.table_sources import CUSTOMER_SURVEYS
from omnikpi.errors import UsageError
from omnikpi.metrics.base import get_metric
from omnikpi.qa.sampling import Sample, SampledUnit, check_sample_inputs
from omnikpi.schema.dataset import Dataset

DAY_US = 86_400 * 1_000_000
FLAGS = ("new_agent", "low_score", "negative_survey", "long_handle", "talk_flag")


@dataclass(frozen=True)
class RiskWeights:
    """The documented weights and thresholds (docs/qa.md, "Risk-weighted sampling")."""

    new_agent: float = 1.0
    """Added to the agent's factor: a new agent's sample is twice the rate."""
    low_score: float = 1.0
    """Added to the agent's factor when their recent QA score is low."""
    negative_survey: float = 3.0
    long_handle: float = 1.0
    talk_flag: float = 1.0
    new_agent_days: int = 90
    recent_days: int = 30
    low_score_below: float = 80.0
    negative_below: float = 0.5
    """Share of the survey's scale: 1–2 of 1–5, 0–4 of 0–10 are negative; for a customer
    effort score (higher = more effort) the top share: 5–7 of 1–7."""
    long_handle_top: float = 0.1
    long_silence_seconds: float = 10.0
    overtalk_share: float = 0.1

    def check(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise UsageError(f"risk weight {name} must be a number ≥ 0")
        if not 0 < self.long_handle_top <= 1 or not 0 < self.negative_below <= 1:
            raise UsageError("long_handle_top and negative_below are shares from 0 to 1")


@dataclass(frozen=True)
class RiskSample:
    sample: Sample
    flags: dict[str, tuple[str, ...]]
    """Per drawn contact, the risk features it or its agent had."""
    weights: RiskWeights

    def to_json(self) -> dict[str, Any]:
        return {**self.sample.to_json(), "flags": {k: list(v) for k, v in self.flags.items()},
                "weights": asdict(self.weights)}


def _uniform(key: ir.StringValue) -> ir.FloatingValue:
    """A number in (0, 1) from the first 8 hex digits of ``md5(key)``."""
    digest = key.hexdigest("md5")
    digits = ibis.literal("0123456789abcdef")
    total: ir.IntegerValue = ibis.literal(0, type="int64")
    for position in range(8):
        total = total * 16 + digits.find(digest.substr(position, 1)).cast("int64")
    return (total.cast("float64") + 0.5) / float(16 ** 8)


def _flag(condition: ir.BooleanValue) -> ir.IntegerValue:
    return ibis.ifelse(condition.fill_null(False), 1, 0)


def handled_contacts(dataset: Dataset, config: Config | None = None) -> ir.Table:
    """Contacts an agent answered, with the catalog's own rules for handling and handle
    time (``handle_s``, as ``aht`` reads it)."""
    backend = backend_for("duckdb", dataset)
    ctx, _ = run_context(dataset, get_metric("aht"), "UTC", None, None, None,
                         config or Config(), backend)
    facts = contact_facts(backend.table("contacts"), ctx)
    return facts.filter(facts.agent_id.notnull(), facts.fr.notnull())


def features(dataset: Dataset, weights: RiskWeights, start: int | None,
             end: int | None, config: Config | None = None) -> ir.Table:
    """Handled contacts of the period with each risk feature (0/1), per contact."""
    backend = backend_for("duckdb", dataset)
    handled = handled_contacts(dataset, config)
    if start is not None:
        handled = handled.filter(handled.arrived_at >= start)
    if end is not None:
        handled = handled.filter(handled.arrived_at < end)
    ref = ibis.literal(end) if end is not None else handled.arrived_at.max().as_scalar()
    rows = handled.select("contact_id", "agent_id", "channel", "queue", "site", "tenant",
                          "handle_s")
    # ranked among the queue's contacts that have a handle time only: a conversation with
    # no end yet has none, and ranked with them (DuckDB orders nulls last) it pushed every
    # real handle time down — half a queue's chats open, and none could reach the top 10 %
    timed = rows.handle_s.isnull()
    rank = ibis.percent_rank().over(group_by=[rows.queue, timed], order_by=rows.handle_s)
    rows = rows.mutate(long_handle=_flag(~timed & (rank >= 1 - weights.long_handle_top)))
    if dataset.has("roster"):
        roster = backend.table("roster")
        hired = roster.group_by("agent_id", "tenant").aggregate(
            hired_on=roster.hired_on.max())
        hired = hired.mutate(new_agent=_flag(
            hired.hired_on.cast("int64") * DAY_US >= ref - weights.new_agent_days * DAY_US))
        rows = _per_agent(rows, hired.select("agent_id", "tenant", "new_agent"))
    else:
        rows = rows.mutate(new_agent=0)
    if dataset.has("qa_evaluations"):
        qa = backend.table("qa_evaluations")
        # the 30 days before the period's end: ``end`` is exclusive (a score given the
        # day after a period judged its agent "low score"); without one, the day of the
        # last contact counts whole
        until = ref if end is not None else ref + DAY_US
        recent = qa.filter(~qa.calibration.fill_null(False),
                           qa.evaluated_at >= ref - weights.recent_days * DAY_US,
                           qa.evaluated_at < until)
        # an evaluation is of its contact's tenant, as the reports place it (the table
        # has no tenant of its own); one whose contact is unknown is of none
        contacts = backend.table("contacts").select(
            __cid="contact_id", __tenant="tenant").distinct()
        placed = recent.left_join(contacts, recent.contact_id == contacts.__cid)
        placed = placed.select("agent_id", "score", tenant=placed.__tenant)
        scores = placed.group_by("agent_id", "tenant").aggregate(
            mean_score=placed.score.mean())
        scores = scores.mutate(low_score=_flag(scores.mean_score < weights.low_score_below))
        rows = _per_agent(rows, scores.select("agent_id", "tenant", "low_score"))
    else:
        rows = rows.mutate(low_score=0)
    if dataset.has("surveys"):
        surveys = backend.table("surveys")
        span = surveys.scale_max - surveys.scale_min
        share = (surveys.score - surveys.scale_min) / span
        kind = surveys.survey.lower()
        # a customer's answer about the contact (not the agent's own esat), read in its
        # direction: a high effort score is the bad one
        in_bad_part = ibis.ifelse(kind == "ces", share > 1 - weights.negative_below,
                                  share < weights.negative_below)
        bad = surveys.filter(surveys.contact_id.notnull(), span > 0,
                             kind.isin(CUSTOMER_SURVEYS), in_bad_part)
        negative = bad.select("contact_id").distinct().mutate(negative_survey=1)
        rows = rows.left_join(negative, "contact_id").drop("contact_id_right")
    else:
        rows = rows.mutate(negative_survey=0)
    if dataset.has("talk_analytics"):
        talk = backend.table("talk_analytics")
        flagged = talk.filter((talk.longest_silence_s >= weights.long_silence_seconds)
                              | ((talk.duration_s > 0) & (talk.overtalk_s / talk.duration_s
                                                          >= weights.overtalk_share)))
        marks = flagged.select("contact_id").distinct().mutate(talk_flag=1)
        rows = rows.left_join(marks, "contact_id").drop("contact_id_right")
    else:
        rows = rows.mutate(talk_flag=0)
    return rows.mutate(**{f: rows[f].fill_null(0) for f in FLAGS})


def _per_agent(rows: ir.Table, marks: ir.Table) -> ir.Table:
    """``rows`` with the columns of ``marks`` of the same agent: the same agent id in the
    same tenant (a null tenant, the operator's own agent, is the same as a null tenant).
    Joined on the id alone, the bank's new ``support-05`` doubled the sample of the
    telco's ``support-05``, hired years ago."""
    joined = rows.left_join(marks, [rows.agent_id == marks.agent_id,
                                    rows.tenant.identical_to(marks.tenant)])
    return joined.drop("agent_id_right", "tenant_right")


def draw_risk_sample(dataset: Dataset, rate: float, seed: int, min_per_agent: int = 1,
                     from_: str | None = None, to: str | None = None, tz: str = "UTC",
                     exclude: set[str] | frozenset[str] = frozenset(),
                     weights: RiskWeights | None = None) -> RiskSample:
    """A reproducible risk-weighted sample of handled contacts (see the module)."""
    chosen = weights or RiskWeights()
    chosen.check()
    check_sample_inputs(rate, seed, min_per_agent)
    dataset.require("contacts", "QA sampling")
    start, end = parse_window(from_, to, tz, prefix="")
    rows = features(dataset, chosen, start, end)
    population = rows.count()
    if exclude:
        rows = rows.filter(~rows.contact_id.isin(sorted(exclude)))
    weight = (1 + chosen.negative_survey * rows.negative_survey
              + chosen.long_handle * rows.long_handle + chosen.talk_flag * rows.talk_flag)
    factor = 1 + chosen.new_agent * rows.new_agent + chosen.low_score * rows.low_score
    rows = rows.mutate(
        key=-_uniform(ibis.literal(f"{seed}:") + rows.contact_id).ln() / weight,
        factor=factor)
    # an agent is an agent id in a tenant (ids repeat across an outsourcer's clients)
    agent = ibis.window(group_by=[rows.tenant, rows.agent_id])
    rows = rows.mutate(size=rows.contact_id.count().over(agent),
                       agent_factor=rows.factor.max().over(agent))
    rows = rows.mutate(pick=ibis.row_number().over(  # from 0
        group_by=[rows.tenant, rows.agent_id], order_by=[rows.key, rows.contact_id]))
    wanted = (rows.size.cast("float64") * rate * rows.agent_factor + 0.5).floor() \
        .cast("int64")
    target = ibis.greatest(ibis.least(ibis.literal(min_per_agent), rows.size),
                           ibis.least(wanted, rows.size))
    drawn = rows.filter(rows.pick < target).order_by("agent_id", "contact_id")
    backend = backend_for("duckdb", dataset)
    frame = backend.execute(drawn.select("contact_id", "agent_id", "channel", "queue",
                                         "site", "tenant", *FLAGS))
    total = int(backend.execute(population.as_table()).iloc[0, 0])
    records = frame.to_dict("records")
    units = tuple(SampledUnit(str(r["contact_id"]), (str(r["contact_id"]),),
                              str(r["agent_id"]), _text(r["channel"]), _text(r["queue"]),
                              _text(r["site"]), _text(r["tenant"])) for r in records)
    flags = {str(r["contact_id"]): tuple(f for f in FLAGS if r[f]) for r in records}
    return RiskSample(Sample(units, total, rate, seed), flags, chosen)


def _text(value: Any) -> str | None:
    return None if value is None or value != value else str(value)
