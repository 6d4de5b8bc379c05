"""What every report is asked (:class:`ReportQuery`) and the filters it shares: which documents fall
in the period, on which terminal, in which store."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from peewee import SQL, Expression

from pos_tui import store
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound
from pos_tui.core.reports.period import Period
from pos_tui.i18n import _
from pos_tui.store import models as m


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """A report's inputs: the period, the shop's zone, ``now`` (when it is made: stock and account
    figures "as of" it, the JSON's ``generated_at``), the terminal and store filters (``None``: all)
    and the report's own options (``{"against": "last-year"}``, see each report's ``OPTIONS``)."""

    period: Period
    tz: str
    now: datetime
    terminal: str | None = None
    store: str | None = None
    options: Mapping[str, str] = field(default_factory=dict)

    def filters(self) -> dict[str, str | None]:
        """The filters as the report (and its JSON) records them."""
        return {"terminal": self.terminal, "store": self.store, **dict(self.options)}


def terminal_on_record(terminal: str) -> bool:
    """Whether ``terminal`` is one the reports can be asked about: something happened there (a PIN
    typed, a shift, a sale, a Z) or it has a stock location of its own (``stock assign-terminal``: a
    back-office terminal or a new till, whose stock reports have figures before it ever sold). An
    id that is neither is a typo, refused rather than answered with zeros."""
    from pos_tui.core import staff

    return staff.terminal_known(terminal) or (
        m.TerminalLocation.select().where(m.TerminalLocation.terminal == terminal).exists()
    )


def store_terminals(code: str) -> tuple[set[str], bool]:
    """The terminals that sell from store ``code``'s locations, and whether terminals without a
    location of their own (which sell from the default location) belong to it too.

    An unknown store is refused (a typo, not zeros)."""
    if not m.Store.select().where(m.Store.code == code).exists():
        raise NotFound(_("No store {code}").format(code=code))
    L, T = m.StockLocation, m.TerminalLocation
    terminals = {t for (t,) in store.rows(T.select(T.terminal).join(L).where(L.store == code))}
    default_here = L.select().where(L.is_default & (L.store == code)).exists()
    return terminals, default_here


def sale_where(query: ReportQuery) -> Expression:
    """The :class:`m.Sale` rows (sales and returns) of the query: posted in its period, on its
    terminal, in its store."""
    S = m.Sale
    start, end = query.period.bounds(query.tz)
    where: Expression = (S.at >= to_db(start)) & (S.at < to_db(end))
    where &= terminal_where(S.terminal, query)
    return where


def terminal_where(column: Any, query: ReportQuery) -> Any:
    """``column`` (a terminal id column of any table) restricted to the query's terminal and store
    (always true without them)."""
    where: Any = SQL("1 = 1")
    if query.terminal is not None:
        where = column == query.terminal
    if query.store is not None:
        terminals, default_here = store_terminals(query.store)
        if default_here:
            others = m.TerminalLocation.select(m.TerminalLocation.terminal)
            where &= column.in_(sorted(terminals)) | column.not_in(others)
        else:
            where &= column.in_(sorted(terminals))
    return where
