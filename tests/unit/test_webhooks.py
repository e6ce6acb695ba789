"""Alert webhooks cannot reach this machine or a private network (server-side request
forgery) unless an administrator allows the host; the address is checked once and used."""

from __future__ import annotations

import pytest

from omnikpi.delivery import DeliveryError
from omnikpi.delivery.webhook import post as deliver
from omnikpi.errors import UsageError
from omnikpi.live.webhooks import post, resolve


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://[::1]/hook",
    "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://172.16.5.4/hook",
    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/hook",
    "http://0.0.0.0/hook", "http://[::ffff:127.0.0.1]/hook", "http://224.0.0.1/hook",
    # IPv6 forms that carry 127.0.0.1 (IPv4-compatible, NAT64, 6to4) passed as global
    "http://[::127.0.0.1]/hook", "http://[64:ff9b::7f00:1]/hook",
    "http://[2002:7f00:1::]/hook", "http://[64:ff9b::a01:203]/hook",
    # SIIT's IPv4-translated form, the local-use NAT64 prefix (whatever it carries) and
    # the IETF protocol block passed as global too
    "http://[::ffff:0:7f00:1]/hook", "http://[::ffff:0:a00:1]/hook",
    "http://[64:ff9b:1::7f00:1]/hook", "http://[64:ff9b:1:7f00:1::]/hook",
    "http://[64:ff9b:1::5db8:d822]/hook", "http://192.0.0.8/hook",
    "http://[::ffff:0:c000:8]/hook",
])
def test_internal_targets_are_refused(url: str) -> None:
    with pytest.raises(UsageError, match="webhook_allowed_hosts"):
        resolve(url)
    assert post(url, {"x": 1}) is not None  # refused at delivery too, without a request


@pytest.mark.parametrize("url", ["ftp://93.184.216.34/x", "http:///path",
                                 "https://user:secret@93.184.216.34/hook"])
def test_only_plain_http_urls(url: str) -> None:
    with pytest.raises(UsageError):
        resolve(url)


def test_a_public_address_is_pinned_and_an_allowed_host_passes() -> None:
    for carried in ("http://[64:ff9b::5db8:d822]/hook", "http://[2002:5db8:d822::1]/hook",
                    "http://[::ffff:0:5db8:d822]/hook"):
        assert resolve(carried).url == carried  # 93.184.216.34 through NAT64, 6to4, SIIT
    target = resolve("https://93.184.216.34:8443/hooks/alert?token=abc")
    assert target.url == "https://93.184.216.34:8443/hooks/alert?token=abc"
    assert target.host == "93.184.216.34:8443" and target.scheme == "https"
    allowed = resolve("http://127.0.0.1:9000/hook", allowed_hosts=["127.0.0.1"])
    assert allowed.url == "http://127.0.0.1:9000/hook"


def test_a_host_the_resolver_does_not_know_is_refused_when_given_and_retried_when_sent(
        ) -> None:
    """``.invalid`` never resolves (RFC 2606). Given as a schedule's or a rule's target it
    is a usage error (a typo); met by a delivery it is a delivery failure, tried again
    later — a scheduled report whose host's record was away for a moment was given up
    at the first try (a usage error counts as lasting)."""
    with pytest.raises(UsageError, match="cannot be resolved"):
        resolve("http://bi-gateway.invalid/hook")
    with pytest.raises(DeliveryError, match="cannot be resolved") as refused:
        deliver("http://bi-gateway.invalid/hook", b"{}", attempts=1)
    assert not isinstance(refused.value, UsageError)
