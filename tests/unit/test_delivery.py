"""Delivery against real local servers: an SMTP server (aiosmtpd, STARTTLS and a login)
receives the e-mail with its attachment; an HTTP server checks the webhook signature and
answers 503 twice before taking it (the back-off); a folder gets the file whole."""

from __future__ import annotations

import email
import email.policy
import http.server
import os
import socket
import ssl
import stat
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from omnikpi.config import EmailSettings
from omnikpi.delivery import Attachment, DeliveryError, DeliveryRefused
from omnikpi.delivery.email import send_email
from omnikpi.delivery.folder import drop
from omnikpi.delivery.webhook import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    post,
    signature,
    verify,
)
from omnikpi.errors import UsageError

CERTS = Path(__file__).parent / "data" / "smtp"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def _authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                   data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"reports" and \
        data.password == b"s3cret"
    return AuthResult(success=ok, handled=False)


@pytest.fixture(scope="module")
def smtp() -> Iterator[tuple[Inbox, int]]:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTS / "cert.pem", CERTS / "key.pem")
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, authenticator=_authenticator,
                            auth_require_tls=True)
    controller.start()
    yield inbox, port
    controller.stop()


def client_context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(CERTS / "cert.pem"))
    return context


def test_an_email_with_its_attachment_arrives(smtp: tuple[Inbox, int]) -> None:
    inbox, port = smtp
    settings = EmailSettings(host="127.0.0.1", port=port, security="starttls",
                             user="reports", sender="OmniKPI <kpi@example.com>")
    content = b"queue,offered\nsales,120\n"
    before = len(inbox.messages)
    send_email(settings, ["boss@example.com", "ops@example.com"], "Daily SL — 2026-11-29",
               "Yesterday's report is attached.",
               [Attachment("daily-sl-2026-11-29.csv", content, "text/csv")],
               environ={"OMNIKPI_SMTP_PASSWORD": "s3cret"}, tls_context=client_context())
    assert len(inbox.messages) == before + 1
    sender, recipients, raw = inbox.messages[-1]
    assert sender == "kpi@example.com"
    assert recipients == ["boss@example.com", "ops@example.com"]
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Daily SL — 2026-11-29"
    parts = list(message.iter_attachments())
    assert [p.get_filename() for p in parts] == ["daily-sl-2026-11-29.csv"]
    assert parts[0].get_content_type() == "text/csv"
    assert parts[0].get_payload(decode=True) == content


def test_smtp_problems_are_sentences(smtp: tuple[Inbox, int]) -> None:
    _, port = smtp
    settings = EmailSettings(host="127.0.0.1", port=port, user="reports")
    with pytest.raises(DeliveryError, match="refused the login"):
        send_email(settings, ["a@example.com"], "s", "b",
                   environ={"OMNIKPI_SMTP_PASSWORD": "wrong"}, tls_context=client_context())
    with pytest.raises(DeliveryError, match=r"\$OMNIKPI_SMTP_PASSWORD is empty"):
        send_email(settings, ["a@example.com"], "s", "b", environ={})
    with pytest.raises(DeliveryError, match="not configured"):
        send_email(EmailSettings(), ["a@example.com"], "s", "b")
    # an untrusted certificate is refused (no silent downgrade)
    with pytest.raises(DeliveryError, match="failed"):
        send_email(settings, ["a@example.com"], "s", "b",
                   environ={"OMNIKPI_SMTP_PASSWORD": "s3cret"})
    with pytest.raises(UsageError, match="not an e-mail address"):
        send_email(settings, ["not-an-address"], "s", "b", environ={})
    closed = EmailSettings(host="127.0.0.1", port=free_port(), timeout_seconds=2)
    with pytest.raises(DeliveryError, match="cannot reach"):
        send_email(closed, ["a@example.com"], "s", "b")


class Receiver(http.server.BaseHTTPRequestHandler):
    secret = "hook-secret"
    failures_left = 0
    delay = 0.0
    received: ClassVar[list[tuple[bool, bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        cls = type(self)
        time.sleep(cls.delay)
        if cls.failures_left > 0:
            cls.failures_left -= 1
            self.send_response(503)
            self.end_headers()
            return
        genuine = verify(cls.secret, self.headers.get(TIMESTAMP_HEADER, ""),
                         self.headers.get(SIGNATURE_HEADER, ""), body)
        cls.received.append((genuine, body))
        self.send_response(204 if genuine else 401)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def receiver() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_the_webhook_signature_is_verified_by_the_receiver(receiver: str) -> None:
    Receiver.received.clear()
    Receiver.failures_left = 2
    waits: list[float] = []
    body = b'{"schedule": "daily", "rows": 3}'
    tries = post(receiver, body, secret="hook-secret", allowed_hosts=["127.0.0.1"],
                 attempts=4, first_retry_seconds=0.5, sleep=waits.append)
    assert tries == 3 and waits == [0.5, 1.0]  # 503, 503, then delivered
    assert Receiver.received == [(True, body)]
    # a wrong secret is refused by the receiver (401 is final: no retry)
    waits.clear()
    with pytest.raises(DeliveryRefused, match="after 1 attempt: HTTP 401"):
        post(receiver, body, secret="other", allowed_hosts=["127.0.0.1"], attempts=4,
             sleep=waits.append)
    assert waits == [] and Receiver.received[-1] == (False, body)


def test_what_a_person_must_change_is_refused_not_failed() -> None:
    """E-mail not configured, a password in clear, recipients the server refuses: each
    would fail the same way at every automatic try (three more, and a message some
    recipients had got would reach them again)."""
    with pytest.raises(DeliveryRefused, match="e-mail is not configured"):
        send_email(EmailSettings(), ["a@example.com"], "s", "b", [])
    with pytest.raises(DeliveryRefused, match="unencrypted"):
        send_email(EmailSettings(host="127.0.0.1", user="u", security="none"),
                   ["a@example.com"], "s", "b", [], environ={"OMNIKPI_SMTP_PASSWORD": "p"})


def test_signature_by_hand_and_staleness() -> None:
    # HMAC-SHA256("k", "1700000000.{}") computed independently with openssl:
    # printf '1700000000.{}' | openssl dgst -sha256 -hmac k
    expected = "sha256=" + __import__("hmac").new(
        b"k", b"1700000000.{}", "sha256").hexdigest()
    assert signature("k", 1700000000, b"{}") == expected
    assert verify("k", "1700000000", expected, b"{}", now=1700000100)
    assert not verify("k", "1700000000", expected, b"{}", now=1700000000 + 301)
    assert not verify("k", "1700000000", expected, b"{ }", now=1700000000)
    assert not verify("k", "later", expected, b"{}", now=1700000000)


def test_an_internal_webhook_is_refused_without_a_request() -> None:
    with pytest.raises(UsageError, match="webhook_allowed_hosts"):
        post("http://127.0.0.1:9/hook", b"{}")


def test_a_folder_gets_the_file_whole_and_never_overwrites(tmp_path: Path) -> None:
    first = drop(tmp_path / "out", "daily.csv", b"a")
    second = drop(tmp_path / "out", "daily.csv", b"b")
    assert first.name == "daily.csv" and second.name == "daily-2.csv"
    assert first.read_bytes() == b"a" and second.read_bytes() == b"b"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["daily-2.csv", "daily.csv"]
    with pytest.raises(DeliveryError, match="plain file name"):
        drop(tmp_path, "../escape.csv", b"x")


def test_a_dropped_file_has_the_modes_of_any_file_the_user_writes(tmp_path: Path) -> None:
    """It was written through a private temporary file (mode 0600), so the SFTP server or
    the colleague reading the shared folder could not open it."""
    previous = os.umask(0o022)
    try:
        path = drop(tmp_path / "out", "daily.csv", b"a")
        os.umask(0o027)
        group_only = drop(tmp_path / "out", "weekly.csv", b"b")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(group_only.stat().st_mode) == 0o640


def test_two_drops_of_one_name_at_once_keep_both(tmp_path: Path) -> None:
    """The name is taken by a link that fails when it exists, not a look then a rename:
    eight schedules writing "daily.csv" together leave eight files."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        paths = list(pool.map(lambda n: drop(tmp_path, "daily.csv", str(n).encode()),
                              range(8)))
    assert len({p.name for p in paths}) == 8
    assert sorted(p.read_bytes() for p in paths) == [str(n).encode() for n in range(8)]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_slow_receiver_gets_the_time_configured(receiver: str) -> None:
    """A receiver that took longer than the fixed 5 s got the file once per attempt and
    the run failed: the wait is ``[webhooks] timeout_seconds``."""
    Receiver.received.clear()
    Receiver.delay = 0.6
    try:
        with pytest.raises(DeliveryError, match=r"after 1 attempt: .*timed out"):
            post(receiver, b"{}", secret="hook-secret", allowed_hosts=["127.0.0.1"],
                 timeout_seconds=0.2)
        assert post(receiver, b"{}", secret="hook-secret", allowed_hosts=["127.0.0.1"],
                    timeout_seconds=5) == 1
    finally:
        Receiver.delay = 0.0


def test_a_password_written_in_the_configuration_is_refused_with_where_it_goes(
        tmp_path: Path) -> None:
    """`password = …` under [email] read "extra inputs are not permitted"."""
    from omnikpi.config import load_config
    from omnikpi.errors import OmniKPIError

    path = tmp_path / "omnikpi.toml"
    path.write_text('[email]\nhost = "smtp.example.com"\npassword = "s3cret"\n')
    with pytest.raises(OmniKPIError) as refused:
        load_config(path)
    said = str(refused.value)
    assert "password_env" in said and "OMNIKPI_SMTP_PASSWORD" in said and "s3cret" not in said
