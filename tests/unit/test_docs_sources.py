"""docs/engine.md lists every fact source the engine has (its table named talk, ivr,
contacts_ivr, sales, agent_days and scheduled_agent_time nowhere, though the talk and
IVR metrics read them)."""

from __future__ import annotations

import re
from pathlib import Path

from omnikpi.engine.registry import SOURCES

ENGINE_DOC = Path(__file__).resolve().parents[2] / "docs" / "engine.md"


def test_the_engine_page_lists_every_fact_source() -> None:
    text = ENGINE_DOC.read_text(encoding="utf-8")
    table = text[text.index("| source | rows | tables | cut by |"):]
    table = table[:table.index("\n\n")]
    listed = {name for line in table.splitlines()[2:]
              for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])}
    assert listed == set(SOURCES)
