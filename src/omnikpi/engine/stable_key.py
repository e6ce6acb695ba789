"""A structural key of an Ibis expression that is the same in every process.

Python's ``hash`` of a text changes from one process to the next (``PYTHONHASHSEED``), so
the in-process shape key of :mod:`omnikpi.engine.shaped_sql` cannot name a shape on disk.
This key is a BLAKE2b digest computed bottom-up over each node's class and arguments,
written in a canonical text: texts, numbers, dates and ``None`` by their ``repr`` (which
round-trips), Ibis values (data types, schemas, nodes) by their class and arguments,
enumerations by their class and name. Any other kind of argument raises
:class:`UnstableArgument`: its text might be the same for two different values (a
truncated array) or differ between processes (an object's address), so such an
expression is simply not cached across processes.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import hashlib
import uuid
from collections.abc import Mapping
from typing import Any

import ibis.expr.operations as ops
from ibis.common.graph import Graph
from ibis.common.grounds import Concrete

_EXACT_REPR = (str, bytes, int, float, bool, type(None), decimal.Decimal, datetime.date,
               datetime.time, datetime.timedelta, uuid.UUID)
"""Types whose ``repr`` names their value exactly and is the same in every process
(``datetime.datetime`` is a ``date``; a float's ``repr`` round-trips)."""


class UnstableArgument(TypeError):
    """An expression holds an argument that has no process-independent text."""


def _text(value: Any, digests: Mapping[ops.Node, str]) -> str:
    if isinstance(value, ops.Node):
        return digests[value]
    if isinstance(value, _EXACT_REPR):
        return f"{type(value).__name__}:{value!r}"
    if isinstance(value, enum.Enum):
        return f"{type(value).__module__}.{type(value).__qualname__}.{value.name}"
    if isinstance(value, tuple | list):
        return "(" + ",".join(_text(v, digests) for v in value) + ")"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{_text(k, digests)}:{_text(v, digests)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, Concrete):
        return (f"{type(value).__module__}.{type(value).__qualname__}"
                f"{_text(value.__args__, digests)}")
    if isinstance(value, frozenset | set) and len(value) <= 1:
        # a set of several compiles in an order that depends on the process's string
        # hashing (engine/shaped_sql.py's tests): not the same text everywhere
        return "set" + _text(tuple(value), digests)
    raise UnstableArgument(f"no stable text for a {type(value).__qualname__}")


def stable_text(value: Any) -> str:
    """The process-independent text of a value that is not a node (a data type, a
    schema); raises :class:`UnstableArgument` as :func:`stable_key` does."""
    return _text(value, {})


def stable_key(node: ops.Node, graph: Graph,
               substitutes: Mapping[ops.Node, str] | None = None) -> str:
    """The hex digest naming ``node`` in every process; a node of ``substitutes`` is
    named by the text given there instead of by its own arguments (a shape's
    placeholders). Raises :class:`UnstableArgument` for an argument without a stable
    text."""
    substitutes = substitutes or {}
    digests: dict[ops.Node, str] = {}
    ordered, _ = graph.toposort()
    for current in ordered:
        named = substitutes.get(current)
        text = (f"={named}" if named is not None else
                f"{type(current).__module__}.{type(current).__qualname__}"
                f"{_text(current.__args__, digests)}")
        digests[current] = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return digests[node]
