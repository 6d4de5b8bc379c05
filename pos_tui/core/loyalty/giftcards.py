"""Gift cards: money held on a card, issued, topped up, spent at the till and refunded to it.

Model (docs/wallets.md has the long version):

- A ``gift_card`` row is the card (code, optional member, last usable day, active flag); its
  money is the sum of its insert-only ``gift_card_entry`` rows in kuruş: ``issue`` and
  ``topup`` (+, money the shop received), ``spend`` (−, the card paying a receipt) and
  ``refund`` (+, a return of goods the card paid for). ``spend`` and ``refund`` entries point
  at the **original** sale, so what a card paid on a receipt and has not got back is a sum.
- **Selling a card is not a sale of goods.** The money received is a liability (the shop owes
  goods for it), not turnover: no receipt, no KDV, nothing for the fiscal device. What the
  drawer receives is recorded where the drawer is counted: paid in cash, a ``cash_movement``
  of kind ``gift_card`` on the terminal's open shift (journalled as ``gift_card`` with the
  same payload as a paid-in, so ``audit verify`` checks it), and the shift's expected cash
  includes it. Paid by card, only the card journal entry records the method.
- **No cash out.** There is no operation that pays a card's balance out: a return of goods
  paid by gift card goes back to the same card, never to cash.
- Codes we generate are ``GC`` + 11 random digits + a Luhn check digit (``GC`` + 12 digits):
  the check digit catches a mistyped code, and twelve digits are fewer than the 13–19 of a
  bank card number, so a code is never mistaken for one (the card tender refuses those as
  references). A shop's pre-printed cards may carry their own codes (4–32 letters or digits;
  a string that looks like a bank card number is refused).

Concurrency: spending locks the card row (``FOR UPDATE`` on PostgreSQL; SQLite's write
transaction already serialises writers) before the balance is read, so two terminals can
never spend the same money twice.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from peewee import JOIN, fn
from stdnum import luhn

from pos_tui import store
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, shop_day, to_db
from pos_tui.core.kernel.errors import NotFound, StateError, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, money, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

GiftCardMethod = Literal["cash", "card"]
METHODS: tuple[str, ...] = ("cash", "card")
CASH_MOVEMENT_KIND = "gift_card"  # cash_movement.kind (and journal kind) of cash received for a card

_OUR_CODE = re.compile(r"GC(\d{12})")
_CUSTOM_CODE = re.compile(r"[A-Z0-9]{4,32}")
_SEPARATORS = re.compile(r"[\s-]+")


@dataclass(frozen=True, slots=True)
class GiftCardInfo:
    """A card and its balance (the sum of its entries) as of when it was read."""

    id: int
    code: str
    issued_at: datetime
    member_id: int | None
    expires_on: date | None
    active: bool
    balance: Decimal


@dataclass(frozen=True, slots=True)
class GiftCardEntryInfo:
    """One movement of money on a card; ``amount`` is signed."""

    id: int
    code: str
    at: datetime
    amount: Decimal
    kind: str
    sale_id: int | None
    actor_id: int | None


# --------------------------------------------------------------------------- codes


def normalize_code(code: str) -> str:
    """What the cashier typed or scanned, without spaces or dashes, in capitals."""
    return _SEPARATORS.sub("", code or "").upper()


def mask_code(code: str) -> str:
    """A code as it may be printed on a receipt (``GC********9012``): whoever holds the full
    code can spend the card, so receipts and the journal of the sale never show it."""
    if len(code) <= 6:
        return "*" * len(code)
    return code[:2] + "*" * (len(code) - 6) + code[-4:]


def generate_code() -> str:
    """A fresh ``GC`` + 11 random digits + Luhn check digit (uniqueness is checked on insert)."""
    body = f"{secrets.randbelow(10**11):011d}"
    return f"GC{body}{luhn.calc_check_digit(body)}"


def check_code(code: str) -> str:
    """Normalise and validate a code: ours must have the right check digit; a shop's own code
    has 4–32 letters or digits and must not look like a bank card number."""
    text = normalize_code(code)
    ours = _OUR_CODE.fullmatch(text)
    if ours is not None:
        if not luhn.is_valid(ours.group(1)):
            raise ValidationError(
                _("Gift card code {code} has a wrong check digit; check it for a typing mistake").format(code=text)
            )
        return text
    if not _CUSTOM_CODE.fullmatch(text):
        raise ValidationError(
            _("A gift card code has 4 to 32 letters or digits, not {code!r}").format(code=code.strip())
        )
    if text.isdigit() and 13 <= len(text) <= 19 and luhn.is_valid(text):
        raise ValidationError(_("That looks like a bank card number; a gift card code must not be one"))
    return text


# --------------------------------------------------------------------------- reading


def _end_of(day: date, tz: str) -> datetime:
    return to_db(day_bounds(day, tz)[1])


def _card_row(code: str, *, for_update: bool = False) -> tuple[int, str, datetime, int | None, date | None, bool]:
    text = normalize_code(code)
    row = fast.select_first(
        m.GiftCard, ("id", "code", "issued_at", "member", "expires_on", "active"), {"code": text}, for_update=for_update
    )
    if row is None:
        raise NotFound(_("No gift card {code}").format(code=text))
    card_id, stored, issued_at, member_id, expires_on, active = row
    if isinstance(expires_on, str):  # SQLite hands dates back as text on the raw path
        expires_on = date.fromisoformat(expires_on)
    if isinstance(issued_at, str):
        issued_at = datetime.fromisoformat(issued_at)
    return int(card_id), str(stored), issued_at, member_id, expires_on, bool(active)


def _balance_kurus(card_id: int, before: datetime | None = None) -> int:
    e = m.GiftCardEntry
    query = e.select(fn.COALESCE(fn.SUM(e.amount), 0)).where(e.card == card_id)
    if before is not None:
        query = query.where(e.at < before)
    return int(query.scalar() or 0)


def _info(row: tuple[int, str, datetime, int | None, date | None, bool], balance: int) -> GiftCardInfo:
    card_id, code, issued_at, member_id, expires_on, active = row
    return GiftCardInfo(card_id, code, from_db(issued_at), member_id, expires_on, active, from_kurus(balance))


def get_card(code: str, *, as_of: date | None = None, tz: str = SHOP_TZ) -> GiftCardInfo:
    """The card with ``code`` and its balance (through shop day ``as_of`` when given)."""
    row = _card_row(code)
    return _info(row, _balance_kurus(row[0], None if as_of is None else _end_of(as_of, tz)))


def card_balance(code: str, *, as_of: date | None = None, tz: str = SHOP_TZ) -> Decimal:
    """The money on the card: the sum of its entries (through shop day ``as_of`` when given)."""
    return get_card(code, as_of=as_of, tz=tz).balance


def card_entries(code: str) -> list[GiftCardEntryInfo]:
    """The card's movements, oldest first."""
    row = _card_row(code)
    e = m.GiftCardEntry
    query = e.select(e.id, e.at, e.amount, e.kind, e.sale, e.actor).where(e.card == row[0]).order_by(e.id)
    return [
        GiftCardEntryInfo(eid, row[1], from_db(at), from_kurus(amount), kind, sale, actor)
        for eid, at, amount, kind, sale, actor in store.rows(query)
    ]


def list_cards(*, active_only: bool = False, member_id: int | None = None) -> list[GiftCardInfo]:
    """Every card (or the active ones, or a member's) with its balance, newest first."""
    g, e = m.GiftCard, m.GiftCardEntry
    query = (
        g.select(g.id, g.code, g.issued_at, g.member, g.expires_on, g.active, fn.COALESCE(fn.SUM(e.amount), 0))
        .join(e, JOIN.LEFT_OUTER, on=(e.card == g.id))
        .group_by(g.id, g.code, g.issued_at, g.member, g.expires_on, g.active)
        .order_by(g.id.desc())
    )
    if active_only:
        query = query.where(g.active == True)  # noqa: E712 (a SQL comparison)
    if member_id is not None:
        query = query.where(g.member == member_id)
    return [
        GiftCardInfo(cid, code, from_db(issued), member, expires, bool(active), from_kurus(int(total)))
        for cid, code, issued, member, expires, active, total in store.rows(query)
    ]


def check_spendable(code: str, amount: Decimal, *, day: date) -> GiftCardInfo:
    """Read-only: the card exists, is active, is not past its last day and holds ``amount``.
    Raises ValidationError with the reason otherwise (the tender's preview)."""
    try:
        row = _card_row(code)
    except NotFound as exc:
        raise ValidationError(exc.message) from None
    return _spendable(row, _balance_kurus(row[0]), amount, day)


def _spendable(
    row: tuple[int, str, datetime, int | None, date | None, bool], balance: int, amount: Decimal, day: date
) -> GiftCardInfo:
    _card_id, code, _issued, _member, expires_on, active = row
    shown = mask_code(code)
    if not active:
        raise ValidationError(_("Gift card {code} is deactivated").format(code=shown))
    if expires_on is not None and expires_on < day:
        raise ValidationError(_("Gift card {code} expired on {day}").format(code=shown, day=expires_on.isoformat()))
    if to_kurus(amount) > balance:
        raise ValidationError(
            _("Gift card {code} holds only {balance}; {amount} was asked for").format(
                code=shown, balance=format_money(from_kurus(balance)), amount=format_money(amount)
            )
        )
    return _info(row, balance)


def open_on_sale(sale_id: int) -> list[tuple[str, Decimal]]:
    """Per card that paid ``sale_id`` (in the order they paid): what it paid and has not got
    back yet. A return by the original method refunds these cards."""
    e = m.GiftCardEntry
    totals: dict[int, int] = {}
    first: dict[int, int] = {}
    codes: dict[int, str] = {}
    query = (
        e.select(e.id, e.card, e.kind, e.amount, m.GiftCard.code)
        .join(m.GiftCard, on=(e.card == m.GiftCard.id))
        .where((e.sale == sale_id) & (e.kind.in_(("spend", "refund"))))
        .order_by(e.id)
    )
    for eid, card_id, _kind, amount, code in store.rows(query):
        first.setdefault(card_id, eid)
        codes[card_id] = code
        totals[card_id] = totals.get(card_id, 0) - int(amount)
    return [(codes[c], from_kurus(totals[c])) for c in sorted(first, key=first.__getitem__) if totals[c] > 0]


# --------------------------------------------------------------------------- writing


def _positive(amount: Decimal | int | str, what: str) -> Decimal:
    value = money(amount)
    if value <= 0:
        raise ValidationError(
            _("{what} must be more than zero, not {amount}").format(what=what, amount=format_money(value))
        )
    return value


def _check_method(method: str) -> str:
    if method not in METHODS:
        raise ValidationError(
            _(
                "A gift card is paid for in cash or by card, not {method!r}; it is never paid with points, store "
                "credit or another gift card"
            ).format(method=method)
        )
    return method


def drawer_shift(terminal: str, shift_id: int | None, *, refusal: str | None = None) -> int:
    """The open shift of ``terminal`` whose drawer takes the cash (``shift_id`` must be it).
    ``refusal``: the message (with ``{terminal}``) when the terminal has no open shift."""
    s = m.Shift
    row = (
        s.select(s.id).where((s.terminal == terminal) & (s.closed_at.is_null())).order_by(s.id.desc()).tuples().first()
    )
    if row is None:
        text = refusal or _(
            "Cash for a gift card goes into a drawer: open a shift on terminal {terminal} or take the money by card"
        )
        raise StateError(text.format(terminal=terminal))
    if shift_id is not None and shift_id != row[0]:
        raise StateError(
            _("Shift {shift_id} is not the open shift of terminal {terminal}").format(
                shift_id=shift_id, terminal=terminal
            )
        )
    return int(row[0])


def _receive(
    code: str,
    kind: str,
    value: Decimal,
    method: str,
    *,
    actor: Actor,
    terminal: str,
    shift_id: int | None,
    now: datetime,
) -> int | None:
    """Record the money the shop received for a card: a ``gift_card`` cash movement on the open
    shift for cash (journalled like a paid-in, so the audit and the drawer count agree)."""
    if method != "cash":
        return None
    shift = drawer_shift(terminal, shift_id)
    reason = (_("Gift card {code} issued") if kind == "issue" else _("Gift card {code} topped up")).format(
        code=mask_code(code)
    )
    movement_id = fast.insert_one(
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
        {"movement_id": movement_id, "shift_id": shift, "user": actor.name, "amount": f"{value:.2f}", "reason": reason},
        terminal=terminal,
        now=now,
        ref=str(movement_id),
    )
    return movement_id


def _entry(card_id: int, kind: str, kurus: int, now: datetime, *, sale_id: int | None, actor_id: int | None) -> int:
    return fast.insert_one(
        m.GiftCardEntry,
        {"card": card_id, "at": to_db(now), "amount": kurus, "kind": kind, "sale": sale_id, "actor": actor_id},
    )


def _unused_code(wanted: str | None) -> str:
    """``wanted`` when no card has it yet, or a fresh generated code."""
    if wanted is not None:
        if fast.select_first(m.GiftCard, ("id",), {"code": wanted}) is not None:
            raise ValidationError(_("Gift card {code} already exists").format(code=wanted))
        return wanted
    text = generate_code()
    while fast.select_first(m.GiftCard, ("id",), {"code": text}) is not None:
        text = generate_code()
    return text


def fresh_code() -> str:
    """A generated code no card has yet (a refund onto a new card draws it before posting, so
    the return's payment row can carry it masked)."""
    return _unused_code(None)


def issue_refund_card(
    amount: Decimal,
    *,
    return_id: int,
    now: datetime,
    terminal: str,
    user_id: int,
    member_id: int | None = None,
    code: str | None = None,
) -> GiftCardInfo:
    """A new card holding ``amount`` of the refund of return ``return_id`` (the
    ``gift_card_new`` refund method; runs inside the return's transaction). Not a sale of a
    card: no money comes into the drawer, the refund *is* the money. Its ``issue`` entry points
    at the return; journalled as ``gift_card_issue`` with ``method: "refund"`` and the
    return's id. The card belongs to the receipt's member (when it has one) and never expires."""
    value = _positive(amount, _("A gift card's amount"))
    with write_tx():
        text = _unused_code(None if code is None else check_code(code))
        at = to_db(now)
        card_id = fast.insert_one(
            m.GiftCard, {"code": text, "issued_at": at, "member": member_id, "expires_on": None, "active": True}
        )
        _entry(card_id, "issue", to_kurus(value), now, sale_id=return_id, actor_id=user_id)
        user = fast.select_first(m.User, ("name",), {"id": user_id})
        uid = fast.select_first(m.Sale, ("uid",), {"id": return_id})
        journal.append(
            "gift_card_issue",
            {
                "card_id": card_id,
                "code": text,
                "amount": f"{value:.2f}",
                "method": "refund",
                "movement_id": None,
                "member_id": member_id,
                "expires_on": None,
                "return": None if uid is None else uid[0],
                "user": None if user is None else user[0],
            },
            terminal=terminal,
            now=now,
            ref=text,
        )
        return GiftCardInfo(card_id, text, from_db(at), member_id, None, True, value)


def cards_issued_on(return_id: int) -> list[GiftCardInfo]:
    """The cards a return issued for its refund (``gift_card_new``), with their balances now.
    The till shows their full codes once, right after posting."""
    e, g = m.GiftCardEntry, m.GiftCard
    codes = store.rows(
        e.select(g.code).join(g, on=(e.card == g.id)).where((e.sale == return_id) & (e.kind == "issue")).order_by(e.id)
    )
    cards = []
    for (code,) in codes:
        row = _card_row(str(code))
        cards.append(_info(row, _balance_kurus(row[0])))
    return cards


def issue_card(
    amount: Decimal,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    code: str | None = None,
    member_id: int | None = None,
    expires_on: date | None = None,
    method: GiftCardMethod = "cash",
    shift_id: int | None = None,
    tz: str = SHOP_TZ,
) -> GiftCardInfo:
    """Sell a new card holding ``amount`` (permission ``sell``), paid ``method`` ``cash`` (into
    the drawer of ``terminal``'s open shift) or ``card``. ``code`` is generated unless the shop
    uses pre-printed cards; ``expires_on`` is the last shop day it can be spent. Journalled as
    ``gift_card_issue`` (and ``gift_card`` for the cash)."""
    require(actor, "sell")
    value = _positive(amount, _("A gift card's amount"))
    _check_method(method)
    if expires_on is not None and expires_on < shop_day(now, tz):
        raise ValidationError(
            _("A gift card cannot expire before it is issued ({day})").format(day=expires_on.isoformat())
        )
    wanted = None if code is None else check_code(code)
    with write_tx():
        if member_id is not None and fast.select_first(m.Member, ("id",), {"id": member_id}) is None:
            raise NotFound(_("No member with id {id}").format(id=member_id))
        text = _unused_code(wanted)
        at = to_db(now)
        card_id = fast.insert_one(
            m.GiftCard,
            {"code": text, "issued_at": at, "member": member_id, "expires_on": expires_on, "active": True},
        )
        _entry(card_id, "issue", to_kurus(value), now, sale_id=None, actor_id=actor.user_id)
        movement = _receive(text, "issue", value, method, actor=actor, terminal=terminal, shift_id=shift_id, now=now)
        journal.append(
            "gift_card_issue",
            {
                "card_id": card_id,
                "code": text,
                "amount": f"{value:.2f}",
                "method": method,
                "movement_id": movement,
                "member_id": member_id,
                "expires_on": None if expires_on is None else expires_on.isoformat(),
                "user": actor.name,
            },
            terminal=terminal,
            now=now,
            ref=text,
        )
        return GiftCardInfo(card_id, text, from_db(at), member_id, expires_on, True, value)


def top_up(
    code: str,
    amount: Decimal,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    method: GiftCardMethod = "cash",
    shift_id: int | None = None,
    tz: str = SHOP_TZ,
) -> GiftCardInfo:
    """Add ``amount`` to an active, unexpired card (permission ``sell``); the money is received
    as for :func:`issue_card`. Journalled as ``gift_card_topup``."""
    require(actor, "sell")
    value = _positive(amount, _("A top-up"))
    _check_method(method)
    with write_tx():
        row = _card_row(code, for_update=True)
        card_id, text, _issued, _member, expires_on, active = row
        if not active:
            raise StateError(_("Gift card {code} is deactivated and cannot be topped up").format(code=text))
        if expires_on is not None and expires_on < shop_day(now, tz):
            raise StateError(
                _("Gift card {code} expired on {day} and cannot be topped up").format(
                    code=text, day=expires_on.isoformat()
                )
            )
        _entry(card_id, "topup", to_kurus(value), now, sale_id=None, actor_id=actor.user_id)
        movement = _receive(text, "topup", value, method, actor=actor, terminal=terminal, shift_id=shift_id, now=now)
        balance = _balance_kurus(card_id)
        journal.append(
            "gift_card_topup",
            {
                "card_id": card_id,
                "code": text,
                "amount": f"{value:.2f}",
                "method": method,
                "movement_id": movement,
                "balance": f"{from_kurus(balance):.2f}",
                "user": actor.name,
            },
            terminal=terminal,
            now=now,
            ref=text,
        )
        return _info(row, balance)


def deactivate(
    code: str,
    *,
    actor: Actor,
    now: datetime,
    terminal: str,
    reason: str,
    override: Override | None = None,
) -> GiftCardInfo:
    """Block a card (lost, stolen, replaced): permission ``points_adjust`` (or a supervisor's
    override) and a reason, journalled as ``gift_card_deactivate``. The money stays on the card
    (the shop still owes it) and returns of goods it paid for still go back to it; it can no
    longer pay or be topped up."""
    used = require(actor, "points_adjust", override)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("A reason is needed"))
    refuse_pan(reason)
    with write_tx():
        row = _card_row(code, for_update=True)
        card_id, text = row[0], row[1]
        if not row[5]:
            raise StateError(_("Gift card {code} is already deactivated").format(code=text))
        m.GiftCard.update(active=False).where(m.GiftCard.id == card_id).execute()
        balance = _balance_kurus(card_id)
        payload: dict[str, Any] = {
            "card_id": card_id,
            "code": text,
            "balance": f"{from_kurus(balance):.2f}",
            "reason": reason,
            "user": actor.name,
        }
        if used is not None:
            payload["supervisor"] = used.supervisor.name
            payload["override_reason"] = used.reason
        journal.append("gift_card_deactivate", payload, terminal=terminal, now=now, ref=text)
        return _info((*row[:5], False), balance)


def spend(code: str, amount: Decimal, *, now: datetime, sale_id: int | None, tz: str = SHOP_TZ) -> GiftCardEntryInfo:
    """The card paying ``amount`` of ``sale_id`` (the ``gift_card`` tender): the card row is
    locked and re-checked (active, not expired, enough money) inside the caller's transaction."""
    value = _positive(amount, _("A gift card payment"))
    with write_tx():
        row = _card_row(code, for_update=True)
        _spendable(row, _balance_kurus(row[0]), value, shop_day(now, tz))
        entry_id = _entry(row[0], "spend", -to_kurus(value), now, sale_id=sale_id, actor_id=None)
        return GiftCardEntryInfo(entry_id, row[1], now, -value, "spend", sale_id, None)


def refund_sale(sale_id: int, amount: Decimal, *, now: datetime, code: str | None = None) -> list[GiftCardEntryInfo]:
    """Give back ``amount`` to the card(s) that paid ``sale_id`` (a return of goods), each up to
    what it paid and has not got back, in the order they paid; only to ``code`` when given.
    Never to cash, and also to a deactivated or expired card (the return is not blocked; the
    money stays owed on the card)."""
    value = _positive(amount, _("A gift card refund"))
    wanted = None if code is None else normalize_code(code)
    with write_tx():
        cards = [(c, open_) for c, open_ in open_on_sale(sale_id) if wanted is None or c == wanted]
        for c, _open in cards:
            _card_row(c, for_update=True)
        cards = [(c, open_) for c, open_ in open_on_sale(sale_id) if wanted is None or c == wanted]
        available = sum((open_ for _c, open_ in cards), Decimal(0))
        if value > available:
            raise ValidationError(
                _(
                    "Gift cards paid {available} of that receipt that is not yet given back; {amount} cannot be "
                    "refunded to them"
                ).format(available=format_money(from_kurus(to_kurus(available))), amount=format_money(value))
            )
        left = value
        entries = []
        for c, open_ in cards:
            part = min(open_, left)
            if part <= 0:
                continue
            card_id = _card_row(c)[0]
            entry_id = _entry(card_id, "refund", to_kurus(part), now, sale_id=sale_id, actor_id=None)
            entries.append(GiftCardEntryInfo(entry_id, c, now, part, "refund", sale_id, None))
            left -= part
        return entries
