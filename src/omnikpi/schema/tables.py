"""Column specs of the canonical tables (`docs/spec/data-model.md`, contract v1).

The specs are data so that the loader, the validator, the docs and the connectors all
read one description of the contract instead of each carrying its own copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class ColumnType(StrEnum):
    STRING = "string"
    TIMESTAMP = "timestamp"  # held by the engine as int64 microseconds since the epoch, UTC
    FLOAT = "float"
    BOOL = "bool"
    DATE = "date"  # held as int64 days since the epoch


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = False
    """The column must exist in the file."""
    not_null: bool = False
    """Every row must hold a value (a null quarantines the row)."""
    default: str | None = None
    """Value used when the column is absent or the cell is empty."""
    choices: tuple[str, ...] = ()
    """Allowed values (case-insensitive); empty means free vocabulary."""
    min_value: float | None = None
    max_value: float | None = None
    """The largest value the column takes (a QA score out of 100: 850 is another scale)."""
    when_missing: str = ""
    """Why a required value may be missing, said with its problem (an agent state still
    going on when the file was exported has no end yet)."""
    lowercase: bool = False
    """A vocabulary whose case means nothing, read in lower case (a channel written
    ``Voice`` by one export and ``voice`` by another is one channel, and the engine reads
    channel modes case-insensitively already)."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    key: str | None = None
    """Column whose values must be unique (duplicates are quarantined)."""
    ordered: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Pairs (earlier, later) of timestamps that must not be reversed, or (lower, higher)
    of numbers (a survey's score within its scale)."""
    wider: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    """Pairs (lower, higher) of numbers where the higher must exceed the lower: a survey
    scale of one point (``scale_min`` = ``scale_max``) places no answer on it."""
    no_overlap: tuple[str, str, str] | None = None
    """(group, start, end): intervals of one group must not overlap (they would be
    counted twice); a later overlapping row is quarantined."""

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


S, TS, F, B, D = (
    ColumnType.STRING,
    ColumnType.TIMESTAMP,
    ColumnType.FLOAT,
    ColumnType.BOOL,
    ColumnType.DATE,
)

AGENT_STATES = ("available", "handling", "acw", "hold", "not_ready", "logged_out")

ACTIVE_STATES = ("available", "handling", "hold", "acw")
"""The states of ActiveTime (the chat metrics' denominator): the agent is there to work."""

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "contacts",
            (
                Column("contact_id", S, required=True, not_null=True),
                Column("parent_id", S),
                Column("channel", S, required=True, not_null=True, lowercase=True),
                Column("direction", S, default="inbound", choices=("inbound", "outbound")),
                Column("queue", S, required=True, not_null=True),
                Column("site", S),
                Column("tenant", S),
                Column("customer_id", S),
                Column("topic", S),
                Column("arrived_at", TS, required=True, not_null=True),
                Column("blocked", B, default="false"),
                Column("accepted_at", TS),
                Column("first_response_at", TS),
                Column("abandoned_at", TS),
                Column("ended_at", TS),
                Column("agent_id", S),
                Column("hold_seconds", F, min_value=0),
                Column("acw_seconds", F, min_value=0),
                Column("handle_seconds", F, min_value=0),
                Column("transferred", B, default="false"),
                Column("resolved", B),
                Column("outcome", S),
                Column("resolved_at", TS),
                Column("recording_uri", S),
            ),
            key="contact_id",
            ordered=(
                ("arrived_at", "accepted_at"),
                ("arrived_at", "first_response_at"),
                ("arrived_at", "abandoned_at"),
                ("arrived_at", "ended_at"),
                ("accepted_at", "ended_at"),
                ("arrived_at", "resolved_at"),
            ),
        ),
        Table(
            "messages",
            (
                Column("contact_id", S, required=True, not_null=True),
                Column("ts", TS, required=True, not_null=True),
                Column(
                    "sender",
                    S,
                    required=True,
                    not_null=True,
                    choices=("customer", "agent", "bot", "system"),
                ),
                Column("agent_id", S),
            ),
        ),
        Table(
            "agent_states",
            (
                Column("agent_id", S, required=True, not_null=True),
                Column("state", S, required=True, not_null=True, choices=AGENT_STATES),
                Column("reason", S),
                Column("start", TS, required=True, not_null=True),
                Column("end", TS, required=True, not_null=True, when_missing=(
                    "; a state still going on when the file was exported has no end yet: "
                    "export closed intervals, cut at the export time")),
                Column("channel", S, lowercase=True),
                Column("site", S),
                Column("tenant", S),
            ),
            ordered=(("start", "end"),),
            no_overlap=("agent_id", "start", "end"),
        ),
        Table(
            "shifts",
            (
                Column("agent_id", S, required=True, not_null=True),
                Column("start", TS, required=True, not_null=True),
                Column("end", TS, required=True, not_null=True),
                Column("paid", B, default="true"),
                Column("site", S),
                Column("tenant", S),
            ),
            ordered=(("start", "end"),),
            no_overlap=("agent_id", "start", "end"),
        ),
        Table(
            "shift_activities",
            (
                Column("agent_id", S, required=True, not_null=True),
                Column("activity", S, required=True, not_null=True),
                Column("start", TS, required=True, not_null=True),
                Column("end", TS, required=True, not_null=True),
                Column("paid", B, default="true"),
            ),
            ordered=(("start", "end"),),
        ),
        Table(
            "surveys",
            (
                Column("contact_id", S),
                Column("customer_id", S),
                Column(
                    "survey",
                    S,
                    required=True,
                    not_null=True,
                    choices=("csat", "cdsat", "ces", "nps", "esat"),
                ),
                Column("score", F, required=True, not_null=True),
                Column("scale_min", F, required=True, not_null=True),
                Column("scale_max", F, required=True, not_null=True),
                Column("answered_at", TS, required=True, not_null=True),
                Column("channel", S, lowercase=True),
            ),
            # a score outside its own scale (a 7 of 1–5) would count as top-box satisfied
            ordered=(("scale_min", "score"), ("score", "scale_max")),
            # a one-point scale: its answer counted in the NPS and CSAT denominators as
            # neither promoter nor detractor, top- nor bottom-box, without a word
            wider=(("scale_min", "scale_max"),),
        ),
        Table(
            "qa_evaluations",
            (
                Column("evaluation_id", S, required=True, not_null=True),
                Column("contact_id", S),
                Column("chain_id", S),
                Column("agent_id", S, required=True, not_null=True),
                Column("evaluator_id", S, required=True, not_null=True),
                Column("form_id", S, required=True, not_null=True),
                Column("evaluated_at", TS, required=True, not_null=True),
                Column("score", F, required=True, not_null=True, min_value=0,
                       max_value=100),
                Column("critical_error", B, default="false"),
                Column("calibration", B, default="false"),
            ),
            key="evaluation_id",
        ),
        Table(
            "qa_items",
            (
                Column("evaluation_id", S, required=True, not_null=True),
                Column("item_id", S, required=True, not_null=True),
                Column("weight", F, required=True, not_null=True, min_value=0),
                Column("score", F),
                Column("critical", B, default="false"),
            ),
        ),
        Table(
            "roster",
            (
                Column("agent_id", S, required=True, not_null=True),
                Column("hired_on", D, required=True, not_null=True),
                Column("left_on", D),
                Column(
                    "leave_type",
                    S,
                    choices=("voluntary", "involuntary", "internal_move", "company_move"),
                ),
                Column("site", S),
                Column("tenant", S),
            ),
            ordered=(("hired_on", "left_on"),),
        ),
        Table(
            "dial_attempts",
            (
                Column("attempt_id", S, required=True, not_null=True),
                Column("campaign", S, required=True, not_null=True),
                Column("lead_id", S, required=True, not_null=True),
                Column("lead_type", S, choices=("unqualified", "qualified", "customer")),
                Column("dialed_at", TS, required=True, not_null=True),
                Column("agent_id", S),
                Column(
                    "result",
                    S,
                    required=True,
                    not_null=True,
                    choices=("connected", "no_answer", "busy", "failed", "invalid", "dropped"),
                ),
                Column("right_party", B, default="false"),
                Column("converted", B, default="false"),
                Column("talk_seconds", F, min_value=0),
            ),
            key="attempt_id",
        ),
        Table(
            "costs",
            (
                Column("period_start", TS, required=True, not_null=True),
                Column("period_end", TS, required=True, not_null=True),
                Column("channel", S, lowercase=True),
                Column("queue", S),
                Column("tenant", S),
                Column("category", S, required=True, not_null=True),
                Column("amount", F, required=True, not_null=True),
            ),
            ordered=(("period_start", "period_end"),),
        ),
        Table(
            "availability",
            (
                Column("channel", S, required=True, not_null=True, lowercase=True),
                Column("queue", S),
                Column("start", TS, required=True, not_null=True),
                Column("end", TS, required=True, not_null=True),
                Column(
                    "status", S, required=True, not_null=True, choices=("planned", "unavailable")
                ),
            ),
            ordered=(("start", "end"),),
        ),
        Table(
            "ivr_sessions",
            (
                Column("session_id", S, required=True, not_null=True),
                Column("entered_at", TS, required=True, not_null=True),
                Column("left_at", TS, required=True, not_null=True),
                Column("result", S, required=True, not_null=True,
                       choices=("to_queue", "self_served", "abandoned", "error")),
                Column("contact_id", S),
                Column("channel", S, lowercase=True),
                Column("site", S),
                Column("tenant", S),
                Column("menu_path", S),
            ),
            key="session_id",
            ordered=(("entered_at", "left_at"),),
        ),
        Table(
            "talk_analytics",
            (
                Column("contact_id", S, required=True, not_null=True),
                Column("duration_s", F, required=True, not_null=True, min_value=0),
                Column("agent_talk_s", F, min_value=0),
                Column("customer_talk_s", F, min_value=0),
                Column("silence_s", F, min_value=0),
                Column("longest_silence_s", F, min_value=0),
                Column("overtalk_s", F, min_value=0),
                Column("overtalk_count", F, min_value=0),
                Column("longest_agent_monologue_s", F, min_value=0),
            ),
            key="contact_id",
        ),
        Table(
            "employee_surveys",
            (
                Column("agent_id", S, required=True, not_null=True),
                Column("answered_at", TS, required=True, not_null=True),
                Column("dimension", S, required=True, not_null=True),
                # the contract's 1–10: a 0 or a 150 (another scale, a typo) moved a
                # dimension's mean without a word
                Column("score", F, required=True, not_null=True, min_value=1,
                       max_value=10),
            ),
        ),
    )
}

CONTACT_DIMENSIONS = ("queue", "channel", "site", "tenant", "agent_id", "topic", "direction")

INBOUND_SQL = "coalesce(direction, 'inbound') <> 'outbound'"
"""A loaded contact a customer made and waited on, in SQL over the contacts table: an
outbound contact (the agent's own call or e-mail) is nobody's wait (docs/decisions.md;
the engine's form is ``contact_facts._received``)."""
