"""Imports every area module so that the registry holds the whole catalog."""

from omnikpi.metrics import (  # noqa: F401
    accessibility,
    agent_time,
    chat,
    productivity,
    quality,
    volume,
)
