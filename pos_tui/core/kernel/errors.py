"""The error hierarchy. Every message is written for the person at the till.

The TUI shows ``str(error)``; the CLI prints it to stderr and exits with ``exit_code``.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass
from pathlib import Path

from pos_tui.i18n import N_, _
from pos_tui.store import db as store_db
from pos_tui.store.db import StorageFault
from pos_tui.store.outbox import refused_at_centre


class PosError(Exception):
    """Base of every expected failure: a readable message, never a traceback for the user."""

    exit_code = 1
    till_message: str | None = None
    """The words for the cashier when they differ from ``message`` (which may name a ``pos-admin``
    command or a setting for whoever runs it); the till shows this one when set."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def for_till(self) -> str:
        """What the till shows: ``till_message`` when set, else ``message``."""
        return self.till_message or self.message


class ValidationError(PosError):
    """Input is wrong (a bad barcode, amount, quantity...)."""


class InsufficientPoints(ValidationError):
    """A member has fewer available points than asked for (pending points never count)."""


class NotFound(PosError):
    """A product, user, receipt... does not exist."""


class PermissionDenied(PosError):
    """The user may not do this; a manager override (supervisor PIN) may allow it once.

    ``message`` is what the till says (it may end with the way out, "a supervisor's PIN is
    needed"); ``reason``, when given, is the refusal alone, for a caller that offers another way
    out (the command line: ``--user NAME``)."""

    def __init__(self, message: str, permission: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        self.permission = permission
        self.reason = reason


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
        """The row error as a person reads it: the field in the shop's words (``miktar``, not
        ``qty``); JSON output keeps the field's code."""
        from pos_tui.core.kernel.vocabulary import field_label

        return _("line {line}, {field}: {reason}").format(
            line=self.line, field=field_label(self.field), reason=self.reason
        )


class ImportRejected(ValidationError):
    """An import file had bad rows; nothing was imported. ``errors`` lists every problem.

    The summary counts bad *rows* (distinct lines), not problems: a row with a bad price and
    a bad unit is one bad row with two lines of detail. An empty file is not a bad row at
    all; :meth:`empty` says so in its own words.
    """

    # The message lists this many problems at most (``errors`` keeps them all, for ``--json``):
    # a wrong file can have a bad row on every line, and a person fixes the pattern from the first.
    SHOWN = 1000

    def __init__(self, source: str, errors: list[RowError], *, summary: str | None = None) -> None:
        """``summary`` (for a file-wide problem) replaces the count and the list of problems."""
        if summary is None:
            from pos_tui.core.kernel.formatting import format_decimal

            rows = len({e.line for e in errors})
            head = _("{source}: {n} bad row(s), nothing imported").format(source=source, n=format_decimal(rows))
            summary = head + "".join(f"\n{source}: {e}" for e in errors[: self.SHOWN])
            if len(errors) > self.SHOWN:
                more = format_decimal(len(errors) - self.SHOWN)
                summary += "\n" + _("{source}: {n} more problem(s) not shown").format(source=source, n=more)
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


class StorageFailed(PosError):
    """The database file could not be used (a disk error); ``fault`` is what the store saw."""

    def __init__(self, message: str, fault: StorageFault) -> None:
        super().__init__(message)
        self.fault = fault


class DiskFull(StorageFailed):
    """The disk filled up: SQLite rolled the whole transaction back, so nothing of it was written."""


class DatabaseDamaged(StorageFailed):
    """The database file fails its integrity check (or cannot be read as a database): nothing
    may be written to it. ``backup`` is the last good backup found, if any."""

    def __init__(self, message: str, fault: StorageFault, backup: Path | None) -> None:
        super().__init__(message, fault)
        self.backup = backup


def _what_sqlite_found(detail: str) -> str:
    """What SQLite found, in the shop's words: SQLite speaks English, and its full account
    (page numbers, cells) fills a till's 80 columns; the file, the backup and the command to
    restore it matter more. ``PRAGMA integrity_check`` gives the full account."""
    low = detail.lower()
    if "not a database" in low:
        return _("it is not a database file")
    if "malformed" in low:
        return _("its structure is broken")
    if "could not decode" in low or "utf-8" in low:
        return _("it holds text that is not UTF-8")
    return _("some of its pages are broken")


def storage_error(fault: StorageFault, backups: Path | None = None) -> StorageFailed:
    """The error a person reads for ``fault``: what happened, to which file, and what to do.
    ``backups``: the shop's backup folder (default: the one the database was opened with)."""
    path = fault.path or "-"
    if fault.kind == store_db.FULL:
        return DiskFull(
            _("disk full: nothing was written to {path}; free space and try again").format(path=path), fault
        )
    if fault.kind == store_db.DAMAGED:
        folder = backups or store_db.backup_dir
        backup = store_db.last_good_backup(folder, fault.path) if folder is not None else None
        detail = _what_sqlite_found(fault.detail)
        if backup is not None:
            text = _(
                "the database {path} is damaged ({detail}); pos_tui will not work on it. "
                "Last good backup: {backup}; restore it with: pos-admin --db {path} restore {backup} "
                "(see docs/recovery.md)"
            ).format(path=path, detail=detail, backup=backup)
        else:
            text = _(
                "the database {path} is damaged ({detail}); pos_tui will not work on it. "
                "No good backup of it found in {folder}; see docs/recovery.md"
            ).format(path=path, detail=detail, folder=folder or "-")
        return DatabaseDamaged(text, fault, backup)
    return StorageFailed(
        _("the disk failed reading or writing {path}; check the disk and try again").format(path=path),
        fault,
    )


def centre_ledger_error() -> StateError:
    """A ledger row written on a chain's centre (refused there: docs/sync-ops.md, "Setting up a centre")."""
    return StateError(
        _(
            "This database is the centre of a chain: points, balance and stock movements are recorded at a "
            "terminal (for example in a database that joined as the head office's terminal: pos-admin sync "
            "init … --terminal OFIS)"
        )
    )


def as_pos_error(exc: BaseException) -> PosError | None:
    """``exc`` itself when it is a PosError, the storage error behind it (a full disk, a
    damaged file, a failed rollback hiding either), or None for anything else (a bug)."""
    if isinstance(exc, PosError):
        return exc
    if refused_at_centre(exc):
        return centre_ledger_error()
    fault = store_db.storage_fault(exc)
    return storage_error(fault) if fault is not None else None


store_db.fault_error = storage_error


# An operating system's error by its errno, in the shop's language (the system's own text is English:
# "Connection refused" inside a Turkish sentence reads as a fault of its own)
_OS_REASONS = {
    errno.ENOENT: N_("no such file or folder"),
    errno.EACCES: N_("permission denied"),
    errno.EPERM: N_("permission denied"),
    errno.EISDIR: N_("it is a folder"),
    errno.ENOTDIR: N_("a part of the path is not a folder"),
    errno.ENOSPC: N_("the disk is full"),
    errno.EROFS: N_("the disk is read-only"),
    errno.EEXIST: N_("it already exists"),
    errno.ECONNREFUSED: N_("the connection was refused (nothing listens there)"),
    errno.ECONNRESET: N_("the connection was cut by the other side"),
    errno.ETIMEDOUT: N_("no answer in time"),
    errno.EHOSTUNREACH: N_("the host cannot be reached"),
    errno.ENETUNREACH: N_("the network cannot be reached"),
    errno.EADDRINUSE: N_("the address is already in use by another program"),
    errno.EADDRNOTAVAIL: N_("this machine has no such address"),
}


def os_error_text(exc: BaseException) -> str:
    """Why ``exc`` (an :class:`OSError`: a file, a socket) happened, in the shop's language: the
    meaning of its errno, a name that does not resolve, a time-out; its code when none of those."""
    if isinstance(exc, socket.gaierror):
        return _("the name cannot be found (check the host name)")
    if isinstance(exc, TimeoutError) and getattr(exc, "errno", None) is None:
        return _("no answer in time")
    code = getattr(exc, "errno", None)
    label = _OS_REASONS.get(code or 0)
    if label is not None:
        return _(label)
    if code is None:
        return _("system error")
    return _("system error {code}").format(code=code)
