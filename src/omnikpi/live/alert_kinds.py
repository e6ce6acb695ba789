"""What each alert kind watches in a live snapshot, and the sentence that tells a person.

A kind reads one number per subject of the snapshot: a queue row (tenant, site, queue,
channel), an agent, a chat agent or a switched-off channel. A rule of that kind compares
the number with its threshold (``below`` or ``above``); ``present`` kinds fire while the
subject exists at all. The sentence is built from facts (value, threshold, unit, subject)
kept with each firing, so the wallboard and the history page can say it in any language:
"SL 62 % < 80 % on queue Sales for 5 min".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

Translate = Callable[[str], str]
Direction = Literal["below", "above", "present"]
SUBJECT_DIMS = ("tenant", "site", "queue", "channel", "agent_id")


@dataclass(frozen=True)
class Kind:
    id: str
    label: str
    """The figure's short name in the sentence (translated)."""
    source: str
    """The snapshot's list: ``queues``, ``agent_list``, ``chat`` or ``unavailable``."""
    field: str
    direction: Direction
    unit: str
    """``ratio`` (0.8 is 80 %), ``seconds`` or ``count``: also the threshold's unit."""
    mode: str | None = None
    """Only queue rows of this channel mode (``continuous`` or ``discrete``)."""
    help: str = ""


KINDS: dict[str, Kind] = {k.id: k for k in (
    Kind("sl_below", "SL", "queues", "service_level", "below", "ratio",
         help="Fires when a queue's service level so far today is below the threshold, a "
              "ratio (0.8 is 80 %)."),
    Kind("abandon_over", "Abandon rate", "queues", "abandon_rate", "above", "ratio",
         help="Fires when a queue's abandon rate so far today is above the threshold, a "
              "ratio (0.05 is 5 %)."),
    Kind("longest_wait_over", "Longest wait", "queues", "longest_wait_s", "above", "seconds",
         mode="continuous",
         help="Fires when a contact of a queue has waited longer than the threshold, in "
              "seconds."),
    Kind("waiting_over", "Waiting", "queues", "waiting", "above", "count",
         mode="continuous",
         help="Fires when more contacts wait in a queue than the threshold."),
    Kind("available_below", "Agents available", "queues", "agents_available", "below",
         "count", help="Fires when fewer agents are available for a queue than the "
                       "threshold."),
    Kind("aht_over", "AHT", "queues", "aht", "above", "seconds",
         help="Fires when a queue's average handling time so far today is above the "
              "threshold, in seconds."),
    Kind("not_ready_over", "Not ready", "agent_list", "not_ready_s", "above", "seconds",
         help="Fires when an agent has been not ready longer than the threshold, in "
              "seconds."),
    Kind("adherence_below", "Adherence", "agent_list", "adherence", "below", "ratio",
         help="Fires when an agent's schedule adherence so far today is below the "
              "threshold, a ratio (0.9 is 90 %)."),
    Kind("backlog_age_over", "Oldest backlog item", "queues", "longest_wait_s", "above",
         "seconds", mode="discrete",
         help="Fires when the oldest e-mail or social item of a queue has waited longer "
              "than the threshold, in seconds."),
    Kind("widget_unavailable", "Channel unavailable", "unavailable", "", "present", "count",
         help="Fires when a channel or queue is unavailable to customers (the threshold is "
              "not used)."),
    Kind("agent_over_capacity", "Chats over capacity", "chat", "excess", "above", "count",
         help="Fires when an agent has more chats open than their capacity plus the "
              "threshold, in sessions."),
)}
ALERT_KINDS = tuple(KINDS)


@dataclass(frozen=True)
class Reading:
    """One subject's number now (None: nothing to judge, e.g. no SL yet today)."""

    key: str
    subject: dict[str, str]
    value: float | None


def _dims(row: dict[str, Any]) -> dict[str, str]:
    return {k: str(row[k]) for k in SUBJECT_DIMS if row.get(k) not in (None, "")}


def subject_key(dims: dict[str, str]) -> str:
    """The old readable key of a subject (``A / kyiv / sales / voice``, ``agent a7``,
    ``agent A / a7``). An agent's key holds its tenant: agent ids repeat across a
    provider's clients, and client B's a7 took over client A's firing (A's banner showed
    B's agent's figure, B never had one)."""
    if "agent_id" in dims:
        return f"agent {dims['tenant']} / {dims['agent_id']}" if "tenant" in dims \
            else f"agent {dims['agent_id']}"
    if set(dims) <= {"channel", "queue"} and "channel" in dims and "tenant" not in dims:
        return f"{dims['channel']}/{dims.get('queue', '*')}"
    return " / ".join(dims[k] for k in ("tenant", "site", "queue", "channel") if k in dims)


def queue_problem(kind_id: str, queue: str | None) -> str | None:
    """Why a rule of ``kind_id`` cannot be narrowed to ``queue``: an agent has no queue
    (an agent's not-ready time is their own, whatever queues they serve), so such a
    rule with a queue fired for every agent while it read as for that queue's."""
    kind = KINDS.get(kind_id)
    if queue and kind is not None and kind.source in ("agent_list", "chat"):
        return (f"a {kind_id} alert is about agents, who have no queue: leave the queue "
                "empty (narrow it by tenant, site or channel)")
    return None


def matches(rule: Any, dims: dict[str, str]) -> bool:
    """A rule's tenant/site/queue/channel narrows it. A subject without a queue or
    channel (an agent has no queue) is not narrowed by those; a subject without a tenant
    or site never matches a rule bound to one (a site supervisor's rule fired on queues
    of no site, and those firings reached their e-mail). A channel is read in lower case,
    as the live data and the boards' filter read it: a rule for "Voice" never fired."""
    for key in ("tenant", "site", "queue", "channel"):
        wanted = getattr(rule, key, None)
        if key == "channel" and isinstance(wanted, str):
            wanted = wanted.strip().lower()
        if wanted in (None, ""):
            continue
        if key not in dims:
            if key in ("tenant", "site"):
                return False
            continue
        if dims[key] != wanted:
            return False
    return True


def readings(kind: Kind, data: dict[str, Any]) -> Iterator[Reading]:
    """Every subject of the snapshot this kind judges, with its number."""
    for row in data.get(kind.source) or []:
        if kind.mode is not None and row.get("mode", kind.mode) != kind.mode:
            continue
        dims = _dims(row)
        if kind.direction == "present":
            value: float | None = 1.0
        elif kind.field == "excess":
            value = float(row["sessions"] - row["capacity"])
        else:
            raw = row.get(kind.field)
            value = None if raw is None else float(raw)
        yield Reading(subject_key(dims), dims, value)


def breached(kind: Kind, value: float | None, threshold: float) -> bool:
    if value is None:
        return False
    if kind.direction == "present":
        return True
    return value < threshold if kind.direction == "below" else value > threshold


def recovered(kind: Kind, value: float | None, clear_level: float) -> bool:
    """Back on the good side of the clearing level (hysteresis: it may lie beyond the
    threshold, so a value hovering at the threshold does not fire and clear in turn)."""
    if value is None:
        return True
    if kind.direction == "present":
        return False
    return value >= clear_level if kind.direction == "below" else value <= clear_level


# -- the sentence ---------------------------------------------------------------------------

SENTENCES = {
    "below": "{label} {value} < {threshold} on {where}",
    "above": "{label} {value} > {threshold} on {where}",
    "present": "{label} on {where}",
}
FOR_MINUTES = "{text} for {minutes} min"
WHERE = {
    "queue": "queue {queue}",
    "agent_id": "agent {agent_id}",
    "channel": "channel {channel}",
}
CLEARED = "Cleared: {text}"


def threshold_problem(kind: str, value: float) -> str | None:
    """What is wrong with a rule's threshold (or clearing level) for its kind, in words
    the page translates (None: fine). One rule for the page and the API: the API took
    ``sl_below`` 80 and fired "SL 100 % < 8000 %" on every queue."""
    if kind in KINDS and KINDS[kind].unit == "ratio" and not 0 <= value <= 1:
        return "For this kind the threshold is a ratio from 0 to 1 (0.8 is 80 %)."
    if value < 0:
        return "The threshold cannot be negative."
    return None


CLEAR_AT_OR_ABOVE = ("For this kind the alert clears once the value is back up to the clearing "
                     "level: it cannot be below the threshold.")
CLEAR_AT_OR_BELOW = ("For this kind the alert clears once the value is back down to the "
                     "clearing level: it cannot be above the threshold.")


def clear_level_problem(kind: str, threshold: float, clear_level: float | None
                        ) -> str | None:
    """What is wrong with a rule's clearing level next to its threshold, in words the
    page translates (None: fine). The level lies on the side the value recovers to
    (:func:`recovered`): at or above the threshold for a ``below`` kind, at or below it
    for an ``above`` kind. On the other side a firing cleared while the value was still
    in breach and fired again at the next sample (``sl_below`` 0.8 clearing at 0.5).
    Equal to the threshold is the same as no clearing level; a ``present`` kind uses
    neither number."""
    found = KINDS.get(kind)
    if found is None or clear_level is None:
        return None
    if found.direction == "below" and clear_level < threshold:
        return CLEAR_AT_OR_ABOVE
    if found.direction == "above" and clear_level > threshold:
        return CLEAR_AT_OR_BELOW
    return None


DECIMAL_SAMPLE = "0.5"
"""Translated as the language writes it ("0,5" in Russian and Ukrainian): the decimal
mark of a sentence ("244769.7 ч" mixed a Russian unit with an English point)."""


def number(value: float, unit: str, _: Translate = str) -> str:
    if unit == "ratio":
        # a tenth of a percent when the share has one: a rule clearing at 0.825 read
        # "82 %" (82.5 % is its level), and the decimal mark of the language
        shown = f"{value * 100:.1f}".removesuffix(".0")
        return shown.replace(".", _(DECIMAL_SAMPLE)[1:2] or ".") + " %"
    if unit == "seconds":
        if value >= 3600:
            mark = _(DECIMAL_SAMPLE)[1:2] or "."
            hours = f"{value / 3600:,.1f}"
            if mark != ".":  # "244 769,7": a narrow space groups where a comma is decimal
                hours = hours.replace(",", "\u202f").replace(".", mark)
            return f"{hours} {_('h')}"
        if value >= 60:
            minutes, seconds = divmod(round(value), 60)
            return f"{minutes} {_('min')} {seconds} {_('s')}" if seconds else \
                f"{minutes} {_('min')}"
        return f"{value:.0f} {_('s')}"
    return f"{value:.0f}"


def where(dims: dict[str, str], _: Translate = str) -> str:
    """``queue Sales (voice, kyiv, A)``, ``agent a7 (kyiv)``, ``channel chat``."""
    # a channel is a word of the interface ("голос"), the other values are names
    shown = {k: _(v) if k == "channel" else v for k, v in dims.items()}
    main = next((k for k in ("agent_id", "queue", "channel") if k in shown), None)
    if main is None:
        return ", ".join(shown.values())
    head = _(WHERE[main]).format(**{main: shown[main]})
    rest = [shown[k] for k in ("channel", "queue", "site", "tenant")
            if k in shown and k != main and not (main == "agent_id" and k == "channel")]
    return f"{head} ({', '.join(rest)})" if rest else head


def sentence(facts: dict[str, Any], _: Translate = str) -> str:
    """The alert in words, in the language of ``_``."""
    kind = KINDS.get(str(facts.get("kind")))
    if kind is None:
        return str(facts.get("message", ""))
    unit = str(facts.get("unit", kind.unit))
    value = facts.get("value")
    text = _(SENTENCES[kind.direction]).format(
        label=_(kind.label),
        value=number(float(value), unit, _) if value is not None else "—",
        threshold=number(float(facts.get("threshold") or 0.0), unit, _),
        where=where(dict(facts.get("subject") or {}), _))
    minutes = int(float(facts.get("held_s") or 0) // 60)
    if minutes >= 1:
        text = _(FOR_MINUTES).format(text=text, minutes=minutes)
    if facts.get("cleared"):
        text = _(CLEARED).format(text=text)
    return text


def words() -> list[str]:
    """Every English text of this module a translation file must carry."""
    out = [k.label for k in KINDS.values()] + [k.help for k in KINDS.values()]
    out += list(SENTENCES.values()) + list(WHERE.values()) + [
        FOR_MINUTES, CLEARED, DECIMAL_SAMPLE, CLEAR_AT_OR_ABOVE, CLEAR_AT_OR_BELOW]
    return out
