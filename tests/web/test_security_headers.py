"""Every answer carries its security headers, and the page's inline scripts carry the very
nonce its Content-Security-Policy allows (a mismatch would silently break every chart)."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi import FastAPI
from fastapi.testclient import TestClient


def test_a_page_and_its_policy_share_one_fresh_nonce(make_app: Callable[..., FastAPI]
                                                     ) -> None:
    client = TestClient(make_app())
    first = client.get("/?lang=uk")
    assert first.status_code == 200
    policy = first.headers["content-security-policy"]
    allowed = re.search(r"script-src 'self' 'nonce-([^']+)'", policy)
    assert allowed, policy
    used = set(re.findall(r'<script nonce="([^"]+)"', first.text))
    assert used == {allowed.group(1)}
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert first.headers["cache-control"] == "no-store"
    assert first.headers["x-content-type-options"] == "nosniff"
    assert first.headers["x-frame-options"] == "DENY"
    assert first.headers["referrer-policy"] == "same-origin"
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("lang=uk;") and "Max-Age=31536000" in cookie
    assert "samesite=lax" in cookie.lower()
    second = client.get("/")
    again = re.search(r"'nonce-([^']+)'", second.headers["content-security-policy"])
    assert again and again.group(1) != allowed.group(1)
    assert "set-cookie" not in second.headers  # no ?lang=: the cookie is left alone


def test_static_files_may_be_cached_and_api_answers_may_not(make_app: Callable[..., FastAPI]
                                                           ) -> None:
    client = TestClient(make_app())
    asset = client.get("/static/style.css")
    assert asset.status_code == 200
    assert asset.headers.get("cache-control") != "no-store"
    assert asset.headers["x-content-type-options"] == "nosniff"
    answer = client.get("/api/v1/live")
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert "content-security-policy" in answer.headers
    unknown_language = client.get("/?lang=xx")
    assert "set-cookie" not in unknown_language.headers
