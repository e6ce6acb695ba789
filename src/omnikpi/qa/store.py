"""Samples in the database: what each evaluator was given, and the queue they work through."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from omnikpi.errors import UsageError
from omnikpi.qa.chain_text import chain_ids, chain_text
from omnikpi.qa.sampling import Sample
from omnikpi.store.db import session_scope
from omnikpi.store.models import QaEvaluation, QaSample, QaSampleItem
from omnikpi.web.limits import NAME_CHARS, check_length

RESENT_WITHIN = timedelta(minutes=10)
"""A sample form sent again this soon with the same values is the same request."""


@dataclass(frozen=True)
class SampleAsked:
    """What a sample form asked for (its values, as stored with the sample)."""

    name: str
    seed: int
    rate: float
    min_per_agent: int
    from_: str | None
    to: str | None
    evaluator: str | None
    form_id: int | None
    tenant: str | None
    risk: bool = False
    tz: str = "UTC"
    """Risk-weighted, and the zone of the From and To days: either changed draws other
    contacts (a risk-weighted request once opened the plain sample sent just before)."""


def sent_again(asked: SampleAsked, author: str, database_url: str | None,
               now: datetime | None = None) -> int | None:
    """The sample ``author`` drew with these very values in the last minutes, if any: the
    browser's Back then "Draw sample" again drew a second queue of other contacts (those
    of the first were excluded as already given), doubling the evaluator's work unseen."""
    moment = now or datetime.now(UTC)
    with session_scope(database_url) as session:
        row = session.scalars(select(QaSample).where(
            QaSample.created_by == author, QaSample.name == asked.name,
            QaSample.seed == asked.seed, QaSample.rate == asked.rate,
            QaSample.min_per_agent == asked.min_per_agent,
            _same(QaSample.period_from, asked.from_), _same(QaSample.period_to, asked.to),
            _same(QaSample.evaluator, asked.evaluator), _same(QaSample.form_id, asked.form_id),
            _same(QaSample.tenant, asked.tenant), QaSample.risk == asked.risk,
            QaSample.tz == asked.tz).order_by(QaSample.id.desc()).limit(1)).first()
        if row is None:
            return None
        made = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
        return row.id if moment - made <= RESENT_WITHIN else None


def _same(column: Any, value: object) -> Any:
    return column.is_(None) if value is None else column == value


def already_given(evaluator: str, database_url: str | None) -> set[str]:
    """Contacts already sampled for, or evaluated by, ``evaluator`` (never twice)."""
    with session_scope(database_url) as session:
        given = set(session.scalars(select(QaSampleItem.chain).where(
            QaSampleItem.evaluator == evaluator)))
        done = set(session.scalars(select(QaEvaluation.contact_id).where(
            QaEvaluation.evaluator == evaluator)))
    return {c for chain in given for c in chain_ids(chain)} | done


def save_sample(sample: Sample, name: str, evaluator: str | None, author: str,
                database_url: str | None, from_: str | None = None, to: str | None = None,
                min_per_agent: int = 1, form_id: int | None = None,
                tenant: str | None = None, risk: bool | None = None,
                tz: str | None = None) -> int:
    """Store a drawn sample; ``risk`` and ``tz``: risk-weighted, and the zone its From
    and To were read in (None: not said, as by the command line)."""
    check_length("the sample's name", name, NAME_CHARS)
    check_length("the time zone", tz, NAME_CHARS)
    check_length("evaluator", evaluator, NAME_CHARS)
    if not sample.units:  # "0 of 0" was saved for an evaluator, with no word
        raise UsageError(
            "nothing saved: no handled contact in this period to sample"
            if not sample.population else
            f"nothing saved: none of the {sample.population:,} handled contact(s) of this "
            "period was drawn (the evaluator's earlier samples had them, or the rate with "
            "no minimum per agent draws none)")
    with session_scope(database_url) as session:
        row = QaSample(name=name, seed=sample.seed, rate=sample.rate,
                       min_per_agent=min_per_agent, period_from=from_, period_to=to,
                       evaluator=evaluator, form_id=form_id, tenant=tenant, risk=risk,
                       tz=tz, population=sample.population, created_by=author)
        session.add(row)
        session.flush()
        for unit in sample.units:
            session.add(QaSampleItem(sample_id=row.id, contact_id=unit.contact_id,
                                     chain=chain_text(unit.chain), agent_id=unit.agent_id,
                                     channel=unit.channel, queue=unit.queue,
                                     tenant=unit.tenant, site=unit.site,
                                     evaluator=evaluator))
        return row.id


def samples_named(name: str, database_url: str | None) -> int:
    """How many saved samples already have this name."""
    from sqlalchemy import func

    with session_scope(database_url) as session:
        return int(session.scalar(select(func.count()).select_from(QaSample).where(
            QaSample.name == name)) or 0)


EVALUATOR_ROLES = ("admin", "supervisor")
"""The accounts that work through a sample's queue (an agent or a client account is
refused the evaluation pages)."""


def evaluator_problem(evaluator: str, database_url: str | None) -> str | None:
    """Why a sample queued for ``evaluator`` would wait unseen, or None: the database has
    accounts and none is named so (a typo, or an account not made yet), or the account
    cannot evaluate (an agent, a client, a disabled one). A database without accounts
    (the demo without logins) takes any name."""
    from sqlalchemy import func

    from omnikpi.store.models import User

    with session_scope(database_url) as session:
        accounts = int(session.scalar(select(func.count()).select_from(User)) or 0)
        user = session.scalars(select(User).where(User.username == evaluator)).first()
        if not accounts:
            return None
        if user is None:
            return f"no account is named {evaluator!r}"
        if user.role not in EVALUATOR_ROLES:
            article = "an" if user.role[:1] in "aeiou" else "a"
            return (f"{evaluator!r} is {article} {user.role} account (only administrators "
                    "and supervisors evaluate)")
        if user.disabled:
            return f"the account {evaluator!r} is disabled"
    return None
