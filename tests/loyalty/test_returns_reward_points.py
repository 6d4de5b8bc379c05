"""A receipt with a reward (bought with points) and a points payment: a return gives back the
points that *paid*, never the reward's price as well."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from checkout_support import Product, basket, enroll, sell

from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.loyalty import ledger, rules
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.store import models as m

RULES = """
[points]
hold_days = 0
value = 1
max_redeem_percent = 100
[earning]
percent = 0
[[rewards]]
code = "ekmek"
name = "Ekmek hediye"
product = "50"
points = 10
"""


def test_refunding_points_paid_leaves_the_reward_spent(till: Actor, product: Product, now: datetime) -> None:
    rules.apply_rules(RULES, now=now)
    bread = product("50", "Ekmek", "10.00")
    jam = product("60", "Reçel", "40.00")
    member = enroll(now)
    ledger.earn(member, 100, now=now - timedelta(days=1), hold_days=0)
    day = shop_day(now, "Europe/Istanbul")
    cart = basket(member, (bread, 1), (jam, 1)).with_rewards(["ekmek"])
    sale = sell(till, cart, now, PaymentInput("points", Decimal("40.00")))
    assert ledger.balance(member, as_of=day).available == 100 - 10 - 40
    jam_line = m.SaleLine.get((m.SaleLine.sale == sale) & (m.SaleLine.code == "60"))
    create_return(
        "T1",
        till,
        m.Sale.get_by_id(sale).uid,
        [ReturnLineInput(jam_line.line_no, 1000)],
        now=now + timedelta(hours=1),
        reason="iade",
    )
    assert ledger.balance(member, as_of=day).available == 100 - 10  # the 40 that paid, not the reward's 10
