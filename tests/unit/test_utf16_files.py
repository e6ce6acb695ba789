"""A dataset folder's CSV saved as UTF-16 (Excel's "Unicode text") is named as such, with
the way out. With a byte-order mark DuckDB said "Error when sniffing file"; without one it
read a single column and called each of the four required columns missing."""

from __future__ import annotations

from pathlib import Path

import pytest

import omnikpi

TEXT = "contact_id,channel,queue,arrived_at\nc1,voice,q,2024-03-04T09:00:00Z\n"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_csv_is_named_with_the_way_out(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "contacts.csv").write_bytes(TEXT.encode(encoding))
    dataset = omnikpi.load_dataset(tmp_path)
    said = [p.message for p in dataset.problems]
    assert len(said) == 1, said
    assert said[0].startswith("is UTF-16 text (Excel's \"Unicode text\"); OmniKPI reads "
                              "UTF-8: save it as \"CSV UTF-8\""), said


def test_utf8_with_its_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / "contacts.csv").write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
    assert omnikpi.load_dataset(tmp_path).problem_count == 0
    assert omnikpi.report_result(tmp_path, metrics=["offered"]).rows[0]["offered"] == 1
