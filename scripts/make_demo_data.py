"""Regenerate the bundled demo dataset from the committed scenario (same seed, same bytes).

    uv run python scripts/make_demo_data.py
"""

from __future__ import annotations

import shutil
from pathlib import Path

import make_demo_media  # scripts/ is on the path when this script runs

from omnikpi.simulate import load_scenario, simulate
from omnikpi.simulate.output import tables, write

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "demo.toml"
OUT = ROOT / "src" / "omnikpi" / "demo" / "data"


def main() -> None:
    result = simulate(load_scenario(SCENARIO))
    if OUT.exists():
        shutil.rmtree(OUT)
    counts = write(tables(result), OUT)
    make_demo_media.main()  # recordings, talk analytics, message texts
    size = sum(f.stat().st_size for f in OUT.rglob("*"))
    print(f"wrote {OUT} ({size / 1e6:.1f} MB): {counts}")


if __name__ == "__main__":
    main()
