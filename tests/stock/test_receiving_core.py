"""Goods receipts and supplier returns in core: money to the kuruş, cost, limits, payables, audit."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from test_receiving_support import CAY, Goods, goods_fixture, line, product_row, quick_pins, receive

__all__ = ["goods_fixture", "quick_pins"]  # fixtures used by name

from pos_tui.core import audit, cash, till
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import ImportRejected, PermissionDenied, ValidationError
from pos_tui.core.stock import receiving
from pos_tui.core.stock.receiving import CostInput, price_lines
from pos_tui.store import models as m


def audit_ok(g: Goods) -> None:
    report = audit.verify(settings=g.settings)
    assert report.ok, report.problems


def test_audit_verify_is_ok_after_a_receipt(goods: Goods) -> None:
    receive(goods, [line("1003", "1", "1.00")])
    assert audit.verify(settings=goods.settings).ok


def test_totals_per_rate_round_once_on_the_rate_sum(goods: Goods) -> None:
    info = receive(
        goods,
        [
            line("1003", "3", "33.33"),  # 99.99
            line("1004", "1", "0.05"),  # 0.05
            line("1002", "7", "1.11", discount="0.77"),  # 7.77 - 0.77 = 7.00
        ],
        document="IRS-1",
    )
    assert [(t.kdv_rate, t.net, t.kdv, t.gross) for t in info.totals] == [
        (1, Decimal("7.00"), Decimal("0.07"), Decimal("7.07")),
        # 100.04 × 20 % = 20.008 → 20.01 once on the sum (per line it would be 20.00 + 0.01)
        (20, Decimal("100.04"), Decimal("20.01"), Decimal("120.05")),
    ]
    assert (info.net, info.kdv, info.total) == (Decimal("107.04"), Decimal("20.08"), Decimal("127.12"))
    assert [ln.net for ln in info.lines] == [Decimal("99.99"), Decimal("0.05"), Decimal("7.00")]
    assert sum(ln.kdv for ln in info.lines if ln.kdv_rate == 20) == Decimal("20.01")
    assert info.date == goods.now.date() and info.due == info.date and info.location == "MAGAZA"


def test_kdv_included_costs_keep_the_suppliers_gross(goods: Goods) -> None:
    info = receive(
        goods,
        [line("1003", "3", "10.00"), line("1004", "1", "10.01"), line("1002", "2", "5.05", discount="0.10")],
        kdv_included=True,
    )
    # rate 20: gross 30.00 + 10.01 = 40.01 → net round(40.01 × 100 / 120) = 33.34, KDV 6.67
    # rate 1: gross 10.10 - 0.10 = 10.00 → net round(1000 / 1.01) = 9.90, KDV 0.10
    assert [(t.kdv_rate, t.net, t.kdv, t.gross) for t in info.totals] == [
        (1, Decimal("9.90"), Decimal("0.10"), Decimal("10.00")),
        (20, Decimal("33.34"), Decimal("6.67"), Decimal("40.01")),
    ]
    assert info.total == Decimal("50.01")
    nets = {ln.code: ln.net for ln in info.lines}
    assert nets["1003"] + nets["1004"] == Decimal("33.34")
    assert nets == {"1003": Decimal("25.00"), "1004": Decimal("8.34"), "1002": Decimal("9.90")}
    assert {ln.code: ln.unit_cost for ln in info.lines}["1003"] == Decimal("8.33")


@given(
    lines=st.lists(
        st.tuples(st.integers(1, 50_000), st.integers(0, 1_000_000), st.sampled_from([0, 1, 10, 20]), st.booleans()),
        min_size=1,
        max_size=12,
    ),
    included=st.booleans(),
)
@hsettings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_priced_lines_always_add_up(lines: list[tuple[int, int, int, bool]], included: bool) -> None:
    inputs = [CostInput(q, c, (c * q // 1000) // 3 if d else 0, r) for q, c, r, d in lines]
    priced = price_lines(inputs, kdv_included=included)
    for rate in priced.rates:
        mine = [p for p in priced.lines if p.kdv_rate == rate.kdv_rate]
        assert sum(p.net for p in mine) == rate.net
        assert sum(p.kdv for p in mine) == rate.kdv
        assert all(p.net >= 0 and p.kdv >= 0 for p in mine)
        if included:
            given_gross = sum(
                (q * c + 500) // 1000 - d
                for (q, c, d, r) in [(i.qty, i.unit_cost, i.discount, i.kdv_rate) for i in inputs]
                if r == rate.kdv_rate
            )
            assert rate.gross == given_gross
            assert rate.net == (given_gross * 100 * 2 + (100 + rate.kdv_rate)) // (2 * (100 + rate.kdv_rate))
        else:
            assert rate.kdv == (rate.net * rate.kdv_rate * 2 + 100) // 200


def test_average_cost_follows_receipts(goods: Goods) -> None:
    receive(goods, [line("1003", "10", "50.00")])
    assert product_row("1003") == (10_000, 50_000, 5_000)
    receive(goods, [line("1003", "30", "70.00", discount="60.00")])  # 2100 - 60 = 2040.00
    # (500.00 + 2040.00) / 40 = 63.50
    assert product_row("1003") == (40_000, 254_000, 6_350)


def test_a_receipt_re_costs_goods_sold_before_it(goods: Goods) -> None:
    shift = cash.open_shift("T1", goods.ayse, Decimal("0"), now=goods.now)
    assert shift is not None
    till.add_item("T1", goods.ayse, CAY, 5000, now=goods.now, masks=goods.settings.scale_labels)
    till.complete_sale("T1", goods.ayse, [PaymentInput("cash", Decimal("600.00"))], now=goods.now)
    assert product_row("1003")[0] == -5_000
    sale_value = m.StockMovement.get(m.StockMovement.kind == "sale").value
    receive(goods, [line("1003", "8", "40.00")])  # 320.00 for 8; 5 of them were sold already
    stock, value, cost = product_row("1003")
    assert (stock, value, cost) == (3_000, 12_000, 4_000)  # only the 3 left on the shelf carry value
    assert m.StockMovement.get(m.StockMovement.kind == "sale").value == sale_value  # the sale is not changed
    audit_ok(goods)


def test_last_purchase_price_per_supplier(goods: Goods) -> None:
    receive(goods, [line("1003", "10", "50.00", discount="5.00")], supplier="ACME")
    receive(goods, [line("1003", "4", "52.00")], supplier="BETA")
    assert receiving.last_purchase_price("ACME", "1003") == Decimal("49.50")
    assert receiving.last_purchase_price("BETA", CAY) == Decimal("52.00")
    assert receiving.last_purchase_price("BETA", "1004") is None
    receive(goods, [line("1003", "1", "60.00")], supplier="ACME")
    assert receiving.last_purchase_price("ACME", "1003") == Decimal("60.00")
    # an older document (dated before the one remembered) does not replace the last price
    receive(goods, [line("1003", "1", "10.00")], supplier="ACME", date=goods.now.date() - timedelta(days=3))
    assert receiving.last_purchase_price("ACME", "1003") == Decimal("60.00")
    # free goods (a line at 0,00) are not a price: the next receipt would start its lines at nothing
    receive(goods, [line("1003", "2", "0.00")], supplier="ACME")
    assert receiving.last_purchase_price("ACME", "1003") == Decimal("60.00")


def test_every_bad_line_is_named_and_nothing_is_written(goods: Goods) -> None:
    with pytest.raises(ImportRejected) as caught:
        receive(
            goods,
            [
                line("1003", "2", "10.00"),
                line("9999", "1", "1.00"),
                line("1003", "1.5", "10.00"),
                line("1004", "1", "-1.00", kdv=18),
                line("1002", "1", "5.00", discount="6.00"),
            ],
        )
    problems = [(e.line, e.field) for e in caught.value.errors]
    assert problems == [(2, "code"), (3, "qty"), (4, "unit_cost"), (4, "kdv_rate"), (5, "discount")]
    assert m.StockDocument.select().count() == 0 and m.StockMovement.select().count() == 0
    assert m.SupplierPrice.select().count() == 0


def test_header_checks(goods: Goods) -> None:
    with pytest.raises(ValidationError):
        receive(goods, [line("1003", "1", "1")], date=goods.now.date() + timedelta(days=1))
    with pytest.raises(ValidationError):
        receive(goods, [line("1003", "1", "1")], due=goods.now.date() - timedelta(days=1))
    receive(goods, [line("1003", "1", "1")], document="F-77")
    with pytest.raises(ValidationError, match="already received"):
        receive(goods, [line("1003", "1", "1")], document="F-77")
    with pytest.raises(PermissionDenied):
        receive(goods, [line("1003", "1", "1")], actor=goods.ayse)


def test_supplier_return_limits_including_two_returns(goods: Goods) -> None:
    info = receive(goods, [line("1003", "10", "33.33"), line("1004", "2", "5.00")], document="A-1")
    assert receiving.return_total(info.number, {1: 3000}) == Decimal("119.99")  # asked before posting
    first = receiving.post_supplier_return(
        info.number,
        [receiving.SupplierReturnLineInput(3000, line_no=1)],
        actor=goods.admin,
        now=goods.now,
        terminal="T1",
    )
    assert first.lines[0].net == Decimal("99.99") and first.total == Decimal("119.99")
    with pytest.raises(ImportRejected) as caught:
        receiving.post_supplier_return(
            info.number,
            [
                receiving.SupplierReturnLineInput(8000, product="1003"),
                receiving.SupplierReturnLineInput(1000, line_no=2),
            ],
            actor=goods.admin,
            now=goods.now,
            terminal="T1",
        )
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, "qty")]
    ahead = receiving.return_total(info.number, {1: 7000, 9: 1000})  # a line not on the receipt is left out
    second = receiving.post_supplier_return(
        info.number,
        [receiving.SupplierReturnLineInput(7000, product=CAY)],
        actor=goods.admin,
        now=goods.now,
        terminal="T1",
    )
    # the parts give back exactly the line's net: 99.99 + 233.31 = 333.30
    assert second.lines[0].net == Decimal("233.31")
    assert ahead == second.total  # the question before posting said what posting did
    again = receiving.get_receipt(info.number)
    assert [ln.returnable for ln in again.lines] == [0, 2000]
    with pytest.raises(ImportRejected):
        receiving.post_supplier_return(
            info.number,
            [receiving.SupplierReturnLineInput(1000, line_no=1)],
            actor=goods.admin,
            now=goods.now,
            terminal="T1",
        )
    assert product_row("1003") == (0, 0, 3_333)
    audit_ok(goods)


def test_payables_for_the_accounts_area(goods: Goods) -> None:
    info = receive(goods, [line("1003", "2", "100.00")], document="FT-9", due=goods.now.date() + timedelta(days=30))
    ret = receiving.post_supplier_return(
        info.number,
        [receiving.SupplierReturnLineInput(1000, line_no=1)],
        actor=goods.admin,
        now=goods.now,
        terminal="T1",
    )
    found = receiving.payables(goods.now.date())
    assert [(p.kind, p.number, p.supplier, p.document, p.amount, p.refers_to) for p in found] == [
        ("receipt", info.number, "ACME", "FT-9", Decimal("240.00"), None),
        ("supplier_return", ret.number, "ACME", "FT-9", Decimal("-120.00"), info.number),
    ]
    assert found[0].due == goods.now.date() + timedelta(days=30)
    assert receiving.payables(goods.now.date() + timedelta(days=1)) == []
    data = json.loads(m.StockDocument.get_by_id(info.id).data)
    assert data["payable"] == {
        "supplier": "ACME",
        "document": "FT-9",
        "date": goods.now.date().isoformat(),
        "due": (goods.now.date() + timedelta(days=30)).isoformat(),
        "amount": "240.00",
    }
    assert data["totals"] == [{"kdv_rate": 20, "net": "200.00", "kdv": "40.00", "gross": "240.00"}]


def test_new_sale_prices_land_in_the_label_queue(goods: Goods) -> None:
    from pos_tui.core.catalog import select_products

    later = goods.now + timedelta(days=2)
    info = receiving.post_receipt(
        receiving.ReceiptInput(supplier="ACME", lines=[line("1003", "10", "80.00"), line("1004", "1", "3.00")]),
        actor=goods.admin,
        now=later,
        terminal="T1",
        kdv_rates=goods.settings.kdv_rates,
    )
    assert [c.code for c in info.cost_changes] == ["1003", "1004"]
    change = info.cost_changes[0]
    assert change.purchase_cost == Decimal("80.00") and change.cost_before == Decimal("0.00")
    price = receiving.margin_price(change, Decimal(25))  # 80 × 1.25 × 1.20 = 120.00
    assert price == Decimal("120.00")
    done = receiving.set_sale_prices(
        [receiving.PriceChange("1003", Decimal("129.90")), receiving.PriceChange("1004", Decimal("85.00"))],
        actor=goods.admin,
        now=later,
        terminal="T1",
        receipt=info.number,
    )
    assert [(p.code, p.old, p.new) for p in done] == [("1003", Decimal("120.00"), Decimal("129.90"))]
    labels = select_products(changed_since=later.date(), as_of=later.date(), tz=goods.settings.shop.timezone)
    assert [lb.code for lb in labels] == ["1003"]
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "price_change").get()
    assert json.loads(entry.payload)["changes"] == [{"code": "1003", "old": "120.00", "new": "129.90"}]
    audit_ok(goods)


def test_backdated_receipt_and_listing(goods: Goods) -> None:
    day = goods.now.date() - timedelta(days=5)
    old = receive(goods, [line("1003", "1", "1.00")], supplier="BETA", date=day, document="B-1")
    new = receive(goods, [line("1004", "2", "3.00")], document="A-1")
    assert old.date == day and old.due == day
    assert [r.number for r in receiving.list_receipts()] == [old.number, new.number]
    assert [r.number for r in receiving.list_receipts(supplier="BETA")] == [old.number]
    assert [r.number for r in receiving.list_receipts(since=goods.now.date())] == [new.number]
    assert [r.number for r in receiving.list_receipts(until=day)] == [old.number]
    assert receiving.list_receipts(since=date(2030, 1, 1)) == []


def test_scanning_goods_weighed_labels_and_multipliers(goods: Goods) -> None:
    from test_receiving_support import DOMATES_1500G

    from pos_tui.core.kernel import ValidationError as Invalid

    masks = goods.settings.scale_labels
    assert receiving.scan_goods(DOMATES_1500G, masks).qty == 1500  # the label's weight
    assert receiving.scan_goods(DOMATES_1500G, masks, 3000).qty == 4500  # three packs of 1,5 kg
    assert receiving.scan_goods(CAY, masks).qty == 1000
    scanned = receiving.scan_goods("1003", masks, 12000)
    assert (scanned.product.code, scanned.qty) == ("1003", 12000)
    with pytest.raises(Invalid, match="pieces"):
        receiving.scan_goods(CAY, masks, 1500)
