"""The error hierarchy. Every message is written for the person at the till.

The TUI shows ``str(error)``; the CLI prints it to stderr and exits with ``exit_code``.
"""

from __future__ import annotations

from dataclasses import dataclass

from pos_tui.i18n import _


class PosError(Exception):
    """Base of every expected failure: a readable message, never a traceback for the user."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(PosError):
    """Input is wrong (a bad barcode, amount, quantity...)."""


class InsufficientPoints(ValidationError):
    """A member has fewer available points than asked for (pending points never count)."""


class NotFound(PosError):
    """A product, user, receipt... does not exist."""


class PermissionDenied(PosError):
    """The user may not do this; a manager override (supervisor PIN) may allow it once."""

    def __init__(self, message: str, permission: str) -> None:
        super().__init__(message)
        self.permission = permission


class AuthenticationFailed(PosError):
    """Wrong PIN."""


class LockedOut(PosError):
    """Too many wrong PINs on this terminal; ``until`` says when it unlocks."""

    def __init__(self, message: str, until: object) -> None:
        super().__init__(message)
        self.until = until


class StateError(PosError):
    """The action does not fit the current state (no open shift, day already closed...)."""


class IntegrityError(PosError):
    """Stored data does not match its journal: something was changed outside pos_tui."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One bad row of an import file: where it is and why it is bad."""

    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return _("line {line}, {field}: {reason}").format(line=self.line, field=self.field, reason=self.reason)


class ImportRejected(ValidationError):
    """An import file had bad rows; nothing was imported. ``errors`` lists every problem.

    The summary counts bad *rows* (distinct lines), not problems: a row with a bad price and
    a bad unit is one bad row with two lines of detail. An empty file is not a bad row at
    all; :meth:`empty` says so in its own words.
    """

    def __init__(self, source: str, errors: list[RowError], *, summary: str | None = None) -> None:
        """``summary`` (for a file-wide problem) replaces the count and the list of problems."""
        if summary is None:
            rows = len({e.line for e in errors})
            head = _("{source}: {n} bad row(s), nothing imported").format(source=source, n=rows)
            summary = head + "".join(f"\n{source}: {e}" for e in errors)
        super().__init__(summary)
        self.source = source
        self.errors = errors

    @classmethod
    def empty(cls, source: str) -> ImportRejected:
        """The file has nothing in it (no header, no rows): said as such, not as a bad row."""
        return cls(
            source,
            [RowError(1, "-", _("the file is empty"))],
            summary=_("{source}: the file is empty, there are no rows to import").format(source=source),
        )
