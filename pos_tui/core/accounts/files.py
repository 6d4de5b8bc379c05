"""The accounts import (``pos-admin accounts import FILE``): CSV (``,`` ``;`` or tab) or JSON (an
array of objects), English or Turkish headers in any case and accents: ``kod``, ``unvan``/``ad``,
``tür``, ``vkn``, ``tckn``, ``vergi dairesi``, ``adres``, ``telefon``, ``e-posta``, ``vade (gün)``,
``kredi limiti``, ``fiyat listesi``, ``kart``, ``üye kartı``, ``notlar``.

A row whose code exists updates that account (only the columns the row fills in); a new code adds
one (it needs a name). All or nothing: every bad row is named (line, field, reason) in one
:class:`~pos_tui.core.kernel.errors.ImportRejected` and nothing is written. The file conventions
are the other importers' (the kernel's header folding, JSON reader that never makes floats, cell
protection); the interchange readers sit above this area in the layers, so it reads the two
formats itself, like the goods receipts' reader.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.accounts.parties import PartyInput, add_party, checked_values, update_party
from pos_tui.core.kernel.errors import ImportRejected, NotFound, PosError, RowError, ValidationError
from pos_tui.core.kernel.formats import JsonRefused, header_key, load_json, printable, unprotect_cell
from pos_tui.core.kernel.money import NumberRefused, parse_money, shown_text
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
_ALIASES = {alias: canon for canon, names in HEADERS.items() for alias in names}
_INPUT_FIELD = {"account_card": "card"}  # file column -> PartyInput field
MAX_ROWS = 100_000

Record = tuple[int, dict[str, Any]]

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


def _unknown(name: str, line: int) -> RowError:
    return PartyRowError(
        line, printable(name), _("unknown column; the columns are {known}").format(known=", ".join(HEADERS))
    )


def _read_csv(path: Path, errors: list[RowError]) -> list[Record]:
    source = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(
            source, [PartyRowError(1, "-", _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)"))]
        ) from None
    lines = text.splitlines(keepends=True)
    if not lines or not lines[0].strip():
        raise ImportRejected.empty(source)
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        cells = next(csv.reader([lines[0]], delimiter=delimiter), [])
        score = (sum(1 for c in cells if header_key(c) in _ALIASES), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    reader = csv.reader(lines, delimiter=best)
    records: list[Record] = []
    try:
        header = next(reader)
        fields: list[str | None] = []
        for name in header:
            canon = _ALIASES.get(header_key(name)) if name.strip() else None
            if canon is None and name.strip():
                errors.append(_unknown(name.strip(), 1))
            elif canon is not None and canon in fields:
                errors.append(PartyRowError(1, printable(name.strip()), _("column appears twice")))
                canon = None
            fields.append(canon)
        if errors:
            raise ImportRejected(source, errors)
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                errors.append(
                    PartyRowError(
                        start,
                        "-",
                        _("has {n} cells, the header has {width} (a {d} inside a value needs quotes)").format(
                            n=len(cells), width=len(header), d=best
                        ),
                    )
                )
                continue
            records.append(
                (
                    start,
                    {
                        f: unprotect_cell(c.strip()) if c.strip().startswith("'") else c.strip()
                        for f, c in zip(fields, cells, strict=True)
                        if f is not None and c.strip()
                    },
                )
            )
    except csv.Error:
        quote = _("a quote mark is out of place: a quoted value starts and ends with one, a quote inside it is doubled")
        errors.append(PartyRowError(reader.line_num, "-", quote))
    return records


def _read_json(path: Path, errors: list[RowError]) -> list[Record]:
    source = path.name
    try:
        data = load_json(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ImportRejected(source, [PartyRowError(1, "-", _("the file is not UTF-8 text"))]) from None
    except JsonRefused as exc:
        raise ImportRejected(source, [PartyRowError(exc.line, "-", exc.reason)]) from None
    if not isinstance(data, list):
        raise ImportRejected(source, [PartyRowError(1, "-", _("a JSON file is an array of objects"))])
    if not data:
        raise ImportRejected.empty(source)
    records: list[Record] = []
    for index, obj in enumerate(data, start=1):
        if not isinstance(obj, dict):
            errors.append(PartyRowError(index, "-", _("expected an object with the fields")))
            continue
        record: dict[str, Any] = {}
        for key, value in obj.items():
            canon = _ALIASES.get(header_key(str(key)))
            if canon is None:
                errors.append(_unknown(str(key), index))
                continue
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if isinstance(value, (dict, list, bool)):
                errors.append(PartyRowError(index, canon, _("expected a single value, not a list or an object")))
                continue
            record[canon] = value.strip() if isinstance(value, str) else str(value)
        records.append((index, record))
    return records


def _terms(value: str) -> int:
    text = value.strip()
    for suffix in (" gün", " gun", " days", " day"):
        text = text.removesuffix(suffix)
    if not (text.isascii() and text.isdigit() and len(text) <= 5):
        raise ValidationError(_("{text!r} is not a number of days such as 30").format(text=shown_text(value)))
    return int(text)


def _limit(value: str) -> Decimal:
    try:
        return parse_money(value, _("credit limit"))
    except NumberRefused as exc:
        raise ValidationError(exc.reason) from None


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
    records = _read_json(path, errors) if path.suffix.lower() == ".json" else _read_csv(path, errors)
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
