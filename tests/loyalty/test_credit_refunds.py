"""Issue 16: a return refunded into the member's store credit, or onto a new gift card, with the
numbers of the brief: a 300 TL card receipt, 100 TL of it returned."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from wallet_support import give_back, payments_of, product, sell

from pos_tui.core import audit, cash
from pos_tui.core.basket import PaymentInput
from pos_tui.core.cash import shifts
from pos_tui.core.kernel import Actor, ValidationError, shop_day
from pos_tui.core.loyalty import giftcards, register_loyalty_tenders, rules, wallet
from pos_tui.core.till import create_return, refund_split
from pos_tui.core.till.results import ReturnLineInput
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal
LATER = timedelta(days=1)


@pytest.fixture(autouse=True)
def _tenders() -> None:
    register_loyalty_tenders()


def card_receipt(cashier: Actor, now: datetime, member: int | None, *, shift_id: int | None = None) -> object:
    """A 300 TL receipt paid by card: three vases of 100 TL."""
    vase = product(now, "Vazo", "100.00")
    return sell(cashier, [(vase, 3)], [("card", "300")], now=now, member_id=member, shift_id=shift_id)


def audit_ok(settings: Settings) -> None:
    report = audit.verify(settings=settings)
    assert report.problems == []


def test_a_return_into_store_credit_puts_it_on_the_wallet_and_pays_nothing_out(
    db: object, settings: Settings, cashier: Actor, member: int, now: datetime
) -> None:
    shift = cash.open_shift("T1", cashier, D("500.00"), now=now)
    sold = card_receipt(cashier, now, member, shift_id=shift.id)
    assert [(p.method, p.amount) for p in refund_split(sold.uid, D("100.00"), "store_credit")] == [
        ("store_credit", D("100.00"))
    ]
    back = create_return(
        "T1",
        cashier,
        sold.uid,
        [ReturnLineInput(1, 1000)],
        now=now + LATER,
        reason="changed mind",
        refund_method="store_credit",
        shift_id=shift.id,
    )
    assert [(meth, amount) for meth, amount, _r in payments_of(back.sale_id)] == [("store_credit", 10000)]
    status = wallet.wallet_status(member, as_of=shop_day(now + LATER))
    assert (status.total, status.available, status.pending) == (D("100.00"), D("100.00"), D("0.00"))
    entry = wallet.wallet_entries(member)[0]
    assert (entry.kind, entry.amount, entry.sale_id) == ("refund", D("100.00"), back.sale_id)  # linked to the return
    x = shifts.x_report("T1", now=now + LATER)
    assert x.cash_refunds == D("0.00")
    assert x.expected_cash == D("500.00")  # the float: the card sale and the refund never touched the drawer
    assert x.totals.return_payments == {"store_credit": D("100.00")}
    assert "card" not in x.totals.return_payments  # nothing went back to the card
    audit_ok(settings)
    # the rest of the receipt still goes back to the card it was paid with
    rest = give_back(cashier, sold.uid, [(1, 2)], now=now + LATER)
    assert [(meth, amount) for meth, amount, _r in payments_of(rest.sale_id)] == [("card", 20000)]
    closed = cash.close_shift("T1", cashier, D("500.00"), now=now + LATER)
    assert (closed.expected_cash, closed.variance) == (D("500.00"), D("0.00"))


def test_store_credit_refund_is_refused_when_the_shop_does_not_allow_it(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    rules.apply_rules("[store_credit]\nrefunds = false\n", now=now)
    sold = card_receipt(cashier, now, member)
    with pytest.raises(ValidationError, match=r"does not refund returns into store credit \(\[store_credit\] refunds"):
        refund_split(sold.uid, D("100.00"), "store_credit")
    with pytest.raises(ValidationError, match="does not refund returns into store credit"):
        give_back(cashier, sold.uid, [(1, 1)], now=now, refund_method="store_credit")
    with pytest.raises(ValidationError, match=r"more than the 0.00 paid by store_credit"):
        give_back(cashier, sold.uid, [(1, 1)], now=now, refunds=[PaymentInput("store_credit", D("100"))])
    assert m.Sale.select().where(m.Sale.kind == "return").count() == 0
    assert wallet.wallet_balance(member) == D("0.00")


def test_store_credit_refund_is_refused_without_a_member(db: object, cashier: Actor, now: datetime) -> None:
    sold = card_receipt(cashier, now, None)
    with pytest.raises(ValidationError, match="The receipt has no member"):
        give_back(cashier, sold.uid, [(1, 1)], now=now, refund_method="store_credit")
    assert m.Sale.select().where(m.Sale.kind == "return").count() == 0


def test_what_store_credit_paid_goes_back_first_the_rest_is_linked_to_the_return(
    db: object, settings: Settings, cashier: Actor, member: int, now: datetime
) -> None:
    wallet.credit(member, D("50.00"), kind="import", now=now)
    vase = product(now, "Vazo", "100.00")
    sold = sell(cashier, [(vase, 3)], [("store_credit", "50"), ("card", "250")], now=now, member_id=member)
    back = give_back(cashier, sold.uid, [(1, 1)], now=now + LATER, refund_method="store_credit")
    assert [(meth, amount) for meth, amount, _r in payments_of(back.sale_id)] == [("store_credit", 10000)]
    refunds = [(e.amount, e.sale_id) for e in wallet.wallet_entries(member) if e.kind == "refund"]
    assert sorted(refunds, key=lambda r: r[1]) == [(D("50.00"), sold.sale_id), (D("50.00"), back.sale_id)]
    assert wallet.wallet_balance(member) == D("100.00")
    assert wallet.spent_on_sale(member, sold.sale_id) == D("0.00")
    # the rest by the original payment: store credit has nothing open, the card 200 TL
    rest = give_back(cashier, sold.uid, [(1, 2)], now=now + LATER)
    assert [(meth, amount) for meth, amount, _r in payments_of(rest.sale_id)] == [("card", 20000)]
    audit_ok(settings)


def test_points_and_gift_cards_are_never_turned_into_store_credit(
    db: object, cashier: Actor, member: int, now: datetime
) -> None:
    card = giftcards.issue_card(D("40.00"), actor=cashier, now=now, terminal="T1", method="card")
    vase = product(now, "Vazo", "100.00")
    sold = sell(
        cashier,
        [(vase, 1)],
        [PaymentInput("gift_card", D("40"), details={"code": card.code}), ("cash", "60")],
        now=now,
        member_id=member,
    )
    split = refund_split(sold.uid, D("100.00"), "store_credit")
    assert [(p.method, p.amount) for p in split] == [("gift_card", D("40.00")), ("store_credit", D("60.00"))]


def test_a_refund_onto_a_new_gift_card(
    db: object, settings: Settings, cashier: Actor, member: int, now: datetime
) -> None:
    shift = cash.open_shift("T1", cashier, D("500.00"), now=now)
    sold = card_receipt(cashier, now, member, shift_id=shift.id)
    back = create_return(
        "T1",
        cashier,
        sold.uid,
        [ReturnLineInput(1, 1000)],
        now=now + LATER,
        reason="changed mind",
        refund_method="gift_card_new",
        shift_id=shift.id,
    )
    (issued,) = giftcards.cards_issued_on(back.sale_id)
    assert issued.balance == D("100.00") and issued.member_id == member and issued.expires_on is None
    [(method, amount, reference)] = payments_of(back.sale_id)
    assert (method, amount, reference) == ("gift_card_new", 10000, giftcards.mask_code(issued.code))
    assert issued.code not in str(back.document)  # the receipt carries it masked only
    x = shifts.x_report("T1", now=now + LATER)
    assert (x.cash_refunds, x.expected_cash, x.gift_cards) == (D("0.00"), D("500.00"), D("0.00"))
    # the new card pays a later receipt
    vase = product(now, "Kase", "100.00")
    sell(cashier, [(vase, 1)], [PaymentInput("gift_card", D("100"), details={"code": issued.code})], now=now + LATER)
    assert giftcards.card_balance(issued.code) == D("0.00")
    journalled = m.JournalEntry.get((m.JournalEntry.kind == "gift_card_issue") & (m.JournalEntry.ref == issued.code))
    assert '"method":"refund"' in journalled.payload and back.uid in journalled.payload
    audit_ok(settings)


def test_a_new_gift_card_never_pays_a_sale(db: object, cashier: Actor, now: datetime) -> None:
    vase = product(now, "Vazo", "100.00")
    with pytest.raises(ValidationError, match="A new gift card is a way to refund a return"):
        sell(cashier, [(vase, 1)], [("gift_card_new", "100")], now=now)


def test_an_unknown_refund_method_names_the_four(db: object, cashier: Actor, member: int, now: datetime) -> None:
    sold = card_receipt(cashier, now, member)
    with pytest.raises(ValidationError, match=r"'original', 'cash', 'store_credit'.*'gift_card_new'.*'voucher'"):
        give_back(cashier, sold.uid, [(1, 1)], now=now, refund_method="voucher")


@pytest.mark.postgres
def test_refunds_into_store_credit_and_a_new_card_on_postgres(pg_db: object, now: datetime) -> None:
    """The same paths on PostgreSQL: the wallet's refund entry on the return, the new card, the
    top-up's cash in the drawer, and the loyalty audit's per-sale matching (a join and COALESCE)."""
    from loyalty_support import new_member, new_user

    from pos_tui.core.loyalty.audit import check_loyalty
    from pos_tui.settings import DEFAULT_ROLES

    register_loyalty_tenders()
    role = DEFAULT_ROLES["cashier"]
    cashier = Actor(new_user(now, "ayse", "cashier"), "ayse", "cashier", role.permissions, role.max_discount_pct)
    member = new_member(now)
    shift = cash.open_shift("T1", cashier, D("0.00"), now=now)
    wallet.credit(member, D("50.00"), kind="import", now=now)
    vase = product(now, "Vazo", "100.00")
    sold = sell(cashier, [(vase, 3)], [("store_credit", "50"), ("card", "250")], now=now, member_id=member)
    back = give_back(cashier, sold.uid, [(1, 1)], now=now + LATER, refund_method="store_credit")
    new = give_back(cashier, sold.uid, [(1, 1)], now=now + LATER, refund_method="gift_card_new")
    assert wallet.wallet_balance(member) == D("100.00")
    assert [e.sale_id for e in wallet.wallet_entries(member) if e.kind == "refund"] == [back.sale_id, sold.sale_id]
    assert [c.balance for c in giftcards.cards_issued_on(new.sale_id)] == [D("100.00")]
    wallet.top_up(member, D("250.00"), method="cash", actor=cashier, terminal="T1", now=now, shift_id=shift.id)
    assert shifts.x_report("T1", now=now).expected_cash == D("250.00")
    problems: list[str] = []
    check_loyalty(lambda _entry, text: problems.append(text))
    assert problems == []
