"""Reading a mapping file: the platforms' shipped mappings, and ``extends``.

A mapping may build on another (``extends = "twilio-taskrouter"``, a shipped platform, or
``extends = "base.toml"``, a file beside it) and change only what differs: a workspace's
own activity names, another shape of the same platform's export. The child's settings
merge into the base's:

- ``[source]`` replaces the base's whole (a different export shape reads differently);
- ``[derived]``: a name the base has is replaced where it stands (the names below it see
  the new expression); a new name comes before the base's names, which may use it;
- ``[columns]`` (and each ``[tables.NAME.columns]``): per column, the child's wins;
- ``[[filters]]``: the child's are added after the base's;
- ``[timestamps]`` per key; any other key (``table``, ``rows``) the child's.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from omnikpi.errors import UsageError

PLATFORMS = {"zendesk": "zendesk", "freshdesk": "freshdesk",
             "amazon-connect": "amazon_connect_ctr",
             "amazon-connect-agent-events": "amazon_connect_agent_events",
             "asterisk-cdr": "asterisk_cdr",
             "genesys-cloud": "genesys_cloud", "genesys-cloud-users": "genesys_cloud_users",
             "chatwoot": "chatwoot_conversations", "chatwoot-csat": "chatwoot_csat",
             "vicidial": "vicidial", "vicidial-agent-log": "vicidial_agent_log",
             "zendesk-satisfaction": "zendesk_satisfaction",
             "freshdesk-satisfaction": "freshdesk_satisfaction", "intercom": "intercom",
             "intercom-messages": "intercom_messages",
             "twilio-taskrouter": "twilio_taskrouter",
             "twilio-taskrouter-streams": "twilio_taskrouter_streams",
             "zendesk-talk": "zendesk_talk"}
"""Platforms with a shipped mapping (``mappings/NAME.toml``): ``omnikpi import zendesk FILE``."""
MAX_DEPTH = 8
"""How many mappings may stand on each other (a longer chain is surely a mistake)."""


def shipped_mapping(platform: str) -> Path:
    """The mapping shipped for a platform: inside the installed package when it carries
    the mappings, else the source checkout's ``mappings/`` folder."""
    import omnikpi

    name = f"{PLATFORMS[platform]}.toml"
    package = Path(omnikpi.__file__).resolve().parent
    for folder in (package / "mappings", package.parents[1] / "mappings"):
        if (folder / name).is_file():
            return folder / name
    raise UsageError(f"the mapping shipped for {platform} ({name}) is not installed: "
                     "pass --mapping FILE.toml")


def read_mapping(path: Path) -> dict[str, Any]:
    """The mapping's settings, those of the mappings it extends merged in."""
    return _read(path, [])


def _read(path: Path, chain: list[Path]) -> dict[str, Any]:
    try:
        mapping = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"mapping file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"mapping {path} is not valid TOML: {exc}") from exc
    base_name = mapping.pop("extends", None)
    if base_name is None:
        return mapping
    if not isinstance(base_name, str) or not base_name.strip():
        raise UsageError(f"mapping {path}: extends names a shipped platform "
                         f"({', '.join(PLATFORMS)}) or a mapping file beside it")
    base = _resolve(base_name.strip(), path)
    seen = [p.resolve() for p in [*chain, path]]
    if base.resolve() in seen:
        raise UsageError(f"mapping {path}: extends {base_name!r} comes back to a mapping it "
                         "extends (" + " → ".join(p.name for p in [*chain, path, base]) + ")")
    if len(chain) >= MAX_DEPTH:
        raise UsageError(f"mapping {path}: more than {MAX_DEPTH} mappings extend each other")
    return merged(_read(base, [*chain, path]), mapping, path)


def _resolve(name: str, child: Path) -> Path:
    beside = child.parent / name
    for candidate in (beside, beside.with_name(beside.name + ".toml")):
        if candidate.is_file():
            return candidate
    if name in PLATFORMS:
        return shipped_mapping(name)
    raise UsageError(f"mapping {child}: extends {name!r}: no such file beside it and no "
                     f"shipped platform of that name ({', '.join(PLATFORMS)})")


def merged(base: dict[str, Any], child: dict[str, Any], path: Path) -> dict[str, Any]:
    """``child``'s settings over ``base``'s (the rules are the module's docstring)."""
    # the top level is the main table's spec ([source] and table replaced whole, like rows)
    out = _merged_table(base, {k: v for k, v in child.items()
                               if k not in ("derived", "tables")}, path)
    if "derived" in child:
        out["derived"] = _merged_derived(_table_of(base.get("derived", {}), "derived", path),
                                         _table_of(child["derived"], "derived", path))
    if "tables" in child:
        tables = dict(_table_of(base.get("tables", {}), "tables", path))
        for name, spec in _table_of(child["tables"], "tables", path).items():
            where = f"tables.{name}"
            tables[name] = _merged_table(_table_of(tables.get(name, {}), where, path),
                                         _table_of(spec, where, path), path)
        out["tables"] = tables
    return out


def _merged_table(base: dict[str, Any], child: dict[str, Any], path: Path) -> dict[str, Any]:
    out = dict(base)
    for key, value in child.items():
        if key in ("columns", "timestamps"):
            out[key] = {**_table_of(base.get(key, {}), key, path), **_table_of(value, key, path)}
        elif key == "filters":
            if not isinstance(value, list) or not isinstance(base.get(key, []), list):
                raise UsageError(f"mapping {path}: [[filters]] must be a list of filters")
            out[key] = [*base.get(key, []), *value]
        else:
            out[key] = value
    return out


def _merged_derived(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    new = {k: v for k, v in child.items() if k not in base}
    return {**new, **{k: child.get(k, v) for k, v in base.items()}}


def _table_of(value: Any, key: str, path: Path) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise UsageError(f"mapping {path}: [{key}] must be a table of settings")
    return value
