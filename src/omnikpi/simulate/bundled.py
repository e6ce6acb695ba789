"""The scenarios shipped with OmniKPI (``scenarios/*.toml``): the demo center, the
Erlang C validation queue and a multi-skill center — the what-if page's starting points
and the simulator docs' examples."""

from __future__ import annotations

from pathlib import Path

import omnikpi

DEFAULT = "demo"


def scenario_folder() -> Path | None:
    """Inside the installed package when it carries the scenarios (the wheel does), else
    the source checkout's ``scenarios/`` folder."""
    package = Path(omnikpi.__file__).resolve().parent
    for folder in (package / "scenarios", package.parents[1] / "scenarios"):
        if (folder / f"{DEFAULT}.toml").is_file():
            return folder
    return None


def bundled_scenarios() -> dict[str, Path]:
    """Name (the file's stem) → file, the default first."""
    folder = scenario_folder()
    if folder is None:
        return {}
    found = {path.stem: path for path in sorted(folder.glob("*.toml"))}
    return {name: found[name] for name in sorted(found, key=lambda n: (n != DEFAULT, n))}
