"""Helpers of the report screen's newcomer tests (test_rtui3_*): stand-in reports with small
concrete numbers (a wide one, a heat map, a two-row aging with five series, many headline figures),
choosing a report from the list, and reading what the table shows on the terminal."""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from pos_tui.core.reports import Chart, Column, Figure, Report, ReportQuery, format_cell, new_report
from pos_tui.tui.widgets.report_table import ReportTable

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
HOURS = [f"{h:02}" for h in range(24)]
WEEKS = [f"Week {n}" for n in range(1, 11)]


def install(monkeypatch: pytest.MonkeyPatch, name: str, build: Callable[[ReportQuery], Report]) -> None:
    """Report ``name`` of the catalogue is made by ``build`` for this test."""
    module = types.ModuleType(f"pos_tui.core.reports.{name.replace('-', '_')}")
    module.build = build  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)


def wide_products(query: ReportQuery) -> Report:
    """Sales by product over ten weeks: three products, ten money columns of four-digit amounts
    (wider than 80 columns), a totals row."""
    columns = (
        Column("code", "Code", "text"),
        Column("name", "Product", "text"),
        *(Column(f"w{n}", week, "money") for n, week in enumerate(WEEKS, 1)),
    )
    rows = tuple(
        (code, name, *(Decimal(1000 * (p + 1) + n) + Decimal("0.50") for n in range(10)))
        for p, (code, name) in enumerate([("1001", "Ekmek"), ("1002", "Süt 1 L"), ("1003", "Çay 500 g")])
    )
    totals = (None, None, *(sum((r[2 + n] for r in rows), Decimal(0)) for n in range(10)))
    return new_report(
        "sales-by-product",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        chart=Chart("bar", "name", ("w1",), "Week 1"),
    )


def busy_heatmap(query: ReportQuery) -> Report:
    """Sales by hour and weekday: every day sells from 09 to 18 (1.176,50 at 12:00, 100,00 the
    other hours), Saturday the most (4.541,64 at 18:00); Sunday 10:00 is a return only (-20,00)."""
    columns = (
        Column("weekday", "Weekday", "text"),
        *(Column(f"h{h}", h, "money") for h in HOURS),
        Column("total", "Total", "money"),
    )
    rows = []
    for day in WEEKDAYS:
        cells = [Decimal(0)] * 24
        for hour in range(9, 19):
            cells[hour] = Decimal("100.00")
        cells[12] = Decimal("1176.50")
        if day == "Sat":
            cells[18] = Decimal("4541.64")
        if day == "Sun":
            cells[10] = Decimal("-20.00")
        rows.append((day, *cells, sum(cells, Decimal(0))))
    totals = (None, *(sum((r[1 + h] for r in rows), Decimal(0)) for h in range(25)))
    return new_report(
        "sales-heatmap",
        query,
        columns=columns,
        rows=tuple(rows),
        totals=totals,
        summary=(Figure("net", "Net sales", totals[-1], "money"),),
        chart=Chart("heatmap", "weekday", tuple(f"h{h}" for h in HOURS), "Net sales by hour"),
    )


BUCKETS = ["Not due", "1–30 days", "31–60 days", "61–90 days", "Over 90 days"]


def two_debtors(query: ReportQuery) -> Report:
    """Receivables aging: C0001 owes 1.250,00 31–60 days overdue and 2.242,63 not yet due;
    M0003 220,00 1–30 days overdue; nothing else (the zero bars)."""
    columns = (
        Column("code", "Code", "text"),
        Column("name", "Name", "text"),
        Column("balance", "Balance", "money"),
        *(Column(f"b{n}", label, "money") for n, label in enumerate(BUCKETS)),
    )
    zero = Decimal("0.00")
    rows = (
        ("C0001", "Güneş Lokantası", Decimal("3492.63"), Decimal("2242.63"), zero, Decimal("1250.00"), zero, zero),
        ("M0003", "İbrahim Çelik", Decimal("220.00"), zero, Decimal("220.00"), zero, zero, zero),
    )
    totals = (None, None, *(sum((r[n] for r in rows), Decimal(0)) for n in range(2, 8)))
    return new_report(
        "receivables-aging",
        query,
        columns=columns,
        rows=rows,
        totals=totals,
        chart=Chart("bar", "code", tuple(f"b{n}" for n in range(5)), "By days overdue"),
    )


def ten_weeks(query: ReportQuery) -> Report:
    """Collections forecast: ten weeks of incoming 100,00 × n and outgoing 50,00."""
    columns = (Column("week", "Week", "text"), Column("in", "Incoming", "money"), Column("out", "Outgoing", "money"))
    rows = tuple((week, Decimal(100 * n), Decimal(50)) for n, week in enumerate(WEEKS, 1))
    return new_report(
        "collections-forecast",
        query,
        columns=columns,
        rows=rows,
        chart=Chart("bar", "week", ("in", "out"), "Incoming and outgoing"),
    )


FIGURES = [
    ("Returns", 7, "int"),
    ("Refunded", Decimal("181.68"), "money"),
    ("Cancelled receipts", 2, "int"),
    ("Cancelled receipt amount", Decimal("1234.56"), "money"),
    ("Voided lines", 3, "int"),
    ("Voided line amount", Decimal("45.90"), "money"),
    ("Receipts without a customer", 12, "int"),
    ("Largest single refund", Decimal("73.02"), "money"),
]


def many_figures(query: ReportQuery) -> Report:
    """Returns and voids with eight headline figures (more than two lines of 80 columns hold)."""
    columns = (Column("cashier", "Cashier", "text"), Column("returned", "Refunded", "money"))
    return new_report(
        "returns",
        query,
        columns=columns,
        rows=(("ayse", Decimal("108.66")), ("mehmet", Decimal("73.02"))),
        summary=tuple(Figure(f"f{n}", label, value, kind) for n, (label, value, kind) in enumerate(FIGURES)),  # type: ignore[arg-type]
        notes=("Cancelled receipts and lines were never sold: they are not in net sales.",),
    )


def figure_texts() -> list[str]:
    """``label: value`` of each of :data:`FIGURES` as the screen writes them (English, as the tests run)."""
    return [f"{label}: {format_cell(value, kind, 'en')}" for label, value, kind in FIGURES]  # type: ignore[arg-type]


async def choose(pilot: Pilot[None], till: Any, name: str) -> None:
    """F2, highlight report ``name`` in the list, Enter: the report made."""
    await pilot.press("f2")
    await till.settle(pilot)
    listing = pilot.app.screen.query_one("#report-list", OptionList)
    listing.highlighted = listing.get_option_index(name)
    await pilot.press("enter")
    await till.settle(pilot)
    assert pilot.app.screen.report is not None and pilot.app.screen.report.name == name


def table_lines(pilot: Pilot[None], till: Any) -> list[str]:
    """The terminal's lines where the table is, cut to its columns (its scroll bar left out)."""
    table = pilot.app.screen.query_one(ReportTable)
    region = table.scrollable_content_region
    lines = till.screen_text(pilot).split("\n")
    return [line[region.x : region.right] for line in lines[region.y : region.bottom]]


def whole_cells_only(pilot: Pilot[None], till: Any) -> None:
    """Every word the table shows on the terminal is a whole cell or header of the report (none
    cut at an edge: ``1.17`` of ``1,176.50``)."""
    report = pilot.app.screen.report
    words = {w for c in report.columns for w in c.label.split()} | {"Total", "▼", "▲"}
    for row in (*report.rows, *([report.totals] if report.totals else [])):
        for value, column in zip(row, report.columns, strict=True):
            if value is not None:
                words.update(format_cell(value, column.kind, "en").split())
    for line in table_lines(pilot, till):
        for word in line.split():
            assert word in words, (word, line)


def day(n: int) -> date:
    return date(2026, 11, n)
