"""Alert webhooks cannot reach this machine or a private network (server-side request
forgery) unless an administrator allows the host; the address is checked once and used."""

from __future__ import annotations

import pytest

from omnikpi.errors import UsageError
from omnikpi.live.webhooks import post, resolve


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook", "http://localhost/hook", "http://[::1]/hook",
    "http://10.1.2.3/hook", "http://192.168.0.10/hook", "http://172.16.5.4/hook",
    "http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/hook",
    "http://0.0.0.0/hook", "http://[::ffff:127.0.0.1]/hook", "http://224.0.0.1/hook",
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
    target = resolve("https://93.184.216.34:8443/hooks/alert?token=abc")
    assert target.url == "https://93.184.216.34:8443/hooks/alert?token=abc"
    assert target.host == "93.184.216.34:8443" and target.scheme == "https"
    allowed = resolve("http://127.0.0.1:9000/hook", allowed_hosts=["127.0.0.1"])
    assert allowed.url == "http://127.0.0.1:9000/hook"
