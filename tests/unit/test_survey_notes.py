"""A survey report says what it cannot read as asked: answers of a type no metric reads,
a mean over answers on different scales, a box larger than a scale allows. Each passed
without a word (``csat_mean`` 4.7 of answers on 1–5 and 0–10; ``top_box=5`` counted as 4
points while the report said 5)."""

from __future__ import annotations

import warnings
from pathlib import Path

import omnikpi

HEADER = "contact_id,survey,score,scale_min,scale_max,answered_at\n"


def notes_of(data: Path, **request: object) -> tuple[dict[str, object], list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = omnikpi.report_result(data, **request)  # type: ignore[arg-type]
    return result.rows[0], [str(w.message) for w in caught
                            if issubclass(w.category, omnikpi.ReportNote)]


def surveys(tmp_path: Path, lines: list[str]) -> Path:
    data = tmp_path / "data"
    data.mkdir()
    (data / "surveys.csv").write_text(HEADER + "".join(f"{line}\n" for line in lines))
    return data


def test_answers_of_a_type_no_metric_reads_are_counted_in_a_note(tmp_path: Path) -> None:
    data = surveys(tmp_path, ["c1,csat,5,1,5,2024-03-04T09:00:00Z",
                              "c2,csat,1,1,5,2024-03-04T10:00:00Z",
                              "c3,cdsat,1,1,5,2024-03-04T11:00:00Z",
                              "c4,cdsat,2,1,5,2024-03-05T11:00:00Z"])
    row, notes = notes_of(data, metrics="csat,cdsat")
    assert row == {"csat": 0.5, "cdsat": 0.5}  # the csat answers alone
    assert [n for n in notes if n.startswith("surveys: 2 answer(s) of the period: Survey "
                                             "answers of type cdsat or esat are read by no "
                                             "metric")]
    _, day = notes_of(data, metrics="csat", from_="2024-03-04", to="2024-03-05")
    assert [n for n in day if n.startswith("surveys: 1 answer(s) of the period")]
    _, filtered = notes_of(data, metrics="csat", where={"channel": ["voice"]})
    assert not [n for n in filtered if n.startswith("surveys:")]


def test_a_mean_over_two_scales_says_it_is_on_neither(tmp_path: Path) -> None:
    data = surveys(tmp_path, ["c1,csat,5,1,5,2024-03-04T09:00:00Z",
                              "c2,csat,3,1,5,2024-03-04T10:00:00Z",
                              "c3,csat,10,0,10,2024-03-04T11:00:00Z",
                              "c4,ces,2,1,7,2024-03-04T12:00:00Z"])
    row, notes = notes_of(data, metrics="csat_mean,ces")
    assert row["csat_mean"] == 6.0  # (5 + 3 + 10) / 3: on neither scale
    assert ("csat_mean averages csat answers on 2 scales (0–10, 1–5): the mean is on none "
            "of them; read csat or cdsat (each answer boxed on its own scale), or report "
            "each scale's answers apart") in notes
    assert not [n for n in notes if n.startswith("ces averages")]  # one scale: a mean


def test_a_box_cut_by_its_scale_says_how_many_points_it_counts(tmp_path: Path) -> None:
    data = surveys(tmp_path, ["c1,csat,2,1,5,2024-03-04T09:00:00Z",
                              "c2,csat,1,1,5,2024-03-04T10:00:00Z",
                              "c3,csat,3,1,3,2024-03-04T11:00:00Z",
                              "c4,csat,2,1,3,2024-03-04T12:00:00Z"])
    row, notes = notes_of(data, metrics="csat", params={"csat.top_box": 5})
    # 2 of 1–5 is in its top 4 points; 3 and 2 of 1–3 in its top 2; 1 of 1–5 is not
    assert row == {"csat": 0.75}
    assert ("csat: top_box 5 counts 2 point(s) on 1–3; 4 point(s) on 1–5: a box never "
            "takes the whole scale") in notes
    row, notes = notes_of(data, metrics="cdsat", params={"cdsat.bottom_box": 2})
    assert row == {"cdsat": 0.5}  # 2 and 1 of 1–5 (bottom 2); of 1–3 the bottom 1 only
    assert ("cdsat: bottom_box 2 counts 1 point(s) on 1–3: a box of up to 2 points is at "
            "most half its scale, so on 2 or 3 points only the bottom one counts") in notes
    # the default box on a small scale is the documented rule: no note unless asked
    _, default = notes_of(data, metrics="cdsat")
    assert not [n for n in default if n.startswith("cdsat:")]
    _, plain = notes_of(data, metrics="csat", params={"csat.top_box": 3},
                        to="2024-03-04T11:00:00Z")  # the 1–5 answers alone: 3 of 1–5
    assert not [n for n in plain if n.startswith("csat:")]
