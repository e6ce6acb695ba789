"""The scenario file (TOML), validated into typed settings with messages that say what to fix."""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from omnikpi.errors import UsageError, describe_validation_error, read_text

Routing = Literal["longest_idle", "round_robin", "sequential", "ring_all", "least_loaded",
                  "skills_priority"]
Channel = Literal["voice", "chat", "email", "social", "messenger"]
LIVE_CHANNELS = ("voice", "chat", "messenger")


def _clock(text: str) -> time:
    """A clock time HH:MM (or HH:MM:SS); 24:00 is the end of the day."""
    if text == "24:00":
        return time(0, 0)
    if not re.fullmatch(r"\d{2}:\d{2}(:\d{2})?", text or ""):
        raise ValueError(f"{text!r} is not a clock time such as '08:30'")
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a clock time such as '08:30'") from None


def _window(text: str) -> str:
    """A window of the day, START-END in clock times ("08:00-20:00"; "22:00-06:00" runs
    past midnight). A shift of "25:00-26:00" or an opening of "8-20" ended in a traceback
    when the simulation read it."""
    start, dash, end = text.partition("-")
    if not dash:
        raise ValueError(f"{text!r} is not a window such as '08:00-20:00'")
    _clock(start)
    _clock(end)
    if _clock_seconds(start) == _clock_seconds(end):  # "08:00-08:00" ran all day, unsaid
        raise ValueError(f"{text!r} starts and ends at the same time: write '00:00-24:00' "
                         "for the whole day")
    return text


Window = Annotated[str, AfterValidator(_window)]
"""START-END clock times of a day, checked when the scenario is read."""


def _clock_seconds(text: str) -> int:
    """Seconds since midnight of a checked clock time; "24:00" is the day's end, so a
    break may end at midnight."""
    if text == "24:00":
        return 24 * 3600
    moment = _clock(text)
    return moment.hour * 3600 + moment.minute * 60 + moment.second


class Strict(BaseModel):
    """No unknown keys, and no ``inf`` or ``nan`` in any number: TOML reads ``inf`` as a
    float that ``ge=0`` lets through, and an infinite duration or arrival rate made the
    simulation run forever."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class QueueSpec(Strict):
    name: str
    channel: Channel = "voice"
    arrivals_per_hour: float | None = Field(default=None, ge=0)
    arrivals_profile: list[tuple[str, float]] | None = None
    """[["08:00", 150], ["12:00", 220]]: the rate from each clock time on (each day)."""
    aht_seconds: float = Field(default=180, gt=0)
    aht_distribution: Literal["exponential", "lognormal", "fixed"] = "exponential"
    patience_seconds: float | None = Field(default=None, gt=0)
    max_queue: int | None = Field(default=None, ge=0)
    acw_seconds: float = Field(default=0, ge=0)
    transfer_rate: float = Field(default=0, ge=0, le=1)
    transfer_to: str | None = None
    resolution_rate: float = Field(default=0.8, ge=0, le=1)
    repeat_rate: float = Field(default=0, ge=0, le=1)
    """Share of handled contacts whose customer contacts the center again within a day.
    Repeats come on top of ``arrivals_per_hour``, so the default is 0: a scenario with
    only arrivals, AHT and agents offers exactly the stated rate (as Erlang C assumes)."""
    sale_rate: float = Field(default=0, ge=0, le=1)
    """Share of handled contacts that end in a sale (outcome ``sale``): cross-selling on
    service calls, for the sales KPIs."""
    site: str | None = None
    tenant: str | None = None
    topics: list[str] = Field(default_factory=lambda: ["billing", "tech", "orders"],
                              min_length=1)
    """Each contact draws one of them: ``topics = []`` left nothing to draw (a traceback)."""
    open: Window = "00:00-24:00"
    """Hours the queue accepts contacts each day; live contacts outside are not offered."""

    @field_validator("arrivals_profile")
    @classmethod
    def _profile(cls, value: list[tuple[str, float]] | None) -> list[tuple[str, float]] | None:
        """The profile in clock order, each clock time once: the simulation took the rate
        before the first clock time (yesterday's last) from the last pair as written, so
        [["12:00", 0], ["08:00", 100]] offered 100 an hour from midnight to 08:00 and its
        sorted form none; a clock time given twice has no one rate."""
        if value is None:
            return None
        seen: dict[int, str] = {}
        for clock, rate in value:
            _clock(clock)
            if clock == "24:00":  # the day's end: a rate from it never applied
                raise ValueError("the arrival profile gives a rate from '24:00', the end of "
                                 "the day: give it from '00:00'")
            if rate < 0:
                raise ValueError("arrival rates must be ≥ 0")
            moment = _clock_seconds(clock)
            if moment in seen:
                raise ValueError(f"the arrival profile gives {seen[moment]!r} twice "
                                 f"({clock!r}): give each clock time once")
            seen[moment] = clock
        return sorted(value, key=lambda pair: _clock_seconds(pair[0]))


class AgentGroup(Strict):
    name: str
    count: int = Field(ge=0)
    skills: list[str]
    capacity: int = Field(default=1, ge=1)
    shift: Window = "08:00-16:00"
    breaks: list[tuple[str, str]] = Field(default_factory=list)

    @field_validator("breaks")
    @classmethod
    def _break_clocks(cls, value: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Each break ends after it starts on the same day: the simulation places a break
        at its clock times of each day, so an end before the start put agents on a break
        that never began in the shift activities. A break across midnight is two breaks."""
        for start, end in value:
            begins = _clock_seconds(start)
            if _clock_seconds(end) <= begins:
                raise ValueError(
                    f"break [{start!r}, {end!r}] does not end after it starts; a break "
                    f"across midnight must be split in two: [{start!r}, '24:00'] and "
                    f"['00:00', {end!r}]")
        return value
    site: str | None = None
    tenant: str | None = None


class Outage(Strict):
    channel: Channel
    """One of the channels a queue can have: an outage of "phone" blocked nothing."""
    queue: str | None = None
    start: datetime
    end: datetime


class SurveySpec(Strict):
    survey: Literal["csat", "nps", "ces"]
    response_rate: float = Field(ge=0, le=1)
    scale_min: int = 1
    scale_max: int = 5
    weights: list[float]
    """Relative frequency of each score from scale_min to scale_max."""

    @model_validator(mode="after")
    def _weights_fit_the_scale(self) -> SurveySpec:
        """One weight ≥ 0 per score of the scale, not all 0: the simulation draws the
        scores with them, and a mismatch crashed it mid-run (or, negative, was taken)."""
        if self.scale_min > self.scale_max:
            raise ValueError(f"scale_min {self.scale_min} is above scale_max {self.scale_max}")
        scores = self.scale_max - self.scale_min + 1
        if len(self.weights) != scores:
            raise ValueError(f"weights has {len(self.weights)} numbers, the scale "
                             f"{self.scale_min}..{self.scale_max} has {scores} scores")
        if any(w < 0 for w in self.weights):
            raise ValueError("weights must be ≥ 0")
        if not any(self.weights):
            raise ValueError("weights must not all be 0")
        return self


class Campaign(Strict):
    name: str
    attempts_per_hour: float = Field(ge=0)
    connect_rate: float = Field(ge=0, le=1)
    rpc_rate: float = Field(ge=0, le=1)
    conversion_rate: float = Field(ge=0, le=1)
    agents: list[str] = Field(default_factory=list)
    """Agent groups whose agents take the calls the dialer connects (in turn)."""
    leads: int = Field(default=1000, ge=1)
    talk_seconds: float = Field(default=120, gt=0)
    wrap_seconds: float = Field(default=0, ge=0)
    """After-call work of a connected call, in seconds (the agent's ``acw``)."""


class Scenario(Strict):
    seed: int = 7
    start: datetime
    duration_hours: float | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, ge=1)
    routing: Routing = "longest_idle"
    queues: list[QueueSpec]
    agent_groups: list[AgentGroup]
    outages: list[Outage] = Field(default_factory=list)
    surveys: list[SurveySpec] = Field(default_factory=list)
    campaigns: list[Campaign] = Field(default_factory=list)
    customers: int = Field(default=5000, ge=1)
    streams: Literal["shared", "per_queue"] = "shared"
    """``per_queue``: each queue draws its arrivals, customers, topics, handle times and
    patience from streams of its own, so a what-if that changes one queue (or the volume)
    leaves the other queues' callers as they were; ``shared`` (the default, and what the
    bundled demo data was made with): one stream of each kind for the whole center."""

    @field_validator("outages")
    @classmethod
    def _outages_in_the_start_offset(cls, value: list[Outage],
                                     info: ValidationInfo) -> list[Outage]:
        """Outage times without a UTC offset are read in the scenario start's offset (the
        simulation compares them with it: naive against aware was a TypeError); an outage
        must end after it starts."""
        start = info.data.get("start")
        if not isinstance(start, datetime):
            return value  # the start's own error is reported
        return [_outage_in(start, n, outage) for n, outage in enumerate(value)]

    @field_validator("days")
    @classmethod
    def _one_length(cls, value: int | None, info: ValidationInfo) -> int | None:
        """``duration_hours`` or ``days``, not both: with both, the run lasted
        ``duration_hours`` and ``days`` was ignored without a word."""
        hours = info.data.get("duration_hours")
        if value is not None and hours is not None:
            raise ValueError(f"duration_hours = {hours:g} and days = {value} are both "
                             "given: give one or the other")
        return value

    def hours(self) -> float:
        if self.duration_hours is not None:
            return self.duration_hours
        return 24.0 * (self.days or 1)


def _outage_in(start: datetime, n: int, outage: Outage) -> Outage:
    """The outage with its times in ``start``'s offset when they have none."""
    times: dict[str, Any] = {}
    for key in ("start", "end"):
        moment: datetime = getattr(outage, key)
        if moment.tzinfo is None and start.tzinfo is not None:
            times[key] = moment.replace(tzinfo=start.tzinfo)
        elif moment.tzinfo is not None and start.tzinfo is None:
            raise ValueError(f"outage {n + 1} {key} {moment.isoformat()} has a UTC offset "
                             "but the scenario start has none: give both or neither one")
    changed = outage.model_copy(update=times) if times else outage
    if changed.end <= changed.start:
        raise ValueError(f"outage {n + 1} end {changed.end.isoformat()} is not after its "
                         f"start {changed.start.isoformat()}")
    return changed


def load_scenario(path: Path) -> Scenario:
    return parse_scenario(read_text(path, "scenario file"), str(path))


def parse_scenario(text: str, where: str) -> Scenario:
    """A scenario from its TOML text (a file's, or one pasted on the what-if page);
    ``where`` names it in the messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"scenario {where} is not valid TOML: {exc}") from exc
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise UsageError(describe_validation_error(f"scenario {where}", exc)) from exc
    check_references(scenario, where)
    return scenario


def check_references(scenario: Scenario, where: str) -> None:
    """What one part of a scenario says of another: unique names, known queues, groups."""
    names = {q.name for q in scenario.queues}
    if len(names) != len(scenario.queues):
        raise UsageError(f"scenario {where}: queue names must be unique")
    _check_group_names(scenario, where)
    _check_outage_queues(scenario, where)
    for group in scenario.agent_groups:
        unknown = [s for s in group.skills if s not in names]
        if unknown:
            raise UsageError(f"scenario {where}: agent group {group.name} has unknown skills "
                             f"{', '.join(unknown)} (queues: {', '.join(sorted(names))})")
    for q in scenario.queues:
        if q.transfer_to and q.transfer_to not in names:
            raise UsageError(f"scenario {where}: queue {q.name} transfers to unknown queue "
                             f"{q.transfer_to}")
        if q.arrivals_per_hour is None and not q.arrivals_profile:
            raise UsageError(f"scenario {where}: queue {q.name} needs arrivals_per_hour or "
                             "arrivals_profile")
        if q.arrivals_per_hour is not None and q.arrivals_profile:
            # the profile won and the hourly rate was ignored, without a word
            raise UsageError(f"scenario {where}: queue {q.name} gives both arrivals_per_hour "
                             "and arrivals_profile: give one or the other")
        if q.patience_seconds is not None and q.channel not in LIVE_CHANNELS:
            # a customer of e-mail or social waits for the answer, never hangs up: the
            # simulation ignored the patience without a word
            raise UsageError(f"scenario {where}: queue {q.name} is {q.channel}, where nobody "
                             "abandons: patience_seconds applies to "
                             f"{', '.join(LIVE_CHANNELS)} queues")
        if q.transfer_rate and not q.transfer_to:
            raise UsageError(f"scenario {where}: queue {q.name} has transfer_rate "
                             f"{q.transfer_rate:g} but no transfer_to: name the queue the "
                             "contacts are transferred to")
    _check_calendar(scenario, where)
    groups = {g.name for g in scenario.agent_groups}
    campaigns: set[str] = set()
    for c in scenario.campaigns:
        # a campaign dials from a stream of its name: two of one name dialed the same
        # leads at the same instants, and their rows could not be told apart
        if c.name in campaigns:
            raise UsageError(f"scenario {where}: campaign names must be unique "
                             f"({c.name} twice)")
        campaigns.add(c.name)
        if not c.agents and c.attempts_per_hour > 0:
            # the dialer connects a call to the campaign's agents: with none it dialed
            # nothing at all, and the run said nothing of the campaign
            raise UsageError(f"scenario {where}: campaign {c.name} names no agent groups: "
                             "set agents = [\"GROUP\", …] (the groups that take its calls)")
        unknown = [g for g in c.agents if g not in groups]
        if unknown:
            raise UsageError(f"scenario {where}: campaign {c.name} has unknown agent groups "
                             f"{', '.join(unknown)}")


LATEST = datetime(9999, 12, 31, tzinfo=UTC)
"""The latest end of a run (UTC): a day before the last date Python has, for work that
goes on past the run's end (a call in progress, a survey answered ten minutes after)."""


def _check_calendar(scenario: Scenario, where: str) -> None:
    """A run within the dates the simulation writes (in UTC): a start late in 9999 with
    two days, or ``duration_hours = 1e12``, ended in an OverflowError traceback."""
    start = scenario.start if scenario.start.tzinfo else scenario.start.replace(tzinfo=UTC)
    try:
        begins: datetime | None = start.astimezone(UTC)
    except OverflowError:  # 9999-12-31T20:00-05:00 is in the year 10000 in UTC
        begins = None
        if start.year == 1:  # 0001-01-01T01:00+05:00: in the year 0
            raise UsageError(f"scenario {where}: start {scenario.start.isoformat()} is "
                             "before 0001-01-01 in UTC: start later") from None
    try:
        ends = None if begins is None else begins + timedelta(hours=scenario.hours())
    except OverflowError:
        ends = None
    if ends is None or ends > LATEST:
        raise UsageError(f"scenario {where}: a run from {scenario.start.isoformat()} for "
                         f"{scenario.hours():g} hours ends after {LATEST:%Y-%m-%d} (UTC), "
                         "the latest end the simulation writes: start earlier or run "
                         "shorter")


def _check_group_names(scenario: Scenario, where: str) -> None:
    """Agent ids are the group's name and a number: two groups of one name gave two
    agents each id, and the report quarantined their states."""
    seen: set[str] = set()
    for group in scenario.agent_groups:
        if group.name in seen:
            raise UsageError(f"scenario {where}: agent group names must be unique "
                             f"({group.name} twice)")
        seen.add(group.name)


def _check_outage_queues(scenario: Scenario, where: str) -> None:
    """An outage's queue is one of the scenario's, of the outage's channel: otherwise the
    outage blocked nothing, silently."""
    channels = {q.name: q.channel for q in scenario.queues}
    for n, outage in enumerate(scenario.outages, 1):
        if outage.queue is None:
            continue
        if outage.queue not in channels:
            raise UsageError(f"scenario {where}: outage {n} names unknown queue "
                             f"{outage.queue} (queues: {', '.join(sorted(channels))})")
        if channels[outage.queue] != outage.channel:
            raise UsageError(f"scenario {where}: outage {n} is of channel {outage.channel} "
                             f"but queue {outage.queue} is {channels[outage.queue]}")
