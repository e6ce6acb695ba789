"""Interface languages (English, Russian, Ukrainian) from gettext catalogs read with Babel.

The language comes from ``?lang=`` (remembered in a cookie), else the cookie, else the
browser's Accept-Language. Metric names come translated in the KPI declarations
(``Metric.names``), which stay the single source of names; the catalogs hold the
interface's own strings.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po
from fastapi import Request

from omnikpi.metrics.base import all_metrics

LANGUAGES = ("en", "ru", "uk")
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


@lru_cache(maxsize=8)
def _messages(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / lang / "messages.po"
    if lang == "en":
        return {}
    messages: dict[str, str] = {}
    if path.exists():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        messages = {str(m.id): str(m.string) for m in catalog if m.id and m.string}
    return {**messages, **metric_names(lang)}


def metric_names(lang: str) -> dict[str, str]:
    """English metric name → its name in ``lang``, from the declarations."""
    return {m.name: m.names[lang] for m in all_metrics() if lang in m.names}


def translator(lang: str) -> Callable[[str], str]:
    messages = _messages(lang)
    return lambda text: messages.get(text, text)


def choose_language(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get("lang")
    if asked in LANGUAGES:
        return asked
    header = request.headers.get("accept-language", "")
    for part in header.split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGUAGES:
            return code
    return "en"


def template_context(request: Request) -> dict[str, object]:
    lang = choose_language(request)
    principal = getattr(request.state, "principal", None)
    state = getattr(request.app.state, "omnikpi", None)
    return {"_": translator(lang), "lang": lang, "languages": LANGUAGES, "user": principal,
            "csrf_token": getattr(principal, "csrf_token", None) or "",
            "auth": bool(getattr(state, "auth", False)),
            "csp_nonce": getattr(request.state, "csp_nonce", "")}
