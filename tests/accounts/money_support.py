"""Helpers the money-on-account tests share (a uniquely named module; no tests in it)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from accounts_support import Books

from pos_tui.core import catalog
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, Override
from pos_tui.core.till import SaleResult, complete_sale

D = Decimal


def cart_of(*items: tuple[str, int]) -> Cart:
    """A cart of ``(product code, pieces)``."""
    cart = Cart()
    for code, n in items:
        cart = cart.add_product(catalog.get_product(code), n * 1000)
    return cart


def on_account(amount: str, account: str = "BAKKAL", installments: int | None = None) -> PaymentInput:
    details: dict[str, object] = {"account": account}
    if installments is not None:
        details["installments"] = installments
    return PaymentInput("on_account", D(amount), details=details)


def sell(
    books: Books,
    cart: Cart,
    payments: list[PaymentInput],
    *,
    actor: Actor | None = None,
    now: datetime | None = None,
    override: Override | None = None,
    shift_id: int | None = None,
) -> SaleResult:
    return complete_sale(
        "T1",
        actor or books.ayse,
        payments,
        now=now or books.now,
        cart=cart,
        tz=books.settings.shop.timezone,
        override=override,
        shift_id=shift_id,
    )
