"""Gapless number series against their counters: receipts and Z numbers per terminal.

:func:`pos_tui.store.counters.next_value` hands out each number inside the transaction that
uses it, so on an intact database every terminal's receipts run 1..N without a gap and its
``receipt`` counter stands at N (the same for Z closures and the ``z`` counter). Someone who
deletes the last sale together with its journal entries and moves the journal head back
leaves a chain that looks whole; the counter still remembers the deleted number, and the next
sale leaves a gap. Both are reported here.

The member card series (``member``/``card``) is not checked: a generated number that a typed
card already holds is skipped on purpose, and a lost card is replaced, so its numbers are
neither gapless nor all in the ``member`` table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.i18n import _
from pos_tui.store import models as m

Report = Callable[[int | None, str], None]

RECEIPT = "receipt"
Z = "z"  # pos_tui.core.cash.closures.Z_COUNTER (the audit reads the store; cash is below it)


def _ranges(numbers: Iterator[int]) -> Iterator[tuple[int, int, int]]:
    """``(first_missing, last_missing, next_present)`` for each gap in an ascending series from 1."""
    expected = 1
    for number in numbers:
        if number > expected:
            yield expected, number - 1, number
        expected = number + 1


def _counters(name: str) -> dict[str, int]:
    C = m.Counter
    return dict(store.rows(C.select(C.scope, C.value).where(C.name == name)))


def _check_receipts(report: Report, sale_entries: dict[str, int]) -> None:
    S = m.Sale
    highest: dict[str, int] = {}
    summary = S.select(S.terminal, fn.COUNT(S.id), fn.MAX(S.receipt_no)).group_by(S.terminal).order_by(S.terminal)
    for terminal, count, top in list(store.rows(summary)):
        highest[terminal] = top
        if count == top:
            continue  # receipt numbers are unique per terminal and positive: count == max means 1..max
        numbers = S.select(S.receipt_no, S.uid).where(S.terminal == terminal).order_by(S.receipt_no)
        uids = dict(store.rows(numbers))
        for first, last, after in _ranges(iter(uids)):
            report(
                sale_entries.get(uids[after]),
                _(
                    "terminal {terminal}: receipts {first} to {last} are missing before receipt {next}: "
                    "documents were deleted"
                ).format(terminal=terminal, first=first, last=last, next=after),
            )
    _check_counter(report, RECEIPT, highest, _("receipt"))


def _check_z_counter(report: Report) -> None:
    Zc = m.ZClosure
    highest = dict(store.rows(Zc.select(Zc.terminal, fn.MAX(Zc.z_no)).group_by(Zc.terminal)))
    _check_counter(report, Z, highest, _("Z"))


def _check_counter(report: Report, name: str, highest: dict[str, int], what: str) -> None:
    counters = _counters(name)
    for terminal in sorted(set(counters) | set(highest)):
        value, top = counters.get(terminal, 0), highest.get(terminal, 0)
        if value == top:
            continue
        if value > top:
            text = _(
                "terminal {terminal}: the {what} counter is at {value} but the highest {what} number is {top}: "
                "the last documents were deleted"
            )
        else:
            text = _(
                "terminal {terminal}: the {what} counter is at {value} but the highest {what} number is {top}: "
                "the counter was moved back"
            )
        report(None, text.format(terminal=terminal, what=what, value=value, top=top))


def check_series(report: Report, sale_entries: dict[str, Any]) -> None:
    """Report gaps in each terminal's receipt numbers and counters that differ from the highest
    number used (Z gaps are reported with the Z totals). ``sale_entries`` maps a document uid to
    its journal entry id, so a gap is tied to the entry of the document after it."""
    _check_receipts(report, sale_entries)
    _check_z_counter(report)


__all__ = ["check_series"]
