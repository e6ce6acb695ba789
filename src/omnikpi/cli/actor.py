"""Who made a change from the command line, as the audit log names them.

Every command-line change (accounts, keys, schedules, QA forms) used to be signed "cli",
so an administrator reading the log after an incident could not tell which of the
people with shell access had created an account. The operating-system login is named
instead — the one behind ``sudo`` when the command runs as a service user — which is
attribution for honest readers, not proof: whoever can run the command can also set
``USER``.
"""

from __future__ import annotations

import getpass
import os


def cli_actor() -> str:
    """``cli:<login>`` (``cli:ana``), or ``cli`` where no login can be found."""
    login = os.environ.get("SUDO_USER", "").strip()
    if not login:
        try:
            login = getpass.getuser()
        except (OSError, KeyError):  # a container with a uid no passwd entry names
            login = ""
    login = "".join(ch for ch in login if ch.isprintable() and not ch.isspace())[:64]
    return f"cli:{login}" if login else "cli"
