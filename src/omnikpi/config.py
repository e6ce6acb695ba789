"""Report configuration: channel modes, SL thresholds, paid not-ready reasons, capacity.

Everything here has a default from the KPI catalog, so a dataset works without a file;
an optional TOML file (``--config``) overrides per channel and per queue.

```toml
[channels.chat]
mode = "continuous"          # or "discrete"
threshold_seconds = 45
chat_capacity = 3            # sessions at once for agents of this channel
[queues.vip_mail]            # a queue overrides its channel
threshold_seconds = 14400
[queues.vip_chat]
chat_capacity = 2
[agents]
paid_not_ready_reasons = ["break", "training", "meeting", "coaching", "technical"]
chat_capacity = 4
[agents.capacity]            # per-agent chat capacity
op7 = 3
[alerts]
webhook_allowed_hosts = ["chat.internal"]   # private hosts a webhook may reach
[email]                      # SMTP for scheduled reports and alert e-mails
host = "smtp.example.com"
port = 587                   # default: 587 starttls, 465 tls, 25 none
security = "starttls"        # "tls" (implicit TLS) or "none"
user = "reports@example.com" # the password is read from $OMNIKPI_SMTP_PASSWORD
sender = "OmniKPI <reports@example.com>"
[webhooks]                   # signed deliveries (scheduled reports, alerts)
secret_env = "OMNIKPI_WEBHOOK_SECRET"
[recordings]                 # call recordings (docs/qa.md#recordings)
folder = "/var/spool/asterisk/monitor"  # default: the dataset's recordings/ folder
customer_channel = 0         # stereo files: which channel is the customer (the other: agent)
customer_leg = "out"         # two-leg files (-in/-out): which leg is the customer
[targets]                    # goals for the dashboards (default: the metric's declaration)
service_level = 0.85
[targets_by_queue.vip]       # a queue's own goals, then a channel's
service_level = 0.95
[targets_by_channel.email]
service_level = 0.9
```
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from omnikpi.errors import UsageError, describe_validation_error, read_text

Mode = Literal["continuous", "discrete"]

DEFAULT_MODES: dict[str, Mode] = {
    "voice": "continuous",
    "video": "continuous",
    "callback": "continuous",
    "chat": "continuous",
    "messenger": "continuous",
    "email": "discrete",
    "social": "discrete",
    "sms": "discrete",
    "letter": "discrete",
}
DEFAULT_THRESHOLDS_SECONDS: dict[str, float] = {
    "voice": 20,
    "video": 20,
    "callback": 20,
    "chat": 60,
    "messenger": 60,
    "email": 86400,
    "social": 3600,
    "sms": 3600,
    "letter": 86400,
}
MODE_FALLBACK_THRESHOLD_SECONDS: dict[Mode, float] = {"continuous": 20, "discrete": 86400}
VOICE_CHANNELS = ("voice", "video", "callback")
"""Channels that are not text: everything else is a text channel (A1RT, ART)."""
CHAT_CHANNELS = ("chat", "messenger")
"""Channels whose sessions run in parallel on one agent (chat concurrency metrics)."""


class ChannelSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    mode: Mode | None = None
    threshold_seconds: float | None = Field(default=None, ge=0)
    chat_capacity: int | None = Field(default=None, ge=1)
    """Chat sessions an agent of this queue or channel can hold at once."""


class AgentSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    paid_not_ready_reasons: list[str] = Field(
        default_factory=lambda: ["break", "training", "meeting", "coaching", "technical"]
    )
    chat_capacity: int = Field(default=4, ge=1)
    capacity: dict[str, int] = Field(default_factory=dict)
    adherence_excluded_activities: list[str] = Field(default_factory=list)
    """Scheduled activities left out of adherence everywhere (dashboards, agent pages,
    the wallboard's alerts), e.g. ``["vacation", "sick"]``; a report's
    ``--param adherence.excluded_activities=…`` wins."""


class AlertSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    webhook_allowed_hosts: list[str] = Field(default_factory=list)
    """Hosts an alert webhook may reach although they resolve to this machine or a private
    network (an internal chat server, say); every other target must be public."""


class EmailSettings(BaseModel):
    """The SMTP server of scheduled reports and alert e-mails (docs/scheduled-reports.md)."""

    model_config = ConfigDict(extra="forbid")
    host: str | None = None
    """None: e-mail delivery is not configured (a run that needs it fails and says so)."""
    port: int | None = Field(default=None, ge=1, le=65535)
    """Default by ``security``: 587 for starttls, 465 for tls, 25 for none."""
    security: Literal["starttls", "tls", "none"] = "starttls"
    user: str | None = None
    password_env: str = "OMNIKPI_SMTP_PASSWORD"
    """The environment variable holding the password (never written in the file)."""
    sender: str = "OmniKPI <omnikpi@localhost>"
    timeout_seconds: float = Field(default=30.0, gt=0)
    """The longest wait for one reply or one write."""
    send_limit_seconds: float = Field(default=300.0, gt=0, le=3600)
    """The whole conversation, connecting to the last reply: a server sending its replies
    a byte at a time resets ``timeout_seconds`` with each byte and would hold the
    scheduler for as long as it liked."""

    @model_validator(mode="before")
    @classmethod
    def _no_password_in_the_file(cls, data: Any) -> Any:
        """A password typed into the file was refused as "extra inputs are not permitted":
        say where it goes instead."""
        if isinstance(data, dict) and "password" in data:
            raise ValueError("a password is never written in the file: put it in the "
                             "environment variable that password_env names (default "
                             "OMNIKPI_SMTP_PASSWORD)")
        return data

    @property
    def effective_port(self) -> int:
        return self.port or {"starttls": 587, "tls": 465, "none": 25}[self.security]


class WebhookSettings(BaseModel):
    """Signed webhook deliveries: the shared secret's variable and the retries."""

    model_config = ConfigDict(extra="forbid")
    secret_env: str = "OMNIKPI_WEBHOOK_SECRET"
    attempts: int = Field(default=4, ge=1, le=10)
    first_retry_seconds: float = Field(default=1.0, ge=0)
    """Wait before the second attempt; each later wait doubles."""
    timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    """How long one attempt of a scheduled report waits for the receiver's answer (at 5 s,
    a receiver that took 6 s to store an XLSX got it four times, and the run failed)."""


class ScheduleSettings(BaseModel):
    """Scheduled reports kept by the server (docs/scheduled-reports.md)."""

    model_config = ConfigDict(extra="forbid")
    keep_files_days: int = Field(default=90, ge=1, le=3650)
    """How long a run's file stays downloadable from the Schedules page; the run's line
    stays (and "Send again" computes the file anew). Every file holds a period's figures,
    so they are not kept for ever."""
    retry_minutes: list[int] = Field(default=[10, 60, 240], max_length=10)
    """Waits before the automatic tries of a failed run: after the first failure 10 min,
    then 1 h, then 4 h; ``[]`` leaves a failed run to "Send again". A mail server or a
    client's webhook down for an hour at 08:00 lost that day's report."""

    @field_validator("retry_minutes")
    @classmethod
    def _sensible_waits(cls, waits: list[int]) -> list[int]:
        for wait in waits:
            if not 1 <= wait <= 7 * 24 * 60:
                raise ValueError(f"each wait is 1 to {7 * 24 * 60} minutes (a week), "
                                 f"not {wait}")
        return waits


class RetentionSettings(BaseModel):
    """How long the server keeps its own records (docs/accounts.md#retention). Unset keeps
    them for ever: how long an audit trail must be kept is the organisation's rule (a
    regulator's, a client contract's), so deleting it is never a default."""

    model_config = ConfigDict(extra="forbid")
    audit_days: int | None = Field(default=None, ge=1, le=36500)
    """Audit-log entries older than this many days are deleted."""
    alert_history_days: int | None = Field(default=None, ge=1, le=36500)
    """Alert firings that ended more than this many days ago are deleted (an ongoing
    firing never is)."""
    schedule_runs_days: int | None = Field(default=None, ge=1, le=36500)
    """Scheduled-report runs finished more than this many days ago are deleted, with their
    files (a failed run still waiting for its automatic retry is kept)."""


class RecordingSettings(BaseModel):
    """Call recordings: where their files are and which side of a file is the customer."""

    model_config = ConfigDict(extra="forbid")
    folder: str | None = None
    """Recordings folder (relative: to the dataset folder); None: ``<dataset>/recordings``.
    No file outside it is ever read."""
    customer_channel: Literal[0, 1] = 0
    """Stereo files: the customer's channel; the other one is the agent's."""
    customer_leg: Literal["in", "out"] = "out"
    """Two-leg files (``name-in.wav``/``name-out.wav``): the customer's leg. MixMonitor on
    the caller's channel writes what the caller says to the ``t()`` (out) file."""


Targets = dict[str, float]


def _check_targets(targets: Targets) -> Targets:
    """Every key names a metric that has a direction (which side of a goal is good)."""
    from omnikpi.metrics.base import get_metric

    for metric_id, value in targets.items():
        try:
            metric = get_metric(metric_id)
        except UsageError as exc:
            raise ValueError(str(exc)) from None
        if metric.better is None:
            raise ValueError(f"metric {metric_id} has no direction, so it takes no target")
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"target of {metric_id} must be a finite number")
    return targets


class Config(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channels: dict[str, ChannelSettings] = Field(default_factory=dict)
    queues: dict[str, ChannelSettings] = Field(default_factory=dict)
    agents: AgentSettings = Field(default_factory=AgentSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)
    email: EmailSettings = Field(default_factory=EmailSettings)
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    schedules: ScheduleSettings = Field(default_factory=ScheduleSettings)
    recordings: RecordingSettings = Field(default_factory=RecordingSettings)
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    targets: Targets = Field(default_factory=dict)
    targets_by_queue: dict[str, Targets] = Field(default_factory=dict)
    targets_by_channel: dict[str, Targets] = Field(default_factory=dict)

    @field_validator("targets")
    @classmethod
    def _targets(cls, value: Targets) -> Targets:
        return _check_targets(value)

    @field_validator("targets_by_queue", "targets_by_channel")
    @classmethod
    def _targets_by(cls, value: dict[str, Targets]) -> dict[str, Targets]:
        for targets in value.values():
            _check_targets(targets)
        return value

    def target(self, metric_id: str, queue: str | None = None,
               channel: str | None = None) -> float | None:
        """The goal of a metric: the queue's, else the channel's, else the configuration's,
        else the declaration's default (None: the metric has no goal)."""
        from omnikpi.metrics.base import get_metric

        for scoped, key in ((self.targets_by_queue, queue),
                            (self.targets_by_channel, channel)):
            if key is not None and metric_id in scoped.get(key, {}):
                return scoped[key][metric_id]
        if metric_id in self.targets:
            return self.targets[metric_id]
        return get_metric(metric_id).target

    def channel_mode(self, channel: str) -> Mode:
        """Mode of a channel: configured, else the catalog default, else continuous."""
        configured = self.channels.get(channel)
        if configured and configured.mode:
            return configured.mode
        return DEFAULT_MODES.get(channel, "continuous")

    def channel_threshold(self, channel: str) -> float:
        configured = self.channels.get(channel)
        if configured and configured.threshold_seconds is not None:
            return configured.threshold_seconds
        if channel in DEFAULT_THRESHOLDS_SECONDS:
            return DEFAULT_THRESHOLDS_SECONDS[channel]
        return MODE_FALLBACK_THRESHOLD_SECONDS[self.channel_mode(channel)]


def load_config(path: Path | None) -> Config:
    """Read a TOML config; a missing path means every default of the catalog."""
    if path is None:
        return Config()
    try:
        # named when it is missing, a folder or not UTF-8 (the last said "a file is not
        # UTF-8 text" without saying which); a byte-order mark is dropped
        data = tomllib.loads(read_text(path, "config file"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from exc
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise UsageError(describe_validation_error(f"config file {path}", exc)) from exc
