"""A shop that did each loyalty operation of issue 16 through the real services, for the audit
tests: a points transfer and a donation, store credit topped up in cash (into the drawer) and by
card, a return refunded into store credit and one onto a new gift card, next-order coupons (one
withdrawn by a return of its receipt) and a tier upgrade counting the current receipt."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from audit_loyalty_support import actor
from checkout_support import basket, enroll, product_maker, sell
from wallet_support import give_back

from pos_tui.core import cash
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import (
    coupons_issued_by,
    donate_points,
    giftcards,
    ledger,
    register_loyalty_tenders,
    rules,
    transfer_points,
    wallet,
)
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal

RULES = """
[points]
hold_days = 0
[tier_qualification]
count_current_receipt = true
[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 1000
[[next_order_coupons]]
code = "gelecek"
name = "Bir sonraki alışverişe %20"
min_spend = 500
kind = "percent"
percent = 20
max_amount = 200
[store_credit]
refunds = true
[transfers]
enabled = true
min_points = 10
[donations]
min_points = 10
[[charities]]
code = "tema"
name = "TEMA Vakfı"
"""


@dataclass(frozen=True, slots=True)
class OpsShop:
    """What :func:`build_ops_shop` made: ids to aim the tampering at."""

    giver: int  # Zeynep: two 500 TL tea receipts (the first returned), gives 200 points, donates 50
    receiver: int  # Ali: a 300 TL card receipt, two vases of it returned
    cashier: Actor
    first_uid: str  # its coupon withdrawn by the return
    second: int  # its coupon kept; it moved Zeynep up to "altin"
    withdrawn: str  # coupon codes
    kept: str
    credit_return: int  # one vase refunded into Ali's store credit
    card_return: int  # one vase refunded onto a new gift card
    cash_topup: int  # wallet entry ids: 250 TL in cash (Zeynep), 100 TL by card (Ali)
    card_topup: int
    movement: int  # the cash top-up's drawer movement


def build_ops_shop(settings: Settings, now: datetime) -> OpsShop:
    register_loyalty_tenders()
    cashier = actor(settings, now, "ayse", "cashier")
    rules.apply_rules(RULES, now=now - timedelta(days=60))
    make = product_maker(now)
    tea = make("T500", "Çay 5 kg", "500", "Çay")
    vase = make("V100", "Vazo", "100")
    giver = enroll(now - timedelta(days=60))
    receiver = enroll(now - timedelta(days=60), phone="05329876543")
    ledger.earn(giver, 600, now=now - timedelta(days=40), hold_days=0)

    first = sell(cashier, basket(giver, (tea, 1)), now)
    second = sell(cashier, basket(giver, (tea, 1)), now + timedelta(minutes=10))
    first_uid = m.Sale.get_by_id(first).uid
    create_return("T1", cashier, first_uid, [ReturnLineInput(1, 1000)], now=now + timedelta(hours=1), reason="iade")
    [withdrawn] = coupons_issued_by(first_uid)
    [kept] = coupons_issued_by(m.Sale.get_by_id(second).uid)
    assert not withdrawn.active and kept.active

    vases = sell(cashier, basket(receiver, (vase, 3)), now + timedelta(hours=2), PaymentInput("card", D("300")))
    uid = m.Sale.get_by_id(vases).uid
    later = now + timedelta(hours=3)
    credit_return = give_back(cashier, uid, [(1, 1)], now=later, refund_method="store_credit").sale_id  # type: ignore[attr-defined]
    card_return = give_back(cashier, uid, [(1, 1)], now=later, refund_method="gift_card_new").sale_id  # type: ignore[attr-defined]
    assert [c.balance for c in giftcards.cards_issued_on(card_return)] == [D("100.00")]

    done = now + timedelta(hours=4)
    transfer_points(giver, receiver, 200, consent="imzalı form", actor=cashier, terminal="T1", now=done)
    donate_points(giver, 50, "tema", actor=cashier, terminal="T1", now=done + timedelta(minutes=1))

    at = now + timedelta(hours=5)
    shift = cash.open_shift("T1", cashier, D("0.00"), now=at)
    in_cash = wallet.top_up(giver, D("250.00"), method="cash", actor=cashier, terminal="T1", now=at, shift_id=shift.id)
    by_card = wallet.top_up(receiver, D("100.00"), method="card", actor=cashier, terminal="T1", now=at)
    assert in_cash.movement_id is not None
    return OpsShop(
        giver=giver,
        receiver=receiver,
        cashier=cashier,
        first_uid=first_uid,
        second=second,
        withdrawn=withdrawn.code,
        kept=kept.code,
        credit_return=credit_return,
        card_return=card_return,
        cash_topup=in_cash.entry.id,
        card_topup=by_card.entry.id,
        movement=in_cash.movement_id,
    )


def sale_name(sale_id: int) -> str:
    """The name a problem gives a document: kind, uid, terminal, receipt and the journal entries
    covering it (its document entry and its ``loyalty`` entry)."""
    s = m.Sale.get_by_id(sale_id)
    J = m.JournalEntry
    ids = [J.get((J.kind == s.kind) & (J.ref == s.uid)).id]
    ids += [e.id for e in J.select().where((J.kind == "loyalty") & (J.ref == str(sale_id)))]
    ids.sort()
    entries = f"journal entry {ids[0]}" if len(ids) == 1 else "journal entries " + ", ".join(map(str, ids))
    return f"{s.kind} {s.uid} (terminal {s.terminal}, receipt {s.receipt_no}; {entries})"


def journal_id(kind: str) -> int:
    """The id of the only journal entry of ``kind``."""
    [entry] = m.JournalEntry.select(m.JournalEntry.id).where(m.JournalEntry.kind == kind)
    return int(entry.id)


def points_ids(*kinds: str) -> list[int]:
    E = m.PointsEntry
    return [e.id for e in E.select(E.id).where(E.kind.in_(kinds)).order_by(E.id)]
