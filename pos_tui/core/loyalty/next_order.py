"""Next-order coupons: a qualifying receipt issues a coupon for a later visit, and a return that
takes the receipt below the rule's thresholds withdraws it while it is unused.

The rules are ``program.next_order_coupons`` (docs/loyalty-rules.md, ``[[next_order_coupons]]``
and "Next-order coupons"). Both halves run inside the document's transaction, called by
:mod:`pos_tui.core.loyalty.posting`:

- :func:`issue_next_order_coupons` on every posted sale, with or without a member. A rule
  qualifies when the receipt's lines that are not excluded from earning (``earning.excluded``:
  tobacco never counts) paid at least ``min_spend`` after every discount, at least
  ``scope_min_spend`` of that on lines in the rule's scope (when it names products or
  categories), the sale's shop day is inside the rule's window, and — for a ``members_only``
  rule — a member is on the receipt. Each qualifying rule issues **one** single-use coupon:
  personal when the receipt has a member, a bearer coupon otherwise (printed on the receipt,
  whoever holds the code may use it). The coupon names the sale (``origin_sale``, its uid) and
  the rule (``rule``), so the receipt can print it and a return can find it.
- :func:`withdraw_after_return` on every return of a receipt: the receipt *net of all its
  returns so far* is checked against the same thresholds (the rule as the active program has it
  now; a rule that is gone keeps its coupon until the whole receipt is back). A coupon whose
  receipt no longer qualifies is withdrawn (``active`` false, journalled ``coupon_withdraw``) if
  it was never used; a used coupon stays as it is (the discount it gave is not charged back)
  and the return's usual clawback decides the rest.

:func:`coupons_issued_by` lists what a sale issued (the receipt prints it, reprints too);
:func:`coupon_terms` says what a coupon is worth in the customer's words.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.kernel.formatting import format_money, format_percent
from pos_tui.core.kernel.money import ZERO, from_kurus
from pos_tui.core.loyalty import coupons, pricing
from pos_tui.core.loyalty.coupons import CouponInfo
from pos_tui.core.loyalty.program import NextOrderCoupon, Program, Scope
from pos_tui.i18n import _
from pos_tui.store import fast
from pos_tui.store import models as m

SOURCE = "next_order"  # coupon.source of the coupons these rules issue
WITHDRAW_KIND = "coupon_withdraw"  # the journal kind of a coupon withdrawn by a return


class ReceiptLine(NamedTuple):
    """A line of a receipt as the rules read it: the product and what the line paid (net, after
    every discount)."""

    product_id: int
    code: str
    total: Decimal


def _scoped(rule: NextOrderCoupon) -> bool:
    """Whether the rule names products or categories (an empty scope puts no condition)."""
    return rule.scope != Scope()


def receipt_spend(
    rule: NextOrderCoupon,
    lines: Sequence[ReceiptLine],
    program: Program,
    facts: Mapping[int, pricing.ProductFacts] | None = None,
) -> tuple[Decimal, Decimal]:
    """``(eligible, in_scope)``: what the receipt's non-excluded lines paid, and the part of it
    on lines in the rule's scope. Excluded products (``earning.excluded``) count in neither.
    ``facts``: the lines' product facts when the caller has read them (one read for every rule)."""
    if facts is None:
        facts = pricing.product_facts([ln.product_id for ln in lines])
    excluded = program.earning.excluded
    eligible = in_scope = ZERO
    for ln in lines:
        fact = facts.get(ln.product_id)
        category = fact.category if fact is not None else None
        if excluded.matches(ln.code, category):
            continue
        eligible += ln.total
        if rule.scope.matches(ln.code, category):
            in_scope += ln.total
    return eligible, in_scope


def meets_thresholds(
    rule: NextOrderCoupon,
    lines: Sequence[ReceiptLine],
    program: Program,
    facts: Mapping[int, pricing.ProductFacts] | None = None,
) -> bool:
    """The receipt reaches the rule's ``min_spend`` (and ``scope_min_spend`` on its scope, when it
    has one). A receipt that paid nothing eligible never qualifies. ``facts``: as
    :func:`receipt_spend` takes them."""
    eligible, in_scope = receipt_spend(rule, lines, program, facts)
    if eligible <= 0 or eligible < rule.min_spend:
        return False
    return not _scoped(rule) or (in_scope > 0 and in_scope >= rule.scope_min_spend)


def validity(rule: NextOrderCoupon, day: date) -> tuple[date, date]:
    """The first and last shop day a coupon issued on ``day`` is usable (both included)."""
    start = day + timedelta(days=1) if rule.starts_next_day else day
    return start, start + timedelta(days=rule.valid_days - 1)


def issue_next_order_coupons(
    *,
    sale_id: int,
    sale_uid: str,
    member_id: int | None,
    lines: Sequence[ReceiptLine],
    program: Program,
    now: datetime,
    tz: str,
    terminal: str,
) -> list[CouponInfo]:
    """Issue one coupon per qualifying rule for the sale just posted (inside its transaction);
    returns the coupons created (none when no rule qualifies). See the module's docstring."""
    rules = program.next_order_coupons
    if not rules or not lines:
        return []
    day = shop_day(now, tz)
    issued: list[CouponInfo] = []
    facts: Mapping[int, pricing.ProductFacts] | None = None
    for rule in rules:
        if rule.members_only and member_id is None:
            continue
        if not rule.window.contains(day):
            continue
        if facts is None:  # read once for every rule, only when a rule's window is open
            facts = pricing.product_facts([ln.product_id for ln in lines])
        if not meets_thresholds(rule, lines, program, facts):
            continue
        start, end = validity(rule, day)
        # The member is the sale's (just posted): not checked again, and the coupon is not read
        # back (the answer is built from what was written).
        issued.append(
            coupons.create_coupon(
                None,
                kind=rule.kind,
                amount=rule.amount if rule.kind == "amount" else None,
                percent=rule.percent if rule.kind == "percent" else None,
                max_discount=rule.max_amount if rule.kind == "percent" else None,
                min_spend=rule.coupon_min_spend,
                valid_from=start,
                valid_to=end,
                max_uses=1,
                member_id=member_id,
                note=rule.name,
                source=SOURCE,
                origin_sale=sale_uid,
                rule=rule.code,
                actor=None,
                now=now,
                terminal=terminal,
                read_back=False,
            )
        )
    return issued


def coupons_issued_by(sale: str) -> list[CouponInfo]:
    """The next-order coupons the sale with uid ``sale`` issued, in the order they were issued
    (withdrawn ones included: ``active`` says which)."""
    C = m.Coupon
    codes = [code for (code,) in store.rows(C.select(C.code).where(C.origin_sale == sale).order_by(C.id))]
    return [coupons.get_coupon(code) for code in codes]


def coupons_withdrawn_by(return_uid: str, original_uid: str) -> list[CouponInfo]:
    """The coupons of sale ``original_uid`` that the return ``return_uid`` withdrew (its receipt
    says so), from their ``coupon_withdraw`` journal entries."""
    C, J = m.Coupon, m.JournalEntry
    codes = [code for (code,) in store.rows(C.select(C.code).where(C.origin_sale == original_uid).order_by(C.id))]
    if not codes:
        return []
    mine: set[str] = set()
    for ref, payload in store.rows(J.select(J.ref, J.payload).where((J.kind == WITHDRAW_KIND) & J.ref.in_(codes))):
        try:
            data = json.loads(payload)
        except ValueError:
            continue
        if isinstance(data, dict) and data.get("return") == return_uid:
            mine.add(str(ref))
    return [coupons.get_coupon(code) for code in codes if code in mine]


def _net_lines(original_id: int) -> list[ReceiptLine]:
    """The receipt ``original_id`` net of every return of it posted so far, per product."""
    L, S = m.SaleLine, m.Sale
    net: dict[tuple[int, str], int] = defaultdict(int)
    for pid, code, total in store.rows(L.select(L.product, L.code, L.total).where(L.sale == original_id)):
        net[(int(pid), str(code))] += int(total)
    returns = S.select(S.id).where((S.return_of == original_id) & (S.kind == "return"))
    query = L.select(L.product, L.code, fn.SUM(L.total)).where(L.sale.in_(returns)).group_by(L.product, L.code)
    for pid, code, total in store.rows(query):
        net[(int(pid), str(code))] -= int(total or 0)
    return [ReceiptLine(pid, code, from_kurus(total)) for (pid, code), total in sorted(net.items())]


def withdraw_after_return(
    original_id: int, *, return_uid: str, now: datetime, terminal: str, program: Program | None = None
) -> dict[str, list[str]]:
    """Withdraw the unused next-order coupons of receipt ``original_id`` that its returns (the
    one being posted included) took below their rule's thresholds. Returns the codes
    ``{"withdrawn": [...], "kept_used": [...]}`` (empty lists: nothing to do). Inside the
    return's transaction; each coupon row is locked before its uses are counted, as
    :func:`~pos_tui.core.loyalty.coupons.record_use` locks it, so a coupon is either used by a
    sale or withdrawn by the return, never both. ``program``: the active one when None (read
    only when the receipt issued coupons)."""
    out: dict[str, list[str]] = {"withdrawn": [], "kept_used": []}
    S, C = m.Sale, m.Coupon
    uid = S.select(S.uid).where(S.id == original_id).scalar()
    if uid is None:
        return out
    found = list(store.rows(C.select(C.id, C.code, C.rule).where((C.origin_sale == uid) & C.active).order_by(C.id)))
    if not found:
        return out
    if program is None:
        from pos_tui.core.loyalty.rules.versions import active_program

        program = active_program()
    lines = _net_lines(original_id)
    by_code = {rule.code: rule for rule in program.next_order_coupons}
    nothing_left = all(ln.total <= 0 for ln in lines)
    for coupon_id, code, rule_code in found:
        rule = by_code.get(rule_code) if rule_code else None
        still = (not nothing_left) if rule is None else meets_thresholds(rule, lines, program)
        if still:
            continue
        locked = fast.select_first(C, ("id", "active"), {"id": coupon_id}, for_update=True)
        if locked is None or not locked[1]:
            continue
        used = int(m.CouponUse.select(fn.COUNT(m.CouponUse.id)).where(m.CouponUse.coupon == coupon_id).scalar() or 0)
        if used:
            out["kept_used"].append(str(code))
            continue
        fast.update_where(C, {"active": False}, {"id": coupon_id})
        journal.append(
            WITHDRAW_KIND,
            {
                "id": int(coupon_id),
                "code": str(code),
                "origin_sale": str(uid),
                "rule": rule_code,
                "return": return_uid,
                "reason": "return",
            },
            terminal=terminal,
            now=now,
            ref=str(code),
        )
        out["withdrawn"].append(str(code))
    return out


def member_coupons(member_id: int, *, as_of: date) -> list[CouponInfo]:
    """The member's own coupons they can still use: active, not used up, not expired by
    ``as_of`` (those valid only from a later day included), the soonest to expire first."""
    C, U = m.Coupon, m.CouponUse
    query: Any = (
        C.select(C.code, fn.COUNT(U.id), C.max_uses)
        .join(U, JOIN.LEFT_OUTER, on=(U.coupon == C.id))
        .where((C.member == member_id) & C.active & (C.valid_to.is_null() | (C.valid_to >= as_of)))
        .group_by(C.id, C.code, C.max_uses)
    )
    codes = [code for code, uses, max_uses in store.rows(query) if max_uses is None or int(uses) < int(max_uses)]
    found = [coupons.get_coupon(code) for code in codes]
    return sorted(found, key=lambda c: (c.valid_to is None, c.valid_to or date.max, c.id))


def coupon_terms(coupon: CouponInfo, language: str | None = None, *, code: bool = True) -> str:
    """What a coupon is worth in the customer's words: ``%20 indirim (en çok 200,00 TL), kod
    XXXXXXXX, 07.12.2026–05.01.2027 arası, en az 300,00 TL`` (the code left out with
    ``code=False``; the parts it does not have left out)."""
    if coupon.kind == "percent" and coupon.percent is not None:
        value = _("{percent} off").format(percent=format_percent(coupon.percent, language))
        if coupon.max_discount is not None:
            value += " " + _("(at most {amount})").format(amount=_money(coupon.max_discount, language))
    else:
        value = _("{amount} off").format(amount=_money(coupon.amount or ZERO, language))
    parts = [value]
    if code:
        parts.append(_("code {code}").format(code=coupon.code))
    start, end = coupon.valid_from, coupon.valid_to
    if start is not None and end is not None:
        parts.append(_("valid {start}–{end}").format(start=_day(start), end=_day(end)))
    elif end is not None:
        parts.append(_("valid until {end}").format(end=_day(end)))
    elif start is not None:
        parts.append(_("valid from {start}").format(start=_day(start)))
    if coupon.min_spend > 0:
        parts.append(_("on a receipt of at least {amount}").format(amount=_money(coupon.min_spend, language)))
    return ", ".join(parts)


def _money(amount: Decimal, language: str | None) -> str:
    return f"{format_money(amount, language)} TL"


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


__all__ = [
    "SOURCE",
    "WITHDRAW_KIND",
    "ReceiptLine",
    "coupon_terms",
    "coupons_issued_by",
    "coupons_withdrawn_by",
    "issue_next_order_coupons",
    "meets_thresholds",
    "member_coupons",
    "receipt_spend",
    "validity",
    "withdraw_after_return",
]
