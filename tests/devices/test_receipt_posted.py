"""Receipts of documents posted through the real sale engine: finding them the ways the till and
scripts name them, the points a member's sale wrote, returns, X/Z reports and the no-sale slip."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from printing_support import Shop, enroll_member, joined, open_shop, texts

from pos_tui.core import cash
from pos_tui.core.cash import shifts
from pos_tui.core.kernel import NotFound
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.till import (
    documents,
    find_document,
    load_receipt,
    no_sale_for,
    points_summary,
    receipt_for,
    receipt_of,
    x_report_for,
    z_report_for,
)
from pos_tui.settings import Settings

TZ = "Europe/Istanbul"


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    return open_shop(settings, now)


def test_a_posted_sale_prints_its_lines_and_change(shop: Shop, settings: Settings, now: datetime) -> None:
    result = shop.sell([("1001", 2), ("2001", 1)], [("card", "60.00"), ("cash", "200.00")], now=now)
    doc = documents.sale_document(result.sale_id, TZ)
    job = receipt_for(doc, settings, width=42, fiscal=False)
    lines = texts(job)
    assert any(t.startswith("TOZ ŞEKER 1 KG") and t.endswith("%1 50.00") for t in lines)
    assert "  2 x 25.00" in lines
    assert next(t for t in lines if t.startswith("TOTAL")).endswith("160.00 TL")
    assert any(t.startswith("  Change") and t.endswith("100.00 TL") for t in lines)
    assert next(line.barcode for line in job.lines if line.barcode) == f"T1/{result.receipt_no}"
    assert job.kick


def test_find_by_number_terminal_number_and_id(shop: Shop, now: datetime) -> None:
    result = shop.sell([("1001", 1)], [("cash", "25.00")], now=now)
    by_number = find_document(str(result.receipt_no), terminal="T1", tz=TZ)
    by_barcode = find_document(f"T1/{result.receipt_no}", terminal="T9", tz=TZ)
    by_id = find_document(result.uid, terminal="T1", tz=TZ)
    assert by_number == by_barcode == by_id
    with pytest.raises(NotFound):
        find_document(str(result.receipt_no), terminal="T2", tz=TZ)
    with pytest.raises(NotFound):
        find_document("no-such-id", terminal="T1", tz=TZ)


def test_return_names_the_sale_it_gives_back(shop: Shop, settings: Settings, now: datetime) -> None:
    sale = shop.sell([("1001", 2), ("2001", 1)], [("cash", "160.00")], now=now)
    back = shop.give_back(sale, 1, 1, now=now + timedelta(hours=1))
    data = load_receipt(f"T1/{back.receipt_no}", terminal="T1", tz=TZ)
    assert data.original == f"T1/{sale.receipt_no}"
    job = receipt_of(data, settings, width=32, fiscal=False, copy=False)
    assert "RETURN" in texts(job)
    assert f"Return of receipt T1/{sale.receipt_no}" in joined(job)
    assert next(t for t in texts(job) if t.startswith("TOTAL")).endswith("25.00 TL")


def test_member_sale_prints_earned_points_and_the_balance(shop: Shop, settings: Settings, now: datetime) -> None:
    member = enroll_member(now)
    result = shop.sell([("2001", 2)], [("cash", "165.00")], now=now, member=member)
    doc = documents.sale_document(result.sale_id, TZ)
    assert doc["member"] and doc["benefits"][0]["kind"] == "promotion"
    first = points_summary(doc, as_of=shop_day(now, TZ), tz=TZ)
    assert first is not None
    assert first.earned == 16  # 10 % of 165.00 in points (whole points)
    assert first.spent == 0
    assert (first.balance, first.pending) == (0, 16)  # earned points are pending first
    job = receipt_for(doc, settings, width=42, fiscal=True, points=first)
    lines = texts(job)
    assert any(t.startswith("  2. ürün %50") and t.endswith("-55.00") for t in lines)
    assert "Points earned".ljust(40) + "16" in lines
    assert "Points pending".ljust(40) + "16" in lines
    reprint = points_summary(doc, tz=TZ)
    assert reprint is not None and reprint.balance is None  # a reprint never shows today's balance
    assert (
        points_summary(documents.sale_document(shop.sell([("1001", 1)], [("cash", "25")], now=now).sale_id, TZ)) is None
    )


def test_x_and_z_reports_print(shop: Shop, settings: Settings, now: datetime) -> None:
    till = shop.till
    shift = cash.open_shift("T1", till, Decimal("100.00"), now=now)
    shop.sell([("1001", 1)], [("cash", "25.00")], now=now, shift_id=shift.id)
    x = shifts.x_report("T1", now=now + timedelta(minutes=5))
    job = x_report_for(x, settings, width=42)
    lines = texts(job)
    assert job.title == "X report"
    assert any(t.startswith("Expected in drawer") and t.endswith("125.00 TL") for t in lines)
    assert any(t.startswith("Cash sales") and t.endswith("25.00") for t in lines)
    assert "BİLGİ" in joined(job)
    z = cash.z_report("T1", till, now=now + timedelta(hours=1), settings=settings)
    zjob = z_report_for(z, settings, width=32, fiscal=True)
    assert zjob.title == "Z report"
    assert any(t.startswith("Z number") and t.endswith(str(z.z_no)) for t in texts(zjob))
    assert any(t.startswith("Grand total") and t.endswith("25.00 TL") for t in texts(zjob))
    preview = z_report_for(cash.x_preview("T1", now=now + timedelta(hours=2)), settings, width=32)
    assert preview.title == "X report"


def test_no_sale_slip_kicks_the_drawer(shop: Shop, settings: Settings, now: datetime) -> None:
    till = shop.till
    cash.open_shift("T1", till, Decimal("0"), now=now)
    movement = cash.no_sale("T1", till, "change for a customer", now=now)
    job = no_sale_for(movement, settings, width=32)
    assert job.kick and job.cut
    assert "change for a customer" in joined(job) and "NO SALE" in texts(job)
    bare = no_sale_for(movement, settings, width=32, slip=False)
    assert bare.kick and not bare.cut and bare.lines == ()
