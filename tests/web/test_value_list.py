"""Several values of one filter in one parameter: commas and backslashes inside a value."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from omnikpi.value_list import join_values, split_values
from omnikpi.web.deps import get_filters


@given(st.lists(st.text(min_size=1), max_size=5))
def test_joined_values_read_back_as_they_were(values: list[str]) -> None:
    assert split_values(join_values(values)) == values


def test_addresses_written_before_read_the_same() -> None:
    assert split_values("a,b,,c") == ["a", "b", "c"]
    assert split_values("Doe\\, Jane,plain") == ["Doe, Jane", "plain"]
    assert split_values("ends\\") == ["ends\\"]
    assert join_values(["Doe, Jane", "x\\y", "q1"]) == "Doe\\, Jane,x\\\\y,q1"


def test_the_filter_bar_reads_a_comma_inside_a_value() -> None:
    filters = get_filters(agent_id="Doe\\, Jane,plain", queue="a,b")
    assert filters.where == {"agent_id": ["Doe, Jane", "plain"], "queue": ["a", "b"]}
