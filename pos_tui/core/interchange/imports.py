"""Imports of master data (products, customers, suppliers) from CSV, JSON and JSONL files.

Files
    * CSV: ``,`` or ``;`` (or tab) separated, chosen from the header line; UTF-8 with or
      without a BOM. Line numbers in errors are the file's physical lines (the header is 1).
      A text cell that an export protected against formula injection (``'=…``) is read back
      without the added ``'`` (:func:`pos_tui.core.kernel.formats.unprotect_cell`).
    * JSON: one array of objects; errors name the object's position (1 for the first).
    * JSONL: one object per line; blank lines are skipped.

Headers are matched case- and accent-insensitively, in English or Turkish
(``kod, barkod, ad, birim, fiyat, maliyet, kdv, kategori, tedarikçi, min_stok, stok``),
so files exported by other Turkish programs load as they are. An unknown column is an
error rather than silently ignored: a misspelt ``stok`` must not leave stock unchanged.

Values: numbers with a decimal comma or point (``12,50``, ``1.234,50``, ``12.50``); several
barcodes joined with ``|``; units ``piece, kg, lt, m`` or Turkish ``adet, kg, lt/litre,
m/metre``. An empty cell means "not given": an existing record keeps its value, a new one
gets the default.

All or nothing: every row is checked first (values, duplicates inside the file, conflicts
with the database) and any bad row raises :class:`ImportRejected` listing every bad row with
its line, field and reason; nothing is written. A successful run writes everything and one
``import`` journal entry in one transaction.
"""

from __future__ import annotations

import csv
import multiprocessing
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar, cast

from peewee import chunked
from stdnum.tr import tckimlik, vkn

from pos_tui.core.catalog.products import ProductInput
from pos_tui.core.catalog.upsert import upsert_numbered
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.clock import shop_day, to_db
from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.core.kernel.formats import (
    JsonRefused,
    detect_format,
    foreign_digits,
    header_key,
    load_json,
    printable,
    text_problem,
    unprotect_cell,
)
from pos_tui.core.kernel.formatting import format_decimal
from pos_tui.core.kernel.money import MILLI, NumberRefused, parse_money, parse_quantity, shown_text
from pos_tui.core.kernel.pan import looks_like_pan
from pos_tui.core.kernel.vocabulary import customer_kind_label, unit_label
from pos_tui.core.loyalty.members.enrolment import add_members, check_new_members, prepare_enrollment
from pos_tui.core.loyalty.members.values import MemberFieldError, NewMember, parse_birth_date
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.text import fold

T = TypeVar("T")
KINDS = ("products", "customers", "suppliers")

Progress = Callable[[int], None]

# Canonical field -> accepted headers (folded; spaces and dashes read as "_").
PRODUCT_HEADERS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "kod", "plu", "urun_kodu", "stok_kodu"),
    "barcode": ("barcode", "barcodes", "barkod", "barkodlar"),
    "name": ("name", "ad", "adi", "urun_adi", "urun", "isim"),
    "unit": ("unit", "birim"),
    "price": ("price", "fiyat", "satis_fiyati"),
    "cost": ("cost", "maliyet", "alis_fiyati"),
    "kdv_rate": ("kdv_rate", "kdv", "kdv_orani", "vat", "vat_rate"),
    "category": ("category", "kategori", "grup"),
    "supplier": ("supplier", "tedarikci", "firma"),
    "min_stock": ("min_stock", "min_stok", "minimum_stok", "kritik_stok"),
    "stock": ("stock", "stok", "stok_miktari", "miktar"),
    "active": ("active", "aktif"),
}
CUSTOMER_HEADERS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "kod", "musteri_kodu", "cari_kodu"),
    "name": ("name", "ad", "adi", "ad_soyad", "unvan", "musteri_adi", "cari_adi"),
    "kind": ("kind", "tur", "tip", "musteri_turu"),
    "phone": ("phone", "telefon", "tel", "gsm", "cep_telefonu"),
    "email": ("email", "e_mail", "eposta", "e_posta", "mail"),
    "tax_id": ("tax_id", "vkn", "tckn", "vkn_tckn", "tckn_vkn", "vergi_no", "tc_kimlik_no"),
    "tax_office": ("tax_office", "vergi_dairesi"),
    "address": ("address", "adres"),
    # Loyalty members (docs/members.md): a row with a card or a yes in "member" enrols the customer.
    "card": ("card", "kart", "kart_no", "kart_numarasi", "uye_kart_no", "member_card", "loyalty_card", "sadakat_karti"),
    "card_kind": ("card_kind", "kart_tipi", "kart_turu"),
    "member": ("member", "loyalty", "uye", "uyelik", "sadakat", "sadakat_uyesi"),
    "consent_sms": ("consent_sms", "sms_consent", "sms_izni", "sms_onayi", "izin_sms"),
    "consent_email": ("consent_email", "email_consent", "eposta_izni", "e_posta_izni", "email_izni", "eposta_onayi"),
    "birth_date": ("birth_date", "birthday", "date_of_birth", "dogum_tarihi"),
}
SUPPLIER_HEADERS: Mapping[str, tuple[str, ...]] = {
    "code": ("code", "kod", "tedarikci_kodu", "cari_kodu"),
    "name": ("name", "ad", "adi", "unvan", "tedarikci_adi", "firma"),
    "vkn": ("vkn", "tax_id", "tckn", "vkn_tckn", "vergi_no"),
    "tax_office": ("tax_office", "vergi_dairesi"),
    "phone": ("phone", "telefon", "tel"),
    "email": ("email", "e_mail", "eposta", "e_posta", "mail"),
    "address": ("address", "adres"),
}
HEADERS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "products": PRODUCT_HEADERS,
    "customers": CUSTOMER_HEADERS,
    "suppliers": SUPPLIER_HEADERS,
}
# Free-text fields: a formula-protected cell in a CSV export is read back without its "'".
TEXT_FIELDS = frozenset({"code", "barcode", "name", "category", "supplier", "tax_office", "address", "email", "card"})

UNIT_ALIASES = {
    "piece": "piece", "pcs": "piece", "pc": "piece", "adet": "piece", "ad": "piece", "tane": "piece",
    "kg": "kg", "kilo": "kg", "kilogram": "kg",
    "lt": "lt", "l": "lt", "litre": "lt", "liter": "lt",
    "m": "m", "metre": "m", "meter": "m", "mt": "m",
}  # fmt: skip
KIND_ALIASES = {
    "retail": "retail", "perakende": "retail", "bireysel": "retail",
    "wholesale": "wholesale", "toptan": "wholesale", "toptanci": "wholesale", "kurumsal": "wholesale",
}  # fmt: skip
TRUE_WORDS = frozenset({"1", "true", "yes", "y", "evet", "e", "aktif", "active", "var"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "hayir", "h", "pasif", "inactive", "passive", "yok"})

# ASCII digits only: ``\d`` would also take ``١٠`` and full-width digits (README, "Importing").
_PLAIN_MONEY = re.compile(r"[0-9]{1,13}(?:[.,][0-9]{1,2})?")
_PLAIN_INT = re.compile(r"[0-9]{1,12}")
_KDV = re.compile(r"%?\s*([0-9]{1,3})(?:[.,]0{1,3})?\s*%?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE_NOISE = re.compile(r"[\s\-().\/]")


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did (or, with ``dry_run``, would do)."""

    kind: str
    source: str
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    members: int = 0  # customers: loyalty members enrolled (or, with dry_run, that would be)

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "file": self.source,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "dry_run": self.dry_run,
        }
        if self.kind == "customers":
            data["members"] = self.members
        return data


# ---------------------------------------------------------------------------------------------
# Reading files


class _Columns:
    """Maps the file's field names to canonical ones and remembers how the file spelt them."""

    def __init__(self, kind: str, source: str) -> None:
        self.kind = kind
        self.source = source
        self.aliases = {alias: canon for canon, names in HEADERS[kind].items() for alias in names}
        self.spelling: dict[str, str] = {}

    def canonical(self, name: str) -> str | None:
        canon = self.aliases.get(header_key(name))
        if canon is not None:
            self.spelling.setdefault(canon, printable(name.strip().lstrip("\ufeff")))
        return canon

    def unknown(self, name: str, line: int) -> RowError:
        known = ", ".join(HEADERS[self.kind])
        return RowError(line, name, _("unknown column; the columns are {known}").format(known=known))

    def shown(self, field: str) -> str:
        return self.spelling.get(field, field)


Record = tuple[int, dict[str, Any]]


# The csv module's own limit on a cell; a header line longer than that is not a header.
CELL_LIMIT = csv.field_size_limit()


def _csv_problem(exc: csv.Error) -> str:
    """The csv module's complaint in the shop's words (its own text is English)."""
    if "field larger than field limit" in str(exc):
        return _("a cell is longer than {n} characters").format(n=format_decimal(CELL_LIMIT))
    return _("a quote mark is out of place: a quoted value starts and ends with one, a quote inside it is doubled")


def _sniff_delimiter(header_line: str, columns: _Columns) -> str:
    best, best_score = ",", (-1, -1)
    for delimiter in (",", ";", "\t"):
        try:
            cells = next(csv.reader([header_line], delimiter=delimiter), [])
        except csv.Error:
            continue
        score = (sum(1 for c in cells if columns.aliases.get(header_key(c))), len(cells))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(path: Path, columns: _Columns, errors: list[RowError]) -> Iterator[Record]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        try:
            first = f.readline(CELL_LIMIT + 1)
        except UnicodeDecodeError:
            raise _not_utf8(columns.source, 1) from None
        if len(first) > CELL_LIMIT:
            raise ImportRejected(
                columns.source,
                [
                    RowError(
                        1, "-", _("the header line is longer than {n} characters").format(n=format_decimal(CELL_LIMIT))
                    )
                ],
            )
        if not first.strip():
            raise ImportRejected(columns.source, [RowError(1, "-", _("the file is empty; it needs a header line"))])
        delimiter = _sniff_delimiter(first, columns)
        f.seek(0)
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        line = 1
        try:
            header = next(reader)
            fields: list[str | None] = []
            for name in header:
                canon = columns.canonical(name) if name.strip() else None
                if canon is None and name.strip():
                    errors.append(columns.unknown(printable(name.strip()), 1))
                elif canon is not None and canon in fields:
                    errors.append(RowError(1, printable(name.strip()), _("column appears twice")))
                    canon = None
                fields.append(canon)
            if errors:
                raise ImportRejected(columns.source, errors)
            width = len(header)
            wanted = [(i, field, field in TEXT_FIELDS) for i, field in enumerate(fields) if field is not None]
            line = reader.line_num + 1
            for cells in reader:
                start, line = line, reader.line_num + 1
                if len(cells) != width:
                    if not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue
                    reason = _("has {n} cells, the header has {width} (a {d} inside a value needs quotes)")
                    errors.append(
                        RowError(
                            start,
                            "-",
                            reason.format(n=len(cells), width=width, d=_("tab") if delimiter == "\t" else delimiter),
                        )
                    )
                    continue
                record: dict[str, Any] = {}
                for i, field, is_text in wanted:
                    text = cells[i].strip()
                    if text:
                        record[field] = unprotect_cell(text) if is_text and text[0] == "'" else text
                if record:
                    yield start, record
        except UnicodeDecodeError:
            raise _not_utf8(columns.source, _first_bad_line(path)) from None
        except csv.Error as exc:
            raise ImportRejected(columns.source, [*errors, RowError(reader.line_num, "-", _csv_problem(exc))]) from None


def _first_bad_line(path: Path) -> int:
    """The first physical line of ``path`` that is not UTF-8 text (the text reader fails a
    buffer ahead of the line it is on, so its own line count is too early)."""
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1


def _not_utf8(source: str, line: int) -> ImportRejected:
    return ImportRejected(source, [RowError(line, "-", _("the file is not UTF-8 text; save it as UTF-8 (CSV UTF-8)"))])


def _json_record(obj: Any, line: int, columns: _Columns, errors: list[RowError], unknown: set[str]) -> Record | None:
    if not isinstance(obj, dict):
        errors.append(
            RowError(line, "-", _("expected an object with the fields, found {type}").format(type=type(obj).__name__))
        )
        return None
    record: dict[str, Any] = {}
    for key, value in obj.items():
        canon = columns.canonical(str(key))
        if canon is None:
            if key not in unknown:
                unknown.add(key)
                errors.append(columns.unknown(printable(str(key)), line))
            continue
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, dict) or (isinstance(value, list) and canon != "barcode"):
            errors.append(RowError(line, canon, _("expected a single value, not a list or an object")))
            continue
        record[canon] = value.strip() if isinstance(value, str) else value
    return line, record


def _read_json(path: Path, columns: _Columns, errors: list[RowError]) -> Iterator[Record]:
    try:
        data = load_json(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise _not_utf8(columns.source, 1) from None
    except JsonRefused as exc:
        raise ImportRejected(columns.source, [RowError(exc.line, "-", exc.reason)]) from None
    if not isinstance(data, list):
        raise ImportRejected(columns.source, [RowError(1, "-", _("a JSON import is an array of objects"))])
    unknown: set[str] = set()
    for index, obj in enumerate(data, start=1):
        record = _json_record(obj, index, columns, errors, unknown)
        if record is not None:
            yield record


def _read_jsonl(path: Path, columns: _Columns, errors: list[RowError]) -> Iterator[Record]:
    unknown: set[str] = set()
    with path.open(encoding="utf-8-sig") as f:
        line = 0
        try:
            for line, text in enumerate(f, start=1):
                if not text.strip():
                    continue
                try:
                    obj = load_json(text)
                except JsonRefused as exc:
                    errors.append(RowError(line, "-", exc.reason))
                    continue
                record = _json_record(obj, line, columns, errors, unknown)
                if record is not None:
                    yield record
        except UnicodeDecodeError:
            raise _not_utf8(columns.source, _first_bad_line(path)) from None


def read_records(path: Path, kind: str, fmt: str, errors: list[RowError], columns: _Columns) -> Iterator[Record]:
    """The file's rows as ``(line, {canonical field: value})``; problems of shape go to ``errors``."""
    reader = {"csv": _read_csv, "json": _read_json, "jsonl": _read_jsonl}[fmt]
    if _blank(path):
        raise ImportRejected.empty(columns.source)
    return reader(path, columns, errors)


def _blank(path: Path) -> bool:
    """Whether ``path`` holds nothing but white space (or a byte-order mark): an empty file,
    not a file with a bad first row."""
    with path.open("rb") as f:
        head = f.read(1 << 16)
        return not head.removeprefix(b"\xef\xbb\xbf").strip() and not f.read(1)


# ---------------------------------------------------------------------------------------------
# Values


class _RowProblems:
    """Collects the problems of one row so that every bad field is reported, not just the first."""

    __slots__ = ("count", "errors", "line")

    def __init__(self, line: int, errors: list[RowError]) -> None:
        self.line = line
        self.errors = errors
        self.count = 0

    def add(self, field: str, reason: str) -> None:
        self.errors.append(RowError(self.line, field, reason))
        self.count += 1


def _text(
    value: Any, field: str, row: _RowProblems, limit: int = 255, *, code: bool = False, multiline: bool = False
) -> str | None:
    """A text field: at most ``limit`` characters, no control characters, bidi overrides or
    broken characters (:func:`~pos_tui.core.kernel.formats.text_problem`; line breaks only
    with ``multiline``); a ``code`` also takes only the digits 0-9 (README, "Importing")."""
    if isinstance(value, (bool, list, dict)):
        row.add(field, _("expected text"))
        return None
    text = value if type(value) is str else str(value)
    if text.strip() != text:
        text = text.strip()
    if len(text) > limit:
        row.add(field, _("is longer than {n} characters").format(n=limit))
        return None
    problem = text_problem(text, multiline=multiline)
    if problem is not None:
        row.add(field, problem)
        return None
    if code and foreign_digits(text):
        row.add(field, _("has digits other than 0-9; a code is written with the digits 0-9"))
        return None
    if looks_like_pan(text):
        row.add(field, _("looks like a card number; card numbers are never stored"))
        return None
    return text or None


def money_value(value: Any, field: str, row: _RowProblems) -> Decimal | None:
    """An amount: ``12,50``, ``12.50``, ``1.234,50`` (or a JSON number); never a float."""
    if type(value) is str and _PLAIN_MONEY.fullmatch(value):  # the common case, without the general parser
        return Decimal(value.replace(",", "."))
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        row.add(field, _("expected an amount such as 12,50"))
        return None
    text = str(value)
    return _parsed(parse_money, text, field, row, _("{text!r} is not an amount such as 12,50 (at most two decimals)"))


def quantity_value(value: Any, field: str, row: _RowProblems) -> int | None:
    """A quantity (``3``, ``1,5``, ``0.250``) in milli-units."""
    if type(value) is str and _PLAIN_INT.fullmatch(value):
        return int(value) * MILLI
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        row.add(field, _("expected a quantity such as 1,5"))
        return None
    text = str(value)
    if _PLAIN_INT.fullmatch(text):
        return int(text) * MILLI
    return _parsed(
        parse_quantity, text, field, row, _("{text!r} is not a quantity such as 1,5 (at most three decimals)")
    )


def _parsed(parse: Callable[[str, str], T], text: str, field: str, row: _RowProblems, wrong: str) -> T | None:
    """``parse(text, field)``, or None with the row's error: the parser's own reason when it
    refuses a number (too large, foreign digits), else ``wrong`` with the text shown safely."""
    try:
        return parse(text, field)
    except NumberRefused as exc:
        row.add(field, exc.reason)
    except ValidationError:
        row.add(field, wrong.format(text=shown_text(text)))
    return None


def kdv_value(value: Any, field: str, row: _RowProblems, rates: Sequence[int]) -> int | None:
    """A KDV rate in percent: ``20``, ``%20``, ``20%``; must be one of the configured rates."""
    if type(value) is str and len(value) <= 3 and value.isascii() and value.isdigit() and int(value) in rates:
        return int(value)
    if type(value) is int and value in rates:
        return value
    text = str(value).strip()
    match = None if isinstance(value, bool) else _KDV.fullmatch(text)
    if match is None:
        row.add(field, _("{text!r} is not a KDV rate such as 20").format(text=shown_text(text)))
        return None
    rate = int(match.group(1))
    if rate not in rates:
        row.add(field, _("KDV rate {rate} is not one of {rates}").format(rate=rate, rates=", ".join(map(str, rates))))
        return None
    return rate


def _bool_value(value: Any, field: str, row: _RowProblems) -> bool | None:
    if isinstance(value, bool):
        return value
    word = fold(str(value).strip())
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    row.add(field, _("{text!r} is not yes/no (true/false, evet/hayır, 1/0)").format(text=shown_text(str(value))))
    return None


def _choice(
    value: Any, field: str, row: _RowProblems, aliases: Mapping[str, str], label: Callable[[str], str]
) -> str | None:
    if isinstance(value, str) and value in aliases:  # written exactly as an alias: no folding needed
        return aliases[value]
    key = header_key(str(value))
    if key in aliases:
        return aliases[key]
    choices = ", ".join(sorted({label(code) for code in aliases.values()}))  # the shop's words, all accepted
    row.add(field, _("{text!r} is not one of {choices}").format(text=shown_text(str(value)), choices=choices))
    return None


def _barcodes(value: Any, field: str, row: _RowProblems) -> tuple[str, ...] | None:
    if type(value) is str and value and "|" not in value:  # one barcode, a stripped CSV cell
        return (value,) if value.strip() == value and text_problem(value) is None else _barcodes([value], field, row)
    if isinstance(value, list):
        if any(isinstance(v, (list, dict)) for v in value):
            row.add(field, _("expected barcodes joined with |"))
            return None
        parts = [str(v).strip() for v in value if v is not None]
    elif isinstance(value, (str, int)) and not isinstance(value, bool):
        parts = [p.strip() for p in str(value).split("|")]
    else:
        row.add(field, _("expected barcodes joined with |"))
        return None
    found = tuple(p for p in parts if p)
    for part in found:
        problem = text_problem(part)
        if problem is not None:
            row.add(field, problem)
            return None
    return found or None


def normalize_phone(text: str) -> str:
    """A phone number in international form: ``0532 123 45 67`` → ``+905321234567``.

    Turkish numbers are written many ways (``0532…``, ``532…``, ``90532…``, ``+90 (532)…``,
    ``0090…``); they must have 10 national digits, starting with 2, 3, 4 (land lines), 5
    (mobiles) or 8 (``850``). Other countries' numbers need their ``+`` code. Loyalty members
    need a mobile (they get SMS): :func:`pos_tui.core.loyalty.members.normalize_mobile`.
    """
    raw = _PHONE_NOISE.sub("", text.strip())
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+"):
        digits = raw[1:]
        if not digits.isascii() or not digits.isdigit() or not 8 <= len(digits) <= 15:
            raise ValidationError(_("{text!r} is not a phone number").format(text=shown_text(text)))
        if not digits.startswith("90"):
            return "+" + digits
        national = digits[2:]
    else:
        if not raw.isascii() or not raw.isdigit():
            raise ValidationError(_("{text!r} is not a phone number").format(text=shown_text(text)))
        national = raw[1:] if raw.startswith("0") else raw
        if len(national) == 12 and national.startswith("90"):
            national = national[2:]
    if len(national) != 10 or national[0] not in "23458":
        raise ValidationError(
            _("{text!r} is not a Turkish phone number (10 digits, such as 0532 123 45 67)").format(
                text=shown_text(text)
            )
        )
    return "+90" + national


def check_tax_id(text: str) -> str:
    """A VKN (10 digits) or TCKN (11 digits) with valid check digits; returns the digits."""
    digits = re.sub(r"\s", "", text)
    text = printable(text)
    if not digits.isascii():
        raise ValidationError(_("{text}: a VKN has 10 digits, a TCKN 11").format(text=text))
    if len(digits) == 10 and vkn.is_valid(digits):
        return digits
    if len(digits) == 11 and tckimlik.is_valid(digits):
        return digits
    if len(digits) in (10, 11) and digits.isascii() and digits.isdigit():
        what = "VKN" if len(digits) == 10 else "TCKN"
        raise ValidationError(_("{text}: not a valid {what} (check digits)").format(text=text, what=what))
    raise ValidationError(_("{text}: a VKN has 10 digits, a TCKN 11").format(text=text))


# ---------------------------------------------------------------------------------------------
# Products


_UNSET: Any = object()


class _ProductRows:
    """Turns records into :class:`ProductInput` rows.

    Units, KDV rates, categories, suppliers, stock levels and yes/no cells repeat across a
    catalogue: each distinct cell is converted once and remembered (only when it was good, so
    every bad cell is still reported on its own line). The memory stays bounded."""

    LIMIT = 50_000

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.memo: dict[tuple[str, type, Any], Any] = {}

    def _repeated(self, field: str, value: Any, row: _RowProblems, convert: Callable[[], Any]) -> Any:
        key = (field, type(value), value)
        found = self.memo.get(key, _UNSET)
        if found is not _UNSET:
            return found
        errors = row.count
        result = convert()
        if row.count == errors and len(self.memo) < self.LIMIT:
            self.memo[key] = result
        return result

    def __call__(self, record: dict[str, Any], row: _RowProblems) -> ProductInput | None:
        get, memo = record.get, self._repeated
        code = None if (v := get("code")) is None else _text(v, "code", row, 64, code=True)
        barcodes = None if (v := get("barcode")) is None else _barcodes(v, "barcode", row)
        name = None if (v := get("name")) is None else _text(v, "name", row)
        unit = (
            None
            if (v := get("unit")) is None
            else memo("unit", v, row, lambda: _choice(v, "unit", row, UNIT_ALIASES, unit_label))
        )
        price = None if (v := get("price")) is None else money_value(v, "price", row)
        cost = None if (v := get("cost")) is None else money_value(v, "cost", row)
        rates = self.settings.kdv_rates
        kdv = (
            None
            if (v := get("kdv_rate")) is None
            else memo("kdv_rate", v, row, lambda: kdv_value(v, "kdv_rate", row, rates))
        )
        category = (
            None if (v := get("category")) is None else memo("category", v, row, lambda: _text(v, "category", row, 128))
        )
        supplier = (
            None if (v := get("supplier")) is None else memo("supplier", v, row, lambda: _text(v, "supplier", row))
        )
        min_stock = (
            None
            if (v := get("min_stock")) is None
            else memo("min_stock", v, row, lambda: quantity_value(v, "min_stock", row))
        )
        stock = None if (v := get("stock")) is None else memo("stock", v, row, lambda: quantity_value(v, "stock", row))
        active = None if (v := get("active")) is None else memo("active", v, row, lambda: _bool_value(v, "active", row))
        if row.count:
            return None
        return ProductInput(code, barcodes, name, unit, price, cost, kdv, category, supplier, min_stock, stock, active)


def _count_rows(records: Iterator[Record], progress: Progress | None) -> Iterator[Record]:
    if progress is None:
        yield from records
        return
    pending = 0
    for record in records:
        yield record
        pending += 1
        if pending == 1000:
            progress(pending)
            pending = 0
    if pending:
        progress(pending)


def _journal(kind: str, source: str, report: ImportReport, settings: Settings, now: datetime) -> None:
    if report.created or report.updated or report.members:
        payload: dict[str, Any] = {
            "kind": kind,
            "file": source,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if report.members:
            payload["members"] = report.members
        journal.append("import", payload, terminal=settings.terminal_id, now=now)


def _rejected(source: str, errors: list[RowError], columns: _Columns) -> ImportRejected:
    shown = [RowError(e.line, columns.shown(e.field), e.reason) for e in errors]
    shown.sort(key=lambda e: e.line)
    return ImportRejected(source, shown)


# A products file this big is read and checked by a second process while this one writes:
# both are Python work, and two processes use two cores (bytes; about 40,000 rows).
PARSE_APART = 4 << 20
_BATCH = 2000  # rows sent to the writing process at a time


def _product_rows(
    path: Path, fmt: str, columns: _Columns, errors: list[RowError], settings: Settings, progress: Progress
) -> Iterator[tuple[int, ProductInput]]:
    """The file's good rows as ``(line, row)``; bad rows' problems go to ``errors``."""
    product_row = _ProductRows(settings)
    try:
        for line, record in read_records(path, "products", fmt, errors, columns):
            product = product_row(record, _RowProblems(line, errors))
            if product is not None:
                yield line, product
            else:
                progress(1)
    except ImportRejected as exc:  # the file itself is refused (header, encoding, quotes)
        raise _FileRefused(exc) from None


def _product_rows_apart(
    path: Path, fmt: str, columns: _Columns, errors: list[RowError], settings: Settings, progress: Progress
) -> Iterator[tuple[int, ProductInput]]:
    """:func:`_product_rows`, read and checked by a forked process that sends the rows over a
    pipe, a batch at a time (the pipe's buffer keeps it at most a batch or two ahead)."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_send_product_rows, args=(send, path, fmt, settings), daemon=True)
    child.start()
    send.close()
    try:
        while True:
            kind, *payload = receive.recv()
            if kind == "rows":
                batch, found, bad = payload
                errors.extend(found)
                progress(bad)
                yield from batch
            elif kind == "done":
                columns.spelling.update(payload[0])
                return
            elif kind == "refused":
                source, refused, summary = payload
                raise _FileRefused(ImportRejected(source, refused, summary=summary))
            else:
                raise RuntimeError(f"reading {path.name} failed: {payload[0]}")
    finally:
        receive.close()
        if child.is_alive():
            child.kill()
        child.join()


def _send_product_rows(send: Any, path: Path, fmt: str, settings: Settings) -> None:
    """The forked reader: :func:`_product_rows` in batches down the pipe, with the problems and
    the count of bad rows since the last batch. It never touches the database (the parent's
    connection is left alone)."""
    errors: list[RowError] = []
    columns = _Columns("products", path.name)
    bad = [0]

    def count_bad(n: int) -> None:
        bad[0] += n

    try:
        rows = _product_rows(path, fmt, columns, errors, settings, count_bad)
        sent = 0
        while True:
            batch = list(islice(rows, _BATCH))
            send.send(("rows", batch, errors[sent:], bad[0]))
            sent, bad[0] = len(errors), 0
            if len(batch) < _BATCH:
                break
        send.send(("done", columns.spelling))
    except _FileRefused as refused:
        exc = refused.rejected
        send.send(("refused", exc.source, exc.errors, exc.message))
    except BaseException as exc:  # said to the parent, which raises it there
        send.send(("failed", repr(exc)))
    finally:
        send.close()


class _FileRefused(Exception):
    """Carries the reader's refusal of the whole file out of the streamed upsert unchanged."""

    def __init__(self, rejected: ImportRejected) -> None:
        self.rejected = rejected


def import_products(
    path: Path,
    *,
    now: datetime,
    settings: Settings,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import products from ``path`` (upsert by code, or by barcode for rows without a code).

    All or nothing: raises :class:`ImportRejected` listing every bad row, or writes every row,
    the stock movements for changed stock levels and one ``import`` journal entry in one
    transaction. A CSV or JSONL file is streamed: rows are checked and written a chunk at a
    time (:func:`~pos_tui.core.catalog.upsert.upsert_numbered`), never all held in memory (a
    JSON array is parsed whole first); a big file is read and checked by a second process
    (:data:`PARSE_APART`).
    ``progress(n)`` is called as rows are done (one call per file row, good or bad).
    """
    path = Path(path)
    fmt = detect_format(path, fmt)
    source = path.name
    columns = _Columns("products", source)
    errors: list[RowError] = []
    apart = path.stat().st_size >= PARSE_APART
    read = _product_rows_apart if apart else _product_rows
    good = read(path, fmt, columns, errors, settings, progress or (lambda n: None))

    with write_tx():
        try:
            result = upsert_numbered(
                good,
                now=now,
                kdv_rates=settings.kdv_rates,
                default_kdv_rate=settings.default_kdv_rate,
                source=source,
                dry_run=dry_run,
                progress=progress,
            )
        except _FileRefused as refused:
            raise refused.rejected from None
        except ImportRejected as exc:
            raise _rejected(source, errors + exc.errors, columns) from None
        if errors:
            raise _rejected(source, errors, columns)
        rows = result.created + result.updated + result.unchanged
        report = ImportReport("products", source, rows, result.created, result.updated, result.unchanged, dry_run)
        if not dry_run:
            _journal("products", source, report, settings, now)
    return report


# ---------------------------------------------------------------------------------------------
# Customers and suppliers


@dataclass(frozen=True, slots=True)
class _Party:
    line: int
    code: str
    values: dict[str, Any]  # only the fields the row gives
    member: dict[str, Any] | None = None  # customers: the row also enrols a loyalty member


def _party_row(kind: str, record: dict[str, Any], row: _RowProblems) -> _Party | None:
    code = _text(record.get("code"), "code", row, 64, code=True) if "code" in record else None
    if code is None and row.count == 0:
        row.add("code", _("every row needs a code"))
    values: dict[str, Any] = {}
    if "name" in record:
        values["name"] = _text(record["name"], "name", row)
    for field in ("tax_office", "address"):
        if field in record:
            values[field] = _text(
                record[field], field, row, 128 if field == "tax_office" else 2000, multiline=field == "address"
            )
    if "email" in record:
        email = _text(record["email"], "email", row)
        if email is not None and not _EMAIL.fullmatch(email):
            row.add("email", _("{text!r} is not an e-mail address").format(text=email))
        values["email"] = email
    if "phone" in record:
        try:
            values["phone"] = normalize_phone(str(record["phone"]))
        except ValidationError as exc:
            row.add("phone", exc.message)
    tax_field = "tax_id" if kind == "customers" else "vkn"
    if tax_field in record:
        try:
            values[tax_field] = check_tax_id(str(record[tax_field]))
        except ValidationError as exc:
            row.add(tax_field, exc.message)
    if kind == "customers" and "kind" in record:
        values["kind"] = _choice(record["kind"], "kind", row, KIND_ALIASES, customer_kind_label)
    member = _member_columns(record, row) if kind == "customers" else None
    if row.count or code is None:
        return None
    return _Party(row.line, code, values, member)


def _member_columns(record: dict[str, Any], row: _RowProblems) -> dict[str, Any] | None:
    """The loyalty columns of a customer row: None when the row enrols no member (no card
    and no yes in ``member``); consent or a birth date without a member is an error."""
    wanted = None if "member" not in record else _bool_value(record["member"], "member", row)
    card = None if "card" not in record else _text(record["card"], "card", row, 128, code=True)
    card_kind = None if "card_kind" not in record else _text(record["card_kind"], "card_kind", row, 16)
    consent = {
        field: _bool_value(record[field], field, row) if field in record else False
        for field in ("consent_sms", "consent_email")
    }
    birth = None
    if "birth_date" in record:
        try:
            birth = parse_birth_date(str(record["birth_date"]))
        except ValidationError as exc:
            row.add("birth_date", exc.message)
    if wanted is False and card is not None:
        row.add("member", _("says no, but the row gives a member card"))
        return None
    if not wanted and card is None:
        for field in ("consent_sms", "consent_email", "birth_date", "card_kind"):
            if consent.get(field) or (field == "birth_date" and birth) or (field == "card_kind" and card_kind):
                row.add(field, _("is kept for loyalty members only; give a card or member = yes"))
        return None
    return {"card": card, "card_kind": card_kind, "birth_date": birth, **consent}


def _enroll_members(parties: list[_Party], errors: list[RowError], *, now: datetime, tz: str, dry_run: bool) -> int:
    """Enrol the members the rows ask for (customers already written unless ``dry_run``);
    checks every row into ``errors`` first and writes nothing when there is one. A customer
    who already has a member is left as they are. Returns how many were (or would be) enrolled."""
    rows = [p for p in parties if p.member is not None]
    if not rows:
        return 0
    customers: dict[str, tuple[Any, ...]] = {}
    codes = [p.code for p in rows]
    c = m.Customer
    for chunk in chunked(codes, 500):
        for found in cast(Any, c.select(c.code, c.id, c.name, c.phone, c.email).where(c.code.in_(chunk)).tuples()):
            customers[found[0]] = found[1:]
    enrolled = {
        customer_id
        for chunk in chunked([v[0] for v in customers.values()], 500)
        for (customer_id,) in cast(Any, m.Member.select(m.Member.customer).where(m.Member.customer.in_(chunk)).tuples())
    }
    today = shop_day(now, tz)
    plans: list[NewMember] = []
    lines: list[int] = []
    for party in rows:
        stored = customers.get(party.code)
        if stored is not None and stored[0] in enrolled:
            continue
        given = party.values
        spec = party.member or {}
        try:
            plan = prepare_enrollment(
                name=given.get("name") or (stored[1] if stored else "") or "",
                phone=given.get("phone") or (stored[2] if stored else None),
                email=given.get("email") or (stored[3] if stored else None),
                birth_date=spec.get("birth_date"),
                card=spec.get("card"),
                card_kind=spec.get("card_kind"),
                consent_sms=bool(spec.get("consent_sms")),
                consent_email=bool(spec.get("consent_email")),
                today=today,
                customer_id=stored[0] if stored else None,
            )
        except MemberFieldError as exc:
            errors.append(RowError(party.line, exc.field, exc.message))
            continue
        plans.append(plan)
        lines.append(party.line)
    for index, field, reason in check_new_members(plans):
        errors.append(RowError(lines[index], field, reason))
    if errors or dry_run:
        return len(plans)
    add_members(plans, source="import", actor=None, now=now)
    return len(plans)


def _upsert_parties(
    kind: str, parties: list[_Party], errors: list[RowError], now: datetime, dry_run: bool
) -> tuple[int, int, int]:
    """Create or update customers or suppliers by code; checks conflicts into ``errors``."""
    model: Any = m.Customer if kind == "customers" else m.Supplier
    seen: dict[str, int] = {}
    for party in parties:
        if party.code in seen:
            errors.append(
                RowError(
                    party.line,
                    "code",
                    _("code {code} is also on line {line}").format(code=party.code, line=seen[party.code]),
                )
            )
        else:
            seen[party.code] = party.line
    if len(seen) > 500:  # a big file: one pass over the table beats many IN lists
        existing = {row.code: row for row in model.select()}
    else:
        existing = {row.code: row for row in model.select().where(model.code.in_(list(seen)))} if seen else {}

    phone_owner: dict[str, str] = {}
    if kind == "customers":
        phones_in_file: dict[str, int] = {}
        for party in parties:
            phone = party.values.get("phone")
            if phone is None:
                continue
            if phone in phones_in_file:
                errors.append(
                    RowError(
                        party.line,
                        "phone",
                        _("phone {phone} is also on line {line}").format(phone=phone, line=phones_in_file[phone]),
                    )
                )
            else:
                phones_in_file[phone] = party.line
        new_phone = {p.code: p.values["phone"] for p in parties if "phone" in p.values}
        for phones in chunked(list(phones_in_file), 500):
            for customer in model.select(model.code, model.phone).where(model.phone.in_(phones)):
                phone_owner[customer.phone] = customer.code
        for party in parties:
            phone = party.values.get("phone")
            owner = phone_owner.get(phone) if phone else None
            if owner is not None and owner != party.code and new_phone.get(owner, phone) == phone:
                errors.append(
                    RowError(
                        party.line,
                        "phone",
                        _("phone {phone} already belongs to customer {other}").format(phone=phone, other=owner),
                    )
                )

    creates: list[_Party] = []
    updates: list[tuple[_Party, Any]] = []
    unchanged = 0
    for party in parties:
        stored = existing.get(party.code)
        if stored is None:
            if not party.values.get("name"):
                errors.append(RowError(party.line, "name", _("a new record needs a name")))
            creates.append(party)
        elif any(getattr(stored, field) != value for field, value in party.values.items() if value is not None):
            updates.append((party, stored))
        else:
            unchanged += 1
    if errors or dry_run:
        return len(creates), len(updates), unchanged

    stamp = to_db(now)
    if kind == "customers":
        moving = [s.id for p, s in updates if p.values.get("phone") and p.values["phone"] != s.phone]
        if moving:
            model.update(phone=None).where(model.id.in_(moving)).execute()
    for party, stored in updates:
        changes = {field: value for field, value in party.values.items() if value is not None}
        if kind == "customers" and "name" in changes:
            changes["name_key"] = fold(changes["name"])
        model.update(**changes).where(model.id == stored.id).execute()
    batch: list[dict[str, Any]] = []
    for party in creates:
        values = {k: v for k, v in party.values.items() if v is not None}
        values.update(code=party.code, created_at=stamp)
        if kind == "customers":
            values["name_key"] = fold(values["name"])
            values.setdefault("kind", "retail")
        batch.append(values)
    fields = sorted({key for values in batch for key in values})
    rows = [tuple(values.get(key) for key in fields) for values in batch]
    for chunk in chunked(rows, 200):
        model.insert_many(chunk, fields=[getattr(model, key) for key in fields]).execute()
    return len(creates), len(updates), unchanged


def _import_parties(
    kind: str,
    path: Path,
    *,
    now: datetime,
    settings: Settings,
    fmt: str | None,
    dry_run: bool,
    progress: Progress | None,
) -> ImportReport:
    path = Path(path)
    fmt = detect_format(path, fmt)
    source = path.name
    columns = _Columns(kind, source)
    errors: list[RowError] = []
    parties: list[_Party] = []
    for line, record in _count_rows(read_records(path, kind, fmt, errors, columns), progress):
        party = _party_row(kind, record, _RowProblems(line, errors))
        if party is not None:
            parties.append(party)
    with write_tx():
        created, updated, unchanged = _upsert_parties(kind, parties, errors, now, dry_run or bool(errors))
        enrolled = 0
        if kind == "customers":
            tz = settings.shop.timezone
            enrolled = _enroll_members(parties, errors, now=now, tz=tz, dry_run=dry_run or bool(errors))
        if errors:
            raise _rejected(source, errors, columns)
        report = ImportReport(kind, source, len(parties), created, updated, unchanged, dry_run, enrolled)
        if not dry_run:
            _journal(kind, source, report, settings, now)
    if progress is not None:
        progress(len(parties))
    return report


def import_customers(
    path: Path,
    *,
    now: datetime,
    settings: Settings,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import customers (upsert by code): phones normalised to ``+90…`` and unique, VKN/TCKN
    check digits validated, ``kind`` retail or wholesale (``perakende``/``toptan``). A row with
    a ``card`` or a yes in ``member`` also enrols the customer as a loyalty member (with
    ``consent_sms``, ``consent_email``, ``birth_date``, ``card_kind``; see docs/members.md),
    unless they already are one. All or nothing."""
    return _import_parties("customers", path, now=now, settings=settings, fmt=fmt, dry_run=dry_run, progress=progress)


def import_suppliers(
    path: Path,
    *,
    now: datetime,
    settings: Settings,
    fmt: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import suppliers (upsert by code), VKN/TCKN validated. All or nothing."""
    return _import_parties("suppliers", path, now=now, settings=settings, fmt=fmt, dry_run=dry_run, progress=progress)


IMPORTERS: Mapping[str, Callable[..., ImportReport]] = {
    "products": import_products,
    "customers": import_customers,
    "suppliers": import_suppliers,
}
