"""Workforce planning: Erlang B/C/A queueing models, staffing, backlog and shrinkage.

Pure functions without I/O, so the CLI, the web app and the simulator's validation all
use the same numbers.
"""

from omnikpi.wfm.erlang import QueueResult, erlang_a, erlang_b, erlang_c
from omnikpi.wfm.staffing import StaffingResult, evaluate, staff

__all__ = ["QueueResult", "StaffingResult", "erlang_a", "erlang_b", "erlang_c", "evaluate",
           "staff"]
