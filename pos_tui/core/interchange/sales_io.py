"""Importing sales from JSONL and exporting posted documents.

Import (``pos-admin import sales FILE.jsonl``): one sale or return per line::

    {"id": "web-1001", "at": "2026-11-01T10:15:00+03:00", "terminal": "T1", "cashier": "ayse",
     "customer": "C-17",
     "lines": [{"barcode": "8690000000012", "qty": "2"}, {"code": "00101", "weight": "1.250", "price": "239.90"}],
     "payments": [{"method": "cash", "amount": "319.88"}]}

- ``id`` becomes the document's uid; a line whose id is already in the database is skipped
  and counted, so running the same file twice imports it once.
- ``at`` is ISO-8601 with a UTC offset; ``terminal`` any terminal id; ``cashier`` a user name;
  ``customer`` (optional) a customer code or phone number, or a loyalty member's card or phone
  (any common form): a member's receipt earns and spends through the same rules as the till.
- ``coupons`` (optional): a list of coupon codes applied to the receipt, each checked like at
  the till (a code listed twice is refused); ``coupon`` (one code) still works, not with
  ``coupons``.
- ``rewards`` (optional): rewards-catalogue picks, a reward's code once per pick
  (``["ekmek", "ekmek"]`` is two), paid with the member's points as at the till; they need a
  member as ``customer``.
- Each line item names its product by ``barcode`` (a scale label works too) or ``code``;
  ``qty`` is in the product's unit (pieces must be whole), ``weight`` is kilograms as a
  decimal string (``"1.250"``) for products sold by kg; without either the quantity is 1 (or
  what a scale label says). ``price`` (optional) is the unit price actually charged.
- ``payments``: ``method`` (``cash``, ``card``, ``points``, ``store_credit``, ``gift_card`` or
  another registered tender), ``amount``, optional ``reference``; ``gift_card`` payments name
  the card in ``code``. They must settle the total exactly (cash may exceed it: change).
- ``account`` (optional): a customer account's code; the sale's ``{"method": "on_account", "amount":
  "…"}`` payments (optionally with ``"installments": N``) go on that account. The credit limit is
  enforced as at the till (an import is the admin's act, but it does not pass a limit silently:
  raise the limit first); a bad code is a row error naming the line. A return of such a sale
  refunds ``on_account`` to the same account (no ``account`` needed).
- ``return_of``: the id of an earlier sale (in the database or earlier in the file) makes
  the line a return. Its items name the sold line by ``line_no`` or by product; the refund
  is computed by the engine (the cumulative rule of :mod:`pos_tui.core.till`); ``payments``
  is optional and, when given, says how it was paid back. Instead of ``payments`` a return may
  give ``refund_method`` as at the till: ``original`` (the default), ``cash``, ``store_credit``
  (into the member's store credit, when ``[store_credit] refunds`` allows it and the sale had a
  member) or ``gift_card_new`` (onto a new gift card). ``payments`` may name ``store_credit``
  and ``gift_card_new`` too (a ``code`` on ``gift_card_new`` loads a pre-printed card).
- A line ``{"kind": "wallet_topup", "id": "…", "at": "…", "terminal": "T1", "cashier": "ayse",
  "member": "05321234567", "amount": "100.00", "method": "cash"}`` sells store credit to the
  member (card or phone) paid ``cash`` or ``card``: a ``topup`` wallet entry journalled as
  ``wallet_topup`` whose reference is ``import:`` + ``id`` (so a second import skips it; the
  ``id`` of a top-up is at most 57 characters). Like imported sales it belongs to no shift,
  so no cash movement is written. Without ``kind`` a line is a sale or a return.
- Already imported means: for a sale or return, a document with its ``id`` as uid; for a
  top-up, a ``wallet_topup`` journal entry with its ``import:`` reference. The two are never
  mixed (top-ups at the till are journalled ``topup:<entry id>``), so no top-up makes a sale
  with the same id be skipped, nor a sale a top-up.

Numbers may be JSON numbers or strings, with a decimal dot or a Turkish decimal comma; they
are read as decimals, never floats. Every document goes through the same engine as the till
(receipt number = the terminal's next, KDV, stock, journal) with ``source = 'import'``.

All or nothing: every line is checked first — by the engine itself, inside one transaction
with a savepoint per line — and a file with any bad line imports nothing and raises
:class:`~pos_tui.core.kernel.errors.ImportRejected` listing every bad line, field and reason.

Export: documents in the contract shape (:func:`pos_tui.core.till.documents.sale_document`) as JSON
(a list), JSONL (one per line) or CSV (one row per line item, the document's columns
repeated, safe against formula injection).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from pos_tui import store
from pos_tui.core import accounts
from pos_tui.core.accounts.payments.tender import ON_ACCOUNT, CreditLimitExceeded
from pos_tui.core.basket.cart import Cart
from pos_tui.core.basket.tenders import SALE, PaymentInput, TenderContext, settle_payments, tender_methods
from pos_tui.core.catalog.products import ProductInfo, get_product, scan
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import day_bounds, to_db
from pos_tui.core.kernel.errors import ImportRejected, PermissionDenied, PosError, RowError, ValidationError
from pos_tui.core.kernel.formats import JsonRefused, load_json, printable, text_problem, write_records
from pos_tui.core.kernel.formatting import format_quantity
from pos_tui.core.kernel.money import MILLI, ZERO, parse_money, parse_quantity, shown_text
from pos_tui.core.kernel.pan import looks_like_pan
from pos_tui.core.kernel.vocabulary import unit_label
from pos_tui.core.loyalty import wallet
from pos_tui.core.loyalty.members.lookup import find_member
from pos_tui.core.loyalty.pricing import price_cart
from pos_tui.core.staff.users import actor_by_name
from pos_tui.core.till.documents import sale_documents
from pos_tui.core.till.posting import post_cart
from pos_tui.core.till.results import REFUND_METHODS, ReturnLineInput
from pos_tui.core.till.returns import post_return, return_total, returnable_lines
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

IMPORT_TERMINAL = "admin"
SALE_FIELDS = frozenset(
    {
        "id",
        "at",
        "terminal",
        "cashier",
        "customer",
        "account",
        "coupon",
        "coupons",
        "rewards",
        "lines",
        "payments",
        "return_of",
        "refund_method",
        "note",
    }
)
WALLET_TOPUP = "wallet_topup"  # the "kind" of a line that sells store credit to a member
TOPUP_FIELDS = frozenset({"kind", "id", "at", "terminal", "cashier", "member", "amount", "method"})
ITEM_FIELDS = frozenset({"barcode", "code", "qty", "weight", "price", "line_no"})
PAYMENT_FIELDS = frozenset({"method", "amount", "reference", "code", "installments"})
EXPORT_FORMATS = ("csv", "json", "jsonl")

Progress = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class SalesImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    source: str
    read: int
    imported: int
    returns: int
    skipped: int
    dry_run: bool
    sales_total: Decimal
    returns_total: Decimal
    wallet_topups: int = 0  # of ``imported``: lines of kind wallet_topup
    wallet_topups_total: Decimal = ZERO

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.source,
            "read": self.read,
            "imported": self.imported,
            "returns": self.returns,
            "skipped": self.skipped,
            "dry_run": self.dry_run,
            "sales_total": f"{self.sales_total:.2f}",
            "returns_total": f"{self.returns_total:.2f}",
            "wallet_topups": self.wallet_topups,
            "wallet_topups_total": f"{self.wallet_topups_total:.2f}",
        }


@dataclass(slots=True)
class _Item:
    where: str
    product: ProductInfo
    barcode: str | None
    qty_milli: int
    weighed: bool
    fixed_amount: Decimal | None
    price: Decimal | None
    line_no: int | None


@dataclass(slots=True)
class _Doc:
    line: int
    uid: str
    at: datetime
    terminal: str
    cashier_id: int
    customer_id: int | None
    items: list[_Item]
    payments: list[PaymentInput] | None
    return_of: str | None
    note: str | None = None
    errors: list[RowError] = field(default_factory=list)
    member_id: int | None = None
    coupons: tuple[str, ...] = ()
    rewards: tuple[str, ...] = ()
    refund_method: str | None = None


@dataclass(slots=True)
class _TopUp:
    """A line of kind ``wallet_topup``: store credit sold to a member."""

    line: int
    uid: str
    at: datetime
    terminal: str
    cashier: str
    member_id: int
    amount: Decimal
    method: str


class _Rollback(Exception):
    """Raised to undo a dry run (or a rejected file) after every line has been checked."""


# --------------------------------------------------------------------------- parsing


def _text(value: Any, max_len: int) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > max_len:
        return None
    return value.strip()


def _uid(raw: Any) -> str | None:
    """The document's id when it is one that may be looked up (hostile text is reported later)."""
    uid = _text(raw.get("id"), 64) if isinstance(raw, dict) else None
    return uid if uid is not None and text_problem(uid) is None else None


def _is_topup(raw: Any) -> bool:
    """Whether the line is a store credit top-up (``"kind": "wallet_topup"``)."""
    return isinstance(raw, dict) and raw.get("kind") == WALLET_TOPUP


def _hostile_text(raw: dict[str, Any], doc_line: int) -> list[RowError]:
    """Every text of a document (keys too) that may not be stored or shown: control characters
    (line breaks allowed in ``note`` only), bidi overrides, lone surrogates."""
    found: list[RowError] = []
    stack: list[tuple[str, Any]] = [("", raw)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                path = f"{where}.{key}" if where else str(key)
                problem = text_problem(str(key))
                if problem is not None:
                    found.append(RowError(doc_line, printable(path), problem))
                else:
                    stack.append((path, item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            problem = text_problem(value, multiline=where == "note")
            if problem is not None:
                found.append(RowError(doc_line, printable(where), problem))
    found.sort(key=lambda e: e.field)
    return found


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, str):
        return value
    return None


class _Lookups:
    """Users, customers and tender names, looked up once per import."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.users = {name: uid for uid, name in store.rows(m.User.select(m.User.id, m.User.name))}
        self.methods = set(tender_methods())

    def customer(self, key: str) -> int | None:
        row = m.Customer.get_or_none((m.Customer.code == key) | (m.Customer.phone == key))
        return None if row is None else int(row.id)

    def member(self, key: str) -> int | None:
        found = find_member(key)
        return None if found is None else found.id


def _parse_item(index: int, raw: Any, doc_line: int, errors: list[RowError], lookups: _Lookups) -> _Item | None:
    where = f"lines[{index}]"
    if not isinstance(raw, dict):
        errors.append(RowError(doc_line, where, _("must be an object")))
        return None
    unknown = sorted(set(raw) - ITEM_FIELDS)
    if unknown:
        errors.append(
            RowError(
                doc_line,
                where,
                _("unknown field(s) {fields}; allowed: {allowed}").format(
                    fields=", ".join(unknown), allowed=", ".join(sorted(ITEM_FIELDS))
                ),
            )
        )
        return None
    has_barcode, has_code = "barcode" in raw, "code" in raw
    if has_barcode == has_code:
        errors.append(RowError(doc_line, where, _("give exactly one of barcode and code")))
        return None
    key = "barcode" if has_barcode else "code"
    code = _text(raw[key], 64)
    if code is None:
        errors.append(RowError(doc_line, f"{where}.{key}", _("must be a non-empty text")))
        return None
    try:
        if has_barcode:
            found = scan(code, lookups.settings.scale_labels)
            product, barcode, label_qty, label_price = found.product, found.barcode, found.qty_milli, found.line_price
        else:
            product, barcode, label_qty, label_price = get_product(code), None, None, None
    except PosError as exc:
        errors.append(RowError(doc_line, f"{where}.{key}", exc.message))
        return None
    ok = True
    qty: int | None = None
    if "qty" in raw and "weight" in raw:
        errors.append(RowError(doc_line, where, _("give qty or weight, not both")))
        ok = False
    elif "qty" in raw or "weight" in raw:
        name = "qty" if "qty" in raw else "weight"
        text = _number_text(raw[name])
        if name == "weight" and product.unit != "kg":
            errors.append(
                RowError(
                    doc_line,
                    f"{where}.weight",
                    _("{code} is sold by {unit}, not by weight; use qty").format(
                        code=product.code, unit=unit_label(product.unit)
                    ),
                )
            )
            ok = False
        elif text is None:
            errors.append(RowError(doc_line, f"{where}.{name}", _("must be a number")))
            ok = False
        else:
            try:
                qty = parse_quantity(text, name)
            except ValidationError as exc:
                errors.append(RowError(doc_line, f"{where}.{name}", exc.message))
                ok = False
        if qty is not None and label_qty is not None:
            errors.append(RowError(doc_line, f"{where}.{name}", _("a scale label carries its own quantity")))
            ok = False
    price: Decimal | None = None
    if "price" in raw:
        text = _number_text(raw["price"])
        try:
            price = parse_money(text, "price") if text is not None else None
        except ValidationError as exc:
            errors.append(RowError(doc_line, f"{where}.price", exc.message))
            ok = False
        else:
            if price is None or price < 0:
                errors.append(RowError(doc_line, f"{where}.price", _("must be an amount of zero or more")))
                ok = False
    line_no: int | None = None
    if "line_no" in raw:
        value = raw["line_no"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            errors.append(RowError(doc_line, f"{where}.line_no", _("must be a line number (1, 2, ...)")))
            ok = False
        else:
            line_no = value
    if not ok:
        return None
    if qty is None:
        qty = label_qty
    if qty is None:
        if product.unit == "kg":
            errors.append(
                RowError(doc_line, where, _("{code} is sold by weight; give weight").format(code=product.code))
            )
            return None
        qty = MILLI
    return _Item(
        where=where,
        product=product,
        barcode=barcode,
        qty_milli=qty,
        weighed=label_qty is not None,
        fixed_amount=label_price,
        price=price,
        line_no=line_no,
    )


def _parse_payments(raw: Any, doc_line: int, errors: list[RowError], lookups: _Lookups) -> list[PaymentInput] | None:
    if not isinstance(raw, list):
        errors.append(RowError(doc_line, "payments", _("must be a list")))
        return None
    payments: list[PaymentInput] = []
    for i, p in enumerate(raw):
        where = f"payments[{i}]"
        if not isinstance(p, dict):
            errors.append(RowError(doc_line, where, _("must be an object")))
            continue
        unknown = sorted(set(p) - PAYMENT_FIELDS)
        if unknown:
            errors.append(RowError(doc_line, where, _("unknown field(s) {fields}").format(fields=", ".join(unknown))))
            continue
        method = p.get("method")
        if not isinstance(method, str) or method not in lookups.methods:
            errors.append(
                RowError(
                    doc_line,
                    f"{where}.method",
                    _("{method!r} is not a payment method; known: {known}").format(
                        method=shown_text(str(method)), known=", ".join(sorted(lookups.methods))
                    ),
                )
            )
            continue
        text = _number_text(p.get("amount"))
        try:
            amount = parse_money(text, "amount") if text is not None else None
        except ValidationError as exc:
            errors.append(RowError(doc_line, f"{where}.amount", exc.message))
            continue
        if amount is None or amount <= 0:
            errors.append(RowError(doc_line, f"{where}.amount", _("must be an amount above zero")))
            continue
        reference = p.get("reference")
        if reference is not None and not isinstance(reference, str):
            errors.append(RowError(doc_line, f"{where}.reference", _("must be a text")))
            continue
        code = p.get("code")
        if code is not None and not isinstance(code, str):
            errors.append(RowError(doc_line, f"{where}.code", _("must be a text")))
            continue
        details: dict[str, Any] = {"code": code} if code is not None else {}
        if "installments" in p:
            n = p["installments"]
            if method != ON_ACCOUNT or isinstance(n, bool) or not isinstance(n, int) or n < 1:
                errors.append(
                    RowError(
                        doc_line, f"{where}.installments", _("a whole number of installments of a payment on account")
                    )
                )
                continue
            details["installments"] = n
        payments.append(PaymentInput(str(method), amount, reference=reference, details=details))
    return payments


def _with_account(
    raw: dict[str, Any], payments: list[PaymentInput] | None, doc_line: int, errors: list[RowError], is_return: bool
) -> list[PaymentInput] | None:
    """The sale's ``account`` (a customer account's code) put on its ``on_account`` payments: the
    account must exist, be a customer's and open (a row error naming the line otherwise). A
    return's refund on account goes back to the account its sale was put on."""
    code = raw.get("account")
    wants = [p for p in payments or [] if p.method == ON_ACCOUNT]
    if code is None:
        if wants and not is_return:
            errors.append(
                RowError(doc_line, "account", _("is required for a payment on account: a customer account's code"))
            )
        return payments
    if not isinstance(code, str) or not code.strip():
        errors.append(RowError(doc_line, "account", _("must be a customer account's code")))
        return payments
    try:
        party = accounts.payments.customer_account(code)
    except ValidationError as exc:
        errors.append(RowError(doc_line, "account", exc.message))
        return payments
    if not wants:
        errors.append(RowError(doc_line, "account", _("names an account but no payment is on account")))
        return payments
    return [
        dataclasses.replace(p, details={**p.details, "account": party.code}) if p.method == ON_ACCOUNT else p
        for p in payments or []
    ]


def _parse_coupons(raw: dict[str, Any], doc_line: int, errors: list[RowError]) -> tuple[str, ...]:
    """``coupon`` (one code, the old field) or ``coupons`` (a list of codes), not both; a code
    listed twice is refused (a coupon counts once per receipt)."""
    if raw.get("coupon") is not None and raw.get("coupons") is not None:
        errors.append(RowError(doc_line, "coupons", _("give coupon or coupons, not both")))
        return ()
    if raw.get("coupon") is not None:
        coupon = _text(raw["coupon"], 32)
        if coupon is None:
            errors.append(RowError(doc_line, "coupon", _("must be a coupon code")))
            return ()
        return (coupon,)
    given = raw.get("coupons")
    if given is None:
        return ()
    if not isinstance(given, list):
        errors.append(RowError(doc_line, "coupons", _("must be a list of coupon codes")))
        return ()
    codes: list[str] = []
    for i, item in enumerate(given):
        code = _text(item, 32)
        if code is None:
            errors.append(RowError(doc_line, f"coupons[{i}]", _("must be a coupon code")))
        elif code.upper() in (c.upper() for c in codes):
            errors.append(
                RowError(doc_line, f"coupons[{i}]", _("{code} is listed twice; a coupon counts once").format(code=code))
            )
        else:
            codes.append(code)
    return tuple(codes)


def _parse_rewards(
    raw: dict[str, Any], doc_line: int, errors: list[RowError], member_id: int | None
) -> tuple[str, ...]:
    """``rewards``: the codes of the rewards catalogue the member took on this receipt, once
    per pick (``["ekmek", "ekmek"]`` is two); they need a member as ``customer``."""
    given = raw.get("rewards")
    if given is None:
        return ()
    if not isinstance(given, list):
        errors.append(RowError(doc_line, "rewards", _("must be a list of reward codes")))
        return ()
    codes: list[str] = []
    for i, item in enumerate(given):
        code = _text(item, 64)
        if code is None:
            errors.append(RowError(doc_line, f"rewards[{i}]", _("must be a reward code")))
        else:
            codes.append(code)
    if codes and member_id is None and raw.get("customer") is not None:
        errors.append(
            RowError(doc_line, "rewards", _("rewards are taken with points: the customer must be a loyalty member"))
        )
    elif codes and raw.get("customer") is None:
        errors.append(RowError(doc_line, "rewards", _("rewards need a loyalty member as customer")))
    return tuple(codes)


def _parse_refund_method(raw: dict[str, Any], doc_line: int, errors: list[RowError], is_return: bool) -> str | None:
    """A return's ``refund_method`` (``original``, ``cash``, ``store_credit``, ``gift_card_new``),
    as at the till; ``payments`` say it line by line instead, so not both."""
    given = raw.get("refund_method")
    if given is None:
        return None
    if not is_return:
        errors.append(RowError(doc_line, "refund_method", _("only a return (return_of) has a refund method")))
        return None
    if not isinstance(given, str) or given not in REFUND_METHODS:
        errors.append(
            RowError(
                doc_line,
                "refund_method",
                _("{method!r} is not a refund method; known: {known}").format(
                    method=shown_text(str(given)), known=", ".join(REFUND_METHODS)
                ),
            )
        )
        return None
    if raw.get("payments") is not None:
        errors.append(RowError(doc_line, "refund_method", _("give payments or refund_method, not both")))
        return None
    return given


def _parse_topup(doc_line: int, raw: dict[str, Any], lookups: _Lookups) -> _TopUp | list[RowError]:
    """A line ``{"kind": "wallet_topup", "id", "at", "terminal", "cashier", "member", "amount",
    "method"}``: store credit the member bought in cash or by card."""
    errors: list[RowError] = []
    unknown = sorted(set(raw) - TOPUP_FIELDS)
    if unknown:
        errors.append(
            RowError(
                doc_line,
                "line",
                _("unknown field(s) {fields}; allowed: {allowed}").format(
                    fields=", ".join(unknown), allowed=", ".join(sorted(TOPUP_FIELDS))
                ),
            )
        )
    uid = _text(raw.get("id"), wallet.IMPORT_ID_MAX)  # the journal reference is "import:" + id
    if uid is None:
        errors.append(
            RowError(
                doc_line,
                "id",
                _("is required: a text of 1 to {max} characters").format(max=wallet.IMPORT_ID_MAX),
            )
        )
    at = _parse_at(raw, doc_line, errors)
    terminal = _text(raw.get("terminal"), 32)
    if terminal is None:
        errors.append(RowError(doc_line, "terminal", _("is required: a terminal id of 1 to 32 characters")))
    cashier = raw.get("cashier")
    if not isinstance(cashier, str) or not cashier.strip():
        errors.append(RowError(doc_line, "cashier", _("is required: the name of a user")))
        cashier = None
    elif cashier not in lookups.users:
        errors.append(RowError(doc_line, "cashier", _("no user named {name!r}").format(name=cashier)))
    member_id: int | None = None
    key = _text(raw.get("member"), 64)
    if key is None:
        errors.append(RowError(doc_line, "member", _("is required: the member's card or phone")))
    else:
        member_id = lookups.member(key)
        if member_id is None:
            errors.append(
                RowError(doc_line, "member", _("no loyalty member with card or phone {key!r}").format(key=key))
            )
    amount: Decimal | None = None
    text = _number_text(raw.get("amount"))
    try:
        amount = parse_money(text, "amount") if text is not None else None
    except ValidationError as exc:
        errors.append(RowError(doc_line, "amount", exc.message))
    else:
        if amount is None or amount <= 0:
            errors.append(RowError(doc_line, "amount", _("must be an amount above zero")))
            amount = None
    method = raw.get("method")
    if method not in ("cash", "card"):
        errors.append(
            RowError(
                doc_line,
                "method",
                _("store credit is bought in cash or by card: cash or card, not {method!r}").format(
                    method=shown_text(str(method))
                ),
            )
        )
    if errors:
        return errors
    assert uid is not None and at is not None and terminal is not None and isinstance(cashier, str)
    assert member_id is not None and amount is not None
    return _TopUp(doc_line, uid, at, terminal, cashier, member_id, amount, str(method))


def _parse_at(raw: dict[str, Any], doc_line: int, errors: list[RowError]) -> datetime | None:
    at_raw = raw.get("at")
    if not isinstance(at_raw, str):
        errors.append(RowError(doc_line, "at", _("is required: an ISO-8601 time with its UTC offset")))
        return None
    try:
        at = datetime.fromisoformat(at_raw)
    except ValueError:
        errors.append(RowError(doc_line, "at", _("{value!r} is not an ISO-8601 time").format(value=at_raw)))
        return None
    if at.tzinfo is None:
        errors.append(RowError(doc_line, "at", _("{value!r} has no UTC offset").format(value=at_raw)))
        return None
    if not 1900 <= at.year <= 9998:  # the extremes overflow once moved to UTC or the shop's zone
        errors.append(
            RowError(doc_line, "at", _("{value!r} is too far in the past or the future").format(value=at_raw))
        )
        return None
    return at


def _parse_line(doc_line: int, raw: Any, lookups: _Lookups) -> _Doc | _TopUp | list[RowError]:
    """A sale or return, or a store credit top-up (``"kind": "wallet_topup"``)."""
    if isinstance(raw, dict) and "kind" in raw:
        hostile = _hostile_text(raw, doc_line)
        if hostile:
            return hostile
        if raw["kind"] != WALLET_TOPUP:
            return [
                RowError(
                    doc_line,
                    "kind",
                    _(
                        "{kind!r} is not a kind of line; the kind is wallet_topup, or left out for a sale or a return"
                    ).format(kind=shown_text(str(raw["kind"]))),
                )
            ]
        return _parse_topup(doc_line, raw, lookups)
    return _parse_doc(doc_line, raw, lookups)


def _parse_doc(doc_line: int, raw: Any, lookups: _Lookups) -> _Doc | list[RowError]:
    """A parsed document, or the errors of this line."""
    errors: list[RowError] = []
    if not isinstance(raw, dict):
        return [RowError(doc_line, "line", _("must be a JSON object"))]
    hostile = _hostile_text(raw, doc_line)
    if hostile:
        return hostile
    unknown = sorted(set(raw) - SALE_FIELDS)
    if unknown:
        errors.append(
            RowError(
                doc_line,
                "line",
                _("unknown field(s) {fields}; allowed: {allowed}").format(
                    fields=", ".join(unknown), allowed=", ".join(sorted(SALE_FIELDS))
                ),
            )
        )
    uid = _text(raw.get("id"), 64)
    if uid is None:
        errors.append(RowError(doc_line, "id", _("is required: a text of 1 to 64 characters")))
    at = _parse_at(raw, doc_line, errors)
    terminal = _text(raw.get("terminal"), 32)
    if terminal is None:
        errors.append(RowError(doc_line, "terminal", _("is required: a terminal id of 1 to 32 characters")))
    cashier = raw.get("cashier")
    cashier_id = lookups.users.get(cashier) if isinstance(cashier, str) else None
    if not isinstance(cashier, str) or not cashier.strip():
        errors.append(RowError(doc_line, "cashier", _("is required: the name of a user")))
    elif cashier_id is None:
        errors.append(RowError(doc_line, "cashier", _("no user named {name!r}").format(name=cashier)))
    customer_id: int | None = None
    member_id: int | None = None
    if raw.get("customer") is not None:
        key = _text(raw["customer"], 64)
        customer_id = lookups.customer(key) if key else None
        member_id = lookups.member(key) if key else None
        if customer_id is None and member_id is None:
            errors.append(
                RowError(
                    doc_line,
                    "customer",
                    _("no customer or loyalty member with code, card or phone {key!r}").format(key=raw["customer"]),
                )
            )
    coupons = _parse_coupons(raw, doc_line, errors)
    rewards = _parse_rewards(raw, doc_line, errors, member_id)
    for name, given in (("coupon", raw.get("coupon")), ("coupons", raw.get("coupons")), ("rewards", rewards)):
        if given and raw.get("return_of") is not None:
            errors.append(
                RowError(doc_line, name, _("a return gives back what was paid; leave out {field}").format(field=name))
            )
    return_of: str | None = None
    if raw.get("return_of") is not None:
        return_of = _text(raw["return_of"], 64)
        if return_of is None:
            errors.append(RowError(doc_line, "return_of", _("must be the id of a sale")))
    refund_method = _parse_refund_method(raw, doc_line, errors, return_of is not None)
    items_raw = raw.get("lines")
    items: list[_Item] = []
    if not isinstance(items_raw, list) or not items_raw:
        errors.append(RowError(doc_line, "lines", _("is required: a non-empty list of items")))
    else:
        for i, item_raw in enumerate(items_raw):
            item = _parse_item(i, item_raw, doc_line, errors, lookups)
            if item is not None:
                if return_of is not None and item.price is not None:
                    errors.append(
                        RowError(doc_line, f"{item.where}.price", _("a return refunds what was paid; leave out price"))
                    )
                items.append(item)
    payments: list[PaymentInput] | None = None
    if "payments" in raw:
        payments = _parse_payments(raw["payments"], doc_line, errors, lookups)
    elif return_of is None:
        errors.append(RowError(doc_line, "payments", _("is required for a sale")))
    payments = _with_account(raw, payments, doc_line, errors, return_of is not None)
    note = raw.get("note")
    if note is not None and not isinstance(note, str):
        errors.append(RowError(doc_line, "note", _("must be a text")))
    elif looks_like_pan(note):
        errors.append(RowError(doc_line, "note", _("looks like a card number; card numbers are never stored")))
    if errors:
        return errors
    assert uid is not None and at is not None and terminal is not None and cashier_id is not None
    return _Doc(
        doc_line,
        uid,
        at,
        terminal,
        cashier_id,
        customer_id,
        items,
        payments,
        return_of,
        note,
        member_id=member_id,
        coupons=coupons,
        rewards=rewards,
        refund_method=refund_method,
    )


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The non-blank lines of a UTF-8 file (with or without BOM), with their line numbers."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, text in enumerate(handle, start=1):
            if text.strip():
                yield number, text


# --------------------------------------------------------------------------- posting


def _post_sale(doc: _Doc, tz: str) -> Decimal:
    cart = Cart(customer_id=doc.customer_id, note=doc.note, member_id=doc.member_id, coupons=doc.coupons)
    for item in doc.items:
        p = item.product
        try:
            cart = cart.add_product(
                p,
                item.qty_milli,
                barcode=item.barcode,
                weighed=item.weighed,
                fixed_amount=item.fixed_amount,
                merge=False,
            )
            if item.price is not None and item.price != p.price:
                cart = cart.override_price(cart.lines[-1].line_no, item.price, _("imported price"))
        except PosError as exc:
            raise _LineError(item.where, exc.message) from None
    try:
        priced = price_cart(cart, now=doc.at, tz=tz)
    except PosError as exc:
        raise _LineError("coupons" if doc.coupons else "customer", exc.message) from None
    if doc.rewards:  # priced again with the picks, so a refusal names the field that caused it
        try:
            priced = price_cart(cart.with_rewards(doc.rewards), now=doc.at, tz=tz)
        except PosError as exc:
            raise _LineError("rewards", exc.message) from None
    cart = priced
    # A customer that is an account's (and not a loyalty member) is the sale's account: a payment on
    # account goes on it only, so the sale's customer and the debtor are the same party.
    account_id = None
    if doc.customer_id is not None and doc.member_id is None:
        account_id = accounts.party_of_customer(doc.customer_id)
    ctx = TenderContext(
        SALE,
        doc.terminal,
        doc.cashier_id,
        doc.customer_id,
        cart.total,
        doc.at,
        member_id=doc.member_id,
        tz=tz,
        account_id=account_id,
    )
    try:
        settle_payments(doc.payments or [], ctx)
    except PosError as exc:
        raise _LineError("payments", exc.message) from None
    try:
        result = post_cart(
            cart,
            doc.payments or [],
            terminal=doc.terminal,
            cashier_id=doc.cashier_id,
            now=doc.at,
            uid=doc.uid,
            source="import",
            tz=tz,
        )
    except CreditLimitExceeded as exc:
        raise _LineError("payments", exc.message) from None
    except PosError as exc:
        raise _LineError("id", exc.message) from None
    return result.total


def _return_inputs(doc: _Doc, original_uid: str) -> list[ReturnLineInput]:
    """Map the items of a return onto the sold lines: by ``line_no``, or by product over the
    sale's lines of that product in order, as far as each has something left to return."""
    left = {r.line_no: r for r in returnable_lines(original_uid)}
    taking: dict[int, int] = {}
    for item in doc.items:
        if item.line_no is not None:
            if item.line_no not in left:
                raise _LineError(
                    f"{item.where}.line_no",
                    _("sale {uid} has no line {line_no}").format(uid=original_uid, line_no=item.line_no),
                )
            if left[item.line_no].code != item.product.code:
                raise _LineError(
                    f"{item.where}.line_no",
                    _("line {line_no} of sale {uid} sold {sold}, not {code}").format(
                        line_no=item.line_no, uid=original_uid, sold=left[item.line_no].code, code=item.product.code
                    ),
                )
            taking[item.line_no] = taking.get(item.line_no, 0) + item.qty_milli
            continue
        wanted = item.qty_milli
        for r in left.values():
            if r.code != item.product.code or wanted == 0:
                continue
            free = r.remaining_milli - taking.get(r.line_no, 0)
            take = min(free, wanted)
            if take > 0:
                taking[r.line_no] = taking.get(r.line_no, 0) + take
                wanted -= take
        if wanted:
            sold = sum(r.sold_milli for r in left.values() if r.code == item.product.code)
            raise _LineError(
                f"{item.where}.qty",
                _("sale {uid} sold {sold} of {code} and not that much is left to return ({asked} asked)").format(
                    uid=original_uid,
                    sold=format_quantity(sold),
                    code=item.product.code,
                    asked=format_quantity(item.qty_milli),
                ),
            )
    return [ReturnLineInput(line_no, qty) for line_no, qty in sorted(taking.items())]


def _post_return(doc: _Doc, tz: str) -> Decimal:
    assert doc.return_of is not None
    if not m.Sale.select().where(m.Sale.uid == doc.return_of).exists():
        raise _LineError(
            "return_of",
            _("no sale with id {uid} in the database or earlier in this file").format(uid=doc.return_of),
        )
    inputs = _return_inputs(doc, doc.return_of)
    try:
        return_total(doc.return_of, inputs)
    except PosError as exc:
        raise _LineError("lines", exc.message) from None
    try:
        result = post_return(
            doc.return_of,
            inputs,
            terminal=doc.terminal,
            cashier_id=doc.cashier_id,
            now=doc.at,
            reason=doc.note or _("imported return"),
            refund_method=doc.refund_method or "original",
            refunds=doc.payments,
            uid=doc.uid,
            source="import",
            tz=tz,
        )
    except PosError as exc:
        raise _LineError("refund_method" if doc.refund_method else "payments", exc.message) from None
    return result.total


def _post_topup(top: _TopUp, settings: Settings) -> Decimal:
    """Store credit sold to the member, as at the till but into no drawer (imported documents
    belong to no shift); the journal entry's reference is ``import:`` + the line's id, which
    makes a second import of the file skip it."""
    try:
        actor = actor_by_name(top.cashier, settings=settings)
    except PosError as exc:
        raise _LineError("cashier", exc.message) from None
    try:
        wallet.top_up(
            top.member_id,
            top.amount,
            method=top.method,
            actor=actor,
            terminal=top.terminal,
            now=top.at,
            into_drawer=False,
            import_id=top.uid,
        )
    except PermissionDenied as exc:
        raise _LineError("cashier", exc.message) from None
    except PosError as exc:
        raise _LineError("amount", exc.message) from None
    return top.amount


def _topped_up(ids: list[str]) -> set[str]:
    """Those of ``ids`` that an earlier import already posted as store credit top-ups: their
    ``wallet_topup`` journal entries carry :func:`wallet.import_ref` of the id, a reference no
    till top-up has (those are ``topup:<entry id>``)."""
    J = m.JournalEntry
    refs = {wallet.import_ref(uid): uid for uid in ids}
    query = J.select(J.ref).where((J.kind == wallet.TOPUP_JOURNAL) & J.ref.in_(list(refs)))
    return {refs[str(ref)] for (ref,) in store.rows(query)}


class _LineError(Exception):
    def __init__(self, where: str, reason: str) -> None:
        super().__init__(reason)
        self.where = where
        self.reason = reason


def import_sales(
    path: Path,
    *,
    settings: Settings,
    now: datetime,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> SalesImportResult:
    """Import the sales and returns of a JSONL file (format in the module docstring).

    Raises :class:`ImportRejected` with every bad line when any line is bad; nothing is
    imported then. With ``dry_run`` everything is checked the same way and rolled back.
    ``progress(n)`` is called as lines are done. ``now`` stamps the import's journal summary.
    """
    source = str(path)
    tz = settings.shop.timezone
    advance = progress or (lambda n: None)
    try:
        raw_lines = list(read_lines(path))
    except OSError as exc:
        raise ValidationError(_("{file}: cannot read: {error}").format(file=source, error=exc.strerror)) from None
    except UnicodeDecodeError:
        raise ValidationError(_("{file}: not UTF-8 text").format(file=source)) from None
    errors: list[RowError] = []
    docs: list[_Doc | _TopUp] = []
    skipped = 0
    seen: dict[str, int] = {}
    lookups = _Lookups(settings)
    existing_sales: set[str] = set()  # ids of sales and returns already in the database
    existing_topups: set[str] = set()  # ids of top-up lines an earlier import posted
    candidates = []
    for number, text in raw_lines:
        try:
            raw = load_json(text)
        except JsonRefused as exc:
            errors.append(RowError(number, "json", exc.reason))
            continue
        candidates.append((number, raw))
    # A sale or return is already imported when a document has its uid; a top-up when the
    # journal has its import reference. The two are looked up apart: a top-up never hides a
    # sale with the same id, nor a sale a top-up.
    sale_ids = [uid for _n, raw in candidates if (uid := _uid(raw)) is not None and not _is_topup(raw)]
    topup_ids = [uid for _n, raw in candidates if (uid := _uid(raw)) is not None and _is_topup(raw)]
    for start in range(0, len(sale_ids), 500):
        chunk = sale_ids[start : start + 500]
        existing_sales.update(uid for (uid,) in store.rows(m.Sale.select(m.Sale.uid).where(m.Sale.uid.in_(chunk))))
    for start in range(0, len(topup_ids), 500):
        existing_topups.update(_topped_up(topup_ids[start : start + 500]))
    for number, raw in candidates:
        uid = _uid(raw)
        if uid is not None and uid in seen:
            errors.append(
                RowError(number, "id", _("{uid!r} is also the id of line {line}").format(uid=uid, line=seen[uid]))
            )
            continue
        if uid is not None:
            seen[uid] = number
        if uid is not None and uid in (existing_topups if _is_topup(raw) else existing_sales):
            skipped += 1
            continue
        parsed = _parse_line(number, raw, lookups)
        if isinstance(parsed, list):
            errors.extend(parsed)
        else:
            docs.append(parsed)
    advance(len(raw_lines) - len(docs))

    imported = returns = topups = 0
    sales_total = returns_total = topups_total = ZERO
    try:
        with write_tx():
            for doc in docs:
                try:
                    with write_tx():
                        if isinstance(doc, _TopUp):
                            topups_total += _post_topup(doc, settings)
                            topups += 1
                        elif doc.return_of is None:
                            sales_total += _post_sale(doc, tz)
                        else:
                            returns_total += _post_return(doc, tz)
                            returns += 1
                        imported += 1
                except _LineError as exc:
                    errors.append(RowError(doc.line, exc.where, exc.reason))
                except PosError as exc:
                    errors.append(RowError(doc.line, "line", exc.message))
                except (OverflowError, ArithmeticError):  # amounts past what a column holds; savepoint undone
                    errors.append(RowError(doc.line, "lines", _("the amounts are too large to be stored")))
                advance(1)
            if errors:
                raise _Rollback
            result = SalesImportResult(
                source,
                len(raw_lines),
                imported,
                returns,
                skipped,
                dry_run,
                sales_total,
                returns_total,
                wallet_topups=topups,
                wallet_topups_total=topups_total,
            )
            if dry_run:
                raise _Rollback
            journal.append(
                "import",
                {"what": "sales", **result.as_json()},
                terminal=IMPORT_TERMINAL,
                now=now,
                ref=path.name[:64],
            )
    except _Rollback:
        if errors:
            errors.sort(key=lambda e: e.line)
            raise ImportRejected(source, errors) from None
    return result


# --------------------------------------------------------------------------- export


def _sale_ids(since: date | None, until: date | None, terminal: str | None, tz: str) -> list[int]:
    query = m.Sale.select(m.Sale.id).order_by(m.Sale.at, m.Sale.id)
    if since is not None:
        query = query.where(m.Sale.at >= to_db(day_bounds(since, tz)[0]))
    if until is not None:
        query = query.where(m.Sale.at < to_db(day_bounds(until, tz)[1]))
    if terminal is not None:
        query = query.where(m.Sale.terminal == terminal)
    return [sale_id for (sale_id,) in store.rows(query)]


def iter_documents(
    *, since: date | None = None, until: date | None = None, terminal: str | None = None, tz: str
) -> Iterator[dict[str, Any]]:
    """Posted documents of the shop's local days ``since``..``until`` (both included), oldest first."""
    ids = _sale_ids(since, until, terminal, tz)
    for start in range(0, len(ids), 500):
        yield from sale_documents(ids[start : start + 500], tz)


CSV_COLUMNS = (
    "id",
    "receipt_no",
    "type",
    "terminal",
    "at",
    "cashier",
    "customer",
    "return_of",
    "sale_subtotal",
    "sale_discount",
    "sale_total",
    "payments",
    "line_no",
    "code",
    "barcode",
    "name",
    "unit",
    "qty",
    "unit_price",
    "list_price",
    "discount",
    "total",
    "kdv_rate",
)


def document_rows(doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat record per line item, the document's columns repeated (the CSV shape)."""
    payments = ";".join(f"{p['method']}:{p['amount']}" for p in doc["payments"])
    head = {
        "id": doc["id"],
        "receipt_no": doc["receipt_no"],
        "type": doc["type"],
        "terminal": doc["terminal"],
        "at": doc["at"],
        "cashier": doc["cashier"],
        "customer": doc["customer"],
        "return_of": doc["return_of"],
        "sale_subtotal": doc["subtotal"],
        "sale_discount": doc["discount"],
        "sale_total": doc["total"],
        "payments": payments,
    }
    return [{**head, **{k: line[k] for k in CSV_COLUMNS if k in line}} for line in doc["lines"]]


def export_sales(
    out: TextIO,
    fmt: str,
    *,
    since: date | None = None,
    until: date | None = None,
    terminal: str | None = None,
    tz: str,
) -> int:
    """Write the documents of ``since``..``until`` (shop-local days, both included) to ``out``
    as ``json`` (one list), ``jsonl`` or ``csv`` (:func:`document_rows`, formula-injection
    safe). Streams, so a year of sales never sits in memory. Returns the documents written."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationError(
            _("Unknown export format {fmt!r}; choose one of {formats}").format(
                fmt=fmt, formats=", ".join(EXPORT_FORMATS)
            )
        )
    docs = iter_documents(since=since, until=until, terminal=terminal, tz=tz)
    if fmt != "csv":
        return write_records(docs, fmt, out)
    count = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal count
        for doc in docs:
            count += 1
            yield from document_rows(doc)

    write_records(rows(), "csv", out, columns=CSV_COLUMNS)
    return count
