"""Alert webhooks that cannot be turned against the server's own network.

A supervisor names a URL and the server POSTs to it when an alert fires. Unchecked, that
is a way to make the server call ``127.0.0.1``, the cloud metadata address or a database
on the private network (server-side request forgery). So a target must resolve to public
addresses only — loopback, link-local, private, shared, reserved and multicast ranges are
refused — unless an administrator lists its host in the configuration
(``[alerts] webhook_allowed_hosts``). The address is resolved once and the request goes
to that address (the host name still sent as ``Host`` and, for https, as the TLS server
name), so a name that re-resolves to an internal address between the check and the call
gains nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from omnikpi.errors import UsageError

TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Target:
    url: str
    """The URL with the checked address in place of the host name."""
    host: str
    scheme: str


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(url: str, allowed_hosts: Sequence[str] = ()) -> Target:
    """The checked target of a webhook URL, or a usage error that says why not."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("a webhook must be an http(s) URL with a host")
    if parts.username or parts.password:
        raise UsageError("a webhook URL cannot carry a user name or password")
    host = parts.hostname
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UsageError(f"webhook host {host!r} cannot be resolved ({exc})") from None
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


def post(url: str, payload: dict[str, Any], allowed_hosts: Sequence[str] = ()) -> str | None:
    """POST ``payload`` to a checked webhook; the error as text, or None when delivered."""
    try:
        target = resolve(url, allowed_hosts)
        extensions = {"sni_hostname": target.host.split(":")[0]} \
            if target.scheme == "https" else {}
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False) as client:
            response = client.post(target.url, json=payload, headers={"Host": target.host},
                                   extensions=extensions)
    except UsageError as exc:
        return str(exc)
    except httpx.HTTPError as exc:
        return str(exc) or exc.__class__.__name__
    return f"HTTP {response.status_code}" if response.status_code >= 300 else None
