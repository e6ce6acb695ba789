"""Generate the bundled demo dataset (run once; the output is committed).

A small omnichannel center over three weekdays: two sites (Kyiv, Lviv), two clients
(tenants), voice queues with a queue simulation (FCFS, exponential patience), a web chat
whose agents hold up to three sessions, e-mail and social queues answered hours later,
and the agent states that follow from the work. Same seed, same files.

    uv run python scripts/make_demo_data.py
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "src" / "omnikpi" / "demo" / "data"
DAYS = [datetime(2024, 3, d, 6, 0, tzinfo=UTC) for d in (4, 5, 6)]  # 08:00 Kyiv
OPEN_HOURS = 12
TOPICS = ["billing", "card", "tariff", "delivery", "login"]


@dataclass(frozen=True)
class Queue:
    name: str
    channel: str
    tenant: str
    site: str
    per_hour: float
    agents: int
    aht_s: float
    patience_s: float
    capacity: int = 1


QUEUES = [
    Queue("sales", "voice", "bank", "kyiv", 40, 4, 240, 90),
    Queue("support", "voice", "telco", "lviv", 55, 6, 300, 120),
    Queue("webchat", "chat", "telco", "lviv", 30, 3, 600, 240, capacity=3),
]
DEFERRED = [("mail", "email", "bank", "kyiv", 6, 8 * 3600), ("social", "social", "telco",
                                                           "kyiv", 4, 1800)]


def iso(t: datetime | None) -> str | None:
    return None if t is None else t.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def arrivals(rng: np.random.Generator, start: datetime, per_hour: float) -> list[datetime]:
    # Daily profile: a morning and an after-lunch peak.
    hours = np.arange(OPEN_HOURS)
    shape = 0.6 + 0.5 * np.exp(-((hours - 3) ** 2) / 4) + 0.4 * np.exp(-((hours - 7) ** 2) / 3)
    out: list[datetime] = []
    for h, factor in zip(hours, shape, strict=True):
        n = rng.poisson(per_hour * factor)
        secs = np.sort(rng.uniform(0, 3600, n))
        out += [start + timedelta(hours=int(h), seconds=float(s)) for s in secs]
    return out


def simulate_live(rng: np.random.Generator, q: Queue, day: datetime,
                  customers: np.ndarray) -> list[dict[str, object]]:
    """FCFS queue: each arrival takes the first free slot unless patience runs out."""
    slots = [(day, f"{q.name[:2]}{a:02d}") for a in range(q.agents) for _ in range(q.capacity)]
    heapq.heapify(slots)
    rows: list[dict[str, object]] = []
    for i, arrived in enumerate(arrivals(rng, day, q.per_hour)):
        cid = f"{q.name}-{day:%m%d}-{i:04d}"
        row: dict[str, object] = {
            "contact_id": cid, "channel": q.channel, "direction": "inbound", "queue": q.name,
            "site": q.site, "tenant": q.tenant, "customer_id": str(rng.choice(customers)),
            "topic": str(rng.choice(TOPICS)), "arrived_at": iso(arrived), "blocked": False,
            "transferred": False,
        }
        if rng.random() < 0.01:
            row["blocked"] = True
            rows.append(row)
            continue
        free_at, agent = slots[0]
        start = max(free_at, arrived)
        patience = rng.exponential(q.patience_s)
        if (start - arrived).total_seconds() > patience:
            row["abandoned_at"] = iso(arrived + timedelta(seconds=patience))
            rows.append(row)
            continue
        heapq.heappop(slots)
        talk = float(rng.lognormal(np.log(q.aht_s * 0.8), 0.5))
        acw = float(rng.uniform(10, 40)) if q.channel == "voice" else 0.0
        hold = float(rng.uniform(0, 60)) if q.channel == "voice" and rng.random() < 0.3 else 0
        ended = start + timedelta(seconds=talk)
        first = start + timedelta(seconds=float(rng.uniform(5, 40))) if q.channel == "chat" \
            else start
        row.update({
            "accepted_at": iso(start), "first_response_at": iso(first), "ended_at": iso(ended),
            "agent_id": agent, "hold_seconds": round(hold, 1) if hold else None,
            "acw_seconds": round(acw, 1) if acw else None,
            "transferred": bool(rng.random() < 0.06), "resolved": bool(rng.random() < 0.8),
        })
        heapq.heappush(slots, (ended + timedelta(seconds=acw), agent))
        rows.append(row)
    return rows


def deferred(rng: np.random.Generator, name: str, channel: str, tenant: str, site: str,
             per_hour: float, median_s: float, customers: np.ndarray) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for day in DAYS:
        for i, arrived in enumerate(arrivals(rng, day - timedelta(hours=0), per_hour)):
            reply = arrived + timedelta(seconds=float(rng.lognormal(np.log(median_s), 0.9)))
            answered = reply < DAYS[-1] + timedelta(hours=OPEN_HOURS)
            rows.append({
                "contact_id": f"{name}-{day:%m%d}-{i:04d}", "channel": channel,
                "direction": "inbound", "queue": name, "site": site, "tenant": tenant,
                "customer_id": str(rng.choice(customers)), "topic": str(rng.choice(TOPICS)),
                "arrived_at": iso(arrived), "blocked": False,
                "accepted_at": iso(max(arrived, reply - timedelta(minutes=6))) if answered
                else None,
                "first_response_at": iso(reply) if answered else None,
                "ended_at": iso(reply) if answered else None,
                "agent_id": f"{name[:2]}01" if answered else None,
                "transferred": False, "resolved": bool(rng.random() < 0.85) if answered else None,
            })
    return rows


def agent_states(contacts: pd.DataFrame) -> pd.DataFrame:
    """One non-overlapping timeline per live agent: handling (merged sessions), ACW,
    available in between, a 15-minute break, logged out after the day."""
    live = contacts[contacts["channel"].isin(["voice", "chat"]) & contacts["agent_id"].notna()]
    rows: list[dict[str, object]] = []
    for (agent, day), work in live.groupby(
        [live["agent_id"], live["accepted_at"].str[:10]], sort=True
    ):
        site = work["site"].iloc[0]
        channel = work["channel"].iloc[0]
        shift_start = pd.Timestamp(f"{day}T06:00:00Z")
        shift_end = shift_start + pd.Timedelta(hours=OPEN_HOURS)
        busy: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
        for _, c in work.sort_values("accepted_at").iterrows():
            s, e = pd.Timestamp(c["accepted_at"]), pd.Timestamp(c["ended_at"])
            acw_s = c["acw_seconds"]
            acw = pd.Timedelta(seconds=0.0 if pd.isna(acw_s) else float(acw_s))
            if busy and s <= busy[-1][1] and busy[-1][2] == "handling":
                busy[-1] = (busy[-1][0], max(busy[-1][1], e), "handling")
            else:
                if busy and s < busy[-1][1]:
                    s = busy[-1][1]
                busy.append((s, max(s, e), "handling"))
            if acw > pd.Timedelta(0):
                busy.append((busy[-1][1], busy[-1][1] + acw, "acw"))
        cursor = shift_start
        for s, e, state in busy:
            s = max(s, cursor)
            if e <= s:
                continue
            if s > cursor:
                rows.append(_state(agent, "available", None, cursor, s, None, site))
            rows.append(_state(agent, state, None, s, e, channel, site))
            cursor = e
        end = max(cursor, shift_end)
        if end > cursor:
            rows.append(_state(agent, "not_ready", "break", cursor,
                               min(end, cursor + pd.Timedelta(minutes=15)), None, site))
            if end > cursor + pd.Timedelta(minutes=15):
                rows.append(_state(agent, "available", None, cursor + pd.Timedelta(minutes=15),
                                   end, None, site))
    return pd.DataFrame(rows)


def _state(agent: str, state: str, reason: str | None, s: pd.Timestamp, e: pd.Timestamp,
           channel: str | None, site: str) -> dict[str, object]:
    return {"agent_id": agent, "state": state, "reason": reason,
            "start": s.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "end": e.strftime(
                "%Y-%m-%dT%H:%M:%S.%fZ"), "channel": channel, "site": site}


def main() -> None:
    rng = np.random.default_rng(7)
    customers = np.array([f"cust{n:05d}" for n in range(2500)])
    rows: list[dict[str, object]] = []
    for day in DAYS:
        for q in QUEUES:
            rows += simulate_live(rng, q, day, customers)
    for spec in DEFERRED:
        rows += deferred(rng, *spec, customers=customers)
    contacts = pd.DataFrame(rows).sort_values(["arrived_at", "contact_id"])
    OUT.mkdir(parents=True, exist_ok=True)
    contacts.to_csv(OUT / "contacts.csv", index=False)
    agent_states(contacts).to_csv(OUT / "agent_states.csv", index=False)
    print(f"wrote {len(contacts)} contacts to {OUT}")


if __name__ == "__main__":
    main()
