"""A text made from a ``str.format`` template, read back into the template's fields.

Problems and import reasons are written in English where they are found (the command
line, files that scripts read); a page in another language reads the English text back
against the template it was made from and fills the translated template with the same
fields. This is the one place where a template becomes the pattern that reads it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from string import Formatter


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
