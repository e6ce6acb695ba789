"""Rows on which a mapping's expression raises: the value left empty and counted under a
reason, instead of the whole export refused.

DuckDB computes a mapping's expression over every row at once, so one ticket whose
``created_at`` reads "not a date", or an export where one ticket's numeric ``source``
holds ``{}`` (which also turns the whole column into JSON), stopped the import of every
other row — blaming the mapping, with exit code 2. A contact-center export of a day
holds thousands of records written by several API versions; one odd record must not
hide the others.

So when an expression fails, it is asked again per row: ``TRY(coalesce(CAST(expr AS
VARCHAR), '')) IS NULL`` is true exactly on the rows where computing ``expr`` raises
(``TRY`` turns the error into a null; the text is never null where it can be computed).
If it raises on some rows, it is computed as ``TRY(expr)`` — empty on those rows, as a
``TRY_CAST`` in a mapping already leaves an unreadable value — and the rows are counted
under a reason that names the expression and DuckDB's error on the first of them (a
required column left empty is then quarantined by validation, which names the row).
If it raises on every row, the mapping is wrong for this source (a text cast to a
timestamp, say): that stays a usage error naming the key. ``TRY`` cannot wrap a window
(``min(x) OVER (…)``); such an expression is computed as it is, over the values the
expressions above it left empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


def first_line(exc: BaseException) -> str:
    """DuckDB's message, its first line (the rest is the query with a caret)."""
    return " ".join(str(exc).split("\n")[:1]).strip()


def keep_try_whole(con: duckdb.DuckDBPyConnection) -> None:
    """Make ``TRY`` hold its whole expression on ``con`` (before its settings are locked).

    Two of DuckDB's optimizers move part of an expression below the projection, outside
    the ``TRY`` that was to catch its error, which then raises anyway (DuckDB 1.5.6):
    the common-subexpression one computes a cast that an expression repeats (``CASE
    source WHEN 1 … WHEN 2 …`` casts ``source`` in every branch) once, and the
    unused-columns one pushes ``CAST(stats.resolved_at AS …)`` of a struct's field into
    the scan (duckdb/duckdb#25236, fix proposed in #25248). Both only save work an import
    barely does: on a 60,000-ticket Freshdesk export and the Anonymous Bank month, the
    import took the same time with them off, within the runs' noise (3.2–4.2 s and
    2.2–2.9 s either way).

    And one thread: ``TRY`` over a cast of a struct's field that fails (a Zendesk rating's
    ``updated_at`` of ``"xyz"``) crashed the process now and then with two threads (a
    segmentation fault in DuckDB: every one of four runs of the query 300 times), never
    with one (4,500 runs). The same two imports took the same time with one thread
    (3.3–3.7 s, 2.2–2.4 s): an import's time is reading files and Python, not DuckDB's."""
    con.execute("SET disabled_optimizers = 'common_subexpressions,unused_columns'")
    con.execute("SET threads = 1")


def raises(expr: str) -> str:
    """SQL that is true exactly on the rows where computing ``expr`` raises an error.

    ``TRY(expr IS NULL) IS NULL`` would read so, but DuckDB's optimizer folds
    ``(CASE x WHEN 1 THEN 'a' ELSE 'b' END) IS NULL`` to false without computing ``x``;
    a value is needed here, as text, never null where it can be computed."""
    return f"(TRY(coalesce(CAST(({expr}) AS VARCHAR), '')) IS NULL)"


def tried(expr: str) -> str:
    """``expr``, empty (null) on the rows where computing it raises."""
    return f"TRY({expr})"


def can_try(con: duckdb.DuckDBPyConnection, with_sql: str, expr: str,
            rows: str = "src") -> bool:
    """Whether ``TRY`` can wrap ``expr`` (not a window or an aggregate)."""
    try:
        con.execute(f"{with_sql}SELECT {tried(expr)} FROM {rows} LIMIT 0")
    except duckdb.Error:
        return False
    return True


@dataclass(frozen=True)
class Failing:
    """How an expression fares over the rows considered."""

    rows: int
    """Rows on which it raises."""
    considered: int
    example: str
    """DuckDB's error on the first of them (names the value: ``"not a date"``)."""

    @property
    def everywhere(self) -> bool:
        """It raises on every row: the mapping's mistake, not the data's."""
        return self.rows == self.considered


def failing(con: duckdb.DuckDBPyConnection, with_sql: str, expr: str, where: str = "TRUE",
            rows: str = "src") -> Failing:
    """The rows of ``rows`` (with ``where``) on which ``expr`` raises, and the error."""
    # count_if over no rows is null in DuckDB (every row filtered out before this rule)
    found = con.execute(f"{with_sql}SELECT coalesce(count_if({raises(expr)}), 0), count(*) "
                        f"FROM {rows} WHERE {where}").fetchone()
    assert found is not None
    count, considered = int(found[0]), int(found[1])
    example = ""
    if count:
        # the first failing row is set apart before the expression runs on it alone:
        # raising inside the query that found it (a struct field's cast, behind TRY in
        # the filter) crashed DuckDB 1.5.6 now and then (a segmentation fault)
        con.execute(f"CREATE OR REPLACE TEMPORARY TABLE {EXAMPLE_ROW} AS {with_sql}"
                    f"SELECT * FROM {rows} WHERE ({where}) AND {raises(expr)} LIMIT 1")
        try:
            con.execute(f"SELECT ({expr}) FROM {EXAMPLE_ROW}").fetchall()
        except duckdb.Error as exc:
            example = short(first_line(exc))
        finally:
            con.execute(f"DROP TABLE {EXAMPLE_ROW}")
    return Failing(count, considered, example)


EXAMPLE_ROW = "__failing_example"
"""The temporary table of the one row whose error :func:`failing` quotes."""


def short(message: str, limit: int = 160) -> str:
    """An error short enough for a line of the import summary."""
    return message if len(message) <= limit else message[: limit - 1] + "…"
