"""Gift cards: codes that are never taken for bank cards, issuing and topping up (cash into the
open shift's drawer, so the expected cash and the audit agree), spending, refunds to the card,
deactivation, expiry; and a Hypothesis run: the balance is the sum of the entries and
spending never takes a card below zero."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from loyalty_support import new_sale
from stdnum import luhn

from pos_tui.core import cash
from pos_tui.core.basket.tenders import _check_reference
from pos_tui.core.cash import shifts
from pos_tui.core.kernel import Actor, NotFound, PermissionDenied, StateError, ValidationError, shop_day
from pos_tui.core.loyalty import giftcards
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal


def card_entries(code: str) -> list[tuple[str, int]]:
    e = m.GiftCardEntry
    return list(e.select(e.kind, e.amount).join(m.GiftCard).where(m.GiftCard.code == code).order_by(e.id).tuples())


def journal_kinds() -> list[str]:
    return [k for (k,) in m.JournalEntry.select(m.JournalEntry.kind).order_by(m.JournalEntry.id).tuples()]


def test_generated_codes_carry_a_check_digit_and_never_look_like_a_bank_card() -> None:
    for _ in range(200):
        code = giftcards.generate_code()
        assert code.startswith("GC") and len(code) == 14 and code[2:].isdigit()
        assert luhn.is_valid(code[2:])
        assert giftcards.check_code(code) == code
        assert _check_reference(code) == code  # twelve digits: not refused as a card number
    code = giftcards.generate_code()
    assert giftcards.check_code(f" {code[:6].lower()}-{code[6:10]} {code[10:]} ") == code
    wrong = code[:-1] + str((int(code[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="wrong check digit"):
        giftcards.check_code(wrong)
    with pytest.raises(ValidationError, match="bank card number"):
        giftcards.check_code("4111111111111111")
    with pytest.raises(ValidationError, match="4 to 32 letters or digits"):
        giftcards.check_code("ab!")
    assert giftcards.check_code("promo-2026") == "PROMO2026"
    assert giftcards.mask_code("GC123456789012") == "GC********9012"


def test_issue_by_card_needs_no_shift_and_is_journalled(db: object, cashier: Actor, now: datetime) -> None:
    card = giftcards.issue_card(D("250.00"), actor=cashier, now=now, terminal="T1", method="card")
    assert (card.balance, card.active, card.expires_on) == (D("250.00"), True, None)
    assert card_entries(card.code) == [("issue", 25000)]
    assert m.CashMovement.select().count() == 0
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "gift_card_issue").get()
    payload = json.loads(entry.payload)
    assert (payload["code"], payload["amount"], payload["method"], payload["movement_id"]) == (
        card.code,
        "250.00",
        "card",
        None,
    )
    assert giftcards.card_balance(card.code) == D("250.00")
    assert giftcards.get_card(card.code.lower()).id == card.id


def test_cash_for_a_card_goes_into_the_open_shifts_drawer(db: object, cashier: Actor, now: datetime) -> None:
    with pytest.raises(StateError, match="open a shift on terminal T1 or take the money by card"):
        giftcards.issue_card(D("100.00"), actor=cashier, now=now, terminal="T1", method="cash")
    assert m.GiftCard.select().count() == 0  # nothing half-written
    shift = cash.open_shift("T1", cashier, D("50.00"), now=now)
    card = giftcards.issue_card(D("100.00"), actor=cashier, now=now, terminal="T1", method="cash")
    topped = giftcards.top_up(card.code, D("25.50"), actor=cashier, now=now, terminal="T1", method="cash")
    giftcards.top_up(card.code, D("10.00"), actor=cashier, now=now, terminal="T1", method="card")
    assert topped.balance == D("125.50")
    assert giftcards.card_balance(card.code) == D("135.50")
    moves = list(m.CashMovement.select(m.CashMovement.kind, m.CashMovement.amount, m.CashMovement.shift).tuples())
    assert moves == [("gift_card", 10000, shift.id), ("gift_card", 2550, shift.id)]
    x = shifts.x_report("T1", now=now)
    assert (x.gift_cards, x.paid_in, x.cash_sales) == (D("125.50"), D("0.00"), D("0.00"))
    assert x.expected_cash == D("175.50")
    closed = cash.close_shift("T1", cashier, D("175.50"), now=now + timedelta(hours=1))
    assert (closed.expected_cash, closed.variance) == (D("175.50"), D("0.00"))
    assert journal_kinds() == [
        "shift_open",
        "gift_card",
        "gift_card_issue",
        "gift_card",
        "gift_card_topup",
        "gift_card_topup",
        "shift_close",
    ]


def test_the_audit_accepts_gift_card_cash_movements(
    db: object, cashier: Actor, now: datetime, settings: Settings
) -> None:
    from pos_tui.core.audit import verify

    cash.open_shift("T1", cashier, D("0.00"), now=now)
    giftcards.issue_card(D("100.00"), actor=cashier, now=now, terminal="T1")
    report = verify(settings=settings)
    assert report.ok, report.problems


def test_issue_checks_its_input(db: object, cashier: Actor, member: int, now: datetime) -> None:
    with pytest.raises(ValidationError, match="more than zero"):
        giftcards.issue_card(D("0"), actor=cashier, now=now, terminal="T1", method="card")
    with pytest.raises(ValidationError, match="cash or by card, not 'points'"):
        giftcards.issue_card(D("10"), actor=cashier, now=now, terminal="T1", method="points")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="cannot expire before it is issued"):
        giftcards.issue_card(
            D("10"), actor=cashier, now=now, terminal="T1", method="card", expires_on=shop_day(now) - timedelta(days=1)
        )
    with pytest.raises(NotFound, match="No member"):
        giftcards.issue_card(D("10"), actor=cashier, now=now, terminal="T1", method="card", member_id=999_999)
    own = giftcards.issue_card(
        D("10"), actor=cashier, now=now, terminal="T1", method="card", code="shop-0001", member_id=member
    )
    assert (own.code, own.member_id) == ("SHOP0001", member)
    with pytest.raises(ValidationError, match="already exists"):
        giftcards.issue_card(D("10"), actor=cashier, now=now, terminal="T1", method="card", code="SHOP0001")
    nobody = Actor(cashier.user_id, "guest", "guest", frozenset(), 0)
    with pytest.raises(PermissionDenied):
        giftcards.issue_card(D("10"), actor=nobody, now=now, terminal="T1", method="card")
    assert [c.code for c in giftcards.list_cards(member_id=member)] == ["SHOP0001"]


def test_spend_refund_expiry_and_deactivation(db: object, cashier: Actor, supervisor: Actor, now: datetime) -> None:
    expires = shop_day(now) + timedelta(days=30)
    card = giftcards.issue_card(D("100.00"), actor=cashier, now=now, terminal="T1", method="card", expires_on=expires)
    sale = new_sale(now, cashier.user_id)
    giftcards.spend(card.code, D("60.00"), now=now, sale_id=sale)
    with pytest.raises(ValidationError, match=r"holds only 40.00; 40.01"):
        giftcards.spend(card.code, D("40.01"), now=now, sale_id=sale)
    assert giftcards.open_on_sale(sale) == [(card.code, D("60.00"))]
    giftcards.refund_sale(sale, D("20.00"), now=now)
    with pytest.raises(ValidationError, match=r"paid 40.00 of that receipt .* 40.01 cannot be refunded"):
        giftcards.refund_sale(sale, D("40.01"), now=now)
    assert giftcards.card_balance(card.code) == D("60.00")
    late = now + timedelta(days=31)
    with pytest.raises(ValidationError, match=f"expired on {expires.isoformat()}"):
        giftcards.check_spendable(card.code, D("1.00"), day=shop_day(late))
    with pytest.raises(StateError, match="expired"):
        giftcards.top_up(card.code, D("5"), actor=cashier, now=late, terminal="T1", method="card")
    with pytest.raises(PermissionDenied):
        giftcards.deactivate(card.code, actor=cashier, now=now, terminal="T1", reason="lost")
    with pytest.raises(ValidationError, match="reason"):
        giftcards.deactivate(card.code, actor=supervisor, now=now, terminal="T1", reason=" ")
    off = giftcards.deactivate(card.code, actor=supervisor, now=now, terminal="T1", reason="reported stolen")
    assert (off.active, off.balance) == (False, D("60.00"))
    with pytest.raises(StateError, match="already deactivated"):
        giftcards.deactivate(card.code, actor=supervisor, now=now, terminal="T1", reason="again")
    with pytest.raises(ValidationError, match="is deactivated"):
        giftcards.check_spendable(card.code, D("1.00"), day=shop_day(now))
    with pytest.raises(StateError, match="deactivated and cannot be topped up"):
        giftcards.top_up(card.code, D("5"), actor=cashier, now=now, terminal="T1", method="card")
    # a return of goods it paid for still goes back to it (a return is never blocked)
    giftcards.refund_sale(sale, D("40.00"), now=now)
    assert giftcards.card_balance(card.code) == D("100.00")
    assert card_entries(card.code) == [("issue", 10000), ("spend", -6000), ("refund", 2000), ("refund", 4000)]
    assert "gift_card_deactivate" in journal_kinds()
    assert [c.code for c in giftcards.list_cards(active_only=True)] == []
    with pytest.raises(NotFound):
        giftcards.get_card("GC000000000000")


def test_balance_as_of_a_day(db: object, cashier: Actor, now: datetime) -> None:
    card = giftcards.issue_card(D("10.00"), actor=cashier, now=now, terminal="T1", method="card")
    giftcards.top_up(card.code, D("5.00"), actor=cashier, now=now + timedelta(days=1), terminal="T1", method="card")
    assert giftcards.card_balance(card.code, as_of=shop_day(now)) == D("10.00")
    assert giftcards.card_balance(card.code, as_of=shop_day(now) + timedelta(days=1)) == D("15.00")
    assert [e.kind for e in giftcards.card_entries(card.code)] == ["issue", "topup"]


_OPS = st.lists(
    st.tuples(st.sampled_from(["topup", "spend", "refund"]), st.integers(min_value=1, max_value=30_000)),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(min_value=1, max_value=30_000), ops=_OPS)
def test_card_balance_is_the_sum_of_entries_and_never_negative(
    db: object, cashier: Actor, now: datetime, start: int, ops: list[tuple[str, int]]
) -> None:
    card = giftcards.issue_card(D(start) / 100, actor=cashier, now=now, terminal="T1", method="card")
    sales: list[int] = []
    for op, kurus in ops:
        amount = D(kurus) / 100
        before = giftcards.card_balance(card.code)
        if op == "topup":
            giftcards.top_up(card.code, amount, actor=cashier, now=now, terminal="T1", method="card")
        elif op == "spend":
            sale = new_sale(now, cashier.user_id)
            if amount <= before:
                giftcards.spend(card.code, amount, now=now, sale_id=sale)
                sales.append(sale)
            else:
                with pytest.raises(ValidationError, match="holds only"):
                    giftcards.spend(card.code, amount, now=now, sale_id=sale)
        elif sales:
            sale = sales[kurus % len(sales)]
            open_ = sum((o for _c, o in giftcards.open_on_sale(sale)), D(0))
            if open_ > 0:
                giftcards.refund_sale(sale, min(open_, amount), now=now)
        balance = giftcards.card_balance(card.code)
        assert balance == D(sum(a for _k, a in card_entries(card.code))) / 100
        assert balance >= 0
