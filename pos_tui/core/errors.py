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
    """An import file had bad rows; nothing was imported. ``errors`` lists every bad row."""

    def __init__(self, source: str, errors: list[RowError]) -> None:
        head = _("{source}: {n} bad row(s), nothing imported").format(source=source, n=len(errors))
        super().__init__(head + "\n" + "\n".join(f"{source}: {e}" for e in errors))
        self.source = source
        self.errors = errors
