"""A dataset of two tenants served by one contact center, for isolation tests.

Tenant A's data uses ordinary names; every identifier of tenant B contains ``bsecret`` so
that a leak anywhere (a page, a JSON field, an export) can be found by a text search.
"""

from __future__ import annotations

from pathlib import Path

MARK = "bsecret"
DAY = "2026-11-02"


def t(clock: str) -> str:
    return f"{DAY}T{clock}Z"


CONTACTS = [
    # contact_id, channel, queue, site, tenant, customer, arrived, answered, abandoned, ended,
    # agent
    ("a-1", "voice", "sales", "kyiv", "A", "cust-a1", "09:00:00", "09:00:10", "", "09:05:00",
     "a1"),
    ("a-2", "voice", "sales", "kyiv", "A", "cust-a2", "09:10:00", "09:10:40", "", "09:14:00",
     "a1"),
    ("a-3", "voice", "sales", "kyiv", "A", "cust-a3", "09:20:00", "", "09:21:00", "", ""),
    ("a-4", "chat", "web", "kyiv", "A", "cust-a4", "10:00:00", "10:00:05", "", "10:20:00",
     "a2"),
    ("a-5", "email", "mail", "kyiv", "A", "cust-a5", "08:00:00", "11:00:00", "", "11:05:00",
     "a2"),
    (f"{MARK}-1", "voice", f"q-{MARK}", f"site-{MARK}", "B", f"cust-{MARK}1", "09:00:00",
     "09:00:03", "", "09:02:00", f"agent-{MARK}"),
    (f"{MARK}-2", "voice", f"q-{MARK}", f"site-{MARK}", "B", f"cust-{MARK}2", "09:30:00", "",
     "09:30:30", "", ""),
    (f"{MARK}-3", "chat", f"q-{MARK}", f"site-{MARK}", "B", f"cust-{MARK}3", "10:00:00",
     "10:00:02", "", "10:10:00", f"agent-{MARK}"),
]


UNTENANTED = ("dial_attempts", "availability", "employee_surveys")
"""Tables with no tenant column and no contact: a client viewer must see none of them."""


def write_two_tenants(folder: Path, only_a: bool = False) -> Path:
    """Both tenants, or (``only_a``) what tenant A may see: the oracle of isolation tests."""

    def _csv(path: Path, header: str, rows: list[str]) -> None:
        if only_a:
            rows = [] if path.stem in UNTENANTED else [r for r in rows if MARK not in r]
        path.write_text(header + "\n" + "".join(r + "\n" for r in rows))

    folder.mkdir(parents=True, exist_ok=True)
    _csv(folder / "contacts.csv",
         "contact_id,channel,queue,site,tenant,customer_id,arrived_at,first_response_at,"
         "abandoned_at,ended_at,agent_id,resolved,topic,recording_uri",
         [",".join([c[0], c[1], c[2], c[3], c[4], c[5], t(c[6]),
                    t(c[7]) if c[7] else "", t(c[8]) if c[8] else "",
                    t(c[9]) if c[9] else "", c[10], "true", f"topic-{c[0]}",
                    f"{c[0]}.wav" if c[0] in RECORDED else ""])
          for c in CONTACTS])
    _csv(folder / "messages.csv", "contact_id,ts,sender,agent_id", [
        f"a-4,{t('10:00:00')},customer,", f"a-4,{t('10:00:05')},agent,a2",
        f"{MARK}-3,{t('10:00:00')},customer,", f"{MARK}-3,{t('10:00:02')},agent,agent-{MARK}",
    ])
    _csv(folder / "agent_states.csv", "agent_id,state,reason,start,end,channel,site,tenant", [
        f"a1,available,,{t('08:55:00')},{t('09:00:10')},voice,kyiv,A",
        f"a1,handling,,{t('09:00:10')},{t('09:05:00')},voice,kyiv,A",
        f"a1,not_ready,break,{t('09:05:00')},{t('09:20:00')},,kyiv,A",
        f"a2,handling,,{t('10:00:05')},{t('10:20:00')},chat,kyiv,A",
        f"agent-{MARK},available,,{t('08:50:00')},{t('09:00:03')},voice,site-{MARK},B",
        f"agent-{MARK},handling,,{t('09:00:03')},{t('09:02:00')},voice,site-{MARK},B",
        f"agent-{MARK},not_ready,lunch-{MARK},{t('09:02:00')},{t('10:00:00')},,site-{MARK},B",
    ])
    _csv(folder / "surveys.csv",
         "contact_id,customer_id,survey,score,scale_min,scale_max,answered_at,channel", [
             f"a-1,cust-a1,csat,5,1,5,{t('09:06:00')},voice",
             f"a-2,cust-a2,csat,2,1,5,{t('09:15:00')},voice",
             f"{MARK}-1,cust-{MARK}1,csat,1,1,5,{t('09:03:00')},voice",
         ])
    _csv(folder / "qa_evaluations.csv",
         "evaluation_id,contact_id,agent_id,evaluator_id,form_id,evaluated_at,score,"
         "critical_error", [
             f"ev-a1,a-1,a1,qa-lead,voice-v1,{t('12:00:00')},90,false",
             f"ev-{MARK},{MARK}-1,agent-{MARK},qa-{MARK},form-{MARK},{t('12:00:00')},40,true",
         ])
    _csv(folder / "qa_items.csv", "evaluation_id,item_id,weight,score,critical", [
        "ev-a1,greeting,1,1,false", f"ev-{MARK},item-{MARK},1,0,true"])
    _csv(folder / "costs.csv", "period_start,period_end,channel,queue,tenant,category,amount", [
        f"{t('00:00:00')},{DAY}T23:59:59Z,voice,sales,A,labour,500",
        f"{t('00:00:00')},{DAY}T23:59:59Z,voice,q-{MARK},B,labour,777",
    ])
    _csv(folder / "shifts.csv", "agent_id,start,end,paid,site,tenant", [
        f"a1,{t('08:50:00')},{t('17:00:00')},true,kyiv,A",
        f"agent-{MARK},{t('08:45:00')},{t('17:00:00')},true,site-{MARK},B",
    ])
    _csv(folder / "shift_activities.csv", "agent_id,activity,start,end,paid", [
        f"a1,break,{t('11:00:00')},{t('11:15:00')},true",
        f"agent-{MARK},training,{t('13:00:00')},{t('14:00:00')},true",
    ])
    _csv(folder / "roster.csv", "agent_id,hired_on,left_on,leave_type,site,tenant", [
        "a1,2025-01-10,,,kyiv,A", f"agent-{MARK},2024-05-01,,,site-{MARK},B"])
    _csv(folder / "dial_attempts.csv",
         "attempt_id,campaign,lead_id,dialed_at,agent_id,result,right_party,converted", [
             f"d-{MARK},camp-{MARK},lead-{MARK},{t('15:00:00')},agent-{MARK},connected,true,true",
         ])
    _csv(folder / "availability.csv", "channel,queue,start,end,status", [
        f"chat,q-{MARK},{t('08:00:00')},{t('18:00:00')},planned"])
    _csv(folder / "employee_surveys.csv", "agent_id,answered_at,dimension,score", [
        f"agent-{MARK},{t('18:00:00')},stress,9", f"a1,{t('18:00:00')},stress,3"])
    _csv(folder / "talk_analytics.csv",
         "contact_id,duration_s,agent_talk_s,customer_talk_s,silence_s,longest_silence_s,"
         "overtalk_s,overtalk_count,longest_agent_monologue_s", [
             "a-1,60,30,20,12,4,2,1,9", f"{MARK}-1,90,50,10,31,20,1,1,40"])
    _recordings(folder / "recordings", only_a)
    return folder


RECORDED = ("a-1", f"{MARK}-1")
"""Contacts with a call recording (``recordings/<contact_id>.wav``)."""


def _recordings(folder: Path, only_a: bool) -> None:
    """Half a second of a tone per recorded call (stereo: customer, agent)."""
    import numpy as np
    import soundfile

    folder.mkdir(exist_ok=True)
    clock = np.arange(4000) / 8000
    tone = 0.3 * np.sin(2 * np.pi * 440 * clock)
    for contact_id in RECORDED:
        if not (only_a and MARK in contact_id):
            soundfile.write(str(folder / f"{contact_id}.wav"),
                            np.column_stack([tone, tone[::-1]]), 8000)
