"""The loyalty part of ``pos-admin audit verify``: do the loyalty tables still agree with each
other and with the journal?

The loyalty tables are insert-only (triggers) and the writes that matter are journalled, so a
row changed, added or removed behind pos_tui's back shows up as a disagreement between two
records of the same fact. :func:`check_loyalty` looks for them, group by group:

1. **Points ledger** (docs/loyalty.md, "The model"): every entry is a lot, a consumption of a
   lot of the *same* member, or a debt; no lot gives more than it holds; ``settle`` pairs
   cancel out and never repay more than the debt; spending (redeem, donate, transfer) only
   takes available, unexpired points; a lot expires at most once.
2. **Per sale**: the ``earn`` entries of a sale equal what ``sale_loyalty`` says it earned (and
   go to the sale's member); returns never claw back more than the sale earned; the points
   redeemed for a sale equal its ``points`` payments at the rule version's point value plus
   the points its rewards cost; restores never give back more than was redeemed.
3. **Stamps and supplier points**: returns never take back more than the receipt earned, per
   card and per product; spending stamps on a free item never takes a card below zero. (A
   return *may* leave a card negative, after the stamps paid for a free item: a return is
   never blocked; see tests/loyalty/test_checkout_brief.py.)
4. **Wallet**: store-credit payments and refunds on documents equal the wallet's ``spend``
   and ``refund`` entries of those sales; cashback clawed back never exceeds the cashback;
   no ``spend`` ever took a wallet below zero (a clawback or an adjustment may: a return is
   never blocked). Every ``adjust`` entry matches its ``wallet_adjust`` journal entry.
5. **Gift cards** (the balance is the sum of the entries; there is no cached column):
   gift-card payments and refunds on documents equal the cards' ``spend``/``refund`` entries;
   entries have the sign of their kind; no card was ever below zero; each card was issued once;
   issues, top-ups and deactivations match their journal entries.
6. **Coupons**: uses never exceed the coupon's ``max_uses``; each sale's ``coupon`` benefit
   lines equal its coupon uses; every coupon equals its ``coupon`` journal entry.
7. **Journal**: each ``sale_loyalty`` row equals its ``loyalty`` entry and its own breakdown
   (points, bonus, base, cashback, stamps, supplier points against their tables); rule
   versions match ``loyalty_rules`` (and their digest); points adjustments per member add up
   to their ``points_adjust`` entries.
8. **Operations** (issue 16): every transfer (the giver's ``transfer_out`` and the receiver's
   ``transfer_in`` entries of one instant) equals its ``points_transfer`` entry and every
   donation outside a sale its ``points_donate`` entry (members, charity, points), each way
   round; every ``topup`` wallet entry equals its ``wallet_topup`` entry (member, amount) and,
   paid in cash, its ``store_credit`` cash movement, and no such movement is left without a
   top-up; every ``coupon_withdraw`` entry withdrew an inactive, unused coupon of the sale it
   names by a return of that sale, and no coupon is inactive without one; a tier change with
   reason ``receipt`` names its sale, whose loyalty record lists the same ``tier_upgrade``, and
   equals its ``tier_change`` entry; a return's ``gift_card_new`` refunds equal the cards it
   issued. (A store-credit refund is a ``refund`` wallet entry of the return: group 4.)

Everything is an aggregate query (GROUP BY, and window sums for "never below zero"), so the
cost grows with the number of rows, never with a query per member. The per-sale comparison
with the journal reads ``sale_loyalty`` and the journal payloads in chunks of
:data:`CHUNK` sales. Group 8 reads its rows and journal entries once per kind (one query each;
transfers, donations, top-ups, withdrawals and upgrades are few beside the sales). Not checked:
tier changes other than those a receipt made, NPS answers and member records (members may be
edited and anonymised, NPS imports journal one summary per file).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from peewee import JOIN, Case, ModelSelect, fn

from pos_tui import store
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, shop_day
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.core.kernel.vocabulary import document_label
from pos_tui.core.loyalty.program import Program
from pos_tui.i18n import _
from pos_tui.store import models as m

Add = Callable[[int | None, str], None]

CHUNK = 500  # sale_loyalty rows compared with their journal entries per round trip

LOT_KINDS = ("earn", "restore", "transfer_in", "adjust")
CONSUMPTION_KINDS = ("redeem", "donate", "transfer_out", "clawback", "expire", "settle", "adjust")
SPEND_KINDS = ("redeem", "donate", "transfer_out")
GIFT_CARD_SIGNS = {"issue": 1, "topup": 1, "refund": 1, "spend": -1}
REFERRAL = "referral:"  # reason of a referrer's bonus earned on the referred member's first receipt
# the journal kind of the points operations outside a sale (ref: the member who gives or adjusts)
OPERATION_JOURNAL = {
    "adjust": "points_adjust",
    "transfer_out": "points_transfer",
    "transfer_in": "points_transfer",
    "donate": "points_donate",
}
MEMBER = "member:"  # reason of transfer entries: the other member (``member:<id>``)
LOYALTY_JOURNAL_KINDS = (
    "loyalty_rules",
    "points_adjust",
    "wallet_adjust",
    "gift_card_issue",
    "gift_card_topup",
    "gift_card_deactivate",
    "coupon",
)


def _came(table: str) -> Any:
    """The local ids of ``table``'s rows that another terminal wrote (offline sync: recorded in
    ``sync_origin`` as they came down). Their journal entries are on that terminal; the
    centre's audit checks them there (docs/sync.md)."""
    origin = m.SyncOrigin
    return origin.select(origin.local_id).where(origin.tbl == table)


def _overdrawn_across_terminals(overdrawn: dict[int, tuple[Any, int, int]]) -> set[int]:
    """The lots among ``overdrawn`` (lot id -> member, points, taken) that several terminals took
    from, each within the lot: an overdraft of the chain (two terminals spending the same points,
    one of them offline), which the centre records and ``pos-admin sync reconcile`` lists, not a
    row changed behind pos_tui's back. A lot that this terminal's own rows (or any one other
    terminal's) took more from than it holds is still a finding."""
    if not overdrawn:
        return set()
    E, SO = m.PointsEntry, m.SyncOrigin
    by_source: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    query = (
        E.select(E.lot, E.points, SO.origin)
        .join(SO, JOIN.LEFT_OUTER, on=((SO.tbl == "points_entry") & (SO.local_id == E.id)))
        .where(E.lot.in_(sorted(overdrawn)))
    )
    for lot_id, points, origin in store.rows(query):
        source = "" if origin is None else str(origin).split(":", 1)[0]  # "": this terminal's own
        by_source[int(lot_id)][source] += int(points)
    return {
        lot_id
        for lot_id, (_member, points, _used) in overdrawn.items()
        if len(by_source[lot_id]) > 1 and all(points + taken >= 0 for taken in by_source[lot_id].values())
    }


def _member_in(reason: str | None) -> int | None:
    """The member a transfer entry's reason names (``member:12`` → 12), None when it names none."""
    text = (reason or "").removeprefix(MEMBER)
    return int(text) if reason and reason.startswith(MEMBER) and text.isdigit() else None


def _tl(kurus: int | None) -> str:
    return format_money(from_kurus(int(kurus or 0)))


def _sale_entries(sale_id: int, uid: str | None) -> list[int]:
    """The journal entries whose payloads cover a sale's loyalty: its document (``sale`` or
    ``return``, ref = uid: payments, member) and its ``loyalty`` entry (ref = sale id: points,
    stamps, cashback), in id order."""
    J = m.JournalEntry
    covers = (J.kind == "loyalty") & (J.ref == str(sale_id))
    if uid is not None:
        covers |= J.kind.in_(("sale", "return")) & (J.ref == uid)
    return [entry for (entry,) in store.rows(J.select(J.id).where(covers).order_by(J.id))]


def _entries_text(entries: list[int]) -> str:
    if not entries:
        return _("no journal entry")
    if len(entries) == 1:
        return _("journal entry {id}").format(id=entries[0])
    return _("journal entries {ids}").format(ids=", ".join(str(e) for e in entries))


def _covering_entries(points_entry_id: int) -> list[int]:
    """The journal entries whose payloads cover a points entry. A sale's points are in its
    document and ``loyalty`` entries; an adjustment, a transfer or a donation outside a sale has
    its ``points_adjust``/``points_transfer``/``points_donate`` entry at the same instant (ref: the
    member who adjusts, gives or donates). None found: the row was written behind pos_tui's back
    (or by a service that journals nothing for it, such as expiry)."""
    E, J = m.PointsEntry, m.JournalEntry
    row = E.select(E.member, E.at, E.sale, E.kind, E.reason).where(E.id == points_entry_id).tuples().first()
    if row is None:
        return []
    member, at, sale_id, kind, reason = row
    if sale_id is not None:
        uid = m.Sale.select(m.Sale.uid).where(m.Sale.id == sale_id).scalar()
        return _sale_entries(sale_id, uid)
    journal_kind = OPERATION_JOURNAL.get(kind)
    if journal_kind is None:
        return []  # expiry and debt repayments have no journal entry of their own
    ref: int | None = member
    if kind == "transfer_in":  # the receiver's lot: the giver's transfer (ref = the giver)
        ref = _member_in(reason)
    if ref is None:
        return []
    query = J.select(J.id).where((J.kind == journal_kind) & (J.ref == str(ref)) & (J.at == at)).order_by(J.id)
    return [entry for (entry,) in store.rows(query)]


def _covering(points_entry_id: int) -> str:
    """``; covered by journal entry N`` (or ``; no journal entry covers it``), to end a ledger problem."""
    entries = _covering_entries(points_entry_id)
    if not entries:
        return _("; no journal entry covers it")
    return _("; covered by {entries}").format(entries=_entries_text(entries))


def _member_covering(member: int, kind: str) -> str:
    """``; points entries 5 (journal entry 12), 9 (no journal entry)``: where a member's entries of
    ``kind`` come from, for a problem with their sum (the first five)."""
    E = m.PointsEntry
    ids = [e for (e,) in store.rows(E.select(E.id).where((E.member == member) & (E.kind == kind)).order_by(E.id))]
    parts = [f"{e} ({_entries_text(_covering_entries(e))})" for e in ids[:5]]
    return _("; points entries {entries}").format(entries=", ".join(parts)) if parts else ""


class _Sales:
    """Names of documents for the problem texts, read only for the sales that have a problem.
    A name carries the journal entries whose payloads cover the sale, so a report points at the
    entry to compare (issue 10)."""

    def __init__(self) -> None:
        self._names: dict[int, str] = {}

    def name(self, sale_id: int | None) -> str:
        if sale_id is None:
            return _("no sale")
        if sale_id not in self._names:
            S = m.Sale
            row = S.select(S.kind, S.uid, S.terminal, S.receipt_no).where(S.id == sale_id).tuples().first()
            if row is None:
                self._names[sale_id] = _("sale {id} (missing; {entries})").format(
                    id=sale_id, entries=_entries_text(_sale_entries(sale_id, None))
                )
            else:
                kind, uid, terminal, receipt = row
                self._names[sale_id] = _("{kind} {uid} (terminal {terminal}, receipt {receipt}; {entries})").format(
                    kind=document_label(kind),
                    uid=uid,
                    terminal=terminal,
                    receipt=receipt,
                    entries=_entries_text(_sale_entries(sale_id, uid)),
                )
        return self._names[sale_id]


class _Named:
    """A document's name read only when a problem text is formatted (most rows have none)."""

    __slots__ = ("sale_id", "sales")

    def __init__(self, sales: _Sales, sale_id: int) -> None:
        self.sales, self.sale_id = sales, sale_id

    def __str__(self) -> str:
        return self.sales.name(self.sale_id)


# --------------------------------------------------------------------------- 1. points ledger


def _check_ledger(add: Add, tz: str) -> None:
    E = m.PointsEntry
    lot_ok = E.lot.is_null() & E.available_from.is_null(False) & E.kind.in_(LOT_KINDS) & (E.points > 0)
    consumption_ok = E.lot.is_null(False) & E.kind.in_(CONSUMPTION_KINDS) & (E.points < 0)
    debt_ok = (
        E.lot.is_null()
        & E.available_from.is_null()
        & ((E.kind.in_(("clawback", "adjust")) & (E.points < 0)) | ((E.kind == "settle") & (E.points > 0)))
    )
    query = E.select(E.id, E.member, E.kind, E.points).where(~(lot_ok | consumption_ok | debt_ok)).order_by(E.id)
    for eid, member, kind, points in store.rows(query):
        add(
            None,
            _(
                "points entry {id} of member {member} ({kind}, {points} points) is neither a lot, nor a "
                "consumption of a lot, nor a debt"
            ).format(id=eid, member=member, kind=kind, points=points)
            + _covering(eid),
        )

    L = E.alias("lot")
    query = (
        E.select(E.id, E.member, E.kind, L.id, L.member, L.lot, L.available_from)
        .join(L, on=(E.lot == L.id))
        .where((L.member != E.member) | L.lot.is_null(False) | L.available_from.is_null())
        .order_by(E.id)
    )
    for eid, member, kind, lot_id, owner, _lot_lot, _lot_from in store.rows(query):
        if owner != member:
            text = _(
                "points entry {id} ({kind}) of member {member} takes from lot {lot}, which belongs to member {owner}"
            ).format(id=eid, kind=kind, member=member, lot=lot_id, owner=owner)
        else:
            text = _("points entry {id} ({kind}) of member {member} takes from entry {lot}, which is not a lot").format(
                id=eid, kind=kind, member=member, lot=lot_id
            )
        add(None, text + _covering(eid))

    C = E.alias("taken")
    taken = fn.SUM(C.points)
    query = (
        L.select(L.id, L.member, L.points, taken)
        .join(C, on=(C.lot == L.id))
        .group_by(L.id, L.member, L.points)
        .having(L.points + taken < 0)
        .order_by(L.id)
    )
    overdrawn = {int(lot_id): (member, int(points), int(used)) for lot_id, member, points, used in store.rows(query)}
    across = _overdrawn_across_terminals(overdrawn)
    for lot_id, (member, points, used) in overdrawn.items():
        if lot_id in across:
            continue
        add(
            None,
            _("points lot {id} of member {member} holds {points} points but {taken} were taken from it").format(
                id=lot_id, member=member, points=points, taken=-used
            )
            + _covering(lot_id),
        )

    summed = fn.SUM(E.points)
    query = (
        E.select(E.member, summed).where(E.kind == "settle").group_by(E.member).having(summed != 0).order_by(E.member)
    )
    for member, total in store.rows(query):
        add(
            None,
            _(
                "member {member}: the settle entries add up to {points} points instead of 0 (one side of a debt "
                "repayment is missing)"
            ).format(member=member, points=total)
            + _member_covering(member, "settle"),
        )

    query = (
        E.select(E.member, summed)
        .where(E.lot.is_null() & E.available_from.is_null())
        .group_by(E.member)
        .having(summed > 0)
        .order_by(E.member)
    )
    for member, total in store.rows(query):
        add(
            None,
            _("member {member}: debt repayments exceed the debt by {points} points").format(member=member, points=total)
            + _member_covering(member, "settle"),
        )

    count = fn.COUNT(E.id)
    query = E.select(E.lot, E.member, count).where(E.kind == "expire").group_by(E.lot, E.member).having(count > 1)
    for lot_id, member, n in store.rows(query):
        add(
            None,
            _("points lot {lot} of member {member} expired {n} times; a lot expires once").format(
                lot=lot_id, member=member, n=n
            )
            + _covering(lot_id),
        )

    # Spending only takes available, unexpired points. The UTC date narrows the candidates
    # (a shop day is at most one day off it); the shop day decides.
    day = fn.DATE(E.at)
    query = (
        E.select(E.id, E.member, E.kind, E.at, L.id, L.available_from, L.expires_on)
        .join(L, on=(E.lot == L.id))
        .where(E.kind.in_(SPEND_KINDS) & ((L.available_from >= day) | (L.expires_on <= day)))
        .order_by(E.id)
    )
    for eid, member, kind, at, lot_id, available_from, expires_on in store.rows(query):
        spent_on = shop_day(from_db(at), tz)
        if spent_on < available_from:
            add(
                None,
                _(
                    "points entry {id} ({kind}) of member {member} spent points of lot {lot} on {day}, before they "
                    "became available on {available}"
                ).format(id=eid, kind=kind, member=member, lot=lot_id, day=spent_on, available=available_from)
                + _covering(eid),
            )
        elif expires_on is not None and spent_on > expires_on:
            add(
                None,
                _(
                    "points entry {id} ({kind}) of member {member} spent points of lot {lot} on {day}, after they "
                    "expired on {expired}"
                ).format(id=eid, kind=kind, member=member, lot=lot_id, day=spent_on, expired=expires_on)
                + _covering(eid),
            )


# --------------------------------------------------------------------------- 2. points per sale


def _point_values() -> tuple[dict[int, Decimal], list[tuple[Any, int]]]:
    """The point value of every rule version, and (applied_at, id) in the order applied."""
    from pos_tui.core.loyalty.rules.parsing import program_from_dict

    R = m.LoyaltyRules
    values: dict[int, Decimal] = {}
    order: list[tuple[Any, int]] = []
    for rid, applied_at, data in store.rows(R.select(R.id, R.applied_at, R.data).order_by(R.applied_at, R.id)):
        try:
            values[rid] = program_from_dict(json.loads(data)).points.value
        except Exception:  # a changed rule version is reported by the journal check
            values[rid] = Program().points.value
        order.append((applied_at, rid))
    return values, order


def _check_points_per_sale(add: Add, sales: _Sales) -> None:
    E, SL, S = m.PointsEntry, m.SaleLoyalty, m.Sale
    own = E.reason.is_null() | ~E.reason.startswith(REFERRAL)  # a referrer's bonus is not the sale's earning
    earned = (
        E.select(E.sale.alias("sid"), fn.SUM(E.points).alias("pts"))
        .where((E.kind == "earn") & E.sale.is_null(False) & own)
        .group_by(E.sale)
        .alias("earned")
    )
    total = fn.COALESCE(earned.c.pts, 0)
    query: ModelSelect[Any] = (
        SL.select(SL.sale, SL.points, total)
        .join(earned, JOIN.LEFT_OUTER, on=(earned.c.sid == SL.sale))
        .where(SL.points != total)
        .order_by(SL.sale)
    )
    for sale_id, recorded, ledger in store.rows(query):
        add(
            None,
            _(
                "{sale}: its loyalty record says it earned {recorded} points but its earn entries add up to {ledger}"
            ).format(sale=sales.name(sale_id), recorded=recorded, ledger=ledger),
        )
    query = (
        E.select(E.id, E.sale, E.member, E.points, SL.sale, SL.member)
        .join(SL, JOIN.LEFT_OUTER, on=(SL.sale == E.sale))
        .where((E.kind == "earn") & E.sale.is_null(False) & own & (SL.sale.is_null() | (SL.member != E.member)))
        .order_by(E.id)
    )
    for eid, sale_id, member, points, sl_sale, sl_member in store.rows(query):
        if sl_sale is None:
            text = _("points entry {id} earns {points} points on {sale}, which has no loyalty record").format(
                id=eid, points=points, sale=sales.name(sale_id)
            )
        else:
            text = _(
                "points entry {id} earns {points} points on {sale} for member {member}; the sale's member is {other}"
            ).format(id=eid, points=points, sale=sales.name(sale_id), member=member, other=sl_member)
        add(None, text)
    query = (
        SL.select(SL.sale, SL.member, S.member)
        .join(S, on=(S.id == SL.sale))
        .where(S.member.is_null() | (S.member != SL.member))
        .order_by(SL.sale)
    )
    for sale_id, member, sale_member in store.rows(query):
        add(
            None,
            _("{sale}: its loyalty record is for member {member} but the sale's member is {other}").format(
                sale=sales.name(sale_id), member=member, other=sale_member if sale_member is not None else "-"
            ),
        )

    def per_sale(kind: str) -> Any:
        return fn.COALESCE(fn.SUM(Case(None, [(E.kind == kind, E.points)], 0)), 0)

    earn, clawed = per_sale("earn"), 0 - per_sale("clawback")
    query = (
        E.select(E.sale, E.member, earn, clawed)
        .where(E.sale.is_null(False) & E.kind.in_(("earn", "clawback")))
        .group_by(E.sale, E.member)
        .having(clawed > earn)
        .order_by(E.sale)
    )
    for sale_id, member, got, back in store.rows(query):
        add(
            None,
            _(
                "{sale}: returns clawed back {clawed} points from member {member} but it earned them only {earned}"
            ).format(sale=sales.name(sale_id), clawed=back, member=member, earned=got),
        )
    redeemed, restored = 0 - per_sale("redeem"), per_sale("restore")
    query = (
        E.select(E.sale, redeemed, restored)
        .where(E.sale.is_null(False) & E.kind.in_(("redeem", "restore")))
        .group_by(E.sale)
        .having(restored > redeemed)
        .order_by(E.sale)
    )
    for sale_id, out, back in store.rows(query):
        add(
            None,
            _("{sale}: returns gave back {restored} points but only {redeemed} were redeemed for it").format(
                sale=sales.name(sale_id), restored=back, redeemed=out
            ),
        )
    _check_redeemed(add, sales)


def _check_redeemed(add: Add, sales: _Sales) -> None:
    """Points redeemed for a sale = its ``points`` payments at the point value of the rule
    version it was posted under (``sale_loyalty.rules``) + the points its rewards cost."""
    E, P, S, SL, B = m.PointsEntry, m.Payment, m.Sale, m.SaleLoyalty, m.SaleBenefit
    paid: dict[int, int] = {}
    for sale_id, amount in store.rows(
        P.select(P.sale, fn.SUM(P.amount))
        .join(S, on=(P.sale == S.id))
        .where((P.method == "points") & (S.kind == "sale"))
        .group_by(P.sale)
    ):
        paid[sale_id] = int(amount)
    redeemed: dict[int, int] = {}
    for sale_id, points in store.rows(
        E.select(E.sale, fn.SUM(E.points)).where((E.kind == "redeem") & E.sale.is_null(False)).group_by(E.sale)
    ):
        redeemed[sale_id] = -int(points)
    if not paid and not redeemed:
        return
    rewards: dict[int, int] = {}
    for sale_id, points in store.rows(B.select(B.sale, fn.SUM(B.points)).where(B.kind == "reward").group_by(B.sale)):
        rewards[sale_id] = int(points or 0)
    values, order = _point_values()
    default = Program().points.value
    ids = sorted(set(paid) | set(redeemed))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        facts = {
            sid: (at, rid)
            for sid, at, rid in store.rows(
                S.select(S.id, S.at, SL.rules).join(SL, JOIN.LEFT_OUTER, on=(SL.sale == S.id)).where(S.id.in_(chunk))
            )
        }
        for sale_id in chunk:
            at, rules_id = facts.get(sale_id, (None, None))
            if rules_id is None and at is not None:
                earlier = [rid for applied, rid in order if applied <= at]
                rules_id = earlier[-1] if earlier else None
            value = values.get(rules_id, default) if rules_id is not None else default
            kurus = paid.get(sale_id, 0)
            reward = rewards.get(sale_id, 0)
            expected = Decimal(kurus) / (value * 100) + reward
            got = redeemed.get(sale_id, 0)
            if expected != got:
                add(
                    None,
                    _(
                        "{sale}: its points payments of {amount} TL at {value} TL a point and its rewards of {reward} "
                        "points come to {expected} points, but {redeemed} points were redeemed for it"
                    ).format(
                        sale=sales.name(sale_id),
                        amount=_tl(kurus),
                        value=value,
                        reward=reward,
                        expected=expected.normalize() if expected != expected.to_integral_value() else int(expected),
                        redeemed=got,
                    ),
                )


# --------------------------------------------------------------------------- 3. stamps, supplier points


def _check_stamps_and_supplier_points(add: Add, sales: _Sales) -> None:
    St, S, SP = m.StampEntry, m.Sale, m.SupplierPoints
    original = fn.COALESCE(S.return_of, S.id)
    earned = fn.COALESCE(fn.SUM(Case(None, [(St.kind == "earn", St.stamps)], 0)), 0)
    clawed = 0 - fn.COALESCE(fn.SUM(Case(None, [(St.kind == "clawback", St.stamps)], 0)), 0)
    query: ModelSelect[Any] = (
        St.select(original, St.member, St.card, earned, clawed)
        .join(S, on=(St.sale == S.id))
        .where(St.kind.in_(("earn", "clawback")))
        .group_by(original, St.member, St.card)
        .having(clawed > earned)
        .order_by(original)
    )
    for sale_id, member, card, got, back in store.rows(query):
        add(
            None,
            _(
                "{sale}: returns took back {clawed} stamps of card {card} from member {member} but it earned only "
                "{earned}"
            ).format(sale=sales.name(sale_id), clawed=back, card=card, member=member, earned=got),
        )

    running = fn.SUM(St.stamps).over(partition_by=[St.member, St.card], order_by=[St.id])
    inner = St.select(St.id, St.member.alias("mid"), St.card, St.kind, St.stamps, running.alias("running")).alias("run")
    query = (
        St.select(inner.c.id, inner.c.mid, inner.c.card, inner.c.stamps, inner.c.running)
        .from_(inner)
        .where((inner.c.kind == "reward") & (inner.c.running < 0))
        .order_by(inner.c.id)
    )
    for eid, member, card, stamps, left in store.rows(query):
        add(
            None,
            _(
                "stamp entry {id}: member {member} spent {spent} stamps of card {card} on a free item and was left "
                "with {left}"
            ).format(id=eid, member=member, spent=-int(stamps), card=card, left=left),
        )

    sold = fn.COALESCE(fn.SUM(Case(None, [(S.kind == "sale", SP.points)], 0)), 0)
    returned = 0 - fn.COALESCE(fn.SUM(Case(None, [(S.kind == "return", SP.points)], 0)), 0)
    query = (
        SP.select(original, SP.supplier, SP.product, sold, returned)
        .join(S, on=(SP.sale == S.id))
        .group_by(original, SP.supplier, SP.product)
        .having(returned > sold)
        .order_by(original)
    )
    for sale_id, supplier, product, got, back in store.rows(query):
        add(
            None,
            _(
                "{sale}: returns took back {returned} supplier-funded points of product {product} (supplier "
                "{supplier}) but it earned only {earned}"
            ).format(sale=sales.name(sale_id), returned=back, product=product, supplier=supplier, earned=got),
        )


# --------------------------------------------------------------------------- 4./5. money tenders


def _paid_per_sale(method: str) -> tuple[dict[int, int], dict[int, int]]:
    """Kuruş paid by ``method`` per sale, and refunded by ``method`` per *original* sale."""
    P, S = m.Payment, m.Sale
    paid: dict[int, int] = {}
    refunded: dict[int, int] = defaultdict(int)
    query = (
        P.select(S.kind, S.id, S.return_of, fn.SUM(P.amount))
        .join(S, on=(P.sale == S.id))
        .where(P.method == method)
        .group_by(S.kind, S.id, S.return_of)
    )
    for kind, sale_id, return_of, amount in store.rows(query):
        if kind == "sale":
            paid[sale_id] = int(amount)
        else:
            refunded[return_of if return_of is not None else sale_id] += int(amount)
    return paid, dict(refunded)


def _compare_tender(
    add: Add,
    sales: _Sales,
    paid: dict[int, int],
    entries: dict[int, int],
    text: str,
) -> None:
    for sale_id in sorted(set(paid) | set(entries)):
        a, b = paid.get(sale_id, 0), entries.get(sale_id, 0)
        if a != b:
            add(None, text.format(sale=sales.name(sale_id), paid=_tl(a), entries=_tl(b)))


def _spent_and_given(model: Any) -> tuple[dict[int, int], dict[int, int]]:
    """Per sale, what a wallet or gift-card ledger (``kind``/``sale``/``amount``) says was
    spent on it and given back by it (both positive kuruş). A refund entry that points at a
    return document (store credit a return gave beyond what store credit paid) counts for the
    sale it returns, as its payment does."""
    spent: dict[int, int] = {}
    given: dict[int, int] = {}
    S = m.Sale
    original = fn.COALESCE(S.return_of, model.sale)
    query = (
        model.select(model.kind, original, fn.SUM(model.amount))
        .join(S, JOIN.LEFT_OUTER, on=(model.sale == S.id))
        .where(model.kind.in_(("spend", "refund")) & model.sale.is_null(False))
        .group_by(model.kind, original)
    )
    for kind, sale_id, amount in store.rows(query):
        if kind == "spend":
            spent[sale_id] = -int(amount)
        else:
            given[sale_id] = int(amount)
    return spent, given


def _check_wallet(add: Add, sales: _Sales) -> None:
    W, S = m.WalletEntry, m.Sale
    paid, refunded = _paid_per_sale("store_credit")
    spent, given = _spent_and_given(W)
    _compare_tender(
        add,
        sales,
        paid,
        spent,
        _("{sale}: store credit paid {paid} but the wallet entries spent on it add up to {entries}"),
    )
    _compare_tender(
        add,
        sales,
        refunded,
        given,
        _("{sale}: its returns refunded {paid} to store credit but the wallet refund entries add up to {entries}"),
    )

    original = fn.COALESCE(S.return_of, W.sale)
    cashback = fn.COALESCE(fn.SUM(Case(None, [(W.kind == "cashback", W.amount)], 0)), 0)
    clawed = 0 - fn.COALESCE(fn.SUM(Case(None, [(W.kind == "clawback", W.amount)], 0)), 0)
    query = (
        W.select(original, W.member, cashback, clawed)
        .join(S, JOIN.LEFT_OUTER, on=(W.sale == S.id))
        .where(W.kind.in_(("cashback", "clawback")) & W.sale.is_null(False))
        .group_by(original, W.member)
        .having(clawed > cashback)
        .order_by(original)
    )
    for sale_id, member, got, back in store.rows(query):
        add(
            None,
            _("{sale}: returns clawed back {clawed} of cashback from member {member} but it gave only {given}").format(
                sale=sales.name(sale_id), clawed=_tl(back), member=member, given=_tl(got)
            ),
        )

    running = fn.SUM(W.amount).over(partition_by=[W.member], order_by=[W.id])
    inner = W.select(W.id, W.member.alias("mid"), W.kind, W.amount, running.alias("running")).alias("run")
    query = (
        W.select(inner.c.id, inner.c.mid, inner.c.amount, inner.c.running)
        .from_(inner)
        .where((inner.c.kind == "spend") & (inner.c.running < 0))
        .order_by(inner.c.id)
    )
    for eid, member, amount, left in store.rows(query):
        add(
            None,
            _("wallet entry {id}: member {member} spent {amount} of store credit and was left with {left}").format(
                id=eid, member=member, amount=_tl(-int(amount)), left=_tl(left)
            ),
        )


def _check_gift_cards(add: Add, sales: _Sales) -> None:
    G, GE = m.GiftCard, m.GiftCardEntry
    paid, refunded = _paid_per_sale("gift_card")
    spent, given = _spent_and_given(GE)
    _compare_tender(
        add,
        sales,
        paid,
        spent,
        _("{sale}: gift cards paid {paid} but the gift card entries spent on it add up to {entries}"),
    )
    _compare_tender(
        add,
        sales,
        refunded,
        given,
        _("{sale}: its returns refunded {paid} to gift cards but the gift card refund entries add up to {entries}"),
    )

    right_sign = (GE.kind.in_(("issue", "topup", "refund")) & (GE.amount > 0)) | (
        (GE.kind == "spend") & (GE.amount < 0)
    )
    query: Any = GE.select(GE.id, G.code, GE.kind, GE.amount).join(G, on=(GE.card == G.id)).where(~right_sign)
    for eid, code, kind, amount in store.rows(query.order_by(GE.id)):
        add(
            None,
            _("gift card entry {id} of card {code} is a {kind} of {amount}, which has the wrong sign").format(
                id=eid, code=code, kind=kind, amount=_tl(amount)
            ),
        )

    running = fn.SUM(GE.amount).over(partition_by=[GE.card], order_by=[GE.id])
    inner = GE.select(GE.id, GE.card.alias("cid"), GE.amount, running.alias("running")).alias("run")
    query = (
        G.select(inner.c.id, G.code, inner.c.amount, inner.c.running)
        .from_(inner)
        .join(G, on=(G.id == inner.c.cid))
        .where(inner.c.running < 0)
        .order_by(inner.c.id)
    )
    for eid, code, amount, left in store.rows(query):
        add(
            None,
            _("gift card entry {id} took {amount} from card {code} and left it at {left}").format(
                id=eid, amount=_tl(-int(amount)), code=code, left=_tl(left)
            ),
        )

    issues = fn.COALESCE(fn.SUM(Case(None, [(GE.kind == "issue", 1)], 0)), 0)
    # A card with a revision came through the centre: issued at a terminal, its journal there
    # (on the centre, every card a terminal sold; its entries are in the received documents).
    query = (
        G.select(G.code, issues)
        .join(GE, JOIN.LEFT_OUTER, on=(GE.card == G.id))
        .group_by(G.id, G.code, G.revision)
        .having((issues != 1) & ~((issues == 0) & G.revision.is_null(False)))
        .order_by(G.id)
    )
    for code, n in store.rows(query):
        add(None, _("gift card {code} has {n} issue entries instead of one").format(code=code, n=n))


# --------------------------------------------------------------------------- 6. coupons


def _check_coupons(add: Add, sales: _Sales) -> None:
    C, U, B = m.Coupon, m.CouponUse, m.SaleBenefit
    uses = fn.COUNT(U.id)
    query = (
        C.select(C.code, C.max_uses, uses)
        .join(U, on=(U.coupon == C.id))
        .where(C.max_uses.is_null(False))
        .group_by(C.id, C.code, C.max_uses)
        .having(uses > C.max_uses)
        .order_by(C.id)
    )
    for code, allowed, n in store.rows(query):
        add(None, _("coupon {code} was used {n} times but allows {allowed}").format(code=code, n=n, allowed=allowed))

    lines: dict[tuple[int, str], int] = {}
    for sale_id, code, amount in store.rows(
        B.select(B.sale, B.code, fn.SUM(B.amount)).where(B.kind == "coupon").group_by(B.sale, B.code)
    ):
        lines[(sale_id, code)] = int(amount)
    used: dict[tuple[int, str], int] = {}
    for sale_id, code, amount in store.rows(
        U.select(U.sale, C.code, fn.SUM(U.amount)).join(C, on=(U.coupon == C.id)).group_by(U.sale, C.code)
    ):
        used[(sale_id, code)] = int(amount)
    for key in sorted(set(lines) | set(used)):
        sale_id, code = key
        a, b = lines.get(key, 0), used.get(key, 0)
        if a != b:
            add(
                None,
                _("{sale}: its coupon {code} lines take off {lines} but its uses of the coupon record {uses}").format(
                    sale=sales.name(sale_id), code=code, lines=_tl(a), uses=_tl(b)
                ),
            )


# --------------------------------------------------------------------------- 7. journal


def _describe(entry_id: int, kind: str, ref: str | None) -> str:
    return _("entry {id} ({kind} {ref})").format(id=entry_id, kind=document_label(kind), ref=ref or "-")


def _diff(tables: dict[str, Any], journal: dict[str, Any]) -> str:
    """The keys on which the tables and the journal differ (at most four)."""
    parts = []
    for key in sorted(set(tables) | set(journal)):
        a, b = tables.get(key), journal.get(key)
        if a == b:
            continue
        if isinstance(a, list | dict) or isinstance(b, list | dict):
            parts.append(_("{key} differ").format(key=key))
        else:
            parts.append(
                _("{key} is {a} in the tables but {b} in the journal").format(
                    key=key, a=json.dumps(a, ensure_ascii=False), b=json.dumps(b, ensure_ascii=False)
                )
            )
    return "; ".join(parts[:4])


def _journal(kinds: Iterable[str]) -> Iterator[tuple[int, str, str | None, dict[str, Any]]]:
    J = m.JournalEntry
    query = J.select(J.id, J.kind, J.ref, J.payload).where(J.kind.in_(tuple(kinds))).order_by(J.id)
    for eid, kind, ref, payload in store.rows(query):
        try:
            data = json.loads(payload)
        except ValueError:
            data = {}  # the chain check reports a payload that is not JSON
        yield eid, kind, ref, data if isinstance(data, dict) else {}


def _sale_loyalty_journal(add: Add, sales: _Sales) -> None:
    """Each ``sale_loyalty`` row against its ``loyalty`` entry and against its own tables."""
    J, S = m.JournalEntry, m.Sale
    returns: dict[int, int | None] = dict(store.rows(S.select(S.id, S.return_of).where(S.kind == "return")))
    entries: dict[int, int] = {}
    of_returns: list[tuple[int, int]] = []  # (entry, return): a return that kept a paid membership
    for eid, ref in store.rows(J.select(J.id, J.ref).where(J.kind == "loyalty").order_by(J.id)):
        sale_id = int(ref) if ref is not None and ref.isdigit() else -eid
        if sale_id in returns:
            of_returns.append((eid, sale_id))
            continue
        if sale_id in entries:
            add(
                eid,
                _("{entry}: the loyalty of {sale} is journalled twice (first in entry {other})").format(
                    entry=_describe(eid, "loyalty", ref), sale=sales.name(sale_id), other=entries[sale_id]
                ),
            )
            continue
        entries[sale_id] = eid
    SL = m.SaleLoyalty
    seen: set[int] = set()
    batch: list[tuple[int, int, int, int, int, str]] = []
    for row in store.rows(SL.select(SL.sale, SL.member, SL.points, SL.bonus, SL.base, SL.data).order_by(SL.sale)):
        batch.append(row)
        seen.add(row[0])
        if len(batch) >= CHUNK:
            _compare_loyalty(add, sales, batch, entries)
            batch = []
    if batch:
        _compare_loyalty(add, sales, batch, entries)
    _return_entries(add, sales, of_returns, returns)
    for sale_id, eid in sorted(entries.items(), key=lambda item: item[1]):
        if sale_id not in seen:
            add(
                eid,
                _("entry {id}: the loyalty of {sale} is in the journal but missing from the tables").format(
                    id=eid, sale=sales.name(sale_id) if sale_id > 0 else "-"
                ),
            )


def _return_entries(add: Add, sales: _Sales, of_returns: list[tuple[int, int]], returns: dict[int, int | None]) -> None:
    """A ``loyalty`` entry of a return names the return and the sale it returns."""
    J = m.JournalEntry
    for start in range(0, len(of_returns), CHUNK):
        chunk = dict(of_returns[start : start + CHUNK])
        for eid, ref, payload in store.rows(J.select(J.id, J.ref, J.payload).where(J.id.in_(list(chunk)))):
            try:
                data = json.loads(payload)
            except ValueError:
                continue  # the chain check reports it
            return_id = chunk[eid]
            got = data.get("sale") if isinstance(data, dict) else None
            if not isinstance(data, dict) or data.get("return") != return_id or got != returns.get(return_id):
                add(
                    eid,
                    _(
                        "{entry}: it is about {sale} returning sale {journal}, but that return is of sale {tables}"
                    ).format(
                        entry=_describe(eid, "loyalty", ref),
                        sale=sales.name(return_id),
                        journal=got if got is not None else "-",
                        tables=returns.get(return_id) or "-",
                    ),
                )


def _per_sale_stamps(sale_ids: list[int]) -> dict[int, dict[str, dict[str, int]]]:
    St = m.StampEntry
    out: dict[int, dict[str, dict[str, int]]] = defaultdict(dict)
    query = (
        St.select(St.sale, St.card, St.kind, fn.SUM(St.stamps))
        .where(St.sale.in_(sale_ids) & St.kind.in_(("earn", "reward")))
        .group_by(St.sale, St.card, St.kind)
    )
    for sale_id, card, kind, stamps in store.rows(query):
        counts = out[sale_id].setdefault(card, {"earned": 0, "spent": 0})
        if kind == "earn":
            counts["earned"] += int(stamps)
        else:
            counts["spent"] -= int(stamps)
    return out


def _per_sale_supplier(sale_ids: list[int]) -> dict[int, list[tuple[str, str, int, int]]]:
    SP, P, Su = m.SupplierPoints, m.Product, m.Supplier
    out: dict[int, list[tuple[str, str, int, int]]] = defaultdict(list)
    query = (
        SP.select(SP.sale, P.code, Su.code, SP.points, SP.supplier_points)
        .join(P, on=(SP.product == P.id))
        .switch(SP)
        .join(Su, on=(SP.supplier == Su.id))
        .where(SP.sale.in_(sale_ids))
    )
    for sale_id, product, supplier, points, supplier_points in store.rows(query):
        out[sale_id].append((product, supplier, int(points), int(supplier_points)))
    return out


def _per_sale_cashback(sale_ids: list[int]) -> dict[int, int]:
    W = m.WalletEntry
    query = W.select(W.sale, fn.SUM(W.amount)).where(W.sale.in_(sale_ids) & (W.kind == "cashback")).group_by(W.sale)
    return {sale_id: int(amount) for sale_id, amount in store.rows(query)}


def _kurus(text: Any) -> int | None:
    try:
        return to_kurus(Decimal(str(text)))
    except (InvalidOperation, ValueError):
        return None


def _compare_loyalty(
    add: Add, sales: _Sales, batch: list[tuple[int, int, int, int, int, str]], entries: dict[int, int]
) -> None:
    J = m.JournalEntry
    ids = [row[0] for row in batch]
    wanted = [entries[s] for s in ids if s in entries]
    payloads: dict[int, tuple[str | None, str]] = {
        eid: (ref, payload)
        for eid, ref, payload in store.rows(J.select(J.id, J.ref, J.payload).where(J.id.in_(wanted)))
    }
    stamps, supplier, cashback = _per_sale_stamps(ids), _per_sale_supplier(ids), _per_sale_cashback(ids)
    for sale_id, member, points, bonus, base, data_text in batch:
        name = _Named(sales, sale_id)
        try:
            data = json.loads(data_text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            add(None, _("{sale}: its loyalty breakdown is not JSON").format(sale=name))
            data = {}
        eid = entries.get(sale_id)
        if eid is None:
            add(None, _("{sale}: its loyalty record has no journal entry").format(sale=name))
        else:
            ref, payload_text = payloads[eid]
            try:
                journal = json.loads(payload_text)
            except ValueError:
                journal = {}
            tables = {"sale": sale_id, "member": member, "points": points, **data}
            if tables != journal:
                add(
                    eid,
                    _("{entry}: the loyalty of {sale} in the tables differs from its journal entry: {diff}").format(
                        entry=_describe(eid, "loyalty", ref),
                        sale=name,
                        diff=_diff(tables, journal if isinstance(journal, dict) else {}),
                    ),
                )
        if not data:
            continue
        _compare_breakdown(add, name, data, points, bonus, base)
        _compare_parts(add, name, data, stamps.get(sale_id, {}), supplier.get(sale_id, []), cashback.get(sale_id, 0))


def _compare_breakdown(add: Add, name: _Named, data: dict[str, Any], points: int, bonus: int, base: int) -> None:
    """The record's own columns against its breakdown: the points are base + tier bonus +
    bonuses + supplier-funded points (the engine's sum), bonus and base as recorded."""
    try:
        bonuses = sum(int(b["points"]) for b in data.get("bonuses", []))
        funded = sum(int(s["points"]) for s in data.get("supplier", []))
        parts = int(data.get("base_points", 0)) + int(data.get("tier_bonus_points", 0)) + bonuses + funded
    except (KeyError, TypeError, ValueError):
        add(None, _("{sale}: its loyalty breakdown cannot be read").format(sale=name))
        return
    if parts != points:
        add(
            None,
            _("{sale}: its loyalty record says {points} points but its breakdown adds up to {parts}").format(
                sale=name, points=points, parts=parts
            ),
        )
    if bonuses != bonus:
        add(
            None,
            _("{sale}: its loyalty record says {bonus} bonus points but its breakdown lists {listed}").format(
                sale=name, bonus=bonus, listed=bonuses
            ),
        )
    if _kurus(data.get("base")) != base:
        add(
            None,
            _(
                "{sale}: its loyalty record says the points were computed on {base} but its breakdown says {listed}"
            ).format(sale=name, base=_tl(base), listed=data.get("base")),
        )


def _compare_parts(
    add: Add,
    name: _Named,
    data: dict[str, Any],
    stamps: dict[str, dict[str, int]],
    supplier: list[tuple[str, str, int, int]],
    cashback: int,
) -> None:
    """The breakdown against the tables it was written with: stamps, supplier points, cashback."""
    listed = {
        card: {"earned": int(c.get("earned", 0)), "spent": int(c.get("spent", 0))}
        for card, c in (data.get("stamps") or {}).items()
        if isinstance(c, dict) and (c.get("earned") or c.get("spent"))
    }
    if listed != stamps:
        add(
            None,
            _("{sale}: its loyalty breakdown lists stamps {listed} but its stamp entries are {stamps}").format(
                sale=name,
                listed=json.dumps(listed, sort_keys=True),
                stamps=json.dumps(stamps, sort_keys=True),
            ),
        )
    wanted = sorted(
        (str(s.get("product")), str(s.get("supplier")), int(s.get("points", 0)), int(s.get("supplier_points", 0)))
        for s in data.get("supplier") or []
        if isinstance(s, dict) and (s.get("points") or s.get("supplier_points"))
    )
    have = sorted(supplier)
    if wanted != have:
        add(
            None,
            _(
                "{sale}: its loyalty breakdown lists {listed} supplier-funded points but its supplier points rows hold "
                "{rows}"
            ).format(sale=name, listed=sum(w[2] for w in wanted), rows=sum(h[2] for h in have)),
        )
    given = _kurus(data.get("cashback", "0"))
    if given != cashback:
        add(
            None,
            _(
                "{sale}: its loyalty breakdown gives {listed} of cashback but its wallet entries credit {credited}"
            ).format(sale=name, listed=data.get("cashback"), credited=_tl(cashback)),
        )


def _other_journal(add: Add) -> None:
    """Rule versions, points and wallet adjustments, gift cards and coupons against their entries."""
    rules: dict[int, tuple[int, dict[str, Any]]] = {}
    adjusted: dict[int, list[int]] = defaultdict(list)  # member → [journalled points]
    adjusted_entry: dict[int, int] = defaultdict(int)
    wallet: dict[int, tuple[int, dict[str, Any]]] = {}
    card_money: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)  # card → [(entry, kind, kuruş)]
    card_codes: dict[int, str] = {}
    deactivated: dict[int, int] = {}
    coupons: dict[int, tuple[int, dict[str, Any]]] = {}
    for eid, kind, _ref, p in _journal(LOYALTY_JOURNAL_KINDS):
        if kind == "loyalty_rules" and isinstance(p.get("id"), int):
            rules[p["id"]] = (eid, p)
        elif kind == "points_adjust" and isinstance(p.get("member_id"), int):
            adjusted[p["member_id"]].append(int(p.get("points") or 0))
            adjusted_entry[p["member_id"]] = eid
        elif kind == "wallet_adjust" and isinstance(p.get("entry_id"), int):
            wallet[p["entry_id"]] = (eid, p)
        elif kind in ("gift_card_issue", "gift_card_topup") and isinstance(p.get("card_id"), int):
            card_money[p["card_id"]].append((eid, kind.removeprefix("gift_card_"), _kurus(p.get("amount"))))
            card_codes[p["card_id"]] = str(p.get("code"))
        elif kind == "gift_card_deactivate" and isinstance(p.get("card_id"), int):
            deactivated[p["card_id"]] = eid
        elif kind == "coupon" and isinstance(p.get("id"), int):
            coupons[p["id"]] = (eid, p)
    _rules_journal(add, rules)
    _adjust_journal(add, adjusted, adjusted_entry, wallet)
    _gift_card_journal(add, card_money, card_codes, deactivated)
    _coupon_journal(add, coupons)


def _rules_journal(add: Add, rules: dict[int, tuple[int, dict[str, Any]]]) -> None:
    R = m.LoyaltyRules
    for rid, data, digest, pulled in store.rows(R.select(R.id, R.data, R.digest, R.revision).order_by(R.id)):
        actual = hashlib.sha256(data.encode("utf-8")).hexdigest()
        entry = rules.pop(rid, None)
        if actual != digest:
            add(
                entry[0] if entry else None,
                _("loyalty rules version {id}: its digest is {digest} but its program hashes to {actual}").format(
                    id=rid, digest=digest, actual=actual
                ),
            )
        if entry is None:
            if pulled is None:  # a version with a revision was applied at the centre and came down
                add(None, _("loyalty rules version {id} has no journal entry").format(id=rid))
        elif entry[1].get("digest") != digest:
            add(
                entry[0],
                _(
                    "entry {entry}: loyalty rules version {id} has digest {digest} but the journal says {journal}"
                ).format(entry=entry[0], id=rid, digest=digest, journal=entry[1].get("digest")),
            )
    for rid, (eid, _p) in sorted(rules.items()):
        add(
            eid,
            _("entry {entry}: loyalty rules version {id} is in the journal but missing from the tables").format(
                entry=eid, id=rid
            ),
        )


def _adjust_journal(
    add: Add,
    adjusted: dict[int, list[int]],
    adjusted_entry: dict[int, int],
    wallet: dict[int, tuple[int, dict[str, Any]]],
) -> None:
    E = m.PointsEntry
    table: dict[int, int] = {
        member: int(points)
        for member, points in store.rows(
            E.select(E.member, fn.SUM(E.points))
            .where((E.kind == "adjust") & E.id.not_in(_came("points_entry")))
            .group_by(E.member)
        )
    }
    for member in sorted(set(table) | set(adjusted)):
        a, b = table.get(member, 0), sum(adjusted.get(member, []))
        if a != b:
            add(
                adjusted_entry.get(member),
                _(
                    "member {member}: the points adjustments in the ledger add up to {ledger} but the journalled "
                    "points_adjust entries to {journal}"
                ).format(member=member, ledger=a, journal=b),
            )
    W = m.WalletEntry
    adjustments = W.select(W.id, W.member, W.amount).where((W.kind == "adjust") & W.id.not_in(_came("wallet_entry")))
    for wid, member, amount in store.rows(adjustments.order_by(W.id)):
        entry = wallet.pop(wid, None)
        if entry is None:
            add(
                None,
                _("wallet entry {id}: an adjustment of {amount} for member {member} has no journal entry").format(
                    id=wid, amount=_tl(amount), member=member
                ),
            )
            continue
        eid, p = entry
        if _kurus(p.get("amount")) != amount or p.get("member_id") != member:
            add(
                eid,
                _(
                    "entry {entry}: wallet adjustment {id} is {amount} for member {member} in the tables but "
                    "{journal_amount} for member {journal_member} in the journal"
                ).format(
                    entry=eid,
                    id=wid,
                    amount=_tl(amount),
                    member=member,
                    journal_amount=p.get("amount"),
                    journal_member=p.get("member_id"),
                ),
            )
    for wid, (eid, _p) in sorted(wallet.items()):
        add(
            eid,
            _("entry {entry}: wallet adjustment {id} is in the journal but missing from the tables").format(
                entry=eid, id=wid
            ),
        )


def _gift_card_journal(
    add: Add,
    card_money: dict[int, list[tuple[int, str, int | None]]],
    card_codes: dict[int, str],
    deactivated: dict[int, int],
) -> None:
    G, GE = m.GiftCard, m.GiftCardEntry
    table: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for card_id, kind, amount in store.rows(
        GE.select(GE.card, GE.kind, GE.amount)
        .where(GE.kind.in_(("issue", "topup")) & GE.id.not_in(_came("gift_card_entry")))
        .order_by(GE.id)
    ):
        table[card_id].append((kind, int(amount)))
    # a card with a revision came down from the centre: issued (or deactivated) elsewhere
    for card_id, code, active, pulled in store.rows(G.select(G.id, G.code, G.active, G.revision).order_by(G.id)):
        journal = card_money.pop(card_id, [])
        first = journal[0][0] if journal else None
        if not journal and pulled is not None:
            deactivated.pop(card_id, None)
            continue
        if not journal:
            add(None, _("gift card {code} has no gift_card_issue journal entry").format(code=code))
        else:
            if card_codes.get(card_id) != code:
                add(
                    first,
                    _("entry {entry}: gift card {id} has code {code} but the journal says {journal}").format(
                        entry=first, id=card_id, code=code, journal=card_codes.get(card_id)
                    ),
                )
            money = [(kind, amount) for _e, kind, amount in journal]
            if money != table.get(card_id, []):
                tables_total = sum(a for _k, a in table.get(card_id, []))
                journal_total = sum(a or 0 for _k, a in money)
                add(
                    journal[-1][0],
                    _(
                        "gift card {code}: its issue and top-up entries add up to {tables} but its journal entries "
                        "to {journal}"
                    ).format(code=code, tables=_tl(tables_total), journal=_tl(journal_total)),
                )
        entry = deactivated.pop(card_id, None)
        if not active and entry is None and pulled is None:
            add(None, _("gift card {code} is deactivated but no gift_card_deactivate entry says so").format(code=code))
        elif active and entry is not None:
            add(
                entry,
                _("entry {entry}: gift card {code} was deactivated but is active in the tables").format(
                    entry=entry, code=code
                ),
            )
    for card_id, journal in sorted(card_money.items()):
        add(
            journal[0][0],
            _("entry {entry}: gift card {id} is in the journal but missing from the tables").format(
                entry=journal[0][0], id=card_id
            ),
        )


def _coupon_journal(add: Add, coupons: dict[int, tuple[int, dict[str, Any]]]) -> None:
    C, P = m.Coupon, m.Product
    query = (
        C.select(
            C.id,
            C.code,
            C.kind,
            C.amount,
            C.percent_bp,
            C.min_spend,
            C.valid_from,
            C.valid_to,
            C.max_uses,
            C.member,
            P.code,
            C.source,
            C.max_discount,
            C.origin_sale,
            C.rule,
            C.revision,
        )
        .join(P, JOIN.LEFT_OUTER, on=(C.product == P.id))
        .order_by(C.id)
    )
    for *row, pulled in store.rows(query):
        cid, code, kind, amount, percent_bp, min_spend, valid_from, valid_to, max_uses, member, product, source = row[
            :12
        ]
        max_discount, origin_sale, rule = row[12:]
        entry = coupons.pop(cid, None)
        if entry is None:
            if pulled is None:  # a coupon with a revision came down from the centre
                add(None, _("coupon {code} has no journal entry").format(code=code))
            continue
        eid, p = entry
        tables = {
            "code": code,
            "kind": kind,
            "amount": None if amount is None else str(from_kurus(amount)),
            "percent_bp": percent_bp,
            "min_spend": str(from_kurus(min_spend)),
            "valid_from": None if valid_from is None else valid_from.isoformat(),
            "valid_to": None if valid_to is None else valid_to.isoformat(),
            "max_uses": max_uses,
            "member_id": member,
            "product": product,
            "source": source,
            "max_discount": None if max_discount is None else str(from_kurus(max_discount)),
            "origin_sale": origin_sale,
            "rule": rule,
        }
        journal = {key: p.get(key) for key in tables}
        if tables != journal:
            add(
                eid,
                _("entry {entry}: coupon {code} in the tables differs from its journal entry: {diff}").format(
                    entry=eid, code=code, diff=_diff(tables, journal)
                ),
            )
    for cid, (eid, p) in sorted(coupons.items()):
        add(
            eid,
            _("entry {entry}: coupon {code} is in the journal but missing from the tables").format(
                entry=eid, code=p.get("code", cid)
            ),
        )


# --------------------------------------------------------------------------- 8. operations (issue 16)


def _journal_at(kind: str) -> Iterator[tuple[int, Any, dict[str, Any]]]:
    """``(entry id, at, payload)`` of the journal entries of ``kind``, in id order."""
    J = m.JournalEntry
    for eid, at, payload in store.rows(J.select(J.id, J.at, J.payload).where(J.kind == kind).order_by(J.id)):
        try:
            data = json.loads(payload)
        except ValueError:
            data = {}  # the chain check reports a payload that is not JSON
        yield eid, at, data if isinstance(data, dict) else {}


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in sorted(ids))


class _Moved:
    """Points entries of one operation (the same members, the same instant): the points they
    move (positive) and their ids."""

    __slots__ = ("ids", "points")

    def __init__(self) -> None:
        self.points = 0
        self.ids: list[int] = []

    def add(self, eid: int, points: int) -> None:
        self.points += points
        self.ids.append(eid)


def _check_transfers(add: Add) -> None:
    """Every transfer between members (its ``transfer_out`` entries of the giver and
    ``transfer_in`` entries of the receiver, written at one instant) against its
    ``points_transfer`` entry: the same giver, receiver and points, and no entry without the
    other."""
    E = m.PointsEntry
    out: dict[tuple[int | None, int | None, Any], _Moved] = defaultdict(_Moved)
    into: dict[tuple[int | None, int | None, Any], _Moved] = defaultdict(_Moved)
    query = (
        E.select(E.id, E.member, E.kind, E.points, E.reason, E.at)
        .where(E.kind.in_(("transfer_out", "transfer_in")) & E.id.not_in(_came("points_entry")))
        .order_by(E.id)
    )
    for eid, member, kind, points, reason, at in store.rows(query):
        other = _member_in(reason)
        if kind == "transfer_out":
            out[(member, other, at)].add(eid, -int(points))
        else:
            into[(other, member, at)].add(eid, int(points))
    journal: dict[tuple[int | None, int | None, Any], list[tuple[int, int]]] = defaultdict(list)
    for eid, at, p in _journal_at("points_transfer"):
        journal[(_int(p.get("giver")), _int(p.get("receiver")), at)].append((eid, _int(p.get("points")) or 0))
    empty = _Moved()
    for key in sorted(set(out) | set(into) | set(journal), key=lambda k: (str(k[2]), str(k[0]), str(k[1]))):
        giver, receiver = key[0], key[1]
        gave, got = out.get(key, empty), into.get(key, empty)
        entries = journal.get(key, [])
        who = {"giver": giver if giver is not None else "-", "receiver": receiver if receiver is not None else "-"}
        if not entries:
            add(
                None,
                _(
                    "points entries {ids}: a transfer of {points} points from member {giver} to member {receiver} "
                    "has no points_transfer journal entry"
                ).format(ids=_ids(gave.ids + got.ids), points=max(gave.points, got.points), **who),
            )
            continue
        first = entries[0][0]
        journalled = sum(points for _e, points in entries)
        if not gave.ids and not got.ids:
            add(
                first,
                _(
                    "entry {entry}: a transfer of {points} points from member {giver} to member {receiver} is in "
                    "the journal but missing from the points ledger"
                ).format(entry=first, points=journalled, **who),
            )
        elif gave.points != journalled or got.points != journalled:
            add(
                first,
                _(
                    "entry {entry}: a transfer of {points} points from member {giver} to member {receiver} is in "
                    "the journal, but the giver's transfer_out entries take {taken} points and the receiver's "
                    "transfer_in entries give {given} (points entries {ids})"
                ).format(
                    entry=first,
                    points=journalled,
                    taken=gave.points,
                    given=got.points,
                    ids=_ids(gave.ids + got.ids) or "-",
                    **who,
                ),
            )


def _check_donations(add: Add) -> None:
    """Every donation outside a sale (``donate`` entries of a member to one charity at one
    instant) against its ``points_donate`` entry: the same member, charity and points."""
    E = m.PointsEntry
    ledger: dict[tuple[int | None, str | None, Any], _Moved] = defaultdict(_Moved)
    query = (
        E.select(E.id, E.member, E.points, E.reason, E.at)
        .where((E.kind == "donate") & E.sale.is_null() & E.id.not_in(_came("points_entry")))
        .order_by(E.id)
    )
    for eid, member, points, reason, at in store.rows(query):
        ledger[(member, reason, at)].add(eid, -int(points))
    journal: dict[tuple[int | None, str | None, Any], list[tuple[int, int]]] = defaultdict(list)
    for eid, at, p in _journal_at("points_donate"):
        charity = p.get("charity")
        key = (_int(p.get("member")), charity if isinstance(charity, str) else None, at)
        journal[key].append((eid, _int(p.get("points")) or 0))
    empty = _Moved()
    for key in sorted(set(ledger) | set(journal), key=lambda k: (str(k[2]), str(k[0]), str(k[1]))):
        member, charity = key[0] if key[0] is not None else "-", key[1] or "-"
        gave, entries = ledger.get(key, empty), journal.get(key, [])
        if not entries:
            add(
                None,
                _(
                    "points entries {ids}: a donation of {points} points by member {member} to {charity} has no "
                    "points_donate journal entry"
                ).format(ids=_ids(gave.ids), points=gave.points, member=member, charity=charity),
            )
            continue
        first = entries[0][0]
        journalled = sum(points for _e, points in entries)
        if not gave.ids:
            add(
                first,
                _(
                    "entry {entry}: a donation of {points} points by member {member} to {charity} is in the journal "
                    "but missing from the points ledger"
                ).format(entry=first, points=journalled, member=member, charity=charity),
            )
        elif gave.points != journalled:
            add(
                first,
                _(
                    "entry {entry}: a donation of {points} points by member {member} to {charity} is in the journal, "
                    "but its donate entries take {taken} points (points entries {ids})"
                ).format(
                    entry=first,
                    points=journalled,
                    member=member,
                    charity=charity,
                    taken=gave.points,
                    ids=_ids(gave.ids),
                ),
            )


def _check_topups(add: Add) -> None:
    """Every ``topup`` wallet entry against its ``wallet_topup`` entry (member, amount) and,
    paid in cash into a drawer, against its ``store_credit`` cash movement (which the document
    check compares with its own journal entry); a ``store_credit`` movement belongs to a top-up."""
    W, C = m.WalletEntry, m.CashMovement
    journal: dict[int, tuple[int, dict[str, Any]]] = {}
    for eid, _at, p in _journal_at("wallet_topup"):
        wid = _int(p.get("entry_id"))
        if wid is not None:
            journal.setdefault(wid, (eid, p))
    movements: dict[int, tuple[str, int]] = {
        mid: (kind, int(amount))
        for mid, kind, amount in store.rows(
            C.select(C.id, C.kind, C.amount).where((C.kind == "store_credit") | C.id.in_(_topup_movements(journal)))
        )
    }
    claimed: set[int] = set()
    query = W.select(W.id, W.member, W.amount).where((W.kind == "topup") & W.id.not_in(_came("wallet_entry")))
    for wid, member, amount in store.rows(query.order_by(W.id)):
        entry = journal.pop(wid, None)
        if entry is None:
            add(
                None,
                _(
                    "wallet entry {id}: a store credit top-up of {amount} for member {member} has no journal entry"
                ).format(id=wid, amount=_tl(amount), member=member),
            )
            continue
        eid, p = entry
        if _kurus(p.get("amount")) != amount or p.get("member_id") != member:
            add(
                eid,
                _(
                    "entry {entry}: store credit top-up {id} is {amount} for member {member} in the tables but "
                    "{journal_amount} for member {journal_member} in the journal"
                ).format(
                    entry=eid,
                    id=wid,
                    amount=_tl(amount),
                    member=member,
                    journal_amount=p.get("amount"),
                    journal_member=p.get("member_id"),
                ),
            )
        movement, method = _int(p.get("movement_id")), p.get("method")
        if movement is None:
            continue
        claimed.add(movement)
        found = movements.get(movement)
        if method != "cash":
            add(
                eid,
                _(
                    "entry {entry}: store credit top-up {id} was paid by {method} but names cash movement {movement}"
                ).format(entry=eid, id=wid, method=method, movement=movement),
            )
        elif found is None:
            add(
                eid,
                _(
                    "entry {entry}: store credit top-up {id} was paid in cash, but its cash movement {movement} is "
                    "missing from the tables"
                ).format(entry=eid, id=wid, movement=movement),
            )
        elif found != ("store_credit", amount):
            add(
                eid,
                _(
                    "entry {entry}: store credit top-up {id} of {amount} was paid in cash, but its cash movement "
                    "{movement} is a {kind} of {movement_amount}"
                ).format(
                    entry=eid,
                    id=wid,
                    amount=_tl(amount),
                    movement=movement,
                    kind=found[0],
                    movement_amount=_tl(found[1]),
                ),
            )
    for wid, (eid, _p) in sorted(journal.items()):
        add(
            eid,
            _("entry {entry}: store credit top-up {id} is in the journal but missing from the tables").format(
                entry=eid, id=wid
            ),
        )
    came = {local for (local,) in store.rows(_came("cash_movement"))}
    for mid, (kind, amount) in sorted(movements.items()):
        if kind == "store_credit" and mid not in claimed and mid not in came:
            add(
                None,
                _("cash movement {id}: {amount} of cash for store credit belongs to no store credit top-up").format(
                    id=mid, amount=_tl(amount)
                ),
            )


def _topup_movements(journal: dict[int, tuple[int, dict[str, Any]]]) -> list[int]:
    return sorted({mid for _e, p in journal.values() if (mid := _int(p.get("movement_id"))) is not None})


def _shares_rows() -> bool:
    """Whether coupons (members, gift cards) may have been changed in another database: this one
    is a terminal that joined a centre (``sync_central`` in ``meta_entry``) or a centre with
    terminals (``sync_terminal``). Only then does a ``revision`` say a row came through the centre:
    on PostgreSQL a trigger numbers every row, shared or not (docs/sync.md)."""
    joined = m.MetaEntry.select().where(m.MetaEntry.key == "sync_central").exists()
    return bool(joined or m.SyncTerminal.select().exists())


def _check_withdrawn_coupons(add: Add) -> None:
    """Every ``coupon_withdraw`` entry withdrew an inactive, unused next-order coupon of the sale
    it names, by a return of that sale; a coupon is made inactive only that way."""
    C, U, S = m.Coupon, m.CouponUse, m.Sale
    withdrawn: dict[int, tuple[int, dict[str, Any]]] = {}
    for eid, _at, p in _journal_at("coupon_withdraw"):
        cid = _int(p.get("id"))
        if cid is None:
            continue
        if cid in withdrawn:
            add(
                eid,
                _("entry {entry}: coupon {code} is withdrawn a second time (first in entry {other})").format(
                    entry=eid, code=p.get("code", cid), other=withdrawn[cid][0]
                ),
            )
            continue
        withdrawn[cid] = (eid, p)
    uids = sorted({str(p.get("return")) for _e, p in withdrawn.values()})
    Orig = S.alias("original")
    returned: dict[str, str] = {}
    for start in range(0, len(uids), CHUNK):
        query = (
            S.select(S.uid, Orig.uid)
            .join(Orig, on=(S.return_of == Orig.id))
            .where((S.kind == "return") & S.uid.in_(uids[start : start + CHUNK]))
        )
        returned.update({str(uid): str(origin) for uid, origin in store.rows(query)})
    uses: dict[int, int] = {
        cid: int(n)
        for cid, n in store.rows(
            U.select(U.coupon, fn.COUNT(U.id)).join(C, on=(U.coupon == C.id)).where(~C.active).group_by(U.coupon)
        )
    }
    shared = _shares_rows()
    coupons = C.select(C.id, C.code, C.active, C.origin_sale, C.revision).where(~C.active | C.id.in_(sorted(withdrawn)))
    for cid, code, active, origin, revision in store.rows(coupons.order_by(C.id)):
        entry = withdrawn.pop(cid, None)
        elsewhere = shared and revision is not None  # withdrawn by a return at another terminal, maybe
        if entry is None:
            if not active and not elsewhere:
                if origin is None:
                    text = _("coupon {code} is inactive but no coupon_withdraw entry withdrew it").format(code=code)
                else:
                    text = _(
                        "next-order coupon {code} of sale {sale} is inactive but no coupon_withdraw entry withdrew it"
                    ).format(code=code, sale=origin)
                add(None, text)
            continue
        eid, p = entry
        if active and not elsewhere:
            add(
                eid,
                _("entry {entry}: coupon {code} was withdrawn but is active in the tables").format(
                    entry=eid, code=code
                ),
            )
        if origin is None:
            add(
                eid,
                _(
                    "entry {entry}: coupon {code} was withdrawn by a return, but no sale issued it (it has no "
                    "origin_sale)"
                ).format(entry=eid, code=code),
            )
        elif p.get("code") != code or p.get("origin_sale") != origin:
            add(
                eid,
                _(
                    "entry {entry}: coupon {code} of sale {sale} was withdrawn, but the journal says coupon "
                    "{journal_code} of sale {journal_sale}"
                ).format(
                    entry=eid, code=code, sale=origin, journal_code=p.get("code"), journal_sale=p.get("origin_sale")
                ),
            )
        elif returned.get(str(p.get("return"))) != origin:
            add(
                eid,
                _(
                    "entry {entry}: coupon {code} was withdrawn by {document}, which is not a return of sale {sale}"
                ).format(entry=eid, code=code, document=p.get("return"), sale=origin),
            )
        if not active and uses.get(cid):
            add(
                eid,
                _("entry {entry}: coupon {code} was withdrawn but was used {n} times; a used coupon is kept").format(
                    entry=eid, code=code, n=uses[cid]
                ),
            )
    for _cid, (eid, p) in sorted(withdrawn.items()):
        add(
            eid,
            _("entry {entry}: withdrawn coupon {code} is missing from the tables").format(
                entry=eid, code=p.get("code", _cid)
            ),
        )


def _check_receipt_tiers(add: Add, sales: _Sales) -> None:
    """Every tier change with reason ``receipt`` names its sale, which lists the same upgrade in
    its loyalty record (``tier_upgrade``, itself compared with the ``loyalty`` entry), and
    matches its ``tier_change`` entry; and every upgrade a loyalty record lists has its row."""
    T, SL = m.TierChange, m.SaleLoyalty
    journal: dict[int, tuple[int, dict[str, Any]]] = {}
    for eid, _at, p in _journal_at("tier_change"):
        sale_id = _int(p.get("sale_id"))
        if p.get("reason") == "receipt" and sale_id is not None:
            journal.setdefault(sale_id, (eid, p))
    upgrades: dict[int, tuple[int, Any]] = {}
    query = SL.select(SL.sale, SL.member, SL.data).where(SL.data.contains('"tier_upgrade"'))
    for sale_id, member, data in store.rows(query):
        try:
            upgrade = json.loads(data).get("tier_upgrade")
        except (ValueError, AttributeError):
            continue  # the per-sale check reports a breakdown that is not JSON
        upgrades[sale_id] = (member, upgrade)
    changes = (
        T.select(T.id, T.member, T.from_code, T.to_code, T.sale)
        .where((T.reason == "receipt") & T.id.not_in(_came("tier_change")))
        .order_by(T.id)
    )
    for tid, member, before, after, sale_id in store.rows(changes):
        move = {"id": tid, "member": member, "from": before or "-", "to": after or "-"}
        if sale_id is None:
            add(
                None,
                _(
                    "tier change {id}: member {member} moved from {from} to {to} on a receipt, but it names no sale"
                ).format(**move),
            )
            continue
        listed = upgrades.pop(sale_id, None)
        if listed is None:
            add(
                None,
                _(
                    "tier change {id}: member {member} moved from {from} to {to} on {sale}, but its loyalty record "
                    "lists no tier upgrade"
                ).format(sale=sales.name(sale_id), **move),
            )
        elif listed != (member, {"from": before, "to": after}):
            other, upgrade = listed
            upgrade = upgrade if isinstance(upgrade, dict) else {}
            add(
                None,
                _(
                    "tier change {id}: member {member} moved from {from} to {to} on {sale}, but its loyalty record "
                    "says member {other} moved from {listed_from} to {listed_to}"
                ).format(
                    sale=sales.name(sale_id),
                    other=other,
                    listed_from=upgrade.get("from") or "-",
                    listed_to=upgrade.get("to") or "-",
                    **move,
                ),
            )
        entry = journal.pop(sale_id, None)
        if entry is None:
            add(
                None,
                _(
                    "tier change {id} (member {member} from {from} to {to} on {sale}) has no tier_change journal entry"
                ).format(sale=sales.name(sale_id), **move),
            )
            continue
        eid, p = entry
        if (p.get("member_id"), p.get("from"), p.get("to")) != (member, before, after):
            add(
                eid,
                _(
                    "entry {entry}: tier change {id} moved member {member} from {from} to {to} but the journal says "
                    "member {journal_member} from {journal_from} to {journal_to}"
                ).format(
                    entry=eid,
                    journal_member=p.get("member_id"),
                    journal_from=p.get("from") or "-",
                    journal_to=p.get("to") or "-",
                    **move,
                ),
            )
    for sale_id, (member, upgrade) in sorted(upgrades.items()):
        upgrade = upgrade if isinstance(upgrade, dict) else {}
        add(
            None,
            _(
                "{sale}: its loyalty record lists a tier upgrade of member {member} from {from} to {to} but no tier "
                "change names the sale"
            ).format(
                sale=sales.name(sale_id),
                member=member,
                **{"from": upgrade.get("from") or "-", "to": upgrade.get("to") or "-"},
            ),
        )
    for sale_id, (eid, p) in sorted(journal.items()):
        add(
            eid,
            _(
                "entry {entry}: a tier change of member {member} to {to} on sale {sale} is in the journal but missing "
                "from the tables"
            ).format(entry=eid, member=p.get("member_id"), to=p.get("to") or "-", sale=sale_id),
        )


def _check_refund_cards(add: Add, sales: _Sales) -> None:
    """What a return refunded onto new gift cards (``gift_card_new`` payments) equals the
    ``issue`` entries of the cards it issued (they point at the return)."""
    P, S, GE = m.Payment, m.Sale, m.GiftCardEntry
    paid = {
        sale_id: int(amount)
        for sale_id, amount in store.rows(
            P.select(P.sale, fn.SUM(P.amount))
            .join(S, on=(P.sale == S.id))
            .where((P.method == "gift_card_new") & (S.kind == "return"))
            .group_by(P.sale)
        )
    }
    issued = {
        sale_id: int(amount)
        for sale_id, amount in store.rows(
            GE.select(GE.sale, fn.SUM(GE.amount))
            .join(S, on=(GE.sale == S.id))
            .where((GE.kind == "issue") & (S.kind == "return") & GE.id.not_in(_came("gift_card_entry")))
            .group_by(GE.sale)
        )
    }
    _compare_tender(
        add,
        sales,
        paid,
        issued,
        _("{sale}: it refunded {paid} onto new gift cards but the cards it issued were loaded with {entries}"),
    )


def _check_operations(add: Add, sales: _Sales) -> None:
    """Issue 16's operations against their journal entries."""
    _check_transfers(add)
    _check_donations(add)
    _check_topups(add)
    _check_withdrawn_coupons(add)
    _check_receipt_tiers(add, sales)
    _check_refund_cards(add, sales)


# --------------------------------------------------------------------------- entry point


def check_loyalty(add: Add, *, tz: str = SHOP_TZ) -> None:
    """Run every loyalty check; ``add(entry_id, text)`` receives each problem (``entry_id`` is
    the journal entry the problem concerns, or None when it is between tables)."""
    sales = _Sales()
    _check_ledger(add, tz)
    _check_points_per_sale(add, sales)
    _check_stamps_and_supplier_points(add, sales)
    _check_wallet(add, sales)
    _check_gift_cards(add, sales)
    _check_coupons(add, sales)
    _sale_loyalty_journal(add, sales)
    _other_journal(add)
    _check_operations(add, sales)


__all__ = ["check_loyalty"]
