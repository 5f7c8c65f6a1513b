"""Errors of the questionnaire engine: definition problems, invalid answers, unknown ids."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a definition, overlay or lock file, in words a person can act on."""

    file: str
    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        """``<file>: <field.path>: <reason>``, with the YAML line when it is known."""
        where = f" (line {self.line})" if self.line is not None else ""
        return f"{self.file}: {self.path}: {self.reason}{where}"


class DefinitionError(Exception):
    """Definitions that cannot be used; ``str(err)`` has one line per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class InvalidAnswers(ValueError):  # noqa: N818 - name fixed by the public contract
    """Answers that do not fit a definition: an unknown item or a value not among its options."""


class UnknownQuestionnaireError(KeyError):
    """No questionnaire (or no such version of one) in the registry."""

    def __str__(self) -> str:
        """The message itself, not KeyError's quoted repr."""
        return str(self.args[0]) if self.args else "unknown questionnaire"
