"""The in-session response time counts requests after the agent's first *reply*.

Chat c1 opens with the agent's message at 09:00 (an outbound conversation, or a teammate's
proactive message). The customer answers at 09:10, the agent at 09:11; the customer asks
again at 09:20, the agent answers at 09:22. The 09:10 message waited for the first response
(60 s, the contact's first response); only the 09:20 request is in-session: art = 120 s.
The opening message counted as the first reply, so art was (60 + 120) / 2 = 90 s.
Chat c2 opens with the customer (09:00, answered 09:01; again 09:05, answered 09:08):
art = 180 s, as before. With include_first the first requests count too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import omnikpi

from ..builders import call, dataset


def message(contact: str, at: str, sender: str) -> dict[str, str]:
    return {"contact_id": contact, "ts": f"2024-03-05T{at}Z", "sender": sender}


@pytest.fixture
def chats(tmp_path: Path) -> Path:
    return dataset(
        tmp_path / "d",
        contacts=[call("c1", "2024-03-05T09:10:00Z", channel="chat",
                       answered="2024-03-05T09:11:00Z", ended="2024-03-05T09:30:00Z"),
                  call("c2", "2024-03-05T09:00:00Z", channel="chat",
                       answered="2024-03-05T09:01:00Z", ended="2024-03-05T09:30:00Z")],
        messages=[message("c1", "09:00:00", "agent"), message("c1", "09:10:00", "customer"),
                  message("c1", "09:11:00", "agent"), message("c1", "09:20:00", "customer"),
                  message("c1", "09:22:00", "agent"),
                  message("c2", "09:00:00", "customer"), message("c2", "09:01:00", "agent"),
                  message("c2", "09:05:00", "customer"), message("c2", "09:08:00", "agent")])


def test_an_opening_agent_message_is_no_reply(chats: Path, engine: str) -> None:
    rows = omnikpi.report_result(chats, engine=engine, metrics=["art"]).rows
    assert rows[0]["art"] == pytest.approx((120 + 180) / 2)


def test_include_first_counts_the_first_requests(chats: Path, engine: str) -> None:
    rows = omnikpi.report_result(chats, engine=engine, metrics=["art"],
                                 params={"art.include_first": True}).rows
    assert rows[0]["art"] == pytest.approx((60 + 120 + 60 + 180) / 4)
