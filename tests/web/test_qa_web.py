"""The QA module end to end in the web app and the CLI: form → sample → evaluation →
contact_quality in reports → the agent's answer; calibration; the CLI contract."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnikpi.auth.accounts import create_user
from omnikpi.cli.main import app as cli
from omnikpi.store.db import session_scope
from tests.web.conftest import csrf as page_csrf
from tests.web.conftest import log_in
from tests.web.tenants import write_two_tenants

PASSWORD = "quality-pass-1"
ITEMS = ("Style | greet | Greets by the standard | 1 | no | no\n"
         "Content | correct | Gives correct information | 3 | yes | no\n"
         "Content | offer | Makes the relevant offer | 1 | no | yes\n")


def login(app: FastAPI, user: str) -> TestClient:
    return log_in(TestClient(app), user, PASSWORD)


def csrf(client: TestClient, page: str = "/qa") -> str:
    return page_csrf(client, page)


@pytest.fixture()
def app(make_app: Callable[..., FastAPI], tmp_path: Path) -> FastAPI:
    application = make_app(write_two_tenants(tmp_path / "data"), auth_required=True,
                           live_updates=False)
    with session_scope(application.state.omnikpi.database_url) as session:
        create_user(session, "lead", PASSWORD, "admin")
        create_user(session, "a1-person", PASSWORD, "agent", tenant="A", agent_id="a1")
    return application


def evaluate(client: TestClient, item_id: int, failing: set[str] = frozenset()) -> int:
    page = client.get(f"/qa/evaluate/{item_id}")
    assert page.status_code == 200, page.text
    form_id = re.search(r'name="form_id" value="(\d+)"', page.text)
    assert form_id
    answers = {}
    for name, key in re.findall(r'name="(item_\d+)" value="0" data-key="([^"]+)"', page.text):
        answers[name] = "0" if key in failing else "1"
    done = client.post(f"/qa/evaluate/{item_id}", data={
        "csrf_token": csrf(client), "form_id": form_id.group(1), "comment": "ok", **answers},
        follow_redirects=False)
    assert done.status_code == 303, done.text
    return int(done.headers["location"].rsplit("/", 1)[1])


def test_form_sample_evaluate_and_contact_quality(app: FastAPI) -> None:
    lead = login(app, "lead")
    token = csrf(lead)
    made = lead.post("/qa/forms", data={"csrf_token": token, "key": "calls", "name": "Calls",
                                        "channel_kind": "any", "pass_score": "70",
                                        "items": ITEMS}, follow_redirects=False)
    assert made.status_code == 303
    form_page = lead.get(made.headers["location"])
    assert "Gives correct information" in form_page.text and "v1" in form_page.text
    sample = lead.post("/qa/samples", data={"csrf_token": token, "name": "week 45",
                                            "rate": "1.0", "seed": "3", "min_per_agent": "1",
                                            "evaluator": "lead"}, follow_redirects=False)
    assert sample.status_code == 303
    page = lead.get(sample.headers["location"])
    items = [int(i) for i in re.findall(r'href="/qa/evaluate/(\d+)"', page.text)]
    # every handled contact of both tenants (rate 100 %): a-1, a-2, a-4, a-5, b1, b3
    assert len(items) == 6
    a1_items = [i for i in items if "a1" in lead.get(f"/qa/evaluate/{i}").text.split(
        "<h1>")[1].split("</h1>")[0]]
    assert len(a1_items) == 2
    page = lead.get(f"/qa/evaluate/{a1_items[1]}").text  # the same form's fields
    first = evaluate(lead, a1_items[0])
    # sent again (a double click, back and send again): the first evaluation stands, and
    # the item's page now shows it instead of a form
    again = lead.post(f"/qa/evaluate/{a1_items[0]}", data={
        "csrf_token": csrf(lead), "comment": "twice",
        "form_id": re.findall(r'name="form_id" value="(\d+)"', page)[0],
        **dict.fromkeys(re.findall(r'name="(item_\d+)" value="0"', page), "0")},
        follow_redirects=False)
    assert (again.status_code, again.headers["location"]) == (303, f"/qa/evaluations/{first}")
    shown = lead.get(f"/qa/evaluate/{a1_items[0]}", follow_redirects=False)
    assert (shown.status_code, shown.headers["location"]) == (303, f"/qa/evaluations/{first}")
    second = evaluate(lead, a1_items[1], failing={"correct"})  # a critical item fails
    listed = lead.get("/qa").text.split('id="qa-evaluations"')[1].split("</table>")[0]
    rows = {int(found): row for row in listed.split("<tr>")
            for found in re.findall(r'href="/qa/evaluations/(\d+)"', row)}
    assert "<td>yes</td>" in rows[second] and "<td>no</td>" in rows[first]  # critical
    # evaluations are recorded now, after the dataset's last contact (the default as-of):
    # a report as of now counts them (anything recorded after as-of has not happened yet)
    now = {"as_of": datetime.now(UTC).isoformat()}
    report = lead.get("/api/v1/report", params={"metrics": "contact_quality,qa_score",
                                                "by": "agent_id", "tenant": "A",
                                                **now}).json()
    a1 = next(r for r in report["rows"] if r["agent_id"] == "a1")
    # a1: two contacts monitored, one defective (critical) → quality 50 % (a-1 had an
    # older evaluation in the dataset, 90: its contact is judged by the latest, 100);
    # qa_score is the mean of every evaluation: (90 + 100 + 100 × (1 + 1) / 5) / 3
    assert a1["contact_quality"] == pytest.approx(0.5)
    assert a1["qa_score"] == pytest.approx((90 + 100 + 40) / 3)
    # the agent sees their evaluations, acknowledges one and disputes the other
    agent = login(app, "a1-person")
    listing = agent.get("/api/v1/qa/evaluations").json()
    assert sorted(e["id"] for e in listing) == sorted([first, second])
    # an instant with its zone, as the alerts API gives it (it was a bare local-looking time)
    assert all(e["evaluated_at"].endswith(("Z", "+00:00")) for e in listing)
    for limit in (0, 2001):  # 0 gave one evaluation, 5000 was clamped
        refused = agent.get("/api/v1/qa/evaluations", params={"limit": limit})
        assert refused.status_code == 400 and "limit must be 1 to 2000" in refused.text
    page = agent.get(f"/qa/evaluations/{second}")
    assert "critical error" in page.text
    token = csrf(agent, f"/qa/evaluations/{second}")
    assert agent.post(f"/qa/evaluations/{second}/respond", data={
        "csrf_token": token, "action": "dispute", "comment": ""}).status_code == 400
    agent.post(f"/qa/evaluations/{second}/respond", data={
        "csrf_token": token, "action": "dispute", "comment": "the customer had the info"})
    agent.post(f"/qa/evaluations/{first}/respond", data={
        "csrf_token": token, "action": "acknowledge"})
    statuses = {e["id"]: e["status"] for e in agent.get("/api/v1/qa/evaluations").json()}
    assert statuses == {first: "acknowledged", second: "disputed"}
    # an agent cannot evaluate, draw samples, or read another agent's evaluations
    assert agent.get(f"/qa/evaluate/{a1_items[0]}").status_code == 403
    others = [i for i in items if i not in a1_items]
    other_eval = evaluate(lead, others[0])
    assert agent.get(f"/qa/evaluations/{other_eval}").status_code == 404


def test_calibration_in_the_web_app(app: FastAPI) -> None:
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "ann", PASSWORD, "supervisor", all_tenants=True)
    lead = login(app, "lead")
    lead.post("/qa/forms", data={"csrf_token": csrf(lead), "key": "calls", "name": "Calls",
                                 "pass_score": "70", "items": ITEMS})
    made = lead.post("/qa/calibrations", data={
        "csrf_token": csrf(lead), "name": "w45", "form_id": "1", "contacts": "a-1 a-2",
        "evaluators": "lead ann", "reference": "lead"}, follow_redirects=False)
    assert made.status_code == 303
    session_url = made.headers["location"]
    ann = login(app, "ann")

    def score_it(client: TestClient, contact: str, failing: set[str]) -> None:
        url = f"{session_url}/evaluate/{contact}"
        page = client.get(url).text
        # the page names the session and where the contact stands in it, with a way back
        position = "1 / 2" if contact == "a-1" else "2 / 2"
        assert re.search(rf'<h1>Evaluate <span translate="no">{contact}</span></h1>', page)
        assert re.search(rf'<a href="{session_url}">Calibration: <span translate="no">w45'
                         rf'</span></a> · contact {position}', page), page
        answers = {n: "0" if k in failing else "1" for n, k in re.findall(
            r'name="(item_\d+)" value="0" data-key="([^"]+)"', page)}
        done = client.post(url, data={"csrf_token": csrf(client), "form_id": "1", **answers},
                           follow_redirects=False)
        assert done.status_code == 303, done.text

    score_it(lead, "a-1", set())            # 100
    score_it(lead, "a-2", {"offer"})        # 100 × 4/5 = 80
    score_it(ann, "a-1", {"greet"})         # 80
    score_it(ann, "a-2", {"offer"})         # 80
    report = lead.get(f"/api/v1/qa/calibrations/{session_url.rsplit('/', 1)[1]}").json()
    assert report["scores"] == {"lead": {"a-1": 100.0, "a-2": 80.0},
                                "ann": {"a-1": 80.0, "a-2": 80.0}}
    assert report["versus_reference"] == [{"evaluator": "ann", "contacts": 2,
                                           "mean_abs_difference": 10.0, "same_verdict": 1.0}]
    # calibration scores stay out of KPIs: qa_score is still the mean of the dataset's
    # own two evaluations, (90 + 40) / 2
    quality = lead.get("/api/v1/report", params={"metrics": "qa_score",
                                                 "as_of": datetime.now(UTC).isoformat()})
    assert quality.status_code == 200 and quality.json()["rows"][0]["qa_score"] == 65.0
    page = lead.get(session_url)
    assert 'id="score-alpha"' in page.text
    # refused without contacts: a sentence in the page's language
    empty = ann.post("/qa/calibrations?lang=uk", data={
        "csrf_token": csrf(ann), "name": "w46", "form_id": "1", "reference": "ann"},
        headers={"accept": "text/html"}, follow_redirects=False)
    assert empty.status_code == 400
    assert "Виберіть хоча б одне звернення і запросіть хоча б двох оцінювачів." in empty.text


def test_cli_sample_contract_and_export(tmp_path: Path) -> None:
    data = write_two_tenants(tmp_path / "data")
    args = ["qa", "sample", "--data", str(data), "--rate", "0.5", "--seed", "7",
            "--min-per-agent", "1", "--format", "json"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0, first.output
    body = json.loads(first.stdout)
    assert set(body) >= {"sample"} and body["population"] == 6
    # per agent: a1 2 → 1, a2 2 → 1, agent-bsecret 2 → 1
    assert len(body["sample"]) == 3
    assert json.loads(CliRunner().invoke(cli, args).stdout)["sample"] == body["sample"]
    bad = CliRunner().invoke(cli, [*args[:5], "1.5", *args[6:]])
    assert bad.exit_code == 2 and "between 0 and 1" in bad.output
    url = f"sqlite:///{tmp_path / 'qa.db'}"
    assert CliRunner().invoke(cli, ["db", "upgrade", "--database-url", url]).exit_code == 0
    loaded = CliRunner().invoke(cli, ["qa", "forms", "qa_forms/text.toml",
                                      "qa_forms/voice.toml", "--database-url", url])
    assert loaded.exit_code == 0 and "form voice version 1" in loaded.stdout
    saved = CliRunner().invoke(cli, ["qa", "sample", "--data", str(data), "--rate", "1",
                                     "--seed", "1", "--evaluator", "eve", "--save", "all",
                                     "--format", "json", "--database-url", url])
    assert len(json.loads(saved.stdout)["sample"]) == 6
    # the same evaluator is never given a contact twice
    again = CliRunner().invoke(cli, ["qa", "sample", "--data", str(data), "--rate", "1",
                                     "--seed", "2", "--evaluator", "eve", "--format", "json",
                                     "--database-url", url])
    assert json.loads(again.stdout)["sample"] == []
    exported = CliRunner().invoke(cli, ["qa", "export", "--out", str(tmp_path / "out"),
                                        "--database-url", url])
    assert exported.exit_code == 0
    assert (tmp_path / "out" / "qa_evaluations" / "omnikpi-qa.csv").read_text().startswith(
        "evaluation_id,contact_id")
    missing = CliRunner().invoke(cli, ["qa", "calibration-report", "9", "--database-url", url])
    assert missing.exit_code == 2 and "no calibration session 9" in missing.output
    # a format it does not write is refused, as by every other qa command (it printed the
    # table and succeeded)
    xml = CliRunner().invoke(cli, ["qa", "calibration-report", "9", "--format", "xml",
                                   "--database-url", url])
    assert xml.exit_code == 2 and "--format must be table or json" in xml.output


def test_an_agent_sees_only_their_own_tenants_evaluations(app: FastAPI) -> None:
    """Agent ids repeat across an outsourcer's clients: agent a1 of tenant A once listed,
    opened and disputed the evaluation of tenant B's a1."""
    from omnikpi.store.models import QaEvaluation, QaForm

    with session_scope(app.state.omnikpi.database_url) as session:
        form = QaForm(form_key="calls", name="Calls")
        session.add(form)
        session.flush()
        mine = QaEvaluation(form_id=form.id, contact_id="a-1", agent_id="a1", tenant="A",
                            evaluator="lead", score=90.0)
        theirs = QaEvaluation(form_id=form.id, contact_id="b-1", agent_id="a1", tenant="B",
                              evaluator="lead", score=40.0)
        session.add_all([mine, theirs])
        session.flush()
        mine_id, theirs_id = mine.id, theirs.id
    agent = login(app, "a1-person")
    listed = {e["id"] for e in agent.get("/api/v1/qa/evaluations").json()}
    assert listed == {mine_id}
    assert agent.get(f"/qa/evaluations/{theirs_id}").status_code == 404
    assert agent.get(f"/qa/evaluations/{mine_id}").status_code == 200
    disputed = agent.post(f"/qa/evaluations/{theirs_id}/respond", data={
        "csrf_token": csrf(agent, f"/qa/evaluations/{mine_id}"), "action": "dispute",
        "comment": "not me"}, follow_redirects=False)
    assert disputed.status_code == 404


def test_a_score_reads_as_on_the_agents_page(app: FastAPI) -> None:
    """A score of two items in three read 66.7 on the QA pages and 66.67 on /agents: one
    number, two texts. Both read it as the catalog's scores are read (two decimals)."""
    from omnikpi.formatting import human
    from omnikpi.store.models import QaEvaluation, QaForm

    with session_scope(app.state.omnikpi.database_url) as session:
        form = QaForm(form_key="thirds", name="Thirds")
        session.add(form)
        session.flush()
        third = QaEvaluation(form_id=form.id, contact_id="a-4", agent_id="a2", tenant="A",
                             evaluator="lead", score=200 / 3)
        session.add(third)
        session.flush()
        third_id = third.id
    lead = login(app, "lead")
    shown = re.search(r'id="evaluation-score"[^>]*>([^<]*)<',
                      lead.get(f"/qa/evaluations/{third_id}?lang=en").text)
    assert shown is not None and shown.group(1) == human(200 / 3, "score", "en") == "66.67"
    listed = lead.get("/qa?lang=en").text.split('id="qa-evaluations"')[1]
    assert "<td>66.67</td>" in listed
    # 79.996 against a pass score of 80 is a fail: the list said 80.00 beside the page's
    # "Failed: 79.99"; both show 79.99 now
    with session_scope(app.state.omnikpi.database_url) as session:
        strict = QaForm(form_key="strict", name="Strict", pass_score=80.0)
        session.add(strict)
        session.flush()
        close = QaEvaluation(form_id=strict.id, contact_id="a-5", agent_id="a2", tenant="A",
                             evaluator="lead", score=100 * 9999.5 / 12500)
        session.add(close)
        session.flush()
        close_id = close.id
    page = lead.get(f"/qa/evaluations/{close_id}?lang=en").text
    assert re.search(r'id="evaluation-score"[^>]*>79\.99<', page)
    listed = lead.get("/qa?lang=en").text.split('id="qa-evaluations"')[1]
    row = re.search(rf'href="/qa/evaluations/{close_id}">.*?</tr>', listed, re.S)
    assert row is not None and "<td>79.99</td>" in row.group(0), row


def test_bad_form_values_are_named_400s_not_500s(app: FastAPI) -> None:
    """Each of these answered a bare 500 (ValueError, IntegrityError) before."""
    lead = login(app, "lead")
    token = csrf(lead)
    made = lead.post("/qa/forms", data={"csrf_token": token, "key": "calls", "name": "Calls",
                                        "channel_kind": "any", "items": ITEMS},
                     follow_redirects=False)
    assert made.status_code == 303
    bad_sample = lead.post("/qa/samples", data={
        "csrf_token": token, "name": "s", "rate": "1.0", "seed": "1", "form_id": "abc"})
    assert bad_sample.status_code == 400 and "not a form id" in bad_sample.text
    no_form = lead.post("/qa/calibrations", data={
        "csrf_token": token, "name": "c", "form_id": "999", "contacts": "a-1",
        "evaluators": "lead other", "reference": "lead"})
    assert no_form.status_code == 404 and "no QA form 999" in no_form.text
    sample = lead.post("/qa/samples", data={"csrf_token": token, "name": "s", "rate": "1.0",
                                            "seed": "3", "evaluator": "lead"},
                       follow_redirects=False)
    item = re.findall(r'href="/qa/evaluate/(\d+)"', lead.get(sample.headers["location"]).text)[0]
    page = lead.get(f"/qa/evaluate/{item}").text
    form_id = re.search(r'name="form_id" value="(\d+)"', page)
    assert form_id
    answers = {name: "abc" for name, _ in re.findall(
        r'name="(item_\d+)" value="0" data-key="([^"]+)"', page)}
    answered = lead.post(f"/qa/evaluate/{item}", data={
        "csrf_token": token, "form_id": form_id.group(1), **answers})
    assert answered.status_code == 400 and "is not a score" in answered.text
    # named by the text the page shows, not by the key it never shows ("Item “greet”")
    keyed = dict((key, name) for name, key in re.findall(
        r'name="(item_\d+)" value="0" data-key="([^"]+)"', page))
    not_applicable = lead.post(f"/qa/evaluate/{item}?lang=en", headers={"Accept": "text/html"},
                               data={"csrf_token": token, "form_id": form_id.group(1),
                                     **{name: "1" for name in keyed.values()},
                                     keyed["greet"]: "na"})
    assert not_applicable.status_code == 400
    assert ("Item “Greets by the standard” cannot be marked not applicable: score it."
            in html.unescape(not_applicable.text)), not_applicable.text[-800:]
    nan_rule = lead.post("/alerts", data={"csrf_token": token, "name": "r",
                                          "kind": "sl_below", "threshold": "nan"})
    # the alerts page answers a bad threshold inside the page, with the form as typed
    assert nan_rule.status_code == 422
    assert "The threshold “nan” is not a number." in nan_rule.text
    far_page = lead.get("/api/v1/contacts", params={"page": "99999999999999999999"})
    assert far_page.status_code in (400, 422) and far_page.status_code != 500
    assert lead.get("/api/v1/contacts", params={"page": str(2**40)}).status_code == 400


def test_the_sample_form_includes_its_to_day_and_refuses_a_reversed_period(
        app: FastAPI) -> None:
    """The form's To is a day, included as on every page: From = To = the data's day
    drew "0 of 0" (the day was read as excluded), and To before From drew an empty
    sample without a word."""
    lead = login(app, "lead")

    def draw(**days: str) -> TestClient:
        return lead.post("/qa/samples", data={"csrf_token": csrf(lead), "name": "one day",
                                              "rate": "1", "seed": "1", **days},
                         headers={"accept": "text/html"}, follow_redirects=False)

    day = lead.get((drawn := draw(**{"from": "2026-11-02", "to": "2026-11-02"}))
                   .headers["location"]).text
    assert drawn.status_code == 303
    whole = lead.get(draw().headers["location"]).text  # no period: every contact
    # the sample says which days it was drawn from: its To day as chosen, not the day after
    assert "Period 2026-11-02 – 2026-11-02 ·" in day
    assert "Period whole period ·" in whole
    count = len(re.findall(r'href="/qa/evaluate/\d+"', day))
    assert count > 0 and count == len(re.findall(r'href="/qa/evaluate/\d+"', whole))
    reversed_ = draw(**{"from": "2026-11-03", "to": "2026-11-02"})
    assert reversed_.status_code == 400
    assert "The To date is before the From date" in reversed_.text
    search = lead.get("/qa/calibrations/new", params={"from": "2026-11-02",
                                                      "to": "2026-11-02"}).text
    assert 'id="calibration-candidates"' in search or "calibration-needs-accounts" in search


def test_a_sample_form_sent_again_opens_the_sample_it_made(app: FastAPI) -> None:
    """Back, then "Draw sample" again, drew a second queue of other contacts (those of
    the first were excluded as already given): the same values sent again within minutes
    now open the first sample; another name draws another."""
    lead = login(app, "lead")
    form = {"csrf_token": csrf(lead), "name": "dup test", "rate": "0.5", "seed": "3",
            "evaluator": "lead"}
    first = lead.post("/qa/samples", data=form, follow_redirects=False)
    again = lead.post("/qa/samples", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    other = lead.post("/qa/samples", data={**form, "name": "second queue"},
                      follow_redirects=False)
    assert other.headers["location"] != first.headers["location"]


def test_a_calibration_of_calls_offers_the_voice_form_first(app: FastAPI) -> None:
    """The form list put the first form by key first ("chat" before "voice"), so a
    session of calls was made with the chat checklist unless the lead noticed."""
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "ann", PASSWORD, "supervisor", all_tenants=True)
    lead = login(app, "lead")
    for key, kind in (("chat", "text"), ("voice", "voice")):
        made = lead.post("/qa/forms", data={"csrf_token": csrf(lead), "key": key,
                                            "name": key.title(), "channel_kind": kind,
                                            "pass_score": "70", "items": ITEMS},
                         follow_redirects=False)
        assert made.status_code == 303, made.text

    def chosen(queue: str) -> list[str]:
        page = lead.get("/qa/calibrations/new", params={"queue": queue}).text
        assert 'id="calibration-form"' in page
        return re.findall(r'<option value="\d+" translate="no" selected>([^<]+)</option>',
                          page)

    assert chosen("sales") == ["Voice v1"]  # a-1, a-2: calls
    assert chosen("web") == ["Chat v1"]     # a-4: a chat


def test_a_samples_population_is_said_only_to_who_covers_it(app: FastAPI) -> None:
    """The handled units: a-1, a-2, a-4, a-5 (tenant A, site kyiv) and bsecret-1,
    bsecret-3 (tenant B): 6. The admin's 100 % sample was drawn from all 6; a Kyiv
    supervisor (no tenant) read its page as "4 of 6" — another tenant's volume. Tenant
    A's supervisor draws from A's 4: they and the admin read "4 of 4"; a supervisor of A
    bounded to Kyiv cannot be shown to cover the sites it was drawn in: "4"."""
    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "kyiv-ops", PASSWORD, "supervisor", sites=["kyiv"])
        create_user(session, "a-sup", PASSWORD, "supervisor", tenant="A")
        create_user(session, "a-kyiv", PASSWORD, "supervisor", tenant="A", sites=["kyiv"])

    def draw(client: TestClient) -> str:
        drawn = client.post("/qa/samples", data={"csrf_token": csrf(client), "name": "all",
                                                 "rate": "1", "seed": "1"},
                            follow_redirects=False)
        assert drawn.status_code == 303, drawn.text
        return str(drawn.headers["location"])

    def counted(client: TestClient, page: str) -> str:
        shown = client.get(page)
        assert shown.status_code == 200, shown.text
        found = re.search(r'id="sample-summary">[^·]*· ([^·]+?) ·', shown.text)
        assert found, shown.text
        return found.group(1)

    lead, a_sup = login(app, "lead"), login(app, "a-sup")
    everyone, tenant_a = draw(lead), draw(a_sup)
    assert counted(lead, everyone) == "contacts: 6 of 6"
    # a viewer who may not see the whole population: the count of its own, named (it was
    # a bare "· 4 ·")
    assert counted(login(app, "kyiv-ops"), everyone) == "contacts: 4"
    assert counted(a_sup, everyone) == "contacts: 4"
    assert counted(a_sup, tenant_a) == counted(lead, tenant_a) == "contacts: 4 of 4"
    assert counted(login(app, "a-kyiv"), tenant_a) == "contacts: 4"


@pytest.mark.parametrize(("evaluator", "lang", "said"), [
    ("ghost", "en", "“ghost” is not an account that may evaluate these contacts: give the "
                    "login of an administrator or of a supervisor who sees them."),
    ("a1-person", "en", "“a1-person” is not an account that may evaluate these contacts"),
    ("b-lead", "en", "“b-lead” is not an account that may evaluate these contacts"),
    ("ghost", "uk", "«ghost» — не обліковий запис, яким можна оцінювати ці звернення"),
])
def test_a_sample_for_nobody_who_can_evaluate_it_is_refused(app: FastAPI, evaluator: str,
                                                            lang: str, said: str) -> None:
    """A queue for ``ghost`` (no such account), for an agent's account (refused the
    evaluation pages) or for a supervisor of the other client (who sees none of these
    contacts) was saved without a word and waited for ever. The page is refused, in its
    language, with one sentence whatever the reason (it does not tell which accounts
    another client has), and nothing is saved."""
    from omnikpi.store.models import QaSample

    with session_scope(app.state.omnikpi.database_url) as session:
        create_user(session, "b-lead", PASSWORD, "supervisor", tenant="B")
    lead = login(app, "lead")
    fields = {"csrf_token": csrf(lead), "name": "for nobody", "rate": "1.0", "seed": "3",
              "evaluator": evaluator}
    page = lead.post(f"/qa/samples?lang={lang}", data=fields,
                     headers={"Accept": "text/html"})
    assert page.status_code == 400 and said in page.text, page.text[-2000:]
    script = lead.post("/qa/samples", data=fields, headers={"Accept": "application/json"})
    assert script.status_code == 400 and evaluator in script.json()["detail"]
    with session_scope(app.state.omnikpi.database_url) as session:
        assert session.query(QaSample).count() == 0
    fine = lead.post("/qa/samples", data={**fields, "evaluator": "lead"},
                     follow_redirects=False)
    assert fine.status_code == 303
    # the other client's lead takes a queue of that client's contacts (their own draw)
    b_lead = login(app, "b-lead")
    own = b_lead.post("/qa/samples", data={**fields, "csrf_token": csrf(b_lead),
                                            "evaluator": "b-lead", "name": "B only"},
                      follow_redirects=False)
    assert own.status_code == 303, own.text


def test_a_sampled_contact_the_data_does_not_hold_is_not_evaluated(app: FastAPI) -> None:
    """A sample drawn from other data (saved to the same database) or a contact since
    gone: its evaluate page showed an empty contact and took the scores, filed under the
    sample's tenant, and the QA list and the reports disagreed. The page says the data
    does not hold it, and the scores are refused in the page's language."""
    from omnikpi.store.models import QaEvaluation, QaSample, QaSampleItem

    lead = login(app, "lead")
    made = lead.post("/qa/forms", data={"csrf_token": csrf(lead), "key": "calls",
                                        "name": "Calls", "channel_kind": "any",
                                        "items": ITEMS}, follow_redirects=False)
    assert made.status_code == 303
    with session_scope(app.state.omnikpi.database_url) as session:
        sample = QaSample(name="elsewhere", created_by="lead", rate=1.0, seed=1)
        session.add(sample)
        session.flush()
        item = QaSampleItem(sample_id=sample.id, contact_id="zz-9", chain="", agent_id="a1",
                            channel="voice", tenant="A", evaluator="lead")
        session.add(item)
        session.flush()
        item_id = item.id
    page = lead.get(f"/qa/evaluate/{item_id}?lang=en")
    assert page.status_code == 200 and 'id="contact-missing"' in page.text
    form_id = re.search(r'name="form_id" value="(\d+)"', page.text)
    assert form_id
    answers = dict.fromkeys(re.findall(r'name="(item_\d+)" value="0"', page.text), "1")
    sent = {"csrf_token": csrf(lead), "form_id": form_id.group(1), **answers}
    refused = lead.post(f"/qa/evaluate/{item_id}?lang=ru", data=sent,
                        headers={"Accept": "text/html"})
    assert refused.status_code == 400
    assert "Обращения «zz-9» нет в загруженных данных" in refused.text
    script = lead.post(f"/qa/evaluate/{item_id}", data=sent,
                       headers={"Accept": "application/json"})
    assert script.status_code == 400 and "not in the loaded data" in script.json()["detail"]
    with session_scope(app.state.omnikpi.database_url) as session:
        assert session.query(QaEvaluation).count() == 0


def test_a_queue_drawn_before_a_form_was_revised_is_scored_on_the_revision(
        app: FastAPI) -> None:
    """A sample drawn with "calls" v1 kept serving v1 after the QA lead saved v2 (an item
    added): new evaluations were scored on the superseded checklist. The evaluate page
    offers the newest version; a version picked by its link is kept."""
    lead = login(app, "lead")
    token = csrf(lead)
    for items in (ITEMS, ITEMS + "Close | thanks | Thanks the customer | 1 | no | no\n"):
        if items != ITEMS:  # v1's sample first
            drawn = lead.post("/qa/samples", data={
                "csrf_token": token, "name": "week", "rate": "1.0", "seed": "3",
                "evaluator": "lead", "form_id": "1"}, follow_redirects=False)
            assert drawn.status_code == 303
        made = lead.post("/qa/forms", data={"csrf_token": token, "key": "calls",
                                            "name": "Calls", "channel_kind": "any",
                                            "items": items}, follow_redirects=False)
        assert made.status_code == 303
    item = re.search(r'href="/qa/evaluate/(\d+)"', lead.get("/qa").text)
    assert item is not None
    page = lead.get(f"/qa/evaluate/{item.group(1)}").text
    assert re.search(r'name="form_id" value="2"', page) and "Thanks the customer" in page
    assert "<small>v2</small>" in page
    first = lead.get(f"/qa/evaluate/{item.group(1)}?form_id=1").text
    assert re.search(r'name="form_id" value="1"', first)
    assert "Thanks the customer" not in first
