"""Store credit / cashback: a member's wallet of money, kept as insert-only signed entries.

Model (docs/wallets.md has the long version):

- Every change is one ``wallet_entry`` row in kuruş: ``cashback`` (+, what a purchase gave
  back), ``refund`` (+, store credit given back by a return of goods it paid for, or a return
  the member took as store credit instead of cash or card), ``topup`` (+, store credit the
  member bought with cash or card, journalled), ``import`` (+, an opening balance brought from
  another system), ``spend`` (−, store credit paying a receipt), ``clawback`` (−, the cashback
  of returned goods taken back) and ``adjust`` (±, a manager's correction with a reason,
  journalled). The balance is the sum; there is no balance column that could drift from the
  entries.
- Entries that concern a receipt carry the **original** sale: a ``spend`` and the ``refund``
  entries that give it back point at the sale store credit paid for; ``cashback`` and its
  ``clawback`` entries at the sale that earned it. So "spent and not yet refunded" and
  "credited and not yet clawed back" are sums per sale (the points ledger does the same). The
  part of a store-credit refund beyond what store credit paid on the receipt (the shop's
  ``[store_credit] refunds``) points at the **return** document that gave it.
- **Cashback is held like points.** Cashback a purchase earned is *pending* for the
  program's hold (``hold_days``, 15 by default: the 14-day return window plus one) and only
  then *available*. Without it the brief's fraud (buy a TV, spend its reward on an oven,
  return the TV) works with cashback as it would with points. Refunds, top-ups, imports and
  adjustments are available at once: they are money the member already had (or just paid).
- **Never overdrawn by spending; may go negative by a return.** ``spend`` needs the amount
  available. A return is never blocked, so a ``clawback`` of cashback the member already
  spent makes the balance negative, and store credit cannot be spent until it is positive
  again — the same rule as points. A manager's negative adjustment may also go below zero.

Concurrency: every write runs in one ``write_tx``; the member row is locked first
(``FOR UPDATE`` on PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already serialises writers), so
two terminals spending from one wallet queue up and the second sees the first's entry.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from peewee import JOIN, fn

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, shop_day, to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, money, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.loyalty.giftcards import drawer_shift
from pos_tui.core.loyalty.ledger import DEFAULT_HOLD_DAYS
from pos_tui.core.loyalty.members.consent import member_standing
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

CreditKind = Literal["cashback", "refund", "import"]
DebitKind = Literal["spend", "clawback"]
TopUpMethod = Literal["cash", "card"]
CREDIT_KINDS: tuple[str, ...] = ("cashback", "refund", "import")
TOPUP_METHODS: tuple[str, ...] = ("cash", "card")
CASH_MOVEMENT_KIND = "store_credit"  # cash_movement.kind (and journal kind) of cash received for store credit
TOPUP_JOURNAL = "wallet_topup"
IMPORT_REF_PREFIX = "import:"  # the journal reference of a top-up posted by ``import sales``: this + the line's id
TOPUP_REF_PREFIX = "topup:"  # the journal reference of any other top-up: this + its wallet entry id
IMPORT_ID_MAX = 64 - len(IMPORT_REF_PREFIX)  # journal_entry.ref holds 64 characters
DEBIT_KINDS: tuple[str, ...] = ("spend", "clawback")


class InsufficientCredit(ValidationError):
    """A member's available store credit does not cover what was asked for."""


@dataclass(frozen=True, slots=True)
class WalletEntryInfo:
    """One wallet entry; ``amount`` is signed (negative takes money out)."""

    id: int
    member_id: int
    at: datetime
    amount: Decimal
    kind: str
    sale_id: int | None
    reason: str | None
    actor_id: int | None


@dataclass(frozen=True, slots=True)
class WalletBalance:
    """A wallet at the end of shop day ``as_of``. ``total`` is the sum of the entries;
    ``pending`` is cashback still in its hold; ``available = total − pending`` is what may be
    spent (negative while a clawback left the wallet in debt)."""

    member_id: int
    as_of: date
    total: Decimal
    available: Decimal
    pending: Decimal


@dataclass(frozen=True, slots=True)
class _Row:
    id: int
    at: datetime  # naive UTC, as stored
    amount: int
    kind: str
    sale_id: int | None


def _amount(value: Decimal | int | str, what: str) -> Decimal:
    """A positive two-place amount (refuses more than two decimals, zero and below)."""
    amount = money(value)
    if amount <= 0:
        raise ValidationError(
            _("{what} must be more than zero, not {amount}").format(what=what, amount=format_money(amount))
        )
    return amount


def _lock_member(member_id: int) -> None:
    """Lock the member row (PostgreSQL ``FOR UPDATE``) and check that the member exists."""
    if fast.select_first(m.Member, ("id",), {"id": member_id}, for_update=True) is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))


def wallet_refusal(
    member_id: int, *, why: Literal["refund", "topup"] = "refund", for_update: bool = False
) -> str | None:
    """Why no money may be put on the member's wallet (None when it may): an anonymized member
    can never be found at a till again to spend it, and one who withdrew their membership
    consent has left the programme (:func:`~pos_tui.core.loyalty.members.consent.member_standing`,
    the same question points transfers and donations ask). ``why`` words the message for a
    return refunded into store credit (offering cash or card instead) or a top-up.
    ``for_update`` locks the member's row. Raises ``NotFound`` for an unknown id."""
    standing = member_standing(member_id, for_update=for_update)
    if standing == "active":
        return None
    if why == "topup":
        if standing == "anonymized":
            text = _("Member #{id} was anonymized: store credit sold to them could never be spent")
        else:
            text = _(
                "Member #{id} left the programme (membership consent withdrawn): no store credit can be sold to them"
            )
    elif standing == "anonymized":
        text = _(
            "Member #{id} was anonymized: store credit put on their wallet could never be spent; refund in cash or "
            "by card instead"
        )
    else:
        text = _(
            "Member #{id} left the programme (membership consent withdrawn): no store credit can go onto their "
            "wallet; refund in cash or by card instead"
        )
    return text.format(id=member_id)


def _lock_open_wallet(member_id: int, why: Literal["refund", "topup"]) -> None:
    """Lock the member row and refuse a wallet no money may go onto (:func:`wallet_refusal`)."""
    refusal = wallet_refusal(member_id, why=why, for_update=True)
    if refusal is not None:
        raise ValidationError(refusal)


def _end_of(day: date, tz: str) -> datetime:
    """Naive UTC of the end of shop day ``day`` (entries before it count for that day)."""
    return to_db(day_bounds(day, tz)[1])


def _check_member(member_id: int) -> None:
    if fast.select_first(m.Member, ("id",), {"id": member_id}) is None:
        raise NotFound(_("No member with id {id}").format(id=member_id))


def _rows(member_id: int, before: datetime | None = None) -> list[_Row]:
    """The member's entries, oldest first. ``sale_id`` is the *original* sale: an entry that
    points at a return document (a clawback written with the return's id) is read as
    pointing at the sale it returns, so both conventions net out per sale."""
    w, s = m.WalletEntry, m.Sale
    query = (
        w.select(w.id, w.at, w.amount, w.kind, fn.COALESCE(s.return_of, w.sale))
        .join(s, JOIN.LEFT_OUTER, on=(w.sale == s.id))
        .where(w.member == member_id)
    )
    if before is not None:
        query = query.where(w.at < before)
    return [_Row(*row) for row in query.order_by(w.id).tuples().iterator()]


def _fold(member_id: int, rows: list[_Row], as_of: date, hold_days: int, tz: str) -> WalletBalance:
    """Sum ``rows`` and work out which cashback is still pending on ``as_of``.

    The cashback of a sale is pending while ``shop day of its entry + hold_days > as_of``;
    what its clawbacks took back is no longer pending (it is gone)."""
    total = sum(r.amount for r in rows)
    held: dict[int | None, int] = defaultdict(int)
    clawed: dict[int | None, int] = defaultdict(int)
    for r in rows:
        if r.kind == "cashback" and shop_day(from_db(r.at), tz) + timedelta(days=hold_days) > as_of:
            held[r.sale_id] += r.amount
        elif r.kind == "clawback":
            clawed[r.sale_id] -= r.amount
    pending = sum(max(amount - clawed.get(sale, 0), 0) for sale, amount in held.items())
    return WalletBalance(member_id, as_of, from_kurus(total), from_kurus(total - pending), from_kurus(pending))


def _insert(
    member_id: int,
    kind: str,
    kurus: int,
    now: datetime,
    *,
    sale_id: int | None = None,
    reason: str | None = None,
    actor_id: int | None = None,
) -> WalletEntryInfo:
    refuse_pan(reason)
    at = to_db(now)
    entry_id = fast.insert_one(
        m.WalletEntry,
        {
            "member": member_id,
            "at": at,
            "amount": kurus,
            "kind": kind,
            "sale": sale_id,
            "reason": reason,
            "actor": actor_id,
        },
    )
    return WalletEntryInfo(entry_id, member_id, from_db(at), from_kurus(kurus), kind, sale_id, reason, actor_id)


def _per_sale(member_id: int, sale_id: int, kind: str) -> int:
    """Kuruş of the member's entries of ``kind`` for sale ``sale_id`` (signed sum), counting
    entries that point at a return of it as well (see :func:`_rows`)."""
    w = m.WalletEntry
    returns = m.Sale.select(m.Sale.id).where(m.Sale.return_of == sale_id)
    query = w.select(fn.COALESCE(fn.SUM(w.amount), 0)).where(
        (w.member == member_id) & (w.kind == kind) & ((w.sale == sale_id) | w.sale.in_(returns))
    )
    return int(query.scalar() or 0)


# --------------------------------------------------------------------------- reading


def wallet_balance(member_id: int, *, as_of: date | None = None, tz: str = SHOP_TZ) -> Decimal:
    """The member's store credit: the sum of every entry (through shop day ``as_of`` when
    given), pending cashback included. See :func:`wallet_status` for what may be spent."""
    _check_member(member_id)
    before = None if as_of is None else _end_of(as_of, tz)
    return from_kurus(sum(r.amount for r in _rows(member_id, before)))


def wallet_status(
    member_id: int, *, as_of: date, hold_days: int = DEFAULT_HOLD_DAYS, tz: str = SHOP_TZ
) -> WalletBalance:
    """Total, pending and available store credit at the end of shop day ``as_of``; entries
    written after that day are ignored, so a past date shows what the wallet was then."""
    _check_member(member_id)
    return _fold(member_id, _rows(member_id, _end_of(as_of, tz)), as_of, hold_days, tz)


def wallet_entries(member_id: int, *, limit: int | None = None) -> list[WalletEntryInfo]:
    """The member's entries, newest first (``limit`` of them when given)."""
    _check_member(member_id)
    w = m.WalletEntry
    query = (
        w.select(w.id, w.member, w.at, w.amount, w.kind, w.sale, w.reason, w.actor)
        .where(w.member == member_id)
        .order_by(w.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        WalletEntryInfo(eid, mid, from_db(at), from_kurus(amount), kind, sale, reason, actor)
        for eid, mid, at, amount, kind, sale, reason, actor in store.rows(query)
    ]


def spent_on_sale(member_id: int, sale_id: int) -> Decimal:
    """Store credit that paid ``sale_id`` and has not been refunded yet (never below zero: a
    return may put more on the wallet than store credit paid, see :func:`refund_return`)."""
    return from_kurus(max(-_per_sale(member_id, sale_id, "spend") - _per_sale(member_id, sale_id, "refund"), 0))


def payer_of(sale_id: int) -> int | None:
    """The member whose store credit paid ``sale_id`` (None when none did)."""
    row = fast.select_first(m.WalletEntry, ("member",), {"sale": sale_id, "kind": "spend"})
    return None if row is None else int(row[0])


# --------------------------------------------------------------------------- writing


def credit(
    member_id: int,
    amount: Decimal,
    *,
    kind: CreditKind,
    now: datetime,
    sale_id: int | None = None,
    reason: str | None = None,
    actor: Actor | None = None,
) -> WalletEntryInfo:
    """Put ``amount`` on the wallet: ``cashback`` (give ``sale_id``: it is pending for the hold
    and a return claws it back), ``refund`` or ``import``. For a refund of store credit that
    paid a receipt use :func:`refund_sale`, which checks what may still be given back; a
    manager's correction is :func:`adjust`."""
    if kind not in CREDIT_KINDS:
        raise ValidationError(
            _("A wallet credit is one of {kinds}, not {kind!r}").format(kinds=", ".join(CREDIT_KINDS), kind=kind)
        )
    value = _amount(amount, _("The credited amount"))
    with write_tx():
        _lock_member(member_id)
        return _insert(
            member_id,
            kind,
            to_kurus(value),
            now,
            sale_id=sale_id,
            reason=reason,
            actor_id=None if actor is None else actor.user_id,
        )


def _spend_locked(
    member_id: int,
    value: Decimal,
    *,
    now: datetime,
    sale_id: int | None,
    reason: str | None,
    actor_id: int | None,
    hold_days: int,
    tz: str,
) -> WalletEntryInfo:
    day = shop_day(now, tz)
    state = _fold(member_id, _rows(member_id), day, hold_days, tz)
    if state.total < 0:
        raise InsufficientCredit(
            _("The member's store credit is negative ({total}); it cannot be spent until it is positive").format(
                total=format_money(state.total)
            )
        )
    if value > state.available:
        raise InsufficientCredit(
            _("Only {available} of store credit is available ({pending} pending); {amount} was asked for").format(
                available=format_money(state.available), pending=format_money(state.pending), amount=format_money(value)
            )
        )
    return _insert(member_id, "spend", -to_kurus(value), now, sale_id=sale_id, reason=reason, actor_id=actor_id)


def debit(
    member_id: int,
    amount: Decimal,
    *,
    kind: DebitKind,
    now: datetime,
    sale_id: int | None = None,
    reason: str | None = None,
    actor: Actor | None = None,
    hold_days: int = DEFAULT_HOLD_DAYS,
    tz: str = SHOP_TZ,
) -> WalletEntryInfo:
    """Take ``amount`` off the wallet. ``spend`` is guarded: the member row is locked and the
    amount must be available (pending cashback never counts; a negative balance blocks), so
    two terminals can never overdraw a wallet; raises :class:`InsufficientCredit`.
    ``clawback`` never refuses and may leave the balance negative (a return is never blocked);
    to claw back a sale's cashback use :func:`clawback_cashback`, which caps it."""
    if kind not in DEBIT_KINDS:
        raise ValidationError(
            _("A wallet debit is one of {kinds}, not {kind!r}").format(kinds=", ".join(DEBIT_KINDS), kind=kind)
        )
    value = _amount(amount, _("The debited amount"))
    actor_id = None if actor is None else actor.user_id
    with write_tx():
        _lock_member(member_id)
        if kind == "spend":
            return _spend_locked(
                member_id, value, now=now, sale_id=sale_id, reason=reason, actor_id=actor_id, hold_days=hold_days, tz=tz
            )
        return _insert(member_id, kind, -to_kurus(value), now, sale_id=sale_id, reason=reason, actor_id=actor_id)


def spend(
    member_id: int,
    amount: Decimal,
    *,
    now: datetime,
    sale_id: int | None = None,
    hold_days: int = DEFAULT_HOLD_DAYS,
    tz: str = SHOP_TZ,
) -> WalletEntryInfo:
    """Store credit paying ``sale_id`` (the ``store_credit`` tender): :func:`debit` ``spend``."""
    return debit(member_id, amount, kind="spend", now=now, sale_id=sale_id, hold_days=hold_days, tz=tz)


def refund_sale(member_id: int, sale_id: int, amount: Decimal, *, now: datetime) -> WalletEntryInfo:
    """Give back to the wallet ``amount`` of the store credit that paid ``sale_id`` (a return of
    goods bought with it): never more than the sale spent and is not yet refunded. The entry
    points at ``sale_id`` and is available at once."""
    value = _amount(amount, _("The refunded amount"))
    with write_tx():
        _lock_member(member_id)
        open_ = spent_on_sale(member_id, sale_id)
        if value > open_:
            raise ValidationError(
                _(
                    "Store credit paid {open} of that receipt that is not yet given back; {amount} cannot be refunded "
                    "to the wallet"
                ).format(open=format_money(open_), amount=format_money(value))
            )
        return _insert(member_id, "refund", to_kurus(value), now, sale_id=sale_id)


def refund_return(member_id: int, return_id: int, amount: Decimal, *, now: datetime) -> WalletEntryInfo:
    """Put ``amount`` of a return's refund on the member's wallet *instead of* paying it out
    (the ``store_credit`` refund method beyond what store credit paid on the receipt; the tender
    checks that the shop allows it and that the receipt has the member). The ``refund`` entry
    points at the return document ``return_id`` and is available at once."""
    value = _amount(amount, _("The refunded amount"))
    with write_tx():
        _lock_open_wallet(member_id, "refund")
        return _insert(member_id, "refund", to_kurus(value), now, sale_id=return_id)


@dataclass(frozen=True, slots=True)
class WalletTopUp:
    """A top-up written by :func:`top_up`: the entry, the wallet's total after it and the
    drawer's cash movement (None when paid by card or imported)."""

    entry: WalletEntryInfo
    total: Decimal
    movement_id: int | None


def _check_topup_method(method: str) -> str:
    if method not in TOPUP_METHODS:
        raise ValidationError(
            _(
                "Store credit is bought in cash or by card, not {method!r}; it is never paid with points, store "
                "credit or a gift card"
            ).format(method=method)
        )
    return method


def top_up(
    member_id: int,
    amount: Decimal,
    *,
    method: TopUpMethod | str,
    actor: Actor,
    terminal: str,
    now: datetime,
    shift_id: int | None = None,
    into_drawer: bool = True,
    import_id: str | None = None,
) -> WalletTopUp:
    """Sell ``amount`` of store credit to the member (permission ``sell``): a ``topup`` entry,
    available at once, journalled as ``wallet_topup``. As for a gift card, the money is a
    liability, not a sale of goods (no receipt, no KDV). Paid ``cash``, it goes into the drawer of
    ``terminal``'s open shift (``shift_id`` must be it when given): a ``store_credit`` cash
    movement journalled like a paid-in, so the X/Z expected cash include it; paid ``card``, only
    the journal records the method. ``into_drawer=False`` (the sales import: imported documents
    belong to no drawer) writes no cash movement.

    The journal entry's reference is :func:`import_ref` of ``import_id`` (the line's id, given
    by the sales import: a second import finds it there and skips the line) or
    ``topup:<entry id>`` otherwise. The two prefixes keep top-up references apart from each
    other and from sale uids, so no till top-up can make an import skip a line."""
    require(actor, "sell")
    value = _amount(amount, _("A top-up"))
    _check_topup_method(method)
    if import_id is not None and not 0 < len(import_id) <= IMPORT_ID_MAX:
        raise ValidationError(
            _("The id of an imported top-up is a text of 1 to {max} characters").format(max=IMPORT_ID_MAX)
        )
    with write_tx():
        _lock_open_wallet(member_id, "topup")
        entry = _insert(member_id, "topup", to_kurus(value), now, actor_id=actor.user_id)
        movement: int | None = None
        if method == "cash" and into_drawer:
            shift = drawer_shift(
                terminal,
                shift_id,
                refusal=_(
                    "Cash for store credit goes into a drawer: open a shift on terminal {terminal} or take the money "
                    "by card"
                ),
            )
            reason = _("Store credit topped up for member {id}").format(id=member_id)
            movement = fast.insert_one(
                m.CashMovement,
                {
                    "shift": shift,
                    "terminal": terminal,
                    "user": actor.user_id,
                    "at": to_db(now),
                    "kind": CASH_MOVEMENT_KIND,
                    "amount": to_kurus(value),
                    "reason": reason,
                },
            )
            journal.append(
                CASH_MOVEMENT_KIND,
                {
                    "movement_id": movement,
                    "shift_id": shift,
                    "user": actor.name,
                    "amount": f"{value:.2f}",
                    "reason": reason,
                },
                terminal=terminal,
                now=now,
                ref=str(movement),
            )
        total = from_kurus(sum(r.amount for r in _rows(member_id)))
        journal.append(
            TOPUP_JOURNAL,
            {
                "entry_id": entry.id,
                "member_id": member_id,
                "amount": f"{value:.2f}",
                "method": method,
                "movement_id": movement,
                "total": f"{total:.2f}",
                "user": actor.name,
            },
            terminal=terminal,
            now=now,
            ref=f"{TOPUP_REF_PREFIX}{entry.id}" if import_id is None else import_ref(import_id),
        )
        return WalletTopUp(entry, total, movement)


def import_ref(import_id: str) -> str:
    """The ``wallet_topup`` journal reference of the top-up that ``import sales`` posted for
    the line with id ``import_id`` (see :func:`top_up`)."""
    return f"{IMPORT_REF_PREFIX}{import_id}"


def clawback_cashback(
    member_id: int,
    sale_id: int,
    *,
    now: datetime,
    amount: Decimal | None = None,
    fraction: Decimal | None = None,
) -> WalletEntryInfo | None:
    """Take back the cashback ``sale_id`` credited: ``amount`` of it, or ``fraction`` (0–1] of
    it rounded half up to the kuruş (a partial return). Never more than the sale credited and
    is not yet clawed back; ``None`` when nothing is left to take. Never refuses for lack of
    money: the balance may go negative, and then store credit cannot be spent until it is
    positive again."""
    if (amount is None) == (fraction is None):
        raise ValidationError(_("Give either the amount or the fraction to claw back"))
    if fraction is not None and not Decimal(0) < fraction <= Decimal(1):
        raise ValidationError(_("The returned fraction must be more than 0 and at most 1"))
    asked = None if amount is None else to_kurus(_amount(amount, _("The clawed-back amount")))
    with write_tx():
        _lock_member(member_id)
        credited = _per_sale(member_id, sale_id, "cashback")
        clawed = -_per_sale(member_id, sale_id, "clawback")
        if fraction is not None:
            asked = int((Decimal(credited) * fraction).to_integral_value(rounding=ROUND_HALF_UP))
        assert asked is not None
        take = min(asked, credited - clawed)
        if take <= 0:
            return None
        return _insert(member_id, "clawback", -take, now, sale_id=sale_id)


def adjust(
    member_id: int,
    amount: Decimal,
    reason: str,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    override: Override | None = None,
) -> WalletEntryInfo:
    """A manager's correction of ±``amount`` (permission ``points_adjust``, or a supervisor's
    override), with a reason, journalled as ``wallet_adjust``. A negative correction may take
    the wallet below zero (it corrects a mistake; it is not spending)."""
    used = require(actor, "points_adjust", override)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is needed"))
    value = money(amount)
    if value == 0:
        raise ValidationError(_("An adjustment must not be zero"))
    with write_tx():
        _lock_member(member_id)
        entry = _insert(member_id, "adjust", to_kurus(value), now, reason=reason, actor_id=actor.user_id)
        payload: dict[str, object] = {
            "entry_id": entry.id,
            "member_id": member_id,
            "amount": f"{value:.2f}",
            "reason": reason,
            "user": actor.name,
        }
        if used is not None:
            payload["supervisor"] = used.supervisor.name
            payload["override_reason"] = used.reason
        journal.append("wallet_adjust", payload, terminal=terminal, now=now, ref=str(member_id))
        return entry


__all__ = [
    "CASH_MOVEMENT_KIND",
    "CREDIT_KINDS",
    "DEBIT_KINDS",
    "IMPORT_ID_MAX",
    "IMPORT_REF_PREFIX",
    "TOPUP_METHODS",
    "TOPUP_REF_PREFIX",
    "InsufficientCredit",
    "TopUpMethod",
    "WalletBalance",
    "WalletEntryInfo",
    "WalletTopUp",
    "adjust",
    "clawback_cashback",
    "credit",
    "debit",
    "import_ref",
    "payer_of",
    "refund_return",
    "refund_sale",
    "spend",
    "spent_on_sale",
    "top_up",
    "wallet_balance",
    "wallet_entries",
    "wallet_refusal",
    "wallet_status",
]
