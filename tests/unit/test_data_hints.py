"""`omnikpi validate` notes loaded data that breaks no rule yet will not read as expected:
voice contacts with accepted_at and no first_response_at count as not answered."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import omnikpi
from omnikpi.cli.main import app
from omnikpi.demo import DEMO_DATA_DIR

CONTACTS = """contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,direction
v1,voice,q1,2024-03-05T10:00:00Z,2024-03-05T10:00:10Z,,2024-03-05T10:05:00Z,
v2,Voice,q1,2024-03-05T10:01:00Z,2024-03-05T10:01:20Z,,2024-03-05T10:04:00Z,inbound
v3,voice,q1,2024-03-05T10:02:00Z,2024-03-05T10:02:05Z,2024-03-05T10:02:05Z,2024-03-05T10:03:00Z,
c1,chat,q2,2024-03-05T10:03:00Z,2024-03-05T10:03:30Z,,2024-03-05T10:09:00Z,
o1,voice,q1,2024-03-05T10:04:00Z,2024-03-05T10:04:00Z,,2024-03-05T10:06:00Z,outbound
"""
"""v1 and v2 (the channel in any case) are the hint's rows; v3 carries its first response;
a chat accepted without a reply is no hint (a chat's first response is the agent's first
message, which the acceptance does not give); nor is the agent's outbound call o1 (nobody
waited on it: it is handled work without a first response)."""


def _validate(folder: Path, *options: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["validate", "--data", str(folder), *options])
    return result.exit_code, result.output


def test_voice_contacts_without_a_first_response_are_noted(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(CONTACTS)
    code, output = _validate(tmp_path)
    assert code == 0, output
    text = " ".join(output.split())
    assert ("note: contacts: 2 row(s): Voice contacts with accepted_at but no "
            "first_response_at count as not answered") in text
    assert "0 problem(s); dataset usable" in text
    code, output = _validate(tmp_path, "--format", "json")
    body = json.loads(output)
    assert [(h["table"], h["rows"]) for h in body["hints"]] == [("contacts", 2)]
    assert body["problem_count"] == 0
    # what the note warns of: only v3 is answered
    row = omnikpi.report_result(tmp_path, metrics=["offered", "answered", "handled"],
                                where={"channel": ["voice"]}).rows[0]
    assert row == {"offered": 3, "answered": 1, "handled": 2}  # v3 and the outbound o1


def test_the_demo_has_no_hint() -> None:
    code, output = _validate(DEMO_DATA_DIR, "--format", "json")
    assert code == 0 and json.loads(output)["hints"] == []


def test_contacts_dated_in_the_future_are_noted(tmp_path: Path) -> None:
    """One contact of 2034 among 2024's moved every report's as-of (e-mail SL 100 % →
    93 %) and validate said nothing; one of tomorrow (a clock a little ahead) is fine."""
    from datetime import UTC, datetime, timedelta

    from omnikpi.schema.dataset import load_dataset
    from omnikpi.schema.hints import FUTURE_ARRIVALS, data_hints

    soon = (datetime.now(UTC) + timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M:%SZ")
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at\n"
        "e1,email,mail,2024-03-05T10:00:00Z\n"
        "e2,email,mail,2034-03-06T10:00:00Z\n"
        f"e3,email,mail,{soon}\n")
    code, output = _validate(tmp_path)
    assert code == 0, output
    assert "note: contacts: 1 row(s): Contacts arrive more than a day after" in \
        " ".join(output.split())
    data = load_dataset(tmp_path)
    try:
        # seen from 2034-03-07 the same rows are no longer in the future
        assert [h.message for h in data_hints(data)] == [FUTURE_ARRIVALS]
        assert data_hints(data, datetime(2034, 3, 7, tzinfo=UTC)) == []
    finally:
        data.close()


MIXED = """contact_id,channel,queue,arrived_at,first_response_at,abandoned_at,ended_at
p1,phone,q1,2024-03-05T10:00:00Z,2024-03-05T10:00:30Z,,2024-03-05T10:05:00Z
p2,Phone,q1,2024-03-05T10:01:00Z,2024-03-05T10:01:10Z,,2024-03-05T10:03:00Z
w1,web-chat,q2,2024-03-05T10:02:00Z,2024-03-05T10:02:50Z,,2024-03-05T10:09:00Z
s1,whatsapp,q3,2024-03-05T10:02:00Z,2024-03-05T10:02:50Z,,2024-03-05T10:09:00Z
c1,chat,q2,2024-03-05T10:03:00Z,2024-03-05T10:05:00Z,2024-03-05T10:04:00Z,2024-03-05T10:06:00Z
c2,chat,q2,2024-03-05T10:04:00Z,2024-03-05T10:04:30Z,2024-03-05T10:07:00Z,2024-03-05T10:07:00Z
c3,chat,q2,2024-03-05T10:05:00Z,,2024-03-05T10:05:40Z,
"""
"""p1, p2 (``phone`` in any case), w1 and s1 are of channels OmniKPI does not know; c1 was
answered a minute after its customer left (the hint), c2 left after its answer (a hang-up,
no hint), c3 is a plain abandon."""


def test_unknown_channels_and_replies_after_an_abandon_are_noted(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(MIXED)
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    hints = {h["message"].split(" ")[2]: h for h in json.loads(output)["hints"]}
    ghost = hints["abandoned_at"]
    assert ghost["rows"] == 1 and ghost["values"] == []
    unknown = hints["a"]  # "Contacts of a channel …"
    assert unknown["rows"] == 4
    assert unknown["values"] == ["phone", "web-chat", "whatsapp"]  # most contacts first
    code, output = _validate(tmp_path)
    text = " ".join(output.split())
    assert "note: contacts: 4 row(s) (phone, web-chat, whatsapp): Contacts of a channel" in text
    assert "note: contacts: 1 row(s): Contacts with abandoned_at before first_response_at" in text
    # what the notes warn of: c1 counts as answered, phone is measured as a call (20 s)
    row = omnikpi.report_result(tmp_path, metrics=["answered", "abandoned"],
                                where={"channel": ["chat"]}).rows[0]
    assert row == {"answered": 2, "abandoned": 1}
    phone = omnikpi.report_result(tmp_path, metrics=["service_level"],
                                  where={"channel": ["phone"]}).rows[0]
    assert phone["service_level"] == 0.5  # p2 in 10 s, p1 in 30 s against 20 s


def test_channels_and_queues_of_the_configuration_are_known(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(MIXED)
    config = tmp_path / "omnikpi.toml"
    config.write_text('[channels.phone]\nmode = "continuous"\nthreshold_seconds = 20\n\n'
                      '[queues.q3]\nmode = "discrete"\n')
    code, output = _validate(tmp_path, "--format", "json", "--config", str(config))
    assert code == 0, output
    unknown = [h for h in json.loads(output)["hints"] if h["values"]]
    assert [(h["rows"], h["values"]) for h in unknown] == [(1, ["web-chat"])]
    code, output = _validate(tmp_path, "--config", str(tmp_path / "missing.toml"))
    assert code != 0 and "config file not found" in output
    odd = tmp_path / "odd.toml"
    odd.write_bytes(b"\xff\xfe[channels.phone]\n")  # UTF-16: "a file is not UTF-8 text"
    code, output = _validate(tmp_path, "--config", str(odd))
    assert code == 2 and f"config file {odd} is not UTF-8 text" in " ".join(output.split())


def test_shapes_that_count_twice_or_disagree_are_noted(tmp_path: Path) -> None:
    """A break laid over a work block (read in layers), two employment periods of one
    agent that overlap (counted twice in headcount) and a "converted" no-answer (a sale to
    ``sales``, not to ``conversion_rate``): legal rows, so no problem, but a note each."""
    (tmp_path / "shift_activities.csv").write_text(
        "agent_id,activity,start,end\n"
        "a1,work,2026-03-02T08:00:00Z,2026-03-02T16:00:00Z\n"
        "a1,break,2026-03-02T12:00:00Z,2026-03-02T12:15:00Z\n"  # inside the work block
        "a2,work,2026-03-02T08:00:00Z,2026-03-02T12:00:00Z\n"
        "a2,break,2026-03-02T12:00:00Z,2026-03-02T12:15:00Z\n")  # consecutive: fine
    (tmp_path / "roster.csv").write_text(
        "agent_id,hired_on,left_on,leave_type\n"
        "z1,2025-01-01,2026-03-10,voluntary\n"
        "z1,2026-03-10,,\n"  # rehired on the day they left: both periods hold the 10th
        "z2,2025-01-01,2026-03-09,voluntary\n"
        "z2,2026-03-10,,\n")
    (tmp_path / "dial_attempts.csv").write_text(
        "attempt_id,campaign,lead_id,dialed_at,agent_id,result,right_party,converted\n"
        "d1,C1,L1,2026-03-02T11:00:00Z,a1,connected,true,true\n"
        "d2,C1,L2,2026-03-02T11:10:00Z,a1,connected,false,true\n"
        "d3,C1,L3,2026-03-02T11:20:00Z,a1,no_answer,,true\n"
        "d4,C1,L4,2026-03-02T11:30:00Z,a1,connected,true,false\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    notes = {h["table"]: h["rows"] for h in json.loads(output)["hints"]}
    assert notes == {"shift_activities": 1, "roster": 1, "dial_attempts": 2}
    # what the last note warns of: d2 and d3 are sales but not conversions
    row = omnikpi.report_result(tmp_path, metrics=["sales", "conversion_rate"]).rows[0]
    assert row == {"sales": 3, "conversion_rate": 0.5}  # d1 of the RPCs d1, d4


def test_roster_rows_that_attrition_reads_otherwise_are_noted(tmp_path: Path) -> None:
    """x3 left on 10 February without a leave_type: attrition counts a leaver by its type,
    so x3 is no leaver (and the analyst is told); x5 has a leave type and no last day:
    still employed. x1 left with its type: no note."""
    (tmp_path / "roster.csv").write_text(
        "agent_id,hired_on,left_on,leave_type\n"
        "x1,2023-01-01,2024-02-05,voluntary\n"
        "x3,2023-01-01,2024-02-10,\n"
        "x5,2023-01-01,,involuntary\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    hints = [(h["table"], h["rows"], h["message"].split(":")[0])
             for h in json.loads(output)["hints"]]
    assert hints == [
        ("roster", 1, "Roster rows end an employment (left_on) without saying how "
                      "(leave_type)"),
        ("roster", 1, "Roster rows give a leave_type but no left_on")]
    row = omnikpi.report_result(tmp_path, metrics=["attrition_monthly"], grain="month",
                                from_="2024-02-01", to="2024-03-01").rows[0]
    # x1 alone left as a leaver; headcount (3 at the start + 1 at the end) / 2
    assert row["attrition_monthly"] == 1 / 2


def test_states_of_agents_without_any_shift_are_noted(tmp_path: Path) -> None:
    """m5 has states and no shift in a schedule that has m1's: its schedule metrics are
    left out without a word (the report shows nothing for it). Its two state rows are
    noted; m1's are not."""
    (tmp_path / "shifts.csv").write_text(
        "agent_id,start,end,paid\nm1,2024-03-12T06:00:00Z,2024-03-12T14:00:00Z,true\n")
    (tmp_path / "agent_states.csv").write_text(
        "agent_id,state,start,end\n"
        "m1,available,2024-03-12T06:00:00Z,2024-03-12T14:00:00Z\n"
        "m5,available,2024-03-12T06:00:00Z,2024-03-12T10:00:00Z\n"
        "m5,handling,2024-03-12T10:00:00Z,2024-03-12T11:00:00Z\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    assert [(h["table"], h["rows"]) for h in json.loads(output)["hints"]] == [
        ("agent_states", 2)]
    (tmp_path / "shifts.csv").unlink()  # no schedule at all: nothing to note
    assert json.loads(_validate(tmp_path, "--format", "json")[1])["hints"] == []


def test_survey_types_no_metric_reads_are_noted(tmp_path: Path) -> None:
    """A platform's separate dissatisfaction question exported as ``cdsat`` (and an
    employee survey in ``surveys``): the data model allows the types, no metric reads
    them. CDSAT is the bottom box of the csat answers: s1 (2 of 1–5, bottom 2) of s1 and
    s2 → 1/2; the cdsat answer s3 (1 of 1–5) and the esat s4 change nothing, so they are
    noted (2 rows)."""
    (tmp_path / "surveys.csv").write_text(
        "survey,score,scale_min,scale_max,answered_at\n"
        "csat,2,1,5,2024-03-05T10:00:00Z\n"
        "csat,5,1,5,2024-03-05T11:00:00Z\n"
        "cdsat,1,1,5,2024-03-05T12:00:00Z\n"
        "esat,4,1,5,2024-03-05T13:00:00Z\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    hints = json.loads(output)["hints"]
    assert [(h["table"], h["rows"]) for h in hints] == [("surveys", 2)]
    assert hints[0]["message"].startswith("Survey answers of type cdsat or esat are read by "
                                          "no metric")
    row = omnikpi.report_result(tmp_path, metrics=["cdsat", "csat"]).rows[0]
    assert row == {"cdsat": 1 / 2, "csat": 1 / 2}
    (tmp_path / "surveys.csv").write_text(
        "survey,score,scale_min,scale_max,answered_at\ncsat,2,1,5,2024-03-05T10:00:00Z\n")
    assert json.loads(_validate(tmp_path, "--format", "json")[1])["hints"] == []


def test_survey_answers_repeated_row_for_row_are_noted(tmp_path: Path) -> None:
    """A CSAT export read twice: c1's 1-point answer three times counts three answers
    (csat 2/5 where the answers are c1's 1 and c2's two 5s of 1–5: 2/3); the two copies
    beyond the first are noted. An employee survey's answer repeated once is one more; a
    same score at another instant (c2's) is another answer, not a copy."""
    (tmp_path / "surveys.csv").write_text(
        "contact_id,survey,score,scale_min,scale_max,answered_at\n"
        "c1,csat,1,1,5,2024-03-05T10:00:00Z\n"
        "c1,csat,1,1,5,2024-03-05T10:00:00Z\n"
        "c1,csat,1,1,5,2024-03-05T10:00:00Z\n"
        "c2,csat,5,1,5,2024-03-05T11:00:00Z\n"
        "c2,csat,5,1,5,2024-03-05T11:30:00Z\n")
    (tmp_path / "employee_surveys.csv").write_text(
        "agent_id,dimension,score,answered_at\n"
        "a1,engagement,7,2024-03-05T10:00:00Z\n"
        "a1,engagement,7,2024-03-05T10:00:00Z\n"
        "a1,workload,7,2024-03-05T10:00:00Z\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    hints = json.loads(output)["hints"]
    assert [(h["table"], h["rows"]) for h in hints] == [("surveys", 2),
                                                         ("employee_surveys", 1)]
    assert hints[0]["message"].startswith("Survey answers repeated row for row")
    assert omnikpi.report_result(tmp_path, metrics=["csat"]).rows == [{"csat": 2 / 5}]
    (tmp_path / "surveys.csv").write_text(
        "contact_id,survey,score,scale_min,scale_max,answered_at\n"
        "c1,csat,1,1,5,2024-03-05T10:00:00Z\nc2,csat,1,1,5,2024-03-05T10:00:00Z\n")
    (tmp_path / "employee_surveys.csv").unlink()
    assert json.loads(_validate(tmp_path, "--format", "json")[1])["hints"] == []


def test_messages_of_a_contact_not_loaded_are_noted(tmp_path: Path) -> None:
    """Chat c1 and its messages; chat zz9's four messages have no contact (the contacts
    export covered a shorter window). ART reads c1 alone: its second request 10:01:00 →
    10:01:40 = 40 s (zz9's 10:01:00 → 10:01:10 would make it 25 s): the four messages are
    noted, c1's are not."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,first_response_at,ended_at\n"
        "c1,chat,web,2024-10-26T10:00:00Z,2024-10-26T10:00:50Z,2024-10-26T10:10:00Z\n")
    (tmp_path / "messages.csv").write_text(
        "contact_id,ts,sender,agent_id\n"
        "c1,2024-10-26T10:00:00Z,customer,\nc1,2024-10-26T10:00:50Z,agent,a1\n"
        "c1,2024-10-26T10:01:00Z,customer,\nc1,2024-10-26T10:01:40Z,agent,a1\n"
        "zz9,2024-10-26T10:00:00Z,customer,\nzz9,2024-10-26T10:00:30Z,agent,a1\n"
        "zz9,2024-10-26T10:01:00Z,customer,\nzz9,2024-10-26T10:01:10Z,agent,a1\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    hints = json.loads(output)["hints"]
    assert [(h["table"], h["rows"]) for h in hints] == [("messages", 4)]
    assert hints[0]["message"].startswith("Messages of contacts that are not among the "
                                          "loaded contacts")
    assert omnikpi.report_result(tmp_path, metrics=["art"]).rows[0] == {"art": 40.0}


def test_chat_sessions_outside_active_time_are_noted(tmp_path: Path) -> None:
    """m1 chats 10:00–10:30 and is handling over that half hour; m9 chats over the same
    half hour and has no state at all (the state export names agents another way); m2
    chats 10:00–10:30 and is active only until 10:15 (available, then handling). The
    center's absolute chat occupancy read (1800 + 1800 + 1800) / 2700 = 200 %; a session
    counts only while its agent is active, (1800 + 900) / 2700 = 100 %, and the time left
    out is noted: m9's and m2's sessions, not m1's. A voice call of m9 is no chat
    session, and a chat open at the end of the export is not judged."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at,accepted_at,first_response_at,ended_at,agent_id\n"
        "c1,chat,web,2024-10-25T10:00:00Z,2024-10-25T10:00:00Z,2024-10-25T10:00:00Z,"
        "2024-10-25T10:30:00Z,m1\n"
        "c2,chat,web,2024-10-25T10:00:00Z,2024-10-25T10:00:00Z,2024-10-25T10:00:00Z,"
        "2024-10-25T10:30:00Z,m9\n"
        "c3,chat,web,2024-10-25T10:00:00Z,2024-10-25T10:00:00Z,2024-10-25T10:00:00Z,"
        "2024-10-25T10:30:00Z,m2\n"
        "c4,chat,web,2024-10-25T11:50:00Z,2024-10-25T11:50:00Z,2024-10-25T11:50:00Z,,m1\n"
        "v1,voice,q,2024-10-25T11:00:00Z,2024-10-25T11:00:00Z,2024-10-25T11:00:00Z,"
        "2024-10-25T11:05:00Z,m9\n")
    (tmp_path / "agent_states.csv").write_text(
        "agent_id,state,start,end,channel\n"
        "m1,handling,2024-10-25T10:00:00Z,2024-10-25T10:30:00Z,chat\n"
        "m2,available,2024-10-25T10:00:00Z,2024-10-25T10:05:00Z,\n"
        "m2,handling,2024-10-25T10:05:00Z,2024-10-25T10:15:00Z,chat\n"
        "m2,not_ready,2024-10-25T10:15:00Z,2024-10-25T10:30:00Z,\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    hints = json.loads(output)["hints"]
    assert [(h["table"], h["rows"]) for h in hints] == [("contacts", 2)]
    assert hints[0]["message"].startswith("Chat and messenger sessions outside their "
                                          "agent's active time")
    row = omnikpi.report_result(tmp_path, metrics=["chat_occupancy_absolute"],
                                as_of="2024-10-25T11:00:00Z").rows[0]
    assert row == {"chat_occupancy_absolute": 1.0}


def test_employee_survey_scores_outside_the_contracts_scale_are_quarantined(
        tmp_path: Path) -> None:
    """The contract's employee-survey score is 1–10: a 0 and a 150 (another scale, a
    typo) were loaded and moved the dimension's mean (8, 0, 150 read 52.7); they are
    quarantined, each with its bound, and esat reads 8."""
    (tmp_path / "employee_surveys.csv").write_text(
        "agent_id,answered_at,dimension,score\n"
        "a1,2024-03-05T10:00:00Z,stress,8\n"
        "a2,2024-03-05T10:00:00Z,stress,0\n"
        "a3,2024-03-05T10:00:00Z,stress,150\n")
    code, output = _validate(tmp_path, "--format", "json")
    body = json.loads(output)
    assert code == 0 and body["usable"]  # the rest of the table is loaded
    assert [(p["row"], p["message"]) for p in body["problems"]] == [
        (2, "value 0.0 below the minimum 1"), (3, "value 150.0 above the maximum 10")]
    rows = omnikpi.report_result(tmp_path, metrics=["esat"]).rows
    assert [r["esat"] for r in rows] == [8.0]


def test_the_chat_hint_judges_the_sessions_the_engine_counts(tmp_path: Path) -> None:
    """m1 is handling 10:00–10:30 only. o1, m1's own outbound chat 10:40–11:00 (no
    acceptance: it was made), is a session of the engine's: outside the states, its
    1200 s are left out, and the hint must say so. u1, an inbound chat accepted and
    never answered, is no session (nobody worked it), nor is u2: no hint of them (the
    hint counted u1 and u2 and missed o1)."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,direction,arrived_at,accepted_at,first_response_at,"
        "ended_at,agent_id\n"
        "o1,chat,web,outbound,2024-10-25T10:40:00Z,,,2024-10-25T11:00:00Z,m1\n"
        "u1,chat,web,inbound,2024-10-25T10:40:00Z,2024-10-25T10:40:00Z,,"
        "2024-10-25T11:00:00Z,m1\n"
        "u2,chat,web,inbound,2024-10-25T10:45:00Z,2024-10-25T10:45:00Z,,"
        "2024-10-25T11:00:00Z,m1\n")
    (tmp_path / "agent_states.csv").write_text(
        "agent_id,state,start,end,channel\n"
        "m1,handling,2024-10-25T10:00:00Z,2024-10-25T10:30:00Z,chat\n")
    code, output = _validate(tmp_path, "--format", "json")
    assert code == 0, output
    assert [(h["table"], h["rows"]) for h in json.loads(output)["hints"]
            if h["message"].startswith("Chat and messenger sessions")] == [("contacts", 1)]
