"""The DuckDB SQL of an expression, compiled once per *shape* of its variable parts.

Compiling through Ibis costs far more than running the SQL on a contact center's day
(0.15–0.5 s of Python per expression against milliseconds in DuckDB), and a dashboard is
a dozen expressions, a drill-down's figure, counts and page three. Between two requests
of the same report most of an expression stays the same. Three parts vary:

- filters are ``column IN ('a', 'b')`` (``engine/compile.py``): a page that changes
  ``queue=sales`` to ``queue=support`` changes nothing in the SQL but those text literals;
- instants are 64-bit integers of microseconds (a report's from, to and as-of, the
  instants where a time zone's offset changes): a new day's report, a new as-of, a live
  dataset reloaded with a few more rows change nothing else;
- in-memory tables (the hours of each period, a calendar) get a new name each time one
  is built, and the SQL holds only that name: their rows are registered under it when
  the query runs.

So the plain text literals that appear *only* as the values of an ``IN`` list, every
64-bit integer literal of at least ``INSTANT_LIKE`` and the names of in-memory tables are
replaced by placeholders. When an expression's shape (its placeholder form) comes a
second time, the shape is compiled, and that expression and later ones of that shape get
its SQL with their values written in (a shape seen once costs nothing more: most are
never seen again). A shape is used only after a real compilation proved that writing the
values in gives exactly the compiler's own SQL — the first expression's SQL, kept until
the second comes, or, when the first came in another process (the store on disk), the
second's; one that does not is compiled every time, as before. A placeholder missing
from the shape's SQL (the compiler dropped a column that nothing reads, and the instant
in it) is no obstacle: that SQL does not depend on it. A shape is recognised by a 64-bit
structural hash of the expression with the placeholders' numbers in place of those parts
(a few milliseconds); the same expression again is a dictionary lookup.

A text literal that also appears elsewhere in the expression (a metric's
``channel = 'voice'``) is left in the shape, so it never changes with a filter; a value
the compiler might write in another form (a quote, a backslash, a control character) is
compiled directly. A placeholder stands for one node wherever that node is used: two
instants that are equal in one request and not in another give two shapes (the hash
says which positions share a placeholder).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.common.graph import Graph

from omnikpi.engine.duckdb_sql import compiler as duckdb_compiler
from omnikpi.engine.shape_store import ShapeStore
from omnikpi.engine.stable_key import UnstableArgument, stable_key, stable_text

MAX_SHAPES = 512
_SEEN_ONCE = ""
"""A shape's entry before its second coming (no SQL is empty)."""
_PLAIN = re.compile(r"[^'\\\x00-\x1f\x7f]*")
_PLACEHOLDER = "omnikpiv{}x9q"
INSTANT_LIKE = 10**12
"""A 64-bit integer literal at least this large is an instant in microseconds (later than
12 January 1970): it varies with the request or the data, never with a metric's
definition (durations in microseconds are below it up to eleven days)."""
_TABLE_PLACEHOLDER = "omnikpim{}x9q"
_INT_PLACEHOLDER = 8_765_432_109_876_500_000
"""Integer placeholders are this plus their number: 19 digits no instant has (the year
279 741), written by the compiler as plain digits like any 64-bit integer."""
_ANY_PLACEHOLDER = re.compile("|".join((
    "'" + _PLACEHOLDER.format(r"\d+") + "'", _TABLE_PLACEHOLDER.format(r"\d+"),
    rf"(?<![\d.]){str(_INT_PLACEHOLDER)[:-4]}\d{{4}}(?![\d.])")))
"""Any placeholder as the compiler writes it (up to 10 000 integer ones)."""


def sql_literal(value: str) -> str:
    """``value`` as DuckDB SQL text, as the compiler writes a plain string."""
    return str(sge.convert(value).sql(dialect=duckdb_compiler.dialect))


def _is_instant(literal: ops.Literal) -> bool:
    value = literal.value
    return (literal.dtype.is_int64() and isinstance(value, int)
            and not isinstance(value, bool) and INSTANT_LIKE <= value < _INT_PLACEHOLDER)


def filter_literals(node: ops.Node, graph: Graph | None = None) -> list[ops.Literal]:
    """The plain text literals that appear only as values of ``IN`` lists, then the
    instant-like integer literals, in the expression's own order (equal expressions give
    equal lists)."""
    graph = Graph.from_bfs(node) if graph is None else graph
    candidates: dict[ops.Literal, None] = {}
    instants: dict[ops.Literal, None] = {}
    elsewhere: set[ops.Node] = set()
    for parent, children in graph.items():
        if isinstance(parent, ops.Literal) and _is_instant(parent):
            instants.setdefault(parent, None)
        if isinstance(parent, ops.InValues):
            for option in parent.options:
                if isinstance(option, ops.Literal) and option.dtype.is_string() and \
                        isinstance(option.value, str) and _PLAIN.fullmatch(option.value):
                    candidates.setdefault(option, None)
            elsewhere.add(parent.value)
        else:
            elsewhere.update(children)
    return [literal for literal in candidates if literal not in elsewhere] + list(instants)


Variable: TypeAlias = ops.Literal | ops.InMemoryTable
"""A node whose placeholder stands for it in a shape."""
_VARIABLE_TYPES = (ops.Literal, ops.InMemoryTable)


def variable_nodes(node: ops.Node, graph: Graph) -> list[Variable]:
    """The literals of :func:`filter_literals`, then the in-memory tables."""
    tables = [n for n in graph if isinstance(n, ops.InMemoryTable)]
    return [*filter_literals(node, graph), *tables]


def _placeholder(variable: Variable, number: int) -> Variable:
    if isinstance(variable, ops.InMemoryTable):
        return variable.copy(name=_TABLE_PLACEHOLDER.format(number))
    if variable.dtype.is_string():
        return ops.Literal(_PLACEHOLDER.format(number), dt.string)
    return ops.Literal(_INT_PLACEHOLDER + number, variable.dtype)


def _written(variable: Variable) -> str:
    """A variable's text in the SQL: a quoted text, plain digits or a table's name."""
    if isinstance(variable, ops.InMemoryTable):
        return str(variable.name)
    value = variable.value
    return sql_literal(value) if isinstance(value, str) else str(int(value))


def shape_key(node: ops.Node, graph: Graph, placeholders: dict[Variable, int]) -> int:
    """The identity of ``node`` with each variable of ``placeholders`` standing for its
    number (a table's with its schema): a 64-bit structural hash, computed bottom-up in
    one pass (building the placeholder expression itself costs a rebuild of every node
    above a literal, ~0.1 s, which only a shape's second coming pays). Two of the 512
    shapes kept share a hash with a chance of about 10⁻¹⁴."""
    keys: dict[ops.Node, int] = {}

    def arg(value: Any) -> Any:
        if isinstance(value, ops.Node):
            return keys[value]
        if isinstance(value, tuple):
            return tuple(arg(v) for v in value)
        if isinstance(value, Mapping):
            return tuple((k, arg(v)) for k, v in value.items())
        return value

    ordered, _ = graph.toposort()
    for current in ordered:
        number = placeholders.get(current) if isinstance(current, _VARIABLE_TYPES) else None
        if number is not None:
            parts: Any = ("placeholder", number, isinstance(current, ops.InMemoryTable)
                          and hash(current.schema))
        else:
            parts = (type(current).__module__, type(current).__qualname__,
                     tuple(arg(a) for a in current.__args__))
        keys[current] = hash(parts)
    return keys[node]


class ShapedSql:
    """SQL per expression and per shape, each shape checked once against the compiler
    (thread-safe)."""

    def __init__(self, store: ShapeStore | None = None) -> None:
        self._shapes: OrderedDict[int, str | None] = OrderedDict()
        self._exact: OrderedDict[ops.Node, str] = OrderedDict()
        self._first: OrderedDict[int, tuple[str, dict[str, str]]] = OrderedDict()
        """The SQL and values of a shape's first expression, until its second comes."""
        self._lock = threading.Lock()
        self._store = store

    def clear(self) -> None:
        """Forget every shape and query, those on disk too."""
        with self._lock:
            self._shapes.clear()
            self._exact.clear()
            self._first.clear()
        if self._store is not None:
            self._store.clear()

    def sql(self, node: ops.Node, compile_node: Callable[[ops.Node], str]) -> str:
        """The SQL of ``node``: as before when this very expression was compiled, from its
        shape when that is known to be exact, else from ``compile_node`` (which this also
        uses to make and check the shape)."""
        with self._lock:
            known_sql = self._exact.get(node)
        if known_sql is not None:
            return known_sql
        result = self._shaped(node, compile_node)
        with self._lock:
            self._exact[node] = result
            while len(self._exact) > MAX_SHAPES:
                self._exact.popitem(last=False)
        return result

    def _shaped(self, node: ops.Node, compile_node: Callable[[ops.Node], str]) -> str:
        graph = Graph.from_bfs(node)
        literals = variable_nodes(node, graph)
        if not literals:
            return self._whole(node, graph, compile_node)
        try:
            key = shape_key(node, graph, {literal: i for i, literal in enumerate(literals)})
        except TypeError:  # an argument Python cannot hash: compiled as it is
            return compile_node(node)
        placeholders = [_placeholder(literal, i) for i, literal in enumerate(literals)]
        swap = {_written(shape): _written(literal)
                for shape, literal in zip(placeholders, literals, strict=True)}
        with self._lock:
            known = key in self._shapes
            template = self._shapes.get(key)
        disk_key = (self._disk_key(node, graph, literals)
                    if not known or template == _SEEN_ONCE else None)
        if not known and disk_key is not None:
            known, template = self._from_disk(disk_key, swap)
        with self._lock:
            self._shapes[key] = template if known else _SEEN_ONCE
            self._shapes.move_to_end(key)
            while len(self._shapes) > MAX_SHAPES:
                self._shapes.popitem(last=False)
        if template:
            return written_in(template, swap)
        second = template == _SEEN_ONCE and known
        with self._lock:
            first = self._first.pop(key, None) if second else None

        def compile_shape() -> str:
            return compile_node(node.replace(dict(zip(literals, placeholders, strict=True))))

        if first is not None:
            # this process compiled the first expression of the shape: the placeholder
            # form is proven against that SQL, and this one is written in, not compiled
            shaped = compile_shape()
            first_sql, first_swap = first
            exact = fills(shaped, first_swap) and written_in(shaped, first_swap) == first_sql
            self._settle(key, disk_key, shaped if exact else None)
            return written_in(shaped, swap) if exact else compile_node(node)
        real = compile_node(node)
        if second:  # the first came in another process: proven against this one
            shaped = compile_shape()
            exact = fills(shaped, swap) and written_in(shaped, swap) == real
            self._settle(key, disk_key, shaped if exact else None)
        elif not known:
            with self._lock:
                self._first[key] = (real, swap)
                while len(self._first) > MAX_SHAPES:
                    self._first.popitem(last=False)
        return real

    def _settle(self, key: int, disk_key: str | None, template: str | None) -> None:
        """The shape proven exact (its template) or not (None), here and on disk."""
        with self._lock:
            if key in self._shapes:
                self._shapes[key] = template
        if disk_key is not None and self._store is not None:
            self._store.settle(disk_key, template)

    def _whole(self, node: ops.Node, graph: Graph,
               compile_node: Callable[[ops.Node], str]) -> str:
        """An expression with no variable part: its SQL from disk, or compiled and kept
        there (no placeholder is written in, so there is nothing to prove)."""
        key = self._disk_key(node, graph, [])
        if key is None or self._store is None:
            return compile_node(node)
        entry = self._store.get(key)
        if entry is not None and entry.state == "exact" and entry.sql:
            return entry.sql
        sql = compile_node(node)
        self._store.settle(key, sql)
        return sql

    def _disk_key(self, node: ops.Node, graph: Graph, variables: list[Variable]) -> str | None:
        """The shape's name on disk, or None without a working store or a stable name."""
        if self._store is None or not self._store.working:
            return None
        try:
            return stable_key(node, graph, {
                variable: (f"table{i}:{stable_text(variable.schema)}"
                           if isinstance(variable, ops.InMemoryTable)
                           else f"value{i}:{stable_text(variable.dtype)}")
                for i, variable in enumerate(variables)})
        except UnstableArgument:
            return None

    def _from_disk(self, disk_key: str, swap: dict[str, str]) -> tuple[bool, str | None]:
        """(known, template) of a shape this process has not met, as another left it;
        a first coming anywhere is noted on disk."""
        assert self._store is not None
        entry = self._store.get(disk_key)
        if entry is None:
            self._store.seen(disk_key)
            return False, None
        if entry.state == "seen":
            return True, _SEEN_ONCE
        if entry.state == "exact" and entry.sql and fills(entry.sql, swap):
            return True, entry.sql
        return True, None


def fills(template: str, swap: dict[str, str]) -> bool:
    """Whether ``swap`` has a value for every placeholder of ``template``.

    A placeholder of ``swap`` may be missing from the template: the compiler dropped the
    part it stood for (an instant in a column that nothing reads), so the SQL does not
    depend on its value. Requiring every one of them would compile such an expression
    every time (a dashboard's chat tiles did: seconds per filtered dashboard)."""
    return all(found.group(0) in swap for found in _ANY_PLACEHOLDER.finditer(template))


def written_in(sql: str, swap: dict[str, str]) -> str:
    """``sql`` with each key of ``swap`` (a placeholder's literal) replaced by its value,
    in one pass (a value may itself contain another placeholder's text); a number only
    where it stands alone, not inside a longer run of digits."""
    pattern = re.compile("|".join(
        rf"(?<![\d.]){re.escape(k)}(?![\d.])" if k.isdigit() else re.escape(k)
        for k in sorted(swap, key=len, reverse=True)))
    return pattern.sub(lambda found: swap[found.group(0)], sql)
