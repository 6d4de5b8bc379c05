"""Z closures: the end-of-day report of one terminal.

A Z covers every document of the terminal (sales and returns, imported ones included) with
an id above the previous Z's ``last_sale_id``, so nothing is ever counted twice or missed,
whatever the documents' times. Z numbers are gapless per terminal (counter ``z``), and the
grand total is perpetual: the previous Z's grand total plus this Z's net. A Z with no
documents is allowed (a "zero Z", still numbered and journalled). Documents are insert-only,
so after a Z the documents it covers cannot change, and new ones belong to the next Z.

A Z needs ``reports``. A cashier without it takes the Z with a supervisor's override: the Z is
then the supervisor's, and the override's journal entry is written in the Z's transaction, so
the two commit together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_tui.core import sync
from pos_tui.core.cash.reports import DocumentTotals, account_money, document_totals
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require
from pos_tui.core.kernel.clock import iso, to_db
from pos_tui.core.kernel.money import ZERO, from_kurus, to_kurus
from pos_tui.core.staff import users as staff
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx
from pos_tui.store.counters import next_value

Z_COUNTER = "z"


SHORT_HASH = 12  # hex digits of the head's hash printed on X and Z reports


@dataclass(frozen=True, slots=True)
class JournalHead:
    """The journal's last entry at a report, printed on every X and Z report as an anchor kept
    outside the database: ``pos-admin audit verify --anchor ENTRY:HASH`` proves later that the
    chain still holds that entry with that hash (docs/audit.md)."""

    entry: int
    hash: str  # the full sha256 in hex

    @property
    def short(self) -> str:
        return self.hash[:SHORT_HASH]

    def __str__(self) -> str:
        """``ENTRY:HASH`` as printed, and as ``audit verify --anchor`` takes it."""
        return f"{self.entry}:{self.short}"

    def as_json(self) -> dict[str, Any]:
        return {"entry": self.entry, "hash": self.short}


def journal_head() -> JournalHead | None:
    """The journal's head as ``meta_entry`` records it (``None`` before the first entry)."""
    row = m.MetaEntry.get_or_none(m.MetaEntry.key == journal.HEAD_KEY)
    if row is None:
        return None
    entry, _sep, digest = row.value.partition(":")
    return JournalHead(int(entry), digest) if entry.isdigit() else None


@dataclass(frozen=True, slots=True)
class ZReport:
    """A Z closure (or, with ``preview``, what the next Z would be: ``pos-admin report x``)."""

    z_no: int
    terminal: str
    at: datetime
    user: str | None
    preview: bool
    totals: DocumentTotals
    previous_grand_total: Decimal
    last_sale_id: int
    # A Z: its own journal entry; a preview (X): the head when it was read. Not in to_json(),
    # which is the Z's journal payload (an entry cannot hold its own hash).
    journal_head: JournalHead | None = None
    # Money on accounts taken or paid on the terminal since the previous Z (collections from
    # customers, payments to suppliers, by method): not turnover, shown apart from the totals.
    collections: dict[str, Decimal] = field(default_factory=dict)
    supplier_payments: dict[str, Decimal] = field(default_factory=dict)

    @property
    def grand_total(self) -> Decimal:
        return self.previous_grand_total + self.totals.net

    @property
    def empty(self) -> bool:
        """True for a zero Z: no document since the previous one."""
        return self.totals.count == 0

    def to_json(self, tz: str) -> dict[str, Any]:
        """The JSON contract of ``pos-admin report z --json`` (also the journal payload)."""
        return {
            "z_no": self.z_no,
            "terminal": self.terminal,
            "at": iso(self.at, tz),
            "user": self.user,
            **self.totals.json_fields(tz),
            "grand_total": f"{self.grand_total:.2f}",
            **self._accounts_json(),
        }

    def _accounts_json(self) -> dict[str, Any]:
        if not self.collections and not self.supplier_payments:
            return {}  # the Z of a shop without accounts reads as it always did
        return {
            "accounts": {
                "collections": {k: f"{v:.2f}" for k, v in self.collections.items()},
                "supplier_payments": {k: f"{v:.2f}" for k, v in self.supplier_payments.items()},
            }
        }


def last_z(terminal: str) -> m.ZClosure | None:
    return m.ZClosure.select().where(m.ZClosure.terminal == terminal).order_by(m.ZClosure.z_no.desc()).first()


def _since_last(terminal: str) -> tuple[m.ZClosure | None, DocumentTotals]:
    prev = last_z(terminal)
    after = prev.last_sale_id if prev else 0
    return prev, document_totals((m.Sale.terminal == terminal) & (m.Sale.id > after))


def _account_money_since(terminal: str, prev: m.ZClosure | None, now: datetime) -> dict[str, Any]:
    """Collections and supplier payments taken at ``terminal``'s till (through a shift: its drawer or
    card terminal) after the previous Z, up to ``now``. Money an admin books with ``pos-admin`` (a
    bank transfer, a cheque) never passed the till and is not on its Z."""
    E = m.AccountEntry
    where = (E.terminal == terminal) & E.shift.is_null(False) & (E.posted_at <= to_db(now))
    if prev is not None:
        where &= E.posted_at > prev.at
    collections, payments = account_money(where)
    return {"collections": collections, "supplier_payments": payments}


def x_preview(terminal: str, *, now: datetime) -> ZReport:
    """The figures of ``terminal`` since its last Z, numbered as the next Z; nothing is written."""
    prev, totals = _since_last(terminal)
    return ZReport(
        z_no=(prev.z_no if prev else 0) + 1,
        terminal=terminal,
        at=now,
        user=None,
        preview=True,
        totals=totals,
        previous_grand_total=from_kurus(prev.grand_total) if prev else ZERO,
        last_sale_id=totals.last_id or (prev.last_sale_id if prev else 0),
        journal_head=journal_head(),
        **_account_money_since(terminal, prev, now),
    )


def take_x_preview(terminal: str, actor: Actor, *, now: datetime) -> ZReport:
    """:func:`x_preview` as a user asks for it (``pos-admin report x``): needs ``x_report``."""
    require(actor, "x_report")
    return x_preview(terminal, now=now)


def z_report(
    terminal: str, actor: Actor, *, now: datetime, settings: Settings, override: Override | None = None
) -> ZReport:
    """Close ``terminal``: write the next Z (needs the ``reports`` permission) and journal it.

    With ``override`` (a supervisor allowed a cashier without ``reports``) the Z is taken in the
    supervisor's name and the override is journalled in the same transaction as the Z.

    On a terminal of a centre, documents not yet sent refuse the Z when ``[sync] waiting_on_close``
    is ``block`` (:class:`~pos_tui.core.sync.DocumentsWaiting`); the till and ``pos-admin`` warn
    first when it is ``warn`` (:func:`pos_tui.core.sync.waiting_on_close`)."""
    used = require(actor, "reports", override)
    sync.check_close(now, settings.sync)
    taker = used.supervisor if used is not None else actor
    with write_tx():
        prev, totals = _since_last(terminal)
        z_no = next_value(terminal, Z_COUNTER)
        report = ZReport(
            z_no=z_no,
            terminal=terminal,
            at=now,
            user=taker.name,
            preview=False,
            totals=totals,
            previous_grand_total=from_kurus(prev.grand_total) if prev else ZERO,
            last_sale_id=totals.last_id or (prev.last_sale_id if prev else 0),
            **_account_money_since(terminal, prev, now),
        )
        doc = report.to_json(settings.shop.timezone)
        m.ZClosure.create(
            terminal=terminal,
            z_no=z_no,
            at=to_db(now),
            user=taker.user_id,
            first_sale_id=totals.first_id,
            last_sale_id=report.last_sale_id,
            from_at=to_db(totals.from_at) if totals.from_at else None,
            to_at=to_db(totals.to_at) if totals.to_at else None,
            sales_count=totals.sales_count,
            returns_count=totals.returns_count,
            gross=to_kurus(totals.gross),
            returns=to_kurus(totals.returns),
            net=to_kurus(totals.net),
            grand_total=to_kurus(report.grand_total),
            data=journal.canonical({"by_payment": doc["by_payment"], "by_kdv": doc["by_kdv"]}),
        )
        entry = journal.append("z", doc, terminal=terminal, now=now, ref=f"Z{z_no}")
        report = replace(report, journal_head=JournalHead(entry.id, entry.hash))
        if used is not None:
            staff.record_override(actor, used, "z", terminal=terminal, now=now, details={"z_no": z_no})
    return report
