"""Ibis's "complexity" of a node, remembered for the length of one compilation.

When Ibis lowers an expression to SQL it merges each ``SELECT`` over a ``SELECT`` into
one, and keeps the merge only if the merged node is not more complex than the pair
(``ibis.backends.sql.rewrites.merge_select_select``). It measures both by walking every
node below them (``complexity``), so a plan of nested projections walks its lower
layers again for every layer above: a fifth of all compile time on the engine's plans,
and compiling is what a report costs before DuckDB runs (``engine/shaped_sql.py``).

The measure is a pure function of an immutable node — 1 for a column reference, the
largest integer for an impure call, else 1 plus the measures of the node's children — so
remembering it per node gives exactly Ibis's numbers, hence exactly its SQL
(``tests/engines/test_merge_complexity.py`` compares both on every metric's plan). The
memory lives only while :func:`remembered` is active, one per compilation and thread;
outside it (another backend's compiler) Ibis's own function runs unchanged.

A second shortcut, active under the same block: merging two selects rewrites each value
of the outer one with ``value.replace(substitutions, filter=ops.Value)``, and most of
those values are bare column references (``Field``). For a ``Field`` the traversal under
that filter holds the field alone (its relation is not a value), so Ibis's answer is the
substitution of the field if there is one, else the field itself — built through a graph,
a topological sort and a pass over the arguments each time (about an eighth of the
compile time of a dashboard's plans). :func:`_field_replace` answers it directly;
``tests/engines/test_merge_complexity.py`` compares the SQL of every metric's plan with
Ibis's own, character for character.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import ibis.backends.sql.rewrites as ibis_rewrites
import ibis.expr.operations as ops
from ibis.common.graph import Node

_MEMORY: ContextVar[dict[Node, int] | None] = ContextVar("omnikpi_complexity", default=None)
IBIS_COMPLEXITY: Callable[[Node], int] | None = getattr(ibis_rewrites, "complexity", None)
"""Ibis's own function (``None`` if a later Ibis no longer has it: nothing is replaced)."""


def complexity(node: Node) -> int:
    """Ibis's complexity of ``node``; remembered per node inside :func:`remembered`."""
    memory = _MEMORY.get()
    if memory is None:
        assert IBIS_COMPLEXITY is not None
        return IBIS_COMPLEXITY(node)
    return measured(node, memory)


def measured(node: Node, memory: dict[Node, int]) -> int:
    """The measure of ``node``, adding to ``memory`` every node below it not yet there
    (an explicit stack: plans are deeper than Python's recursion limit allows)."""
    stack = [node]
    while stack:
        current = stack[-1]
        if current in memory:
            stack.pop()
            continue
        children = current.__children__
        missing = [child for child in children if child not in memory]
        if missing:
            stack.extend(missing)
            continue
        stack.pop()
        if isinstance(current, ops.Field):
            memory[current] = 1
        elif isinstance(current, ops.Impure):
            memory[current] = sys.maxsize
        else:
            memory[current] = 1 + sum(memory[child] for child in children)
    return memory[node]


@contextmanager
def remembered() -> Iterator[None]:
    """Remember complexities for the compilation run inside this block."""
    token = _MEMORY.set({})
    try:
        yield
    finally:
        _MEMORY.reset(token)


IBIS_FIELD_REPLACE: Callable[..., Any] = ops.Field.replace
"""Ibis's own ``replace`` of a field (inherited from its graph node)."""


def _field_replace(self: ops.Field, replacer: Any, filter: Any = None,
                   context: Any = None) -> Any:
    """``Field.replace``: the substitution of a field under the value filter directly,
    inside :func:`remembered`; anything else as Ibis does it."""
    if filter is ops.Value and isinstance(replacer, Mapping) and _MEMORY.get() is not None:
        return replacer.get(self, self)
    return IBIS_FIELD_REPLACE(self, replacer, filter, context)


def install() -> bool:
    """Make Ibis's select merging use :func:`complexity` and :func:`_field_replace`;
    False if this Ibis has no ``complexity`` (then nothing is replaced)."""
    if IBIS_COMPLEXITY is None:
        return False
    ibis_rewrites.complexity = complexity
    ops.Field.replace = _field_replace
    return True
