"""What each action of the audit log means, in words an administrator reads.

The id (``login_failed``) is what the API, the CLI and the CSV carry, and what a SIEM
rule matches; the ``/audit`` page shows the label in the page's language beside it, so a
Russian-speaking administrator does not have to know the code's vocabulary. An action
written without a label here is shown by its id alone: ``tests/unit/test_audit_actions.py``
reads every place that writes the audit log and fails on an action missing here.
"""

from __future__ import annotations

ACTION_LABELS: dict[str, str] = {
    "login": "Login",
    "login_failed": "Failed login",
    "login_locked": "Login refused: too many failed attempts",
    "logout": "Logout",
    "token_revoked": "API token revoked",
    "apikey_created": "API key created",
    "apikey_revoked": "API key revoked",
    "user_created": "Account created",
    "user_scope_set": "Account's scope set",
    "password_set": "Password set",
    "user_disabled": "Account disabled",
    "user_enabled": "Account enabled",
    "board_saved": "Wallboard saved",
    "board_deleted": "Wallboard deleted",
    "alert_rule_created": "Alert rule created",
    "alert_rule_changed": "Alert rule changed",
    "alert_rule_paused": "Alert rule paused",
    "alert_rule_resumed": "Alert rule resumed",
    "alert_rule_deleted": "Alert rule deleted",
    "alert_acknowledged": "Alert acknowledged",
    "schedule_added": "Scheduled report added",
    "schedule_changed": "Scheduled report changed",
    "schedule_paused": "Scheduled report paused",
    "schedule_resumed": "Scheduled report resumed",
    "schedule_deleted": "Scheduled report deleted",
    "schedule_run_retried": "Scheduled report run again",
    "schedule_activity_moved": "Break moved in the work schedule",
    "qa_form_saved": "QA form saved",
    "qa_acknowledge": "Evaluation acknowledged by the agent",
    "qa_dispute": "Evaluation disputed by the agent",
    "qa_coaching": "Coaching session recorded",
    "export": "Data exported",
    "recording_played": "Recording played",
    "records_pruned": "Old records deleted",
}
"""Action id → its label in English (the msgid of its translations)."""


def action_label(action: str) -> str | None:
    """The English label of an action, or None for one this version does not know (an
    entry written by a newer version sharing the database)."""
    return ACTION_LABELS.get(action)
