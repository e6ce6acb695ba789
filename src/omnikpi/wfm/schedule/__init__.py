"""Schedules: shifts, breaks and lunches for agents from an interval requirement, built
with OR-Tools CP-SAT, written as the canonical ``shifts`` and ``shift_activities``."""

from omnikpi.wfm.schedule.inputs import Agent, Requirement, agents_option, read_plan
from omnikpi.wfm.schedule.rules import ShiftRules, rules_from_options, rules_from_toml
from omnikpi.wfm.schedule.solver import Schedule, build_schedule
from omnikpi.wfm.schedule.tables import coverage, schedule_tables, write_schedule

__all__ = ["Agent", "Requirement", "Schedule", "ShiftRules", "agents_option",
           "build_schedule", "coverage", "read_plan", "rules_from_options",
           "rules_from_toml", "schedule_tables", "write_schedule"]
