"""Free text as DEL stores it: one cleaning rule for every form and every service.

`clean_text` is the filter of every free-text form field (`del_tool.forms.text_field`) and
`is_blank` the check services make for callers other than a form: text that is only spaces,
invisible characters or blank-looking fillers is no text at all, so a goal or a citizen can
never get a name that shows as nothing.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

#: Characters that show as nothing although `str.isspace()` says they are not space: the Braille
#: blank and the Hangul fillers.
_BLANK_LOOKING = frozenset("\u2800\u115f\u1160\u3164\uffa0")
#: Control characters (all but tab, line feed and carriage return). Requests with them are
#: refused before any view (`del_tool.security.inputs`); this covers callers other than forms.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _is_invisible(char: str) -> bool:
    """Space, a format character (zero-width space, BOM, soft hyphen, ...) or a blank filler."""
    return char.isspace() or unicodedata.category(char) == "Cf" or char in _BLANK_LOOKING


def clean_text(value: Any) -> Any:
    """Filter: drop control characters, make line ends plain (\\n) and trim invisible edges.

    Line ends are made plain because browsers send a textarea's line breaks as \\r\\n: a note
    the page counts as 4,000 characters must be 4,000 characters here too. Anything that is
    not a string (no data posted) is returned as it is.
    """
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    start, end = 0, len(text)
    while start < end and _is_invisible(text[start]):
        start += 1
    while end > start and _is_invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def is_blank(value: str | None) -> bool:
    """Whether `value` is empty once cleaned (only spaces and invisible characters)."""
    return not clean_text(value or "")
