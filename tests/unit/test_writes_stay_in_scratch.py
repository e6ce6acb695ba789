"""Where the suite writes: a run's temporary folder, never the repository or ``~/.cache``
(issue 17). A checkout that ran the tests stays as it was cloned."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from hypothesis.configuration import storage_directory

from tests.conftest import REPO

HOME_CACHE = Path.home() / ".cache"


def _outside_the_checkout(path: Path) -> bool:
    path = path.resolve()
    return not path.is_relative_to(REPO) and not path.is_relative_to(HOME_CACHE)


def test_caches_databases_and_spills_go_to_the_scratch_folder() -> None:
    database = os.environ["OMNIKPI_DATABASE_URL"].removeprefix("sqlite:///")
    for path in (os.environ["OMNIKPI_CACHE_DIR"], database, os.environ["OMNIKPI_SPILL_DIR"]):
        assert _outside_the_checkout(Path(path)), path


@given(st.integers())
def test_hypothesis_keeps_its_examples_in_the_scratch_folder(number: int) -> None:
    """Hypothesis's example database and caches (``./.hypothesis`` by default, the
    repository root when the suite runs from it)."""
    home = storage_directory("examples", intent_to_write=False).home_directory
    assert _outside_the_checkout(home), home
