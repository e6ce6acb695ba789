"""Every action the code writes to the audit log has its label, so the ``/audit`` page
never shows a bare id to an administrator reading it in their language.

The writers are found where they are: every call of ``audit(session, actor, ACTION, …)``,
``record_taken(request, view, ACTION, …)`` and ``record(request, url, actor, ACTION, …)``
in the package (read with ``ast``). An action built with an f-string (``f"qa_{action}"``)
must match at least two labelled ids (its variants). A wrapper that hands on its own
``action`` parameter (``record_taken`` → ``record`` → ``audit``) is not a writer: its
callers are."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from omnikpi.auth.audit_actions import ACTION_LABELS, action_label

SOURCE = Path(__file__).resolve().parents[2] / "src" / "omnikpi"
ACTION_ARGUMENT = {"audit": 2, "record_taken": 2, "record": 3}
"""Writer → the position of its action argument."""


def _written_actions() -> tuple[set[str], set[str]]:
    """(literal actions, f-string patterns) of every audit-log writer call."""
    literals: set[str] = set()
    patterns: set[str] = set()
    for module in SOURCE.rglob("*.py"):
        tree = ast.parse(module.read_text(encoding="utf-8"))
        handed_on = set()  # the action arguments that are the enclosing function's own
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef):
                parameters = {p.arg for p in function.args.args}
                handed_on |= {id(n) for n in ast.walk(function)
                              if isinstance(n, ast.Name) and n.id in parameters}
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id in ACTION_ARGUMENT
                    and len(node.args) > ACTION_ARGUMENT[node.func.id]):
                continue
            stack = [node.args[ACTION_ARGUMENT[node.func.id]]]
            if id(stack[0]) in handed_on:
                continue
            while stack:
                argument = stack.pop()
                if isinstance(argument, ast.IfExp):
                    stack += [argument.body, argument.orelse]
                elif isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    literals.add(argument.value)
                elif isinstance(argument, ast.JoinedStr):
                    patterns.add("".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z]+"
                        for part in argument.values))
                else:
                    literals.add(f"<not a literal in {module.name}:{node.lineno}>")
    return literals, patterns


def test_the_scan_finds_the_writers() -> None:
    literals, patterns = _written_actions()
    assert {"login", "login_failed", "export", "recording_played", "records_pruned",
            "alert_rule_paused", "user_disabled"} <= literals
    assert r"qa_[a-z]+" in patterns and r"schedule_[a-z]+d" in patterns


def test_every_action_written_has_a_label() -> None:
    literals, patterns = _written_actions()
    assert sorted(literals - set(ACTION_LABELS)) == []
    for pattern in patterns:
        variants = [a for a in ACTION_LABELS if re.fullmatch(pattern, a)]
        assert len(variants) >= 2, (pattern, variants)


def test_an_unknown_action_has_no_label() -> None:
    assert action_label("login_failed") == "Failed login"
    assert action_label("written_by_a_newer_version") is None
