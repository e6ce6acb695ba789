"""QA sampling, scoring and calibration agreement against hand-computed values."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import omnikpi
from omnikpi.auth.scope import Scope
from omnikpi.errors import UsageError
from omnikpi.qa.calibration import alpha, calibration_report
from omnikpi.qa.evaluations import Subject, submit
from omnikpi.qa.forms import FormSpec, ItemSpec, form_items, save_form, score
from omnikpi.qa.sampling import draw_sample
from omnikpi.qa.sight import EVERYTHING, Sight
from omnikpi.schema.dataset import load_dataset
from omnikpi.store.db import session_scope, upgrade
from omnikpi.store.models import QaCalibration, QaEvaluation, QaSample


def write_contacts(folder: Path, groups: dict[str, tuple[int, int]],
                   unanswered: int = 0) -> Path:
    """``groups``: agent → (voice calls, chats); chats are from distinct customers."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = ["contact_id,channel,queue,customer_id,arrived_at,first_response_at,agent_id"]
    n = 0
    for agent, (voice, chat) in groups.items():
        for kind, count in (("voice", voice), ("chat", chat)):
            for _ in range(count):
                n += 1
                lines.append(f"{agent}-{kind}-{n},{kind},{kind}q,cust{n},"
                             f"2026-11-02T09:{n % 60:02d}:00Z,2026-11-02T09:{n % 60:02d}:10Z,"
                             f"{agent}")
    for i in range(unanswered):
        lines.append(f"lost-{i},voice,voiceq,x{i},2026-11-02T10:00:00Z,,")
    (folder / "contacts.csv").write_text("\n".join(lines) + "\n")
    return folder


def expected_n(size: int, rate: float, minimum: int) -> int:
    return max(min(minimum, size), math.floor(rate * size + 0.5))


def test_rate_minimum_and_seed(tmp_path: Path) -> None:
    data = load_dataset(write_contacts(tmp_path, {"a1": (50, 50), "a2": (10, 0), "a3": (1, 0)},
                                       unanswered=7))
    sample = draw_sample(data, rate=0.05, seed=42, min_per_agent=2)
    per_agent = Counter(u.agent_id for u in sample.units)
    # a1: 5 % of 100 = 5; a2: 5 % of 10 = 0.5 → 1, raised to the minimum 2; a3: only 1
    assert per_agent == {"a1": 5, "a2": 2, "a3": 1}
    assert sample.population == 111  # handled only: the 7 unanswered are not evaluated
    # stratified: both of a1's channels are represented (50/50 → 2 or 3 each)
    assert sorted(Counter(u.channel for u in sample.units if u.agent_id == "a1").values()) \
        == [2, 3]
    again = draw_sample(load_dataset(tmp_path), rate=0.05, seed=42, min_per_agent=2)
    assert again.contact_ids == sample.contact_ids
    other = draw_sample(data, rate=0.05, seed=43, min_per_agent=2)
    assert other.contact_ids != sample.contact_ids
    assert len(set(sample.contact_ids)) == len(sample.contact_ids)


def test_never_twice_for_the_same_evaluator(tmp_path: Path) -> None:
    data = load_dataset(write_contacts(tmp_path, {"a1": (40, 0)}))
    seen: set[str] = set()
    for week in range(4):
        drawn = draw_sample(data, rate=0.25, seed=week, min_per_agent=1, exclude=seen)
        assert not set(drawn.contact_ids) & seen
        seen |= set(drawn.contact_ids)
    assert len(seen) == 10 + 8 + 6 + 4  # a quarter of what is left each time (half up)


def test_chats_of_one_customer_are_one_question(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,customer_id,arrived_at,first_response_at,agent_id\n"
        "ch1,chat,web,ann,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,a1\n"
        "ch2,chat,web,ann,2026-11-02T15:00:00Z,2026-11-02T15:00:05Z,a2\n"
        "ch3,chat,web,ann,2026-11-04T09:00:00Z,2026-11-04T09:00:05Z,a1\n"
        "v1,voice,tel,ann,2026-11-02T10:00:00Z,2026-11-02T10:00:05Z,a1\n")
    drawn = draw_sample(load_dataset(tmp_path), rate=1.0, seed=1, min_per_agent=0)
    chains = {u.contact_id: u.chain for u in drawn.units}
    # ch2 follows ch1 within 24 h: one chain, owned by ch1's agent; ch3 is 42 h later
    assert chains == {"ch1": ("ch1", "ch2"), "ch3": ("ch3",), "v1": ("v1",)}
    assert drawn.population == 3


def test_chats_exactly_a_day_apart_are_two_questions(tmp_path: Path) -> None:
    """A chain is chats less than 24 h apart (docs/qa.md): ch2, exactly 24 h after ch1,
    was chained to it."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,customer_id,arrived_at,first_response_at,agent_id\n"
        "ch1,chat,web,ann,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,a1\n"
        "ch2,chat,web,ann,2026-11-03T09:00:00Z,2026-11-03T09:00:05Z,a1\n"
        "ch3,chat,web,ann,2026-11-04T08:59:59Z,2026-11-04T09:00:05Z,a2\n")
    drawn = draw_sample(load_dataset(tmp_path), rate=1.0, seed=1, min_per_agent=0)
    assert {u.contact_id: u.chain for u in drawn.units} == {
        "ch1": ("ch1",), "ch2": ("ch2", "ch3")}


def test_one_customer_id_in_two_clients_is_two_questions(tmp_path: Path) -> None:
    """Customer ids repeat across an outsourcer's clients (as agent ids do): the bank's
    chat of ``c1`` and the telco's an hour later were one bank question, and the telco's
    chat was never offered for evaluation."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,tenant,customer_id,arrived_at,first_response_at,agent_id\n"
        "b1,chat,web,bank,c1,2026-11-02T10:00:00Z,2026-11-02T10:00:05Z,a1\n"
        "t1,chat,web,telco,c1,2026-11-02T11:00:00Z,2026-11-02T11:00:05Z,a1\n"
        "b2,chat,web,bank,c1,2026-11-02T12:00:00Z,2026-11-02T12:00:05Z,a2\n")
    drawn = draw_sample(load_dataset(tmp_path), rate=1.0, seed=1, min_per_agent=0)
    assert {u.contact_id: (u.chain, u.tenant) for u in drawn.units} == {
        "b1": (("b1", "b2"), "bank"), "t1": (("t1",), "telco")}
    assert drawn.population == 2


def test_a_contact_accepted_but_never_answered_is_not_sampled(tmp_path: Path) -> None:
    """An e-mail an agent opened (``accepted_at``) and never replied to is no handled
    contact — the catalog's answered count reads ``first_response_at`` — yet the plain
    sample offered it (the risk sample did not)."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,customer_id,arrived_at,accepted_at,first_response_at,"
        "agent_id\n"
        "e1,email,mail,ann,2026-11-02T10:00:00Z,2026-11-02T10:05:00Z,,a1\n"
        "e2,email,mail,bob,2026-11-02T10:00:00Z,2026-11-02T10:05:00Z,"
        "2026-11-02T11:00:00Z,a1\n")
    drawn = draw_sample(load_dataset(tmp_path), rate=1.0, seed=1, min_per_agent=0)
    assert drawn.contact_ids == ["e2"] and drawn.population == 1


def test_a_contact_id_with_a_space_is_one_contact(tmp_path: Path) -> None:
    """Chains were joined with spaces and split on them: "o 1" became a chain of "o" and
    "1" (its evaluation page showed no contact). Saved and read back, it stays itself; a
    row saved before (ids joined by spaces) is still read."""
    from omnikpi.qa.chain_text import chain_ids
    from omnikpi.qa.store import already_given, save_sample

    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,customer_id,arrived_at,first_response_at,agent_id\n"
        "o 1,voice,tel,ann,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,a1\n"
        "c 1,chat,web,bob,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,a1\n"
        "c 2,chat,web,bob,2026-11-02T10:00:00Z,2026-11-02T10:00:05Z,a1\n")
    drawn = draw_sample(load_dataset(tmp_path), rate=1.0, seed=1, min_per_agent=0)
    assert {u.contact_id: u.chain for u in drawn.units} == {
        "o 1": ("o 1",), "c 1": ("c 1", "c 2")}
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    save_sample(drawn, "week", "eve", "lead", url)
    assert already_given("eve", url) == {"o 1", "c 1", "c 2"}
    assert chain_ids("a b") == ["a", "b"] and chain_ids('["a b"]') == ["a b"]


def test_the_population_is_of_units_when_every_unit_is_excluded(tmp_path: Path) -> None:
    """Two chats of one customer are one unit: 2 units of 3 contacts, whether or not the
    evaluator has seen them all (it read 3, the contacts, when nothing was left)."""
    (tmp_path / "contacts.csv").write_text(
        "contact_id,channel,queue,customer_id,arrived_at,first_response_at,agent_id\n"
        "v1,voice,tel,ann,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,a1\n"
        "c1,chat,web,bob,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,a1\n"
        "c2,chat,web,bob,2026-11-02T10:00:00Z,2026-11-02T10:00:05Z,a1\n")
    data = load_dataset(tmp_path)
    assert draw_sample(data, rate=1.0, seed=1, min_per_agent=0).population == 2
    none_left = draw_sample(data, rate=1.0, seed=1, min_per_agent=0,
                            exclude={"v1", "c1", "c2"})
    assert none_left.units == () and none_left.population == 2


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(min_value=1, max_value=60), min_size=1, max_size=4),
       rate=st.sampled_from([0.02, 0.03, 0.05, 0.1, 0.5]),
       minimum=st.integers(min_value=0, max_value=4), seed=st.integers(0, 10**6))
def test_sample_size_is_the_rule(tmp_path_factory: pytest.TempPathFactory, sizes: list[int],
                                 rate: float, minimum: int, seed: int) -> None:
    folder = write_contacts(tmp_path_factory.mktemp("s"),
                            {f"a{i}": (n, 0) for i, n in enumerate(sizes)})
    drawn = draw_sample(load_dataset(folder), rate=rate, seed=seed, min_per_agent=minimum)
    counts = Counter(u.agent_id for u in drawn.units)
    for i, n in enumerate(sizes):
        assert counts.get(f"a{i}", 0) == expected_n(n, rate, minimum)


class Item:
    def __init__(self, id: int, weight: float, critical: bool = False,
                 allow_na: bool = True) -> None:
        self.id, self.weight, self.critical, self.allow_na = id, weight, critical, allow_na
        self.item_key, self.text = f"i{id}", f"Item text {id}"


def test_score_by_hand() -> None:
    items = [Item(1, 2), Item(2, 1), Item(3, 3, critical=True)]
    assert score(items, {1: 1, 2: 0, 3: None}) == (pytest.approx(200 / 3), False)  # type: ignore[arg-type]
    assert score(items, {1: 1, 2: 1, 3: 0}) == (pytest.approx(50.0), True)  # type: ignore[arg-type]
    assert score(items, {1: 1, 2: 0.5, 3: 1}) == (pytest.approx(100 * 5.5 / 6), False)  # type: ignore[arg-type]


def test_krippendorff_alpha_by_hand() -> None:
    # values 1,1 | 2,2 | 3,4: D_o = 2/6, D_e = 82/30 → alpha = 1 − (1/3)/(82/30) = 36/41
    assert alpha([[1, 2, 3], [1, 2, 4]]) == pytest.approx(36 / 41)
    assert alpha([[1, 1], [1, 1]]) is None  # no variation: undefined
    assert alpha([[1, 2, None], [1, 3, 5]]) == alpha([[1, 2], [1, 3]])


def test_calibration_report_by_hand(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    spec = FormSpec("f", "F", (ItemSpec("G", "a", "A", 1.0), ItemSpec("G", "b", "B", 3.0,
                                                                       critical=True)),
                    pass_score=60)
    with session_scope(url) as session:
        form = save_form(session, spec, "t")
        a, b = (i.id for i in form_items(session, form.id))
        cal = QaCalibration(name="week", form_id=form.id, contact_ids="c1 c2",
                            evaluators="lead ann bob", reference="lead")
        session.add(cal)
        session.flush()
        scores = {  # evaluator → contact → (item a, item b)
            "lead": {"c1": (1, 1), "c2": (0, 1)},   # 100, 75
            "ann": {"c1": (1, 1), "c2": (1, 1)},    # 100, 100
            "bob": {"c1": (0, 1), "c2": (1, 0)},    # 75, 25 (critical)
        }
        for evaluator, per_contact in scores.items():
            for contact, (x, y) in per_contact.items():
                submit(session, form.id, Subject(contact, "agent1"), evaluator, {a: x, b: y},
                       calibration_id=cal.id)
        cal_id = cal.id
    with session_scope(url) as session:
        report = calibration_report(session, cal_id)
    assert report["evaluations"] == report["expected"] == 6
    assert report["scores"]["bob"] == {"c1": 75.0, "c2": 25.0}
    items = {r["item"]: r for r in report["items"]}
    # item a: c1 values 1,1,0 → sd √(2/9); c2 values 0,1,1 → √(2/9)
    assert items["a"]["spread"] == pytest.approx(math.sqrt(2 / 9))
    # item b: c1 1,1,1 → 0; c2 1,1,0 → √(2/9); mean √(2/9)/2
    assert items["b"]["spread"] == pytest.approx(math.sqrt(2 / 9) / 2)
    assert report["score_alpha"] == pytest.approx(alpha([[100, 75], [100, 100], [75, 25]]))
    versus = {r["evaluator"]: r for r in report["versus_reference"]}
    assert versus["ann"]["mean_abs_difference"] == pytest.approx(12.5)   # |0| and |25|
    assert versus["bob"]["mean_abs_difference"] == pytest.approx(37.5)   # |25| and |50|
    # verdicts (pass ≥ 60, no critical error): lead pass, pass; ann pass, pass;
    # bob pass, fail → bob agrees on one contact of two
    assert versus["ann"]["same_verdict"] == 1.0 and versus["bob"]["same_verdict"] == 0.5


def test_form_input_errors_are_named() -> None:
    from omnikpi.errors import UsageError
    from omnikpi.qa.forms import check_form, parse_form, parse_item_lines

    items = parse_item_lines("Style | greet | Greets | 2 | yes | no\n\nContent | ok | Correct")
    assert [(i.key, i.weight, i.critical, i.allow_na) for i in items] == [
        ("greet", 2.0, True, False), ("ok", 1.0, False, True)]
    with pytest.raises(UsageError, match="line 1: write group"):
        parse_item_lines("just text")
    with pytest.raises(UsageError, match="weight 'heavy' is not a number"):
        parse_item_lines("G | k | t | heavy")
    # yes or no in the three languages; anything else is asked again ("maybe" was no)
    typed = parse_item_lines("G | a | A | 1 | да | ні\nG | b | B | 1 | так | нет")
    assert [(i.critical, i.allow_na) for i in typed] == [(True, False), (True, False)]
    with pytest.raises(UsageError, match="line 1: critical is 'maybe': write yes or no"):
        parse_item_lines("G | k | t | 1 | maybe | no")
    with pytest.raises(UsageError, match="line 2: N/A allowed is 'sometimes'"):
        parse_item_lines("G | a | A\nG | k | t | 1 | no | sometimes")
    with pytest.raises(UsageError, match="7 fields, at most 6"):
        parse_item_lines("G | k | a | b | 1 | no | no")
    with pytest.raises(UsageError, match="item keys must be unique"):
        check_form(FormSpec("f", "F", items + items))
    with pytest.raises(UsageError, match="key must be lower-case"):
        check_form(FormSpec("Bad Key", "F", items))
    with pytest.raises(UsageError, match="needs key"):
        parse_form({"name": "no key", "items": []})
    # named as the evaluator reads the item (its key is not on the page)
    with pytest.raises(UsageError, match=r"^item 'Item text 1' cannot be N/A$"):
        score([Item(1, 1, allow_na=False)], {1: None})  # type: ignore[list-item]
    with pytest.raises(UsageError, match="has no answer"):
        score([Item(1, 1)], {})  # type: ignore[list-item]


def test_a_form_file_says_what_it_means_or_is_refused(tmp_path: Path) -> None:
    """``critical = "no"`` made an item critical (``bool("no")``) and a misspelt key
    (``critcal = true``, ``pass_scor = 95``) was dropped: each changed which contacts
    count as defective without a word. A yes/no word reads as the web form reads it."""
    from omnikpi.errors import UsageError
    from omnikpi.qa.forms import load_form_file

    head = 'key = "f"\nname = "F"\npass_score = 80\n'
    item = '[[items]]\ngroup = "A"\nkey = "a"\ntext = "A"\n'
    path = tmp_path / "form.toml"
    path.write_text(head + item + 'critical = "no"\nallow_na = "false"\n')
    spec = load_form_file(path)
    assert (spec.items[0].critical, spec.items[0].allow_na, spec.pass_score) == (
        False, False, 80.0)
    path.write_text(head + item + 'critical = "да"\n')
    assert load_form_file(path).items[0].critical is True
    for text, message in [
        (head + item + "critical = 1\n", "item 1's critical is 1: write true or false"),
        (head + item + 'critical = "maybe"\n', "critical is 'maybe'"),
        (head + item + "critcal = true\n", "item 1: unknown key.s. critcal; the keys are "
                                            "group, key, text, weight, critical, allow_na"),
        (head.replace("pass_score", "pass_scor") + item, "unknown key.s. pass_scor"),
        (head + 'items = "a"\n', "items must be .*items.* tables"),
        # a blank name saved a form nobody could choose (refused on the web page only)
        (head.replace('name = "F"', 'name = "  "') + item, "a form needs a name"),
    ]:
        path.write_text(text)
        with pytest.raises(UsageError, match=message):
            load_form_file(path)


def test_a_saved_sample_on_an_old_database_names_the_command(tmp_path: Path) -> None:
    """``qa sample --evaluator --save`` on a database never upgraded: the usage error that
    names ``omnikpi db upgrade`` (a SQLAlchemy traceback before), exit 2; an unknown
    --format is a usage error too (exit 1 before)."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app

    data = write_contacts(tmp_path / "data", {"a1": (10, 0)})
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    saved = CliRunner().invoke(app, ["qa", "sample", "--data", str(data), "--rate", "0.5",
                                     "--seed", "7",
                                     "--evaluator", "anna", "--save", "week",
                                     "--database-url", url])
    assert saved.exit_code == 2 and "omnikpi db upgrade" in saved.output, saved.output
    odd = CliRunner().invoke(app, ["qa", "sample", "--data", str(data), "--seed", "7",
                                   "--rate", "0.5", "--format", "xml"])
    assert odd.exit_code == 2 and "--format" in odd.output


def test_a_reversed_window_draws_no_sample(tmp_path: Path) -> None:
    """``qa sample --from 2024-03-07 --to 2024-03-04 --save … --evaluator anna`` drew "0 of 0
    handled contacts" and saved an empty sample for anna, exit 0; the report and the /qa
    page refuse such a window. Nothing is saved now."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app
    from omnikpi.qa.risk_sampling import draw_risk_sample

    data = write_contacts(tmp_path / "data", {"a1": (10, 0)})
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    refused = CliRunner().invoke(app, [
        "qa", "sample", "--data", str(data), "--rate", "0.5", "--seed", "7",
        "--from", "2024-03-07", "--to", "2024-03-04", "--evaluator", "anna",
        "--save", "week", "--database-url", url])
    assert refused.exit_code == 2, refused.output
    assert "to must be after from" in refused.output
    with session_scope(url) as session:
        assert session.scalars(select(QaSample)).all() == []
    dataset = load_dataset(data)
    with pytest.raises(UsageError, match="to must be after from"):
        draw_risk_sample(dataset, 0.5, 7, 1, "2024-03-07", "2024-03-07")


def test_a_queue_saved_for_a_name_without_an_account_says_so(tmp_path: Path) -> None:
    """``--evaluator anan`` (a typo) saved a queue nobody would see, without a word. With
    accounts in the database, a name that is none of them is noted on stderr; the demo's
    database without accounts takes any name quietly."""
    from typer.testing import CliRunner

    from omnikpi.auth.accounts import create_user
    from omnikpi.cli.main import app
    from omnikpi.store.db import session_scope, upgrade

    data = write_contacts(tmp_path / "data", {"a1": (10, 0)})
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)

    def save(evaluator: str, name: str) -> str:
        result = CliRunner().invoke(app, ["qa", "sample", "--data", str(data), "--rate", "0.5",
                                          "--seed", "7", "--evaluator", evaluator, "--save",
                                          name, "--database-url", url, "--format", "json"])
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    assert "no account" not in save("anna", "before any login")
    with session_scope(url) as session:
        create_user(session, "anna", "plum tractor velvet", "supervisor", all_tenants=True)
    first = save("anna", "week 1")
    assert "no account" not in first
    assert "saved sample 'week 1' (id 2): 3 contact(s) for anna" in first
    assert "same name" not in first
    again = save("anna", "week 1")  # said, with its namesake (the web lists them by date)
    assert "saved sample 'week 1' (id 3)" in again
    assert "1 earlier sample(s) have the same name" in again
    said = save("anan", "week 2")
    assert "note: no account is named 'anan'" in said
    assert "omnikpi users add anan --role supervisor" in said
    with session_scope(url) as session:  # an agent's account cannot open the queue
        create_user(session, "ag", "plum tractor velvet", "agent", tenant="A",
                    agent_id="a1")
    agent = save("ag", "week 3")
    assert ("note: 'ag' is an agent account (only administrators and supervisors "
            "evaluate): the queue waits for nobody; give an administrator's or a "
            "supervisor's login to --evaluator") in agent


def test_loading_the_same_form_twice_makes_no_new_version(tmp_path: Path) -> None:
    """`omnikpi qa forms voice.toml` run twice stored version 2 of an identical form."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app
    from omnikpi.store.db import upgrade

    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    voice = Path(__file__).resolve().parents[2] / "qa_forms" / "voice.toml"

    def load(path: Path) -> str:
        done = CliRunner().invoke(app, ["qa", "forms", str(path), "--database-url", url])
        assert done.exit_code == 0, done.output
        return done.stdout.strip()

    first = load(voice)
    assert first.endswith("version 1 (id 1)")
    assert load(voice).endswith("version 1 (id 1), unchanged")
    changed = tmp_path / "voice.toml"
    text = voice.read_text()
    name_line = next(line for line in text.splitlines() if line.startswith("name"))
    changed.write_text(text.replace(name_line, 'name = "Voice call review, 2nd edition"'))
    assert load(changed).endswith("version 2 (id 2)")


def test_revision_0008_matches_the_qa_form_model(tmp_path: Path) -> None:
    """The migration adds exactly the column models.py declares for a form's tenant."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from omnikpi.store.db import get_engine, upgrade
    from omnikpi.store.models import Base

    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert [d for d in differences if "qa_forms" in repr(d)] == []


def test_two_forms_sharing_an_item_key_keep_their_own_wording(tmp_path: Path) -> None:
    """The voice and the text form both have an item ``correct``, worded differently: the
    error report read every failed ``correct`` in the wording of the form saved last, and
    coaching a voice agent offered the text form's items."""
    from omnikpi.qa.coaching import agent_item_texts, error_report, save_error_kinds

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    voice = FormSpec("voice", "Calls", (ItemSpec("G", "greet", "Greets by the standard",
                                                 1.0),
                                        ItemSpec("G", "correct", "Gives correct information",
                                                 3.0)))
    text = FormSpec("text", "Chats", (ItemSpec("G", "correct", "Links the right article",
                                               3.0),
                                      ItemSpec("G", "links", "Links work", 1.0)))
    with session_scope(url) as session:
        forms = {spec.key: save_form(session, spec, "t") for spec in (voice, text)}
        for form_key, contact, agent in (("voice", "c1", "v1"), ("text", "c2", "t1"),
                                         ("text", "c3", "t1")):
            ids = {i.item_key: i.id for i in form_items(session, forms[form_key].id)}
            evaluation = submit(session, forms[form_key].id, Subject(contact, agent), "lead",
                                {i: 0.0 if key == "correct" else 1.0
                                 for key, i in ids.items()})
            save_error_kinds(session, evaluation, {})
        rows = [(r.item_key, r.text, r.errors, r.evaluations)
                for r in error_report(session, EVERYTHING, "operator")]
        assert rows == [("correct", "Links the right article", 2, 2),
                        ("correct", "Gives correct information", 1, 1)]
        newest_of = {e.agent_id: e for e in session.scalars(select(QaEvaluation))}
        # offered by form and key, as the export names them (the coaching session stores
        # what is chosen, and its before/after keeps each form's check apart)
        assert agent_item_texts(session, newest_of["v1"]) == {
            "voice/greet": "Greets by the standard",
            "voice/correct": "Gives correct information"}
        assert agent_item_texts(session, newest_of["t1"]) == {
            "text/correct": "Links the right article", "text/links": "Links work"}


def test_qa_item_score_keeps_each_forms_item_apart(tmp_path: Path) -> None:
    """Voice's ``correct`` (met on c1, not on c4) and text's ``correct`` (not met on c2 and
    c3): one row "correct" read 1/4 = 25 %, pooling two checks; per form it is 1/2 for voice
    and 0/2 for text. The exported item names its form."""
    from omnikpi.qa.evaluations import export_canonical

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    voice = FormSpec("voice", "Calls", (ItemSpec("G", "correct", "Gives correct information",
                                                 3.0),))
    text = FormSpec("text", "Chats", (ItemSpec("G", "correct", "Links the right article",
                                               3.0),))
    data = tmp_path / "data"
    with session_scope(url) as session:
        forms = {spec.key: save_form(session, spec, "t") for spec in (voice, text)}
        for form_key, contact, met in (("voice", "c1", 1.0), ("text", "c2", 0.0),
                                       ("text", "c3", 0.0), ("voice", "c4", 0.0)):
            [item] = form_items(session, forms[form_key].id)
            submit(session, forms[form_key].id, Subject(contact, "a1"), "lead",
                   {item.id: met})
        export_canonical(session, data)
    rows = omnikpi.report_result(data, metrics=["qa_item_score"]).rows
    assert {r["item_id"]: r["qa_item_score"] for r in rows} == {
        "voice/correct": 0.5, "text/correct": 0.0}


def test_an_agent_evaluated_for_two_clients_is_coached_per_client(tmp_path: Path) -> None:
    """Agent ids repeat across an outsourcer's clients: "a1" failed "ident" for the bank
    and "greet" for the telco. Coaching offered only the telco's "a1" and proposed the
    bank's error with it; each client's "a1" is now offered with its own errors."""
    from omnikpi.qa.coaching import coachable_agents, error_report, save_error_kinds

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    spec = FormSpec("f", "Calls", (ItemSpec("G", "greet", "Greets", 1.0),
                                   ItemSpec("G", "ident", "Identifies", 1.0)))
    with session_scope(url) as session:
        form = save_form(session, spec, "t")
        ids = {i.item_key: i.id for i in form_items(session, form.id)}
        for contact, tenant, failed in (("b1", "bank", "ident"), ("t1", "telco", "greet")):
            evaluation = submit(session, form.id, Subject(contact, "a1", tenant=tenant),
                                "lead", {i: 0.0 if key == failed else 1.0
                                         for key, i in ids.items()})
            save_error_kinds(session, evaluation, {})
        agents = coachable_agents(session, EVERYTHING)
        assert [(a.agent_id, a.tenant) for a in agents] == [("a1", "bank"), ("a1", "telco")]
        proposed = {a.tenant: [r.item_key for r in error_report(
            session, EVERYTHING, "operator", a) if r.errors] for a in agents}
        assert proposed == {"bank": ["ident"], "telco": ["greet"]}


def test_a_tenants_private_wording_labels_only_its_own_items(tmp_path: Path) -> None:
    """The bank's own form words ``identified`` its way: the telco's coaching pages read
    the bank's private wording (the newest form of any tenant won)."""
    from omnikpi.qa.coaching import item_texts

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    with session_scope(url) as session:
        save_form(session, FormSpec("std", "Standard", (
            ItemSpec("G", "identified", "Identifies the caller", 1.0),)), "t")
        save_form(session, FormSpec("bank", "Bank", (
            ItemSpec("G", "identified", "BANK PRIVATE WORDING", 1.0),)), "t", tenant="bank")
        assert item_texts(session, "telco") == {"identified": "Identifies the caller"}
        assert item_texts(session, "bank") == {"identified": "BANK PRIVATE WORDING"}
        assert item_texts(session)["identified"] == "BANK PRIVATE WORDING"  # unbounded


def test_the_queue_is_cut_after_the_scope_not_before(tmp_path: Path) -> None:
    """250 pending contacts of site kyiv, then 5 of lviv: a lviv supervisor's queue was
    the first 200 pending items filtered to lviv — empty. Now their 5, and the count."""
    from omnikpi.qa.queries import pending_items
    from omnikpi.store.models import QaSample, QaSampleItem

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    with session_scope(url) as session:
        sample = QaSample(name="week", seed=1, rate=1.0)
        session.add(sample)
        session.flush()
        for number in range(255):
            session.add(QaSampleItem(sample_id=sample.id, contact_id=f"c{number}",
                                     agent_id="a1", site="kyiv" if number < 250 else "lviv"))
        session.flush()
        lviv, waiting = pending_items(session, "sup", Sight(Scope(sites=("lviv",))))
        assert [i.contact_id for i in lviv] == ["c250", "c251", "c252", "c253", "c254"]
        assert waiting == 5
        shown, waiting = pending_items(session, "sup", EVERYTHING)
        assert len(shown) == 200 and waiting == 255


def test_recent_evaluations_are_cut_to_the_caller_before_their_limit(tmp_path: Path) -> None:
    """An agent's list was the center's newest 500 evaluations cut to their own: one
    evaluated before 600 others saw none. A supervisor of another site likewise."""
    from omnikpi.qa.queries import recent_evaluations
    from omnikpi.store.models import QaEvaluation, QaForm

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    with session_scope(url) as session:
        form = QaForm(form_key="f", name="F", version=1)
        session.add(form)
        session.flush()
        session.add(QaEvaluation(form_id=form.id, contact_id="old", agent_id="a7",
                                 tenant="A", site="lviv", evaluator="lead", score=90.0))
        for number in range(600):
            session.add(QaEvaluation(form_id=form.id, contact_id=f"c{number}", agent_id="a1",
                                     tenant="A", site="kyiv", evaluator="lead", score=80.0))
        session.flush()
        agent = Sight(Scope(("A",)), agent_only=True, agent_id="a7")
        assert [e.contact_id for e in recent_evaluations(session, agent)] == ["old"]
        lviv = Sight(Scope(("A",), ("lviv",)))
        assert [e.contact_id for e in recent_evaluations(session, lviv)] == ["old"]
        assert len(recent_evaluations(session, EVERYTHING)) == 100
        other_tenant = Sight(Scope(("B",)), agent_only=True, agent_id="a7")
        assert recent_evaluations(session, other_tenant) == []


def test_a_form_file_with_blank_or_mistyped_values_is_refused(tmp_path: Path) -> None:
    """An item of blank group, key or text was saved, and its answers were quarantined
    by the dataset (``qa_items`` without ``item_id``); ``text = ["x"]`` was stored as the
    text "['x']", and ``weight = true`` / ``pass_score = true`` read as 1."""
    from omnikpi.qa.forms import load_form_file

    head = 'key = "f"\nname = "F"\n'
    path = tmp_path / "form.toml"
    for body, message in [
        ('[[items]]\ngroup = "A"\nkey = ""\ntext = "A"\n',
         "form.toml: item 1 has no key: every item needs a group, a key and a text"),
        ('[[items]]\ngroup = " "\nkey = "a"\ntext = ""\n',
         r"item 1 \(a\) has no group and no text"),
        ('[[items]]\ngroup = "A"\nkey = "a"\ntext = ["x"]\n',
         r"item 1's text is \[\"x\"\]: write a text in quotes"),
        ('[[items]]\ngroup = "A"\nkey = "a"\ntext = "A"\nweight = true\n',
         "item 1's weight is true: write a number"),
        ('pass_score = true\n[[items]]\ngroup = "A"\nkey = "a"\ntext = "A"\n',
         "pass_score is true: write a number"),
        ('[[items]]\ngroup = "A"\nkey = 7\ntext = "A"\n',
         "item 1's key is 7: write a text in quotes"),
    ]:
        path.write_text(head + body)
        with pytest.raises(UsageError, match=message):
            load_form_file(path)
    path.write_text(head + 'pass_score = 75\n[[items]]\ngroup = "A"\nkey = "a"\ntext = "A"\n'
                    "weight = 2\n")
    spec = load_form_file(path)
    assert (spec.pass_score, spec.items[0].weight, spec.items[0].text) == (75.0, 2.0, "A")


def test_a_blank_item_line_is_refused_with_its_line_number() -> None:
    from omnikpi.qa.forms import check_form, parse_item_lines

    with pytest.raises(UsageError, match=r"^item line 1 has no group and no key and no text"):
        parse_item_lines("|  |  |1")
    with pytest.raises(UsageError, match=r"^item line 3 \(b\) has no text"):
        parse_item_lines("G | a | A\n\nG | b |  | 1")
    with pytest.raises(UsageError, match=r"^form: item 1 has no group and no key and no text"):
        check_form(FormSpec("f", "F", (ItemSpec("", "", "", 1.0),)))


def test_revision_0011_matches_the_qa_sample_model(tmp_path: Path) -> None:
    """The migration adds exactly the columns models.py declares for a sample's risk and
    zone, and a sample saved before it keeps them unknown."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sqlalchemy import text

    from omnikpi.store.db import get_engine
    from omnikpi.store.models import Base

    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url, "0010")
    with session_scope(url) as session:
        session.execute(text("INSERT INTO qa_samples (id, name, seed, rate, min_per_agent, "
                             "population, created_by, created_at) VALUES (1, 'old', 1, 0.5, "
                             "1, 4, 'lead', '2026-11-01 00:00:00')"))
    upgrade(url)
    with get_engine(url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert [d for d in differences if "qa_samples" in repr(d)] == []
    with session_scope(url) as session:
        old = session.get(QaSample, 1)
        assert old is not None and (old.name, old.risk, old.tz) == ("old", None, None)


def test_a_sample_saved_by_the_command_line_says_its_zone(tmp_path: Path) -> None:
    """``qa sample --tz Europe/Kyiv --save`` stored no zone: the sample page, which now
    says the zone its days were read in, said nothing for the command line's samples."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app
    from omnikpi.store.db import session_scope, upgrade
    from omnikpi.store.models import QaSample

    data = write_contacts(tmp_path / "data", {"a1": (10, 0)})
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    result = CliRunner().invoke(app, ["qa", "sample", "--data", str(data), "--rate", "0.5",
                                      "--seed", "7", "--tz", "Europe/Kyiv", "--save", "week",
                                      "--database-url", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    with session_scope(url) as session:
        saved = session.query(QaSample).one()
        assert (saved.risk, saved.tz) == (False, "Europe/Kyiv")


@pytest.mark.parametrize("risk", [[], ["--risk"]])
def test_an_unknown_zone_is_refused_without_a_window_too(tmp_path: Path,
                                                          risk: list[str]) -> None:
    """``--tz Mars/Base`` with no --from or --to was never read, and saved with the
    sample: its page then said "time zone Mars/Base". It is refused as with a window."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app
    from omnikpi.store.db import session_scope, upgrade
    from omnikpi.store.models import QaSample

    data = write_contacts(tmp_path / "data", {"a1": (10, 0)})
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    result = CliRunner().invoke(app, ["qa", "sample", "--data", str(data), "--rate", "0.5",
                                      "--seed", "7", "--tz", "Mars/Base", "--save", "week",
                                      "--database-url", url, *risk])
    assert result.exit_code == 2, result.output
    assert "unknown time zone 'Mars/Base'" in result.output
    with session_scope(url) as session:
        assert session.query(QaSample).count() == 0


def test_a_sample_that_draws_nothing_is_not_saved(tmp_path: Path) -> None:
    """A period with no handled contact saved "0 of 0" for an evaluator without a word;
    so did a rate that draws none with no minimum per agent. Nothing is saved, and the
    refusal says which."""
    from typer.testing import CliRunner

    from omnikpi.cli.main import app
    from omnikpi.store.db import session_scope, upgrade
    from omnikpi.store.models import QaSample

    data = write_contacts(tmp_path / "data", {"a1": (10, 0)})
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    base = ["qa", "sample", "--data", str(data), "--seed", "7", "--save", "week",
            "--database-url", url]
    later = CliRunner().invoke(app, [*base, "--rate", "0.5", "--from", "2030-01-01",
                                     "--to", "2030-01-02"])
    assert later.exit_code == 2, later.output
    assert "nothing saved: no handled contact in this period to sample" in \
        " ".join(later.output.split())
    # 1 % of 10 rounds to none, and no minimum per agent lifts it
    none = CliRunner().invoke(app, [*base, "--rate", "0.01", "--min-per-agent", "0"])
    assert none.exit_code == 2, none.output
    assert "none of the 10 handled contact(s) of this period was drawn" in \
        " ".join(none.output.split())
    with session_scope(url) as session:
        assert session.query(QaSample).count() == 0


def test_calibration_contact_ids_with_a_space_and_saved_before(tmp_path: Path) -> None:
    """A session's contacts are a JSON array (a contact id may hold a space: "o 1" was read
    as the contacts "o" and "1", 2 of 6 evaluations); a session saved before, ids
    separated by spaces, reads as two contacts still."""
    import json

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    spec = FormSpec("f", "F", (ItemSpec("G", "a", "A", 1.0), ItemSpec("G", "b", "B", 1.0)),
                    pass_score=70)
    cases = {json.dumps(["o 1", "c2"]): ["o 1", "c2"], "c1 c2": ["c1", "c2"]}
    made = {}
    with session_scope(url) as session:
        form = save_form(session, spec, "t")
        a, b = (i.id for i in form_items(session, form.id))
        for stored, ids in cases.items():
            cal = QaCalibration(name="s", form_id=form.id, contact_ids=stored,
                                evaluators="lead e1", reference="lead")
            session.add(cal)
            session.flush()
            for evaluator, x in (("lead", 1), ("e1", 0)):
                for contact in ids:
                    submit(session, form.id, Subject(contact, "ag"), evaluator, {a: x, b: 1},
                           calibration_id=cal.id)
            made[cal.id] = ids
    with session_scope(url) as session:
        for cal_id, ids in made.items():
            report = calibration_report(session, cal_id)
            assert report["contacts"] == ids
            assert (report["evaluations"], report["expected"]) == (4, 4)
            assert report["scores"] == {"lead": dict.fromkeys(ids, 100.0),
                                        "e1": dict.fromkeys(ids, 50.0)}
            spreads = {r["item"]: r["spread"] for r in report["items"]}
            assert spreads == {"a": pytest.approx(0.5), "b": pytest.approx(0.0)}
            (versus,) = report["versus_reference"]
            assert versus["mean_abs_difference"] == pytest.approx(50.0)

    from omnikpi.qa.calibration import calibration_contacts, contacts_text

    assert json.loads(contacts_text(["o 1", "c2"])) == ["o 1", "c2"]  # what sessions store
    assert [calibration_contacts(QaCalibration(contact_ids=stored)) for stored in cases] \
        == list(cases.values())


def test_one_agent_id_in_two_tenants_is_sampled_as_two_agents(tmp_path: Path) -> None:
    """Agent ids repeat across an outsourcer's clients: ``s5`` is the bank's (3 calls), the
    telco's (50 calls) and the operator's own (4 calls, no tenant). At rate 0.1 and at
    least 2 per agent: the bank's gets max(min(2, 3), round(0.3)) = 2, the telco's
    max(2, round(5.0)) = 5, the operator's max(min(2, 4), round(0.4)) = 2. Pooled, they
    were one group of 57 with round(5.7) = 6 contacts in all, whoever's they were."""
    lines = ["contact_id,channel,queue,tenant,customer_id,arrived_at,first_response_at,"
             "agent_id"]
    for tenant, calls in (("bank", 3), ("telco", 50), ("", 4)):
        for n in range(calls):
            lines.append(f"{tenant or 'own'}-{n},voice,q,{tenant},c-{tenant}-{n},"
                         f"2026-11-02T09:{n:02d}:00Z,2026-11-02T09:{n:02d}:10Z,s5")
    (tmp_path / "contacts.csv").write_text("\n".join(lines) + "\n")
    data = load_dataset(tmp_path)
    for seed in (1, 7):
        drawn = draw_sample(data, rate=0.1, seed=seed, min_per_agent=2)
        assert Counter(u.tenant for u in drawn.units) == {"bank": 2, "telco": 5, None: 2}
        assert drawn.population == 57
    # grouped per tenant already, nothing changes
    by_both = draw_sample(data, rate=0.1, seed=7, min_per_agent=2, by=("agent_id", "tenant"))
    assert by_both.contact_ids == draw_sample(data, rate=0.1, seed=7,
                                              min_per_agent=2).contact_ids
    # a group that is no agent (a queue) is not split by tenant: round(0.1 × 57) = 6
    assert len(draw_sample(data, rate=0.1, seed=7, min_per_agent=2, by=("queue",)).units) == 6


def test_coaching_keeps_two_forms_items_of_one_key_apart(tmp_path: Path) -> None:
    """The voice form's ``correct`` ("Gives correct information") and the text form's
    (saved last, "Links the right article") are two checks. ``a1`` of the telco: voice
    ``correct`` met on 2026-03-01 (before the session of 03-05) and on 03-10, text
    ``correct`` not met on 03-10. Before/after pooled them — after (1 + 0) / 2 = 0.5 —
    under the text form's wording; each form's item is now a row in its own wording:
    voice before 1.0 (1), after 1.0 (1); text before — (0), after 0.0 (1). A session saved
    by key alone (before) covers both forms' items; one on ``text/correct`` the text
    form's only; ``greet``, in the voice form only, is worded as the voice form has it."""
    from datetime import UTC, date, datetime

    from omnikpi.qa.coaching import (
        before_after,
        create_session,
        save_error_kinds,
        session_json,
    )

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    voice = FormSpec("voice", "Calls", (ItemSpec("G", "greet", "Greets by the standard", 1.0),
                                        ItemSpec("G", "correct", "Gives correct information",
                                                 3.0)))
    text = FormSpec("text", "Chats", (ItemSpec("G", "correct", "Links the right article",
                                               3.0),))
    with session_scope(url) as session:
        forms = {spec.key: save_form(session, spec, "t") for spec in (voice, text)}
        for form_key, contact, day, met in (("voice", "c1", 1, 1.0), ("voice", "c2", 10, 1.0),
                                            ("text", "c3", 10, 0.0)):
            evaluation = submit(session, forms[form_key].id,
                                Subject(contact, "a1", tenant="telco"), "lead",
                                {i.id: met for i in form_items(session, forms[form_key].id)})
            evaluation.evaluated_at = datetime(2026, 3, day, 12, tzinfo=UTC)
        session.flush()
        newest = session.scalars(select(QaEvaluation).order_by(QaEvaluation.id.desc())).first()
        assert newest is not None

        def rows(items: list[str]) -> list[tuple[object, ...]]:
            coaching = create_session(session, newest, "lead", date(2026, 3, 5), items, "x",
                                      None)
            return [(r["item"], r.get("text"), r["before"], r["before_count"], r["after"],
                     r["after_count"]) for r in session_json(session, coaching)["items"]]

        assert rows(["correct", "greet"]) == [
            ("text/correct", "Links the right article", None, 0, 0.0, 1),
            ("voice/correct", "Gives correct information", 1.0, 1, 1.0, 1),
            ("voice/greet", "Greets by the standard", 1.0, 1, 1.0, 1)]
        assert rows(["text/correct"]) == [
            ("text/correct", "Links the right article", None, 0, 0.0, 1)]
        # the text form's failed item is proposed, not the voice form's met one
        from omnikpi.qa.coaching import agent_errors

        for evaluation in session.scalars(select(QaEvaluation)):
            save_error_kinds(session, evaluation, {})
        assert agent_errors(session, EVERYTHING, newest) == {"text/correct": 1}
        chosen = create_session(session, newest, "lead", date(2026, 3, 5),
                                ["voice/correct"], "x", None)
        [row] = before_after(session, chosen)
        assert (row.form_key, row.item_key, row.text, row.change) == (
            "voice", "correct", "Gives correct information", 0.0)
        with pytest.raises(UsageError, match=r"unknown checklist item\(s\): text/greet"):
            create_session(session, newest, "lead", date(2026, 3, 5), ["text/greet"], "x",
                           None)


def test_a_form_item_too_long_to_store_is_covered_by_its_key(tmp_path: Path) -> None:
    """A form key of 60 characters and an item key of 50 make a form item of 111, longer
    than the 100 the coaching table stores: the session keeps the item's key, which covers
    every form's item of that key (as sessions saved by key did)."""
    from datetime import date

    from omnikpi.qa.coaching import before_after, covered_items, create_session

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    form_key, item_key = "f" * 60, "k" * 50
    with session_scope(url) as session:
        form = save_form(session, FormSpec(form_key, "Long", (
            ItemSpec("G", item_key, "A long one", 1.0),)), "t")
        [item] = form_items(session, form.id)
        evaluation = submit(session, form.id, Subject("c1", "a1"), "lead", {item.id: 1.0})
        session.flush()
        coaching = create_session(session, evaluation, "lead", date(2000, 1, 1),
                                  [f"{form_key}/{item_key}"], "x", None)
        assert covered_items(session, coaching.id) == [item_key]
        [row] = before_after(session, coaching)
        assert (row.item, row.text, row.after, row.after_count) == (
            f"{form_key}/{item_key}", "A long one", 1.0, 1)


def test_a_score_is_never_shown_rounded_across_the_pass_score() -> None:
    """Weights 9999.5 and 2500.5, the first met: 9999.5 / 12500 = 79.996 against a pass
    score of 80 is a fail, and the page read "Failed: the score 80.00 is below the pass
    score 80". It shows 79.99; a score that passes is never shown below its pass score,
    and any other score is shown as it is (rounded by the page to 2 decimals)."""
    from omnikpi.qa.forms import passes, shown_score

    score = 100 * 9999.5 / 12500
    assert not passes(score, False, 80)
    assert shown_score(score, 80) == 79.99
    assert shown_score(79.995001, 79.995001) == 79.995001  # at the pass score: as it is
    assert shown_score(79.9951, 79.9952) == 79.99          # 80.00 would read as a pass
    assert shown_score(79.9952, 79.9951) == 79.9952        # 80.00 ≥ 79.9951: as it is
    assert shown_score(79.9941, 79.994) == 80.0            # 79.99 would read as a fail
    assert shown_score(79.9949, 80) == 79.9949             # 79.99: no confusion
    assert shown_score(95.0, None) == 95.0


def test_the_export_keeps_a_failed_score_failed_and_writes_utf8_anywhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Weights 799,999.996 and 200,000.004, the first met: 79.9999996, below the pass score
    80. Written with six decimals it read 80.000000, and ``contact_quality`` with
    ``pass_score=80`` counted the failed evaluation passed. The files are UTF-8 whatever
    the locale: under ``LC_ALL=C`` the agent "Оксана" was a UnicodeEncodeError, and a
    half-written ``.tmp`` file stayed beside the table."""
    import csv
    import io
    import os
    import subprocess
    import sys

    from omnikpi.qa.evaluations import export_canonical

    url = f"sqlite:///{tmp_path / 'qa.db'}"
    upgrade(url)
    spec = FormSpec("edge", "Calls", (ItemSpec("G", "a", "A", 799_999.996),
                                      ItemSpec("G", "b", "B", 200_000.004)), pass_score=80)
    with session_scope(url) as session:
        form = save_form(session, spec, "t")
        ids = {i.item_key: i.id for i in form_items(session, form.id)}
        submit(session, form.id, Subject("c1", "Оксана"), "lead",
               {ids["a"]: 1.0, ids["b"]: 0.0})
    data = tmp_path / "data"
    script = ("import sys; from omnikpi.store.db import session_scope; "
              "from omnikpi.qa.evaluations import export_canonical; from pathlib import Path\n"
              "with session_scope(sys.argv[1]) as s: export_canonical(s, Path(sys.argv[2]))")
    env = {**os.environ, "LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
           "PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": "ascii"}
    done = subprocess.run([sys.executable, "-c", script, url, str(data)], env=env,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    table = (data / "qa_evaluations").iterdir()
    [written] = list(table)
    text = written.read_text(encoding="utf-8")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["agent_id"] == "Оксана"
    assert float(row["score"]) == pytest.approx(79.9999996, abs=1e-9)
    assert float(row["score"]) < 80
    (data / "contacts.csv").write_text(
        "contact_id,channel,arrived_at,first_response_at,ended_at,agent_id\n"
        "c1,voice,2026-11-02T09:00:00Z,2026-11-02T09:00:05Z,2026-11-02T09:01:00Z,Оксана\n")
    rows = omnikpi.report_result(data, metrics=["contact_quality"],
                                 params={"pass_score": 80}).rows
    assert rows[0]["contact_quality"] == 0.0
    with session_scope(url) as session:  # and the same in this process
        export_canonical(session, data)
    assert sorted(p.name for p in (data / "qa_evaluations").iterdir()) == [written.name]
    # an export that fails half-way leaves the tables as they were and no scratch file
    import omnikpi.qa.evaluations as evaluations

    def broken(value: object) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(evaluations, "_iso", broken)
    with session_scope(url) as session, pytest.raises(RuntimeError, match="disk full"):
        export_canonical(session, data)
    assert [p.name for p in (data / "qa_evaluations").iterdir()] == [written.name]
    assert written.read_text(encoding="utf-8") == text
    assert not list(data.rglob("*.tmp"))
