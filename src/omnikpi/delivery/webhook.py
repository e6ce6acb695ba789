"""Webhooks: signed POSTs, retried with back-off, that cannot be turned against the
server's own network.

**Signature.** With a shared secret, each POST carries ``X-OmniKPI-Timestamp`` (Unix
seconds) and ``X-OmniKPI-Signature: sha256=<hex>``, the HMAC-SHA256 with the secret of
``"<timestamp>." + body``. The receiver recomputes it over the raw body and refuses a
stale timestamp (replays); :func:`verify` does both.

**Retries.** A connection error, a timeout, ``429`` or a ``5xx`` answer is tried again
after 1, 2, 4 … seconds (``[webhooks] attempts``, ``first_retry_seconds``); another
``4xx`` is final (the receiver refused the content, sending it again will not help).

**Time limit.** ``timeout_seconds`` bounds a whole attempt, from connecting to the status
line and headers of the answer: httpx's timeouts apply to each read, so a receiver that
sent its answer a byte every 2 s held ``schedule run-due`` and the server's scheduler
thread (and, past the lease, led to a report sent twice) with no limit. A watchdog shuts
the attempt's socket down when the time is up; the answer's body is never read (only its
status counts).

**Server-side request forgery.** A supervisor names a URL and the server POSTs to it.
Unchecked, that is a way to make the server call ``127.0.0.1``, the cloud metadata
address or a database on the private network. So a target must resolve to public
addresses only — loopback, link-local, private, shared, reserved, IETF-protocol and
multicast ranges are refused, also as the IPv4 address an IPv6 one carries (mapped, SIIT,
NAT64, 6to4), and the local-use NAT64 prefix whole — unless an administrator lists its
host in the configuration (``[alerts] webhook_allowed_hosts``, which applies to every
webhook). The address is resolved once and the request goes to that address (the host
name still sent as ``Host`` and, for https, as the TLS server name), so a name that
re-resolves to an internal address between the check and the call gains nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from omnikpi.delivery import DeliveryError, DeliveryRefused
from omnikpi.delivery.deadline import Deadline
from omnikpi.errors import UsageError

TIMEOUT_SECONDS = 5.0
SIGNATURE_HEADER = "X-OmniKPI-Signature"
TIMESTAMP_HEADER = "X-OmniKPI-Timestamp"
TOLERANCE_SECONDS = 300


@dataclass(frozen=True)
class Target:
    url: str
    """The URL with the checked address in place of the host name."""
    host: str
    scheme: str


NAT64 = ipaddress.ip_network("64:ff9b::/96")
"""The well-known NAT64 prefix: its addresses reach the IPv4 address in their last 32 bits."""
TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
"""SIIT's IPv4-translated addresses (RFC 2765): the IPv4 address in their last 32 bits."""
LOCAL_NAT64 = ipaddress.ip_network("64:ff9b:1::/48")
"""The local-use NAT64 prefix (RFC 8215): a translator of this network, with a prefix of
any length inside it, so the IPv4 address may sit at any of RFC 6052's places. Refused
whole: it is not globally reachable, and ``64:ff9b:1::7f00:1`` passed as global."""
IETF_PROTOCOL = ipaddress.ip_network("192.0.0.0/24")
"""IETF protocol assignments (RFC 6890): not globally reachable, yet ``192.0.0.8`` passed
as global."""


def _public(address: str) -> bool:
    """Whether ``address`` is a public one, the IPv4 address an IPv6 one carries judged as
    itself: ``::127.0.0.1``, ``::ffff:0:7f00:1`` (SIIT), ``64:ff9b::7f00:1`` (NAT64) and
    ``2002:7f00:1::`` (6to4) passed as global though they reach this host's loopback where
    the translation is routed."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in LOCAL_NAT64:
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
            if ip in NAT64 or ip in TRANSLATED or int(ip) >> 32 == 0 else None)
        if embedded is not None:
            ip = embedded
    if ip in IETF_PROTOCOL:
        return False
    return ip.is_global and not ip.is_multicast


class UnresolvedHost(UsageError):
    """A webhook host the resolver does not know now: refused when the URL is given (a
    typo), tried again when a delivery meets it (the resolver or the host's record away
    for a while: a scheduled report was given up at the first try)."""


def resolve(url: str, allowed_hosts: Sequence[str] = ()) -> Target:
    """The checked target of a webhook URL, or a usage error that says why not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("a webhook must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise UsageError("a webhook URL cannot carry a user name or password")
    host = parts.hostname
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise UsageError("a webhook URL has a bad port") from None
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnresolvedHost(f"webhook host {host!r} cannot be resolved ({exc})") from None
    addresses = [str(info[4][0]) for info in found]
    allowed = host.lower() in {h.lower() for h in allowed_hosts}
    if not allowed:
        inside = [a for a in addresses if not _public(a)]
        if inside:
            raise UsageError(
                f"webhook host {host!r} resolves to {inside[0]}, an address of this "
                "machine or a private network; an administrator can allow the host in the "
                "configuration ([alerts] webhook_allowed_hosts)")
    address = addresses[0]
    shown = f"[{address}]" if ":" in address else address
    netloc = f"{shown}:{parts.port}" if parts.port else shown
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    return Target(pinned, host if not parts.port else f"{host}:{parts.port}", parts.scheme)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>``: HMAC-SHA256 with ``secret`` of ``"<timestamp>." + body``."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, given: str, body: bytes,
           now: float | None = None) -> bool:
    """Whether a received POST is genuine and fresh (what a receiver runs)."""
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs((time.time() if now is None else now) - moment) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, moment, body), given)


def _retryable(status: int) -> bool:
    return status == 429 or status >= 500


class _Deadline(Deadline):
    """The attempt's :class:`Deadline`, told of its sockets by httpcore's ``trace``
    extension as each connection is made (to the receiver or to a proxy)."""

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's trace callback: hold each socket the attempt connects."""
        if not event.endswith(".connect_tcp.complete"):
            return
        raw = info["return_value"].get_extra_info("socket")
        if isinstance(raw, socket.socket):
            self.hold(raw)


def post(url: str, body: bytes, *, content_type: str = "application/json",
         secret: str | None = None, allowed_hosts: Sequence[str] = (), attempts: int = 1,
         first_retry_seconds: float = 1.0, extra_headers: dict[str, str] | None = None,
         sleep: Callable[[float], None] = time.sleep,
         timeout_seconds: float = TIMEOUT_SECONDS) -> int:
    """POST ``body`` to a checked webhook, signed when ``secret`` is given, tried up to
    ``attempts`` times, each given ``timeout_seconds`` in all (:class:`_Deadline`); the
    number of attempts it took, or a :class:`DeliveryError` (a :class:`UsageError` for a
    URL that is refused outright)."""
    try:
        target = resolve(url, allowed_hosts)
    except UnresolvedHost as exc:  # the resolver may know it again later: not lasting
        raise DeliveryError(str(exc)) from None
    attempts = max(1, attempts)
    attempt = 0
    extensions = {"sni_hostname": target.host.split(":")[0]} \
        if target.scheme == "https" else {}
    problem, refused = "", False
    for attempt in range(1, attempts + 1):
        if attempt > 1:
            sleep(first_retry_seconds * 2 ** (attempt - 2))
        headers = {"Host": target.host, "Content-Type": content_type,
                   "User-Agent": "OmniKPI", **(extra_headers or {})}
        if secret:
            # signed per attempt: a retry carries a fresh timestamp
            stamp = int(time.time())
            headers[TIMESTAMP_HEADER] = str(stamp)
            headers[SIGNATURE_HEADER] = signature(secret, stamp, body)
        # a client per attempt: a connection kept from the last one would escape the
        # deadline, which learns the sockets as they are connected
        with _Deadline(timeout_seconds) as deadline, \
                httpx.Client(timeout=timeout_seconds, follow_redirects=False) as client:
            try:
                # streamed, and closed once the status is known: the body is not read
                with client.stream("POST", target.url, content=body, headers=headers,
                                   extensions={**extensions,
                                               "trace": deadline.trace}) as response:
                    status = response.status_code
            except httpx.HTTPError as exc:
                problem = (f"timed out: no answer within {timeout_seconds:g} s"
                           if deadline.passed or isinstance(exc, httpx.TimeoutException)
                           else str(exc) or exc.__class__.__name__)
                continue
        if status < 300:
            return attempt
        problem = f"HTTP {status}"
        refused = not _retryable(status)
        if refused:
            break
    tries = f"{attempt} attempt" + ("s" if attempt != 1 else "")
    # a 4xx answer (but 429) is the receiver's no: it will say it again
    failure = DeliveryRefused if refused else DeliveryError
    raise failure(f"webhook {target.host} failed after {tries}: {problem}")
