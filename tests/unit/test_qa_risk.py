"""Risk-weighted QA sampling on a hand-made dataset (numbers worked out in the comments).

Two agents with 10 handled contacts each on 2026-03-02: ``new`` was hired on 2026-02-20
(12 days before: a new agent), ``old`` in 2020. At rate 0.2 the old agent gets
round(0.2 × 10) = 2 contacts and the new one round(0.2 × 10 × (1 + 1)) = 4.
``old-3`` and ``old-7`` have a 1-of-5 survey (negative: (1 − 1) / 4 < 0.5); ``old-5`` a
5-of-5 one. ``new-2`` is a call with a 14 s silence in talk_analytics.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import omnikpi
from omnikpi.engine.backends import backend_for
from omnikpi.errors import UsageError
from omnikpi.qa.risk_sampling import RiskWeights, draw_risk_sample, features
from omnikpi.schema.dataset import Dataset


def _write(folder: Path, name: str, header: list[str], rows: list[list[object]]) -> None:
    with (folder / f"{name}.csv").open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)


def _dataset(folder: Path, shuffle: int | None = None) -> Path:
    folder.mkdir()
    contacts = []
    for agent in ("new", "old"):
        for n in range(10):
            minute = f"{n:02d}"
            contacts.append([f"{agent}-{n}", "voice", "sales", f"2026-03-02T10:{minute}:00",
                             f"2026-03-02T10:{minute}:05", f"2026-03-02T10:{minute}:05",
                             f"2026-03-02T10:{minute}:{50 if n != 9 else 59}", agent])
    if shuffle is not None:
        random.Random(shuffle).shuffle(contacts)
    _write(folder, "contacts", ["contact_id", "channel", "queue", "arrived_at", "accepted_at",
                                "first_response_at", "ended_at", "agent_id"], contacts)
    _write(folder, "roster", ["agent_id", "hired_on"], [["new", "2026-02-20"],
                                                        ["old", "2020-01-06"]])
    _write(folder, "surveys", ["contact_id", "survey", "score", "scale_min", "scale_max",
                               "answered_at"],
           [["old-3", "csat", 1, 1, 5, "2026-03-02T11:00:00"],
            ["old-7", "csat", 1, 1, 5, "2026-03-02T11:00:00"],
            ["old-5", "csat", 5, 1, 5, "2026-03-02T11:00:00"]])
    _write(folder, "talk_analytics", ["contact_id", "duration_s", "longest_silence_s",
                                      "overtalk_s"],
           [["new-2", 45, 14, 0], ["new-4", 45, 2, 1]])
    return folder


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _dataset(tmp_path_factory.mktemp("risk") / "data")


@pytest.fixture(scope="module")
def dataset(data: Path) -> Dataset:
    return omnikpi.load_dataset(data)


def test_features_flag_what_the_data_says(dataset: Dataset) -> None:
    rows = backend_for("duckdb", dataset).execute(
        features(dataset, RiskWeights(), None, None)).set_index("contact_id")
    assert rows.new_agent.to_dict() == {c: int(c.startswith("new")) for c in rows.index}
    assert sorted(rows.index[rows.negative_survey == 1]) == ["old-3", "old-7"]
    # the one call of each agent 9 s longer than the others is the top 10 % of the queue
    assert sorted(rows.index[rows.long_handle == 1]) == ["new-9", "old-9"]
    if dataset.has("talk_analytics"):
        assert list(rows.index[rows.talk_flag == 1]) == ["new-2"]
    assert rows.low_score.sum() == 0  # no QA evaluations in the dataset


def test_new_agents_get_more_and_negative_surveys_come_first(dataset: Dataset
                                                             ) -> None:
    weights = RiskWeights(negative_survey=1e6)
    for seed in range(1, 4):
        drawn = draw_risk_sample(dataset, 0.2, seed, 1, weights=weights)
        by_agent = {a: sorted(u.contact_id for u in drawn.sample.units if u.agent_id == a)
                    for a in ("new", "old")}
        assert len(by_agent["new"]) == 4
        assert by_agent["old"] == ["old-3", "old-7"]  # weight 10⁶: practically certain
        assert drawn.flags["old-3"] == ("negative_survey",)
        assert drawn.sample.population == 20


def test_without_weights_it_is_the_plain_rate(dataset: Dataset) -> None:
    flat = RiskWeights(new_agent=0, low_score=0, negative_survey=0, long_handle=0,
                       talk_flag=0)
    drawn = draw_risk_sample(dataset, 0.2, 3, 1, weights=flat)
    assert [sum(u.agent_id == a for u in drawn.sample.units) for a in ("new", "old")] == [2, 2]
    # at least min_per_agent, never more than the agent has
    assert len(draw_risk_sample(dataset, 0.01, 3, 3, weights=flat).sample.units) == 6
    assert len(draw_risk_sample(dataset, 1.0, 3, 1).sample.units) == 20


def test_reproducible_and_independent_of_row_order(data: Path, dataset: Dataset,
                                                   tmp_path: Path) -> None:
    first = draw_risk_sample(dataset, 0.3, 11, 1).sample.contact_ids
    again = draw_risk_sample(omnikpi.load_dataset(data), 0.3, 11, 1).sample.contact_ids
    shuffled = draw_risk_sample(omnikpi.load_dataset(_dataset(tmp_path / "s", shuffle=5)),
                                0.3, 11, 1).sample.contact_ids
    assert first == again == shuffled
    others = {tuple(draw_risk_sample(dataset, 0.3, s, 1).sample.contact_ids)
              for s in range(1, 4)}
    assert len(others) > 1  # the seed matters


def test_exclusions_and_bad_input(dataset: Dataset) -> None:
    drawn = draw_risk_sample(dataset, 1.0, 1, 1, exclude={"old-3", "new-0"})
    assert {"old-3", "new-0"}.isdisjoint(drawn.sample.contact_ids)
    assert len(drawn.sample.units) == 18 and drawn.sample.population == 20
    with pytest.raises(UsageError):
        draw_risk_sample(dataset, 0, 1)
    with pytest.raises(UsageError):
        draw_risk_sample(dataset, 0.1, 1, weights=RiskWeights(new_agent=-1))


def test_a_score_given_after_the_period_does_not_mark_its_agent(tmp_path: Path) -> None:
    """The period is 2026-03-02 (``to`` 03-03, exclusive). ``old`` was scored 50 on 03-03
    at noon — after the period — and ``new`` 50 on 03-02 within it: only ``new``'s
    contacts are "low score" (the mean of the 30 days before the period's end)."""
    folder = _dataset(tmp_path / "data")
    _write(folder, "qa_evaluations", ["evaluation_id", "contact_id", "agent_id",
                                      "evaluator_id", "form_id", "evaluated_at", "score"],
           [["e1", "old-1", "old", "lead", "f", "2026-03-03T12:00:00", 50],
            ["e2", "new-1", "new", "lead", "f", "2026-03-02T12:00:00", 50]])
    loaded = omnikpi.load_dataset(folder, cache=False)
    try:
        end = 1_772_496_000_000_000  # 2026-03-03T00:00:00Z
        rows = backend_for("duckdb", loaded).execute(
            features(loaded, RiskWeights(), None, end)).set_index("contact_id")
    finally:
        loaded.close()
    assert rows.low_score.to_dict() == {c: int(c.startswith("new")) for c in rows.index}


def test_one_agent_id_in_two_tenants_is_two_agents(tmp_path: Path) -> None:
    """``x`` is the bank's (10 calls, hired 12 days before: new), the telco's (10 calls,
    hired in 2020) and the operator's own (5 calls, no tenant, hired in 2020, scored 50 on
    the day: low score). At rate 0.2: the bank's gets round(0.2 × 10 × 2) = 4, the telco's
    round(0.2 × 10) = 2, the operator's round(0.2 × 5 × 2) = 2. Joined on the id alone,
    the bank's hire date made all three new, and the three were one group of 25 with
    round(0.2 × 25 × 2) = 10 contacts in all."""
    folder = tmp_path / "data"
    folder.mkdir()
    contacts = []
    for tenant, calls in (("bank", 10), ("telco", 10), ("", 5)):
        for n in range(calls):
            minute = f"{n:02d}"
            contacts.append([f"{tenant or 'own'}-{n}", "voice", "sales", tenant,
                             f"2026-03-02T10:{minute}:00", f"2026-03-02T10:{minute}:05",
                             f"2026-03-02T10:{minute}:05", f"2026-03-02T10:{minute}:50", "x"])
    _write(folder, "contacts", ["contact_id", "channel", "queue", "tenant", "arrived_at",
                                "accepted_at", "first_response_at", "ended_at", "agent_id"],
           contacts)
    _write(folder, "roster", ["agent_id", "hired_on", "tenant"],
           [["x", "2026-02-20", "bank"], ["x", "2020-01-06", "telco"],
            ["x", "2020-01-06", ""]])
    _write(folder, "qa_evaluations", ["evaluation_id", "contact_id", "agent_id",
                                      "evaluator_id", "form_id", "evaluated_at", "score"],
           [["e1", "own-1", "x", "lead", "f", "2026-03-02T12:00:00", 50]])
    loaded = omnikpi.load_dataset(folder, cache=False)
    try:
        rows = backend_for("duckdb", loaded).execute(
            features(loaded, RiskWeights(), None, None))
        flags = {tenant: (int(g.new_agent.max()), int(g.new_agent.min()),
                          int(g.low_score.max()), int(g.low_score.min()))
                 for tenant, g in rows.fillna({"tenant": ""}).groupby("tenant")}
        assert flags == {"bank": (1, 1, 0, 0), "telco": (0, 0, 0, 0), "": (0, 0, 1, 1)}
        for seed in (1, 2):
            drawn = draw_risk_sample(loaded, 0.2, seed, 1).sample
            assert Counter(u.tenant for u in drawn.units) == {"bank": 4, "telco": 2, None: 2}
    finally:
        loaded.close()


def test_open_conversations_do_not_hide_the_long_handle_times(tmp_path: Path) -> None:
    """A chat queue of 20 ended chats (handle 10 s, 20 s, … 200 s) and 20 still open (no
    end: no handle time). Among the 20 with a handle time the percent rank is k / 19:
    ≥ 0.9 for k = 18 and 19, so the two longest (190 s, 200 s) are the top 10 %. Ranked
    with the open ones (nulls last, of 40), the longest reached 19 / 39 ≈ 0.49: none."""
    folder = tmp_path / "data"
    folder.mkdir()
    contacts = []
    for n in range(20):
        start = datetime(2026, 3, 2, 10, n)
        end = start + timedelta(seconds=10 * (n + 1))
        contacts.append([f"ended-{n}", "chat", "web", start.isoformat(), start.isoformat(),
                         start.isoformat(), end.isoformat(), "a"])
        contacts.append([f"open-{n}", "chat", "web", start.isoformat(), start.isoformat(),
                         start.isoformat(), "", "a"])
    _write(folder, "contacts", ["contact_id", "channel", "queue", "arrived_at",
                                "accepted_at", "first_response_at", "ended_at", "agent_id"],
           contacts)
    loaded = omnikpi.load_dataset(folder, cache=False)
    try:
        rows = backend_for("duckdb", loaded).execute(
            features(loaded, RiskWeights(), None, None)).set_index("contact_id")
    finally:
        loaded.close()
    assert len(rows) == 40
    assert rows.handle_s.dropna().sort_values().tolist() == [10.0 * (n + 1) for n in range(20)]
    assert sorted(rows.index[rows.long_handle == 1]) == ["ended-18", "ended-19"]


def test_a_negative_survey_reads_each_survey_s_direction(tmp_path: Path) -> None:
    """A customer-effort score is negative when high (1–7, lower = less effort): CES 7
    and 5 of 1–7 are negative ((5 − 1) / 6 > 1 − 0.5), 4 and 1 are not — every CES of
    1–3 was flagged and 5–7 never. An employee survey (esat) is the agent's own opinion,
    no customer's answer about a contact: it flags nothing. CSAT and NPS as before:
    3 of 0–10 is negative."""
    folder = tmp_path / "data"
    folder.mkdir()
    answers = {"ces1": ("ces", 1, 1, 7), "ces4": ("ces", 4, 1, 7), "ces5": ("ces", 5, 1, 7),
               "ces7": ("CES", 7, 1, 7), "esat1": ("esat", 1, 1, 5),
               "nps3": ("nps", 3, 0, 10), "nps9": ("nps", 9, 0, 10),
               "csat2": ("csat", 2, 1, 5)}
    _write(folder, "contacts", ["contact_id", "channel", "queue", "arrived_at",
                                "first_response_at", "ended_at", "agent_id"],
           [[c, "voice", "sales", "2026-03-02T10:00:00", "2026-03-02T10:00:05",
             "2026-03-02T10:01:00", "a1"] for c in answers])
    _write(folder, "surveys", ["contact_id", "survey", "score", "scale_min", "scale_max",
                               "answered_at"],
           [[c, kind, score, low, high, "2026-03-02T11:00:00"]
            for c, (kind, score, low, high) in answers.items()])
    dataset = omnikpi.load_dataset(folder)
    rows = backend_for("duckdb", dataset).execute(
        features(dataset, RiskWeights(), None, None)).set_index("contact_id")
    assert sorted(rows.index[rows.negative_survey == 1]) == ["ces5", "ces7", "csat2", "nps3"]
