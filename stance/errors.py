"""One family of user-facing errors.

Library code raises these and never prints or exits; the command line turns
them into one readable line and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass


class StanceError(Exception):
    """An error the user can act on: what went wrong and what to do."""

    exit_code = 2

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class InputError(StanceError):
    """An article could not be read."""


class ModelError(StanceError):
    """A model file is missing, corrupt, or does not match its card."""


@dataclass(frozen=True)
class Problem:
    """One located problem in a rule or label file."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""
    rule_id: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}:"
        who = f" {self.rule_id}:" if self.rule_id else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{who} {self.message}{tail}"


class ProblemsError(StanceError):
    """Every problem found in a set of files, reported at once."""

    def __init__(self, problems: list[Problem], what: str) -> None:
        self.problems = tuple(problems)
        super().__init__(f"{len(problems)} problem(s) in {what}", "fix them and run again")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class RuleError(ProblemsError):
    """Rule files failed validation."""


class LabelError(ProblemsError):
    """Label files failed validation."""
