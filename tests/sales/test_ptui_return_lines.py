"""A returned line's price before its discount is its quantity × unit price, so the return slip's
subtotal agrees with its lines: 2 × 429,90 sold with 10,01 off, one returned at a time, prints
"429,90" twice (refunds 424,90 then 424,89), never 429,91 then 429,89."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.console import Console

from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return, receipt_for, returnable_lines
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal


def test_each_return_of_a_discounted_line_prints_its_unit_price(
    make_product: Callable[..., m.Product],
    add: Callable[..., Cart],
    cashier: Actor,
    now: datetime,
    settings: Settings,
) -> None:
    from pos_tui.tui.render import render_receipt

    vase = make_product("2001", "Vazo", "429.90", 20)
    cart = add(Cart(), vase, 2000).discount_line(1, Discount("amount", D("10.01")))
    sale = complete_sale("T1", cashier, [PaymentInput("cash", D("849.79"))], now=now, cart=cart)
    refunds = []
    for _ in range(2):
        ret = create_return("T1", cashier, sale.uid, [ReturnLineInput(1, 1000)], now=now, reason="r")
        doc = ret.document
        (line,) = doc["lines"]
        assert D(line["total"]) + D(line["discount"]) == D("429.90") == D(doc["subtotal"])
        assert D(doc["subtotal"]) - D(doc["discount"]) == D(doc["total"])
        refunds.append((doc["total"], doc["discount"]))
        printed = [ln.text for ln in receipt_for(doc, settings, width=42, fiscal=True).lines]
        assert any(t.startswith("Vazo") and t.endswith("%20 429.90") for t in printed)
        assert any(t.startswith("Subtotal") and t.endswith("429.90") for t in printed)
        console = Console(width=60, record=True, file=io.StringIO())
        console.print(render_receipt(doc, settings))
        shown = console.export_text()
        assert "1 × 429.90" in shown and "disc. " + line["discount"] in shown
        assert "429.91" not in shown and "429.89" not in shown
    assert refunds == [("424.90", "5.00"), ("424.89", "5.01")]  # 849.79 and 10.01 in all


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    price_k=st.integers(1, 99_999),
    pieces=st.integers(1, 7),
    off_k=st.integers(1, 99_999),
    steps=st.lists(st.integers(1, 7), min_size=1, max_size=7),
)
@example(price_k=42_990, pieces=2, off_k=1001, steps=[1])  # net and discount would both round up
def test_returned_pieces_are_priced_at_quantity_times_unit_price(
    make_product: Callable[..., m.Product],
    add: Callable[..., Cart],
    cashier: Actor,
    now: datetime,
    price_k: int,
    pieces: int,
    off_k: int,
    steps: list[int],
) -> None:
    """Whatever the discount and however the pieces come back, each return line's total plus its
    discount is its quantity × unit price, no discount is negative, and the returns give back
    exactly the line's total and discount between them."""
    tag = str(m.Sale.select().count())  # the database lives across examples: unique product codes
    product = make_product(f"R{tag}", "Item", str(D(price_k) / 100), 20)
    gross = D(price_k * pieces) / 100
    off = min(D(off_k) / 100, gross - D("0.01")) if gross > D("0.01") else None
    cart = add(Cart(), product, pieces * 1000)
    if off is not None and off > 0:
        cart = cart.discount_line(1, Discount("amount", off))
    sale = complete_sale("T1", cashier, [PaymentInput("cash", cart.total)], now=now, cart=cart)
    totals, discounts = D(0), D(0)
    for step in [*steps, pieces]:
        (left,) = [r.remaining_milli for r in returnable_lines(sale.uid)]
        qty = min(step * 1000, left)
        if qty == 0:
            break
        doc = create_return("T1", cashier, sale.uid, [ReturnLineInput(1, qty)], now=now, reason="r").document
        (line,) = doc["lines"]
        assert D(line["discount"]) >= 0
        assert D(line["total"]) + D(line["discount"]) == D(price_k * (qty // 1000)) / 100
        totals += D(line["total"])
        discounts += D(line["discount"])
    sold = m.SaleLine.get(m.SaleLine.sale == sale.sale_id)
    assert (totals, discounts) == (D(sold.total) / 100, D(sold.discount) / 100)
