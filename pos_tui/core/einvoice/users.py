"""GİB's registered e-Fatura users: the local copy that decides e-Fatura or e-Arşiv (docs/einvoice-users.md).

:func:`import_users` reads the lists integrators and GİB hand out and **replaces** the stored list with
them (the list is a snapshot of who is registered today, not a log):

- a CSV with Turkish or English headers (``VKN/TCKN``/``Identifier``, ``Unvan``/``Title``,
  ``Etiket``/``Alias``, ``Tür``/``Type``, ``Kayıt Zamanı``/``FirstCreationTime``,
  ``Etiket Oluşturma``/``AliasCreationTime``, optionally ``Belge Türü``/``DocumentType``,
  ``Silinme Zamanı``/``DeletionTime``), ``;`` or ``,`` separated, UTF-8 with or without a BOM;
- GİB's XML user list, both layouts in use: GİB's own (``UserList/User`` with ``Identifier``,
  ``Title``, ``FirstCreationTime`` and ``Documents/Document[@type]/Alias`` with ``Name``,
  ``CreationTime``, ``DeletionTime``, optionally ``AliasType``) and the flat one integrators export
  (``USER`` with ``IDENTIFIER``, ``ALIAS``, ``TITLE``, ``UNIT``, ``DOCUMENT_TYPE``, ``REGISTER_TIME``,
  ``ALIAS_CREATION_TIME``, ``DELETED``/``DELETION_TIME``);
- either XML (or a CSV) inside a ``.zip``; every list in the archive is read (GİB hands out its PK and
  GB lists as two files).

Only e-Fatura (Invoice) aliases are kept; e-İrsaliye (DespatchAdvice) aliases, aliases deleted on or
before the import and identifiers whose check digits fail (GİB's lists carry test accounts such as
``1234567801``) are skipped and counted. Anything else wrong with a row (a VKN that is not 10 digits, a
missing alias, a date that is not one) rejects the whole file, every problem named with its file,
line and field: all or nothing, in one transaction.

Times in GİB's lists are Turkish local time without an offset: they are read in the shop's time zone.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from datetime import tzinfo as tzinfo_type
from functools import partial
from pathlib import Path
from typing import IO, Any

from pos_tui import store
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, iso, local, to_db, zone
from pos_tui.core.kernel.errors import ImportRejected, RowError, ValidationError
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.text import fold, turkish_upper

PK = "PK"  # posta kutusu: the mailbox invoices are sent to
GB = "GB"  # gönderici birimi: the unit a registered user sends from
KINDS = (PK, GB)

CHUNK = 5000  # rows parsed before they are written
MAX_ERRORS = 10_000  # problems kept for the report: a wrong file can have one on every line
SKIP_REASONS = ("not_invoice", "deleted", "check_digits", "duplicate")


@dataclass(frozen=True, slots=True)
class RegisteredUser:
    """One alias (etiket) of a registered e-Fatura user. Times are aware UTC."""

    identifier: str  # VKN (10 digits) or TCKN (11)
    mailbox: str  # urn:mail:defaultpk@firma.com.tr
    title: str
    kind: str  # PK | GB
    registered_at: datetime | None  # first registration in e-Fatura
    alias_created_at: datetime | None = None

    @property
    def since(self) -> datetime | None:
        """When this alias could first receive invoices: its creation, else the registration."""
        return self.alias_created_at or self.registered_at

    def as_json(self, tz: str) -> dict[str, Any]:
        """The alias as JSON; its times in the shop's zone ``tz`` with its offset."""
        return {
            "identifier": self.identifier,
            "alias": self.mailbox,
            "title": self.title,
            "kind": self.kind,
            "registered_at": None if self.registered_at is None else iso(self.registered_at, tz),
            "alias_created_at": None if self.alias_created_at is None else iso(self.alias_created_at, tz),
        }


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import stored: ``users`` distinct identifiers with ``aliases`` e-Fatura aliases;
    ``skipped`` rows by reason (``not_invoice``, ``deleted``, ``check_digits``, ``duplicate``);
    ``skipped_lines``: where the first identifiers with failing check digits were, for a look."""

    source: str
    format: str  # csv | xml | zip
    users: int
    aliases: int
    skipped: Mapping[str, int]
    seconds: float
    imported_at: datetime
    skipped_lines: tuple[str, ...] = ()

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "users": self.users,
            "aliases": self.aliases,
            "skipped": self.skipped_total,
            "skipped_by_reason": {k: self.skipped.get(k, 0) for k in SKIP_REASONS},
            "skipped_lines": list(self.skipped_lines),
            "seconds": round(self.seconds, 3),
            "imported_at": iso(self.imported_at, tz),
        }


@dataclass(frozen=True, slots=True)
class UserListStatus:
    """How much of GİB's list is stored and when it was imported (``None``: never)."""

    users: int
    aliases: int
    imported_at: datetime | None

    def as_json(self, tz: str) -> dict[str, Any]:
        return {
            "users": self.users,
            "aliases": self.aliases,
            "imported_at": None if self.imported_at is None else iso(self.imported_at, tz),
        }


# ---------------------------------------------------------------------------------------------------------
# Reading one row


class _Row:
    """A row as read from a file, before it is checked: raw texts by field, and where it was."""

    __slots__ = ("line", "names", "values")

    def __init__(self, line: int, values: dict[str, str | None], names: dict[str, str]) -> None:
        self.line = line
        self.values = values  # canonical field -> text (None: the file has no such field)
        self.names = names  # canonical field -> the name the file gives it (for messages)


_ALIAS = re.compile(r"(?i)urn:mail:\S{1,246}\Z")
_DELETED_WORDS = {"y", "yes", "true", "1", "evet", "e", "silindi", "deleted"}
_INVOICE_WORDS = {"invoice", "efatura", "e-fatura", "fatura", "einvoice", "e-invoice"}
_KIND_WORDS = {
    "pk": PK,
    "posta kutusu": PK,
    "postakutusu": PK,
    "gb": GB,
    "gonderici birim": GB,
    "gonderici birimi": GB,
    "gondericibirim": GB,
}


def _parse_time(raw: str, tzinfo: tzinfo_type) -> datetime:
    """A list's time (ISO or dd.mm.yyyy, with or without a time and an offset; without an offset in
    ``tzinfo``) → naive UTC, as stored. ValueError when it is not a time."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        value = _parse_turkish_time(raw)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tzinfo)
    return value.astimezone(UTC).replace(tzinfo=None)


def _parse_turkish_time(raw: str) -> datetime:
    for pattern in ("%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y"):
        try:
            return datetime.strptime(raw, pattern)
        except ValueError:
            continue
    raise ValueError(raw)


def _folded(text: str, cache: dict[str, str] = {}) -> str:  # noqa: B006 (a deliberate cache)
    """``fold`` of the few distinct words of a list's type columns, remembered."""
    found = cache.get(text)
    if found is None:
        found = cache[text] = fold(text.strip())
    return found


def _kind_of(explicit: str | None, mailbox: str, hint: str | None) -> str | None:
    """PK or GB: the row's own field, else the list it came from (GİB's PK and GB lists), else the
    alias's name (``…defaultgb@…``); None when an explicit value is neither."""
    if explicit is not None and explicit.strip():
        return _KIND_WORDS.get(_folded(explicit))
    if hint is not None:
        return hint
    local_part = mailbox.lower().removeprefix("urn:mail:").split("@", 1)[0]
    return GB if local_part.endswith("gb") else PK


def _hint_of(name: str) -> str | None:
    """GİB's list files say which list they are: ``newUserGbListxml.zip``, ``…PkList…``."""
    low = name.lower()
    if re.search(r"gb_?list|gblist|_gb[._]|gb\.xml$", low):
        return GB
    if re.search(r"pk_?list|pklist|_pk[._]|pk\.xml$", low):
        return PK
    return None


class _Checker:
    """Checks rows, collects the good ones as tuples ready to insert, counts what it skips and keeps
    what is wrong."""

    def __init__(self, *, now: datetime, tz: str) -> None:
        self.now = to_db(now)
        self.zone = zone(tz)
        self.imported_at = self.now
        self.skipped: Counter[str] = Counter()
        self.skipped_lines: list[str] = []
        self.errors: list[tuple[str, RowError]] = []
        self.error_count = 0
        self.read = 0

    def error(self, source: str, line: int, name: str, reason: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append((source, RowError(line, name, reason)))

    def check(self, source: str, row: _Row, hint: str | None) -> tuple[Any, ...] | None:
        """The row as ``(identifier, alias, title, kind, registered_at, alias_created_at, imported_at)``
        (naive UTC times), or None when it is skipped or wrong (then counted or kept as an error)."""
        self.read += 1
        v, names, line = row.values, row.names, row.line
        document = (v.get("document") or "").strip()
        if document and _folded(document).replace(" ", "") not in _INVOICE_WORDS:
            self.skipped["not_invoice"] += 1
            return None
        bad = False
        identifier = (v.get("identifier") or "").strip().replace(" ", "")
        if not identifier:
            self.error(source, line, names["identifier"], _("the VKN/TCKN is missing"))
            bad = True
        elif not (identifier.isascii() and identifier.isdigit()) or len(identifier) not in (10, 11):
            self.error(
                source,
                line,
                names["identifier"],
                _("{value!r} is not a VKN (10 digits) or a TCKN (11 digits)").format(value=identifier[:20]),
            )
            bad = True
        mailbox = (v.get("alias") or "").strip()
        if not mailbox:
            self.error(source, line, names["alias"], _("the alias (etiket) is missing"))
            bad = True
        elif _ALIAS.match(mailbox) is None:
            self.error(
                source,
                line,
                names["alias"],
                _("{value!r} is not an alias such as urn:mail:defaultpk@firma.com.tr").format(value=mailbox[:60]),
            )
            bad = True
        title = " ".join((v.get("title") or "").split())
        if not title:
            self.error(source, line, names["title"], _("the title (unvan) is missing"))
            bad = True
        kind = _kind_of(v.get("kind"), mailbox, hint)
        if kind is None:
            self.error(
                source,
                line,
                names["kind"],
                _("{value!r} is neither PK (mailbox) nor GB (sender unit)").format(value=(v.get("kind") or "")[:20]),
            )
            bad = True
        times: dict[str, datetime | None] = {}
        for key in ("registered_at", "alias_created_at", "deleted_at"):
            text = (v.get(key) or "").strip()
            times[key] = None
            if text:
                try:
                    times[key] = _parse_time(text, self.zone)
                except ValueError:
                    self.error(
                        source,
                        line,
                        names[key],
                        _("{value!r} is not a date and time such as 2016-01-04T10:12:00").format(value=text[:30]),
                    )
                    bad = True
        if bad:
            return None
        deleted_at = times["deleted_at"]
        if (deleted_at is not None and deleted_at <= self.now) or _folded(v.get("deleted") or "") in _DELETED_WORDS:
            self.skipped["deleted"] += 1
            return None
        if not check_digits_ok(identifier):
            self.skipped["check_digits"] += 1
            if len(self.skipped_lines) < 20:
                self.skipped_lines.append(f"{source}:{line} {identifier}")
            return None
        registered, created = times["registered_at"], times["alias_created_at"]
        return (
            identifier,
            mailbox,
            title[:255],
            kind,
            registered,
            created,
            self.imported_at,
        )


def check_digits_ok(identifier: str) -> bool:
    """Whether a 10-digit VKN or an 11-digit TCKN has the right check digits: the rule of
    ``einvoice.check_identifier`` (python-stdnum's), a buyer must pass it before it is invoiced, done
    here in plain arithmetic because a list has a million of them. The anonymous consumer
    ``11111111111`` is never a registered user."""
    if not (identifier.isascii() and identifier.isdigit()):
        return False
    d = [ord(c) - 48 for c in identifier]
    if len(d) == 10:
        total = 0
        for i in range(1, 10):
            c1 = (d[9 - i] + i) % 10
            if c1:
                total += (c1 * (1 << i)) % 9 or 9
        return (10 - total) % 10 == d[9]
    if len(d) == 11:
        if d[0] == 0 or identifier == "11111111111":
            return False
        check1 = (10 - sum(d[i] * (3 if i % 2 == 0 else 1) for i in range(9))) % 10
        check2 = (check1 + sum(d[:9])) % 10
        return d[9] == check1 and d[10] == check2
    return False


# ---------------------------------------------------------------------------------------------------------
# CSV

# canonical field -> header names (folded: lower-case plain Latin, no punctuation but "/")
_HEADERS: dict[str, tuple[str, ...]] = {
    "identifier": (
        "vkn/tckn",
        "vkn tckn",
        "vkn_tckn",
        "vkntckn",
        "vkn",
        "tckn",
        "identifier",
        "vergi no",
        "vergi no/tckn",
    ),
    "title": ("unvan", "title", "unvan/ad soyad", "ad soyad/unvan", "firma unvani", "name"),
    "alias": ("etiket", "alias", "posta kutusu etiketi", "etiket adi", "alias name", "aliasname"),
    "kind": ("etiket turu", "alias type", "aliastype", "unit", "birim", "gibaliastype", "posta kutusu/gonderici birim"),
    "registered_at": (
        "kayit zamani",
        "kayit tarihi",
        "ilk kayit zamani",
        "firstcreationtime",
        "first creation time",
        "register_time",
        "register time",
        "registertime",
    ),
    "alias_created_at": (
        "etiket olusturma",
        "etiket olusturma zamani",
        "etiket olusturma tarihi",
        "aliascreationtime",
        "alias creation time",
        "alias_creation_time",
        "creationtime",
    ),
    "document": ("belge turu", "document type", "documenttype", "document_type", "belge tipi"),
    "deleted_at": ("silinme zamani", "etiket silinme zamani", "deletiontime", "deletion time", "deletion_time"),
    "deleted": ("silindi", "deleted"),
}
_HEADER_OF = {name: key for key, names in _HEADERS.items() for name in names}
_REQUIRED = ("identifier", "title", "alias")
_ACCOUNT_TYPES = {"ozel", "kamu", "kagit", "tuzel", "gercek", "private", "public"}


def _header_key(text: str) -> str:
    return " ".join(fold(text.strip().strip('"')).replace("-", " ").split())


def _csv_rows(stream: IO[bytes], source: str, checker: _Checker) -> Iterator[tuple[_Row, str | None]] | None:
    """The rows of a CSV list (None when the file is empty). Missing required columns are errors."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError:
        raise ValidationError(_("{source}: the file is not UTF-8 text").format(source=source)) from None
    if not first.strip():
        return None
    delimiter = max((";", ",", "\t"), key=first.count)
    header = next(csv.reader([first], delimiter=delimiter))
    columns: dict[str, int] = {}
    names: dict[str, str] = {}
    for i, name in enumerate(header):
        key = _HEADER_OF.get(_header_key(name))
        if key is None and _header_key(name) in ("tur", "type"):
            key = "type"  # PK/GB in some lists, the account type (Özel/Kamu) in others
        if key is not None and key not in columns:
            columns[key] = i
            names[key] = name.strip()
    if "type" in columns:  # a "Tür"/"Type" column tells PK from GB only when nothing else does
        i, name = columns.pop("type"), names.pop("type")
        if "kind" not in columns:
            columns["kind"], names["kind"] = i, name
    # "Tür/Type" beside a "Unit/Birim" column is the account type (Özel/Kamu), not PK/GB
    missing = [k for k in _REQUIRED if k not in columns]
    if missing:
        wanted = {"identifier": "VKN/TCKN", "title": "Unvan", "alias": "Etiket"}
        raise ImportRejected(
            source,
            [RowError(1, wanted[k], _("the column is missing")) for k in missing],
            summary=_("{source}: the header has no {columns} column; nothing imported").format(
                source=source, columns=", ".join(wanted[k] for k in missing)
            ),
        )
    for key in _HEADERS:
        names.setdefault(key, key)
    hint = _hint_of(source)

    def rows() -> Iterator[tuple[_Row, str | None]]:
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for record in reader:
                if not any(cell.strip() for cell in record):
                    continue
                values: dict[str, str | None] = {k: record[i] if i < len(record) else "" for k, i in columns.items()}
                kind = values.get("kind")
                if kind is not None and _folded(kind) in _ACCOUNT_TYPES:
                    values["kind"] = None  # Özel/Kamu: the account type; PK/GB comes from elsewhere
                yield _Row(reader.line_num + 1, values, names), hint  # + 1: the header was read before
        except UnicodeDecodeError:
            raise ValidationError(_("{source}: the file is not UTF-8 text").format(source=source)) from None
        except csv.Error as exc:
            raise ValidationError(
                _("{source}: line {line} cannot be read as CSV ({why})").format(
                    source=source, line=reader.line_num + 1, why=exc
                )
            ) from None

    return rows()


# ---------------------------------------------------------------------------------------------------------
# XML


_LOCAL: dict[object, str] = {}


def _local(tag: object) -> str:
    """An element's name without its namespace, lower-case (comments and the like: "")."""
    name = _LOCAL.get(tag)
    if name is None:
        name = _LOCAL[tag] = tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""
    return name


def _child_texts(element: Any) -> dict[str, str]:
    """The texts of ``element``'s children by their lower-case local names (the first of a name)."""
    out: dict[str, str] = {}
    for child in element:
        name = _local(child.tag)
        if name and name not in out:
            out[name] = child.text or ""
    return out


_XML_NAMES = {
    "identifier": "Identifier",
    "title": "Title",
    "alias": "Alias/Name",
    "kind": "AliasType",
    "registered_at": "FirstCreationTime",
    "alias_created_at": "CreationTime",
    "deleted_at": "DeletionTime",
    "document": "Document/@type",
    "deleted": "DELETED",
}
_FLAT_NAMES = {
    "identifier": "IDENTIFIER",
    "title": "TITLE",
    "alias": "ALIAS",
    "kind": "UNIT",
    "registered_at": "REGISTER_TIME",
    "alias_created_at": "ALIAS_CREATION_TIME",
    "deleted_at": "DELETION_TIME",
    "document": "DOCUMENT_TYPE",
    "deleted": "DELETED",
}


def _first(texts: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        if name in texts:
            return texts[name]
    return None


def _xml_user_rows(user: Any, hint: str | None) -> Iterator[tuple[_Row, str | None]]:
    """The alias rows of one ``User`` element, in either layout."""
    texts: dict[str, str] = {}
    documents = None
    for child in user:
        name = _local(child.tag)
        if name == "documents":
            documents = child
        elif name and name not in texts:
            texts[name] = child.text or ""
    line = user.sourceline or 0
    common: dict[str, str | None] = {
        "identifier": _first(texts, "identifier", "vkn_tckn", "vkn", "tckn") or "",
        "title": _first(texts, "title", "unvan") or "",
        "registered_at": _first(texts, "firstcreationtime", "register_time", "registertime", "firstcreationdate"),
    }
    if documents is None:  # the flat layout: one alias per USER
        values = dict(common)
        values.update(
            alias=_first(texts, "alias", "name") or "",
            kind=_first(texts, "unit", "aliastype", "gibaliastype"),
            alias_created_at=_first(texts, "alias_creation_time", "aliascreationtime", "creationtime"),
            deleted_at=_first(texts, "deletion_time", "deletiontime"),
            document=_first(texts, "document_type", "documenttype"),
            deleted=_first(texts, "deleted"),
        )
        yield _Row(line, values, _FLAT_NAMES), hint
        return
    for document in documents:
        if _local(document.tag) != "document":
            continue
        doc_type = document.get("type") or document.get("Type") or _first(_child_texts(document), "type") or ""
        for alias in document:
            if _local(alias.tag) != "alias":
                continue
            a: dict[str, str] = {}
            mailboxes = []
            for child in alias:
                name = _local(child.tag)
                if name == "name":
                    mailboxes.append(child.text or "")
                elif name and name not in a:
                    a[name] = child.text or ""
            for mailbox in mailboxes or [""]:
                values = dict(common)
                values.update(
                    alias=mailbox,
                    kind=_first(a, "aliastype", "type", "unit"),
                    alias_created_at=_first(a, "creationtime", "aliascreationtime"),
                    deleted_at=_first(a, "deletiontime"),
                    document=doc_type or "Invoice",
                    deleted=None,
                )
                yield _Row(alias.sourceline or line, values, _XML_NAMES), hint


def _xml_rows(stream: IO[bytes], source: str) -> Iterator[tuple[_Row, str | None]]:
    from lxml import etree

    hint = _hint_of(source)
    context = etree.iterparse(
        stream,
        events=("end",),
        tag=("{*}User", "{*}USER", "{*}user"),
        huge_tree=True,
        resolve_entities=False,
        no_network=True,
        remove_comments=True,
    )
    try:
        for _event, element in context:
            yield from _xml_user_rows(element, hint)
            element.clear(keep_tail=False)
            while element.getprevious() is not None:  # what was read so far: gone, to keep memory flat
                del element.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise ValidationError(
            _("{source}: line {line} is not well-formed XML ({why})").format(
                source=source, line=exc.lineno or "?", why=exc.msg
            )
        ) from None


# ---------------------------------------------------------------------------------------------------------
# Files


def _is_xml(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _lists_in(path: Path) -> Iterator[tuple[str, Callable[[], IO[bytes]], str]]:
    """(source name, opener, "csv"|"xml") for each list in ``path`` (the entries of a ZIP)."""
    with path.open("rb") as f:
        head = f.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise ValidationError(_("{source}: the ZIP file is damaged").format(source=path.name)) from None
        with archive:
            names = [
                n
                for n in archive.namelist()
                if not n.endswith("/") and n.lower().rsplit(".", 1)[-1] in ("xml", "csv", "txt")
            ]
            if not names:
                raise ValidationError(_("{source}: the ZIP file holds no XML or CSV list").format(source=path.name))
            for name in names:
                with archive.open(name) as probe:
                    kind = "xml" if _is_xml(probe.read(512)) else "csv"
                yield f"{path.name}:{name}", partial(archive.open, name), kind
        return
    yield path.name, (lambda: path.open("rb")), "xml" if _is_xml(head) else "csv"


def _format_of(path: Path) -> str:
    with path.open("rb") as f:
        head = f.read(512)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "zip"
    return "xml" if _is_xml(head) else "csv"


def _insert_sql() -> str:
    db = store.database.obj
    q = db.quote
    meta = m.EInvoiceUser._meta

    def quoted(name: str) -> str:
        return f"{q[0]}{name}{q[1]}"

    columns = [
        meta.fields[f].column_name
        for f in ("identifier", "mailbox", "title", "kind", "registered_at", "alias_created_at", "imported_at")
    ]
    return (
        f"INSERT INTO {quoted(meta.table_name)} ({', '.join(quoted(c) for c in columns)}) "
        f"VALUES ({', '.join([db.param] * len(columns))}) "
        f"ON CONFLICT ({quoted(meta.fields['identifier'].column_name)}, {quoted(meta.fields['mailbox'].column_name)}) "
        "DO NOTHING"
    )


def import_users(path: str | Path, *, now: datetime, tz: str = SHOP_TZ, actor: Actor | None = None) -> ImportReport:
    """Replace the stored list with the list in ``path`` (CSV, XML, or either inside a ZIP).

    All or nothing: one transaction; a bad row rejects the file (:class:`ImportRejected` names every
    problem with file, line and field) and the old list stays. A file with no e-Fatura alias at all
    is refused too (it is the wrong list, e.g. the e-İrsaliye one). ``actor`` (when given) needs the
    ``einvoice`` permission; ``tz`` reads the list's local times.
    """
    if actor is not None:
        require(actor, "einvoice")
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("{path}: there is no such file").format(path=path))
    started = time.perf_counter()
    checker = _Checker(now=now, tz=tz)
    sql = _insert_sql()
    attempted = 0
    empty = True
    with store.write_tx():
        m.EInvoiceUser.delete().execute()
        cursor = store.database.cursor()
        for source, opener, kind in _lists_in(path):
            with opener() as stream:
                rows: Iterable[tuple[_Row, str | None]] | None
                rows = _xml_rows(stream, source) if kind == "xml" else _csv_rows(stream, source, checker)
                if rows is None:
                    continue
                batch: list[tuple[Any, ...]] = []
                for row, hint in rows:
                    empty = False
                    good = checker.check(source, row, hint)
                    if good is None or checker.error_count:
                        continue
                    batch.append(good)
                    if len(batch) >= CHUNK:
                        cursor.executemany(sql, batch)
                        attempted += len(batch)
                        batch = []
                if batch and not checker.error_count:
                    cursor.executemany(sql, batch)
                    attempted += len(batch)
        if checker.error_count:
            raise _rejected(path.name, checker)
        if empty:
            raise ImportRejected.empty(path.name)
        stored = m.EInvoiceUser.select().count()
        if stored == 0:
            raise ValidationError(
                _("{source}: there is no e-Fatura alias in this list ({n} rows skipped); nothing imported").format(
                    source=path.name, n=checker.read
                )
            )
        users = m.EInvoiceUser.select(m.EInvoiceUser.identifier).distinct().count()
    checker.skipped["duplicate"] += attempted - stored
    return ImportReport(
        source=path.name,
        format=_format_of(path),
        users=users,
        aliases=stored,
        skipped={k: checker.skipped.get(k, 0) for k in SKIP_REASONS},
        seconds=time.perf_counter() - started,
        imported_at=from_db(checker.imported_at),
        skipped_lines=tuple(checker.skipped_lines),
    )


def _rejected(name: str, checker: _Checker) -> ImportRejected:
    sources = {s for s, _e in checker.errors}
    if len(sources) == 1:
        (source,) = sources
        errors = [e for _s, e in checker.errors]
    else:  # several lists of one ZIP: each problem says which
        source = name
        errors = [RowError(e.line, f"{s.split(':', 1)[-1]} {e.field}", e.reason) for s, e in checker.errors]
    rejected = ImportRejected(source, errors)
    if checker.error_count > len(checker.errors):
        rejected = ImportRejected(
            source,
            errors,
            summary=str(rejected)
            + "\n"
            + _("{source}: {n} problems in all; the first {shown} are kept").format(
                source=source, n=checker.error_count, shown=len(errors)
            ),
        )
    return rejected


# ---------------------------------------------------------------------------------------------------------
# Reading the stored list


def _user_of(row: tuple[Any, ...]) -> RegisteredUser:
    identifier, mailbox, title, kind, registered, created = row
    return RegisteredUser(
        identifier=identifier,
        mailbox=mailbox,
        title=title,
        kind=kind,
        registered_at=None if registered is None else from_db(registered),
        alias_created_at=None if created is None else from_db(created),
    )


def _columns() -> tuple[Any, ...]:
    U = m.EInvoiceUser
    return (U.identifier, U.mailbox, U.title, U.kind, U.registered_at, U.alias_created_at)


def lookup_user(identifier: str) -> list[RegisteredUser]:
    """Every stored alias of ``identifier`` (VKN or TCKN, spaces ignored): PK aliases first, oldest first."""
    U = m.EInvoiceUser
    digits = identifier.strip().replace(" ", "")
    query = U.select(*_columns()).where(U.identifier == digits).order_by(U.kind.desc(), U.alias_created_at, U.id)
    return [_user_of(tuple(r)) for r in store.rows(query)]


def list_users(search: str | None = None, *, limit: int = 50) -> list[RegisteredUser]:
    """Stored aliases in identifier order; ``search``: digits match the start of the VKN/TCKN, other text
    anywhere in the title (either case, Turkish letters too)."""
    U = m.EInvoiceUser
    query = U.select(*_columns())
    text = (search or "").strip()
    if text:
        if text.replace(" ", "").isdigit():
            query = query.where(U.identifier.startswith(text.replace(" ", "")))
        else:
            escaped = text.replace("\\", "").replace("%", "").replace("_", "")
            query = query.where((U.title ** f"%{escaped}%") | (U.title ** f"%{turkish_upper(escaped)}%"))
    query = query.order_by(U.identifier, U.kind.desc(), U.mailbox).limit(max(1, limit))
    return [_user_of(tuple(r)) for r in store.rows(query)]


def user_list_status() -> UserListStatus:
    """How many users and aliases are stored, and when the list was imported."""
    from peewee import fn

    U = m.EInvoiceUser
    aliases = U.select().count()
    users = U.select(U.identifier).distinct().count() if aliases else 0
    latest = U.select(fn.MAX(U.imported_at)).scalar()
    if isinstance(latest, str):  # SQLite hands an aggregate back as text
        latest = datetime.fromisoformat(latest)
    return UserListStatus(users=users, aliases=aliases, imported_at=None if latest is None else from_db(latest))


def registered_on(user: RegisteredUser, day: date, tz: str = SHOP_TZ) -> bool:
    """Whether ``user``'s alias could receive an invoice dated ``day`` (a shop day): created (and the
    user registered) on or before it. Unknown times count as registered."""
    for moment in (user.registered_at, user.since):
        if moment is not None and local(moment, tz).date() > day:
            return False
    return True
