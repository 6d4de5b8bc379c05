"""No money goes onto the wallet of a member who cannot take part any more.

A return refunded into store credit after the member was anonymized (KVKK) used to land in the
wallet of ANON-<id>, whom no till can find again: ``store_credit_refund_refusal`` checked only
``[store_credit] refunds`` and that the receipt had a member. Now a return into store credit and
a top-up are refused, like points transfers and donations, when the member is anonymized or
their membership consent is withdrawn (one check: ``members.member_standing``)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal as D

import pytest
from wallet_support import give_back, product, sell

from pos_tui.core import cash
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import StateError, ValidationError
from pos_tui.core.kernel.actors import Actor
from pos_tui.core.loyalty import points_ops, register_loyalty_tenders, wallet
from pos_tui.core.loyalty.members import member_standing, set_consent
from pos_tui.core.loyalty.members.privacy import anonymize_member
from pos_tui.core.loyalty.tenders import store_credit_refund_refusal
from pos_tui.core.till import create_return, refund_split
from pos_tui.core.till.results import ReturnLineInput
from pos_tui.store import models as m


def test_refund_into_store_credit_of_an_anonymized_member(db, cashier, member, now) -> None:
    register_loyalty_tenders()
    vase = product(now, "Vazo", "100.00")
    sold = sell(cashier, [(vase, 1)], [("card", "100")], now=now, member_id=member)
    anonymize_member(member, actor=None, now=now + timedelta(hours=1))
    with pytest.raises(ValidationError, match=r"anonymized.*refund in cash or by card"):
        create_return(
            "T1",
            cashier,
            sold.uid,
            [ReturnLineInput(1, 1000)],
            now=now + timedelta(days=1),
            reason="changed mind",
            refund_method="store_credit",
        )
    assert wallet.wallet_balance(member) == D("0.00")
    # what the returns screen shows before posting refuses the same way
    with pytest.raises(ValidationError, match="anonymized"):
        refund_split(sold.uid, D("100.00"), "store_credit")
    # in cash, the return goes through
    back = give_back(cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1), refund_method="cash")
    assert back.total == D("100.00")


def test_refund_into_store_credit_of_a_member_who_left(db, cashier, member, now) -> None:
    register_loyalty_tenders()
    vase = product(now, "Vazo", "100.00")
    sold = sell(cashier, [(vase, 1)], [("card", "100")], now=now, member_id=member)
    set_consent(member, "membership", False, source="cli", actor=None, now=now + timedelta(hours=1))
    assert member_standing(member) == "withdrawn"
    refusal = store_credit_refund_refusal(member)
    assert refusal is not None and "membership consent withdrawn" in refusal and "cash or by card" in refusal
    with pytest.raises(ValidationError, match="membership consent withdrawn"):
        give_back(cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1), refund_method="store_credit")
    # nor with the refund given explicitly
    with pytest.raises(ValidationError, match=r"paid by store_credit.*membership consent withdrawn"):
        give_back(
            cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1), refunds=[PaymentInput("store_credit", D("100"))]
        )
    assert wallet.wallet_balance(member) == D("0.00")
    assert m.Sale.select().where(m.Sale.return_of.is_null(False)).count() == 0  # nothing half-written
    # joining again (consent given) opens the wallet again
    set_consent(member, "membership", True, source="cli", actor=None, now=now + timedelta(hours=2))
    give_back(cashier, sold.uid, [(1, 1)], now=now + timedelta(days=1), refund_method="store_credit")
    assert wallet.wallet_balance(member) == D("100.00")


@pytest.mark.parametrize("leave", ["anonymize", "withdraw"])
def test_no_top_up_for_a_member_who_cannot_take_part(db, cashier: Actor, member: int, now, leave: str) -> None:
    shift = cash.open_shift("T1", cashier, D("100.00"), now=now)
    if leave == "anonymize":
        anonymize_member(member, actor=None, now=now)
    else:
        set_consent(member, "membership", False, source="cli", actor=None, now=now)
    journalled = m.JournalEntry.select().count()
    with pytest.raises(ValidationError, match="anonymized" if leave == "anonymize" else "consent withdrawn"):
        wallet.top_up(member, D("50.00"), method="cash", actor=cashier, terminal="T1", now=now, shift_id=shift.id)
    assert m.WalletEntry.select().count() == 0 and m.CashMovement.select().count() == 0
    assert m.JournalEntry.select().count() == journalled  # nothing half-written


def test_points_operations_ask_the_same_question(db, cashier: Actor, member: int, now) -> None:
    # the transfer refusal kept its words after moving the check to members.member_standing
    anonymize_member(member, actor=None, now=now)
    assert member_standing(member) == "anonymized"
    with pytest.raises(StateError, match="was anonymized: their points cannot move"):
        points_ops._usable_member(member, "The member")
