"""A text made from a ``str.format`` template, read back into the template's fields.

Problems and import reasons are written in English where they are found (the command
line, files that scripts read); a page in another language reads the English text back
against the template it was made from and fills the translated template with the same
fields. This is the one place where a template becomes the pattern that reads it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from string import Formatter

Translate = Callable[[str], str]
"""A page's ``_``: English text to the page's language."""


def template_pattern(template: str, fields: Mapping[str, str],
                     any_text: str = ".*?") -> re.Pattern[str]:
    """The regular expression that reads ``template``'s fields out of a text made from
    it: a field named in ``fields`` takes that pattern, any other ``any_text``."""
    regex = ""
    for literal, field, _, _ in Formatter().parse(template):
        regex += re.escape(literal)
        if field is not None:
            regex += f"(?P<{field}>{fields.get(field, any_text)})"
    return re.compile(regex, re.DOTALL)


class TemplateReader:
    """Reads texts back against templates whose fields take the shapes ``fields`` gives
    (any other field: any text), each template's pattern compiled once."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        self.fields = dict(fields)
        self._compiled: dict[str, re.Pattern[str]] = {}

    def pattern(self, template: str) -> re.Pattern[str]:
        found = self._compiled.get(template)
        if found is None:
            found = self._compiled[template] = template_pattern(template, self.fields)
        return found

    def read_back(self, text: str, templates: Iterable[str]
                  ) -> tuple[str, dict[str, str]] | None:
        """The first of ``templates`` ``text`` was made from and its fields' values; None
        when it was made from none."""
        for template in templates:
            found = self.pattern(template).fullmatch(text)
            if found is not None:
                return template, found.groupdict()
        return None
