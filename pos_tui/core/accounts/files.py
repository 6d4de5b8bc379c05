"""The accounts import (``pos-admin accounts import FILE``): CSV (``,`` ``;`` or tab) or JSON (an
array of objects), English or Turkish headers in any case and accents: ``kod``, ``unvan``/``ad``,
``tür``, ``vkn``, ``tckn``, ``vergi dairesi``, ``adres``, ``telefon``, ``e-posta``, ``vade (gün)``,
``kredi limiti``, ``fiyat listesi``, ``kart``, ``üye kartı``, ``notlar``.

A row whose code exists updates that account (only the columns the row fills in); a new code adds
one (it needs a name). All or nothing: every bad row is named (line, field, reason) in one
:class:`~pos_tui.core.kernel.errors.ImportRejected` and nothing is written. The file conventions
are the other importers' (the kernel's header folding, JSON reader that never makes floats, cell
protection), through :func:`pos_tui.core.kernel.records.read_rows` like the goods receipts'.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.accounts.parties import PartyInput, add_party, checked_values, update_party
from pos_tui.core.kernel.errors import ImportRejected, NotFound, PosError, RowError, ValidationError
from pos_tui.core.kernel.money import NumberRefused, parse_money, shown_text
from pos_tui.core.kernel.records import read_rows
from pos_tui.i18n import N_, _
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

HEADERS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "kod", "cari_kod", "cari_kodu", "hesap_kodu"),
    "name": ("name", "unvan", "ad", "adi", "ad_soyad", "isim", "firma", "title"),
    "kind": ("kind", "tur", "turu", "tip", "cari_turu", "type"),
    "vkn": ("vkn", "vergi_no", "vergi_numarasi", "vergi_kimlik_no"),
    "tckn": ("tckn", "tc", "tc_no", "tc_kimlik_no", "tckimlik"),
    "tax_office": ("tax_office", "vergi_dairesi", "vd"),
    "address": ("address", "adres"),
    "phone": ("phone", "telefon", "tel", "gsm", "cep"),
    "email": ("email", "e_mail", "e_posta", "eposta", "mail"),
    "terms_days": ("terms", "terms_days", "vade", "vade_gun", "vade_gunu", "odeme_vadesi"),
    "credit_limit": ("credit_limit", "kredi_limiti", "limit", "risk_limiti"),
    "price_list": ("price_list", "fiyat_listesi"),
    "account_card": ("card", "kart", "cari_kart", "hesap_karti"),
    "member_card": ("member_card", "uye_karti", "sadakat_karti"),
    "notes": ("notes", "notlar", "not", "aciklama"),
}
# What an unknown column's error lists: the Turkish names (the English ones work too).
_SHOWN = (
    "kod, unvan, tür, vkn, tckn, vergi dairesi, adres, telefon, e-posta, vade, kredi limiti, fiyat listesi,"
    " kart, üye kartı, notlar"
)
_INPUT_FIELD = {"account_card": "card"}  # file column -> PartyInput field
MAX_ROWS = 100_000


# The columns the shared vocabulary has no word for (it names code, name, kind, VKN, phone...)
_LABELS = {
    "tckn": N_("TCKN"),
    "terms_days": N_("payment terms (days)"),
    "credit_limit": N_("credit limit"),
    "price_list": N_("price list"),
    "account_card": N_("account card"),
    "member_card": N_("member card"),
    "notes": N_("notes"),
    "kind": N_("account kind"),
}


@dataclass(frozen=True, slots=True)
class PartyRowError(RowError):
    """A bad row of an accounts file, its field in the shop's words."""

    def __str__(self) -> str:
        from pos_tui.core.kernel.vocabulary import field_label

        label = _(_LABELS[self.field]) if self.field in _LABELS else field_label(self.field)
        return _("line {line}, {field}: {reason}").format(line=self.line, field=label, reason=self.reason)


@dataclass(frozen=True, slots=True)
class PartiesFile:
    """A file read: its rows as :class:`PartyInput` (with their lines) and every problem found."""

    rows: list[tuple[int, PartyInput]]
    errors: list[RowError]


def _terms(value: str) -> int:
    text = value.strip()
    for suffix in (" gün", " gun", " days", " day"):
        text = text.removesuffix(suffix)
    if not (text.isascii() and text.isdigit() and len(text) <= 5):
        raise ValidationError(_("{text!r} is not a number of days such as 30").format(text=shown_text(value)))
    return int(text)


def _limit(value: str) -> Decimal:
    """The credit limit's amount; the error names no field (the row's error adds it)."""
    try:
        return parse_money(value, _("credit limit"))
    except NumberRefused as exc:
        raise ValidationError(exc.reason) from None
    except ValidationError:
        raise ValidationError(
            _("{text!r} is not an amount such as 12,50 (at most two decimals)").format(text=shown_text(value))
        ) from None


def _row_input(line: int, record: dict[str, Any], errors: list[RowError]) -> PartyInput | None:
    """The row as a :class:`PartyInput`; every bad field is named (each checked on its own)."""
    bad = False

    def add(field: str, reason: str) -> None:
        nonlocal bad
        errors.append(PartyRowError(line, field, reason))
        bad = True

    code = record.get("code")
    if code is None:
        add("code", _("an account code is needed"))
        return None
    values: dict[str, Any] = {}
    for column, value in record.items():
        if column == "code":
            continue
        try:
            if column == "terms_days":
                values[column] = _terms(value)
            elif column == "credit_limit":
                values[column] = _limit(value)
            else:
                values[_INPUT_FIELD.get(column, column)] = value
        except ValidationError as exc:
            add(column, exc.message)
    try:
        checked_values(PartyInput(code=code), partial=True)
    except ValidationError as exc:
        add("code", exc.message)
        return None
    for column, value in values.items():
        if column in ("price_list", "member_card"):
            continue  # looked up when written (they may name rows this file does not hold)
        try:
            checked_values(PartyInput(code=code, **{column: value}), partial=True)
        except PosError as exc:
            add({v: k for k, v in _INPUT_FIELD.items()}.get(column, column), exc.message)
    if "vkn" in values and "tckn" in values:
        add("tckn", _("give either a VKN (a company) or a TCKN (a person), not both"))
    return None if bad else PartyInput(code=code, **values)


def read_parties_file(path: Path) -> PartiesFile:
    """The rows of an accounts file. A file that cannot be read at all (missing, not UTF-8, an
    unknown column, empty) raises :class:`ImportRejected`; bad rows are collected in ``errors``."""
    if not path.exists():
        raise ValidationError(_("{file}: no such file").format(file=path))
    errors: list[RowError] = []
    records = [
        (line, {k: v if isinstance(v, str) else str(v) for k, v in record.items()})
        for line, record in read_rows(path, HEADERS, errors, row_error=PartyRowError, shown=_SHOWN)
    ]
    if not records and not errors:
        raise ImportRejected.empty(path.name)
    if len(records) > MAX_ROWS:
        raise ImportRejected(path.name, [], summary=_("{file}: more than {n} rows").format(file=path.name, n=MAX_ROWS))
    rows: list[tuple[int, PartyInput]] = []
    seen: dict[str, int] = {}
    for line, record in records:
        data = _row_input(line, record, errors)
        if data is None:
            continue
        key = data.code.strip()
        if key in seen:
            errors.append(
                PartyRowError(
                    line, "code", _("the code {code} is already on line {other}").format(code=key, other=seen[key])
                )
            )
            continue
        seen[key] = line
        rows.append((line, data))
    return PartiesFile(rows, errors)


@dataclass(frozen=True, slots=True)
class ImportResult:
    added: int
    updated: int
    codes: list[str]


def import_parties(path: Path, *, now: datetime) -> ImportResult:
    """Read and write the accounts of ``path`` in one transaction (all or nothing)."""
    found = read_parties_file(path)
    errors = list(found.errors)
    added = updated = 0
    codes: list[str] = []
    with write_tx():
        for line, data in found.rows:
            exists = fast.select_first(m.Party, ("id",), {"code": data.code.strip()}) is not None
            try:
                if exists:
                    update_party(data, now=now)
                    updated += 1
                else:
                    if data.name is None:
                        errors.append(PartyRowError(line, "name", _("a new account needs a name (title)")))
                        continue
                    add_party(replace(data, kind=data.kind or "customer"), now=now)
                    added += 1
                codes.append(data.code.strip())
            except (ValidationError, NotFound) as exc:
                errors.append(PartyRowError(line, _field_of(exc, data, "-"), exc.message))
        if errors:
            errors.sort(key=lambda e: e.line)
            raise ImportRejected(path.name, errors)
    return ImportResult(added, updated, codes)


def _field_of(exc: PosError, data: PartyInput, default: str) -> str:
    """The column a write-time error is about (a price list or member card that does not exist,
    an account card already in use)."""
    message = exc.message
    if data.price_list and data.price_list.strip() in message:
        return "price_list"
    if data.member_card and data.member_card.strip() in message:
        return "member_card"
    if data.card and data.card.strip() in message:
        return "account_card"
    return default
