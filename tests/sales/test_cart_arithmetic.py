"""Cart arithmetic: lines, discounts, KDV; the parts always sum exactly to the total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.basket import Cart, Discount
from pos_tui.core.kernel import NotFound, ValidationError

D = Decimal


def item(cart: Cart, pid: int, price: str, qty: int = 1000, rate: int = 20, unit: str = "piece", **kw: Any) -> Cart:
    return cart.add(
        product_id=pid,
        code=f"P{pid}",
        name=f"Item {pid}",
        unit=unit,
        kdv_rate=rate,
        price=D(price),
        qty_milli=qty,
        **kw,
    )


def test_line_gross_is_price_times_quantity_rounded_once() -> None:
    cart = item(Cart(), 1, "12.99", qty=1235, unit="kg")
    assert cart.lines[0].gross == D("16.04")  # 16.04265 → 16.04
    assert cart.total == D("16.04")


def test_same_item_scanned_again_merges_into_the_last_line_only() -> None:
    cart = item(item(Cart(), 1, "10.00"), 1, "10.00")
    assert len(cart.lines) == 1 and cart.lines[0].qty_milli == 2000
    cart = item(item(cart, 2, "5.00"), 1, "10.00")
    assert [ln.product_id for ln in cart.lines] == [1, 2, 1]
    assert cart.last_line is not None and cart.last_line.line_no == 3


def test_weighed_discounted_or_overridden_lines_are_not_merged() -> None:
    weighed = item(
        item(Cart(), 1, "10.00", qty=500, unit="kg", weighed=True), 1, "10.00", qty=700, unit="kg", weighed=True
    )
    assert len(weighed.lines) == 2
    discounted = item(Cart(), 1, "10.00").discount_line(1, Discount("percent", D(10)))
    assert len(item(discounted, 1, "10.00").lines) == 2
    overridden = item(Cart(), 1, "10.00").override_price(1, D("8.00"), "damaged box")
    assert len(item(overridden, 1, "10.00").lines) == 2


def test_pieces_need_whole_quantities_and_sane_sizes() -> None:
    with pytest.raises(ValidationError, match="whole quantity"):
        item(Cart(), 1, "1.00", qty=1500)
    with pytest.raises(ValidationError, match="too large"):
        item(Cart(), 1, "1.00", qty=8690000000011 * 1000)
    with pytest.raises(ValidationError, match="more than zero"):
        item(Cart(), 1, "1.00", qty=0)
    assert item(Cart(), 1, "1.00", qty=1500, unit="kg").lines[0].qty_milli == 1500


def test_line_and_cart_discounts() -> None:
    cart = item(item(Cart(), 1, "100.00", rate=20), 2, "50.00", rate=10)
    cart = cart.discount_line(1, Discount("percent", D(10)))  # 100 → 90
    cart = cart.discount_cart(Discount("amount", D("14.00")))  # 140 - 14 = 126
    t = cart.totals()
    assert t.subtotal == D("150.00")
    assert t.line_discount == D("10.00")
    assert t.cart_discount == D("14.00")
    assert t.total == D("126.00")
    # 14 spread over 90 and 50: 9.00 and 5.00
    assert [lt.cart_discount for lt in t.lines] == [D("9.00"), D("5.00")]
    assert [lt.net for lt in t.lines] == [D("81.00"), D("45.00")]
    assert {r.rate: (r.base, r.kdv) for r in t.kdv} == {10: (D("40.91"), D("4.09")), 20: (D("67.50"), D("13.50"))}


def test_discount_limits_on_the_cart_itself() -> None:
    cart = item(Cart(), 1, "10.00")
    with pytest.raises(ValidationError, match="more than line 1 costs"):
        cart.discount_line(1, Discount("amount", D("10.01")))
    with pytest.raises(ValidationError, match="more than the cart costs"):
        cart.discount_cart(Discount("amount", D("10.01")))
    with pytest.raises(ValidationError, match="100%"):
        Discount("percent", D("100.5"))
    with pytest.raises(ValidationError):
        Discount("amount", D("-1"))
    with pytest.raises(ValidationError, match="Unknown discount kind"):
        Discount("bogus", D(1))
    assert cart.discount_line(1, Discount("amount", D("10.00"))).total == D("0.00")


def test_voided_lines_count_for_nothing_but_stay_on_the_cart() -> None:
    cart = item(item(Cart(), 1, "10.00"), 2, "7.50").void(1, "customer changed mind")
    assert cart.total == D("7.50")
    assert cart.lines[0].voided and cart.lines[0].void_reason == "customer changed mind"
    with pytest.raises(ValidationError, match="voided"):
        cart.void(1, "again")
    with pytest.raises(ValidationError, match="reason"):
        cart.void(2, "  ")
    with pytest.raises(NotFound):
        cart.void(9, "no such line")
    assert not cart.is_empty
    assert cart.void(2, "x").is_empty


def test_price_override_keeps_the_list_price_and_needs_a_reason() -> None:
    cart = item(Cart(), 1, "10.00", qty=3000).override_price(1, D("8.50"), "damaged")
    line = cart.lines[0]
    assert (line.unit_price, line.list_price, line.price_override_reason) == (D("8.50"), D("10.00"), "damaged")
    assert cart.total == D("25.50")
    with pytest.raises(ValidationError, match="reason"):
        cart.override_price(1, D("1.00"), "")
    with pytest.raises(ValidationError, match="negative"):
        cart.override_price(1, D("-1.00"), "x")


def test_price_label_line_charges_the_label_amount_exactly() -> None:
    cart = item(Cart(), 1, "45.90", qty=269, unit="kg", weighed=True, fixed_amount=D("12.34"))
    assert cart.total == D("12.34")
    with pytest.raises(ValidationError, match="scale"):
        cart.set_quantity(1, 500)
    with pytest.raises(ValidationError, match="label"):
        cart.override_price(1, D("40.00"), "x")


def test_json_round_trip() -> None:
    cart = item(item(Cart(), 1, "10.00", barcode="8690000000011"), 2, "3.33", qty=1250, unit="kg", rate=1)
    cart = cart.discount_line(2, Discount("amount", D("0.50"))).discount_cart(Discount("percent", D("5")))
    cart = item(cart, 3, "1.00").void(3, "oops").override_price(1, D("9.00"), "promo").with_customer(7)
    cart = item(cart, 4, "20.00", fixed_amount=D("3.21"), weighed=True, qty=160, unit="kg").with_note("note")
    assert Cart.from_dict(cart.to_dict()) == cart
    with pytest.raises(ValueError, match="version"):
        Cart.from_dict({**cart.to_dict(), "version": 99})


# A discount spec: None, ("percent", basis points) or ("amount", kuruş); amounts are capped at
# what they apply to, as the cart itself requires.
DiscountSpec = tuple[str, int] | None
discount_st = st.one_of(
    st.none(),
    st.tuples(st.just("percent"), st.integers(min_value=1, max_value=10_000)),
    st.tuples(st.just("amount"), st.integers(min_value=1, max_value=100_000_000)),
)
line_st = st.tuples(
    st.integers(min_value=0, max_value=1_000_000),  # unit price in kuruş
    st.integers(min_value=1, max_value=500_000),  # grams
    st.sampled_from([0, 1, 10, 20]),
    discount_st,
    st.booleans(),  # voided
)


def discount_of(spec: DiscountSpec, base: Decimal) -> Discount | None:
    if spec is None:
        return None
    kind, value = spec
    if kind == "percent":
        return Discount("percent", D(value) / 100)
    amount = min(D(value) / 100, base)
    return Discount("amount", amount) if amount > 0 else None


@given(st.lists(line_st, min_size=1, max_size=12), discount_st)
def test_parts_always_sum_exactly_to_the_total(
    lines: list[tuple[int, int, int, DiscountSpec, bool]], cart_spec: DiscountSpec
) -> None:
    cart = Cart()
    for i, (price, grams, rate, spec, voided) in enumerate(lines, start=1):
        cart = item(cart, i, str(D(price) / 100), qty=grams, unit="kg", rate=rate)
        line_discount = discount_of(spec, cart.line(i).gross)
        if line_discount is not None:
            cart = cart.discount_line(i, line_discount)
        if voided:
            cart = cart.void(i, "test")
    cart_discount = None if cart.is_empty else discount_of(cart_spec, cart.discount_base)
    if cart_discount is not None:
        cart = cart.discount_cart(cart_discount)
    t = cart.totals()
    assert sum((lt.net for lt in t.lines), D(0)) == t.total
    assert t.subtotal - t.discount == t.total
    assert sum((r.base + r.kdv for r in t.kdv), D(0)) == t.total
    assert all(lt.net >= 0 and lt.base >= 0 and lt.kdv >= 0 for lt in t.lines)
    assert all(lt.gross - lt.discount == lt.net and lt.base + lt.kdv == lt.net for lt in t.lines)
    assert all(r.base >= 0 and r.kdv >= 0 for r in t.kdv)
    assert t.total >= 0
    assert len(t.lines) == len(cart.active_lines)
    assert Cart.from_dict(cart.to_dict()).totals() == t
