"""The QA module in the web app: forms, samples, the evaluator's queue, evaluation with the
transcript, the agent's acknowledgement or dispute, calibration sessions."""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from omnikpi.auth.accounts import Principal, audit
from omnikpi.errors import NotFoundError, OmniKPIError, UsageError
from omnikpi.instants import stored_utc
from omnikpi.qa import queries
from omnikpi.qa.calibration import (
    as_seen_by,
    calibration_contacts,
    calibration_evaluators,
    calibration_report,
    contacts_text,
    evaluators_text,
    is_blind,
)
from omnikpi.qa.calibration_setup import (
    Place,
    check_invited,
    common_tenant,
    may_take_queue,
    places,
)
from omnikpi.qa.chain_text import chain_ids
from omnikpi.qa.coaching import error_kinds_of, save_error_kinds
from omnikpi.qa.evaluations import (
    AlreadyAnswered,
    AlreadyEvaluated,
    Subject,
    evaluation_of_item,
    export_canonical,
    respond,
    submit,
)
from omnikpi.qa.forms import (
    CHANNEL_KINDS,
    FormSpec,
    NoShelf,
    form_items,
    form_shelf,
    form_visible,
    item_words,
    latest_forms,
    newest_version,
    parse_item_lines,
    passes,
    save_form,
    shown_score,
    writing_shelf,
)
from omnikpi.qa.risk_sampling import draw_risk_sample
from omnikpi.qa.sampling import check_sample_inputs, draw_sample
from omnikpi.qa.store import SampleAsked, already_given, save_sample, sent_again
from omnikpi.store.db import session_scope
from omnikpi.store.models import (
    QaCalibration,
    QaEvaluation,
    QaForm,
    QaSample,
    QaSampleItem,
    User,
)
from omnikpi.web.deps import FormRowId, RowId, View, ViewDep
from omnikpi.web.filters import day_window, days_text
from omnikpi.web.known_params import REFUSE_UNKNOWN
from omnikpi.web.limits import (
    INSTANT_CHARS,
    KEY_CHARS,
    LONG_TEXT_CHARS,
    MAX_INT,
    NAME_CHARS,
    check_length,
)
from omnikpi.web.page_errors import (
    Sentences,
    error_page,
    is_page,
    page_message,
    page_sentence,
    status_of,
    translator_of,
)
from omnikpi.web.routes import qa_calibration, qa_coaching
from omnikpi.web.routes.qa_access import (
    EVALUATORS,
    invited_anywhere,
    may_open,
    may_read_evaluation,
)
from omnikpi.web.routes.qa_access import contact_view as _contact_view
from omnikpi.web.routes.qa_access import may_see as _may_see
from omnikpi.web.routes.qa_access import require_evaluation_reader as _evaluation_reader
from omnikpi.web.routes.qa_access import require_evaluator as _evaluator
from omnikpi.web.routes.qa_access import require_reader as _reader
from omnikpi.web.routes.qa_access import visible_to as _visible
from omnikpi.web.security import require_roles
from omnikpi.web.templating import templates

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/qa", tags=["qa"], dependencies=REFUSE_UNKNOWN)
# the pages of their own modules come first: /qa/calibrations/new before /{calibration_id}
router.include_router(qa_calibration.router)
router.include_router(qa_coaching.router)


def _refresh_kpis(view: View, session: Session) -> None:
    """Write the evaluations where reports read them, and reload the dataset now."""
    export_canonical(session, view.state.data_path)
    view.state.force_reload = True


@router.get("/qa", response_class=HTMLResponse)
def overview(request: Request, view: ViewDep) -> Response:
    return _overview(request, view)


def _overview(request: Request, view: View, typed: dict[str, str] | None = None,
              error: str | None = None, status: int = 200, refused: str = "sample"
              ) -> Response:
    """The QA page; ``typed``: the form ``refused`` (``sample``, ``form`` — a new QA form
    —, or ``calibration``) as sent when it was refused for ``error`` (the page stays, with
    that form as typed and the sentence by it)."""
    principal = _reader(view)
    with session_scope(view.state.database_url) as session:
        forms = latest_forms(session, form_shelf(view))
        evaluator = principal.role in EVALUATORS
        visible = _visible(view)
        samples = queries.samples_with_progress(
            session, visible, form_shelf(view)) if evaluator else []
        queue, waiting = queries.pending_items(session, principal.name, visible) \
            if evaluator else ([], 0)
        evaluations = queries.recent_evaluations(session, visible)
        pass_scores = queries.pass_scores(session, {e.form_id for e in evaluations})
        shown = {e.id: shown_score(e.score, pass_scores.get(e.form_id)) for e in evaluations}
        calibrations = queries.calibration_sessions(
            session, lambda tenant: view.scope.unbounded or view.scope.allows(tenant)) \
            if evaluator else []
        return templates.TemplateResponse(request, "qa.html", {
            "filters": None, "forms": forms, "samples": samples, "queue": queue,
            "waiting": waiting,
            "evaluations": evaluations, "shown_scores": shown, "calibrations": calibrations,
            "kinds": CHANNEL_KINDS, "evaluator": principal.role in EVALUATORS,
            "typed": typed, "error": error,
            "refused": refused if typed is not None else None}, status_code=status)


QA_SENTENCES: Sentences = [
    (re.compile(r"(?:form: pass_score|pass score) must be a number from 0 to 100"),
     "The pass score must be a number from 0 to 100."),
    (re.compile(r"item line (?P<number>\d+): weight (?P<q>['\"])(?P<value>.*)(?P=q) is not "
                r"a number", re.S),
     "Item line {number}: the weight “{value}” is not a number."),
    (re.compile(r"item line (?P<number>\d+): critical is (?P<q>['\"])(?P<value>.*)(?P=q): "
                r"write yes or no", re.S),
     "Item line {number}: “critical” is “{value}”: write yes or no."),
    (re.compile(r"item line (?P<number>\d+): N/A allowed is (?P<q>['\"])(?P<value>.*)(?P=q): "
                r"write yes or no", re.S),
     "Item line {number}: “N/A allowed” is “{value}”: write yes or no."),
    (re.compile(r"item line (?P<number>\d+): (?P<count>\d+) fields, at most 6 .*", re.S),
     "Item line {number}: {count} fields, at most 6 (group | key | text | weight | "
     "critical | N/A allowed): a text with “|” in it cannot be typed here."),
    (re.compile(r"item line (?P<number>\d+): write group \| key \| text \| weight \| "
                r"critical \| N/A allowed"),
     "Item line {number}: write group | key | text | weight | critical | N/A allowed."),
    (re.compile(r"form: key must be lower-case letters, digits, - or _"),
     "The key may hold only lower-case Latin letters, digits, - and _."),
    (re.compile(r"form: channel_kind must be one of .*", re.S),
     "Choose the channels from the list."),
    (re.compile(r"form: a form needs at least one item"),
     "A form needs at least one item: type one item per line."),
    (re.compile(r"form: a form needs a name"),
     "A form needs a name: evaluators choose the form by it."),
    (re.compile(r"form: item keys must be unique; used on more than one line: "
                r"(?P<keys>.*)", re.S),
     "Item keys must be unique; used on more than one line: {keys}."),
    (re.compile(r"form: weights must be numbers from 0 to 1,000,000, not all 0"),
     "Weights must be numbers from 0 to 1,000,000, and not all 0."),
    (re.compile(r"unknown contact\(s\): (?P<ids>.*)", re.S),
     "Unknown contacts: {ids}. Type the ids of contacts you may see."),
    (re.compile(r"no account named (?P<names>.*): invite evaluators from the list", re.S),
     "No account is named {names}: invite evaluators by the names of their accounts."),
    (re.compile(r"(?P<names>.*) may not see these contacts: invite supervisors of their "
                r"site or the client's quality lead", re.S),
     "{names} may not see these contacts: invite supervisors of their site or the "
     "client's quality lead."),
    (re.compile(r"evaluator: (?P<q>['\"])(?P<name>.*)(?P=q) is not an account that may "
                r"evaluate these contacts; .*", re.S),
     "“{name}” is not an account that may evaluate these contacts: give the login of an "
     "administrator or of a supervisor who sees them."),
    (re.compile(r"contact (?P<q>['\"])(?P<id>.*)(?P=q) is not in the loaded data .*",
                re.S),
     "Contact “{id}” is not in the loaded data (the sample was drawn from other data, or "
     "the data has changed since): it cannot be evaluated here."),
    (re.compile(r"a calibration takes at most 200 contacts and 50 evaluators"),
     "A calibration takes at most 200 contacts and 50 evaluators."),
    (re.compile(r"form (?P<q>['\"])(?P<value>.*)(?P=q) is not a form id \(a number\)", re.S),
     "Form “{value}” is not a form id: choose a form from the list."),
    (re.compile(r"no QA form (?P<number>-?\d+)"),
     "There is no QA form {number}: choose a form from the list."),
    (re.compile(r"a supervisor of sites saves no forms: .*", re.S),
     "Your account supervises sites, not a client: the forms you may use are the "
     "operator's, which every site and client uses. An administrator saves them."),
    (re.compile(r"item line (?P<number>\d+)(?: \(.*\))? has no (?:group|key|text).*", re.S),
     "Item line {number}: every item needs a group, a key and a text."),
    (re.compile(r"say why you dispute the evaluation"),
     "Say why you dispute the evaluation: write it in the comment, then press Dispute."),
    (re.compile(r"action must be acknowledge or dispute"),
     "Acknowledge or dispute the evaluation with the buttons below it."),
    (re.compile(r"this evaluation is already (?P<status>acknowledged|disputed): .*", re.S),
     "You have already answered this evaluation: an answer cannot be changed."),
    (re.compile(r"score every item or mark it not applicable; no answer for (?P<keys>.*)",
                re.S),
     "Score every item or mark it not applicable. Items without an answer: {keys}."),
    (re.compile(r"item (?P<keys>(?P<q>['\"]).*(?P=q)) has no answer", re.S),
     "Score every item or mark it not applicable. Items without an answer: {keys}."),
    (re.compile(r"item (?P<q>['\"])(?P<key>.*)(?P=q) cannot be N/A", re.S),
     "Item “{key}” cannot be marked not applicable: score it."),
    (re.compile(r"item (?P<q>['\"])(?P<key>.*)(?P=q): score (?P<r>['\"])(?P<value>.*)(?P=r) "
                r"must be between 0 and 1", re.S),
     "Item “{key}”: the score “{value}” must be from 0 to 1."),
    (re.compile(r"item (?P<q>['\"])(?P<key>.*)(?P=q): a score is between 0 and 1", re.S),
     "Item “{key}”: a score is from 0 to 1."),
    (re.compile(r"item (?P<q>['\"])(?P<key>.*)(?P=q): answer (?P<r>['\"])(?P<value>.*)(?P=r) "
                r"is not a score \(0–1 or na\)", re.S),
     "Item “{key}”: the answer “{value}” is not a score (a number from 0 to 1, or not "
     "applicable)."),
    (re.compile(r"every item is N/A \(or weighs 0\): nothing to score"),
     "Every item is marked not applicable (or weighs 0): score at least one item."),
    (re.compile(r"an error is one of operator, process, not (?P<q>['\"])(?P<value>.*)(?P=q)",
                re.S),
     "An item not met is an operator error or a process error, not “{value}”."),
    (re.compile(r"comment has (?P<length>[\d,]+) characters: at most (?P<limit>[\d,]+)"),
     "The comment has {length} characters: at most {limit} are allowed. Shorten it and "
     "send again."),
    (re.compile(r"you already scored this contact in this session: .*", re.S),
     "You have already scored this contact in this session: a calibration keeps each "
     "evaluator's first score."),
    (re.compile(r"the sampling rate is a percent of handled contacts: more than 0 and at "
                r"most 100 .*", re.S),
     "The sampling rate is a percent of the handled contacts: more than 0 and at most "
     "100, such as 3 for 3 %."),
    (re.compile(r"--min-per-agent must be between 0 and (?P<most>[\d,]+)"),
     "The minimum per agent must be a whole number from 0 to {most}."),
    (re.compile(r"--seed must be a whole number from -(?P<least>[\d,]+) to (?P<most>[\d,]+)"),
     "The seed must be a whole number from −{least} to {most}."),
]
"""The QA forms' refusals (``omnikpi.qa.forms``, ``calibration_setup``, ``evaluations``,
``coaching``, ``sampling`` and this module word them for scripts) → the sentence the QA
pages show, in the page's language; the line numbers, keys, contact ids and account
names quoted stay as typed."""
COUNTS = ("length", "limit", "least", "most")
"""The numbers a sentence quotes, written as the page's language writes them."""


def _refusal(request: Request, exc: OmniKPIError) -> str:
    """``exc``, which refused one of the QA pages' forms, as the page's sentence: one of
    ``QA_SENTENCES``, else as every page words the service's messages."""
    worded = page_sentence(request, str(exc), QA_SENTENCES, COUNTS)
    return page_message(exc, translator_of(request)) if worded is None else worded


def _refused_elsewhere(request: Request, exc: OmniKPIError) -> Response:
    """A refused form with no page to keep as typed (an evaluation's answers): the error
    page with the sentence in the page's language; a script gets the service's message."""
    status = 404 if isinstance(exc, NotFoundError) else status_of(exc)
    if status >= 500 or not is_page(request):
        raise exc
    return error_page(request, _refusal(request, exc), status)


def _refused(request: Request, view: View, exc: OmniKPIError, typed: dict[str, str],
             refused: str) -> Response:
    """The QA page with the form ``refused`` as ``typed`` and the sentence of ``exc`` by
    it (400; 404 for a form that is not there; 403 for a form its author has no shelf
    for); a script that does not ask for HTML, or a fault of the service, gets the error as
    before."""
    if isinstance(exc, NoShelf) and not is_page(request):
        raise HTTPException(403, str(exc)) from exc
    status = 403 if isinstance(exc, NoShelf) else 404 if isinstance(exc, NotFoundError) \
        else status_of(exc)
    if status >= 500 or not is_page(request):
        raise exc
    return _overview(request, view, typed, _refusal(request, exc), status, refused)


@router.get("/qa/forms/{form_id}", response_class=HTMLResponse)
def form_page(request: Request, view: ViewDep, form_id: RowId) -> Response:
    _reader(view)
    with session_scope(view.state.database_url) as session:
        form = session.get(QaForm, form_id)
        if form is None or not form_visible(form, form_shelf(view)):
            raise HTTPException(404, "no such form")
        return templates.TemplateResponse(request, "qa_form.html", {
            "filters": None, "form": form, "items": form_items(session, form_id)})


@router.post("/qa/forms")
def create_form(request: Request, view: ViewDep,
                # empty fields are the refusal's to name, with the form kept as typed (a
                # missing item list was the framework's bare "items is needed" page)
                key: Annotated[str, Form(max_length=KEY_CHARS)] = "",
                name: Annotated[str, Form(max_length=NAME_CHARS)] = "",
                items: Annotated[str, Form(max_length=LONG_TEXT_CHARS)] = "",
                channel_kind: Annotated[str, Form(max_length=NAME_CHARS)] = "any",
                pass_score: Annotated[str, Form(max_length=NAME_CHARS)] = "") -> Response:
    """A form, or the next version of its key. A value refused (a pass score that is not
    a number from 0 to 100, an item line that cannot be read, a key used twice, weights
    all 0) keeps the QA page with the form as typed and a sentence in the page's
    language; a script that does not ask for HTML gets the JSON ``{"detail": …}``."""
    principal = _evaluator(view)
    try:
        return _save_form(view, principal, key, name, items, channel_kind, pass_score)
    except OmniKPIError as exc:
        return _refused(request, view, exc, {
            "key": key, "name": name, "items": items, "channel_kind": channel_kind,
            "pass_score": pass_score}, "form")


def _save_form(view: View, principal: Principal, key: str, name: str, items: str,
               channel_kind: str, pass_score: str) -> Response:
    """Save the form the fields describe; its page."""
    try:
        threshold = float(pass_score) if pass_score.strip() else None
    except ValueError:
        raise UsageError("pass score must be a number from 0 to 100") from None
    spec = FormSpec(key.strip(), name.strip(), parse_item_lines(items), channel_kind,
                    threshold)
    twice = [k for k, n in Counter(i.key for i in spec.items).items() if n > 1]
    if twice:  # check_form says so too, without saying which key
        raise UsageError("form: item keys must be unique; used on more than one line: "
                         + ", ".join(twice[:5]))
    # a tenant's supervisor saves on their tenant's shelf: another tenant's form of the
    # same key stays theirs
    shelf = writing_shelf(view)
    with session_scope(view.state.database_url) as session:
        form = save_form(session, spec, principal.name, shelf)
        audit(session, principal.name, "qa_form_saved", {"key": form.form_key,
                                                         "version": form.version})
        return RedirectResponse(f"/qa/forms/{form.id}", status_code=303)


@router.post("/qa/samples")
def create_sample(request: Request, view: ViewDep,
                  name: Annotated[str, Form(max_length=NAME_CHARS)],
                  rate: Annotated[float, Form()], seed: Annotated[int, Form()],
                  min_per_agent: Annotated[int, Form()] = 1,
                  from_: Annotated[str, Form(alias="from", max_length=INSTANT_CHARS)] = "",
                  to: Annotated[str, Form(max_length=INSTANT_CHARS)] = "",
                  tz: Annotated[str, Form(max_length=NAME_CHARS)] = "UTC",
                  evaluator: Annotated[str, Form(max_length=NAME_CHARS)] = "",
                  form_id: Annotated[str, Form(max_length=NAME_CHARS)] = "",
                  risk: Annotated[str, Form(max_length=NAME_CHARS)] = "",
                  rate_unit: Annotated[str, Form(max_length=NAME_CHARS)] = "share"
                  ) -> Response:
    """A sample of the contacts the user may see (their tenant / sites only); ``risk``:
    risk-weighted (``omnikpi.qa.risk_sampling``). ``rate`` is a share (0.03), as
    ``omnikpi qa sample --rate`` takes it, unless ``rate_unit`` is ``percent`` (the QA
    page's field: 3 for 3 %); the sample stores the share. A value refused (To before
    From, a rate over 1 or over 100 %) keeps the QA page with the form as typed and a
    sentence in the page's language; a script that does not ask for HTML gets the JSON
    ``{"detail": …}``."""
    principal = _evaluator(view)
    try:
        return _draw(view, principal, name, sample_share(rate, rate_unit), seed,
                     min_per_agent, day_window(from_, to), tz, evaluator.strip() or None,
                     form_id, bool(risk))
    except OmniKPIError as exc:
        status = 404 if isinstance(exc, NotFoundError) else status_of(exc)
        if status >= 500 or not is_page(request):
            raise
        typed = {"name": name, "rate": f"{rate:g}", "rate_unit": rate_unit,
                 "seed": str(seed),
                 "min_per_agent": str(min_per_agent), "from": from_, "to": to,
                 "evaluator": evaluator, "form_id": form_id, "risk": risk}
        return _overview(request, view, typed, _refusal(request, exc), status, "sample")


RATE_UNITS = ("share", "percent")
"""How a sample's ``rate`` is written: a share of 1 (the CLI's and the API's 0.03) or a
percent (the QA page's 3, as a QA lead says "3 %")."""


def sample_share(rate: float, unit: str) -> float:
    """The share of handled contacts a sample takes, from ``rate`` written in ``unit``
    (:data:`RATE_UNITS`); a percent outside (0, 100] is refused here, as a percent."""
    if unit not in RATE_UNITS:
        raise UsageError(f"rate_unit must be one of {', '.join(RATE_UNITS)}, not {unit!r}")
    if unit == "share":
        return rate
    if not 0 < rate <= 100:
        raise UsageError("the sampling rate is a percent of handled contacts: more than 0 "
                         "and at most 100 (e.g. 3 for 3 %)")
    return rate / 100


def _draw(view: View, principal: Principal, name: str, rate: float, seed: int,
          min_per_agent: int, days: tuple[str, str], tz: str, who: str | None,
          form_id: str, risk: bool) -> Response:
    """Draw and save the sample the form asks for (``days``: its From and To, the To day
    included); the sample's page."""
    start, end = days[0] or None, days[1] or None
    chosen_form = _form_id(view, form_id) if form_id.strip() else None
    check_sample_inputs(rate, seed, min_per_agent)
    asked = SampleAsked(name, seed, rate, min_per_agent, start, end, who, chosen_form,
                        principal.tenant, risk, tz)
    twin = sent_again(asked, principal.name, view.state.database_url)
    if twin is not None:  # the same form sent again (Back, then Draw): the sample it made
        return RedirectResponse(f"/qa/samples/{twin}", status_code=303)
    exclude = already_given(who, view.state.database_url) if who else set()
    # per agent: ``draw_sample`` groups by the agent id in its tenant (ids repeat across
    # an outsourcer's clients), as the risk-weighted draw does
    drawn = draw_risk_sample(view.dataset, rate, seed, min_per_agent, start, end, tz,
                             exclude).sample if risk else \
        draw_sample(view.dataset, rate, seed, min_per_agent, ("agent_id",), start, end, tz,
                    exclude)
    if who:
        _check_queue_taker(view, who, {Place(u.tenant, u.site) for u in drawn.units})
    sample_id = save_sample(drawn, name, who, principal.name, view.state.database_url,
                            start, end, min_per_agent, chosen_form, principal.tenant,
                            risk, tz)
    return RedirectResponse(f"/qa/samples/{sample_id}", status_code=303)


def _check_queue_taker(view: View, who: str, where: set[Place]) -> None:
    """Refuse a queue for an account that could not open it: none of that name, an agent
    or client account, a disabled one, or a supervisor of other sites or another client
    (it was saved without a word and waited for ever). One sentence for all: the page
    does not tell a supervisor which accounts another client has. A database without
    accounts (a server without logins) takes any name."""
    with session_scope(view.state.database_url) as session:
        if not session.scalar(select(func.count()).select_from(User)):
            return
        if may_take_queue(session, who, where):
            return
    raise UsageError(f"evaluator: {who!r} is not an account that may evaluate these "
                     "contacts; give the login of an administrator or of a supervisor "
                     "who sees them")


@router.get("/qa/samples/{sample_id}", response_class=HTMLResponse)
def sample_page(request: Request, view: ViewDep, sample_id: RowId) -> Response:
    _evaluator(view)
    with session_scope(view.state.database_url) as session:
        sample = session.get(QaSample, sample_id)
        if sample is None or not queries.sample_visible(session, sample, _visible(view),
                                                        form_shelf(view)):
            raise HTTPException(404, "no such sample")
        items = queries.sample_items(session, sample_id, _visible(view))
        return templates.TemplateResponse(request, "qa_sample.html", {
            "filters": None, "sample": sample, "items": items,
            "population_shown": queries.population_shown(sample, view.scope),
            "days": days_text(sample.period_from, sample.period_to)})


@router.get("/qa/evaluate/{item_id}", response_class=HTMLResponse)
def evaluate_page(request: Request, view: ViewDep, item_id: RowId,
                  form_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None
                  ) -> Response:
    _evaluator(view)
    with session_scope(view.state.database_url) as session:
        item = session.get(QaSampleItem, item_id)
        if item is None or not _may_see(view, item.tenant, item.site, item.agent_id):
            raise HTTPException(404, "no such sample item")
        done = evaluation_of_item(session, item.id) if item.status == "done" else None
        if done is not None:  # evaluated once: the page shows that evaluation
            return RedirectResponse(f"/qa/evaluations/{done}", status_code=303)
        sample = session.get(QaSample, item.sample_id)
        chosen = session.get(QaForm, form_id or (sample.form_id if sample else None) or 0)
        if chosen is not None and form_id is None:  # the sample's form as revised since
            chosen = newest_version(session, chosen)
        if chosen is not None and not form_visible(chosen, form_shelf(view)):
            chosen = None  # another tenant's form: not offered here
        form = chosen or queries.default_form(session, item.channel, form_shelf(view))
        if form is None:
            raise UsageError("no QA form yet: create one (or `omnikpi qa forms FILE`)")
        return templates.TemplateResponse(request, "qa_evaluate.html", {
            "filters": None, "item": item, "form": form,
            "items": form_items(session, form.id),
            "forms": latest_forms(session, form_shelf(view)),
            "action": f"/qa/evaluate/{item.id}",
            **_contact_view(view, chain_ids(item.chain) or [item.contact_id])})


def _score(item: str, raw: str) -> float:
    """A checklist answer: a finite number from 0 to 1 (1 met, 0 not met, or between);
    ``item``: the item as the page shows it."""
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"item {item!r}: answer {raw!r} is not a score (0–1 or na)") from None
    if not 0 <= value <= 1:
        raise UsageError(f"item {item!r}: score {raw!r} must be between 0 and 1")
    return value


async def _answers(request: Request, session: Session, form_id: int
                   ) -> tuple[dict[int, float | None], str, dict[int, str]]:
    """The answers by item id, the comment, and each item's error kind if not met."""
    form = await request.form()
    answers: dict[int, float | None] = {}
    kinds: dict[int, str] = {}
    missing = []
    for item in form_items(session, form_id):
        raw = form.get(f"item_{item.id}")
        if not isinstance(raw, str) or raw == "":
            # the item as the evaluator reads it on the form (its key, in Python's
            # quotes, is not on the page)
            missing.append(f'"{item_words(item)}"')
            continue
        answers[item.id] = None if raw == "na" else _score(item_words(item), raw)
        kind = form.get(f"kind_{item.id}")
        if isinstance(kind, str) and kind:
            kinds[item.id] = kind
    if missing:
        raise UsageError("score every item or mark it not applicable; no answer for "
                         + "; ".join(missing[:10])
                         + ("; ..." if len(missing) > 10 else ""))
    comment = form.get("comment")
    text = comment if isinstance(comment, str) else ""
    check_length("comment", text, LONG_TEXT_CHARS)
    return answers, text, kinds


@router.post("/qa/evaluate/{item_id}")
async def evaluate(request: Request, view: ViewDep, item_id: RowId,
                   form_id: FormRowId) -> Response:
    """Score a sampled contact; answers refused (an item left, a score out of range) are
    said in the page's language."""
    try:
        return await _evaluate(request, view, item_id, form_id)
    except OmniKPIError as exc:
        return _refused_elsewhere(request, exc)


async def _evaluate(request: Request, view: View, item_id: int, form_id: int
                    ) -> Response:
    principal = _evaluator(view)
    with session_scope(view.state.database_url) as session:
        item = session.get(QaSampleItem, item_id)
        if item is None or not _may_see(view, item.tenant, item.site, item.agent_id):
            raise HTTPException(404, "no such sample item")
        if item.evaluator and item.evaluator != principal.name and not principal.is_admin:
            raise HTTPException(403, f"this contact is in {item.evaluator}'s queue")
        form = session.get(QaForm, form_id)
        if form is None or not form_visible(form, form_shelf(view)):
            raise HTTPException(404, "no such form")
        answers, comment, kinds = await _answers(request, session, form_id)
        chain = chain_ids(item.chain)
        if not _contact_view(view, chain or [item.contact_id])["contacts"]:
            # scored blind, it was filed under the sample's tenant beside the data's
            # evaluations: the QA list and the reports then disagreed
            raise UsageError(f"contact {item.contact_id!r} is not in the loaded data (the "
                             "sample was drawn from other data, or the data has changed "
                             "since): it cannot be evaluated here")
        try:
            evaluation = submit(session, form_id, Subject(
                item.contact_id, item.agent_id, item.contact_id if len(chain) > 1 else None,
                item.tenant, item.site), principal.name, answers, comment, item.id)
        except AlreadyEvaluated as done:  # sent twice: the first evaluation stands
            return RedirectResponse(f"/qa/evaluations/{done.evaluation_id}",
                                    status_code=303)
        session.flush()
        save_error_kinds(session, evaluation, kinds)
        _refresh_kpis(view, session)
        return RedirectResponse(f"/qa/evaluations/{evaluation.id}", status_code=303)


@router.get("/qa/evaluations/{evaluation_id}", response_class=HTMLResponse)
def evaluation_page(request: Request, view: ViewDep, evaluation_id: RowId) -> Response:
    return _evaluation_page(request, view, evaluation_id)


def _evaluation_page(request: Request, view: View, evaluation_id: int,
                     error: str | None = None, status: int = 200) -> Response:
    """An evaluation's page; ``error``: why the agent's answer was refused (said by the
    answer's buttons, which stay while the evaluation waits for one)."""
    _evaluation_reader(view)
    with session_scope(view.state.database_url) as session:
        evaluation = _readable_evaluation(view, session, evaluation_id)
        form = session.get(QaForm, evaluation.form_id)
        answers = queries.answers_of(session, evaluation.id)
        sampled = session.get(QaSampleItem, evaluation.sample_item_id) \
            if evaluation.sample_item_id is not None else None
        # the contact (a chain's contacts) as the evaluate page showed it, from the
        # caller's scoped data: none when the data no longer holds it
        contact = _contact_view(view, (chain_ids(sampled.chain) if sampled else [])
                                or [evaluation.contact_id])
        assert form is not None
        judged = form.pass_score is not None or evaluation.critical_error
        return templates.TemplateResponse(request, "qa_evaluation.html", {
            "filters": None, "evaluation": evaluation, "form": form,
            "items": form_items(session, evaluation.form_id), "answers": answers,
            "kinds": error_kinds_of(session, evaluation.id),
            "passed": passes(evaluation.score, evaluation.critical_error, form.pass_score)
            if judged else None,
            "shown_score": shown_score(evaluation.score, form.pass_score),
            "evaluated_at": stored_utc(evaluation.evaluated_at).isoformat(
                timespec="seconds"),
            "contact_at": next((c["arrived_at"] for c in contact["contacts"]
                                if str(c["contact_id"]) == evaluation.contact_id), None),
            **contact,
            "mine": view.principal.role == "agent", "error": error}, status_code=status)


def _readable_evaluation(view: View, session: Session, evaluation_id: int) -> QaEvaluation:
    """An evaluation the caller may read; a client account is refused any other as it is
    refused the rest of QA (403), whether the evaluation exists or not."""
    evaluation = session.get(QaEvaluation, evaluation_id)
    if evaluation is None or not _may_see(view, evaluation.tenant, evaluation.site,
                                          evaluation.agent_id) \
            or not may_read_evaluation(view, session, evaluation):
        if view.principal.role == "client":
            raise HTTPException(403, "a client account opens only the calibration "
                                     "evaluations it made, or may see in its sessions")
        raise HTTPException(404, "no such evaluation")
    return evaluation


@router.post("/qa/evaluations/{evaluation_id}/respond")
def respond_page(request: Request, view: ViewDep, evaluation_id: RowId,
                 action: Annotated[str, Form(max_length=NAME_CHARS)],
                 comment: Annotated[str, Form(max_length=LONG_TEXT_CHARS)] = "") -> Response:
    """The agent acknowledges or disputes, once. A refused answer (a dispute without a
    reason, an evaluation already answered: 409) keeps the evaluation's page with the
    sentence in the page's language; a script gets the service's message."""
    principal = view.principal
    require_roles(principal, "agent")
    try:
        with session_scope(view.state.database_url) as session:
            _readable_evaluation(view, session, evaluation_id)
            respond(session, evaluation_id, principal.agent_id, action, comment)
            audit(session, principal.name, f"qa_{action}", {"evaluation": evaluation_id})
    except OmniKPIError as exc:
        status = 409 if isinstance(exc, AlreadyAnswered) else \
            404 if isinstance(exc, NotFoundError) else status_of(exc)
        if status == 409 and not is_page(request):
            raise HTTPException(409, str(exc)) from exc
        if status >= 500 or status == 404 or not is_page(request):
            raise
        return _evaluation_page(request, view, evaluation_id, _refusal(request, exc), status)
    return RedirectResponse(f"/qa/evaluations/{evaluation_id}", status_code=303)


@router.post("/qa/calibrations")
def create_calibration(request: Request, view: ViewDep,
                       name: Annotated[str, Form(max_length=NAME_CHARS)],
                       form_id: FormRowId,
                       reference: Annotated[str, Form(max_length=NAME_CHARS)],
                       contacts: Annotated[str, Form(max_length=LONG_TEXT_CHARS)] = "",
                       evaluators: Annotated[str, Form(max_length=LONG_TEXT_CHARS)] = "",
                       contact: Annotated[list[str] | None, Form(max_length=NAME_CHARS)
                                          ] = None,
                       evaluator: Annotated[list[str] | None, Form(max_length=NAME_CHARS)
                                            ] = None) -> Response:
    """A session of the contacts picked from the list (``contact``) or typed
    (``contacts``), scored by the evaluators invited (``evaluator``) or typed. A session
    refused (no contacts, a contact or an account that is not there) keeps the QA page
    with the form as typed — the contacts and evaluators picked on the list added to the
    typed ones — and a sentence in the page's language; a script that does not ask for
    HTML gets the JSON ``{"detail": …}``."""
    principal = _evaluator(view)
    try:
        return _start_calibration(view, principal, name, form_id, reference, contacts,
                                  evaluators, contact or [], evaluator or [])
    except OmniKPIError as exc:
        return _refused(request, view, exc, {
            "name": name, "form_id": str(form_id), "reference": reference,
            "contacts": shown_again(contacts, contact or []),
            "evaluators": shown_again(evaluators, evaluator or [])},
            "calibration")


def typed_names(text: str) -> list[str]:
    """The ids or account names typed in one field: separated by commas when it has one
    ("lead, anna k": an account name may hold a space), else by spaces ("lead ann")."""
    parts = text.split(",") if "," in text else text.split()
    return [p.strip() for p in parts if p.strip()]


def shown_again(typed: str, ticked: list[str]) -> str:
    """A refused form's field as typed, with the names ticked on the list added: joined
    by commas when one holds a space (read back by :func:`typed_names` as they were),
    else by spaces."""
    if not ticked:
        return typed
    names = [*typed_names(typed), *ticked]
    return (", " if any(" " in n for n in names) else " ").join(names)


def _start_calibration(view: View, principal: Principal, name: str, form_id: int,
                       reference: str, contacts: str, evaluators: str, contact: list[str],
                       evaluator: list[str]) -> Response:
    """Start the session the fields describe; its page."""
    _form_id(view, str(form_id))
    ids = list(dict.fromkeys([*typed_names(contacts), *contact]))
    people = list(dict.fromkeys([*typed_names(evaluators), *evaluator]))
    if reference not in people:
        people.insert(0, reference)
    if len(people) < 2 or not ids:
        raise UsageError("a calibration needs contacts and at least two evaluators")
    if len(ids) > 200 or len(people) > 50:
        raise UsageError("a calibration takes at most 200 contacts and 50 evaluators")
    known = _contact_view(view, ids)["contacts"]
    missing = sorted(set(ids) - {str(c["contact_id"]) for c in known})
    if missing:
        raise UsageError(f"unknown contact(s): {', '.join(missing[:5])}")
    where = places(known)
    with session_scope(view.state.database_url) as session:
        check_invited(session, people, where)
        calibration = QaCalibration(name=name, form_id=form_id, contact_ids=contacts_text(ids),
                                    evaluators=evaluators_text(people), reference=reference,
                                    tenant=principal.tenant or common_tenant(where))
        session.add(calibration)
        session.flush()
        return RedirectResponse(f"/qa/calibrations/{calibration.id}", status_code=303)


def _form_id(view: View, raw: str) -> int:
    """A QA form id from a form field: a number naming a form that exists."""
    try:
        form_id = int(raw)
    except ValueError:
        raise UsageError(f"form {raw!r} is not a form id (a number)") from None
    with session_scope(view.state.database_url) as session:
        form = session.get(QaForm, form_id) if 0 < form_id <= MAX_INT else None
        if form is None or not form_visible(form, form_shelf(view)):
            raise NotFoundError(f"no QA form {form_id}")
    return form_id


def _calibration(view: View, session: Session, calibration_id: int) -> QaCalibration:
    """A calibration session the caller may open (``qa_access.may_open``): an invited
    client account (the client's quality lead) of its tenant, or a supervisor of its
    tenant, each only while every one of its contacts is in their scope now."""
    calibration = session.get(QaCalibration, calibration_id) \
        if 0 < calibration_id <= MAX_INT else None
    if view.principal.role == "client":
        if calibration is None or not may_open(view, calibration):
            raise HTTPException(403, "only invited evaluators open a calibration session")
        return calibration
    _evaluator(view)
    if calibration is None or not may_open(view, calibration):
        raise HTTPException(404, "no such calibration session")
    return calibration


@router.get("/qa/calibrations/{calibration_id}", response_class=HTMLResponse)
def calibration_page(request: Request, view: ViewDep, calibration_id: RowId) -> Response:
    with session_scope(view.state.database_url) as session:
        calibration = _calibration(view, session, calibration_id)
        report = calibration_report(session, calibration.id)
        me = view.principal.name
        return templates.TemplateResponse(request, "qa_calibration.html", {
            "filters": None, "calibration": calibration, "report": report, "me": me,
            "blind": is_blind(report, me)})


@router.get("/qa/calibrations/{calibration_id}/evaluate/{contact_id}",
            response_class=HTMLResponse)
def calibration_evaluate_page(request: Request, view: ViewDep, calibration_id: RowId,
                              contact_id: str) -> Response:
    with session_scope(view.state.database_url) as session:
        calibration = _calibration(view, session, calibration_id)
        contact_ids = calibration_contacts(calibration)
        if contact_id not in contact_ids:
            raise HTTPException(404, "not a contact of this session")
        if queries.scored_in_calibration(session, calibration.id, view.principal.name, contact_id):
            return RedirectResponse(f"/qa/calibrations/{calibration_id}", status_code=303)
        form = session.get(QaForm, calibration.form_id)
        contact = _contact_view(view, [contact_id])
        if not contact["contacts"]:
            raise HTTPException(404, "no such contact")
        return templates.TemplateResponse(request, "qa_evaluate.html", {
            "filters": None, "item": None, "form": form, "forms": [],
            "calibration": calibration, "contact_id": contact_id,
            "position": contact_ids.index(contact_id) + 1, "total": len(contact_ids),
            "items": form_items(session, calibration.form_id),
            "action": f"/qa/calibrations/{calibration_id}/evaluate/{contact_id}",
            **contact})


@router.post("/qa/calibrations/{calibration_id}/evaluate/{contact_id}")
async def calibration_evaluate(request: Request, view: ViewDep, calibration_id: RowId,
                               contact_id: str) -> Response:
    """Score a contact of a calibration session; answers refused are said in the page's
    language."""
    try:
        return await _calibration_evaluate(request, view, calibration_id, contact_id)
    except OmniKPIError as exc:
        return _refused_elsewhere(request, exc)


async def _calibration_evaluate(request: Request, view: View, calibration_id: int,
                                contact_id: str) -> Response:
    principal = view.principal
    with session_scope(view.state.database_url) as session:
        calibration = _calibration(view, session, calibration_id)
        if principal.name not in calibration_evaluators(calibration):
            raise HTTPException(403, "you are not an evaluator of this session")
        contact = _contact_view(view, [contact_id])["contacts"]
        if contact_id not in calibration_contacts(calibration) or not contact:
            raise HTTPException(404, "not a contact of this session")
        if queries.scored_in_calibration(session, calibration.id, principal.name, contact_id):
            raise UsageError("you already scored this contact in this session: a "
                             "calibration keeps each evaluator's first score")
        answers, comment, kinds = await _answers(request, session, calibration.form_id)
        evaluation = submit(session, calibration.form_id, Subject(
            contact_id, str(contact[0].get("agent_id") or ""), None,
            contact[0].get("tenant"), contact[0].get("site")), principal.name, answers,
            comment, calibration_id=calibration.id)
        session.flush()
        save_error_kinds(session, evaluation, kinds)
        _refresh_kpis(view, session)
    return RedirectResponse(f"/qa/calibrations/{calibration_id}", status_code=303)


@api.get("/calibrations/{calibration_id}")
def calibration_json(view: ViewDep, calibration_id: RowId) -> dict[str, Any]:
    """Agreement of a calibration session: per-item spread and Krippendorff's alpha,
    each evaluator against the reference."""
    with session_scope(view.state.database_url) as session:
        calibration = _calibration(view, session, calibration_id)
        return as_seen_by(calibration_report(session, calibration.id), view.principal.name)


EVALUATIONS_PAGE = 2000
"""The most evaluations one answer of the API lists."""


@api.get("/evaluations")
def evaluations_json(view: ViewDep, limit: int = 200) -> list[dict[str, Any]]:
    """Evaluations the caller may see (an agent: their own; a client account: the
    calibration evaluations it may read), newest first."""
    client = _evaluation_reader(view).role == "client"
    with session_scope(view.state.database_url) as session:
        if client and not invited_anywhere(session, view.principal):
            raise HTTPException(403, "a client account lists the calibration evaluations "
                                     "of the sessions it is invited to")
        if not 1 <= limit <= EVALUATIONS_PAGE:  # clamped, 0 gave one evaluation
            raise UsageError(f"limit must be 1 to {EVALUATIONS_PAGE}, not {limit}")
        rows = queries.recent_evaluations(session, _visible(view), limit, calibrations=True,
                                          only_calibrations=client)
        blind: dict[int, bool] = {}
        rows = [e for e in rows if may_read_evaluation(view, session, e, blind)]
        return [{"id": e.id, "contact_id": e.contact_id, "agent_id": e.agent_id,
                "evaluator": e.evaluator, "score": e.score,
                "critical_error": e.critical_error, "status": e.status,
                "calibration": e.calibration_id is not None,
                "evaluated_at": stored_utc(e.evaluated_at)}
               for e in rows]

