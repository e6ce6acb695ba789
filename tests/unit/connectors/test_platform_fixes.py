"""Defects of the shipped platform mappings and of the JSON-lines reader, each on a small
export written here by hand from the platform's documented fields; the waits and
resolution times are worked out in the comments (see ``test_platform_mappings.py`` for
each mapping's fixture test)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from tests.unit.connectors.test_platform_mappings import _import, _s, _said

import omnikpi
from omnikpi.config import DEFAULT_MODES


def _contact_record(contact_id: str, channel: str, reason: str | None, initiated: str,
                    enqueued: str | None, dequeued: str | None, disconnected: str,
                    agent: dict[str, Any] | None = None, **more: Any) -> dict[str, Any]:
    """An Amazon Connect contact record (CTR) as the export stream writes it."""
    record: dict[str, Any] = {
        "AWSAccountId": "123456789012", "ContactId": contact_id, "Channel": channel,
        "InitiationMethod": "INBOUND" if channel == "VOICE" else "API",
        "InitiationTimestamp": initiated, "DisconnectTimestamp": disconnected,
        "LastUpdateTimestamp": disconnected.replace("Z", ".250Z"),
        "Queue": {"Name": "Support", "EnqueueTimestamp": enqueued,
                  "DequeueTimestamp": dequeued} if enqueued else None,
        "Agent": agent, **more}
    if reason is not None:
        record["DisconnectReason"] = reason
    return record


def _lines(path: Path, *records: dict[str, Any]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


# -- Amazon Connect: the channel of a task and of a chat's subtype --------------------------

def test_amazon_connect_task_and_chat_subtypes_are_channels_omnikpi_measures(
        tmp_path: Path) -> None:
    """A TASK was channel "task", which OmniKPI does not know: measured as a call, a task
    an agent took after 2 hours missed a 20-second service level. It is deferred work,
    measured as e-mail (24 hours). A chat's subtype (SegmentAttributes connect:Subtype)
    tells WhatsApp and Apple Messages (messenger) and SMS (sms) from web chat."""
    def subtype(name: str) -> dict[str, Any]:
        return {"SegmentAttributes": {"connect:Subtype": {"ValueString": name}}}
    agent = {"Username": "oksana", "ConnectedToAgentTimestamp": "2024-06-04T11:00:00Z",
             "AfterContactWorkDuration": 0}
    source = _lines(
        tmp_path / "ctr.json",
        # a task queued at 09:00, taken at 11:00 (2 h), done at 11:20
        _contact_record("t-1", "TASK", "AGENT_COMPLETED", "2024-06-04T08:59:58Z",
                        "2024-06-04T09:00:00Z", "2024-06-04T11:00:00Z",
                        "2024-06-04T11:20:00Z", agent,
                        SegmentAttributes={"connect:ContactExpiry": {"ValueInteger": 2880}}),
        _contact_record("w-1", "CHAT", "CUSTOMER_DISCONNECT", "2024-06-04T10:00:00Z",
                        "2024-06-04T10:00:02Z", "2024-06-04T10:00:40Z",
                        "2024-06-04T10:00:40Z", **subtype("connect:WhatsApp")),
        _contact_record("a-1", "CHAT", "CUSTOMER_DISCONNECT", "2024-06-04T10:01:00Z",
                        "2024-06-04T10:01:02Z", "2024-06-04T10:01:30Z",
                        "2024-06-04T10:01:30Z", **subtype("connect:Apple")),
        _contact_record("s-1", "CHAT", "CUSTOMER_DISCONNECT", "2024-06-04T10:02:00Z",
                        "2024-06-04T10:02:02Z", "2024-06-04T10:02:30Z",
                        "2024-06-04T10:02:30Z", **subtype("connect:SMS")),
        _contact_record("c-1", "CHAT", "CUSTOMER_DISCONNECT", "2024-06-04T10:03:00Z",
                        "2024-06-04T10:03:02Z", "2024-06-04T10:03:30Z",
                        "2024-06-04T10:03:30Z", **subtype("connect:Chat")),
        _contact_record("c-2", "CHAT", "CUSTOMER_DISCONNECT", "2024-06-04T10:04:00Z",
                        "2024-06-04T10:04:02Z", "2024-06-04T10:04:30Z",
                        "2024-06-04T10:04:30Z"),  # no subtype: web chat
    )
    rows = _import("amazon-connect", source, tmp_path / "out")
    channels = {key: row["channel"] for key, row in rows.items()}
    assert channels == {"t-1": "email", "w-1": "messenger", "a-1": "messenger",
                        "s-1": "sms", "c-1": "chat", "c-2": "chat"}
    assert set(channels.values()) <= set(DEFAULT_MODES)
    task = rows["t-1"]
    assert _s(task["first_response_at"], task["arrived_at"]) == 7200.0
    assert _s(task["ended_at"], task["accepted_at"]) == 1200.0
    sessions = pq.read_table(tmp_path / "out" / "ivr_sessions.parquet").to_pylist()
    assert {s["session_id"]: s["channel"] for s in sessions}["flow-t-1"] == "email"
    report = omnikpi.report_result(tmp_path / "out", metrics=["answered", "service_level"],
                                   by=["channel"]).rows
    # the task answered after 2 h is on time for e-mail's 24 h (as "task", against 20 s,
    # it was late: service level 0)
    assert {r["channel"]: (r["answered"], r["service_level"]) for r in report}["email"] == (
        1, 1.0)


# -- Amazon Connect: only the customer leaving the queue is an abandon ----------------------

def test_amazon_connect_only_the_customer_leaving_the_queue_is_an_abandon(
        tmp_path: Path) -> None:
    """A task that expired after a week in its queue and a call the flow took out of the
    queue (a callback offered, closed hours) were abandoned: an average abandon time of
    days, a callback the customer chose counted against the centre. They are timeouts:
    offered, neither answered nor abandoned, ended when they left the queue, `outcome`
    the reason. The customer hanging up in the queue, the line dropping, and a record
    without a reason (an older export) are abandoned."""
    agent = {"Username": "ivan", "ConnectedToAgentTimestamp": "2024-06-03T09:50:20Z",
             "AfterContactWorkDuration": 10}
    source = _lines(
        tmp_path / "ctr.json",
        # the task expired: queued 2024-06-03 09:20:01, left the queue 2024-06-10 09:00
        _contact_record("c-0003", "TASK", "EXPIRED", "2024-06-03T09:20:00Z",
                        "2024-06-03T09:20:01Z", "2024-06-10T09:00:00Z",
                        "2024-06-10T09:00:00Z"),
        # the flow took the caller out of the queue at 09:39 (queued at 09:30:30)
        _contact_record("c-0004", "VOICE", "CONTACT_FLOW_DISCONNECT", "2024-06-03T09:30:00Z",
                        "2024-06-03T09:30:30Z", "2024-06-03T09:39:00Z",
                        "2024-06-03T09:40:00Z"),
        # the caller hung up after 45 s in the queue
        _contact_record("c-0005", "VOICE", "CUSTOMER_DISCONNECT", "2024-06-03T09:40:00Z",
                        "2024-06-03T09:40:10Z", "2024-06-03T09:40:55Z",
                        "2024-06-03T09:40:55Z"),
        # the line dropped after 30 s in the queue
        _contact_record("c-0006", "VOICE", "TELECOM_PROBLEM", "2024-06-03T09:45:00Z",
                        "2024-06-03T09:45:05Z", "2024-06-03T09:45:35Z",
                        "2024-06-03T09:45:35Z"),
        # an older record without DisconnectReason: left after 75 s unanswered
        _contact_record("c-0007", "VOICE", None, "2024-06-03T09:47:00Z",
                        "2024-06-03T09:47:05Z", "2024-06-03T09:48:20Z",
                        "2024-06-03T09:48:20Z"),
        # answered after 20 s, talk to 09:53:20, 10 s ACW
        _contact_record("c-0008", "VOICE", "AGENT_DISCONNECT", "2024-06-03T09:49:55Z",
                        "2024-06-03T09:50:00Z", "2024-06-03T09:50:20Z",
                        "2024-06-03T09:53:20Z", agent),
    )
    rows = _import("amazon-connect", source, tmp_path / "out")
    expired, flow = rows["c-0003"], rows["c-0004"]
    assert (expired["abandoned_at"], expired["first_response_at"]) == (None, None)
    assert expired["ended_at"].isoformat() == "2024-06-10T09:00:00"
    assert (expired["outcome"], expired["channel"]) == ("expired", "email")
    assert flow["abandoned_at"] is None and flow["ended_at"].isoformat() == "2024-06-03T09:39:00"
    assert flow["outcome"] == "contact_flow_disconnect"
    assert _s(rows["c-0005"]["abandoned_at"], rows["c-0005"]["arrived_at"]) == 45.0
    assert _s(rows["c-0006"]["abandoned_at"], rows["c-0006"]["arrived_at"]) == 30.0
    assert _s(rows["c-0007"]["abandoned_at"], rows["c-0007"]["arrived_at"]) == 75.0
    for abandoned in ("c-0005", "c-0006", "c-0007"):
        assert rows[abandoned]["ended_at"] is None
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "abandoned", "avg_abandon_time", "asa", "handled",
        "aht"]).rows[0]
    # offered: all six; abandoned: the hang-up, the dropped line and the record without a
    # reason (45, 30 and 75 s); the expired task and the flow's dequeue neither answered
    # nor abandoned; handled the one answered call, 180 s talk + 10 s ACW
    assert report == {"offered": 6, "answered": 1, "abandoned": 3,
                      "avg_abandon_time": (45 + 30 + 75) / 3, "asa": 20.0, "handled": 1,
                      "aht": 190.0}


# -- Freshdesk -------------------------------------------------------------------------------

def _ticket(ticket_id: int, status: int, updated: str, stats: dict[str, Any],
            *conversations: tuple[int, bool, bool, str]) -> dict[str, Any]:
    """A Freshdesk ticket with ``include=conversations,stats``; each conversation
    (id, incoming, private, created_at)."""
    return {"id": ticket_id, "source": 7, "status": status, "requester_id": 7000 + ticket_id,
            "responder_id": 9002, "group_id": 502, "created_at": "2024-06-03T10:00:00Z",
            "updated_at": updated, "stats": stats,
            "conversations": [{"id": c, "incoming": incoming, "private": private,
                               "user_id": 7000 + ticket_id if incoming else 9002,
                               "created_at": at}
                              for c, incoming, private, at in conversations]}


def test_freshdesk_a_ticket_from_twitter_or_facebook_is_social(tmp_path: Path) -> None:
    """Sources 5 (Twitter) and 6 (Facebook), which older accounts' tickets carry, were
    e-mail: they are the social channel (docs/connectors.md, "Channels"); phone is
    voice, chat chat, the rest e-mail."""
    stats = {"first_responded_at": "2024-06-03T10:02:00Z"}
    tickets = [{**_ticket(3000 + source, 2, "2024-06-03T11:00:00Z", stats,
                          (source, False, False, "2024-06-03T10:02:00Z")), "source": source}
               for source in (1, 2, 3, 5, 6, 7, 9)]
    (tmp_path / "t.json").write_text(json.dumps(tickets))
    rows = _import("freshdesk", tmp_path / "t.json", tmp_path / "out")
    assert {ticket: row["channel"] for ticket, row in rows.items()} == {
        "3001": "email", "3002": "email", "3003": "voice", "3005": "social",
        "3006": "social", "3007": "chat", "3009": "email"}


def test_freshdesk_tickets_nobody_answered_yet_are_offered(tmp_path: Path) -> None:
    """An export of two new e-mails with no conversation yet (``"conversations": []``)
    was read as pages with nothing in them: neither was offered, and the e-mail backlog
    hid them. Both are contacts, unanswered; with one answered ticket beside them as
    well."""
    stats = {"first_responded_at": None}
    new = [{**_ticket(4001 + i, 2, "2024-06-03T10:00:00Z", stats), "source": 1}
           for i in range(2)]
    (tmp_path / "new.json").write_text(json.dumps(new))
    rows = _import("freshdesk", tmp_path / "new.json", tmp_path / "out")
    assert sorted(rows) == ["4001", "4002"]
    assert all(r["first_response_at"] is None and r["channel"] == "email"
               for r in rows.values())
    answered = _ticket(4003, 2, "2024-06-03T11:00:00Z",
                       {"first_responded_at": "2024-06-03T10:30:00Z"},
                       (1, False, False, "2024-06-03T10:30:00Z"))
    (tmp_path / "mixed.json").write_text(json.dumps([*new, answered]))
    assert sorted(_import("freshdesk", tmp_path / "mixed.json", tmp_path / "mixed")) == \
        ["4001", "4002", "4003"]


def test_freshdesk_an_export_without_conversations_is_not_read_as_unanswered(
        tmp_path: Path) -> None:
    """Tickets exported without ``include=conversations`` (no key at all): every one
    would read unanswered, its first reply being in the conversations. Nothing is
    imported, and the summary says why — as before records' lists were told apart from
    pages'."""
    ticket = _ticket(4101, 4, "2024-06-03T12:00:00Z",
                     {"first_responded_at": "2024-06-03T10:30:00Z"})
    del ticket["conversations"]
    (tmp_path / "t.json").write_text(json.dumps([ticket]))
    said = _said("freshdesk", tmp_path / "out", tmp_path / "t.json")
    assert "a record without its conversations (the export was made without them" in said
    assert not (tmp_path / "out" / "contacts.parquet").exists() or \
        pq.read_table(tmp_path / "out" / "contacts.parquet").num_rows == 0


def test_freshdesk_a_reopened_ticket_is_not_resolved(tmp_path: Path) -> None:
    """A ticket resolved at 11:00 and reopened at 15:00 (open now) keeps its earlier
    stats.resolved_at: its resolution_time (1 h) was counted while it was open again.
    Only a resolved or closed ticket has a resolved_at."""
    (tmp_path / "t.json").write_text(json.dumps([
        _ticket(2003, 2, "2024-06-03T15:00:00Z",
                {"first_responded_at": "2024-06-03T10:02:00Z",
                 "resolved_at": "2024-06-03T11:00:00Z",
                 "reopened_at": "2024-06-03T15:00:00Z"},
                (7, False, False, "2024-06-03T10:02:00Z")),
        # resolved at 13:00, 3 h after it was created; a closed one at 12:00 (2 h)
        _ticket(2004, 4, "2024-06-03T13:00:00Z",
                {"first_responded_at": "2024-06-03T10:05:00Z",
                 "resolved_at": "2024-06-03T13:00:00Z", "reopened_at": None},
                (8, False, False, "2024-06-03T10:05:00Z")),
        _ticket(2005, 5, "2024-06-03T12:30:00Z",
                {"first_responded_at": "2024-06-03T10:10:00Z",
                 "resolved_at": "2024-06-03T12:00:00Z", "closed_at": "2024-06-03T12:30:00Z"},
                (9, False, False, "2024-06-03T10:10:00Z")),
    ]))
    rows = _import("freshdesk", tmp_path / "t.json", tmp_path / "out")
    reopened = rows["2003"]
    assert (reopened["resolved"], reopened["resolved_at"], reopened["outcome"]) == (
        False, None, "open")
    assert _s(reopened["first_response_at"], reopened["arrived_at"]) == 120.0
    assert _s(rows["2004"]["resolved_at"], rows["2004"]["arrived_at"]) == 3 * 3600.0
    assert _s(rows["2005"]["resolved_at"], rows["2005"]["arrived_at"]) == 2 * 3600.0
    report = omnikpi.report_result(tmp_path / "out", metrics=["resolution_time"]).rows[0]
    assert report == {"resolution_time": (3 * 3600 + 2 * 3600) / 2}  # not (1 + 3 + 2) / 3 h


def test_freshdesk_a_ticket_closed_without_resolving_is_resolved_when_closed(
        tmp_path: Path) -> None:
    """Closed straight from open (stats.resolved_at empty, closed_at 14:00): resolved at
    its closing, 4 h after it arrived. It read resolved = true with no time, and
    resolution_time left it out (2 h where (2 + 4) / 2 = 3 h). An export whose stats
    have no closed_at at all still imports (the field is optional)."""
    tickets = [
        _ticket(2006, 5, "2024-06-03T14:00:00Z",
                {"first_responded_at": "2024-06-03T10:10:00Z", "resolved_at": None,
                 "closed_at": "2024-06-03T14:00:00Z"},
                (10, False, False, "2024-06-03T10:10:00Z")),
        _ticket(2007, 4, "2024-06-03T12:00:00Z",
                {"first_responded_at": "2024-06-03T10:10:00Z",
                 "resolved_at": "2024-06-03T12:00:00Z", "closed_at": None},
                (11, False, False, "2024-06-03T10:10:00Z"))]
    (tmp_path / "t.json").write_text(json.dumps(tickets))
    rows = _import("freshdesk", tmp_path / "t.json", tmp_path / "out")
    assert _s(rows["2006"]["resolved_at"], rows["2006"]["arrived_at"]) == 4 * 3600.0
    report = omnikpi.report_result(tmp_path / "out", metrics=["resolution_time"]).rows[0]
    assert report == {"resolution_time": (2 * 3600 + 4 * 3600) / 2}
    for ticket in tickets:
        del ticket["stats"]["closed_at"]
    (tmp_path / "older.json").write_text(json.dumps(tickets))
    rows = _import("freshdesk", tmp_path / "older.json", tmp_path / "older")
    assert rows["2006"]["resolved"] and rows["2006"]["resolved_at"] is None
    assert _s(rows["2007"]["resolved_at"], rows["2007"]["arrived_at"]) == 2 * 3600.0


def test_freshdesk_a_ticket_listed_twice_in_one_import_is_repeated(tmp_path: Path) -> None:
    """The same page given twice (overlapping pages of an export): each copy's first
    conversation was numbered within the ticket, so the second copy was counted among
    "further conversations of a ticket" instead of as repeated."""
    page = tmp_path / "t.json"
    page.write_text(json.dumps([
        # the customer's message at 10:00, an agent's reply at 10:20; resolved at 11:00
        _ticket(3001, 4, "2024-06-03T11:00:00Z", {"resolved_at": "2024-06-03T11:00:00Z"},
                (11, True, False, "2024-06-03T10:00:00Z"),
                (12, False, False, "2024-06-03T10:20:00Z")),
    ]))
    said = _said("freshdesk", tmp_path / "out", page, page)
    # 4 rows read: each copy's two conversations; the replies of both copies are further
    # conversations, the second copy's first one repeated
    assert "│ contacts │ 4 │ 1 │ 2 │ 0 │ 1 │ 0 │ 1 │" in said
    assert "2 further conversations of a ticket" in said
    assert "1 already imported, or repeated in these files (same contact_id)" in said
    [row] = pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()
    assert _s(row["first_response_at"], row["arrived_at"]) == 1200.0
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "resolution_time"]).rows[0]
    assert report == {"offered": 1, "answered": 1, "resolution_time": 3600.0}


# -- Asterisk CDR -----------------------------------------------------------------------------

def test_asterisk_cdr_a_queue_leg_no_agent_was_bridged_to_is_abandoned(
        tmp_path: Path) -> None:
    """The dialplan answered the call before Queue() (disposition ANSWERED, answer a
    second after the start) and the caller hung up after 3 minutes in the queue: no
    agent was ever bridged (empty dstchannel). It was answered in 1 s and handled for
    180 s with no agent; it is abandoned when the leg ends, after 181 s. A queue call an
    agent took (PJSIP/1001 bridged) stays answered."""
    def cdr(dstchannel: str, start: str, answer: str, end: str, billsec: int,
            uniqueid: str) -> str:
        return ",".join(f'"{v}"' for v in (
            "", "0672223344", "600", "from-pstn", '""0672223344"" <0672223344>',
            "PJSIP/trunk-0000000d", dstchannel, "Queue", "sales,tr,,,300",
            f"2024-03-31 {start}", f"2024-03-31 {answer}", f"2024-03-31 {end}",
            billsec + 1, billsec, "ANSWERED", "DOCUMENTATION", uniqueid, "", "", uniqueid,
            "3"))
    (tmp_path / "Master.csv").write_text("\n".join([
        cdr("", "10:00:00", "10:00:01", "10:03:01", 180, "1711868400.13"),
        # queued at 10:10:00 without an Answer() first: 1001 picked up at 10:10:25
        cdr("PJSIP/1001-0000000e", "10:10:00", "10:10:25", "10:12:25", 120,
            "1711869000.14"),
    ]) + "\n")
    rows = _import("asterisk-cdr", tmp_path / "Master.csv", tmp_path / "out",
                   "--tz", "Europe/Kyiv")
    lost = rows["1711868400.13"]
    assert (lost["accepted_at"], lost["first_response_at"], lost["ended_at"],
            lost["handle_seconds"], lost["agent_id"]) == (None, None, None, None, None)
    # Kyiv went to summer time (UTC+3) at 03:00 that day: 10:00:00 is 07:00:00 UTC
    assert lost["arrived_at"].isoformat() == "2024-03-31T07:00:00"
    assert _s(lost["abandoned_at"], lost["arrived_at"]) == 181.0  # at 10:03:01
    assert lost["outcome"] == "no agent"
    taken = rows["1711869000.14"]
    assert (taken["agent_id"], taken["handle_seconds"]) == ("PJSIP/1001", 120.0)
    report = omnikpi.report_result(tmp_path / "out", metrics=[
        "offered", "answered", "abandoned", "avg_abandon_time", "asa", "handled",
        "aht"]).rows[0]
    assert report == {"offered": 2, "answered": 1, "abandoned": 1, "avg_abandon_time": 181.0,
                      "asa": 25.0, "handled": 1, "aht": 120.0}


# -- JSON lines: objects back to back on a line ------------------------------------------

def _answered_call(contact_id: str, minute: int) -> str:
    """A contact record answered after 20 s (one line, no line end)."""
    at = f"2024-06-05T10:{minute:02d}"
    return json.dumps(_contact_record(
        contact_id, "VOICE", "AGENT_DISCONNECT", f"{at}:00Z", f"{at}:05Z", f"{at}:25Z",
        f"{at}:55Z", {"Username": "olena", "ConnectedToAgentTimestamp": f"{at}:25Z"}))


CUT = '{"ContactId":"c-4","Chan'
"""A record cut short (a file copied while Firehose was writing it)."""


@pytest.mark.parametrize(("lines", "kept", "cut_line"), [
    # two objects on line 1, one on line 2, the cut record on line 3: line 1 was
    # rejected as "Extra data", c-1 and c-2 lost
    ([("c-1", "c-2"), ("c-3",)], {"c-1", "c-2", "c-3"}, 3),
    # two objects on line 1, the cut record on line 2: neither of the first two lines
    # parsed alone, the file was taken for one JSON document and refused (exit 3)
    ([("c-1", "c-2")], {"c-1", "c-2"}, 2),
    # the whole file on one line, cut at its end: the complete objects are kept
    ([("c-1", "c-2", "c-3", "")], {"c-1", "c-2", "c-3"}, 1),
])
def test_json_lines_with_objects_back_to_back_and_a_cut_record(
        tmp_path: Path, lines: list[tuple[str, ...]], kept: set[str], cut_line: int) -> None:
    """Firehose writes contact records back to back, several on a line: every complete
    record is imported, and only the cut one is left out, named by file and line."""
    text = [" ".join(_answered_call(c, n) for n, c in enumerate(line) if c)
            for line in lines]
    if lines[-1][-1] == "":  # the cut record on the same line
        text[-1] += CUT
    else:
        text.append(CUT)
    source = tmp_path / "ctr.json"
    source.write_text("\n".join(text))
    said = _said("amazon-connect", tmp_path / "out", source)
    assert (f"1 contacts: a line that is not JSON (first {source} line {cut_line}: "
            "Unterminated string") in said
    rows = {r["contact_id"]: r for r in
            pq.read_table(tmp_path / "out" / "contacts.parquet").to_pylist()}
    assert set(rows) == kept
    with (tmp_path / "out" / "rejects.csv").open(newline="") as listed:
        rejects = list(csv.reader(listed))
    at = text[-1].index(CUT) + 19  # where the cut record's unterminated "Chan starts
    assert rejects[1:] == [[str(source), str(cut_line),
                            f"not JSON: Unterminated string starting at: line 1 column "
                            f"{at + 1} (char {at})", CUT]]  # the cut record alone
    # rows read: the complete records and the cut one
    assert f"│ contacts │ {len(kept) + 1} │ {len(kept)} │ 0 │ 1 │ 0 │ 0 │ {len(kept)} │" in said
    report = omnikpi.report_result(tmp_path / "out", metrics=["offered", "answered",
                                                              "asa"]).rows[0]
    assert report == {"offered": len(kept), "answered": len(kept), "asa": 20.0}


# -- Intercom: a note that reopens a conversation ---------------------------------------------

def _intercom_part(kind: str, after: int, who: str, who_id: str,
                   body: str | None) -> dict[str, Any]:
    """A conversation part as GET /conversations/{id} returns it (after: seconds from
    09:00:00 UTC on 2024-03-05)."""
    at = 1709629200 + after
    return {"type": "conversation_part", "id": str(after), "part_type": kind, "body": body,
            "created_at": at, "updated_at": at, "notified_at": at, "assigned_to": None,
            "author": {"id": who_id, "type": who, "name": "n", "email": ""},
            "attachments": [], "redacted": False}


def test_intercom_a_note_that_reopens_is_no_reply(tmp_path: Path) -> None:
    """Intercom's part type note_and_reopen is an internal note that also reopens the
    conversation: read as a reply, it answered the customer's 09:02:00 message at 09:02:10
    (10 s) where the customer waited for the 09:05:00 reply (180 s)."""
    parts = [_intercom_part("comment", 60, "admin", "77", "<p>Hi</p>"),
             _intercom_part("comment", 120, "user", "u1", "<p>And my bill?</p>"),
             _intercom_part("note_and_reopen", 130, "admin", "77", "<p>check billing</p>"),
             _intercom_part("comment", 300, "admin", "77", "<p>Fixed</p>"),
             _intercom_part("comment", 360, "user", "u1", "<p>Thanks, one more</p>"),
             _intercom_part("close", 400, "admin", "77", "<p>Done</p>"),
             _intercom_part("note", 401, "admin", "77", "<p>ok</p>")]
    conversation = {"type": "conversation", "id": "1001", "created_at": 1709629200,
                    "source": {"type": "conversation", "delivered_as": "customer_initiated",
                               "body": "<p>Help</p>", "author": {"type": "user", "id": "u1"}},
                    "conversation_parts": {"type": "conversation_part.list",
                                           "conversation_parts": parts, "total_count": 7}}
    (tmp_path / "conversation-1001.json").write_text(json.dumps(conversation))
    out = tmp_path / "out"
    out.mkdir()
    (out / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,agent_id\n"
        "1001,chat,support,2024-03-05T09:00:00Z,2024-03-05T09:00:30Z,"
        "2024-03-05T09:01:00Z,2024-03-05T09:06:40Z,77\n")
    said = _said("intercom-messages", out, tmp_path / "conversation-1001.json")
    assert "2 an internal note" in said
    messages = pq.read_table(out / "messages.parquet").to_pylist()
    assert [(m["ts"].strftime("%H:%M:%S"), m["sender"]) for m in messages] == [
        ("09:00:00", "customer"), ("09:01:00", "agent"), ("09:02:00", "customer"),
        ("09:05:00", "agent"), ("09:06:00", "customer"), ("09:06:40", "agent")]
    report = omnikpi.report_result(out, metrics=["art"]).rows[0]
    assert report == {"art": (180 + 40) / 2}  # not (10 + 40) / 2


# -- Zendesk Talk: calls that failed or nobody answered ---------------------------------------

def test_zendesk_talk_failed_and_unanswered_calls(tmp_path: Path) -> None:
    """Zendesk's completion statuses failed and not_answered: a failed call in the IVR was
    "self_served" (containment 1/3 where the IVR served nobody), both were skipped as
    "served by the IVR"."""
    def call(call_id: int, status: str, **more: Any) -> dict[str, Any]:
        return {"id": call_id, "created_at": "2024-03-05T10:00:00Z",
                "updated_at": "2024-03-05T10:10:00Z", "direction": "inbound",
                "completion_status": status, "call_group_id": 9, **more}
    (tmp_path / "calls.json").write_text(json.dumps({"calls": [
        # 20 s in the IVR, 30 s queued, answered 50 s after the start, 260 s in all
        call(1, "completed", agent_id=7, ivr_time_spent=20, wait_time=30,
             time_to_answer=50, duration=260, wrap_up_time=40),
        call(3, "abandoned_in_ivr", ivr_time_spent=15, duration=15),
        call(7, "failed", ivr_time_spent=12, wait_time=0, duration=12),
        call(8, "not_answered", ivr_time_spent=0, wait_time=0, duration=3),
    ], "count": 4}))
    out = tmp_path / "out"
    said = _said("zendesk-talk", out, tmp_path / "calls.json")
    assert "2 contacts: failed or not answered before a queue" in said
    assert "served by the IVR" not in said
    sessions = {r["session_id"]: r["result"]
                for r in pq.read_table(out / "ivr_sessions.parquet").to_pylist()}
    assert sessions == {"ivr-1": "to_queue", "ivr-3": "abandoned", "ivr-7": "error"}
    assert omnikpi.load_dataset(out).problem_count == 0
    ivr = omnikpi.report_result(out, metrics=[
        "offered", "ivr_sessions", "ivr_containment_rate", "ivr_abandon_rate"]).rows[0]
    assert ivr == pytest.approx({"offered": 1, "ivr_sessions": 3,
                                 "ivr_containment_rate": 0.0, "ivr_abandon_rate": 1 / 3})


def test_zendesk_a_talk_call_s_ticket_is_not_a_second_contact(tmp_path: Path) -> None:
    """A Talk call opens a ticket (via voice) naming it; the docs put both imports in one
    folder. The call: queued 20 s (answered at 10:00:20); its ticket 5001, created at
    10:00:20, got its first reply (a comment) at 10:06:00. Counted as two voice contacts:
    offered 2, ASA (20 + 340) / 2 = 180 s, SL 1/2. The call alone: offered 1, ASA 20 s,
    SL 1/1; the ticket is counted as left out with the way to its call; the e-mail ticket
    5002 stays (first reply after 600 s)."""
    (tmp_path / "tickets.json").write_text(json.dumps({"tickets": [
        {"id": 5001, "created_at": "2024-03-05T10:00:20Z", "updated_at": "2024-03-05T10:10:00Z",
         "via": {"channel": "voice", "source": {"rel": "inbound"}}, "status": "solved",
         "group_id": 360001, "assignee_id": 501, "requester_id": 9001},
        {"id": 5002, "created_at": "2024-03-05T11:00:00Z", "updated_at": "2024-03-05T11:20:00Z",
         "via": {"channel": "email"}, "status": "open", "group_id": 360001,
         "assignee_id": 501, "requester_id": 9002}], "end_of_stream": True}))
    (tmp_path / "events.json").write_text(json.dumps({"ticket_metric_events": [
        {"id": 1, "ticket_id": 5001, "metric": "reply_time", "instance_id": 1,
         "type": "fulfill", "time": "2024-03-05T10:06:00Z"},
        {"id": 2, "ticket_id": 5002, "metric": "reply_time", "instance_id": 1,
         "type": "fulfill", "time": "2024-03-05T11:10:00Z"}], "next_page": None, "count": 2}))
    (tmp_path / "calls.json").write_text(json.dumps({"calls": [
        {"id": 7001, "created_at": "2024-03-05T10:00:00Z", "updated_at": "2024-03-05T10:08:00Z",
         "direction": "inbound", "completion_status": "completed", "agent_id": 501,
         "customer_id": 9001, "call_group_id": 360001, "ivr_time_spent": 0, "wait_time": 20,
         "time_to_answer": 20, "talk_time": 300, "hold_time": 0, "wrap_up_time": 60,
         "duration": 320, "ticket_id": 5001}], "count": 1}))
    out = tmp_path / "out"
    said = _said("zendesk", out, tmp_path / "tickets.json", tmp_path / "events.json")
    assert "1 a ticket a Talk call opened (via voice): the call is the contact" in said
    _said("zendesk-talk", out, tmp_path / "calls.json")
    assert omnikpi.load_dataset(out).problem_count == 0
    rows = {r["channel"]: r for r in omnikpi.report_result(
        out, metrics=["offered", "answered", "asa", "service_level"], by=["channel"]).rows}
    assert rows["voice"] == pytest.approx({"channel": "voice", "offered": 1, "answered": 1,
                                           "asa": 20.0, "service_level": 1.0})
    assert rows["email"]["offered"] == 1 and rows["email"]["asa"] == 600.0


# -- VICIdial agent log: a second of clock skew between phases --------------------------------

def test_vicidial_agent_log_a_phase_past_the_next_one_ends_where_it_begins(
        tmp_path: Path) -> None:
    """VICIdial reads each phase's length and the next phase's epoch from separate clocks:
    a talk of 101 s whose wrap-up began 100 s later, and a wrap-up of 15 s whose next wait
    began 14 s later, overlapped by a second — the wrap-up and the next wait were each
    quarantined whole (15 s and 30 s lost). Each phase now ends where the next begins; a
    line given twice is still one."""
    header = ("user\tpause_epoch\tpause_sec\twait_epoch\twait_sec\ttalk_epoch\ttalk_sec\t"
              "dispo_epoch\tdispo_sec\tsub_status\n")
    lines = ("7001\t1709650000\t10\t1709650010\t20\t1709650030\t101\t1709650130\t15\tLOGIN\n"
             "7001\t1709650144\t0\t1709650144\t30\t1709650174\t60\t1709650234\t5\tNULL\n")
    (tmp_path / "agent_log.tsv").write_text(header + lines + lines)
    out = tmp_path / "out"
    said = _said("vicidial-agent-log", out, tmp_path / "agent_log.tsv")
    assert "7 already imported, or repeated" in said
    assert omnikpi.load_dataset(out).problem_count == 0
    states = pq.read_table(out / "agent_states.parquet").to_pylist()
    assert [(s["state"], int((s["end"] - s["start"]).total_seconds())) for s in states] == [
        ("not_ready", 10), ("available", 20), ("handling", 100), ("acw", 14),
        ("available", 30), ("handling", 60), ("acw", 5)]
    report = omnikpi.report_result(out, metrics=["occupancy"]).rows[0]
    # (talk 160 + wrap-up 19) / (those + waiting 50)
    assert report == pytest.approx({"occupancy": (160 + 19) / (160 + 19 + 50)})


# -- Amazon Connect agent events: a missed contact stops the agent's routing ------------------

def _agent_event(n: int, at: str, kind: str, *contact_states: str,
                 status: tuple[str, str] = ("Available", "ROUTABLE"),
                 channel: str = "VOICE") -> dict[str, Any]:
    """An agent event of the agent event stream, olena's, with her contacts' states."""
    return {"AWSAccountId": "111122223333", "AgentARN": "arn:aws:connect:agent/olena",
            "EventId": f"e-{n}", "EventTimestamp": f"2024-03-05T{at}.000Z",
            "EventType": kind, "Version": "2019-05-25",
            "CurrentAgentSnapshot": {
                "AgentStatus": {"Name": status[0], "Type": status[1]},
                "Configuration": {"Username": "olena"},
                "Contacts": [{"ContactId": f"c-{n}", "Channel": channel, "State": state}
                             for state in contact_states]}}


def test_amazon_connect_agent_events_a_missed_contact_is_not_available_time(
        tmp_path: Path) -> None:
    """A call that rang out (State MISSED) leaves the agent's status the routable one, but
    Connect routes her nothing until she sets herself available again (the CCP shows
    "Missed"): that time was available, and occupancy read 150 / 600 for 150 / 380."""
    _lines(tmp_path / "events.json",
           _agent_event(1, "10:00:00", "LOGIN"),
           _agent_event(2, "10:01:00", "STATE_CHANGE", "INCOMING"),   # ringing
           _agent_event(3, "10:01:20", "STATE_CHANGE", "MISSED"),
           _agent_event(4, "10:05:00", "STATE_CHANGE"),               # available again
           _agent_event(5, "10:06:00", "STATE_CHANGE", "CONNECTED"),
           _agent_event(6, "10:08:00", "STATE_CHANGE", "ENDED"),
           _agent_event(7, "10:08:30", "STATE_CHANGE"),
           _agent_event(8, "10:10:00", "LOGOUT", status=("Offline", "OFFLINE")))
    out = tmp_path / "out"
    _said("amazon-connect-agent-events", out, tmp_path / "events.json")
    assert omnikpi.load_dataset(out).problem_count == 0
    seconds: dict[tuple[str, str | None], float] = {}
    for s in pq.read_table(out / "agent_states.parquet").to_pylist():
        key = (s["state"], s["reason"])
        seconds[key] = seconds.get(key, 0.0) + (s["end"] - s["start"]).total_seconds()
    assert seconds == {("available", None): 60 + 20 + 60 + 90,
                       ("not_ready", "missed contact"): 220.0,
                       ("handling", None): 120.0, ("acw", None): 30.0}
    report = omnikpi.report_result(out, metrics=["occupancy"]).rows[0]
    assert report == pytest.approx({"occupancy": (120 + 30) / (120 + 30 + 230)})


@pytest.mark.parametrize("reverse", [False, True])
def test_amazon_connect_agent_events_at_one_instant_follow_their_snapshots(
        tmp_path: Path, reverse: bool) -> None:
    """A call ends and the agent takes a break at the same millisecond: two events, the
    break's previous snapshot being the first's current one. The later is the one that
    counts; it was the one whose random EventId sorted last, so 15 minutes of break could
    read as available (here e-9 sorts after e-10). In either order of the lines."""
    def event(n: int, at: str, kind: str, *states: str, before: dict[str, Any] | None = None,
              status: tuple[str, str] = ("Available", "ROUTABLE")) -> dict[str, Any]:
        line = _agent_event(n, at, kind, *states, status=status)
        for contact in line["CurrentAgentSnapshot"]["Contacts"]:
            contact["ContactId"] = "call-1"
        if before is not None:
            line["PreviousAgentSnapshot"] = before["CurrentAgentSnapshot"]
        return line

    login = event(1, "10:00:00", "LOGIN")
    talking = event(2, "10:05:00", "STATE_CHANGE", "CONNECTED", before=login)
    ended = event(9, "10:10:00", "STATE_CHANGE", before=talking)  # the call ends…
    took_break = event(10, "10:10:00", "STATE_CHANGE", before=ended,  # …and the break
                       status=("Break", "CUSTOM"))
    back = event(11, "10:25:00", "STATE_CHANGE", before=took_break)
    out_at = event(12, "10:30:00", "LOGOUT", before=back, status=("Offline", "OFFLINE"))
    lines = [login, talking, ended, took_break, back, out_at]
    _lines(tmp_path / "events.json", *(reversed(lines) if reverse else lines))
    out = tmp_path / "out"
    said = _said("amazon-connect-agent-events", out, tmp_path / "events.json")
    assert "1 superseded by another event of the agent at the same instant" in said
    states = sorted((s["start"].strftime("%H:%M"), s["state"], s["reason"])
                    for s in pq.read_table(out / "agent_states.parquet").to_pylist())
    assert states == [("10:00", "available", None), ("10:05", "handling", None),
                      ("10:10", "not_ready", "Break"), ("10:25", "available", None)]


def test_amazon_connect_agent_events_task_work_is_deferred(tmp_path: Path) -> None:
    """A TASK worked 10:01–10:11 with a minute's wrap-up, then a call 10:13–10:15 with 30 s
    of wrap-up; available 10:00–10:01, 10:12–10:13 and 10:15:30–10:20. A task is measured
    as e-mail (as the contact records' mapping reads it): deferred work, outside
    occupancy. It was written as channel "task", which OmniKPI does not know, and counted
    as real-time: (600 + 60 + 150) / (810 + 390) = 67.5 % for 150 / (150 + 390)."""
    _lines(tmp_path / "events.json",
           _agent_event(1, "10:00:00", "LOGIN"),
           _agent_event(2, "10:01:00", "STATE_CHANGE", "CONNECTED", channel="TASK"),
           _agent_event(3, "10:11:00", "STATE_CHANGE", "ENDED", channel="TASK"),
           _agent_event(4, "10:12:00", "STATE_CHANGE"),
           _agent_event(5, "10:13:00", "STATE_CHANGE", "CONNECTED"),
           _agent_event(6, "10:15:00", "STATE_CHANGE", "ENDED"),
           _agent_event(7, "10:15:30", "STATE_CHANGE"),
           _agent_event(8, "10:20:00", "LOGOUT", status=("Offline", "OFFLINE")))
    out = tmp_path / "out"
    _said("amazon-connect-agent-events", out, tmp_path / "events.json")
    channels = {(s["state"], s["channel"]) for s in
                pq.read_table(out / "agent_states.parquet").to_pylist() if s["channel"]}
    assert channels == {("handling", "email"), ("acw", "email"), ("handling", "voice"),
                        ("acw", "voice")}
    report = omnikpi.report_result(out, metrics=["occupancy"]).rows[0]
    assert report == pytest.approx({"occupancy": 150 / (150 + 390)})
