"""Loyalty on an invoice (docs/einvoice-cases.md, "Points and benefits"): points that **paid** part of a
receipt leave the invoice's figures alone (a payment note; the KDV was posted on the full amount), a
loyalty **benefit** (a coupon) is a discount: an allowance on its line named by the benefit's label."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cases_support import D, buyer, check_against_sales
from einvoice_support import TCKN, Shop
from money_support import cart_of, sell

from pos_tui.core import einvoice
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import to_db
from pos_tui.core.loyalty import create_coupon, earn, price_cart, register_loyalty_tenders
from pos_tui.store import models as m


@pytest.fixture
def member(shop: Shop) -> int:
    register_loyalty_tenders()
    member_id = int(m.Member.create(card="2990000000017", name="Zeynep Yılmaz", created_at=to_db(shop.now)).id)
    earn(member_id, 500, now=shop.now - timedelta(days=30), hold_days=15)  # available today
    return member_id


def invoice_to_consumer(shop: Shop, sale_id: int) -> einvoice.IssuedInvoice:
    return einvoice.invoice_sales(
        [sale_id],
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=shop.settings,
        customer=buyer(TCKN, "Zeynep Yılmaz"),
    )


def test_points_that_paid_part_of_the_receipt_are_a_payment_note_not_a_discount(shop: Shop, member: int) -> None:
    cart = cart_of(("1003", 2), ("1001", 4)).with_member(member)  # 240,00 + 40,00 = 280,00
    sale = sell(shop.books, cart, [PaymentInput("points", D(100)), PaymentInput("card", D("180.00"))])
    assert sale.total == D("280.00")
    posted_kdv = {(k.rate, k.base, k.kdv) for k in m.SaleKdv.select().where(m.SaleKdv.sale == sale.sale_id)}
    x = check_against_sales(invoice_to_consumer(shop, sale.sale_id), [sale.sale_id])
    # the invoice is for the whole 280,00, its KDV the KDV posted on the whole amount
    assert x.tax_inclusive == x.payable == D("280.00")
    assert {(r, int(b * 100), int(t * 100)) for r, (b, t) in x.subtotals.items()} == posted_kdv
    assert all(ln.allowance == 0 and ln.allowance_reason is None for ln in x.lines)
    assert "Ödeme: Sadakat puanı 100,00 TL" in x.notes
    assert "Ödeme: Kredi/banka kartı 180,00 TL" in x.notes
    assert "Yalnız: İkiYüzSeksen Türk Lirası" in x.notes


def test_a_coupon_is_an_allowance_on_its_line_named_by_its_label(shop: Shop, member: int) -> None:
    create_coupon("BAYRAM15", kind="amount", amount=D(15), product_code="1003", now=shop.now)
    cart = price_cart(cart_of(("1001", 2), ("1003", 1)).with_member(member).with_coupons(["BAYRAM15"]), now=shop.now)
    sale = sell(shop.books, cart, [PaymentInput("points", D(20)), PaymentInput("cash", cart.total - 20)])
    assert sale.total == D("125.00")  # 20,00 + 120,00 − 15,00
    (benefit,) = m.SaleBenefit.select().where(m.SaleBenefit.sale == sale.sale_id)
    assert (benefit.line_no, benefit.amount, benefit.kind) == (2, 1500, "coupon")
    x = check_against_sales(invoice_to_consumer(shop, sale.sale_id), [sale.sale_id])
    bread, tea = x.lines
    assert bread.allowance == 0 and bread.allowance_reason is None
    assert tea.allowance_reason == benefit.label
    assert tea.allowance == D("12.50")  # 15,00 with its 20 % KDV taken out
    assert tea.extension + tea.kdv == D("105.00")
    assert x.tax_inclusive == D("125.00")  # the benefit lowered the total; the points did not
    assert "Ödeme: Sadakat puanı 20,00 TL" in x.notes


def test_a_benefit_and_a_line_discount_on_one_line_are_both_named(shop: Shop, member: int) -> None:
    from pos_tui.core.basket import Discount

    create_coupon("ON10", kind="amount", amount=D(10), product_code="1004", now=shop.now)
    cart = cart_of(("1004", 2)).with_member(member).with_coupons(["ON10"])
    cart = price_cart(cart.discount_line(1, Discount("amount", D(5))), now=shop.now)
    sale = sell(shop.books, cart, [PaymentInput("cash", cart.total)], actor=shop.books.mehmet)
    assert sale.total == D("155.00")  # 170,00 − 5,00 − 10,00
    (benefit,) = m.SaleBenefit.select().where(m.SaleBenefit.sale == sale.sale_id)
    x = check_against_sales(invoice_to_consumer(shop, sale.sale_id), [sale.sale_id])
    (line,) = x.lines
    assert line.allowance_reason == f"İndirim; {benefit.label}"
    assert line.allowance == D("12.50")  # 15,00 at 20 %
