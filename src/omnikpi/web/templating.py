"""The Jinja templates every page renders with (translations and the caller in context)."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from omnikpi.web.i18n import template_context

templates = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"),
                            context_processors=[template_context])
