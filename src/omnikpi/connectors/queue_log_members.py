"""Which member name each queue interface is: ``--members MEMBERS.csv`` of a queue_log
import.

With ``log_membername_as_agent = no`` (Asterisk's default) a dynamic member's
ADDMEMBER and REMOVEMEMBER lines name its interface (``Local/101@from-queue/n``) and
every other line its member name (``Alice``): one person read as two agents, the
interface available from add to remove, the name logged in by its first call and never
logged out. Nothing in the log pairs them when no AGENTLOGIN does, so the PBX's own list
says it: ``interface,agent`` per member (``asterisk -rx "queue show"`` lists both, and
``queue_members`` of a realtime setup holds them as ``interface`` and ``membername``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from omnikpi.errors import UsageError, read_text

COLUMNS = ("interface", "agent")
ALTERNATIVE = {"membername": "agent", "member_name": "agent"}
"""A ``queue_members`` table exported as it is names the agent column ``membername``."""


def read_members(path: Path) -> dict[str, str]:
    """interface → agent from MEMBERS.csv; every bad row is named."""
    reader = csv.DictReader(io.StringIO(read_text(path, "members file")))
    fields = {name.strip().lower(): name for name in reader.fieldnames or []}
    columns = {ALTERNATIVE.get(name, name): raw for name, raw in fields.items()}
    if not all(c in columns for c in COLUMNS):
        raise UsageError(f"--members {path}: needs the columns interface and agent (or "
                         f"membername); found {', '.join(fields) or 'none'}")
    members: dict[str, str] = {}
    problems = []
    for line, row in enumerate(reader, start=2):
        interface = (row.get(columns["interface"]) or "").strip()
        agent = (row.get(columns["agent"]) or "").strip()
        if not interface or not agent:
            problems.append(f"line {line}: interface and agent must both be given")
        elif members.get(interface, agent) != agent:
            problems.append(f"line {line}: {interface} is {members[interface]} on an "
                            f"earlier line, {agent} here")
        elif interface != agent:
            members[interface] = agent
    if problems:
        raise UsageError(f"--members {path}: " + "; ".join(problems[:10]))
    return members
