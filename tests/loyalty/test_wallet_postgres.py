"""Store credit, gift cards and the loyalty tenders on PostgreSQL: the same rules, the drawer,
and two processes spending from one wallet (the member row locked ``FOR UPDATE``) that
never overdraw it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import peewee
import pytest
from loyalty_support import new_member, new_sale, new_user, pg_url, race
from wallet_support import WALLET_TERMINAL, give_back, product, sell

from pos_tui.core import cash
from pos_tui.core.basket import PaymentInput
from pos_tui.core.cash import shifts
from pos_tui.core.kernel import Actor, ValidationError, shop_day
from pos_tui.core.loyalty import InsufficientCredit, balance, earn, giftcards, register_loyalty_tenders, wallet
from pos_tui.settings import DEFAULT_ROLES

pytestmark = pytest.mark.postgres
D = Decimal


def _cashier(now: datetime) -> Actor:
    role = DEFAULT_ROLES["cashier"]
    return Actor(new_user(now, "ayse", "cashier"), "ayse", "cashier", role.permissions, role.max_discount_pct)


def test_wallet_and_gift_cards_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    register_loyalty_tenders()
    cashier = _cashier(now)
    member = new_member(now)
    sale = new_sale(now, cashier.user_id)
    wallet.credit(member, D("100.00"), kind="cashback", now=now, sale_id=sale)
    wallet.credit(member, D("20.00"), kind="import", now=now)
    with pytest.raises(InsufficientCredit, match=r"Only 20.00 .* \(100.00 pending\)"):
        wallet.spend(member, D("21.00"), now=now)
    later = now + timedelta(days=16)
    wallet.spend(member, D("110.00"), now=later)
    taken = wallet.clawback_cashback(member, sale, now=later, fraction=D(1))
    assert taken is not None and taken.amount == D("-100.00")
    assert wallet.wallet_balance(member) == D("-90.00")

    shift = cash.open_shift("T1", cashier, D("0.00"), now=now)
    card = giftcards.issue_card(D("80.00"), actor=cashier, now=now, terminal="T1")
    giftcards.top_up(card.code, D("20.00"), actor=cashier, now=now, terminal="T1", method="card")
    assert shifts.x_report("T1", now=now).expected_cash == D("80.00")
    assert [(c.code, c.balance) for c in giftcards.list_cards(active_only=True)] == [(card.code, D("100.00"))]

    buyer = new_member(now, "Ali Kaya")
    earn(buyer, 50, now=now, hold_days=0)
    wallet.credit(buyer, D("10.00"), kind="import", now=now)
    vase = product(now, "Vazo", "200.00")
    sold = sell(
        cashier,
        [(vase, 1)],
        [
            PaymentInput("gift_card", D("100"), details={"code": card.code}),
            ("points", "50"),
            ("store_credit", "10"),
            ("cash", "40"),
        ],
        now=now,
        member_id=buyer,
        shift_id=shift.id,
    )
    assert giftcards.card_balance(card.code) == D("0.00")
    with pytest.raises(ValidationError, match=r"holds only 0.00"):
        sell(cashier, [(vase, 1)], [PaymentInput("gift_card", D("1"), details={"code": card.code})], now=now)
    give_back(cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1))
    assert giftcards.card_balance(card.code) == D("100.00")
    assert wallet.wallet_balance(buyer) == D("10.00")
    assert balance(buyer, as_of=shop_day(now + timedelta(days=1))).available == 50


def test_two_processes_never_overdraw_a_wallet_on_postgres(pg_db: peewee.Database, now: datetime) -> None:
    member = new_member(now)
    wallet.credit(member, D("100.00"), kind="import", now=now)
    url = pg_url(pg_db)
    results = race(WALLET_TERMINAL, url, member, 80, now)
    assert sum(got for got, _ in results) == 100
    assert sum(refused for _, refused in results) == 60
    assert wallet.wallet_balance(member) == D("0.00")
