"""What the issue 16 property test (test_prop16_mix.py) found, as small tests with concrete numbers."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from checkout_support import Product, basket, enroll, sell

from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import Actor, shop_day
from pos_tui.core.loyalty import check_points_payment, ledger, rules
from pos_tui.store import models as m


def test_points_paid_in_two_parts_pass_the_minimum_balance_as_one_part_does(
    db: object, till: Actor, product: Product, now: datetime
) -> None:
    """``min_balance = 30`` is the balance needed *before* paying with points. A member with 40
    points pays 17 of a 100 TL receipt with points: in one part it posts; typed as 11 + 6 (the
    till lets the cashier add points in parts, and its preview accepts both) it must post too —
    the second part may not be checked against the 29 points left after the first."""
    rules.apply_rules("[points]\nmin_balance = 30\nhold_days = 0\n", now=now)
    member = enroll(now)
    ledger.earn(member, 40, now=now, hold_days=0)
    vase = product("VZ", "Vazo", "100.00")
    # the till's preview of the second part: 40 available, 11 taken by the first part
    assert check_points_payment(member, Decimal(6), total=Decimal(100), now=now, reserved=11, already=11) == 6
    sell(till, basket(member, (vase, 1)), now, PaymentInput("points", Decimal(11)), PaymentInput("points", Decimal(6)),
         PaymentInput("cash", Decimal(83)))  # fmt: skip
    assert ledger.balance(member, as_of=shop_day(now)).available == 23
    assert m.Sale.select().count() == 1
    # one part of 17 from the same 40 points posts the same way
    ledger.earn(member, 17, now=now, hold_days=0)
    sell(till, basket(member, (vase, 1)), now, PaymentInput("points", Decimal(17)), PaymentInput("cash", Decimal(83)))
    assert ledger.balance(member, as_of=shop_day(now)).available == 23
