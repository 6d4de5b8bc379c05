"""The cart's stored text (``cart_draft.data``) written and read with a memory (basket.codec).

The codec must be invisible: the text is exactly ``json.dumps(cart.to_dict())`` as it always
was, and a remembered cart is exactly what decoding the stored text gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core import till
from pos_tui.core.basket import Benefit, Cart, Discount
from pos_tui.core.basket.codec import CartCodec
from pos_tui.core.kernel import Actor
from pos_tui.store import models as m
from pos_tui.store import write_tx

D = Decimal


def plain(cart: Cart) -> str:
    """The text as it was written before the codec: the whole dict, compact, not ASCII-escaped."""
    return json.dumps(cart.to_dict(), ensure_ascii=False, separators=(",", ":"))


def item(cart: Cart, pid: int, price: str, qty: int = 1000, **kw: Any) -> Cart:
    return cart.add(
        product_id=pid, code=f"P{pid}", name=f"Ürün {pid} “özel”", unit=kw.pop("unit", "piece"), kdv_rate=20,
        price=D(price), qty_milli=qty, **kw,
    )  # fmt: skip


def busy_cart() -> Cart:
    cart = item(item(Cart(), 1, "10.00", barcode="8690000000011"), 2, "3.33", qty=1250, unit="kg")
    cart = cart.discount_line(2, Discount("amount", D("0.50"))).discount_cart(Discount("percent", D("5")))
    cart = item(cart, 3, "1.00").void(3, "oops").override_price(1, D("9.00"), "promo").with_customer(7)
    cart = item(cart, 4, "20.00", fixed_amount=D("3.21"), weighed=True, qty=160, unit="kg").with_note('not\n"x"')
    return cart.with_member(5).with_coupons(["KUPON1"]).with_rewards(["R1"])


def test_the_text_is_the_whole_dict_as_json_byte_for_byte() -> None:
    codec = CartCodec()
    for cart in (Cart(), item(Cart(), 1, "1.00"), busy_cart()):
        assert codec.encode(cart) == plain(cart)
        assert codec.encode(cart) == plain(cart)  # and again, from memory
        assert codec.decode(codec.encode(cart)) == cart


def test_a_remembered_cart_comes_back_only_for_the_same_text() -> None:
    codec = CartCodec()
    cart = busy_cart()
    data = codec.encode(cart)
    codec.written(1, data, cart)
    assert codec.decode(data, 1) is cart
    other = item(cart, 9, "2.00")
    assert codec.decode(plain(other), 1) == other  # the row holds other text: decoded afresh
    assert codec.decode(data, 2) == cart and codec.decode(data, 2) is not cart


def test_a_value_that_writes_differently_once_read_back_is_not_remembered() -> None:
    # A benefit of Decimal("5") reads back as Decimal("5.00"): equal, but it writes "5.00".
    codec = CartCodec()
    cart = item(Cart(), 1, "10.00").with_benefits([Benefit(1, D("5"), "promotion", "P", "Promo")])
    data = codec.encode(cart)
    assert data == plain(cart)
    codec.written(1, data, cart)
    back = codec.decode(data, 1)
    assert back == cart and back is not cart
    assert back.benefits[0].amount.as_tuple().exponent == -2
    assert codec.decode(data, 1) is back  # what was decoded is remembered


money_st = st.integers(min_value=0, max_value=10_000_000).map(lambda k: D(k) / 100)


@given(
    st.lists(st.tuples(st.integers(1, 50), money_st, st.integers(1, 20), st.booleans()), min_size=1, max_size=30),
    st.booleans(),
)
def test_scans_kept_in_memory_read_back_as_decoding_would(
    lines: list[tuple[int, Decimal, int, bool]], cut: bool
) -> None:
    codec = CartCodec(lines=16, drafts=2)  # small memories, so entries are dropped along the way
    cart = Cart()
    data = codec.encode(cart)
    for pid, price, qty, void in lines:
        cart = codec.decode(data, 1)
        cart = item(cart, pid, str(price), qty * 1000)
        if void:
            cart = cart.void(cart.lines[-1].line_no, "mistake")
        if cut and not cart.is_empty:
            cart = cart.discount_cart(Discount("percent", D("10")))
        data = codec.encode(cart)
        assert data == plain(cart)
        codec.written(1, data, cart)
        fresh = Cart.from_dict(json.loads(data))
        assert codec.decode(data, 1) == fresh
        assert plain(codec.decode(data, 1)) == plain(fresh) == data


def test_a_cart_change_rolled_back_leaves_the_stored_cart_to_be_read_afresh(
    db: object, cashier: Actor, make_product: Callable[..., m.Product], now: datetime
) -> None:
    """The new cart is encoded and remembered inside the transaction, which then rolls back:
    the row still holds the old text, so the next read gives the old cart."""
    make_product("1001", "Ekmek", "10.00", 1)
    make_product("1002", "Un", "7.25", 1)
    first = till.add_item("T1", cashier, "1001", now=now, masks=())
    with pytest.raises(RuntimeError), write_tx():
        till.add_item("T1", cashier, "1002", now=now, masks=())
        raise RuntimeError("the sale's other half failed")
    assert till.load_open_cart("T1", cashier.user_id) == first
    cart = till.add_item("T1", cashier, "1002", now=now, masks=())
    assert [ln.code for ln in cart.lines] == ["1001", "1002"]
    assert till.load_open_cart("T1", cashier.user_id) is cart  # remembered: not decoded again
    assert m.CartDraft.get().data == plain(cart)
