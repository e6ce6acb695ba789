"""Why an import left a line out, read in the page's language (``web/reject_texts.py``).

One queue_log breaks most of the reader's rules once and a CSV export has a line of a
field too many: every reason they leave in ``rejects.csv``, and every kind the page
counts them by, must read back in Russian and Ukrainian with the source's own words
(the event name, DuckDB's message) kept. A connector that writes a reason of its own
words (not a template of ``schema/reject_reasons.py``) fails here by its reason."""

from __future__ import annotations

import csv
from pathlib import Path
from string import Formatter

import pytest

from omnikpi.schema import reject_reasons as said
from omnikpi.schema.files import (
    A_CONFIGURATION,
    MISSPELT_TABLE,
    NOT_A_FORMAT_READ,
    NOT_A_TABLE,
    unread_entries,
)
from omnikpi.schema.tables import TABLES
from omnikpi.web.i18n import translator
from omnikpi.web.reject_texts import (
    KINDS,
    msgids,
    read_back,
    translated_reason,
    translated_unread,
)
from tests.unit.connectors.import_runs import CSV_MAPPING, run_import

QUEUE_LOG = [
    "1709632800|NONE|NONE|NONE|QUEUESTART|",
    "1709632810|c1|sales|NONE|ENTERQUEUE||555|1",
    "1709632815|c1|sales|SIP/a1|RINGNOANSWER|abc",             # ring time not a number
    "1709632816|c1|sales|SIP/a1|RINGNOANSWER|99999999999",     # ring time out of range
    "1709632820|c1|sales|SIP/a1|CONNECT|10|c1.1|5",
    "1709632821|c1|sales|SIP/a1|CONNECT|10|c1.1|5",            # second CONNECT
    "1709632822|c1|sales|SIP/a1|AGENTDUMP",                    # AGENTDUMP after CONNECT
    "1709632830|c1|sales|SIP/a1|COMPLETECALLER|10|10|1",
    "1709632830|c1|sales|SIP/a1|COMPLETECALLER|10|10|1",       # duplicate line
    "1709632840|c2|sales|SIP/a1|CONNECT|10|c2.1|5",            # CONNECT without ENTERQUEUE
    "1709632841|c3|sales|SIP/a1|ABANDON|1|1|10",               # without an open ENTERQUEUE
    "1709632842|c4|sales|NONE|ENTERQUEUE||555|1",
    "1709632843|c4|sales|SIP/a1|CONNECT|1|c4.1|5",
    "1709632844|c4|sales|NONE|ABANDON|1|1|10",                 # ABANDON after CONNECT
    "1709632845|c5|sales|NONE|ENTERQUEUE||555|1",
    "1709632846|c5|sales|SIP/a1|COMPLETEAGENT|1|1|1",          # COMPLETEAGENT without CONNECT
    "1709632850|NONE|sales|SIP/a1|PAUSEREASON|lunch",          # no pause in progress
    "1709632851|NONE|sales|NONE|PAUSE|",                       # agent event, no agent
    "1709632852|c6|sales|SIP/a1|WRAPUPSTART|x",                # wrap-up time not a number
    "1709632853|||SIP/a1|FOOBAR|x",                            # unknown event
    "1709632854|c7|NONE|NONE|ENTERQUEUE||1|1",                 # no queue
    "1709632855|c8|sales|SIP/a1|BAD-NAME!|x",                  # malformed event name
    "1709632856|c8",                                           # fewer than 5 fields
    "abc|c9|sales|NONE|ENTERQUEUE||1|1",                       # epoch not a number
    "1709632857000|c9|sales|NONE|ENTERQUEUE||1|1",             # milliseconds
    "",                                                        # empty line
]
TAIL = b"1709632858|c10|sales|NONE|ENTER\x00QUEUE||1|1\n\xff\xfe\n"  # NUL; not UTF-8


@pytest.fixture(scope="module")
def reasons(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    folder = tmp_path_factory.mktemp("rejects")
    queue_log = folder / "queue_log"
    queue_log.write_bytes(("\n".join(QUEUE_LOG) + "\n").encode() + TAIL)
    data = folder / "data"
    code, output = run_import("asterisk-queue-log", queue_log, "--out", data)
    assert code == 0, output
    export = folder / "calls.csv"
    export.write_text("id,q,t\nc1,sales,2024-03-05 10:00:00\n"
                      "c2,sales,2024-03-05 10:05:00,a note, with a comma\n")
    (folder / "m.toml").write_text(CSV_MAPPING)
    code, output = run_import("csv", export, "--mapping", folder / "m.toml", "--out", data)
    assert code == 0, output
    with (data / "rejects.csv").open(encoding="utf-8", newline="") as listed:
        return [row["reason"] for row in csv.DictReader(listed)]


def test_the_imports_leave_out_every_kind_of_line(reasons: list[str]) -> None:
    assert len(reasons) == 22  # 21 queue_log lines (of 28) and the CSV line
    assert {"unknown event FOOBAR", "COMPLETEAGENT without CONNECT", "ABANDON after CONNECT",
            "fewer than 5 fields (not valid UTF-8)",
            "too many columns: Expected Number of Columns: 3 Found: 5"} <= set(reasons)


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_reason_and_kind_reads_in_the_language(reasons: list[str], lang: str) -> None:
    _ = translator(lang)
    for reason in {*reasons, *map(said.kind_of, reasons)}:
        translated = translated_reason(reason, _)
        assert translated is not None, reason
        assert translated != reason and "{" not in translated, (reason, translated)


@pytest.mark.parametrize(("reason", "russian"), [
    ("unknown event FOOBAR", "неизвестное событие FOOBAR"),
    ("COMPLETEAGENT without CONNECT", "COMPLETEAGENT без CONNECT"),
    ("fewer than 5 fields (not valid UTF-8)", "меньше 5 полей (не UTF-8)"),
    ("too many columns: Expected Number of Columns: 3 Found: 5",
     "слишком много столбцов: Expected Number of Columns: 3 Found: 5"),
    ("too many columns", "слишком много столбцов"),
    ("no role ([fields] role = 'from' is empty): the message left out",
     "нет роли ([fields] role = 'from' пусто): сообщение пропущено"),
    ("[fields] ts could not be read (the first such value: 'noon: soon'): the message "
     "left out", "не удаётся прочитать [fields] ts (первое такое значение: 'noon: soon'): "
                 "сообщение пропущено"),
])
def test_the_source_words_stay_as_written(reason: str, russian: str) -> None:
    assert translated_reason(reason, translator("ru")) == russian


def test_a_reason_of_no_template_stays_english() -> None:
    assert read_back("the mapping's own reason") is None
    assert translated_reason("the mapping's own reason (not valid UTF-8)",
                             translator("ru")) is None


SAMPLES = {"event": "COMPLETECALLER", "kind": "unquoted value", "reason": "empty line",
           "message": "Expecting value: line 1 column 2 (char 1)", "field": "[fields] ts",
           "value": "'a (b): c'"}


@pytest.mark.parametrize("template", [*said.TEMPLATES, *KINDS])
def test_each_template_reads_back_as_itself(template: str) -> None:
    """No two templates read the same text: filled with the source's own words, which
    may hold a template's colons and parentheses, each reads back to itself."""
    fields = {name: SAMPLES[name] for _, name, _, _ in Formatter().parse(template)
              if name is not None}
    assert read_back(template.format(**fields)) == (template, fields)


def test_the_kinds_are_the_reasons_up_to_their_particulars() -> None:
    assert "no role" in KINDS and "{field} could not be read" in KINDS
    assert "time out of range" not in KINDS  # a whole template already
    assert {"too many columns", "{event} without CONNECT"} <= msgids()


def test_why_a_file_is_not_read_reads_in_the_language(tmp_path: Path) -> None:
    """Each reason a folder's file is not read, met once, reads back in both languages
    with the file's own words kept (the table meant, the formats)."""
    for name in ("contacts.xlsx", "agent_state.csv", "omnikpi.toml", "notes.txt"):
        (tmp_path / name).write_text("x\n")
    unread = dict(unread_entries(tmp_path, set(TABLES)))
    assert set(unread.values()) == {
        NOT_A_FORMAT_READ.format(formats=".csv, .csv.gz, .json, .jsonl, .jsonl.gz, .ndjson, "
                                         ".parquet, .tsv"),
        MISSPELT_TABLE.format(table="agent_states"), A_CONFIGURATION, NOT_A_TABLE}
    assert translated_unread(unread["agent_state.csv"], translator("uk")) == \
        "не таблиця моделі даних: можливо, agent_states?"
    assert translated_unread(unread["contacts.xlsx"], translator("ru")).startswith(
        "OmniKPI не читает этот формат (читает: .csv, .csv.gz, ")
    for lang in ("ru", "uk"):
        for why in unread.values():
            translated = translated_unread(why, translator(lang))
            assert translated is not None and translated != why, (lang, why)
    assert translated_unread("a reason of another module", translator("ru")) is None
