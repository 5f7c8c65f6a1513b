"""Input hygiene for every request: no control characters in query strings or form fields.

Text fields are validated beside each form; this catches what no form should ever receive
(NUL, escape sequences and other C0/C1 control characters, lone surrogates) before any view
runs, whatever the endpoint. PostgreSQL cannot even store NUL in text. Tab, newline and
carriage return stay allowed (notes have lines).
"""

from __future__ import annotations

import re

from flask import abort, request

FORBIDDEN_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def reject_control_characters() -> None:
    """before_request: answer 400 when a parameter or form value holds a control character."""
    for source in (request.args, request.form):
        for key, values in source.lists():
            if FORBIDDEN_CHARACTERS.search(key) or any(
                FORBIDDEN_CHARACTERS.search(value) for value in values
            ):
                abort(400)
