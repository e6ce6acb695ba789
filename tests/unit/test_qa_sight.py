"""A caller's sight over QA records is one rule read two ways: the SQL condition the lists
use before their limit must pick exactly the rows the Python test passes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, String, Table, create_engine, insert, select

from omnikpi.auth.scope import Scope
from omnikpi.qa.sight import Sight

TENANTS = st.sampled_from(["A", "B", None])
SITES = st.sampled_from(["kyiv", "lviv", None])
AGENTS = st.sampled_from(["a1", "a2", None])

ROWS = Table("rows", MetaData(), Column("tenant", String, nullable=True),
             Column("site", String, nullable=True), Column("agent_id", String, nullable=True))
ENGINE = create_engine("sqlite://")
ROWS.metadata.create_all(ENGINE)


@st.composite
def sights(draw: st.DrawFn) -> Sight:
    scope = Scope(tuple(draw(st.sets(st.sampled_from(["A", "B"]), max_size=2))),
                  tuple(draw(st.sets(st.sampled_from(["kyiv", "lviv"]), max_size=2))),
                  nothing=draw(st.booleans()))
    return Sight(scope, agent_only=draw(st.booleans()), agent_id=draw(AGENTS))


@settings(max_examples=150, deadline=None)
@given(sights(), st.lists(st.tuples(TENANTS, SITES, AGENTS), max_size=12))
def test_the_sql_condition_picks_what_the_python_test_passes(
        sight: Sight, rows: list[tuple[str | None, str | None, str | None]]) -> None:
    with ENGINE.begin() as con:
        con.execute(ROWS.delete())
        if rows:
            con.execute(insert(ROWS), [dict(zip(("tenant", "site", "agent_id"), r,
                                                 strict=True)) for r in rows])
        picked = sorted(con.execute(select(ROWS).where(sight.clause(ROWS.c))).all(),
                        key=repr)
    assert picked == sorted([r for r in rows if sight(*r)], key=repr)


def test_an_agent_sees_only_their_own_rows_of_their_tenant() -> None:
    agent = Sight(Scope(("A",)), agent_only=True, agent_id="a1")
    assert agent("A", "kyiv", "a1")
    assert not agent("A", "kyiv", "a2")
    assert not agent("B", "kyiv", "a1")  # agent ids repeat across an outsourcer's clients
    assert not Sight(Scope(("A",)), agent_only=True, agent_id=None)("A", "kyiv", None)
