"""Validation problems read in the page's language (``web/problem_texts.py``).

One dataset breaks every rule once, so every template of ``schema/problem_messages.py``
is met: each problem it gives must read back in Russian and Ukrainian. A rule added with
words of its own (not a template) fails here by its message."""

from __future__ import annotations

from string import Formatter

import pytest

import omnikpi
from omnikpi.schema import problem_messages as said
from omnikpi.web.i18n import translator
from omnikpi.web.problem_texts import msgids, read_back, translated_problem

CONTACTS = [
    "c1,voice,inbound,q1,2024-03-05T10:00:00Z,2024-03-05T10:00:10Z,5",
    "c1,voice,inbound,q1,2024-03-05T10:00:00Z,2024-03-05T10:00:10Z,5",   # duplicate
    "c2,voice,inbound,q1,yesterday,,",                                   # unreadable
    "c3,voice,inbound,q1,,,",                                            # missing
    "c4,voice,sideways,q1,2024-03-05T10:00:00Z,,",                       # unknown value
    "c5,voice,inbound,q1,1800-01-01T00:00:00Z,,",                        # out of years
    "c6,voice,inbound,q1,2024-03-05T10:00:00Z,,-5",                      # negative
    "c7,voice,inbound,q1,2024-03-05T10:00:00Z,,inf",                     # infinite
    "c8,voice,inbound,q1,2024-03-05T10:00:00Z,2024-03-05T09:00:00Z,",    # before
    "c9,voice,inbound,q\x001,2024-03-05T10:00:00Z,,",                    # NUL byte
]


@pytest.fixture(scope="module")
def problems(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    data = tmp_path_factory.mktemp("problems")
    (data / "contacts.csv").write_text(
        "contact_id,channel,direction,queue,arrived_at,accepted_at,hold_seconds\n"
        + "\n".join(CONTACTS) + "\n")
    (data / "agent_states.csv").write_text(
        "agent_id,state,start,end\n"
        "a1,available,2024-03-05T10:00:00Z,2024-03-05T10:30:00Z\n"
        "a1,available,2024-03-05T10:15:00Z,2024-03-05T10:45:00Z\n"   # overlap
        "a2,available,2024-03-05T10:00:00Z,\n")                       # no end (why)
    (data / "surveys.csv").write_text(
        "survey,score,scale_min,scale_max,answered_at\n"
        "csat,7,1,5,2024-03-05T10:10:00Z\n"                           # number below
        "csat,5,5,5,2024-03-05T10:10:00Z\n")                          # one-point scale
    (data / "employee_surveys.csv").write_text(
        "agent_id,answered_at,dimension,score\n"
        "a1,2024-03-05T10:00:00Z,pay,0\na1,2024-03-05T10:00:00Z,pay,11\n")  # min, max
    (data / "roster.csv").write_text("Agent_ID,hired_on\na1,2024-01-01\n")  # near
    (data / "qa_items.csv").write_text("note\nx\n")                   # missing columns
    (data / "shifts.csv").write_text("")                              # empty file
    (data / "qa_evaluations.jsonl").write_text(                       # a number as time
        '{"evaluation_id":"e1","agent_id":"a1","evaluator_id":"q","form_id":"f",'
        '"evaluated_at":1796468404,"score":90}\n')
    dataset = omnikpi.load_dataset(data, cache=False)
    try:
        return [p.message for p in dataset.problems]
    finally:
        dataset.close()


def test_every_template_is_met_and_every_problem_reads_in_each_language(
        problems: list[str]) -> None:
    met = {found[0] for found in map(read_back, problems) if found is not None}
    assert met == set(said.TEMPLATES)
    for lang in ("ru", "uk"):
        _ = translator(lang)
        for message in problems:
            text = translated_problem(message, _)
            assert text is not None and text != message, (lang, message)
            assert not {"missing", "cannot", "value", "expected", "before"} & set(
                text.replace("(", " ").split()), text


def test_hand_read_examples(problems: list[str]) -> None:
    ru, uk = translator("ru"), translator("uk")
    by_english = {m: (translated_problem(m, ru), translated_problem(m, uk)) for m in problems}
    assert by_english["cannot read 'yesterday' as timestamp (ISO 8601 expected, e.g. "
                      "2024-03-05T10:00:00Z)"] == (
        "не удаётся прочитать «yesterday» как timestamp (ожидается ISO 8601, напр. "
        "2024-03-05T10:00:00Z)",
        "не вдається прочитати «yesterday» як timestamp (очікується ISO 8601, напр. "
        "2024-03-05T10:00:00Z)")
    assert by_english["duplicate contact_id 'c1' (first seen at contacts.csv row 1)"] == (
        "повтор contact_id «c1» (впервые: contacts.csv, запись 1)",
        "повтор contact_id «c1» (уперше: contacts.csv, запис 1)")
    assert by_english["cannot read a number as timestamp (ISO 8601 expected, e.g. "
                      "2024-03-05T10:00:00Z)"][0] == (
        "не удаётся прочитать число как timestamp (ожидается ISO 8601, напр. "
        "2024-03-05T10:00:00Z)")
    assert by_english["scale_max 5.0 is not above scale_min 5.0 (a scale of one point "
                      "places no answer on it)"][1] == (
        "scale_max 5.0 не більше, ніж scale_min 5.0 (на шкалі з однієї точки відповідь "
        "не розмістити)")


def test_a_value_holding_the_template_s_own_words_is_kept_whole() -> None:
    """The data's text is any text: a value with a quote and " as " in it."""
    message = "cannot read 'it's 10 as timestamp' as timestamp (ISO 8601 expected, e.g. " \
              "2024-03-05T10:00:00Z)"
    assert translated_problem(message, translator("ru")) == (
        "не удаётся прочитать «it's 10 as timestamp» как timestamp (ожидается ISO 8601, "
        "напр. 2024-03-05T10:00:00Z)")
    assert translated_problem("a reader's note of its own", translator("ru")) is None


def test_translations_keep_the_fields_of_their_template() -> None:
    for lang in ("ru", "uk"):
        _ = translator(lang)
        for msgid in msgids():
            assert _fields(_(msgid)) == _fields(msgid), (lang, msgid)


def _fields(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}



@pytest.mark.parametrize("message, russian", [
    ("duplicate contact_id 'a' (first seen at x' (first seen at y.csv row 2)' (first seen "
     "at my row data.csv row 3)",
     "повтор contact_id «a' (first seen at x' (first seen at y.csv row 2)» (впервые: my row "
     "data.csv, запись 3)"),
    ("unknown value 'x' (expected one of: a, b)' (expected one of: inbound, outbound)",
     "неизвестное значение «x' (expected one of: a, b)» (ожидается одно из: inbound, "
     "outbound)"),
    ("overlaps an earlier agent_states row of agent_id 'a' that ends at 1' that ends at "
     "2024-03-05T10:30:00+00:00 (it would be counted twice)",
     "пересекается с более ранней строкой agent_states для agent_id «a' that ends at 1», "
     "которая заканчивается в 2024-03-05T10:30:00+00:00 (время учлось бы дважды)"),
])
def test_the_data_s_text_is_read_whole_whatever_it_holds(message: str, russian: str) -> None:
    """A value or a file name holding the template's own words was cut at the first of
    them, its rest read into the next field."""
    assert translated_problem(message, translator("ru")) == russian
