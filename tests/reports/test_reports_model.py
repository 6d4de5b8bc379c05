"""The Report shape every format is made from: its checks, its JSON and its people's text."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from pos_tui.core.reports import Chart, Column, Figure, Period, Report, format_cell, json_cell, plain_number, sum_totals

COLUMNS = (
    Column("day", "Gün", "date"),
    Column("receipts", "Fiş", "int"),
    Column("qty", "Miktar", "qty"),
    Column("net", "Net", "money"),
    Column("share", "Pay", "percent"),
)
ROWS = (
    (date(2026, 12, 1), 12, Decimal("1.500"), Decimal("2441.29"), Decimal("62.5")),
    (date(2026, 12, 2), 3, Decimal("0.250"), Decimal("1464.71"), Decimal("37.5")),
)


def _report(**kw: object) -> Report:
    parts: dict[str, object] = {
        "name": "sales-by-day",
        "title": "Günlük satışlar",
        "period": Period(date(2026, 12, 1), date(2026, 12, 2)),
        "columns": COLUMNS,
        "rows": ROWS,
        "generated_at": datetime(2026, 12, 6, 7, 15, tzinfo=UTC),
        "totals": sum_totals(COLUMNS, ROWS, summed=("receipts", "qty", "net")),
        "summary": (Figure("net", "Net satış", Decimal("3906.00"), "money"),),
        "chart": Chart("line", "day", ("net",)),
        "filters": {"terminal": "T1", "store": None},
    }
    parts.update(kw)
    return Report(**parts)  # type: ignore[arg-type]


def test_totals_sum_only_the_named_columns() -> None:
    assert _report().totals == (None, 15, Decimal("1.750"), Decimal("3906.00"), None)


def test_json_is_typed_by_kind_and_keyed_by_column() -> None:
    doc = _report().as_json("Europe/Istanbul")
    assert doc["rows"][0] == {"day": "2026-12-01", "receipts": 12, "qty": "1.5", "net": "2441.29", "share": "62.5"}
    assert doc["totals"] == {"day": None, "receipts": 15, "qty": "1.75", "net": "3906.00", "share": None}
    assert doc["summary"] == {"net": "3906.00"}
    assert (doc["from"], doc["to"], doc["generated_at"]) == ("2026-12-01", "2026-12-02", "2026-12-06T10:15:00+03:00")
    assert doc["filters"] == {"terminal": "T1", "store": None}
    assert doc["columns"][3] == {"key": "net", "label": "Net", "kind": "money", "people": True}


def test_people_read_numbers_the_turkish_way() -> None:
    assert format_cell(Decimal("2441.29"), "money", "tr") == "2.441,29"
    assert format_cell(Decimal("1.500"), "qty", "tr") == "1,5"
    assert format_cell(Decimal("62.5"), "percent", "tr") == "%62,5"
    assert format_cell(12500, "int", "tr") == "12.500"
    assert format_cell(date(2026, 12, 1), "date", "tr") == "01.12.2026"
    assert format_cell(None, "money", "tr") == "-"
    assert format_cell(Decimal("2441.29"), "money", "en") == "2,441.29"


def test_plain_numbers_have_a_point_and_no_grouping() -> None:
    assert plain_number(Decimal("2441.2"), "money") == "2441.20"
    assert plain_number(Decimal("1.500"), "qty") == "1.5"
    assert plain_number(Decimal("0.000"), "qty") == "0"
    assert json_cell(Decimal("-3.5"), "money") == "-3.50"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rows": ((date(2026, 12, 1), 1),)}, "row 0 has 2 cells for 5 columns"),
        ({"totals": (None,)}, "totals row has 1 cells"),
        ({"chart": Chart("bar", "day", ("profit",))}, "unknown columns"),
    ],
)
def test_a_malformed_report_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _report(**change)


def test_an_amount_finer_than_a_kurus_keeps_its_digits() -> None:
    # a point worth 0,005 TL: the table, JSON and CSV all say 0,005 (never rounded to 0,01 or 0,00)
    assert format_cell(Decimal("0.005"), "money", "tr") == "0,005"
    assert json_cell(Decimal("0.005"), "money") == "0.005"
    assert plain_number(Decimal("0.005"), "money") == "0.005"
    assert json_cell(Decimal("0.50"), "money") == "0.50"
    assert json_cell(Decimal("7"), "money") == "7.00"


def test_a_column_for_scripts_is_in_json_only() -> None:
    columns = (Column("key", "Kod", people=False), *COLUMNS)
    rows = tuple(("k" + str(n), *row) for n, row in enumerate(ROWS))
    report = _report(columns=columns, rows=rows, totals=(None, *sum_totals(COLUMNS, ROWS, summed=("net",))))
    assert report.as_json("Europe/Istanbul")["rows"][1]["key"] == "k1"
    people = report.for_people()
    assert [c.key for c in people.columns] == [c.key for c in COLUMNS]
    assert people.rows == ROWS
    assert people.totals is not None and people.totals[3] == Decimal("3906.00")
    assert _report().for_people() == _report()
