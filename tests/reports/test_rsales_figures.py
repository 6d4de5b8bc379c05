"""The sales reports on a small week of real sales (tests/reports/rsales_support.py): each
report's figures, exactly."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from rsales_support import D, Shop, by, make_shop, query, run, summary, total, week_of_sales

from pos_tui.core.reports import Period
from pos_tui.settings import Settings


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    shop = make_shop(settings, now)
    week_of_sales(shop)
    return shop


def test_sales_by_day_puts_each_document_on_its_local_day(shop: Shop) -> None:
    report = run("sales-by-day")
    nets = dict(zip(report.values("day"), report.values("net"), strict=True))
    assert nets[date(2026, 11, 2)] == D("247.00")
    assert nets[date(2026, 11, 3)] == D("65.00")
    assert nets[date(2026, 11, 4)] == D("-32.50")  # the return at 00:30 local (21:30 UTC on the 3rd)
    assert total(report, "net") == D("279.50")
    assert (total(report, "receipts"), total(report, "returns")) == (3, 1)
    assert (total(report, "gross"), total(report, "discount")) == (D("300.00"), D("20.50"))


def test_sales_heatmap_cells_are_local_hours_and_weekdays(shop: Shop) -> None:
    report = run("sales-heatmap")
    rows = by(report, "weekday")
    assert list(rows) == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    assert rows["Monday"]["h09"] == D("62.50") and rows["Monday"]["h18"] == D("184.50")
    assert rows["Tuesday"]["h23"] == D("65.00") and rows["Tuesday"]["h20"] == D("0.00")
    assert rows["Wednesday"]["h00"] == D("-32.50")
    assert rows["Monday"]["total"] == D("247.00")
    assert total(report, "total") == D("279.50") and total(report, "h18") == D("184.50")
    non_zero = sum(1 for row in report.rows for v in row[1:25] if v != 0)
    assert non_zero == 4
    assert summary(report) == {
        "busiest": "Monday 18:00–18:59",
        "busiest_net": D("184.50"),
        "receipts": 3,
        "net": D("279.50"),
    }
    assert report.chart is not None and report.chart.kind == "heatmap" and len(report.chart.values) == 24


def test_sales_by_cashier(shop: Shop) -> None:
    report = run("sales-by-cashier")
    assert report.values("cashier") == ["mehmet", "ayse"]  # by net, largest first
    rows = by(report, "cashier")
    assert rows["ayse"] == {
        "cashier": "ayse",
        "receipts": 2,
        "returns": 1,
        "gross": D("95.00"),
        "discount": D("0.00"),
        "net": D("95.00"),
        "average_basket": D("63.75"),  # (62,50 + 65,00) / 2: the return is not a basket
    }
    assert rows["mehmet"]["net"] == D("184.50") and rows["mehmet"]["discount"] == D("20.50")
    assert rows["mehmet"]["average_basket"] == D("184.50")
    assert total(report, "net") == D("279.50")
    assert total(report, "average_basket") == D("104.00")  # 312,00 / 3
    assert summary(report)["average_basket"] == D("104.00")


def test_sales_by_terminal(shop: Shop) -> None:
    report = run("sales-by-terminal")
    rows = by(report, "terminal")
    assert (rows["T1"]["net"], rows["T1"]["receipts"], rows["T1"]["returns"]) == (D("95.00"), 2, 1)
    assert (rows["T2"]["net"], rows["T2"]["receipts"], rows["T2"]["returns"]) == (D("184.50"), 1, 0)
    assert total(report, "net") == D("279.50")


def test_sales_by_payment(shop: Shop) -> None:
    report = run("sales-by-payment")
    rows = by(report, "method")
    assert rows["card"] == {
        "method": "card",
        "label": "Card",
        "sales": D("249.50"),
        "refunds": D("32.50"),
        "net": D("217.00"),
        "share": D("77.6"),
    }
    assert (rows["cash"]["sales"], rows["cash"]["refunds"], rows["cash"]["net"]) == (D("62.50"), D("0.00"), D("62.50"))
    assert total(report, "net") == D("279.50")


def test_sales_by_product(shop: Shop) -> None:
    report = run("sales-by-product")
    assert report.values("name") == ["Peynir", "Deterjan", "Süt", "Ekmek"]
    rows = by(report, "code")
    assert rows["2001"]["qty"] == D("0.5") and rows["2001"]["unit"] == "kg"
    assert (rows["2001"]["gross"], rows["2001"]["discount"], rows["2001"]["net"]) == (
        D("120.00"),
        D("12.00"),
        D("108.00"),
    )
    assert rows["2001"]["kdv"] == D("9.82")  # 108,00 at 10 %
    assert (rows["1002"]["qty"], rows["1002"]["net"], rows["1002"]["receipts"]) == (D("2"), D("65.00"), 2)
    assert (rows["1001"]["qty"], rows["1001"]["net"]) == (D("3"), D("30.00"))
    assert rows["3001"]["net"] == D("76.50")
    assert total(report, "net") == D("279.50") and total(report, "discount") == D("20.50")


def test_sales_by_category(shop: Shop) -> None:
    report = run("sales-by-category")
    assert report.values("category") == ["Süt", "(no category)", "Fırın"]
    rows = by(report, "category")
    assert (rows["Süt"]["net"], rows["Süt"]["products"], rows["Süt"]["receipts"]) == (D("173.00"), 2, 3)
    assert rows["Süt"]["share"] == D("61.9")  # 173,00 of 279,50
    assert rows["(no category)"]["net"] == D("76.50") and rows["Fırın"]["net"] == D("30.00")
    assert total(report, "net") == D("279.50")


def test_basket_per_day(shop: Shop) -> None:
    report = run("basket")
    rows = {row[0]: row[1:] for row in report.rows}
    # receipts, net, average basket, lines per receipt, items per receipt (a kg line is one item)
    assert rows[date(2026, 11, 2)] == (2, D("247.00"), D("123.50"), D("2.00"), D("3.00"))
    assert rows[date(2026, 11, 3)] == (1, D("65.00"), D("65.00"), D("1.00"), D("2.00"))
    assert rows[date(2026, 11, 4)] == (0, D("-32.50"), None, None, None)
    assert rows[date(2026, 11, 8)] == (0, D("0.00"), None, None, None)
    assert report.totals == (None, 3, D("279.50"), D("104.00"), D("1.67"), D("2.67"))
    assert report.chart is not None and report.chart.kind == "line"


def test_sales_compare_with_the_week_before(shop: Shop) -> None:
    from rsales_support import at, ring, sell

    sell(shop.ayse, at(1, 10, 15), ring((shop.soap, 1000)))  # Sunday of the week before: 85,00
    report = run("sales-compare", query(against="previous"))
    keys = [c.key for c in report.columns]
    rows = {
        name: dict(zip(keys, row, strict=True))
        for name, row in zip(("this", "other", "change"), report.rows, strict=True)
    }
    assert [r["label"] for r in rows.values()] == ["This period", "Period before", "Difference"]
    assert (rows["other"]["first"], rows["other"]["last"]) == (date(2026, 10, 26), date(2026, 11, 1))
    assert rows["this"]["net"] == D("279.50") and rows["other"]["net"] == D("85.00")
    assert rows["change"]["net"] == D("194.50")
    assert (rows["this"]["receipts"], rows["other"]["receipts"], rows["change"]["receipts"]) == (3, 1, 2)
    assert (rows["this"]["average_basket"], rows["other"]["average_basket"]) == (D("104.00"), D("85.00"))
    assert (rows["this"]["lines_per_basket"], rows["other"]["lines_per_basket"]) == (D("1.67"), D("1.00"))
    assert (rows["this"]["returns"], rows["this"]["discount"]) == (D("32.50"), D("20.50"))
    pct = summary(report)
    assert pct["net_change_pct"] == D("228.8")  # 194,50 / 85,00
    assert pct["receipts_change_pct"] == D("200.0")
    assert pct["returns_change_pct"] is None and pct["discount_change_pct"] is None  # nothing the week before
    assert report.notes == ("This period: 02.11.2026–08.11.2026; compared with: 26.10.2026–01.11.2026",)


def test_sales_compare_with_last_year_has_no_percentages_against_nothing(shop: Shop) -> None:
    report = run("sales-compare", query(against="last-year"))
    other = report.rows[1]
    assert other[:3] == ("Same days last year", date(2025, 11, 2), date(2025, 11, 8))
    assert other[3:] == (D("0.00"), 0, None, None, D("0.00"), D("0.00"))
    assert all(v is None for v in summary(report).values())
    assert report.filters == {"terminal": None, "store": None, "against": "last-year"}


def test_a_month_is_compared_with_the_whole_month_before(shop: Shop) -> None:
    report = run("sales-compare", query(Period(date(2026, 11, 1), date(2026, 11, 30))))
    assert report.rows[1][1:3] == (date(2026, 10, 1), date(2026, 10, 31))


def test_terminal_filter(shop: Shop) -> None:
    for name in ("sales-by-day", "sales-by-cashier", "sales-by-product", "sales-by-category", "sales-by-payment"):
        assert total(run(name, query(terminal="T2")), "net") == D("184.50"), name
    assert summary(run("sales-heatmap", query(terminal="T1")))["net"] == D("95.00")
    assert run("sales-by-cashier", query(terminal="T1")).values("cashier") == ["ayse"]
    assert total(run("basket", query(terminal="T1")), "receipts") == 2


SALES_REPORTS = (
    "sales-by-day",
    "sales-heatmap",
    "sales-by-cashier",
    "sales-by-terminal",
    "sales-by-payment",
    "sales-by-category",
    "sales-by-product",
    "sales-compare",
    "returns",
    "discounts",
    "basket",
)
KIND_TYPES: dict[str, tuple[type, ...]] = {
    "text": (str,),
    "int": (int,),
    "points": (int,),
    "money": (Decimal,),
    "qty": (Decimal,),
    "percent": (Decimal,),
    "date": (date,),
}


@pytest.mark.parametrize("name", SALES_REPORTS)
def test_every_cell_is_of_its_column_kind_and_money_has_two_places(shop: Shop, name: str) -> None:
    report = run(name)
    assert report.rows, name
    for row in (*report.rows, *((report.totals,) if report.totals else ())):
        for column, value in zip(report.columns, row, strict=True):
            if value is None:
                continue
            assert isinstance(value, KIND_TYPES[column.kind]) and not isinstance(value, bool), (column, value)
            if column.kind == "money":
                assert isinstance(value, Decimal) and value.as_tuple().exponent == -2, (column, value)
    for figure in report.summary:
        if figure.value is not None:
            assert isinstance(figure.value, KIND_TYPES[figure.kind]), figure
    document = report.as_json("Europe/Istanbul")
    assert document["report"] == name and len(document["rows"]) == len(report.rows)
    assert json.loads(json.dumps(document)) == document


def test_json_of_the_week_by_cashier(shop: Shop) -> None:
    document = run("sales-by-cashier").as_json("Europe/Istanbul")
    assert document["rows"][1] == {
        "cashier": "ayse",
        "receipts": 2,
        "returns": 1,
        "gross": "95.00",
        "discount": "0.00",
        "net": "95.00",
        "average_basket": "63.75",
    }
    assert document["totals"]["net"] == "279.50" and document["totals"]["cashier"] is None
    assert document["summary"] == {"cashiers": 2, "receipts": 3, "net": "279.50", "average_basket": "104.00"}


def test_turkish_labels_and_numbers(shop: Shop) -> None:
    from pos_tui.core.reports import format_cell
    from pos_tui.i18n import set_language

    set_language("tr")
    report = run("sales-heatmap")
    assert report.values("weekday")[0] == "Pazartesi"
    assert format_cell(total(report, "total"), "money", "tr") == "279,50"  # type: ignore[arg-type]
