"""Helpers the accounts, KDV and loyalty report tests share (a uniquely named module; no tests in it):
the accounts tests' books (users, products 1001–1004, BAKKAL and ACME), a query for a period, and a
report's rows as dicts keyed by column."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "accounts"))  # the accounts tests' helpers
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "loyalty"))  # the loyalty tests' helpers

from accounts_support import TCKN, VKN, Books, books_fixture, make_books, post, quick_pins
from money_support import cart_of, on_account, sell

from pos_tui.core.reports import Cell, Period, Report, ReportQuery, run_report
from pos_tui.settings import Settings

__all__ = [
    "TCKN",
    "VKN",
    "Books",
    "books_fixture",
    "cart_of",
    "make_books",
    "on_account",
    "post",
    "query",
    "quick_pins",
    "report",
    "rows_of",
    "sell",
]


def query(settings: Settings, now: datetime, first: date, last: date | None = None, **kw: Any) -> ReportQuery:
    return ReportQuery(Period(first, last or first), settings.shop.timezone, now, **kw)


def report(name: str, settings: Settings, now: datetime, first: date, last: date | None = None, **kw: Any) -> Report:
    return run_report(name, query(settings, now, first, last, **kw))


def rows_of(done: Report) -> list[dict[str, Cell]]:
    keys = [c.key for c in done.columns]
    return [dict(zip(keys, row, strict=True)) for row in done.rows]


def totals_of(done: Report) -> dict[str, Cell]:
    assert done.totals is not None
    return dict(zip([c.key for c in done.columns], done.totals, strict=True))


def summary_of(done: Report) -> dict[str, Cell]:
    return {f.key: f.value for f in done.summary}
