"""Collections (tahsilat) from customers and payments to suppliers.

:func:`collect` posts a ``collection`` entry (negative: the party paid), :func:`pay` a ``payment``
entry (positive: the shop paid the supplier, the shop owes less). Both take the party's row lock
and write the entry with its journal entry in one transaction; a supervisor's override is
journalled in the same transaction. At the till ``shift_id`` is the open shift: a cash collection
goes into that drawer, a cash payment to a supplier comes out of it (a paid-out); the shift's X
and Z show them by method (:mod:`pos_tui.core.cash.shifts`).

``applies_to`` names the entry *number* the money settles explicitly; without it, the open items
are matched oldest first (:mod:`pos_tui.core.accounts.items`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_tui.core.accounts import ledger
from pos_tui.core.accounts.parties import CUSTOMER, SUPPLIER, PartyInfo, get_party
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import SHOP_TZ, local
from pos_tui.core.kernel.errors import NotFound, StateError, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import ZERO, from_kurus, money, to_kurus
from pos_tui.core.kernel.printable import Printable, PrintLine, columns
from pos_tui.core.kernel.vocabulary import method_label
from pos_tui.core.staff.users import record_override
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

COLLECT_METHODS = ("cash", "card", "transfer")
PAY_METHODS = ("cash", "transfer", "cheque")


@dataclass(frozen=True, slots=True)
class CollectionInput:
    """Money a customer pays on their account. ``at``: the date of the collection (default now)."""

    account: str
    amount: Decimal
    method: str = "cash"
    at: datetime | None = None
    note: str | None = None
    applies_to: int | None = None  # the entry number it settles


@dataclass(frozen=True, slots=True)
class PaymentOutInput:
    """Money the shop pays a supplier on their account."""

    account: str
    amount: Decimal
    method: str = "transfer"
    at: datetime | None = None
    note: str | None = None
    applies_to: int | None = None


@dataclass(frozen=True, slots=True)
class CollectionResult:
    entry_number: int
    party_code: str
    party_name: str
    amount: Decimal
    method: str
    balance_after: Decimal
    at: datetime
    cashier: str = ""
    terminal: str = ""


@dataclass(frozen=True, slots=True)
class PaymentResult:
    entry_number: int
    party_code: str
    party_name: str
    amount: Decimal
    method: str
    balance_after: Decimal
    at: datetime
    cashier: str = ""
    terminal: str = ""


def method_name(method: str) -> str:
    """A collection's or payment's method in words (cash, card, bank transfer, cheque)."""
    names = {"cash": _("cash"), "card": _("card"), "transfer": _("bank transfer"), "cheque": _("cheque")}
    return names.get(method) or method_label(method)


def _amount(value: Decimal) -> Decimal:
    amount = money(value)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than zero, not {amount}").format(amount=format_money(amount)))
    if to_kurus(amount) >= ledger.MAX_AMOUNT_KURUS:
        raise ValidationError(_("That amount is too large"))
    return amount


def _check_shift(shift_id: int | None, terminal: str) -> None:
    if shift_id is None:
        return
    shift = fast.select_first(m.Shift, ("terminal", "closed_at"), {"id": shift_id})
    if shift is None or shift[0] != terminal:
        raise StateError(
            _("Shift {shift_id} is not a shift of terminal {terminal}").format(shift_id=shift_id, terminal=terminal)
        )
    if shift[1] is not None:
        raise StateError(_("Shift {shift_id} is closed; open a new shift").format(shift_id=shift_id))


def _applies_to(number: int | None, party: PartyInfo) -> int | None:
    if number is None:
        return None
    try:
        entry = ledger.entry_by_number(number)
    except NotFound:
        raise ValidationError(_("No account entry number {n} to settle").format(n=number)) from None
    if entry.party_id != party.id:
        raise ValidationError(
            _("Account entry {n} belongs to another account, not to {code}").format(n=number, code=party.code)
        )
    return entry.id


def _when(at: datetime | None, now: datetime) -> datetime:
    if at is None:
        return now
    if at.tzinfo is None:
        raise ValueError("at must be an aware datetime")
    if at > now:
        raise ValidationError(_("A collection or payment cannot be dated in the future"))
    return at


def _book(
    account: str,
    kind: str,
    amount: Decimal,
    *,
    method: str,
    at: datetime,
    note: str | None,
    applies_to: int | None,
    actor: Actor,
    used: Override | None,
    permission: str,
    terminal: str,
    now: datetime,
    shift_id: int | None,
    tz: str,
) -> tuple[PartyInfo, ledger.PostedEntry, int]:
    """Money between the shop and ``account`` in one transaction: the account is open and of the
    side the money goes to (a collection from a customer, a payment to a supplier), the shift is
    the terminal's and open; the entry is written under the party's lock (a ``collection``
    negative, a ``payment`` positive) and an override journalled. Returns the party, the entry and
    the balance after it (kuruş)."""
    with write_tx():
        party = get_party(account)
        if not party.active:
            raise ValidationError(_("Account {code} is closed").format(code=party.code))
        if kind == ledger.COLLECTION and party.kind == SUPPLIER:
            raise ValidationError(
                _("Account {code} is a supplier only: the shop pays it, it does not collect from it").format(
                    code=party.code
                )
            )
        if kind == ledger.PAYMENT and party.kind == CUSTOMER:
            raise ValidationError(
                _("Account {code} is a customer only: the shop collects from it, it does not pay it").format(
                    code=party.code
                )
            )
        _check_shift(shift_id, terminal)
        ledger.lock_party(party.id)
        (entry,) = ledger.post_entries(
            [
                ledger.EntryDraft(
                    party_id=party.id,
                    kind=kind,
                    amount=-to_kurus(amount) if kind == ledger.COLLECTION else to_kurus(amount),
                    at=at,
                    terminal=terminal,
                    user_id=actor.user_id,
                    method=method,
                    applies_to=_applies_to(applies_to, party),
                    shift_id=shift_id,
                    note=note,
                )
            ],
            now=now,
            tz=tz,
        )
        if used is not None:
            details = {"account": party.code, "entry": entry.number, "amount": str(amount)}
            if kind == ledger.PAYMENT:
                details["kind"] = "payment"
            record_override(actor, used, permission, terminal=terminal, now=now, details=details)
        return party, entry, ledger.balance_kurus(party.id)


def collect(
    data: CollectionInput,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    shift_id: int | None = None,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> CollectionResult:
    """Take ``data.amount`` from the customer ``data.account`` (permission ``collect``)."""
    used = require(actor, "collect", override)
    if data.method not in COLLECT_METHODS:
        raise ValidationError(
            _("A collection is taken in cash, by card or by bank transfer, not {method!r}").format(method=data.method)
        )
    amount = _amount(data.amount)
    at = _when(data.at, now)
    party, entry, after = _book(
        data.account,
        ledger.COLLECTION,
        amount,
        method=data.method,
        at=at,
        note=ledger.clean_note(data.note),
        applies_to=data.applies_to,
        actor=actor,
        used=used,
        permission="collect",
        terminal=terminal,
        now=now,
        shift_id=shift_id,
        tz=tz,
    )
    return CollectionResult(
        entry.number, party.code, party.name, amount, data.method, from_kurus(after), at, actor.name, terminal
    )


def pay(
    data: PaymentOutInput,
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    shift_id: int | None = None,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> PaymentResult:
    """Pay ``data.amount`` to the supplier ``data.account`` (permission ``accounts``). A cheque is
    issued through the cheques portfolio (``accounts.cheques``), not here."""
    used = require(actor, "accounts", override)
    if data.method not in PAY_METHODS:
        raise ValidationError(
            _("A supplier is paid in cash, by bank transfer or by cheque, not {method!r}").format(method=data.method)
        )
    if data.method == "cheque":
        raise ValidationError(
            _("A payment by cheque is written when the cheque is issued (the cheque portfolio), not as a payment")
        )
    amount = _amount(data.amount)
    at = _when(data.at, now)
    party, entry, after = _book(
        data.account,
        ledger.PAYMENT,
        amount,
        method=data.method,
        at=at,
        note=ledger.clean_note(data.note),
        applies_to=data.applies_to,
        actor=actor,
        used=used,
        permission="accounts",
        terminal=terminal,
        now=now,
        shift_id=shift_id,
        tz=tz,
    )
    return PaymentResult(
        entry.number, party.code, party.name, amount, data.method, from_kurus(after), at, actor.name, terminal
    )


def _balance_text(balance: Decimal, lang: str) -> str:
    """A customer's balance after a collection (zero: "0,00 TL", never a word that reads as "closed")."""
    if balance > 0:
        return _("{amount} TL owed").format(amount=format_money(balance, lang))
    if balance < 0:
        return _("{amount} TL in credit").format(amount=format_money(-balance, lang))
    return f"{format_money(ZERO, lang)} TL"


def _supplier_balance_text(balance: Decimal, lang: str) -> str:
    """A supplier's balance after a payment, from the shop's side (< 0: the shop still owes)."""
    if balance < 0:
        return _("{amount} TL we owe").format(amount=format_money(-balance, lang))
    if balance > 0:
        return _("{amount} TL owed to us").format(amount=format_money(balance, lang))
    return f"{format_money(ZERO, lang)} TL"


def _money_slip(
    result: CollectionResult | PaymentResult,
    settings: Settings,
    *,
    heading: str,
    title: str,
    balance: str,
    note: str | None,
    width: int,
) -> Printable:
    """The slip of money taken or paid on an account: the shop, ``heading``, the account, amount,
    method, the balance after it, the note, the date, the cashier and a line to sign."""
    if not 24 <= width <= 80:
        raise ValidationError(
            _("The paper width must be {low} to {high} characters, not {width}").format(low=24, high=80, width=width)
        )
    lang = settings.language
    shop = settings.shop
    lines: list[PrintLine] = [PrintLine((shop.legal_name or shop.name)[:width], align="center", bold=True)]
    for extra in (shop.address, *settings.receipt_header):
        if extra:
            lines.append(PrintLine(extra[:width], align="center"))
    lines.append(PrintLine("-" * width))
    lines.append(PrintLine(heading, align="center", bold=True))
    lines.append(PrintLine(columns(_("No"), str(result.entry_number), width)))
    lines.append(PrintLine(columns(_("Date"), local(result.at, shop.timezone).strftime("%d.%m.%Y %H:%M"), width)))
    lines.append(PrintLine(columns(_("Account"), result.party_code, width)))
    lines.append(PrintLine(result.party_name[:width]))
    lines.append(PrintLine("-" * width))
    lines.append(PrintLine(columns(_("Amount"), f"{format_money(result.amount, lang)} TL", width), bold=True))
    lines.append(PrintLine(columns(_("Method"), method_name(result.method), width)))
    lines.append(PrintLine(columns(_("Balance after"), balance, width)))
    if note and note.strip():
        lines.append(PrintLine(_("Note:")))
        text = " ".join(note.split())
        lines.extend(PrintLine(text[i : i + width]) for i in range(0, min(len(text), 4 * width), width))
    lines.append(PrintLine("-" * width))
    if result.cashier:
        lines.append(PrintLine(columns(_("Cashier"), result.cashier, width)))
    if result.terminal:
        lines.append(PrintLine(columns(_("Terminal"), result.terminal, width)))
    lines.append(PrintLine(""))
    lines.append(PrintLine(_("Signature"), align="right"))
    return Printable(title, tuple(lines))


def collection_slip(
    result: CollectionResult, settings: Settings, *, width: int = 42, note: str | None = None
) -> Printable:
    """The slip a collection prints on the receipt printer: the shop, "COLLECTION RECEIPT", the
    account, amount, method, the balance after it, the collection's note, the date and the cashier."""
    return _money_slip(
        result,
        settings,
        heading=_("COLLECTION RECEIPT"),
        title=_("Collection receipt"),
        balance=_balance_text(result.balance_after, settings.language),
        note=note,
        width=width,
    )


def payment_slip(result: PaymentResult, settings: Settings, *, width: int = 42, note: str | None = None) -> Printable:
    """The slip of a payment to a supplier (the supplier signs it when paid in cash at the till):
    "PAYMENT RECEIPT", the account, amount, method, what is still owed, the note, date, cashier."""
    return _money_slip(
        result,
        settings,
        heading=_("PAYMENT RECEIPT"),
        title=_("Payment receipt"),
        balance=_supplier_balance_text(result.balance_after, settings.language),
        note=note,
        width=width,
    )
