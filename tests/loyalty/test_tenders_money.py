"""Store credit and gift cards as tenders, through the real sale engine: what they may pay,
what a return gives back to them (the wallet that paid, the card that paid — never cash),
masked card codes on the receipt, and the drawer that counts only cash."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from wallet_support import give_back, payments_of, product, sell

from pos_tui.core import cash
from pos_tui.core.basket import SALE, PaymentInput, TenderContext, settle_payments
from pos_tui.core.cash import shifts
from pos_tui.core.kernel import Actor, ValidationError, shop_day
from pos_tui.core.loyalty import giftcards, register_loyalty_tenders, wallet
from pos_tui.store import models as m

D = Decimal


@pytest.fixture(autouse=True)
def _tenders() -> None:
    register_loyalty_tenders()


def wallet_rows(member: int) -> list[tuple[str, int]]:
    w = m.WalletEntry
    return list(
        w.select(w.kind, w.amount)
        .where((w.member == member) & (w.kind.in_(("import", "spend", "refund"))))
        .order_by(w.id)
        .tuples()
    )


def gift(code: str, amount: str) -> PaymentInput:
    return PaymentInput("gift_card", D(amount), details={"code": code})


# --------------------------------------------------------------------------- store credit


def test_store_credit_pays_and_a_return_puts_it_back_in_the_wallet(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    wallet.credit(member, D("300.00"), kind="import", now=now)
    chair = product(now, "Sandalye", "250.00")
    sold = sell(cashier, [(chair, 2)], [("store_credit", "300"), ("cash", "200")], now=now, member_id=member)
    assert wallet.wallet_balance(member) == D("0.00")
    back = give_back(cashier, sold.uid, [(1, 2)], now=now + timedelta(days=1))
    assert [(meth, amount) for meth, amount, _r in payments_of(back.sale_id)] == [
        ("store_credit", 30000),
        ("cash", 20000),
    ]
    assert wallet.wallet_balance(member) == D("300.00")
    assert wallet_rows(member) == [("import", 30000), ("spend", -30000), ("refund", 30000)]
    refund = m.WalletEntry.get(m.WalletEntry.kind == "refund")
    assert refund.sale_id == sold.sale_id  # points at the receipt whose credit it gives back


def test_store_credit_needs_a_member_and_available_money(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    chair = product(now, "Sandalye", "250.00")
    with pytest.raises(ValidationError, match="needs a member on the receipt"):
        sell(cashier, [(chair, 1)], [("store_credit", "10"), ("cash", "240")], now=now)
    wallet.credit(member, D("50.00"), kind="import", now=now)
    earlier = m.Sale.create(
        uid="earlier", kind="sale", terminal="T0", receipt_no=1, at=now, cashier=cashier.user_id, subtotal=0, total=0
    )
    wallet.credit(member, D("100.00"), kind="cashback", now=now, sale_id=earlier.id)
    with pytest.raises(ValidationError, match=r"Only 50.00 of store credit is available \(100.00 pending\); 60.00"):
        sell(cashier, [(chair, 1)], [("store_credit", "60"), ("cash", "190")], now=now, member_id=member)
    assert m.Sale.select().count() == 1
    sell(cashier, [(chair, 1)], [("store_credit", "50"), ("cash", "200")], now=now, member_id=member)
    assert wallet.wallet_status(member, as_of=shop_day(now)).available == D("0.00")


def test_store_credit_refunds_only_what_it_paid(db: object, cashier: Actor, member: int, now: datetime) -> None:
    # without a member on the receipt (a member's receipt may take more: issue 16, test_credit_refunds.py)
    chair = product(now, "Sandalye", "250.00")
    sold = sell(cashier, [(chair, 1)], [("cash", "250")], now=now)
    with pytest.raises(ValidationError, match=r"more than the 0.00 paid by store_credit"):
        give_back(cashier, sold.uid, [(1, 1)], now=now, refunds=[PaymentInput("store_credit", D("250"))])


# --------------------------------------------------------------------------- gift cards


def test_a_gift_card_pays_and_a_return_goes_back_to_the_card(db: object, cashier: Actor, now: datetime) -> None:
    card = giftcards.issue_card(D("150.00"), actor=cashier, now=now, terminal="T1", method="card")
    vase = product(now, "Vazo", "100.00")
    sold = sell(cashier, [(vase, 2)], [gift(card.code, "150"), ("cash", "50")], now=now)
    assert giftcards.card_balance(card.code) == D("0.00")
    method, amount, reference = payments_of(sold.sale_id)[0]
    assert (method, amount, reference) == ("gift_card", 15000, giftcards.mask_code(card.code))
    assert card.code not in str(sold.document)  # the full code never reaches the receipt or the journal
    back = give_back(cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1))
    assert [(meth, amount) for meth, amount, _r in payments_of(back.sale_id)] == [("gift_card", 10000)]
    assert giftcards.card_balance(card.code) == D("100.00")
    rest = give_back(cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1))
    assert [(meth, amount) for meth, amount, _r in payments_of(rest.sale_id)] == [("gift_card", 5000), ("cash", 5000)]
    assert giftcards.card_balance(card.code) == D("150.00")
    assert giftcards.open_on_sale(sold.sale_id) == []


def test_two_cards_on_one_receipt_are_refunded_each_to_itself(db: object, cashier: Actor, now: datetime) -> None:
    a = giftcards.issue_card(D("30.00"), actor=cashier, now=now, terminal="T1", method="card")
    b = giftcards.issue_card(D("50.00"), actor=cashier, now=now, terminal="T1", method="card")
    vase = product(now, "Vazo", "80.00")
    sold = sell(
        cashier, [(vase, 1)], [gift(a.code, "30"), PaymentInput("gift_card", D("50"), reference=b.code)], now=now
    )
    give_back(cashier, sold.uid, [(1, 1)], now=now)
    assert (giftcards.card_balance(a.code), giftcards.card_balance(b.code)) == (D("30.00"), D("50.00"))


def test_a_gift_card_must_be_usable(db: object, cashier: Actor, supervisor: Actor, now: datetime) -> None:
    vase = product(now, "Vazo", "100.00")
    with pytest.raises(ValidationError, match="Scan or type the gift card's code"):
        sell(cashier, [(vase, 1)], [("gift_card", "100")], now=now)
    with pytest.raises(ValidationError, match="No gift card GC000000000000"):
        sell(cashier, [(vase, 1)], [gift("GC000000000000", "100")], now=now)
    card = giftcards.issue_card(
        D("60.00"), actor=cashier, now=now, terminal="T1", method="card", expires_on=shop_day(now) + timedelta(days=5)
    )
    masked = giftcards.mask_code(card.code)
    with pytest.raises(ValidationError, match=rf"Gift card {masked.replace('*', '[*]')} holds only 60.00; 100.00"):
        sell(cashier, [(vase, 1)], [gift(card.code, "100")], now=now)
    with pytest.raises(ValidationError, match="expired on"):
        sell(cashier, [(vase, 1)], [gift(card.code, "60"), ("cash", "40")], now=now + timedelta(days=6))
    giftcards.deactivate(card.code, actor=supervisor, now=now, terminal="T1", reason="lost")
    with pytest.raises(ValidationError, match="is deactivated"):
        sell(cashier, [(vase, 1)], [gift(card.code, "60"), ("cash", "40")], now=now)
    assert m.Sale.select().count() == 0 and giftcards.card_balance(card.code) == D("60.00")


def test_gift_card_preview_reads_only(db: object, cashier: Actor, now: datetime) -> None:
    card = giftcards.issue_card(D("60.00"), actor=cashier, now=now, terminal="T1", method="card")
    ctx = TenderContext(SALE, "T1", cashier.user_id, None, D("100.00"), now)
    applied = settle_payments([gift(card.code, "60"), PaymentInput("card", D("40"))], ctx)
    assert [a.method for a in applied] == ["gift_card", "card"]
    assert giftcards.card_balance(card.code) == D("60.00")
    with pytest.raises(ValidationError, match=r"more than the 100.00 still to pay"):
        settle_payments([gift(card.code, "100.01")], ctx)


def test_the_drawer_counts_only_cash(db: object, cashier: Actor, member: int, now: datetime) -> None:
    """Points, store credit and gift cards are not cash: the expected cash ignores them, the X
    report lists them by method; cash taken for a gift card is counted."""
    from pos_tui.core.loyalty import earn

    shift = cash.open_shift("T1", cashier, D("100.00"), now=now)
    card = giftcards.issue_card(D("40.00"), actor=cashier, now=now, terminal="T1", method="cash")
    wallet.credit(member, D("20.00"), kind="import", now=now)
    earn(member, 30, now=now, hold_days=0)
    vase = product(now, "Vazo", "100.00")
    sell(
        cashier,
        [(vase, 1)],
        [gift(card.code, "40"), ("store_credit", "20"), ("points", "30"), ("cash", "20")],  # 10 change
        now=now,
        member_id=member,
        shift_id=shift.id,
    )
    x = shifts.x_report("T1", now=now)
    assert (x.cash_sales, x.gift_cards, x.expected_cash) == (D("10.00"), D("40.00"), D("150.00"))
    assert x.totals.by_payment == {
        "cash": D("10.00"),
        "gift_card": D("40.00"),
        "points": D("30.00"),
        "store_credit": D("20.00"),
    }
