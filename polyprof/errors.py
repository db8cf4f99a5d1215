"""The one error type that crosses polyprof's public boundary.

Every failure a user can cause (a bad file, a bad flag, a broken submission) is
raised as `PolyprofError`; the task layer turns it into one line on stderr and
exit code 2. Anything else escaping is a bug in polyprof, not in the input.
"""

from __future__ import annotations

from pathlib import Path


class PolyprofError(Exception):
    """A problem with the user's input or environment, stated for a human."""

    def __init__(self, problem: str, path: str | Path | None = None, hint: str = "") -> None:
        self.problem = problem
        self.path = None if path is None else str(path)
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        where = f"{self.path}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"polyprof: {where}{self.problem}{tail}"


class ProfileError(PolyprofError):
    """A profile file that cannot be read as what it claims to be."""


class IncompleteProfileError(ProfileError):
    """A profile cut short: the program never stopped its profiler or was killed."""
