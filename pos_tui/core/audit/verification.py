"""``pos-admin audit verify``: is the database what pos_tui wrote?

Checks, in order:

1. The journal's hash chain from ``GENESIS``: every entry's ``prev_hash`` is the previous
   entry's hash and its ``hash`` is ``sha256(prev_hash + payload)`` (a changed entry breaks it);
   ids run 1..N without gaps (a deleted entry is a gap); the head kept in ``meta_entry``
   matches the last entry (a cut-off tail is noticed).
2. Documents against the journal: every ``sale``/``return`` entry equals
   ``sale_document()`` recomputed from the tables, every document has its entry, and each
   document adds up (lines, payments and KDV rows to its total). Cash movements likewise.
3. Stock: ``product.stock`` equals the sum of its stock movements; the name search index
   agrees with the product names (:func:`pos_tui.store.search.check`).
4. Z closures: each Z's totals equal the documents it covers, its grand total continues the
   previous one, Z numbers have no gaps, and each Z matches its journal entry.
5. Number series (:mod:`pos_tui.core.audit.series`): each terminal's receipt numbers run 1..N
   without a gap and its receipt and Z counters equal the highest number used.
6. Anchors (``--anchor ENTRY:HASH``, typed from a printed X or Z report): the journal still holds
   that entry and its hash starts with the printed digits.
7. Loyalty: the points ledger, points, stamps and supplier points per sale, wallets, gift
   cards and coupons against each other and the journal (:mod:`pos_tui.core.loyalty.audit`).
8. Accounts (:mod:`pos_tui.core.accounts.audit`) and e-invoices (:mod:`pos_tui.core.einvoice.audit`):
   documents, events and queue against the journal, gapless invoice numbers, XML digests.
9. On a centre (a database holding documents received from terminals): every terminal's chain
   as received, document by document (:func:`pos_tui.core.sync.verify_chains`).

The triggers stop casual changes; these checks catch someone who dropped them. Someone who
rewrites everything consistently (chain, head, documents, counters) is caught only by an anchor
kept outside the database: the journal head printed on every X and Z report and written on the
fiscal device. docs/audit.md says what is and is not detectable.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from peewee import JOIN, PeeweeException, fn

from pos_tui import store
from pos_tui.core import sync
from pos_tui.core.accounts.audit import check_accounts
from pos_tui.core.audit.series import check_series
from pos_tui.core.cash.reports import document_totals
from pos_tui.core.catalog.upsert import stale_search_keys
from pos_tui.core.einvoice.audit import check_einvoices
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.journal import GENESIS, HEAD_KEY, canonical, chain_hash
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.core.kernel.vocabulary import document_label
from pos_tui.core.loyalty.audit import check_loyalty
from pos_tui.core.stock.ledger import document_payload
from pos_tui.core.till.documents import sale_document
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import search

DOCUMENT_KINDS = ("sale", "return")
# gift_card / store_credit: cash received for a gift card / for a member's store credit
CASH_KINDS = ("paid_in", "paid_out", "no_sale", "gift_card", "store_credit")


ANCHOR_MIN_HEX = 8  # fewer hex digits would prove little (the reports print 12)


@dataclass(frozen=True, slots=True)
class Anchor:
    """A journal entry and the start of its hash, as printed on an X or Z report."""

    entry: int
    hash: str  # lower-case hex, ANCHOR_MIN_HEX to 64 digits

    def __str__(self) -> str:
        return f"{self.entry}:{self.hash}"


def parse_anchor(text: str) -> Anchor:
    """``ENTRY:HASH`` (e.g. ``1234:9f86d081884c``) as printed under "Journal head"."""
    entry, sep, digest = text.strip().partition(":")
    digest = digest.strip().lower()
    if (
        not sep
        or not entry.strip().isascii()
        or not entry.strip().isdigit()
        or len(entry.strip()) > 18  # beyond a 64-bit id: not an entry, and SQLite would overflow
        or int(entry) < 1
        or not ANCHOR_MIN_HEX <= len(digest) <= 64
        or any(c not in "0123456789abcdef" for c in digest)
    ):
        raise ValidationError(
            _(
                'Anchor "{text}" is not ENTRY:HASH as printed under "Journal head" on an X or Z report '
                "(an entry number, a colon and at least {digits} hex digits, e.g. 1234:9f86d081884c)"
            ).format(text=text, digits=ANCHOR_MIN_HEX)
        )
    return Anchor(int(entry), digest)


@dataclass(frozen=True, slots=True)
class AuditReport:
    """``ok`` is True when nothing is wrong. ``problems`` are ordered: problems of journal
    entries first, by entry id (so ``problems[0]`` describes ``first_broken``), then the rest.
    """

    ok: bool
    entries: int
    problems: list[str]
    first_broken: int | None
    anchors: dict[str, bool] = field(default_factory=dict)  # "ENTRY:HASH" → still in the chain
    # On a centre: the terminals' chains as received (None on a terminal's database).
    centre: sync.ChainSummary | None = None
    chain_findings: tuple[sync.ChainFinding, ...] = ()

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": self.ok,
            "entries": self.entries,
            "first_broken": self.first_broken,
            "problems": self.problems,
            "anchors": [
                {"entry": int(text.partition(":")[0]), "hash": text.partition(":")[2], "ok": ok}
                for text, ok in self.anchors.items()
            ],
        }
        if self.centre is not None:  # a terminal's audit reads as it always did
            data["centre"] = {
                "terminals": self.centre.terminals,
                "documents": self.centre.documents,
                "findings": [f.as_json() for f in self.chain_findings],
            }
        return data


@dataclass
class _Found:
    """Problems as they are found, each tied to a journal entry id when there is one."""

    items: list[tuple[int | None, str]] = field(default_factory=list)

    def add(self, entry_id: int | None, text: str) -> None:
        self.items.append((entry_id, text))

    def ordered(self) -> list[str]:
        with_id = sorted((p for p in self.items if p[0] is not None), key=lambda p: p[0] or 0)
        return [t for _i, t in with_id] + [t for i, t in self.items if i is None]

    def first(self) -> int | None:
        ids = [i for i, _t in self.items if i is not None]
        return min(ids) if ids else None


@dataclass
class _Chain:
    entries: int = 0
    sale_entries: dict[str, int] = field(default_factory=dict)  # document uid → entry id
    z_entries: dict[tuple[str, int], tuple[int, dict[str, Any]]] = field(default_factory=dict)
    cash_entries: dict[int, tuple[int, str, dict[str, Any]]] = field(default_factory=dict)
    stock_entries: dict[int, tuple[int, str]] = field(default_factory=dict)  # stock document id → (entry, payload)


def _describe(entry_id: int, kind: str, ref: str | None) -> str:
    return _("entry {id} ({kind} {ref})").format(id=entry_id, kind=document_label(kind), ref=ref or "-")


def _check_chain(found: _Found, progress: Callable[[int], None] | None) -> _Chain:
    chain = _Chain()
    prev_hash, prev_id = GENESIS, 0
    for e in m.JournalEntry.select().order_by(m.JournalEntry.id).iterator():
        chain.entries += 1
        where = _describe(e.id, e.kind, e.ref)
        if e.id != prev_id + 1:
            found.add(
                prev_id + 1,
                _("entries {first} to {last} are missing before {entry}: deleted from the journal").format(
                    first=prev_id + 1, last=e.id - 1, entry=where
                ),
            )
        elif e.prev_hash != prev_hash:
            found.add(
                e.id, _("{entry}: its previous hash does not match entry {prev}").format(entry=where, prev=prev_id)
            )
        if chain_hash(e.prev_hash, e.payload) != e.hash:
            found.add(
                e.id, _("{entry}: its content was changed after it was written (hash mismatch)").format(entry=where)
            )
        prev_hash, prev_id = e.hash, e.id
        try:
            payload = json.loads(e.payload)
        except ValueError:
            found.add(e.id, _("{entry}: its payload is not JSON").format(entry=where))
            payload = {}
        if e.kind in DOCUMENT_KINDS:
            uid = str(payload.get("id") or e.ref)
            if uid in chain.sale_entries:
                found.add(
                    e.id,
                    _("{entry}: document {uid} is journalled twice (first in entry {other})").format(
                        entry=where, uid=uid, other=chain.sale_entries[uid]
                    ),
                )
            else:
                chain.sale_entries[uid] = e.id
        elif e.kind == "z" and isinstance(payload.get("z_no"), int):
            chain.z_entries[(str(payload.get("terminal")), payload["z_no"])] = (e.id, payload)
        elif e.kind in CASH_KINDS and isinstance(payload.get("movement_id"), int):
            chain.cash_entries[payload["movement_id"]] = (e.id, e.kind, payload)
        elif e.kind.startswith("stock_") and (e.ref or "").startswith("stock:") and e.ref[6:].isdigit():
            chain.stock_entries[int(e.ref[6:])] = (e.id, e.payload)
        if progress is not None:
            progress(1)

    head = m.MetaEntry.get_or_none(m.MetaEntry.key == HEAD_KEY)
    if head is None:
        if chain.entries:
            found.add(None, _("the journal head is missing from meta_entry ({n} entries)").format(n=chain.entries))
        return chain
    head_id_text, _sep, head_hash = head.value.partition(":")
    head_id = int(head_id_text) if head_id_text.isdigit() else -1
    if head_id > prev_id:
        found.add(
            prev_id + 1,
            _(
                "the journal ends at entry {last} but its head records entry {head}: entries "
                "{first} to {head} were cut off"
            ).format(last=prev_id, head=head_id, first=prev_id + 1),
        )
    elif head_id != prev_id or head_hash != prev_hash:
        found.add(
            prev_id or None,
            _(
                "the journal head ({head}) does not match the last entry {last}: entries "
                "were added or changed outside pos_tui"
            ).format(head=head.value, last=prev_id),
        )
    return chain


def _differences(first: dict[str, Any], second: dict[str, Any], first_name: str = "", second_name: str = "") -> str:
    """A short account of the top-level keys on which two documents differ (at most four)."""
    first_name = first_name or _("the tables")
    second_name = second_name or _("the journal")
    diffs = []
    for key in sorted(set(first) | set(second)):
        a, b = first.get(key), second.get(key)
        if a == b:
            continue
        if isinstance(a, list | dict) or isinstance(b, list | dict):
            diffs.append(_("{key} differ").format(key=key))
        else:
            diffs.append(
                _("{key} is {a} in {first} but {b} in {second}").format(
                    key=key,
                    a=json.dumps(a, ensure_ascii=False),
                    first=first_name,
                    b=json.dumps(b, ensure_ascii=False),
                    second=second_name,
                )
            )
    return "; ".join(diffs[:4])


def _instant(doc: dict[str, Any]) -> dict[str, Any]:
    """``doc`` with ``at`` as a UTC instant, so a changed shop time zone is not taken for tampering."""
    at = doc.get("at")
    if not isinstance(at, str):
        return doc
    try:
        return {**doc, "at": datetime.fromisoformat(at).astimezone(UTC).isoformat()}
    except ValueError:
        return doc


def _check_documents(found: _Found, chain: _Chain, tz: str, progress: Callable[[int], None] | None) -> None:
    S = m.Sale
    seen: set[str] = set()
    for sale_id, uid, kind, terminal, receipt in store.rows(
        S.select(S.id, S.uid, S.kind, S.terminal, S.receipt_no).order_by(S.id)
    ):
        seen.add(uid)
        if progress is not None:
            progress(1)
        entry_id = chain.sale_entries.get(uid)
        if entry_id is None:
            found.add(
                None,
                _("{kind} {uid} (terminal {terminal}, receipt {receipt}) has no journal entry").format(
                    kind=kind, uid=uid, terminal=terminal, receipt=receipt
                ),
            )
            continue
        entry = m.JournalEntry.get_by_id(entry_id)
        tables_doc = sale_document(sale_id, tz)
        if canonical(tables_doc) == entry.payload:
            continue
        try:
            journal_doc = json.loads(entry.payload)
        except ValueError:
            journal_doc = {}
        if _instant(tables_doc) != _instant(journal_doc):
            found.add(
                entry_id,
                _("{entry}: the {kind} in the tables differs from its journal entry: {diff}").format(
                    entry=_describe(entry_id, entry.kind, entry.ref),
                    kind=kind,
                    diff=_differences(tables_doc, journal_doc),
                ),
            )
    for uid, entry_id in chain.sale_entries.items():
        if uid not in seen:
            found.add(
                entry_id,
                _("entry {id}: document {uid} is in the journal but missing from the tables").format(
                    id=entry_id, uid=uid
                ),
            )
    _check_sums(found, chain)


def _check_sums(found: _Found, chain: _Chain) -> None:
    """Each document adds up: subtotal − discount, its lines, payments and KDV rows all equal
    its total (portable aggregate queries, one per kind of part)."""
    S = m.Sale

    def report(uid: str, kind: str, what: str, total: int, parts: int | None) -> None:
        entry_id = chain.sale_entries.get(uid)
        where = (
            _("entry {id} ({kind} {uid})").format(id=entry_id, kind=document_label(kind), uid=uid)
            if entry_id
            else _("{kind} {uid}").format(kind=document_label(kind), uid=uid)
        )
        found.add(
            entry_id,
            _("{where}: its {what} add up to {parts}, not its total {total}").format(
                where=where,
                what=what,
                parts=format_money(from_kurus(parts or 0)),
                total=format_money(from_kurus(total)),
            ),
        )

    for uid, kind, subtotal, discount, total in store.rows(
        S.select(S.uid, S.kind, S.subtotal, S.discount, S.total).where(S.subtotal - S.discount != S.total)
    ):
        report(uid, kind, _("subtotal less discount"), total, subtotal - discount)
    parts: tuple[tuple[str, Any, Any], ...] = (
        (_("lines"), m.SaleLine, m.SaleLine.total),
        (_("payments"), m.Payment, m.Payment.amount),
        (_("KDV rows"), m.SaleKdv, m.SaleKdv.base + m.SaleKdv.kdv),
    )
    for what, model, amount in parts:
        summed = fn.COALESCE(fn.SUM(amount), 0)
        query = (
            S.select(S.uid, S.kind, S.total, summed)
            .join(model, JOIN.LEFT_OUTER, on=(model.sale == S.id))
            .group_by(S.id, S.uid, S.kind, S.total)
            .having(summed != S.total)
        )
        for uid, kind, total, got in store.rows(query):
            report(uid, kind, what, total, got)


def _check_cash(found: _Found, chain: _Chain) -> None:
    C = m.CashMovement
    seen: set[int] = set()
    for row in C.select().order_by(C.id).iterator():
        seen.add(row.id)
        entry = chain.cash_entries.get(row.id)
        if entry is None:
            found.add(None, _("cash movement {id} ({kind}) has no journal entry").format(id=row.id, kind=row.kind))
            continue
        entry_id, kind, payload = entry
        tables = {
            "kind": row.kind,
            "amount": f"{from_kurus(row.amount):.2f}",
            "reason": row.reason,
            "shift_id": row.shift_id,
        }
        journal = {
            "kind": kind,
            "amount": payload.get("amount"),
            "reason": payload.get("reason"),
            "shift_id": payload.get("shift_id"),
        }
        if tables != journal:
            found.add(
                entry_id,
                _("entry {id} ({kind} {ref}): the cash movement differs from its journal entry: {diff}").format(
                    id=entry_id, kind=kind, ref=row.id, diff=_differences(tables, journal)
                ),
            )
    for movement_id, (entry_id, kind, _payload) in chain.cash_entries.items():
        if movement_id not in seen:
            found.add(
                entry_id,
                _("entry {id} ({kind}): cash movement {ref} is missing from the tables").format(
                    id=entry_id, kind=kind, ref=movement_id
                ),
            )


def _check_stock(found: _Found, chain: _Chain) -> None:
    """The stock caches agree with the movements (on hand per product and per location, the
    stock's value) and every stock document agrees with its journal entry."""
    P, SM, SL = m.Product, m.StockMovement, m.StockLevel
    moved = (
        SM.select(SM.product.alias("pid"), fn.SUM(SM.qty).alias("qty"), fn.SUM(SM.value).alias("value"))
        .group_by(SM.product)
        .alias("moved")
    )
    total, value = fn.COALESCE(moved.c.qty, 0), fn.COALESCE(moved.c.value, 0)
    query = (
        P.select(P.code, P.stock, total, P.stock_value, value)
        .join(moved, JOIN.LEFT_OUTER, on=(moved.c.pid == P.id))
        .where((P.stock != total) | (P.stock_value != value))
        .order_by(P.code)
    )
    for code, stock, qty, stock_value, moved_value in store.rows(query):
        if stock != qty:
            found.add(
                None,
                _("product {code}: stock is {stock} but its stock movements add up to {moved} (milli-units)").format(
                    code=code, stock=stock, moved=qty
                ),
            )
        if stock_value != moved_value:
            found.add(
                None,
                _("product {code}: its stock value is {value} but its stock movements add up to {moved}").format(
                    code=code, value=_money(stock_value), moved=_money(moved_value)
                ),
            )
    levels = {(pid, loc): qty for pid, loc, qty in store.rows(SL.select(SL.product, SL.location, SL.qty))}
    sums = SM.select(SM.product, SM.location, fn.SUM(SM.qty)).group_by(SM.product, SM.location)
    codes = dict(store.rows(m.StockLocation.select(m.StockLocation.id, m.StockLocation.code)))
    for pid, loc, qty in store.rows(sums):
        cached = levels.pop((pid, loc), 0)
        if cached != qty:
            _level_problem(found, pid, codes.get(loc, str(loc)), cached, qty)
    for (pid, loc), cached in levels.items():
        if cached:
            _level_problem(found, pid, codes.get(loc, str(loc)), cached, 0)
    D, C = m.StockDocument, m.Counter
    numbers: dict[str, list[int]] = {}
    for kind, number in store.rows(D.select(D.kind, D.number).order_by(D.kind, D.number)):
        numbers.setdefault(kind, []).append(number)
    counters = dict(store.rows(C.select(C.name, C.value).where(C.scope == "stock")))
    for kind in sorted(set(numbers) | {name.removeprefix("stock_") for name in counters}):
        held = numbers.get(kind, [])
        top = counters.get(f"stock_{kind}", 0)
        if held != list(range(1, len(held) + 1)) or top != len(held):
            found.add(
                None,
                _(
                    "stock documents ({kind}): numbers 1 to {top} were given but {n} are there: some were deleted"
                ).format(kind=document_label(kind), top=max(top, held[-1] if held else 0), n=len(held)),
            )
    documents = [i for (i,) in store.rows(D.select(D.id).order_by(D.id))]
    for doc_id in documents:
        entry = chain.stock_entries.pop(doc_id, None)
        if entry is None:
            found.add(None, _("stock document {id} has no journal entry").format(id=doc_id))
        elif json.loads(entry[1]) != document_payload(doc_id):
            found.add(
                entry[0],
                _("entry {id}: stock document {doc} differs from its journal entry").format(id=entry[0], doc=doc_id),
            )
    for doc_id, (entry_id, _payload) in chain.stock_entries.items():
        found.add(
            entry_id, _("entry {id}: stock document {doc} is missing from the tables").format(id=entry_id, doc=doc_id)
        )


def _level_problem(found: _Found, pid: int, location: str, cached: int, moved: int) -> None:
    code = m.Product.select(m.Product.code).where(m.Product.id == pid).scalar()
    found.add(
        None,
        _(
            "product {code} at {location}: stock is {stock} but its movements there add up to {moved} (milli-units)"
        ).format(code=code, location=location, stock=cached, moved=moved),
    )


def _check_name_index(found: _Found) -> None:
    """The search keys are the names' and the index agrees with them (``pos-admin db reindex``
    puts both right)."""
    stale = _("product {code}: its search key is not its name's (run pos-admin db reindex)")
    for _pid, code, _key in stale_search_keys():
        found.add(None, stale.format(code=code))
    if search.check(store.database) is not None:
        found.add(None, _("the name search index does not match the product names (run pos-admin db reindex)"))


def _z_facts(
    sales: int, returns: int, gross: str, ret: str, net: str, grand: str, data: dict[str, Any]
) -> dict[str, Any]:
    return {
        "sales_count": sales,
        "returns_count": returns,
        "gross": gross,
        "returns": ret,
        "net": net,
        "grand_total": grand,
        "by_payment": data.get("by_payment"),
        "by_kdv": data.get("by_kdv"),
    }


def _money(kurus: int) -> str:
    return f"{from_kurus(kurus):.2f}"


def _check_z(found: _Found, chain: _Chain, tz: str) -> None:
    Z = m.ZClosure
    seen: set[tuple[str, int]] = set()
    terminal: str | None = None
    prev_last, prev_grand, expected_no = 0, 0, 1
    for z in Z.select().order_by(Z.terminal, Z.z_no).iterator():
        if z.terminal != terminal:
            terminal, prev_last, prev_grand, expected_no = z.terminal, 0, 0, 1
        key = (z.terminal, z.z_no)
        seen.add(key)
        entry = chain.z_entries.get(key)
        entry_id = entry[0] if entry else None
        where = (
            _("entry {id} (z Z{no} {terminal})").format(id=entry_id, no=z.z_no, terminal=z.terminal)
            if entry_id
            else _("Z {no} of {terminal}").format(no=z.z_no, terminal=z.terminal)
        )
        if z.z_no != expected_no:
            found.add(
                entry_id,
                _("{where}: Z numbers jump from {prev} to {no}").format(where=where, prev=expected_no - 1, no=z.z_no),
            )
        try:
            data = json.loads(z.data)
        except ValueError:
            data = {}
        stored = _z_facts(
            z.sales_count,
            z.returns_count,
            _money(z.gross),
            _money(z.returns),
            _money(z.net),
            _money(z.grand_total),
            data,
        )
        totals = document_totals(
            (m.Sale.terminal == z.terminal) & (m.Sale.id > prev_last) & (m.Sale.id <= z.last_sale_id)
        )
        doc = totals.json_fields(tz)
        recomputed = _z_facts(
            totals.sales_count,
            totals.returns_count,
            doc["gross"],
            doc["returns"],
            doc["net"],
            _money(prev_grand + to_kurus(totals.net)),
            {"by_payment": doc["by_payment"], "by_kdv": doc["by_kdv"]},
        )
        if stored != recomputed:
            found.add(
                entry_id,
                _("{where}: its totals do not match the documents it covers: {diff}").format(
                    where=where, diff=_differences(recomputed, stored, _("the documents"), _("the Z"))
                ),
            )
        if entry is None:
            found.add(None, _("{where} has no journal entry").format(where=where))
        else:
            p = entry[1]
            journalled = _z_facts(
                p.get("sales_count", -1),
                p.get("returns_count", -1),
                p.get("gross", ""),
                p.get("returns", ""),
                p.get("net", ""),
                p.get("grand_total", ""),
                p,
            )
            if journalled != stored:
                found.add(
                    entry_id,
                    _("{where}: the Z closure differs from its journal entry: {diff}").format(
                        where=where, diff=_differences(stored, journalled, _("the Z"), _("the journal"))
                    ),
                )
        prev_last, prev_grand, expected_no = z.last_sale_id, z.grand_total, z.z_no + 1
    for key, (entry_id, _payload) in chain.z_entries.items():
        if key not in seen:
            found.add(
                entry_id,
                _("entry {id}: Z {no} of {terminal} is in the journal but missing from the tables").format(
                    id=entry_id, no=key[1], terminal=key[0]
                ),
            )


def _check_anchors(found: _Found, anchors: Sequence[Anchor]) -> dict[str, bool]:
    """Each anchor's entry is in the journal with a hash starting with the printed digits. The
    chain check proves the rest: every later entry links back to it."""
    held: dict[str, bool] = {}
    for anchor in anchors:
        row = m.JournalEntry.get_or_none(m.JournalEntry.id == anchor.entry)
        if row is None:
            found.add(
                anchor.entry,
                _(
                    "anchor {anchor}: entry {entry} is no longer in the journal: the journal was cut off "
                    "or rewritten after that report was printed"
                ).format(anchor=anchor, entry=anchor.entry),
            )
        elif not row.hash.lower().startswith(anchor.hash):
            found.add(
                anchor.entry,
                _(
                    "anchor {anchor}: entry {entry} now has the hash {hash}: the journal was rewritten "
                    "after that report was printed"
                ).format(anchor=anchor, entry=anchor.entry, hash=row.hash[: len(anchor.hash)]),
            )
        held[str(anchor)] = row is not None and row.hash.lower().startswith(anchor.hash)
    return held


def verify(
    *, settings: Settings, progress: Callable[[int], None] | None = None, anchors: Sequence[Anchor] = ()
) -> AuditReport:
    """Run every check; ``progress(n)`` is called once per journal entry and once per document
    checked (:func:`work_size` in all). ``anchors``: journal heads printed on X/Z reports that
    the chain must still hold."""
    found = _Found()
    try:
        chain = _check_chain(found, progress)
        held = _check_anchors(found, anchors)
        _check_documents(found, chain, settings.shop.timezone, progress)
        _check_cash(found, chain)
        _check_stock(found, chain)
        _check_name_index(found)
        _check_z(found, chain, settings.shop.timezone)
        check_series(found.add, chain.sale_entries)
        check_loyalty(found.add, tz=settings.shop.timezone)
        check_accounts(found.add)
        check_einvoices(found.add)
        centre, findings = _check_terminal_chains(found, progress)
    except (PeeweeException, sqlite3.Error) as exc:  # a text Python cannot decode
        if "could not decode" not in str(exc).lower():
            raise
        return _undecodable_report()
    problems = found.ordered()
    return AuditReport(
        ok=not problems,
        entries=chain.entries,
        problems=problems,
        first_broken=found.first(),
        anchors=held,
        centre=centre,
        chain_findings=tuple(findings),
    )


def _check_terminal_chains(
    found: _Found, progress: Callable[[int], None] | None
) -> tuple[sync.ChainSummary | None, list[sync.ChainFinding]]:
    """On a centre, each terminal's chain as received; nothing on a terminal's database."""
    db = store.database.obj
    if db is None or not sync.is_centre(db):
        return None, []
    summary: list[sync.ChainSummary] = []
    findings = sync.verify_chains(db, progress=progress, summary=summary)
    for finding in findings:
        found.add(None, str(finding))
    return summary[0], findings


def _undecodable_report() -> AuditReport:
    """Text that is not UTF-8 (bytes written outside pos_tui, or a damaged page) stops the checks
    that read it: report where every such text is, the journal entries by number, instead."""
    found = _Found()
    path = store.db.current_file()
    journal = m.JournalEntry._meta.table_name
    for table, rowid, column in store.db.undecodable_text(path) if path is not None else []:
        if table == journal:
            text = _("entry {id}: its {column} is not valid text (UTF-8): changed outside pos_tui or damaged")
            found.add(rowid, text.format(id=rowid, column=column))
        else:
            text = _("{table} row {id}, {column}: not valid text (UTF-8): changed outside pos_tui or damaged")
            found.add(None, text.format(table=table, id=rowid, column=column))
    if not found.items:
        found.add(None, _("the file is damaged: run PRAGMA integrity_check, or restore a backup (docs/recovery.md)"))
    problems = found.ordered()
    entries = m.JournalEntry.select().count()
    return AuditReport(ok=False, entries=entries, problems=problems, first_broken=found.first())


def work_size() -> int:
    """How many steps :func:`verify` reports through ``progress``: journal entries plus documents
    (on a centre, plus the documents received from terminals)."""
    db = store.database.obj
    received = sync.chain_size(db) if db is not None and sync.is_centre(db) else 0
    return m.JournalEntry.select().count() + m.Sale.select().count() + received


__all__ = ["Anchor", "AuditReport", "parse_anchor", "verify", "work_size"]
