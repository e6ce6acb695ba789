"""The DuckDB SQL of an expression, compiled once per *shape* of its filter values.

Compiling through Ibis costs far more than running the SQL on a contact center's day
(0.15–0.5 s of Python per expression against milliseconds in DuckDB), and a drill-down's
figure, counts and page are three expressions. Filters are ``column IN ('a', 'b')``
(``engine/compile.py``): a page that changes ``queue=sales`` to ``queue=support``
changes nothing in the SQL but those text literals.

So the text literals that appear *only* as the values of an ``IN`` list are replaced by
placeholders, and when an expression's shape (its placeholder form) comes a second time,
the shape is compiled and later expressions of that shape get its SQL with their values
written in (a shape seen once costs nothing more: most are never seen again). A shape is
used only after a real compilation proved that writing the values in gives exactly the
compiler's own SQL; one that does not is compiled every time, as before. A shape is
recognised by a 64-bit structural hash of the expression with the placeholders' numbers
in place of those literals (a few milliseconds); the same expression again is a
dictionary lookup.

A literal that also appears elsewhere in the expression (a metric's
``channel = 'voice'``) is left in the shape, so it never changes with a filter; a value
the compiler might write in another form (a quote, a backslash, a control character) is
compiled directly, and so is an expression with in-memory tables (a calendar gets a new
name each time it is built).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.common.graph import Graph

from omnikpi.engine.duckdb_sql import compiler as duckdb_compiler

MAX_SHAPES = 512
_SEEN_ONCE = ""
"""A shape's entry before its second coming (no SQL is empty)."""
_PLAIN = re.compile(r"[^'\\\x00-\x1f\x7f]*")
_PLACEHOLDER = "omnikpiv{}x9q"


def sql_literal(value: str) -> str:
    """``value`` as DuckDB SQL text, as the compiler writes a plain string."""
    return str(sge.convert(value).sql(dialect=duckdb_compiler.dialect))


def filter_literals(node: ops.Node, graph: Graph | None = None) -> list[ops.Literal]:
    """The plain text literals that appear only as values of ``IN`` lists, in the
    expression's own order (equal expressions give equal lists); none when the expression
    reads an in-memory table."""
    graph = Graph.from_bfs(node) if graph is None else graph
    candidates: dict[ops.Literal, None] = {}
    elsewhere: set[ops.Node] = set()
    for parent, children in graph.items():
        if isinstance(parent, ops.InMemoryTable):
            return []
        if isinstance(parent, ops.InValues):
            for option in parent.options:
                if isinstance(option, ops.Literal) and option.dtype.is_string() and \
                        isinstance(option.value, str) and _PLAIN.fullmatch(option.value):
                    candidates.setdefault(option, None)
            elsewhere.add(parent.value)
        else:
            elsewhere.update(children)
    return [literal for literal in candidates if literal not in elsewhere]


def shape_key(node: ops.Node, graph: Graph, placeholders: dict[ops.Literal, int]) -> int:
    """The identity of ``node`` with each literal of ``placeholders`` standing for its
    number: a 64-bit structural hash, computed bottom-up in one pass (building the
    placeholder expression itself costs a rebuild of every node above a literal, ~0.1 s,
    which only a shape's second coming pays). Two of the 512 shapes kept share a hash
    with a chance of about 10⁻¹⁴."""
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
        number = placeholders.get(current) if isinstance(current, ops.Literal) else None
        if number is not None:
            parts: Any = ("placeholder", number)
        else:
            parts = (type(current).__module__, type(current).__qualname__,
                     tuple(arg(a) for a in current.__args__))
        keys[current] = hash(parts)
    return keys[node]


class ShapedSql:
    """SQL per expression and per shape, each shape checked once against the compiler
    (thread-safe)."""

    def __init__(self) -> None:
        self._shapes: OrderedDict[int, str | None] = OrderedDict()
        self._exact: OrderedDict[ops.Node, str] = OrderedDict()
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._shapes.clear()
            self._exact.clear()

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
        literals = filter_literals(node, graph)
        if not literals:
            return compile_node(node)
        try:
            key = shape_key(node, graph, {literal: i for i, literal in enumerate(literals)})
        except TypeError:  # an argument Python cannot hash: compiled as it is
            return compile_node(node)
        swap = {sql_literal(_PLACEHOLDER.format(i)): sql_literal(str(literal.value))
                for i, literal in enumerate(literals)}
        with self._lock:
            known = key in self._shapes
            template = self._shapes.get(key)
            self._shapes[key] = template if known else _SEEN_ONCE
            self._shapes.move_to_end(key)
            while len(self._shapes) > MAX_SHAPES:
                self._shapes.popitem(last=False)
        if template:
            return written_in(template, swap)
        real = compile_node(node)
        if template == _SEEN_ONCE and known:
            shape = node.replace({literal: ops.Literal(_PLACEHOLDER.format(i), dt.string)
                                  for i, literal in enumerate(literals)})
            shaped = compile_node(shape)
            exact = all(text in shaped for text in swap) and written_in(shaped, swap) == real
            with self._lock:
                if key in self._shapes:
                    self._shapes[key] = shaped if exact else None
        return real


def written_in(sql: str, swap: dict[str, str]) -> str:
    """``sql`` with each key of ``swap`` (a placeholder's literal) replaced by its value,
    in one pass (a value may itself contain another placeholder's text)."""
    pattern = re.compile("|".join(re.escape(k) for k in sorted(swap, key=len, reverse=True)))
    return pattern.sub(lambda found: swap[found.group(0)], sql)
