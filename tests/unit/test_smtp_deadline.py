"""``[email] send_limit_seconds`` bounds a whole message: an SMTP server that sends its
replies a byte at a time no longer holds a scheduled run (and the server's scheduler
thread) for as long as it likes.

smtplib's ``timeout`` applies to each read, and each byte starts the wait again. Here a
byte comes every 50 ms, the per-read timeout is 5 s (never reached), the limit is 0.3 s,
and a send still going after 3 s fails the test (without the limit it takes 50 s or
more).
"""

from __future__ import annotations

import socket
import socketserver
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from omnikpi.config import EmailSettings
from omnikpi.delivery import DeliveryError
from omnikpi.delivery.email import send_email
from tests.threads import run_within

GAP = 0.05
SLOW = b"x" * 1000
CERTS = Path(__file__).parent / "data" / "smtp"


class SlowServer(socketserver.BaseRequestHandler):
    """A minimal SMTP server: each reply at once, but the one named by ``slow`` (the
    greeting, or the reply to EHLO) a byte every ``GAP`` seconds."""

    slow: ClassVar[str] = "greeting"
    tls: ClassVar[ssl.SSLContext | None] = None
    stop: ClassVar[threading.Event] = threading.Event()

    def handle(self) -> None:
        sock: socket.socket = self.request
        if self.slow == "handshake":  # accepts, and never answers the TLS hello
            self.stop.wait(10)
            return
        if self.tls is not None:
            sock = self.tls.wrap_socket(sock, server_side=True)
        try:
            self._reply(sock, b"220 " + SLOW if self.slow == "greeting" else b"220 ready",
                        slowly=self.slow == "greeting")
            reader = sock.makefile("rb")
            in_data = False
            for line in reader:
                if in_data:
                    if line == b".\r\n":
                        in_data = False
                        self._reply(sock, b"250 queued")
                    continue
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    if self.slow == "auth":
                        sock.sendall(b"250-slow.example\r\n250 AUTH PLAIN\r\n")
                        continue
                    self._reply(sock, b"250 slow.example " + SLOW, slowly=self.slow == "ehlo")
                elif verb == b"AUTH":  # "2", then nothing for a while: cut after "2"
                    self._stall(sock, b"235 accepted")
                elif verb == b"QUIT" and self.slow == "quit":
                    self._stall(sock, b"221 bye")
                    return
                elif verb == b"DATA":
                    in_data = True
                    self._reply(sock, b"354 go on")
                elif verb == b"QUIT":
                    self._reply(sock, b"221 bye")
                    return
                else:  # MAIL, RCPT, RSET, NOOP
                    self._reply(sock, b"250 ok")
        except OSError:  # the client shut the connection: what the test wants
            return

    def _stall(self, sock: socket.socket, text: bytes) -> None:
        sock.sendall(text[:1])
        if not self.stop.wait(2):
            sock.sendall(text[1:] + b"\r\n")

    def _reply(self, sock: socket.socket, text: bytes, slowly: bool = False) -> None:
        line = text + b"\r\n"
        if not slowly:
            sock.sendall(line)
            return
        for byte in line:
            if self.stop.wait(GAP):
                return
            sock.sendall(bytes([byte]))


@pytest.fixture()
def server() -> Iterator[int]:
    SlowServer.stop = threading.Event()
    SlowServer.tls = None
    tcp = socketserver.ThreadingTCPServer(("127.0.0.1", 0), SlowServer)
    tcp.daemon_threads = True
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    yield int(tcp.server_address[1])
    SlowServer.stop.set()
    tcp.shutdown()
    tcp.server_close()


def _send_within(seconds: float, settings: EmailSettings,
                 context: ssl.SSLContext | None = None) -> tuple[float, object]:
    """Send in a thread; (how long it took, None or what it raised)."""
    return run_within(seconds, lambda: send_email(
        settings, ["ops@example.com"], "Daily SL", "attached", environ={},
        tls_context=context), doing="the send")


def _settings(port: int, security: str = "none", limit: float = 0.3) -> EmailSettings:
    return EmailSettings(host="127.0.0.1", port=port, security=security,
                         timeout_seconds=5, send_limit_seconds=limit)


@pytest.mark.parametrize("slow", ["greeting", "ehlo"])
def test_a_reply_dribbled_byte_by_byte_fails_at_the_limit(server: int, slow: str) -> None:
    """The greeting (read inside smtplib's constructor) or the reply to EHLO, a byte
    every 50 ms: the send ends at 0.3 s and says it timed out, naming the setting.

    (A reply cut after its code is read as that code, as smtplib reads any reply: a
    ``250`` begun for the message means the server took it, and it is not sent again.)"""
    SlowServer.slow = slow
    took, outcome = _send_within(3, _settings(server))
    assert isinstance(outcome, DeliveryError)
    assert str(outcome) == ("the SMTP server 127.0.0.1:" + str(server) + " timed out: the "
                            "message was not sent within 0.3 s ([email] send_limit_seconds)")
    assert took < 2


def test_the_limit_holds_over_implicit_tls(server: int) -> None:
    """SMTPS: the socket is a TLS one from the start, and the greeting dribbles."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTS / "cert.pem", CERTS / "key.pem")
    SlowServer.tls, SlowServer.slow = context, "greeting"
    took, outcome = _send_within(
        3, _settings(server, security="tls"),
        ssl.create_default_context(cafile=str(CERTS / "cert.pem")))
    assert isinstance(outcome, DeliveryError)
    assert "timed out: the message was not sent within 0.3 s" in str(outcome)
    assert took < 2


def test_a_server_within_the_limit_gets_the_message(server: int) -> None:
    """The same server answering at once: the message goes (the limit is not a delay)."""
    SlowServer.slow = "none"
    _, outcome = _send_within(3, _settings(server, limit=2))
    assert outcome is None


def test_the_limit_is_bounded_in_the_configuration() -> None:
    with pytest.raises(ValueError, match="send_limit_seconds"):
        EmailSettings(host="h", send_limit_seconds=0)


def _tls_server() -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(CERTS / "cert.pem", CERTS / "key.pem")
    return context


def _client_tls() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(CERTS / "cert.pem"))


def test_the_limit_covers_the_tls_handshake(server: int) -> None:
    """SMTPS to a server that accepts and never answers the TLS hello: the handshake ran
    before the socket was given to the deadline, so only the 5-s read timeout ended it
    (a server dribbling its certificate was not bounded at all)."""
    SlowServer.slow = "handshake"
    took, outcome = _send_within(3, _settings(server, security="tls"), _client_tls())
    assert isinstance(outcome, DeliveryError)
    assert "timed out: the message was not sent within 0.3 s" in str(outcome)
    assert took < 2


def test_a_login_reply_cut_by_the_limit_is_a_time_out_not_a_refusal(server: int) -> None:
    """The reply to AUTH cut after its first byte reads as code 2 to smtplib, which
    raises a refused login; cut by the limit, it is a time-out (tried again), never a
    refusal the administrator must check (a refusal is never tried again)."""
    from omnikpi.delivery import DeliveryRefused

    SlowServer.tls, SlowServer.slow = _tls_server(), "auth"
    settings = EmailSettings(host="127.0.0.1", port=server, security="tls", user="reports",
                             timeout_seconds=5, send_limit_seconds=0.5)
    _, outcome = run_within(3, lambda: send_email(
        settings, ["ops@example.com"], "Daily SL", "attached",
        environ={"OMNIKPI_SMTP_PASSWORD": "s3cret"}, tls_context=_client_tls()),
        doing="the send")
    assert isinstance(outcome, DeliveryError)
    assert not isinstance(outcome, DeliveryRefused)
    assert "timed out" in str(outcome)


def test_a_goodbye_cut_after_the_message_was_taken_is_a_delivery(server: int) -> None:
    """The server took the message ("250 queued"); its reply to QUIT cut by the limit
    read as "answered 22: it is tried again later", and the recipients had the report
    twice."""
    SlowServer.slow = "quit"
    _, outcome = _send_within(3, _settings(server, limit=0.5))
    assert outcome is None
