"""The open cart is priced on the shop's own day: a shop configured far from Istanbul (here
Auckland, already on the next day) applies the coupons and benefits of *its* day, not the
default zone's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from engine_support import new_product

from pos_tui.core import till
from pos_tui.core.basket import SALE, PaymentInput, TenderContext, settle_payments
from pos_tui.core.kernel import Actor, ValidationError, shop_day
from pos_tui.core.loyalty import create_coupon, giftcards, register_loyalty_tenders

T = "T1"
AUCKLAND = "Pacific/Auckland"
# 12:00 UTC on 1 November 2026: 15:00 on the 1st in Istanbul, 01:00 on the 2nd in Auckland.
LATE = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def test_the_open_cart_uses_the_configured_zones_day(db: object, cashier: Actor, now: datetime) -> None:
    assert (shop_day(LATE, AUCKLAND).day, shop_day(LATE, "Europe/Istanbul").day) == (2, 1)
    new_product(now, "1503", "119.90", name="Şampuan")
    create_coupon("YARIN", kind="amount", amount=Decimal(5), valid_from=shop_day(LATE, AUCKLAND), now=now)
    till.add_item(T, cashier, "1503", now=LATE, tz=AUCKLAND, masks=())
    cart = till.add_coupon(T, cashier, "yarin", now=LATE, tz=AUCKLAND)
    assert cart.coupons == ("YARIN",)
    assert sum(b.amount for b in cart.benefits if b.code == "YARIN") == Decimal("5.00")
    # the next change prices the cart again, on the same day
    cart = till.add_item(T, cashier, "1503", now=LATE, tz=AUCKLAND, masks=())
    assert sum(b.amount for b in cart.benefits if b.code == "YARIN") == Decimal("5.00")
    # in Istanbul it is still the 1st: the coupon is not valid yet
    with pytest.raises(ValidationError, match="Coupon YARIN is valid from 2026-11-02"):
        till.add_coupon("T2", cashier, "YARIN", now=LATE, tz="Europe/Istanbul")


def test_a_gift_card_is_spent_on_the_shops_day(db: object, cashier: Actor, now: datetime) -> None:
    """A card whose last day is the 1st is expired in a shop already on the 2nd: the loyalty
    tenders read the day in the zone the sale carries (``TenderContext.tz``), not the default."""
    register_loyalty_tenders()
    card = giftcards.issue_card(
        Decimal("50.00"), actor=cashier, now=now, terminal=T, method="card", expires_on=date(2026, 11, 1)
    )
    pay = [PaymentInput("gift_card", Decimal("10.00"), reference=card.code)]

    def context(tz: str) -> TenderContext:
        return TenderContext(SALE, T, cashier.user_id, None, Decimal("10.00"), LATE, tz=tz)

    assert [p.amount for p in settle_payments(pay, context("Europe/Istanbul"))] == [Decimal("10.00")]
    with pytest.raises(ValidationError, match="2026-11-01"):
        settle_payments(pay, context(AUCKLAND))
