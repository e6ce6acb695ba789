"""A discrete-event contact-center simulator that writes canonical datasets.

Every KPI, dashboard and staffing plan can be tried on realistic data, and routing or
staffing what-ifs answered before production changes. The clock and the random seed are
inputs: the same scenario and seed give byte-identical files.
"""

from omnikpi.simulate.runner import simulate
from omnikpi.simulate.scenario import Scenario, load_scenario

__all__ = ["Scenario", "load_scenario", "simulate"]
