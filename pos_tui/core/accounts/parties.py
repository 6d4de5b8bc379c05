"""Parties (cari): customers and suppliers, their identity, terms, credit limit and price list.

A party is the account holder. Its row links to the ``customer`` and/or ``supplier`` row of the
same code, so a sale, a goods receipt or a loyalty member that already points at those rows
belongs to the party's account without a second reference. A party of kind ``customer`` gets a
customer row, ``supplier`` a supplier row, ``both`` both; an existing row of that code is linked,
not copied.

VKN (10 digits) and TCKN (11 digits) are checked with python-stdnum (imported only when one is
given: it costs every start 35 ms).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from peewee import JOIN, fn

from pos_tui.core.kernel.clock import to_db
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formats import foreign_digits, text_problem
from pos_tui.core.kernel.money import ZERO, from_kurus, money, to_kurus
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import N_, _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store import reading as store
from pos_tui.text import fold, search_key

CUSTOMER, SUPPLIER, BOTH = "customer", "supplier", "both"
KINDS = (CUSTOMER, SUPPLIER, BOTH)
KIND_LABELS = {CUSTOMER: N_("customer"), SUPPLIER: N_("supplier"), BOTH: N_("customer and supplier")}
# Turkish words for the kinds, accepted in files and options
KIND_WORDS = {
    "customer": CUSTOMER,
    "musteri": CUSTOMER,
    "alici": CUSTOMER,
    "supplier": SUPPLIER,
    "tedarikci": SUPPLIER,
    "satici": SUPPLIER,
    "both": BOTH,
    "ikisi": BOTH,
    "her ikisi": BOTH,
    "alici-satici": BOTH,
    "alici satici": BOTH,
}
MAX_TERMS_DAYS = 3650
MAX_CODE = 64
_CODE = re.compile(r"^[A-Za-z0-9ÇĞİÖŞÜçğıöşü][A-Za-z0-9ÇĞİÖŞÜçğıöşü._/-]{0,63}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{7,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True, kw_only=True)
class PartyInput:
    """A party as an admin or a file gives it; ``None`` leaves a field as it is on update.
    ``credit_limit`` is TRY (``Decimal``); ``price_list`` a price list code."""

    code: str
    name: str | None = None
    kind: str | None = None
    vkn: str | None = None
    tckn: str | None = None
    tax_office: str | None = None
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    terms_days: int | None = None
    credit_limit: Decimal | None = None
    price_list: str | None = None
    card: str | None = None
    notes: str | None = None
    member_card: str | None = None


@dataclass(frozen=True, slots=True)
class PartyInfo:
    id: int
    code: str
    name: str
    kind: str
    vkn: str | None
    tckn: str | None
    tax_office: str | None
    address: str | None
    phone: str | None
    email: str | None
    terms_days: int
    credit_limit: Decimal
    price_list: str | None
    card: str | None
    notes: str | None
    member_id: int | None
    customer_id: int | None
    supplier_id: int | None
    active: bool
    currency: str = "TRY"

    @property
    def tax_id(self) -> str | None:
        return self.vkn or self.tckn

    @property
    def is_customer(self) -> bool:
        return self.kind in (CUSTOMER, BOTH)

    @property
    def is_supplier(self) -> bool:
        return self.kind in (SUPPLIER, BOTH)

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "kind": self.kind,
            "vkn": self.vkn,
            "tckn": self.tckn,
            "tax_office": self.tax_office,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "terms": self.terms_days,
            "credit_limit": f"{self.credit_limit:.2f}",
            "price_list": self.price_list,
            "card": self.card,
            "notes": self.notes,
            "currency": self.currency,
            "active": self.active,
        }


_COLUMNS = (
    "id",
    "code",
    "name",
    "kind",
    "vkn",
    "tckn",
    "tax_office",
    "address",
    "phone",
    "email",
    "terms_days",
    "credit_limit",
    "price_list",
    "card",
    "notes",
    "member",
    "customer",
    "supplier",
    "active",
    "currency",
)


def _select() -> Any:
    P, L = m.Party, m.PriceList
    return (
        P.select(
            P.id,
            P.code,
            P.name,
            P.kind,
            P.vkn,
            P.tckn,
            P.tax_office,
            P.address,
            P.phone,
            P.email,
            P.terms_days,
            P.credit_limit,
            L.code,
            P.card,
            P.notes,
            P.member,
            P.customer,
            P.supplier,
            P.active,
            P.currency,
        )
        .join(L, JOIN.LEFT_OUTER, on=(P.price_list == L.id))
        .order_by(P.code)
    )


def _info(row: tuple[Any, ...]) -> PartyInfo:
    values = list(row)
    values[11] = from_kurus(int(values[11]))
    values[18] = bool(values[18])
    return PartyInfo(*values)


# -- reading ----------------------------------------------------------------------------------


def get_party(code_or_id: str | int) -> PartyInfo:
    """The party with this code (or id); :class:`NotFound` with the code otherwise."""
    P = m.Party
    where = (P.id == code_or_id) if isinstance(code_or_id, int) else (P.code == str(code_or_id).strip())
    for row in store.rows(_select().where(where)):
        return _info(row)
    raise NotFound(_("No account with the code {code}").format(code=code_or_id))


def find_party(text: str) -> PartyInfo | None:
    """The one party ``text`` names exactly: its code, its account card, its phone number, its VKN
    or TCKN (what a cashier types or scans); ``None`` if none."""
    text = text.strip()
    if not text:
        return None
    P = m.Party
    conditions = [P.code == text, P.card == text, P.vkn == text, P.tckn == text]
    phone = normalise_phone(text, strict=False)
    if phone:
        conditions.append(P.phone == phone)
    for cond in conditions:
        rows = list(store.rows(_select().where(cond).limit(2)))
        if len(rows) == 1:
            return _info(rows[0])
    return None


def search_parties(
    text: str = "", *, kind: str | None = None, limit: int = 50, active_only: bool = True
) -> list[PartyInfo]:
    """Parties whose code, name, phone, card or tax id matches ``text`` (Turkish-aware, every word
    as a prefix of a name word); ``kind`` ``customer`` also lists ``both``, and so does ``supplier``."""
    P = m.Party
    query = _select()
    if active_only:
        query = query.where(P.active == True)  # noqa: E712 (peewee expression)
    if kind in (CUSTOMER, SUPPLIER):
        query = query.where(P.kind.in_([kind, BOTH]))
    text = text.strip()
    exact = find_party(text) if text else None
    if text:
        words = search_key(text).split()
        cond = None
        for word in words:
            word_cond = P.name_key.startswith(word) | P.name_key.contains(" " + word)
            cond = word_cond if cond is None else cond & word_cond
        code_cond = fn.LOWER(P.code).startswith(fold(text)) | (P.vkn == text) | (P.tckn == text)
        query = query.where(code_cond if cond is None else (cond | code_cond))
    found = [_info(row) for row in store.rows(query.limit(limit))]
    if exact is not None and all(p.id != exact.id for p in found):
        found.insert(0, exact)
    return found


def list_parties(kind: str | None = None, *, active_only: bool = False) -> Iterable[PartyInfo]:
    """Every party in code order (streamed)."""
    P = m.Party
    query = _select()
    if kind in (CUSTOMER, SUPPLIER):
        query = query.where(P.kind.in_([kind, BOTH]))
    elif kind == BOTH:
        query = query.where(P.kind == BOTH)
    if active_only:
        query = query.where(P.active == True)  # noqa: E712
    for row in store.rows(query):
        yield _info(row)


def party_of_customer(customer_id: int) -> int | None:
    row = fast.select_first(m.Party, ("id",), {"customer": customer_id})
    return None if row is None else int(row[0])


# -- checking ---------------------------------------------------------------------------------


def parse_kind(text: str) -> str:
    kind = KIND_WORDS.get(fold(text.strip()))
    if kind is None:
        raise ValidationError(
            _("Unknown account kind {kind!r}; use customer, supplier or both").format(kind=text.strip()[:20])
        )
    return kind


def check_vkn(text: str) -> str:
    """A VKN (vergi kimlik numarası, 10 digits) with its check digit, or a clear error."""
    digits = text.strip().replace(" ", "")
    if foreign_digits(digits) or not digits.isdigit() or len(digits) != 10:
        raise ValidationError(_("A VKN has exactly 10 digits, not {text!r}").format(text=text.strip()[:20]))
    from stdnum.tr import vkn  # 35 ms of ssl and pydoc: only when one is given

    if not vkn.is_valid(digits):
        raise ValidationError(
            _("The VKN {vkn} is not valid: its check digit does not match (mistyped?)").format(vkn=digits)
        )
    return digits


def check_tckn(text: str) -> str:
    """A TCKN (T.C. kimlik numarası, 11 digits, not starting with 0) with its check digits."""
    digits = text.strip().replace(" ", "")
    if foreign_digits(digits) or not digits.isdigit() or len(digits) != 11:
        raise ValidationError(_("A TCKN has exactly 11 digits, not {text!r}").format(text=text.strip()[:20]))
    from stdnum.tr import tckimlik

    if not tckimlik.is_valid(digits):
        raise ValidationError(
            _("The TCKN {tckn} is not valid: its check digits do not match (mistyped?)").format(tckn=digits)
        )
    return digits


def normalise_phone(text: str, *, strict: bool = True) -> str | None:
    """A Turkish phone number as stored (``+905321234567``); ``None`` for an empty one. A number
    that is not one is an error when ``strict``, else ``None``."""
    raw = text.strip()
    if not raw:
        return None
    if not _PHONE.match(raw):
        if strict:
            raise ValidationError(_("{text!r} is not a phone number").format(text=raw[:24]))
        return None
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") or (digits.startswith("90") and len(digits) == 12):
        number = "+" + digits
    elif digits.startswith("0") and len(digits) == 11:
        number = "+9" + digits
    elif len(digits) == 10:
        number = "+90" + digits
    else:
        if strict:
            raise ValidationError(
                _("{text!r} is not a phone number: write it as 0532 123 45 67 or +90 532 123 45 67").format(
                    text=raw[:24]
                )
            )
        return None
    return number


def _text(value: str | None, what: str, limit: int, *, multiline: bool = False) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(_("{field} {problem}").format(field=what, problem=problem))
    if len(value) > limit:
        raise ValidationError(_("{field} may have at most {n} characters").format(field=what, n=limit))
    refuse_pan(value)
    return value


def check_code(code: str) -> str:
    code = code.strip()
    if not _CODE.match(code) or foreign_digits(code):
        raise ValidationError(
            _(
                "An account code has 1 to {n} letters, digits and . _ / -, starting with a letter or digit,"
                " not {code!r}"
            ).format(n=MAX_CODE, code=code[:24])
        )
    refuse_pan(code)
    return code


def check_credit_limit(amount: Decimal) -> int:
    amount = money(amount)
    if amount < ZERO:
        raise ValidationError(_("A credit limit may not be negative"))
    return to_kurus(amount)


def check_terms(days: int) -> int:
    if not 0 <= days <= MAX_TERMS_DAYS:
        raise ValidationError(_("Payment terms are 0 to {n} days").format(n=MAX_TERMS_DAYS))
    return days


def _price_list_id(code: str | None) -> int | None:
    if code is None or not code.strip():
        return None
    row = fast.select_first(m.PriceList, ("id",), {"code": code.strip()})
    if row is None:
        raise NotFound(_("No price list with the code {code}").format(code=code.strip()[:32]))
    return int(row[0])


def _member_id(card: str | None) -> int | None:
    if card is None or not card.strip():
        return None
    row = fast.select_first(m.Member, ("id",), {"card": card.strip()})
    if row is None:
        raise NotFound(_("No loyalty member with the card {card}").format(card=card.strip()[:32]))
    return int(row[0])


def checked_values(data: PartyInput, *, partial: bool = False) -> dict[str, Any]:
    """The column values of ``data``, every field checked (``partial``: only the given ones).
    Raises :class:`ValidationError` naming the field."""
    values: dict[str, Any] = {"code": check_code(data.code)}
    if data.name is not None or not partial:
        name = _text(data.name, _("Name"), 255)
        if name is None:
            raise ValidationError(_("An account needs a name (title)"))
        values["name"] = name
        values["name_key"] = search_key(name)
    if data.kind is not None or not partial:
        values["kind"] = parse_kind(data.kind or CUSTOMER)
    if data.vkn and data.tckn:
        raise ValidationError(_("Give either a VKN (a company) or a TCKN (a person), not both"))
    if data.vkn is not None:
        values["vkn"] = check_vkn(data.vkn) if data.vkn.strip() else None
        if values["vkn"]:
            values["tckn"] = None
    if data.tckn is not None:
        values["tckn"] = check_tckn(data.tckn) if data.tckn.strip() else None
        if values["tckn"]:
            values["vkn"] = None
    if data.tax_office is not None:
        values["tax_office"] = _text(data.tax_office, _("Tax office"), 128)
    if data.address is not None:
        values["address"] = _text(data.address, _("Address"), 1000, multiline=True)
    if data.phone is not None:
        values["phone"] = normalise_phone(data.phone)
    if data.email is not None:
        email = _text(data.email, _("E-mail"), 255)
        if email is not None and not _EMAIL.match(email):
            raise ValidationError(_("{text!r} is not an e-mail address").format(text=email[:40]))
        values["email"] = email
    if data.terms_days is not None:
        values["terms_days"] = check_terms(data.terms_days)
    if data.credit_limit is not None:
        values["credit_limit"] = check_credit_limit(data.credit_limit)
    if data.price_list is not None:
        values["price_list"] = _price_list_id(data.price_list)
    if data.card is not None:
        values["card"] = _text(data.card, _("Account card"), 64)
    if data.notes is not None:
        values["notes"] = _text(data.notes, _("Notes"), 2000, multiline=True)
    if data.member_card is not None:
        values["member"] = _member_id(data.member_card)
    return values


# -- writing ----------------------------------------------------------------------------------


def _link_rows(party_id: int, code: str, name: str, kind: str, values: dict[str, Any], stamp: datetime) -> None:
    """Link (or create) the customer and supplier rows the party's kind needs."""
    row = fast.select_first(m.Party, ("customer", "supplier"), {"id": party_id})
    assert row is not None
    customer_id, supplier_id = row
    changes: dict[str, Any] = {}
    tax_id = values.get("vkn") or values.get("tckn")
    if kind in (CUSTOMER, BOTH) and customer_id is None:
        found = fast.select_first(m.Customer, ("id",), {"code": code})
        if found is not None:
            changes["customer"] = int(found[0])
        else:
            changes["customer"] = fast.insert_one(
                m.Customer,
                {
                    "code": code,
                    "name": name,
                    "name_key": search_key(name),
                    "kind": "wholesale" if values.get("vkn") else "retail",
                    "tax_id": tax_id,
                    "tax_office": values.get("tax_office"),
                    "email": values.get("email"),
                    "address": values.get("address"),
                    "created_at": stamp,
                },
            )
    if kind in (SUPPLIER, BOTH) and supplier_id is None:
        found = fast.select_first(m.Supplier, ("id",), {"code": code})
        if found is not None:
            changes["supplier"] = int(found[0])
        else:
            changes["supplier"] = fast.insert_one(
                m.Supplier,
                {
                    "code": code,
                    "name": name,
                    "vkn": tax_id,
                    "tax_office": values.get("tax_office"),
                    "phone": values.get("phone"),
                    "email": values.get("email"),
                    "address": values.get("address"),
                    "created_at": stamp,
                },
            )
    for column in ("customer", "supplier"):
        if column in changes:
            other = fast.select_first(m.Party, ("code",), {column: changes[column]})
            if other is not None:
                raise ValidationError(
                    _("The {what} {code} already belongs to the account {other}").format(
                        what=_("customer") if column == "customer" else _("supplier"), code=code, other=other[0]
                    )
                )
    if changes:
        fast.update_where(m.Party, changes, {"id": party_id})


def _unique(values: dict[str, Any], party_id: int | None) -> None:
    P = m.Party
    for column, label in (("card", _("account card")),):
        value = values.get(column)
        if value is None:
            continue
        row = fast.select_first(P, ("id", "code"), {column: value})
        if row is not None and row[0] != party_id:
            raise ValidationError(
                _("The {what} {value} is already the account {code}'s").format(what=label, value=value, code=row[1])
            )


def add_party(data: PartyInput, *, now: datetime) -> PartyInfo:
    """Create a party (one transaction); its code must be new."""
    values = checked_values(data)
    stamp = to_db(now)
    with write_tx():
        if fast.select_first(m.Party, ("id",), {"code": values["code"]}) is not None:
            raise ValidationError(_("An account with the code {code} already exists").format(code=values["code"]))
        _unique(values, None)
        party_id = fast.insert_one(m.Party, {**values, "created_at": stamp, "updated_at": stamp})
        _link_rows(party_id, values["code"], values["name"], values["kind"], values, stamp)
    return get_party(party_id)


def update_party(data: PartyInput, *, now: datetime) -> PartyInfo:
    """Change the given fields of the party ``data.code``; a kind that adds a side links its row."""
    values = checked_values(data, partial=True)
    with write_tx():
        current = get_party(values["code"])
        _unique(values, current.id)
        values.pop("code")
        if "kind" in values and current.kind == BOTH and values["kind"] != BOTH:
            gone = SUPPLIER if values["kind"] == CUSTOMER else CUSTOMER
            used = side_use(current.id, gone)
            if used:
                raise ValidationError(
                    _(
                        "{code} has {n} entries or cheques as a {side}, so it stays customer and supplier;"
                        " nothing was changed"
                    ).format(code=current.code, n=used, side=_(KIND_LABELS[gone]))
                )
            values[gone] = None  # unlinked: a later goods receipt (or sale) of that side makes it both again
        elif "kind" in values and {current.kind, values["kind"]} == {CUSTOMER, SUPPLIER}:
            values["kind"] = BOTH
        fast.update_where(m.Party, {**values, "updated_at": to_db(now)}, {"id": current.id})
        merged = {**current.as_json(), **values}
        _link_rows(current.id, current.code, merged["name"], merged["kind"], merged, to_db(now))
    return get_party(current.id)


# The entry kinds (ledger) that only one side of an account has; opening balances, corrections,
# cancellations and bounced cheques belong to either.
_SIDE_ENTRY_KINDS = {
    CUSTOMER: ("sale", "return", "collection", "cheque_in"),
    SUPPLIER: ("receipt", "supplier_return", "payment", "cheque_out", "cheque_endorse"),
}


def side_use(party_id: int, side: str) -> int:
    """How many entries and cheques of ``side`` (customer: sales, returns, collections, cheques
    received from it; supplier: goods receipts, supplier returns, payments, cheques issued or
    endorsed to it) the party has. An account that is both can drop a side only when this is 0."""
    E, C = m.AccountEntry, m.Cheque
    entries = E.select().where((E.party == party_id) & E.kind.in_(_SIDE_ENTRY_KINDS[side])).count()
    if side == CUSTOMER:
        cheques = C.select().where((C.party == party_id) & (C.direction == "received")).count()
    else:
        cheques = C.select().where(((C.party == party_id) & (C.direction == "issued")) | (C.holder == party_id)).count()
    return int(entries) + int(cheques)


def set_active(code: str, active: bool, *, now: datetime) -> PartyInfo:
    with write_tx():
        party = get_party(code)
        fast.update_where(m.Party, {"active": active, "updated_at": to_db(now)}, {"id": party.id})
    return replace(party, active=active)


def party_for_supplier(supplier_id: int, *, now: datetime) -> int:
    """The party of supplier row ``supplier_id``, created (kind ``supplier``, same code and name)
    when the supplier has none yet: every goods receipt lands on an account. Call it inside the
    caller's transaction."""
    row = fast.select_first(m.Party, ("id", "kind"), {"supplier": supplier_id})
    if row is not None:
        return int(row[0])
    supplier = fast.select_first(
        m.Supplier, ("code", "name", "vkn", "tax_office", "phone", "email", "address"), {"id": supplier_id}
    )
    if supplier is None:
        raise NotFound(_("No supplier with id {id}").format(id=supplier_id))
    code, name, vkn, office, phone, email, address = supplier
    stamp = to_db(now)
    existing = fast.select_first(m.Party, ("id", "kind", "supplier"), {"code": code})
    if existing is not None:  # a customer account of the same code becomes both
        party_id, kind, _supplier = existing
        fast.update_where(
            m.Party,
            {"supplier": supplier_id, "kind": BOTH if kind == CUSTOMER else kind, "updated_at": stamp},
            {"id": party_id},
        )
        return int(party_id)
    tax = vkn if vkn and len(vkn) == 10 else None
    tckn = vkn if vkn and len(vkn) == 11 else None
    return fast.insert_one(
        m.Party,
        {
            "code": code,
            "name": name,
            "name_key": search_key(name),
            "kind": SUPPLIER,
            "vkn": tax,
            "tckn": tckn,
            "tax_office": office,
            "phone": phone,
            "email": email,
            "address": address,
            "supplier": supplier_id,
            "created_at": stamp,
            "updated_at": stamp,
        },
    )


def credit_limit_kurus(party_id: int) -> int:
    row = fast.select_first(m.Party, ("credit_limit",), {"id": party_id})
    return 0 if row is None else int(row[0])


def count_parties() -> int:
    return int(m.Party.select(fn.COUNT(m.Party.id)).scalar() or 0)


def display_phone(phone: str | None) -> str:
    """A stored phone (``+905426110277``) as people write it (``0542 611 02 77``); others as stored."""
    if not phone:
        return ""
    if phone.startswith("+90") and len(phone) == 13 and phone[1:].isdigit():
        d = phone[3:]
        return f"0{d[:3]} {d[3:6]} {d[6:8]} {d[8:]}"
    return phone
