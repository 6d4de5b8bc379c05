"""The cheques-and-notes part of ``pos-admin audit verify`` (called by :func:`check_accounts`)."""

from __future__ import annotations

from collections.abc import Callable

Add = Callable[[int | None, str], None]


def check_cheques(add: Add) -> None:
    """Every cheque's status agrees with its events; every event equals its journal entry."""
    return None
