"""Stock reports in core, against the hand-computed shop of test_reports_support."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta

import pytest
from test_reports_support import Shop, at, build_shop

from pos_tui.core.kernel import NotFound, ValidationError
from pos_tui.core.kernel.clock import day_bounds
from pos_tui.core.stock import reports
from pos_tui.settings import Settings

TZ = "Europe/Istanbul"
NOW = at(11, 1, 7)


@pytest.fixture
def shop(db: object, settings: Settings) -> Shop:
    return build_shop(settings, NOW)


def end_of(day: date) -> datetime:
    return day_bounds(day, TZ)[1] - timedelta(microseconds=1)


def test_show_reads_stock_per_location_cost_value_and_last_purchase(shop: Shop) -> None:
    info = reports.stock_info("8690000000111")  # by barcode
    assert info.as_json(TZ) == {
        "code": "1001",
        "name": "Ayran",
        "unit": "piece",
        "on_hand": "30",
        "by_location": {"DEPO": "27", "MAGAZA": "3"},
        "avg_cost": "11.26",
        "value": "337.78",
        "min_stock": "40",
        "negative": False,
        "below_min": True,
        "last_purchase": {"supplier": "S1", "supplier_name": "Süt A.Ş.", "unit_cost": "12.00", "date": "2026-10-03"},
    }
    weighed = reports.stock_info("2001").as_json(TZ)
    assert (weighed["on_hand"], weighed["by_location"], weighed["value"]) == ("-0.75", {"MAGAZA": "-0.75"}, "0.00")
    assert weighed["negative"] is True and weighed["last_purchase"] is None
    with pytest.raises(NotFound):
        reports.stock_info("nope")


def card_json(card: reports.StockCard) -> dict:
    out = io.StringIO()
    reports.write_card_json(card, out)
    return json.loads(out.getvalue())


def test_the_card_lists_every_movement_in_date_order_with_its_balance(shop: Shop) -> None:
    doc = card_json(reports.stock_card("1001", tz=TZ))
    assert (doc["code"], doc["opening"], doc["closing"]) == ("1001", "0", "30")
    rows = [(r["at"][:10], r["kind"], r["document"], r["qty_in"], r["qty_out"], r["balance"]) for r in doc["movements"]]
    assert rows == [
        ("2026-10-01", "receipt", "receipt 1", "20", "0", "20"),
        ("2026-10-02", "transfer_out", "transfer_out 1", "0", "8", "12"),  # DEPO → in transit
        ("2026-10-02", "transfer_in", "transfer_out 1", "8", "0", "20"),
        ("2026-10-02", "transfer_out", "transfer_in 1", "0", "8", "12"),  # in transit → MAGAZA
        ("2026-10-02", "transfer_in", "transfer_in 1", "8", "0", "20"),
        ("2026-10-03", "receipt", "receipt 4", "5", "0", "25"),  # backdated: where its date puts it
        ("2026-10-05", "sale", "T1-1", "0", "3", "22"),
        ("2026-10-10", "receipt", "receipt 3", "10", "0", "32"),
        ("2026-10-20", "adjust", "adjustment 2", "0", "2", "30"),
    ]
    assert [r["unit_cost"] for r in doc["movements"]] == [
        "10.00",
        "10.00",
        "10.00",
        "10.00",
        "10.00",
        "12.00",
        "10.00",
        "13.00",
        "11.11",
    ]
    assert doc["movements"][0]["at"] == "2026-10-01T12:00:00+03:00"


def test_a_card_for_some_days_opens_with_the_stock_before_them(shop: Shop) -> None:
    card = reports.stock_card("1001", first=date(2026, 10, 4), last=date(2026, 10, 15), tz=TZ)
    doc = card_json(card)
    assert (doc["opening"], doc["closing"], doc["from"], doc["to"]) == ("25", "32", "2026-10-04", "2026-10-15")
    assert [r["balance"] for r in doc["movements"]] == ["22", "32"]
    assert card.closing_balance() == 32_000 and card.count() == 2


def test_a_card_at_one_location(shop: Shop) -> None:
    card = reports.stock_card("1001", location="magaza", tz=TZ)
    rows = [(r.kind, r.qty, r.balance, r.location) for r in card.rows()]
    assert rows == [
        ("transfer_in", 8000, 8000, "MAGAZA"),
        ("sale", -3000, 5000, "MAGAZA"),
        ("adjust", -2000, 3000, "MAGAZA"),
    ]
    assert card.closing == 3000
    with pytest.raises(NotFound):
        reports.stock_card("1001", location="NOWHERE", tz=TZ)


def test_the_tail_of_a_card_opens_with_the_balance_before_it(shop: Shop) -> None:
    card = reports.stock_card("1001", tz=TZ, tail=2)
    assert card.opening == 22_000
    assert [(r.document, r.balance) for r in card.rows()] == [("receipt 3", 32_000), ("adjustment 2", 30_000)]
    whole = reports.stock_card("1001", tz=TZ, tail=50)
    assert whole.opening == 0 and len(list(whole.rows())) == 9


def test_card_csv_streams_the_same_rows(shop: Shop) -> None:
    out = io.StringIO()
    assert reports.write_card_csv(reports.stock_card("2001", tz=TZ), out) == 3
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(reports.CARD_COLUMNS)
    assert lines[1].split(",")[5:9] == ["2.5", "0", "2.5", "40.00"]
    assert lines[-1].split(",")[2] == "T1-3" and lines[-1].split(",")[7] == "-0.75"  # a plain number is not a formula


def test_a_period_that_ends_before_it_starts_is_refused(shop: Shop) -> None:
    with pytest.raises(ValidationError):
        reports.stock_card("1001", first=date(2026, 10, 5), last=date(2026, 10, 4), tz=TZ)


def test_levels_now_share_the_ledger_value_over_locations(shop: Shop) -> None:
    report = reports.stock_levels()
    lines = {(ln.code, ln.location): (ln.qty, ln.value) for ln in report.lines}
    # 337,78 over 27 and 3: 304,00 and 33,78 (the kuruş left over goes to the larger remainder)
    assert lines == {
        ("1001", "DEPO"): (27_000, 30_400),
        ("1001", "MAGAZA"): (3000, 3378),
        ("1002", "MAGAZA"): (3000, 1500),
    }
    assert [(ln.code, ln.location, ln.qty, ln.value) for ln in report.negative] == [("2001", "MAGAZA", -750, 0)]
    doc = report.as_json(TZ)
    assert doc["totals"] == {"products": 2, "lines": 3, "value": "352.78", "negative": 1}


def test_levels_at_a_date_count_a_backdated_receipt_from_its_date(shop: Shop) -> None:
    # end of 4 Oct: receipt 1 (20), the transfer, and the receipt dated 3 Oct (5) entered on 21 Oct
    report = reports.stock_levels(as_of=end_of(date(2026, 10, 4)))
    a = {ln.location: (ln.qty, ln.value, ln.unit_cost) for ln in report.lines if ln.code == "1001"}
    # 25 units at the unit cost of the last movement up to then (the 3 Oct receipt, 12,00) = 300,00
    assert a == {"DEPO": (17_000, 20_400, 1200), "MAGAZA": (8000, 9600, 1200)}
    # end of 2 Oct: 20 units at 10,00 (the transfer moved at the average)
    earlier = reports.stock_levels(as_of=end_of(date(2026, 10, 2)), by="location")
    assert [g.as_json() for g in earlier.groups] == [
        {"key": "DEPO", "products": 1, "lines": 1, "value": "120.00", "negative": 0},
        {"key": "MAGAZA", "products": 3, "lines": 3, "value": "200.00", "negative": 0},
    ]


def test_levels_by_category_and_filters(shop: Shop) -> None:
    report = reports.stock_levels(by="category")
    # Gıda: Ayran held at two locations counts as one product; Peynir is negative
    assert [(g.key, g.products, g.lines, g.value, g.negative) for g in report.groups] == [
        ("", 1, 1, 1500, 0),
        ("Gıda", 1, 2, 33_778, 1),
    ]
    only = reports.stock_levels(location="DEPO", category="Gıda")
    assert [(ln.code, ln.qty) for ln in only.lines] == [("1001", 27_000)] and only.negative == []
    with pytest.raises(NotFound):
        reports.stock_levels(category="Yok")
    with pytest.raises(ValidationError):
        reports.stock_levels(by="colour")


def test_negative_stock(shop: Shop) -> None:
    assert [(ln.code, ln.location, ln.qty) for ln in reports.negative_stock()] == [("2001", "MAGAZA", -750)]
    assert reports.negative_stock("DEPO") == []


def test_low_stock_suggests_what_to_order(shop: Shop) -> None:
    lines = reports.low_stock(now=NOW, days=30, lead_time=7)
    # W first (negative): sold 3,25 kg in 30 days; ⌈3250 × 7 / 30⌉ = 759 g + 5 kg min + 0,75 kg owed
    # A: sold 3; ⌈3000 × 7 / 30⌉ = 700 + 40 000 − 30 000 = 10 700 → 11 whole pieces
    assert [ln.as_json() for ln in lines] == [
        {
            "code": "2001",
            "name": "Peynir",
            "unit": "kg",
            "on_hand": "-0.75",
            "min_stock": "5",
            "sold": "3.25",
            "daily_sales": "0.108",
            "suggestion": "6.509",
            "negative": True,
        },
        {
            "code": "1001",
            "name": "Ayran",
            "unit": "piece",
            "on_hand": "30",
            "min_stock": "40",
            "sold": "3",
            "daily_sales": "0.100",
            "suggestion": "11",
            "negative": False,
        },
    ]
    at_depo = {ln.code: (ln.on_hand, ln.sold, ln.suggestion) for ln in reports.low_stock(now=NOW, location="DEPO")}
    assert at_depo == {"1001": (27_000, 0, 13_000), "2001": (0, 0, 5000)}


def test_the_reorder_formula() -> None:
    assert reports.reorder_suggestion(on_hand=0, min_stock=0, sold=1, days=30, lead_time=7, unit="piece") == 1000
    assert reports.reorder_suggestion(on_hand=0, min_stock=0, sold=1, days=30, lead_time=7, unit="kg") == 1
    assert reports.reorder_suggestion(on_hand=50_000, min_stock=10_000, sold=0, days=30, lead_time=7, unit="piece") == 0
    with pytest.raises(ValidationError):
        reports.low_stock(now=NOW, days=0)


def test_idle_stock(shop: Shop) -> None:
    lines = reports.idle_stock(now=NOW, days=30)  # A sold on 5 Oct, inside 30 days
    assert [ln.as_json(TZ) for ln in lines] == [
        {"code": "1002", "name": "Bardak", "unit": "piece", "on_hand": "3", "value": "15.00", "last_sale": None}
    ]
    longer = reports.idle_stock(now=NOW, days=20)
    assert [(ln.code, ln.value, ln.last_sale is not None) for ln in longer] == [
        ("1001", 33_778, True),
        ("1002", 1500, False),
    ]
    assert longer[0].as_json(TZ)["last_sale"] == "2026-10-05"
    # at DEPO A never sold: idle there whatever the period, valued at its share
    assert [(ln.code, ln.on_hand, ln.value) for ln in reports.idle_stock(now=NOW, days=400, location="DEPO")] == [
        ("1001", 27_000, 30_400)
    ]


def test_shrinkage_by_reason_and_month(shop: Shop) -> None:
    by_reason = [r.as_json() for r in reports.shrinkage_report(tz=TZ)]
    assert by_reason == [
        {
            "key": "count",
            "movements": 1,
            "lost": "1",
            "found": "0",
            "net": "-1",
            "lost_value": "5.00",
            "found_value": "0.00",
            "net_value": "-5.00",
        },
        {
            "key": "waste",
            "movements": 1,
            "lost": "2",
            "found": "0",
            "net": "-2",
            "lost_value": "22.22",
            "found_value": "0.00",
            "net_value": "-22.22",
        },
    ]
    by_month = reports.shrinkage_report(by="month", tz=TZ)
    assert [(r.key, r.movements, r.lost_value) for r in by_month] == [("2026-10", 2, 2722)]
    assert reports.shrinkage_report(first=date(2026, 10, 21), last=date(2026, 10, 31), tz=TZ)[0].key == "count"
    assert reports.shrinkage_report(first=date(2026, 11, 1), tz=TZ) == []


@pytest.mark.parametrize("location", [None, "MAGAZA", "DEPO"])
def test_every_window_opens_and_closes_as_the_movements_add_up(shop: Shop, location: str | None) -> None:
    """The opening and closing come from whichever SUM is cheaper (or the cache less a SUM): they
    must equal the plain sums of the movements for every window, tail and location."""
    from pos_tui.core.kernel.clock import from_db
    from pos_tui.store import models as m

    SM = m.StockMovement
    query = SM.select(SM.at, SM.qty, SM.location).where(SM.product == shop.a)
    if location is not None:
        query = query.where(SM.location == (shop.magaza if location == "MAGAZA" else shop.depo))
    moves = [(from_db(at), qty) for at, qty, _loc in query.tuples()]
    days = [None, date(2026, 9, 30), date(2026, 10, 2), date(2026, 10, 3), date(2026, 10, 10), date(2026, 10, 15)]
    days += [date(2026, 10, 19), date(2026, 10, 20), date(2026, 11, 2)]
    for first in days:
        for last in days:
            if first is not None and last is not None and first > last:
                continue
            start = None if first is None else day_bounds(first, TZ)[0]
            end = None if last is None else day_bounds(last, TZ)[1]
            card = reports.stock_card("1001", first=first, last=last, location=location, tz=TZ)
            opening = sum(q for t, q in moves if start is not None and t < start)
            closing = sum(q for t, q in moves if end is None or t < end)
            assert (card.opening, card.closing_balance()) == (opening, closing), (first, last)
            rows = list(card.rows())
            assert card.closing == closing and card.count() == len(rows)
            for tail in (1, 2, 50):
                tailed = reports.stock_card("1001", first=first, last=last, location=location, tz=TZ, tail=tail)
                shown = list(tailed.rows())
                assert shown == rows[-tail:] and tailed.closing == closing, (first, last, tail)
                first_shown = rows[-tail:][0] if rows else None
                assert tailed.opening == (closing if first_shown is None else first_shown.balance - first_shown.qty)
