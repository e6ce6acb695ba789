"""Imports every area module so that the registry holds the whole catalog."""

from omnikpi.metrics import (  # noqa: F401
    accessibility,
    agent_time,
    chat,
    cost,
    experience,
    ivr,
    outbound,
    productivity,
    quality,
    sales,
    talk,
    volume,
    workforce,
)
