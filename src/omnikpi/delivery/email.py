"""E-mail through an SMTP server (``[email]`` in the configuration), with attachments.

Security is explicit: ``starttls`` (port 587: plain connection upgraded to TLS before the
login, refused if the server does not offer it), ``tls`` (port 465: TLS from the first
byte) or ``none`` (a local relay on port 25; no login is sent over it). The password is
read from the environment variable the configuration names, never from the file.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from omnikpi.config import EmailSettings
from omnikpi.delivery import Attachment, DeliveryError, DeliveryRefused, PartlyDelivered
from omnikpi.delivery.deadline import Deadline
from omnikpi.errors import UsageError

MAX_RECIPIENTS = 50


def check_addresses(addresses: Sequence[str]) -> list[str]:
    """The recipients, stripped, or a usage error naming the one that is not an address."""
    out = []
    for raw in addresses:
        address = raw.strip()
        local, at, domain = address.rpartition("@")
        if not at or not local or "." not in domain or any(c in address for c in " ,;<>\r\n"):
            raise UsageError(f"{raw!r} is not an e-mail address (name@example.com)")
        out.append(address)
    if not out:
        raise UsageError("give at least one e-mail address")
    if len(out) > MAX_RECIPIENTS:
        raise UsageError(f"at most {MAX_RECIPIENTS} recipients")
    return out


def build_message(settings: EmailSettings, to: Sequence[str], subject: str, body: str,
                  attachments: Sequence[Attachment] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="omnikpi")
    message.set_content(body)
    for item in attachments:
        main, _, sub = item.mime_type.partition("/")
        message.add_attachment(item.content, maintype=main, subtype=sub or "octet-stream",
                               filename=item.filename)
    return message


def send_email(settings: EmailSettings, to: Sequence[str], subject: str, body: str,
               attachments: Sequence[Attachment] = (),
               environ: Mapping[str, str] | None = None,
               tls_context: ssl.SSLContext | None = None) -> None:
    """Send one message to ``to``; a :class:`DeliveryError` says what went wrong.

    ``tls_context`` defaults to the system's trusted CAs with host name checking (a test
    passes one that trusts its own certificate)."""
    if not settings.host:
        raise DeliveryRefused("e-mail is not configured: set [email] host (and port, security, "
                            "user, sender) in the configuration (docs/scheduled-reports.md)")
    recipients = check_addresses(to)
    message = build_message(settings, recipients, subject, body, attachments)
    password = (environ if environ is not None else os.environ).get(settings.password_env)
    if settings.user and not password:
        raise DeliveryRefused(f"[email] user is set but ${settings.password_env} is empty: "
                            "put the SMTP password in that environment variable")
    if settings.user and settings.security == "none":
        raise DeliveryRefused("[email] security = \"none\" would send the SMTP password "
                            "unencrypted: use \"starttls\" or \"tls\"")
    context = tls_context or ssl.create_default_context()
    where = f"{settings.host}:{settings.effective_port}"
    try:
        with Deadline(settings.send_limit_seconds) as deadline:
            try:
                refused = _converse(settings, settings.host, context, deadline, where,
                                    message, password)
            except Exception:
                # a reply cut by the deadline reads as any reply smtplib could parse of
                # it ("23": a refused login, which is never tried again): the time is up
                if deadline.passed:
                    raise DeliveryError(
                        f"the SMTP server {where} timed out: the message was not sent "
                        f"within {settings.send_limit_seconds:g} s ([email] "
                        "send_limit_seconds)") from None
                raise
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryRefused(f"the SMTP server {where} refused the login of "
                            f"{settings.user!r} ({exc.smtp_code}): check [email] user and "
                            f"${settings.password_env}") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise _all_refused(where, exc.recipients) from None
    except smtplib.SMTPResponseException as exc:
        raise _answered(where, exc, attachments) from None
    except (smtplib.SMTPException, ssl.SSLError) as exc:
        raise DeliveryError(f"the SMTP server {where} failed: {exc}") from None
    except OSError as exc:
        raise DeliveryError(f"cannot reach the SMTP server {where}: "
                            f"{exc.strerror or exc}") from None
    if refused:
        raise _partly(where, recipients, refused)


SmtpReplies = Mapping[str, tuple[int, bytes | str]]
"""smtplib's refused recipients: address → (code, the server's words)."""


def reply_text(code: int, words: bytes | str) -> str:
    """A server's reply as a person reads it (``552 message size exceeds fixed
    maximum``), not smtplib's tuple ``(552, b'…', 'reports@example.com')``."""
    said = words.decode("utf-8", "replace") if isinstance(words, bytes) else str(words)
    return f"{code} {' '.join(said.split())}".strip()


def lasting_reply(code: int) -> bool:
    """A 5xx reply says the same at every try (the address does not exist, the message
    is too big); a 4xx (mailbox busy, greylisting) may pass by itself."""
    return 500 <= code < 600


def _refusals(replies: SmtpReplies) -> dict[str, str]:
    return {address: reply_text(code, words) for address, (code, words) in replies.items()}


def _named(refusals: Mapping[str, str]) -> str:
    return ", ".join(f"{address} ({reply})" for address, reply in refusals.items())


def _all_refused(where: str, replies: SmtpReplies) -> DeliveryError:
    """Every recipient refused: lasting when every reply was a 5xx."""
    refusals = _refusals(replies)
    failure = DeliveryRefused if all(lasting_reply(code) for code, _ in replies.values()) \
        else DeliveryError
    return failure(f"the SMTP server {where} refused every recipient: {_named(refusals)}")


def _partly(where: str, recipients: Sequence[str], replies: SmtpReplies) -> PartlyDelivered:
    """Some recipients refused, the others have the message: both named."""
    refusals = _refusals(replies)
    delivered = [a for a in recipients if a not in refusals]
    return PartlyDelivered(
        f"sent to {', '.join(delivered)}; the SMTP server {where} refused "
        f"{_named(refusals)}", delivered, refusals,
        all(lasting_reply(code) for code, _ in replies.values()))


def _answered(where: str, exc: smtplib.SMTPResponseException,
              attachments: Sequence[Attachment]) -> DeliveryError:
    """A reply that stopped the message (the sender or the data refused): a 5xx is
    lasting — ``552 message size exceeds fixed maximum`` was tried three more times and
    shown as smtplib's tuple — and says how big the file is; a 4xx is tried again."""
    reply = reply_text(exc.smtp_code, exc.smtp_error)
    if not lasting_reply(exc.smtp_code):
        return DeliveryError(f"the SMTP server {where} answered {reply}: it is tried again "
                             "later")
    size = sum(len(item.content) for item in attachments)
    file = f" (the file is {max(1, -(-size // 1024)):,} kB)" if attachments else ""
    return DeliveryRefused(f"the mail server {where} refused the message: {reply}{file}")


def _client(settings: EmailSettings, host: str, context: ssl.SSLContext,
            deadline: Deadline) -> smtplib.SMTP:
    """A connected client whose socket the deadline holds from the moment it is made."""
    port, timeout = settings.effective_port, settings.timeout_seconds
    if settings.security == "tls":
        return _HeldSMTPSSL(deadline, host, port, timeout, context)
    return _HeldSMTP(deadline, host, port, timeout)


class _HeldSMTP(smtplib.SMTP):
    """An SMTP client giving each socket it connects to a deadline: smtplib makes it in
    its constructor and reads the server's greeting there, before any caller could."""

    def __init__(self, deadline: Deadline, host: str, port: int, timeout: float) -> None:
        self._deadline = deadline
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # smtplib's own hook for making the socket (typeshed does not declare it)
        sock: socket.socket = super()._get_socket(host, port, timeout)  # type: ignore[misc]
        self._deadline.hold(sock)
        return sock


class _HeldSMTPSSL(smtplib.SMTP_SSL):
    """:class:`_HeldSMTP` over implicit TLS."""

    def __init__(self, deadline: Deadline, host: str, port: int, timeout: float,
                 context: ssl.SSLContext) -> None:
        self._deadline = deadline
        self._tls = context
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # the plain socket is held before the TLS handshake, which SMTP_SSL's own hook
        # runs before returning: a server dribbling its certificate was not bounded
        raw: socket.socket = smtplib.SMTP._get_socket(  # type: ignore[attr-defined]
            self, host, port, timeout)
        self._deadline.hold(raw)
        return self._tls.wrap_socket(raw, server_hostname=host)


def _converse(settings: EmailSettings, host: str, context: ssl.SSLContext,
              deadline: Deadline, where: str, message: EmailMessage,
              password: str | None) -> SmtpReplies:
    """Connect, secure, log in and send: the recipients the server refused."""
    client = _client(settings, host, context, deadline)
    try:
        client.ehlo()
        if settings.security == "starttls":
            if not client.has_extn("starttls"):
                raise DeliveryRefused(f"the SMTP server {where} does not offer STARTTLS: "
                                      "set [email] security = \"tls\" or \"none\"")
            client.starttls(context=context)
            client.ehlo()
        if settings.user and password:
            client.login(settings.user, password)
        refused: SmtpReplies = client.send_message(message)
    except BaseException:
        client.close()
        raise
    # the server has the message: a goodbye cut short or refused changes nothing (read as
    # a failure, the run was tried again and the recipients had the report twice)
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()
    client.close()
    return refused
