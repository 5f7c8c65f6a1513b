"""The lock file: the fingerprint of every published questionnaire version.

``questionnaires/published.lock`` has one line per published version, ``<id>@<version>
sha256:<hex>``. Stored assessments were scored with these versions, so a published version's
items, options and scales must never change; the check compares each definition's fingerprint
with its line here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from del_tool.questionnaires.errors import Problem

LOCK_FILE = "published.lock"

_LINE = re.compile(r"^(?P<key>[a-z][a-z0-9_]*@[0-9]+(?:\.[0-9]+)*)\s+(?P<fp>sha256:[0-9a-f]{64})$")
_HEADER = """\
# Fingerprints of published questionnaire versions: <id>@<version> sha256:<hex>.
# Written by `del-tool questionnaires publish`; checked by `del-tool questionnaires check`.
# A published version's items, options and scales never change: to change them, give the
# definition a new version and keep the old file as versions/<id>@<version>.yaml.
"""


def read_lock(path: Path) -> tuple[dict[str, str], list[Problem]]:
    """The recorded fingerprints by ``<id>@<version>``; a missing file records nothing."""
    if not path.exists():
        return {}, []
    display = str(path)
    entries: dict[str, str] = {}
    problems: list[Problem] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        match = _LINE.match(line)
        if match is None:
            reason = "expected '<id>@<version> sha256:<64 hex digits>'"
            problems.append(Problem(display, f"line {number}", reason))
        elif match["key"] in entries:
            problems.append(Problem(display, match["key"], "recorded twice", number))
        else:
            entries[match["key"]] = match["fp"]
    return entries, problems


def write_lock(path: Path, entries: Mapping[str, str]) -> None:
    """Write all entries, sorted, under the explanatory header."""
    body = "".join(f"{key} {fingerprint}\n" for key, fingerprint in sorted(entries.items()))
    path.write_text(_HEADER + body, encoding="utf-8")
