"""Exports people open (XLSX, PDF) and the one machines read (CSV): opened and checked cell
by cell, with a report whose values are written by hand."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from typer.testing import CliRunner

from omnikpi.cli.main import app
from omnikpi.engine.result import ReportResult, ReportWindow
from omnikpi.engine.timezones import to_us
from omnikpi.export import STRINGS, TABLE_ROW, to_csv_text, write_pdf, write_xlsx
from omnikpi.web.i18n import _messages

from ..conftest import SPEC_EXAMPLES

KYIV = timezone(timedelta(hours=2))
NNBSP = "\u202f"


def _us(*parts: int) -> int:
    return to_us(datetime(*parts, tzinfo=KYIV))  # type: ignore[misc]


def _result(grain: str = "day", window: ReportWindow | None = None) -> ReportResult:
    columns = ["queue", "period_start", "offered", "aht", "service_level", "asa", "nps"]
    values = {
        "queue": ["sales", "mail", None],
        "period_start": ["2024-03-04T00:00:00+02:00", "2024-03-05T00:00:00+02:00",
                         "2024-03-06T00:00:00+02:00"],
        "offered": [1234, 0, 56789],
        "aht": [336.5, None, 59.5],
        "service_level": [0.853, 1.0, None],
        "asa": [12.0, 200 * 3600 + 300.0, 3599.6],   # an e-mail answered after 200 hours
        "nps": [12.345, -40.0, None],
    }
    units = {"offered": "count", "aht": "seconds", "service_level": "ratio",
             "asa": "seconds", "nps": "points"}
    metrics = {m: {"unit": u, "params": {"threshold_seconds": 20} if m == "service_level"
                   else {}} for m, u in units.items()}
    if window is None:
        window = ReportWindow("Europe/Kyiv", _us(2024, 3, 1), _us(2024, 3, 8),
                              _us(2024, 3, 7, 18, 30),
                              {"queue": ("sales", "mail"), "channel": ("voice", "email")})
    return ReportResult(values, metrics, ["queue"], grain, 0, columns, window)


def test_xlsx_has_a_header_block_real_values_and_number_formats(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(_result(), path, "Morning report")
    book = load_workbook(path)
    sheet = book["report"]
    header = [(sheet.cell(r, 1).value, sheet.cell(r, 2).value) for r in range(1, TABLE_ROW)]
    assert header == [
        ("Morning report", None),
        ("Period", "Mar 1, 2024 – Mar 7, 2024"),       # [Mar 1, Mar 8) in inclusive days
        ("Time zone", "Europe/Kyiv"),
        ("As of", "Mar 7, 2024, 18:30"),
        ("Grain", "daily"),
        ("Filters", "Channel: voice, email; Queue: sales, mail"),
        (None, None),
    ]
    assert [c.value for c in sheet[TABLE_ROW]] == [
        "Queue", "Period start", "Offered", "Average handle time (h:mm:ss)",
        "Service level (%)", "Average speed of answer (h:mm:ss)", "Net promoter score (points)"]
    first, second, third = (sheet[TABLE_ROW + i] for i in (1, 2, 3))
    assert [c.value for c in first][:3] == ["sales", datetime(2024, 3, 4), 1234]
    assert third[0].value == "(no queue)"  # named: an empty cell reads as a total
    # durations are Excel durations: a fraction of a day shown as [h]:mm:ss
    assert first[3].value == timedelta(seconds=336.5)
    assert second[3].value is None
    assert second[5].value == timedelta(hours=200, minutes=5)
    assert first[4].value == 0.853 and second[4].value == 1
    assert first[6].value == 12.345 and third[6].value is None
    assert [c.number_format for c in first] == [
        "General", "yyyy-mm-dd", "#,##0", "[h]:mm:ss", "0.0%", "[h]:mm:ss", "#,##0.00"]
    assert sheet.freeze_panes == f"A{TABLE_ROW + 1}"
    widths = {k: v.width for k, v in sheet.column_dimensions.items()}
    # fitted: column A holds "(no queue)" and the header block's "Time zone" (10) + 2; a
    # wrapped long name stays narrow; [h]:mm:ss of 200 hours is 9 characters
    assert widths["A"] == 12
    assert widths["B"] == 14                    # "Period start" + 2
    assert widths["C"] == 9                     # "Offered" + 2
    assert widths["D"] == 26                    # a long name wraps at 24 characters
    assert sheet[f"D{TABLE_ROW}"].alignment.wrap_text
    # "Average speed of answer (h:mm:ss)" wraps to two lines of 24: the header row is as
    # tall (else the second line prints over the first row of figures)
    assert sheet.row_dimensions[TABLE_ROW].height == 30
    # printed: the page's width, the column headers on every page, numbered pages
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.orientation == "landscape"  # seven columns
    assert sheet.print_title_rows == f"${TABLE_ROW}:${TABLE_ROW}"
    assert sheet.oddFooter.right.text == "Page &P of &N"
    assert sheet.oddFooter.left.text.startswith("made ")
    assert book.properties.creator == "OmniKPI" and book.properties.title == "Morning report"
    parameters = [tuple(r) for r in book["parameters"].iter_rows(values_only=True)]
    assert parameters[0] == ("metric", "unit", "parameters", "name", "as used")
    assert ("service_level", "ratio", '{"threshold_seconds": 20}', "Service level",
            "threshold_seconds=20") in parameters


def test_xlsx_reads_back_raw_seconds_and_the_raw_cell_value(tmp_path: Path) -> None:
    """The stored number is seconds / 86400 (what Excel adds up as a duration)."""
    path = tmp_path / "r.xlsx"
    write_xlsx(_result(grain="hour"), path)
    sheet = load_workbook(path)["report"]
    raw = sheet.cell(TABLE_ROW + 2, 6)
    assert raw.number_format == "[h]:mm:ss"
    assert raw.value.total_seconds() == pytest.approx(720300.0)
    assert sheet.cell(1, 1).value == "OmniKPI report"
    assert sheet.cell(TABLE_ROW + 1, 2).number_format == "yyyy-mm-dd hh:mm"
    assert sheet.cell(5, 2).value == "hourly"



@pytest.mark.parametrize(("lang", "title"), [("ru", "Отчёт OmniKPI"), ("uk", "Звіт OmniKPI"),
                                             ("en", "OmniKPI report")])
def test_the_command_line_s_title_is_in_the_file_s_language(
        tmp_path: Path, lang: str, title: str) -> None:
    """``omnikpi report --format xlsx --lang ru`` translated every label but its own
    title, which stayed "OmniKPI report — …" (the web's export said "Отчёт OmniKPI")."""
    data = SPEC_EXAMPLES / "voice_basic"
    path = tmp_path / "r.xlsx"
    result = CliRunner().invoke(app, ["report", "--data", str(data), "--metrics", "offered",
                                      "--format", "xlsx", "--lang", lang,
                                      "--output", str(path)])
    assert result.exit_code == 0, result.output
    assert load_workbook(path)["report"].cell(1, 1).value == f"{title} — voice_basic"
    pdf = tmp_path / "r.pdf"
    result = CliRunner().invoke(app, ["report", "--data", str(data), "--metrics", "offered",
                                      "--format", "pdf", "--lang", lang, "--output", str(pdf)])
    assert result.exit_code == 0, result.output
    assert f"{title} — voice_basic" in PdfReader(pdf).pages[0].extract_text()

def test_xlsx_in_russian(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(_result(), path, lang="ru")
    sheet = load_workbook(path)["report"]
    assert [sheet.cell(r, 1).value for r in range(1, 7)] == [
        "Отчёт OmniKPI", "Период", "Часовой пояс", "На момент", "Интервал", "Фильтры"]
    assert sheet.cell(2, 2).value == f"1 мар. 2024{NNBSP}г. – 7 мар. 2024{NNBSP}г."
    assert sheet.cell(6, 2).value == "Канал: voice, email; Очередь: sales, mail"
    assert [c.value for c in sheet[TABLE_ROW]][2:5] == [
        "Предложено", "Среднее время обработки (ч:мм:сс)", "Уровень сервиса (%)"]
    assert sheet.cell(TABLE_ROW, 7).value == "Индекс NPS (баллы)"
    # the parameters sheet for a person too: its headers and units in words (the ids and
    # the JSON stay as scripts read them; the English sheet keeps the unit's id)
    meta = [tuple(r) for r in load_workbook(path)["parameters"].iter_rows(values_only=True)]
    assert meta[0] == ("id показателя", "единица", "параметры (JSON)", "показатель",
                       "как применены")
    assert meta[1][:2] == ("offered", "количество")
    assert {row[0]: row[1] for row in meta[1:]}["aht"] == "секунды"


@pytest.mark.parametrize(("window", "period"), [
    (ReportWindow("Europe/Kyiv", _us(2024, 3, 1), _us(2024, 3, 2), _us(2024, 3, 2)),
     "Mar 1, 2024"),                                          # From = To = one day
    (ReportWindow("Europe/Kyiv", _us(2024, 3, 1, 8), _us(2024, 3, 1, 17, 30), 0),
     "Mar 1, 2024, 08:00 – Mar 1, 2024, 17:30"),
    (ReportWindow("Europe/Kyiv", _us(2024, 3, 1), None, 0), "Mar 1, 2024 – …"),
    (ReportWindow("UTC", None, None, 0), "all data up to the as-of time"),
])
def test_the_period_in_inclusive_days(tmp_path: Path, window: ReportWindow,
                                      period: str) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(_result(window=window), path)
    sheet = load_workbook(path)["report"]
    assert sheet.cell(2, 2).value == period
    assert sheet.cell(6, 2).value == "none"


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_pdf_in_russian_and_ukrainian_prints_cyrillic_names_and_one_unit_per_column(
        tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    write_pdf(_result(), path, lang="ru")
    text = _pdf_text(path)
    assert "?" not in text
    for expected in ("Отчёт OmniKPI", "Период", "7 мар. 2024", "Часовой пояс", "Europe/Kyiv",
                     "Канал: голос, эл. почта; Очередь: sales, mail", "Предложено",
                     "Уровень сервиса (%)", "(м:сс)", "(ч:мм:сс)", "Индекс NPS (баллы)",
                     "Параметры показателей", "threshold_seconds=20",
                     "4 мар. 2024", "1 234", "56 789", "85,3", "100,0", "5:37", "1:00",
                     "0:00:12", "200:05:00", "1:00:00", "12,35", "-40,00"):
        assert expected in text.replace(NNBSP, " ").replace("\u00a0", " "), expected
    # the unit is in the header, not repeated in every cell
    assert "%" not in text.replace("(%)", "")
    assert "aht" not in text and "service_level" not in text
    write_pdf(_result(), path, "Звіт за тиждень", lang="uk")
    text = _pdf_text(path)
    assert "Звіт за тиждень" in text and "Рівень сервісу (%)" in text
    assert "Середній час обробки" in text and "Часовий пояс" in text
    assert "(год:хв:с)" in text and "(хв:с)" in text  # durations' headers, in Ukrainian


def test_a_pdf_reads_channels_in_words_and_the_xlsx_keeps_the_data_values(
        tmp_path: Path) -> None:
    """The Russian page said «голос», its PDF "voice" (in the table and in the filters).
    A printed page is read: in words. The XLSX and CSV keep the data's values, which a
    pivot table or a script is keyed on."""
    result = dataclasses.replace(
        _result(), columns=["channel", "offered"], by=["channel"],
        values={"channel": ["voice", "email", "whatsapp-bot"], "offered": [10, 4, 1]},
        metrics={"offered": {"unit": "count", "params": {}}})
    write_pdf(result, tmp_path / "r.pdf", lang="ru")
    text = _pdf_text(tmp_path / "r.pdf")
    assert "Канал: голос, эл. почта" in text
    lines = [line.strip() for line in text.splitlines()]
    assert {"голос 10", "эл. почта 4", "whatsapp-bot 1"} <= set(lines), lines  # own names stay
    assert "voice" not in text
    write_xlsx(result, tmp_path / "r.xlsx", lang="ru")
    sheet = load_workbook(tmp_path / "r.xlsx")["report"]
    assert [sheet.cell(TABLE_ROW + r, 1).value for r in (1, 2, 3)] == [
        "voice", "email", "whatsapp-bot"]


def test_pdf_in_english(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    write_pdf(_result(), path, "Morning report")
    text = _pdf_text(path)
    for expected in ("Morning report", "Mar 1, 2024 – Mar 7, 2024", "Mar 7, 2024, 18:30",
                     "daily", "Average handle time", "(m:ss)", "Service level (%)",
                     "Average speed of answer", "(h:mm:ss)", "1,234", "85.3", "200:05:00",
                     "Net promoter score", "(points)", "12.35"):
        assert expected in text, expected


def test_csv_keeps_raw_numbers_and_iso_instants_with_the_offset() -> None:
    rows = list(csv.reader(io.StringIO(to_csv_text(_result()))))
    assert rows[0] == ["queue", "period_start", "offered", "aht", "service_level", "asa",
                       "nps"]
    assert rows[1] == ["sales", "2024-03-04T00:00:00+02:00", "1234", "336.5", "0.853", "12.0",
                       "12.345"]
    assert rows[2] == ["mail", "2024-03-05T00:00:00+02:00", "0", "", "1.0", "720300.0",
                       "-40.0"]


def test_csv_floats_carry_no_binary_noise() -> None:
    """A sum of costs read 320.66200000000003 in the client's CSV."""
    from omnikpi.export import _csv_cell

    assert _csv_cell(sum([0.1] * 10)) == "1.0"  # 0.9999999999999999
    assert _csv_cell(0.1 + 0.2) == "0.3"
    assert _csv_cell(2 / 3) == "0.666666666666667"
    assert _csv_cell(1.0) == "1.0" and _csv_cell(7) == 7 and _csv_cell(None) == ""
    assert _csv_cell("=1+1") == "'=1+1"


@pytest.mark.parametrize("lang", ["ru", "uk"])
def test_every_export_string_is_translated(lang: str) -> None:
    messages = _messages(lang)
    assert [s for s in STRINGS if not messages.get(s)] == []


def test_cli_xlsx_and_pdf_carry_the_header(tmp_path: Path) -> None:
    data = SPEC_EXAMPLES / "voice_basic"
    args = ["report", "--data", str(data), "--metrics", "offered,aht,service_level", "--by",
            "queue", "--grain", "day", "--from", "2024-03-05", "--to", "2024-03-06",
            "--filter", "channel=voice"]
    target = tmp_path / "r.xlsx"
    assert CliRunner().invoke(app, [*args, "--format", "xlsx", "--output",
                                    str(target)]).exit_code == 0
    sheet = load_workbook(target)["report"]
    # the folder's name, not its path (a client's file need not show the server's disk)
    assert sheet.cell(1, 1).value == "OmniKPI report — voice_basic"
    assert sheet.cell(2, 2).value == "Mar 5, 2024"
    assert sheet.cell(3, 2).value == "UTC"
    assert sheet.cell(6, 2).value == "Channel: voice"
    assert [c.value for c in sheet[TABLE_ROW]] == [
        "Queue", "Period start", "Offered", "Average handle time (h:mm:ss)",
        "Service level (%)"]
    # the rows as `--format json` gives them: sales 11 offered, AHT 244 s, SL 60 %
    assert [c.value for c in sheet[TABLE_ROW + 1]] == [
        "sales", datetime(2024, 3, 5), 11, timedelta(seconds=244), 0.6]
    assert [c.value for c in sheet[TABLE_ROW + 2]][:3] == ["support", datetime(2024, 3, 5), 8]
    pdf = tmp_path / "r.pdf"
    assert CliRunner().invoke(app, [*args, "--format", "pdf", "--output",
                                    str(pdf)]).exit_code == 0
    assert "Service level (%)" in _pdf_text(pdf)


def _with_empty_fcr() -> ReportResult:
    """The hand-written report plus FCR, which has no value in any row (as on a period
    younger than its 168-hour window)."""
    result = _result()
    result.values["fcr"] = [None, None, None]
    result.columns.append("fcr")
    result.metrics["fcr"] = {"unit": "ratio", "params": {"window_hours": 168.0}}
    return result


def test_xlsx_and_pdf_say_why_a_metric_has_no_value(tmp_path: Path) -> None:
    """A client opening the file reads why FCR is "—": the metric's own sentence, with
    the report's as-of in its zone, under the table of the XLSX (after an empty row, so
    the table still ends at its first empty row) and after the parameters of the PDF.
    A metric with values, or one declaring no reason, adds nothing."""
    sentence = (
        "First-contact resolution: it counts handled contacts with a customer_id whose "
        "168-hour repeat window has ended by as-of (Mar 7, 2024, 18:30), and there are "
        "none: a later as-of or a shorter window_hours may give some.")
    path = tmp_path / "r.xlsx"
    write_xlsx(_with_empty_fcr(), path)
    sheet = load_workbook(path)["report"]
    after = TABLE_ROW + 3  # three rows of data
    assert sheet.cell(after + 1, 1).value is None
    assert [sheet.cell(after + 2 + i, 1).value for i in range(3)] == ["Notes", sentence, None]
    write_xlsx(_result(), path)
    assert load_workbook(path)["report"].max_row == after
    write_pdf(_with_empty_fcr(), tmp_path / "r.pdf")
    text = " ".join(_pdf_text(tmp_path / "r.pdf").split())
    # the notes end the report; the page's footer follows: when it was made, its number
    assert re.search(re.escape("Notes " + sentence) + r" made \w{3} \d+, \d{4}, \d\d:\d\d "
                     r"\(Europe/Kyiv\) Page 1 of 1$", text), text[-400:]
    write_pdf(_with_empty_fcr(), tmp_path / "uk.pdf", lang="uk")
    text = " ".join(_pdf_text(tmp_path / "uk.pdf").split()).replace(NNBSP, " ")
    assert "Зауваження Вирішення з першого звернення: враховуються оброблені звернення з " \
           "customer_id, у яких 168-годинне вікно повторів закінчилося до моменту " \
           "7 бер. 2024 р., 18:30" in text


@pytest.mark.parametrize(("lang", "sentence"), [
    ("en", "No figures: nothing in the data falls in this period with these filters (see "
           "Period, As of and Filters above)."),
    ("ru", "Показателей нет: в данных нет ничего за этот период с этими фильтрами (см. "
           "«Период», «На момент» и «Фильтры» выше).")])
def test_a_file_with_no_figure_says_so(tmp_path: Path, lang: str, sentence: str) -> None:
    """A report of a period after the data was a header and column names with nothing
    under them (only the command line's stderr said why): the file says it has no
    figure, under Notes, where a reader looks."""
    args = ["report", "--data", str(SPEC_EXAMPLES / "voice_basic"), "--metrics",
            "answered,aht", "--by", "queue", "--from", "2030-01-01", "--to", "2030-01-02",
            "--lang", lang]
    book, pdf = tmp_path / "e.xlsx", tmp_path / "e.pdf"
    for target in (book, pdf):
        done = CliRunner().invoke(app, [*args, "--output", str(target)])
        assert done.exit_code == 0, done.output
    sheet = load_workbook(book)["report"]
    assert [sheet.cell(TABLE_ROW + i, 1).value for i in (1, 2, 3)] == [
        None, {"en": "Notes", "ru": "Замечания"}[lang], sentence]
    assert sentence in " ".join(_pdf_text(pdf).split()).replace(NNBSP, " ")
    write_xlsx(_result(), book)  # figures: no such line
    assert all(c.value != sentence for row in load_workbook(book)["report"] for c in row)
    # nothing abandoned on a good day is a figure, not an empty file
    quiet = CliRunner().invoke(app, [*args[:4], "short_abandoned", "--filter",
                                     "queue=support", "--lang", lang, "--output", str(book)])
    assert quiet.exit_code == 0, quiet.output
    cells = [c.value for row in load_workbook(book)["report"] for c in row]
    assert 0 in cells and sentence not in cells


def test_the_parameters_read_as_param_takes_them_with_the_thresholds_spelled_out(
        tmp_path: Path) -> None:
    """A service level left to the configuration's thresholds says which: the PDF's
    parameters list each channel's threshold of the run (the configuration's e-mail
    threshold of 4 hours among them), switches read true/false — never "None"."""
    config = tmp_path / "omnikpi.toml"
    config.write_text("[channels.email]\nthreshold_seconds = 14400\n"
                      "[queues.vip]\nthreshold_seconds = 10\n", encoding="utf-8")
    pdf = tmp_path / "r.pdf"
    done = CliRunner().invoke(app, [
        "report", "--data", str(SPEC_EXAMPLES / "voice_basic"), "--metrics",
        "service_level,abandon_rate", "--config", str(config), "--format", "pdf",
        "--output", str(pdf)])
    assert done.exit_code == 0, done.output
    text = " ".join(_pdf_text(pdf).split())
    assert ("Service level: threshold_seconds=voice 20, queue vip 10, variant=offered, "
            "pending_on_time=false, short_abandon_seconds=5, exclude_short_abandons=true"
            ) in text, text[-600:]
    assert "Abandon rate: short_abandon_seconds=5, exclude_short_abandons=true" in text
    assert "None" not in text and "True" not in text
    # the workbook's parameters sheet: the JSON for scripts, the thresholds as used
    book = tmp_path / "r.xlsx"
    done = CliRunner().invoke(app, [
        "report", "--data", str(SPEC_EXAMPLES / "voice_basic"), "--metrics",
        "service_level", "--config", str(config), "--format", "xlsx", "--output", str(book)])
    assert done.exit_code == 0, done.output
    sheet = list(load_workbook(book)["parameters"].iter_rows(values_only=True))
    assert sheet[1][0] == "service_level" and '"threshold_seconds": null' in sheet[1][2]
    assert sheet[1][4] == ("threshold_seconds=voice 20, queue vip 10, variant=offered, "
                           "pending_on_time=false, short_abandon_seconds=5, "
                           "exclude_short_abandons=true")
    # a threshold given is the one shown
    result = _result()
    assert result.window is not None
    result.window = dataclasses.replace(result.window, thresholds="chat 60, voice 20")
    write_pdf(result, pdf)
    assert "Service level: threshold_seconds=20" in _pdf_text(pdf)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_a_wide_pdf_table_never_breaks_a_value_or_a_word(tmp_path: Path, lang: str) -> None:
    """Twelve metrics by queue and day: each column is as wide as its longest value and
    its heading's longest word, at a smaller size if need be ("suppor|t", "Предлож|ено"
    and "Mar 4,|2024" were printed on two lines)."""
    import omnikpi

    metrics = ["offered", "answered", "abandoned", "service_level", "abandon_rate", "asa",
               "avg_wait", "max_wait", "aht", "handled", "transfer_rate", "avg_talk_time"]
    result = omnikpi.report_result(SPEC_EXAMPLES / "voice_basic", metrics=metrics,
                                   by=["queue"], grain="day")
    path = tmp_path / "wide.pdf"
    write_pdf(result, path, lang=lang)
    lines = [line.strip() for line in _pdf_text(path).splitlines()]
    day = "5 мар. 2024 г." if lang == "ru" else "Mar 5, 2024"
    rows = [line for line in lines if line.startswith(("sales ", "support "))]
    assert len(rows) == 2 and all(day in row.replace("\u00a0", " ").replace(NNBSP, " ")
                                  for row in rows), lines
    heading_words = {"en": ["Offered", "Answered", "Abandoned"],
                     "ru": ["Предложено", "Отвечено", "Потеряно"]}[lang]
    words = {w for line in lines for w in line.split()}
    assert set(heading_words) <= words, lines


def test_text_from_the_data_is_never_a_formula(tmp_path: Path) -> None:
    """Queue names from imported or posted data: ``=HYPERLINK(…)`` was written to XLSX as a
    live formula, and CSV cells starting with = + - @ ran when a spreadsheet opened them.
    XLSX keeps them as text cells; CSV puts an apostrophe before them; numbers (a negative
    one too) are untouched."""
    import omnikpi

    hostile = ['=HYPERLINK("http://evil.example/?x","click")', "=cmd|' /C calc'!A0",
               "+1+2", "-2+3", "@SUM(A1)", "plain"]
    lines = ["contact_id,channel,queue,arrived_at,first_response_at,ended_at,agent_id"]
    lines += [f'c{i},voice,"{q.replace(chr(34), chr(34) * 2)}",2024-03-05T09:0{i}:00Z,'
              f"2024-03-05T09:0{i}:05Z,2024-03-05T09:0{i}:50Z,a1"
              for i, q in enumerate(hostile)]
    (tmp_path / "contacts.csv").write_text("\n".join(lines) + "\n")
    result = omnikpi.report_result(tmp_path, metrics=["answered", "asa"], by=["queue"])
    assert sorted(r["queue"] for r in result.rows) == sorted(hostile)
    shown = {row["queue"]: row for row in csv.DictReader(io.StringIO(to_csv_text(result)))}
    assert set(shown) == {"'" + q for q in hostile[:5]} | {"plain"}
    assert {row["answered"] for row in shown.values()} == {"1"}
    write_xlsx(result, tmp_path / "r.xlsx")
    sheet = load_workbook(tmp_path / "r.xlsx")["report"]
    cells = [row[0] for row in sheet.iter_rows(min_row=TABLE_ROW + 1,
                                               max_row=TABLE_ROW + len(hostile))]
    assert sorted(c.value for c in cells) == sorted(hostile)
    assert {c.data_type for c in cells} == {"s"}


def test_every_pdf_page_says_what_it_belongs_to(tmp_path: Path) -> None:
    """A printed page 2 of a long report repeats the title and the period, and each page
    says its number of how many."""
    from omnikpi.demo import DEMO_DATA_DIR

    path = tmp_path / "long.pdf"
    result = CliRunner().invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--by",
                                      "queue,channel", "--grain", "hour", "--title",
                                      "Hourly queues", "--output", str(path)])
    assert result.exit_code == 0, result.output
    pages = [" ".join((page.extract_text() or "").split())
             for page in PdfReader(str(path)).pages]
    assert len(pages) > 2
    for number, text in enumerate(pages, start=1):
        assert text.endswith(f"Page {number} of {len(pages)}"), text[-80:]
        if number > 1:
            assert text.startswith("Hourly queues · all data up to the as-of time"), text[:80]


def test_a_long_title_is_cut_on_later_pages_so_the_period_stays(tmp_path: Path) -> None:
    """A 156-character title ran "title · period" off the paper from page 2 on, the
    period with it ("…зайнятості опер" the last thing printed). Page 1 keeps the whole
    title (it wraps there); later pages cut it with "…" and keep the period."""
    from omnikpi.demo import DEMO_DATA_DIR

    title = ("Щогодинний звіт черг і каналів для керівника контакт-центру з показниками "
             "доступності, продуктивності та зайнятості операторів за весь період даних")
    path = tmp_path / "long.pdf"
    result = CliRunner().invoke(app, ["report", "--data", str(DEMO_DATA_DIR), "--metrics",
                                      "offered,aht", "--by", "queue,channel", "--grain",
                                      "hour", "--title", title, "--lang", "uk", "--output",
                                      str(path)])
    assert result.exit_code == 0, result.output
    pages = [" ".join((page.extract_text() or "").split())
             for page in PdfReader(str(path)).pages]
    assert len(pages) > 2
    assert title in pages[0]
    for text in pages[1:]:
        head = text.split(" · ", 1)
        assert len(head) == 2 and head[0].endswith("…"), text[:200]
        assert title.startswith(head[0][:-1]) and len(head[0]) > 60, head[0]
        assert head[1].startswith("усі дані до моменту розрахунку"), head[1][:80]


def test_the_cli_writes_xlsx_and_pdf_in_the_language_and_title_asked(tmp_path: Path) -> None:
    data = SPEC_EXAMPLES / "voice_basic"
    args = ["report", "--data", str(data), "--metrics", "offered,aht", "--by", "queue",
            "--title", "Утренний отчёт", "--lang", "ru"]
    target = tmp_path / "r.xlsx"
    assert CliRunner().invoke(app, [*args, "--output", str(target)]).exit_code == 0
    sheet = load_workbook(target)["report"]
    assert sheet.cell(1, 1).value == "Утренний отчёт"
    assert sheet.cell(3, 1).value == "Часовой пояс"
    assert [c.value for c in sheet[TABLE_ROW]][:2] == ["Очередь", "Предложено"]
    assert "Утренний отчёт" in _pdf_text(_written(args, tmp_path / "r.pdf"))
    # CSV and JSON are for programs: the same in every language
    csv_en = CliRunner().invoke(app, [*args[:-4], "--format", "csv"]).stdout
    assert CliRunner().invoke(app, [*args, "--format", "csv"]).stdout == csv_en
    wrong = CliRunner().invoke(app, [*args[:-1], "fr", "--output", str(target)])
    assert wrong.exit_code == 2 and "choose en, ru or uk" in wrong.output


def _written(args: list[str], path: Path) -> Path:
    result = CliRunner().invoke(app, [*args, "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path


def test_the_thresholds_said_are_those_of_the_channels_reported() -> None:
    """A voice report's parameters listed e-mail's 86400 and social's 3600 too."""
    import omnikpi
    from omnikpi.demo import DEMO_DATA_DIR

    voice = omnikpi.report_result(DEMO_DATA_DIR, metrics=["service_level"],
                                  where={"channel": ["voice"]})
    assert voice.window is not None and voice.window.thresholds == "voice 20"
    every = omnikpi.report_result(DEMO_DATA_DIR, metrics=["service_level"])
    assert every.window is not None
    assert every.window.thresholds == "chat 60, email 86400, social 3600, voice 20"


@pytest.mark.parametrize(("lang", "header"), [
    ("en", "Transactions per hour"), ("ru", "Обращений в час"), ("uk", "Звернень на годину")])
def test_a_rate_whose_name_says_its_unit_does_not_say_it_twice(
        tmp_path: Path, lang: str, header: str) -> None:
    """The XLSX and PDF headers read "Transactions per hour (per hour)" — "Обращений в
    час (в час)" in Russian; a unit the name does not say is still given ("AHT
    (h:mm:ss)", "Service level (%)")."""
    result = ReportResult(
        {"transactions_per_hour": [12.5], "service_level": [0.8]},
        {"transactions_per_hour": {"unit": "per_hour", "params": {}},
         "service_level": {"unit": "ratio", "params": {}}},
        [], "total", 0, ["transactions_per_hour", "service_level"])
    path = tmp_path / f"rate-{lang}.xlsx"
    write_xlsx(result, path, lang=lang)
    cells = [str(c.value) for row in load_workbook(path).active.iter_rows() for c in row
             if c.value is not None]
    assert header in cells
    assert not any(c.startswith(header + " (") for c in cells)
    assert any(c.endswith("(%)") for c in cells)
    pdf = tmp_path / f"rate-{lang}.pdf"
    write_pdf(result, pdf, lang=lang)
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert header in text and f"{header} (" not in text


def test_the_hour_the_clocks_go_back_is_told_apart(tmp_path: Path) -> None:
    """Kyiv, 27 October 2024: 04:00 +03:00 became 03:00 +02:00, so the hour from 03:00 is
    read twice. c1 arrives 00:30Z (03:30 +03:00), c2 and c3 at 01:30Z and 01:40Z (03:30 and
    03:40 +02:00). The XLSX, the PDF and the terminal gave both hours one label,
    "2024-10-27 03:00", with different figures; each now shows its offset."""
    data = tmp_path / "d"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at\n"
        "c1,voice,q,2024-10-27T00:30:00Z\nc2,voice,q,2024-10-27T01:30:00Z\n"
        "c3,voice,q,2024-10-27T01:40:00Z\n")
    ask = ["report", "--data", str(data), "--metrics", "offered", "--grain", "hour",
           "--tz", "Europe/Kyiv"]
    shown = CliRunner().invoke(app, ask)
    assert shown.exit_code == 0, shown.output
    assert re.search(r"2024-10-27 03:00 \(UTC\+03:00\)\s*│\s*1", shown.output), shown.output
    assert re.search(r"2024-10-27 03:00 \(UTC\+02:00\)\s*│\s*2", shown.output), shown.output
    assert "2024-10-27 02:00 (" not in shown.output  # an hour read once keeps its label
    for kind in ("xlsx", "pdf"):
        done = CliRunner().invoke(app, [*ask, "--output", str(tmp_path / f"r.{kind}")])
        assert done.exit_code == 0, done.output
    sheet = load_workbook(tmp_path / "r.xlsx")["report"]
    cells = {sheet.cell(row, 2).value: sheet.cell(row, 1).number_format
             for row in range(TABLE_ROW + 1, sheet.max_row + 1)
             if isinstance(sheet.cell(row, 1).value, datetime)}
    assert sorted(cells.items()) == [(1, 'yyyy-mm-dd hh:mm "(UTC+03:00)"'),
                                     (2, 'yyyy-mm-dd hh:mm "(UTC+02:00)"')]
    text = " ".join(_pdf_text(tmp_path / "r.pdf").split())
    assert "Oct 27, 2024, 03:00 (UTC+03:00) 1" in text, text
    assert "Oct 27, 2024, 03:00 (UTC+02:00) 2" in text, text


def test_an_hour_read_twice_has_its_offset_without_its_twin_and_room_for_it(
        tmp_path: Path) -> None:
    """Kyiv, 27 October 2024: c1 arrives 23:30Z on the 26th (02:30 +03:00), c2 at 01:10Z
    (03:10 +02:00, the second 03:00). With no contact in the first 03:00 the report's rows
    are 02:00 and 03:00: read as the next hour, though two hours passed. The second 03:00
    now carries its offset in every rendering, 02:00 (read once) none; and the XLSX
    column is wide enough for it (column A was 18 wide, "2024-10-27 03:00 (UTC+02:00)" is
    28 characters: LibreOffice showed ###)."""
    data = tmp_path / "d"
    data.mkdir()
    (data / "contacts.csv").write_text(
        "contact_id,channel,queue,arrived_at\n"
        "c1,voice,q,2024-10-26T23:30:00Z\nc2,voice,q,2024-10-27T01:10:00Z\n")
    ask = ["report", "--data", str(data), "--metrics", "offered", "--grain", "hour",
           "--tz", "Europe/Kyiv"]
    shown = CliRunner().invoke(app, ask)
    assert shown.exit_code == 0, shown.output
    assert re.search(r"2024-10-27 02:00\s*│\s*1", shown.output), shown.output
    assert re.search(r"2024-10-27 03:00 \(UTC\+02:00\)\s*│\s*1", shown.output), shown.output
    for kind in ("xlsx", "pdf"):
        done = CliRunner().invoke(app, [*ask, "--output", str(tmp_path / f"r.{kind}")])
        assert done.exit_code == 0, done.output
    sheet = load_workbook(tmp_path / "r.xlsx")["report"]
    formats = [sheet.cell(row, 1).number_format for row in range(TABLE_ROW + 1,
                                                                   sheet.max_row + 1)
               if isinstance(sheet.cell(row, 1).value, datetime)]
    assert formats == ["yyyy-mm-dd hh:mm", 'yyyy-mm-dd hh:mm "(UTC+02:00)"']
    width = sheet.column_dimensions["A"].width
    assert width is not None and width >= len("2024-10-27 03:00 (UTC+02:00)") + 2
    text = " ".join(_pdf_text(tmp_path / "r.pdf").split())
    assert "Oct 27, 2024, 02:00 1" in text, text
    assert "Oct 27, 2024, 03:00 (UTC+02:00) 1" in text, text
