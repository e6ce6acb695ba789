"""Why an import left a line out (and why a file is not read), in the page's language.

``rejects.csv`` keeps each reason in English, made from a template of
:mod:`omnikpi.schema.reject_reasons`; a Russian or Ukrainian data-quality page showed
those reasons in English among translated headings. Here a reason (or its kind, the part
before its particulars that the page counts by) is read back against those templates and
the translated template is filled with the same fields. The source's own text (an event
name, a value) and a reader's message (DuckDB's, the JSON parser's) stay as written; a
reason made from no template stays English and the page marks it so (``lang="en"``).
The data-quality page's list of files no table reads is translated the same way, from
the templates of :data:`omnikpi.schema.files.UNREAD_TEMPLATES`.
"""

from __future__ import annotations

import re

from omnikpi.schema import reject_reasons as said
from omnikpi.schema.files import UNREAD_TEMPLATES
from omnikpi.web.template_reading import TemplateReader, Translate

FIELD_PATTERNS: dict[str, str] = {
    "event": r"\S+",
    "kind": "|".join(re.escape(kind) for kind in said.CSV_KINDS),
    "reason": ".+",
    "message": ".*",
    "field": r"\[fields\] [a-z_]+|skip_when",
    "table": r"[a-z_]+",
    "formats": r"\.[a-z.]+(?:, \.[a-z.]+)*",
}
"""Fields that take only known shapes; any other field is any text (the source's)."""


READER = TemplateReader(FIELD_PATTERNS)


def _bare(template: str) -> str | None:
    """The field a template is made of alone (``{kind}``), if it is."""
    found = re.fullmatch(r"\{(\w+)\}", template)
    return found[1] if found else None


def _kinds() -> tuple[str, ...]:
    """The templates of the reasons' kinds (what the page counts by): each template up to
    its particulars, where no whole template reads it already. A bare field is a kind
    only when its field takes known words (``{kind}``: "too many columns"); ``{reason}``
    would read every text."""
    found: list[str] = []
    for template in said.TEMPLATES:
        kind = said.kind_of(template)
        bare = _bare(kind)
        if kind in found or (bare is not None and bare != "kind") \
                or READER.read_back(kind, said.TEMPLATES) is not None:
            continue
        found.append(kind)
    return tuple(found)


KINDS = _kinds()


def msgids() -> set[str]:
    """Every text of ours a translated reason is made of (for the catalogs' check)."""
    return {t for t in (*said.TEMPLATES, *KINDS, *said.CSV_KINDS, *UNREAD_TEMPLATES)
            if _bare(t) is None}


def read_back(reason: str, templates: tuple[str, ...] = (*said.TEMPLATES, *KINDS)
              ) -> tuple[str, dict[str, str]] | None:
    """The template (of a whole reason or of a kind, by default) ``reason`` was made from
    and its fields' values; None when it was made from none."""
    return READER.read_back(reason, templates)


def translated_reason(reason: str, _: Translate) -> str | None:
    """``reason`` (or a reason's kind) in the language of ``_``; None when it was made
    from no template (it is shown as it is, in English)."""
    found = read_back(reason)
    if found is None:
        return None
    template, fields = found
    if "reason" in fields:  # "{reason} (not valid UTF-8)": the reason inside is ours too
        inner = translated_reason(fields["reason"], _)
        if inner is None:
            return None
        fields["reason"] = inner
    if "kind" in fields:
        fields["kind"] = _(fields["kind"])
    return _(template).format(**fields)


def translated_unread(why: str, _: Translate) -> str | None:
    """Why a file is not read, in the language of ``_`` (None: shown in English)."""
    found = read_back(why, UNREAD_TEMPLATES)
    return None if found is None else _(found[0]).format(**found[1])
