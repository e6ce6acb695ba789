"""Every string of the interface has its Russian and Ukrainian text.

The strings are found where they live: ``_("…")`` in the templates and in the Python
code (read with ``ast``, so a message written over several lines counts), the dashboard's
section titles, the metric names of the declarations (which carry their own
translations), the labels of the audit log's actions and the labels of the planning
pages' form fields (``Field("name", "Label", …)`` in ``web/``). A string added without
both translations fails here, by name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from omnikpi.auth.audit_actions import ACTION_LABELS
from omnikpi.metrics.base import all_metrics
from omnikpi.metrics.display import SECTIONS
from omnikpi.value_labels import ENGINE_VALUES
from omnikpi.web.drill_labels import HEADERS
from omnikpi.web.i18n import _messages
from omnikpi.web.problem_texts import msgids as problem_msgids
from omnikpi.web.reject_texts import msgids as reject_msgids

SOURCE = Path(__file__).resolve().parents[2] / "src" / "omnikpi"
TEMPLATES = SOURCE / "web" / "templates"
CALL = re.compile(r"""_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")


def interface_strings() -> set[str]:
    found = set()
    for template in TEMPLATES.glob("*.html"):
        for double, single in CALL.findall(template.read_text(encoding="utf-8")):
            found.add(double or single)
    found.update(code_strings())
    found.update(section.title for section in SECTIONS)
    found.update(metric.name for metric in all_metrics())
    found.update(ACTION_LABELS.values())
    found.update(word for words in ENGINE_VALUES.values() for word in words.values())
    found.update(HEADERS.values())  # a drill-down's column headers
    found.update(problem_msgids())  # validation problems' templates and phrases
    found.update(reject_msgids())  # why an import left a line out
    return found


def code_strings() -> set[str]:
    """The literal first argument of every ``_(…)`` call in the package's Python code, and
    the literal label (second argument) of every form ``Field`` of the web pages."""
    found = set()
    for module in SOURCE.rglob("*.py"):
        in_web = (SOURCE / "web") in module.parents
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
                continue
            position = 0 if node.func.id == "_" else 1 if (
                in_web and node.func.id == "Field") else None
            if position is not None and len(node.args) > position \
                    and isinstance(node.args[position], ast.Constant) \
                    and isinstance(node.args[position].value, str):
                found.add(node.args[position].value)
    return found


def test_the_scan_finds_the_interface() -> None:
    strings = interface_strings()
    assert {"Dashboard", "Service level", "Accessibility — discrete channels",
            "Sessions an agent holds at once",
            # a page's message written over two lines in Python
            "Give a target: a service level, an ASA, an occupancy cap or an abandonment "
            "cap."} <= strings
    assert len(strings) > 150


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_interface_string_is_translated(lang: str) -> None:
    messages = _messages(lang)
    missing = sorted(s for s in interface_strings() if not messages.get(s))
    assert missing == [], f"{len(missing)} strings without a {lang} translation: {missing}"


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_metric_declares_its_names(lang: str) -> None:
    missing = sorted(m.id for m in all_metrics() if not m.names.get(lang))
    assert missing == [], f"metrics without a {lang} name in their declaration: {missing}"


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_metric_declares_its_formula(lang: str) -> None:
    missing = sorted(m.id for m in all_metrics() if not m.formulas.get(lang))
    assert missing == [], f"metrics without a {lang} formula in their declaration: {missing}"


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_what_an_empty_metric_counts_is_said_in_every_language(lang: str) -> None:
    """``when_empty`` (said under an empty figure) has its translation, with the same
    placeholders (``{as_of}``, ``{window_hours:g}``)."""
    placeholder = re.compile(r"\{[^}]*\}")
    declaring = [m for m in all_metrics() if m.when_empty]
    assert {"fcr", "repeat_rate"} <= {m.id for m in declaring}
    for m in declaring:
        translated = m.when_empty_texts.get(lang, "")
        assert translated and translated != m.when_empty, (m.id, lang)
        assert sorted(placeholder.findall(translated)) == \
            sorted(placeholder.findall(m.when_empty)), (m.id, lang)
        # only as-of and the metric's own parameters can be filled in
        said = m.when_empty_in(lang, as_of="AS-OF", **{q.name: 1.0 for q in m.params})
        assert "AS-OF" in said and "{" not in said, (m.id, lang)


def test_a_formula_in_a_language_keeps_the_ids_of_the_code() -> None:
    metric = next(m for m in all_metrics() if m.id == "short_abandoned")
    assert metric.formula_in("en") == metric.formula == \
        "abandoned with wait < short_abandon_seconds"
    assert metric.formula_in("ru") == "потерянные с ожиданием < short_abandon_seconds"
    assert metric.formula_in("uk") == "втрачені з очікуванням < short_abandon_seconds"
    assert metric.formula_in("de") == metric.formula
    for m in all_metrics():
        for lang in ("ru", "uk"):
            assert m.formula_in(lang) != m.formula, (m.id, lang)


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_translated_formulas_keep_only_code_ids_in_latin(lang: str) -> None:
    """Column and parameter ids (``short_abandon_seconds``) stay as code; every other Latin
    word of a translated formula is a name written the same in every language."""
    from tests.web.test_every_page import NOT_WORDS_OF_THE_INTERFACE, english_words

    code_id = re.compile(r"\b\w+_\w+\b")
    latin = {m.id: english_words([code_id.sub(" ", m.formula_in(lang))],
                                 NOT_WORDS_OF_THE_INTERFACE) for m in all_metrics()}
    assert {k: v for k, v in latin.items() if v} == {}


@pytest.mark.parametrize(("message", "lang", "said"), [
    ("time_in_state gives one row per reason,state: request table metrics in a report of "
     "their own", "ru", "Время в статусе: таблица по строке на «причина», «статус»; выберите "
                        "её без других показателей, в отдельном отчёте."),
    ("the follow-up date cannot be before the session", "ru",
     "Дата повторной встречи не может быть раньше сессии."),
    ("--rate must be a share between 0 and 1 (e.g. 0.03 for 3 %)", "uk",
     "Частка — число від 0 до 1, наприклад 0.03 для 3 %."),
])
def test_the_services_messages_read_in_the_pages_language(message: str, lang: str,
                                                          said: str) -> None:
    """Seen on ru/uk pages in English: "частка must be a share between 0 and 1"."""
    from omnikpi.errors import UsageError
    from omnikpi.web.i18n import translator
    from omnikpi.web.page_errors import page_message

    assert page_message(UsageError(message), translator(lang)) == said


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_the_catalogs_are_what_the_translation_script_writes(lang: str) -> None:
    """``scripts/make_translations.py`` is the source of the ``.po`` files: a text edited
    in a catalog by hand was undone by the next run of the script (a drill label lost its
    new wording that way)."""
    import importlib.util

    from babel.messages.pofile import read_po

    script = SOURCE.parents[1] / "scripts" / "make_translations.py"
    spec = importlib.util.spec_from_file_location("make_translations", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wanted = {**module.TEXT, **module._area_text()}
    index = ("ru", "uk").index(lang)
    with (SOURCE / "web" / "locale" / lang / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    found = {str(m.id): str(m.string) for m in catalog if m.id}
    assert found == {msgid: pair[index] for msgid, pair in wanted.items()}, \
        "run: uv run python scripts/make_translations.py"
