"""The configuration the docs show is one the program accepts: a key renamed or a bound
tightened in ``omnikpi.config`` must not leave a newcomer copying a file that is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from omnikpi.config import Config, load_config

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _toml_blocks(name: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", (DOCS / name).read_text(), flags=re.S)


@pytest.mark.parametrize("name", ["configuration.md", "accounts.md"])
def test_every_configuration_example_loads(name: str, tmp_path: Path) -> None:
    blocks = _toml_blocks(name)
    assert blocks, f"docs/{name} shows no configuration"
    for number, block in enumerate(blocks):
        path = tmp_path / f"{number}.toml"
        path.write_text(block)
        load_config(path)  # raises a usage error naming the key


def test_the_reference_shows_every_section() -> None:
    """docs/configuration.md opens with a file using every section of the configuration."""
    reference = _toml_blocks("configuration.md")[0]
    missing = [field for field in Config.model_fields
               if not re.search(rf"^\[{field}[\].]", reference, flags=re.M)]
    assert missing == []
