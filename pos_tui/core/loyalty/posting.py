"""What a posted sale or return does to its member's loyalty, inside the document's transaction.

:func:`pos_tui.core.till` calls :func:`after_document` once the document, its lines, benefit
lines and payments are written and the tenders have posted (points and store credit paid are
already redeemed/debited by then). Nothing here can refuse a return: a return only takes back.

On **every sale**, with or without a member, the coupons it used record their use (counted
under the coupon's lock, so a single-use coupon is used once across every till), and each
next-order rule the receipt qualifies for issues one coupon for a later visit
(:mod:`pos_tui.core.loyalty.next_order`: personal with a member, a bearer coupon without).

On a **sale** with a member:

- points: the engine's :func:`~pos_tui.core.loyalty.engine.earning` on the posted lines (their
  nets are after every discount) with what points and store credit paid taken off the base;
  one ``earn`` lot pending for the program's hold, a ``sale_loyalty`` row with the breakdown,
  ``supplier_points`` rows for supplier-funded points, cashback into the wallet;
- stamps: units bought in a stamp card's scope earn stamps; free units spend ``needed`` each;
- rewards redeem their points;
- referral: the referrer earns when this is the member's first receipt and it paid enough
  (the lot is linked to that receipt, so a return can take it back);
- paid membership: a membership product puts the member in its tier for its term; the tier
  and term before and after are kept in ``sale_loyalty.data["membership"]``;
- tier: with ``tier_qualification.count_current_receipt`` the member's tier is re-evaluated
  counting this receipt (:func:`~pos_tui.core.loyalty.tiers.upgrade_on_receipt`, upgrades
  only); the change is kept in ``sale_loyalty.data["tier_upgrade"]``. The receipt keeps the
  prices and points of the tier it was priced with; the next receipt has the new tier.

On **every return** of a receipt, with or without a member, the next-order coupons the receipt
issued are withdrawn while unused once the receipt, net of all its returns, no longer
qualifies for them (a used one stays used, and its discount is not charged back).

On a **return** of a member's receipt, besides, *cumulatively* over all returns of that receipt (so
partial returns never take back more, or less, than the whole would):

- points earned: ``round_half_up(earned × returned / total)`` minus what earlier returns took,
  through :func:`~pos_tui.core.loyalty.ledger.clawback` (pending first, then available, then a
  debt that blocks redemption); points that *paid* come back through the points tender's refund;
- stamps earned on returned units, supplier-funded points and cashback, in the same proportion;
- referral: when what is left of the member's first receipt no longer pays the referral's
  minimum (all of it, when the minimum is zero), the referrer's bonus is clawed back;
- paid membership: once every unit of the membership product is back, the member returns to
  the tier and term they had before the purchase — if the tier and term are still what the
  purchase set. If an evaluation or a manager changed them since, they are left as they are
  (the return's ``loyalty`` journal entry says so) for a manager to decide.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from peewee import fn

from pos_tui import store
from pos_tui.core.basket.cart import Benefit
from pos_tui.core.basket.tenders import AppliedPayment
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import shop_day, to_db
from pos_tui.core.kernel.money import CENT, MILLI, ZERO, from_kurus, to_kurus
from pos_tui.core.loyalty import coupons, engine, ledger, next_order, pricing, rules, tiers, wallet
from pos_tui.core.loyalty.program import Program
from pos_tui.store import fast
from pos_tui.store import models as m

# peewee's stubs type ``.tuples()`` as the model query itself, so a type checker takes its rows
# for model instances; they are tuples. Casting to this says so.

NON_EARNING_METHODS = ("points", "store_credit")


@dataclass(frozen=True, slots=True)
class PostedLine:
    """One line of the posted document (numbered 1..n as on the receipt)."""

    line_no: int
    product_id: int
    code: str
    qty_milli: int
    total: Decimal  # net, after every discount
    origin_line_id: int | None = None


@dataclass(frozen=True, slots=True)
class PostedDocument:
    sale_id: int
    kind: str  # sale | return
    terminal: str
    cashier_id: int
    member_id: int | None  # None: a receipt without a member (only its coupons are recorded)
    return_of_id: int | None
    lines: tuple[PostedLine, ...]
    benefits: tuple[tuple[int, Benefit], ...]
    payments: tuple[AppliedPayment, ...]
    total: Decimal
    now: datetime
    tz: str
    evaluation: engine.Evaluation | None = None  # the sale's quote (stamps, free units by document line)
    uid: str = ""  # the document's uid ("": read from the sale row when needed)
    source: str = "till"  # till | import (an imported sale prints no receipt: no bearer coupon)

    @property
    def member(self) -> int:
        """The member's id, for the effects that need one (:func:`after_document` only runs
        them when the document has a member)."""
        if self.member_id is None:
            raise ValueError("this document has no member")
        return self.member_id


def after_document(doc: PostedDocument) -> None:
    """Write the loyalty effects of ``doc`` (the caller holds the transaction).

    Called for every sale and return: a sale records its coupon uses and issues its next-order
    coupons whether or not a member is on it, a return of a receipt withdraws the receipt's
    next-order coupons it disqualifies; everything else (points, stamps, rewards, clawbacks)
    needs a member. A receipt without a member, coupons or next-order rules costs one query (the
    active program)."""
    if doc.kind == "sale":
        _record_coupon_uses(doc)
        program = rules.active_program()
        if doc.member_id is not None:
            _after_sale(doc, program)
        _issue_next_order(doc, program)
    elif doc.return_of_id is not None:
        withdrawn = next_order.withdraw_after_return(
            doc.return_of_id, return_uid=_uid(doc), now=doc.now, terminal=doc.terminal
        )
        if doc.member_id is not None:
            _after_return(doc, withdrawn)
        elif withdrawn["withdrawn"] or withdrawn["kept_used"]:
            _journal_return(doc, doc.return_of_id, {"coupons": withdrawn})


def _uid(doc: PostedDocument) -> str:
    if doc.uid:
        return doc.uid
    return str(m.Sale.select(m.Sale.uid).where(m.Sale.id == doc.sale_id).scalar())


def _issue_next_order(doc: PostedDocument, program: Program) -> None:
    """The next-order coupons the receipt qualifies for (see :mod:`~pos_tui.core.loyalty.next_order`)."""
    if not program.next_order_coupons:
        return
    if doc.member_id is None and (doc.source == "import" or all(r.members_only for r in program.next_order_coupons)):
        return  # a bearer coupon exists only on the receipt, and an imported sale prints none
    next_order.issue_next_order_coupons(
        sale_id=doc.sale_id,
        sale_uid=_uid(doc),
        member_id=doc.member_id,
        lines=[next_order.ReceiptLine(ln.product_id, ln.code, ln.total) for ln in doc.lines],
        program=program,
        now=doc.now,
        tz=doc.tz,
        terminal=doc.terminal,
    )


# --------------------------------------------------------------------------- sales


def _engine_lines(
    lines: Sequence[PostedLine], facts: dict[int, pricing.ProductFacts], free: dict[int, int]
) -> list[engine.EngineLine]:
    """The posted lines as the engine sees them: amounts are the nets actually paid."""
    return [
        engine.EngineLine(
            line_no=ln.line_no,
            product_code=ln.code,
            category=facts[ln.product_id].category,
            supplier_code=facts[ln.product_id].supplier_code,
            unit=facts[ln.product_id].unit,
            qty_milli=ln.qty_milli,
            unit_price=(ln.total * MILLI / ln.qty_milli).quantize(CENT) if ln.qty_milli else ln.total,
            amount=ln.total,
            free_units=free.get(ln.line_no, 0),
        )
        for ln in lines
    ]


def _record_coupon_uses(doc: PostedDocument) -> None:
    """One use per coupon code on the receipt, for the total its lines took off."""
    used: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for _n, b in doc.benefits:
        if b.kind == "coupon":
            used[b.code] += b.amount
    for code, amount in used.items():
        coupons.record_use(code, doc.sale_id, doc.member_id, amount, doc.now)


def _after_sale(doc: PostedDocument, program: Program) -> None:
    day = shop_day(doc.now, doc.tz)
    member = m.Member.get_by_id(doc.member)
    S = m.Sale
    first = not (S.select(S.id).where((S.member == doc.member) & (S.kind == "sale") & (S.id != doc.sale_id)).exists())
    context = dataclasses.replace(
        pricing.member_context(
            doc.member, program, now=doc.now, tz=doc.tz, points=False, first_purchase=False, history=False
        ),  # earning needs the tier and the birth date, not the stamps or this month's benefits
        first_purchase=first,
    )
    evaluation = doc.evaluation or engine.Evaluation()
    facts = pricing.product_facts([ln.product_id for ln in doc.lines])
    lines = _engine_lines(doc.lines, facts, dict(evaluation.free_units))
    not_earning = ("points",) if program.store_credit.earns_points else NON_EARNING_METHODS
    non_earning = sum((p.amount for p in doc.payments if p.method in not_earning), ZERO)
    result = engine.earning(lines, context, program, day=day, non_earning_paid=non_earning)
    if result.points > 0:
        ledger.earn(
            doc.member,
            result.points,
            now=doc.now,
            sale_id=doc.sale_id,
            hold_days=program.points.hold_days,
            expiry=program.points.expiry,
            tz=doc.tz,
        )
    data = {
        "base": str(result.base),
        "base_points": result.base_points,
        "tier_bonus_points": result.tier_bonus_points,
        "bonuses": [{"code": code, "points": points} for code, points in result.bonuses],
        "supplier": [
            {
                "product": s.product_code,
                "supplier": s.supplier_code,
                "points": s.points,
                "supplier_points": s.supplier_points,
            }
            for s in result.supplier
        ],
        "cashback": str(result.cashback),
        "multipliers": list(result.multipliers),
        "stamps": {code: {"earned": c.earned, "spent": c.spent} for code, c in sorted(evaluation.stamps.items())},
    }
    membership = _paid_membership(doc, program, day)
    if membership is not None:
        data["membership"] = membership
    if program.tier_qualification.count_current_receipt and program.tiers:
        change = tiers.upgrade_on_receipt(
            doc.member, program, now=doc.now, tz=doc.tz, sale_id=doc.sale_id, terminal=doc.terminal
        )
        if change is not None:
            data["tier_upgrade"] = {"from": change.from_code, "to": change.to_code}
    # SaleLoyalty is keyed by its sale (no id column), so no RETURNING id: a plain insert.
    m.SaleLoyalty.insert(
        {
            "sale": doc.sale_id,
            "member": doc.member,
            "rules": rules.active_rules_id(),
            "tier_code": context.tier_code,
            "base": to_kurus(result.base),
            "points": result.points,
            "bonus": sum(points for _code, points in result.bonuses),
            "data": json.dumps(data, sort_keys=True, separators=(",", ":")),
        }
    ).execute()
    _supplier_rows(doc, result.supplier, facts)
    if result.cashback > 0:
        wallet.credit(doc.member, result.cashback, kind="cashback", now=doc.now, sale_id=doc.sale_id)
    _stamps_on_sale(doc, evaluation)
    _rewards(doc)
    if first:
        _referral(doc, member, program)
    journal.append(
        "loyalty",
        {"sale": doc.sale_id, "member": doc.member, "points": result.points, **data},
        terminal=doc.terminal,
        now=doc.now,
        ref=str(doc.sale_id),
    )


def _supplier_rows(
    doc: PostedDocument, shares: Sequence[engine.SupplierShare], facts: dict[int, pricing.ProductFacts]
) -> None:
    by_code = {ln.code: ln.product_id for ln in doc.lines}
    rows = []
    for s in shares:
        pid = by_code.get(s.product_code)
        supplier = facts[pid].supplier_id if pid is not None else None
        if pid is not None and supplier is not None and (s.points or s.supplier_points):
            rows.append((doc.sale_id, supplier, pid, s.points, s.supplier_points))
    if rows:
        fast.insert_many(m.SupplierPoints, ("sale", "supplier", "product", "points", "supplier_points"), rows)


def _stamps_on_sale(doc: PostedDocument, evaluation: engine.Evaluation) -> None:
    at = to_db(doc.now)
    rows = []
    for code, change in sorted(evaluation.stamps.items()):
        if change.earned:
            rows.append((doc.member, code, at, change.earned, "earn", doc.sale_id))
        if change.spent:
            rows.append((doc.member, code, at, -change.spent, "reward", doc.sale_id))
    if rows:
        fast.insert_many(m.StampEntry, ("member", "card", "at", "stamps", "kind", "sale"), rows)


def _rewards(doc: PostedDocument) -> None:
    reward_points = sum(b.points for _n, b in doc.benefits if b.kind == "reward")
    if reward_points > 0:
        ledger.redeem(doc.member, reward_points, now=doc.now, sale_id=doc.sale_id, tz=doc.tz)


def _referral(doc: PostedDocument, member: m.Member, program: Program) -> None:
    ref = program.referral
    if not ref.enabled or ref.referrer_points <= 0 or member.referred_by_id is None:
        return
    if doc.total < ref.min_first_purchase:
        return
    referrer = m.Member.get_or_none(m.Member.id == member.referred_by_id)
    if referrer is None or referrer.anonymized_at is not None:
        return
    ledger.earn(
        referrer.id,
        ref.referrer_points,
        now=doc.now,
        sale_id=doc.sale_id,
        hold_days=program.points.hold_days,
        expiry=program.points.expiry,
        tz=doc.tz,
        reason=f"referral:{doc.member}",
    )


def _paid_membership(doc: PostedDocument, program: Program, day: date) -> dict[str, Any] | None:
    """Put the buyer of a membership product in its tier; returns what a return needs to undo
    it (the product, and the tier and term before and after), or None when none was bought."""
    codes = {ln.code for ln in doc.lines}
    bought = [pm for pm in program.paid_memberships if pm.product in codes]
    if not bought:
        return None
    before = tiers.member_tier(doc.member)
    for pm in bought:
        tiers.set_member_tier(
            doc.member,
            pm.tier,
            until=day + timedelta(days=pm.term_days - 1),
            reason="paid",
            actor=None,
            now=doc.now,
            sale_id=doc.sale_id,
        )
    after = tiers.member_tier(doc.member)
    return {"products": sorted(pm.product for pm in bought), "before": before.as_json(), "after": after.as_json()}


# --------------------------------------------------------------------------- returns


def _share(amount: int, part: int, whole: int) -> int:
    """round_half_up(amount × part / whole) for integers (signs as given; whole > 0)."""
    return int((Decimal(amount) * part / whole).to_integral_value(rounding=ROUND_HALF_UP))


def _returned_so_far(original_id: int) -> int:
    """Kuruş refunded by every return of ``original_id`` (including the one being posted)."""
    S = m.Sale
    return int(
        S.select(fn.COALESCE(fn.SUM(S.total), 0)).where((S.return_of == original_id) & (S.kind == "return")).scalar()
    )


def _journal_return(doc: PostedDocument, original_id: int, what: dict[str, Any]) -> None:
    journal.append(
        "loyalty",
        {"return": doc.sale_id, "sale": original_id, "member": doc.member_id, **what},
        terminal=doc.terminal,
        now=doc.now,
        ref=str(doc.sale_id),
    )


def _after_return(doc: PostedDocument, coupons_done: dict[str, list[str]]) -> None:
    original_id = doc.return_of_id
    assert original_id is not None
    S = m.Sale
    original_total = S.select(S.total).where(S.id == original_id).scalar() or 0
    returned = _returned_so_far(original_id)
    at = to_db(doc.now)
    if original_total > 0:
        _claw_points(doc, original_id, returned, original_total)
        _claw_cashback(doc, original_id, returned, original_total)
        _claw_referral(doc, original_id, original_total - returned)
    _claw_supplier_points(doc, original_id, at)
    _claw_stamps(doc, original_id, at)
    kept = _end_membership(doc, original_id)
    what: dict[str, Any] = {}
    if kept is not None:
        what["membership_kept"] = kept
    if coupons_done["withdrawn"] or coupons_done["kept_used"]:
        what["coupons"] = coupons_done
    if what:
        _journal_return(doc, original_id, what)


def _claw_referral(doc: PostedDocument, original_id: int, left: int) -> None:
    """Take back the referrer's bonus once the first receipt no longer qualifies for it."""
    E = m.PointsEntry
    paid = list(
        store.rows(
            E.select(E.member, fn.SUM(E.points))
            .where(
                (E.sale == original_id)
                & (E.kind == "earn")
                & (E.member != doc.member)
                & E.reason.startswith("referral:")
            )
            .group_by(E.member)
        )
    )
    if not paid:
        return
    minimum = to_kurus(rules.active_program().referral.min_first_purchase)
    if left > 0 and left >= minimum:
        return
    for referrer, points in paid:
        ledger.clawback(referrer, original_id, now=doc.now, points=int(points), tz=doc.tz)


def _end_membership(doc: PostedDocument, original_id: int) -> str | None:
    """Undo a paid membership once all of its product is returned. Returns why the tier was
    kept when it could not be undone (the member's tier changed since), else None."""
    SL = m.SaleLoyalty
    raw = SL.select(SL.data).where(SL.sale == original_id).scalar()
    bought = json.loads(raw).get("membership") if raw else None
    if not bought:
        return None
    L = m.SaleLine
    products: dict[str, int] = dict(store.rows(L.select(L.code, L.product).where(L.sale == original_id)))
    qty = _returned_qty(original_id)
    for code in bought["products"]:
        sold, back = qty.get(products.get(code, -1), (0, 0))
        if back < sold:
            return None
    before, after = tiers.MemberTier.from_json(bought["before"]), tiers.MemberTier.from_json(bought["after"])
    current = tiers.member_tier(doc.member)
    if current != after:
        return current.code or ""
    tiers.restore_member_tier(doc.member, before, now=doc.now, sale_id=doc.sale_id, terminal=doc.terminal)
    return None


def _claw_points(doc: PostedDocument, original_id: int, returned: int, original_total: int) -> None:
    E = m.PointsEntry
    earned = int(
        E.select(fn.COALESCE(fn.SUM(E.points), 0))
        .where((E.member == doc.member) & (E.sale == original_id) & (E.kind == "earn"))
        .scalar()
    )
    if earned <= 0:
        return
    clawed = -int(
        E.select(fn.COALESCE(fn.SUM(E.points), 0))
        .where((E.member == doc.member) & (E.sale == original_id) & (E.kind == "clawback"))
        .scalar()
    )
    target = min(earned, _share(earned, returned, original_total))
    if target > clawed:
        ledger.clawback(doc.member, original_id, points=target - clawed, now=doc.now, tz=doc.tz)


def _claw_cashback(doc: PostedDocument, original_id: int, returned: int, original_total: int) -> None:
    W = m.WalletEntry

    def total(kind: str) -> int:
        query = W.select(fn.COALESCE(fn.SUM(W.amount), 0)).where(
            (W.member == doc.member) & (W.sale == original_id) & (W.kind == kind)
        )
        return int(query.scalar())

    given = total("cashback")
    if given <= 0:
        return
    target = min(given, _share(given, returned, original_total))
    taken = -total("clawback")
    if target > taken:
        wallet.clawback_cashback(doc.member, original_id, now=doc.now, amount=from_kurus(target - taken))


def _returned_qty(original_id: int) -> dict[int, tuple[int, int]]:
    """Per product of the original receipt: (sold milli-units, returned milli-units so far)."""
    L = m.SaleLine
    sold: dict[int, int] = defaultdict(int)
    for pid, qty in store.rows(L.select(L.product, L.qty).where(L.sale == original_id)):
        sold[pid] += qty
    back: dict[int, int] = defaultdict(int)
    returns = m.Sale.select(m.Sale.id).where(m.Sale.return_of == original_id)
    for pid, qty in store.rows(L.select(L.product, L.qty).where(L.sale.in_(returns))):
        back[pid] += qty
    return {pid: (qty, back[pid]) for pid, qty in sold.items()}


def _claw_supplier_points(doc: PostedDocument, original_id: int, at: datetime) -> None:
    SP = m.SupplierPoints
    funded = list(
        store.rows(
            SP.select(SP.supplier, SP.product, fn.SUM(SP.points), fn.SUM(SP.supplier_points))
            .where(SP.sale == original_id)
            .group_by(SP.supplier, SP.product)
        )
    )
    if not funded:
        return
    qty = _returned_qty(original_id)
    returns = m.Sale.select(m.Sale.id).where(m.Sale.return_of == original_id)
    rows = []
    for supplier, product, points, supplier_points in funded:
        sold, back = qty.get(product, (0, 0))
        if not sold:
            continue
        done_points, done_supplier = next(
            store.rows(
                SP.select(fn.COALESCE(fn.SUM(SP.points), 0), fn.COALESCE(fn.SUM(SP.supplier_points), 0)).where(
                    (SP.sale.in_(returns)) & (SP.product == product) & (SP.supplier == supplier)
                )
            )
        )
        p = _share(points, back, sold) + int(done_points)
        sp = _share(supplier_points, back, sold) + int(done_supplier)
        if p or sp:
            rows.append((doc.sale_id, supplier, product, -p, -sp))
    if rows:
        fast.insert_many(SP, ("sale", "supplier", "product", "points", "supplier_points"), rows)


def _claw_stamps(doc: PostedDocument, original_id: int, at: datetime) -> None:
    """Stamps follow the returned units of each card's scope, cumulatively: the share of the
    stamps the receipt *earned* is clawed back, and the share of the stamps that *paid* for
    its free items is given back (kind ``restore``), so returning a free coffee refills the card."""
    St = m.StampEntry
    done = dict(
        ((card, kind), int(total))
        for card, kind, total in store.rows(
            St.select(St.card, St.kind, fn.SUM(St.stamps))
            .where((St.member == doc.member) & (St.sale == original_id) & St.kind.in_(("earn", "reward")))
            .group_by(St.card, St.kind)
        )
    )
    if not done:
        return
    program = rules.active_program()
    cards = {c.code: c for c in program.stamp_cards}
    returns = m.Sale.select(m.Sale.id).where(m.Sale.return_of == original_id)
    L = m.SaleLine
    original_lines = list(store.rows(L.select(L.product, L.code, L.qty).where(L.sale == original_id)))
    returned_lines = list(store.rows(L.select(L.product, L.code, L.qty).where(L.sale.in_(returns))))
    facts = pricing.product_facts([pid for pid, _c, _q in original_lines])  # returned lines are among these
    already = dict(
        ((card, kind), int(total))
        for card, kind, total in store.rows(
            St.select(St.card, St.kind, fn.SUM(St.stamps))
            .where((St.member == doc.member) & St.sale.in_(returns) & St.kind.in_(("clawback", "restore")))
            .group_by(St.card, St.kind)
        )
    )
    rows = []
    for code in sorted({card for card, _kind in done}):
        card = cards.get(code)
        if card is None:
            continue

        def units(lines: list[tuple[int, str, int]], card=card) -> int:
            return sum(q // MILLI for pid, c, q in lines if card.scope.matches(c, facts[pid].category))

        sold, back = units(original_lines), units(returned_lines)
        if not sold:
            continue
        earned, spent = done.get((code, "earn"), 0), -done.get((code, "reward"), 0)
        clawed, restored = -already.get((code, "clawback"), 0), already.get((code, "restore"), 0)
        take = min(earned, _share(earned, back, sold)) - clawed
        give = min(spent, _share(spent, back, sold)) - restored
        if take > 0:
            rows.append((doc.member, code, at, -take, "clawback", doc.sale_id))
        if give > 0:
            rows.append((doc.member, code, at, give, "restore", doc.sale_id))
    if rows:
        fast.insert_many(St, ("member", "card", "at", "stamps", "kind", "sale"), rows)
