"""Central data for the centre's reports and audit, written as the push writes it: one
``sync_document`` per outbox record with its body (docs/sync.md, "The body": journal entries
chained with the real ``chain_hash``, ledger rows with natural keys) and its ``sync_ledger`` rows,
and ``sync_terminal`` with the high-water mark. Sale payloads are built with the till's own
formatter (``document_json``), Z payloads in the shape ``ZReport.to_json`` journals.

:func:`chain_data` builds the shop the central tests share: stores S1 (terminals T1, T2) and S2
(terminal T3), with sales, a return, a Z, points and stock; :data:`EXPECTED` holds its figures,
worked out by hand.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from peewee import Database

from pos_tui.core.kernel.journal import GENESIS, canonical, chain_hash
from pos_tui.core.kernel.money import split_kdv, to_kurus
from pos_tui.core.till.documents import document_json, line_json, payment_json

TZ = "Europe/Istanbul"
DAY = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)  # 12:00 in Istanbul


@dataclass
class _Terminal:
    store: str
    seq: int = 0
    head: str = GENESIS
    entry: int = 0
    receipt: int = 0
    z_no: int = 0
    grand: Decimal = Decimal(0)
    since_z: list[dict[str, Any]] = field(default_factory=list)  # sale payloads since the last Z
    rows: int = 0


class Centre:
    """Writes what terminals would have pushed into a central database ``db``."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.terminals: dict[str, _Terminal] = {}

    def join(self, terminal: str, store: str, at: datetime = DAY) -> None:
        self.terminals[terminal] = _Terminal(store)
        self.db.execute_sql(
            "INSERT INTO sync_terminal (terminal, store, high_water, joined_at, series) VALUES (%s, %s, 0, %s, '{}')",
            (terminal, store, at.replace(tzinfo=None)),
        )

    # ----------------------------------------------------------------- documents

    def document(
        self,
        terminal: str,
        at: datetime,
        entries: list[tuple[str, dict[str, Any], str | None]],
        rows: list[dict[str, Any]] = (),  # type: ignore[assignment]
        *,
        push: bool = True,
    ) -> dict[str, Any]:
        """One outbox record of ``terminal`` (its next seq) with journal ``entries`` (kind,
        payload, ref) and ledger ``rows``; inserted at the centre unless ``push`` is False."""
        t = self.terminals[terminal]
        t.seq += 1
        journal = []
        for kind, payload, ref in entries:
            t.entry += 1
            text = canonical(payload)
            digest = chain_hash(t.head, text)
            journal.append(
                {
                    "id": t.entry,
                    "at": at.replace(tzinfo=None).isoformat(),
                    "terminal": terminal,
                    "kind": kind,
                    "ref": ref,
                    "payload": text,
                    "prev_hash": t.head,
                    "hash": digest,
                }
            )
            t.head = digest
        body_rows = []
        for row in rows:
            t.rows += 1
            body_rows.append({"op": "i", "origin": f"{terminal}:{row['table']}:{t.rows}", **row})
        body = {
            "v": 1,
            "terminal": terminal,
            "store": t.store,
            "seq": t.seq,
            "uid": str(uuid.uuid4()),
            "at": at.replace(tzinfo=None).isoformat(),
            "kind": entries[0][0] if entries else (rows[0]["table"] if rows else "none"),
            "hash": t.head,
            "journal": journal,
            "rows": body_rows,
        }
        if push:
            self.insert(body, at)
        return body

    def insert(self, body: dict[str, Any], at: datetime, *, received: datetime | None = None) -> None:
        """Write ``body`` as the centre's push would: the document, its ledger rows, the high water."""
        naive = at.astimezone(UTC).replace(tzinfo=None)
        self.db.execute_sql(
            "INSERT INTO sync_document (uid, terminal, store, seq, kind, at, hash, body, received_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                body["uid"],
                body["terminal"],
                body["store"],
                body["seq"],
                body["kind"],
                naive,
                body["hash"],
                json.dumps(body, ensure_ascii=False),
                (received or at).astimezone(UTC).replace(tzinfo=None),
            ),
        )
        for row in body["rows"]:
            if row.get("ledger") is None:
                continue
            self.db.execute_sql(
                "INSERT INTO sync_ledger (origin, document, terminal, store, tbl, ledger, key, place, amount, at, "
                "data) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    row["origin"],
                    body["uid"],
                    body["terminal"],
                    body["store"],
                    row["table"],
                    row["ledger"],
                    row["key"],
                    row.get("place") or "",
                    row["amount"],
                    naive,
                    json.dumps(row["data"], ensure_ascii=False),
                ),
            )
        seqs = {
            int(r[0])
            for r in self.db.execute_sql("SELECT seq FROM sync_document WHERE terminal = %s", (body["terminal"],))
        }
        high = 0
        while high + 1 in seqs:
            high += 1
        self.db.execute_sql(
            "UPDATE sync_terminal SET high_water = %s, last_push_at = %s, "
            "head_hash = (SELECT hash FROM sync_document WHERE terminal = %s AND seq = %s) WHERE terminal = %s",
            (high, naive, body["terminal"], high, body["terminal"]),
        )

    # ----------------------------------------------------------------- business documents

    def sale(
        self,
        terminal: str,
        at: datetime,
        lines: list[tuple[str, int, str, int, str]],
        payments: list[tuple[str, str]],
        *,
        member: str | None = None,
        kind: str = "sale",
        location: str = "MAGAZA",
        points: int = 0,
        push: bool = True,
    ) -> dict[str, Any]:
        """A sale (or return) of ``lines`` (code, qty in pieces, unit price, KDV rate, discount)
        paid by ``payments`` (method, amount); stock rows at ``location``; ``points`` earned
        (or, on a return, clawed back) by ``member``."""
        t = self.terminals[terminal]
        t.receipt += 1
        doc_lines, kdv_k, subtotal, discount = [], {}, 0, 0
        stock_rows = []
        for no, (code, qty, price, rate, disc) in enumerate(lines, start=1):
            gross = Decimal(price) * qty
            total = gross - Decimal(disc)
            subtotal += to_kurus(gross)
            discount += to_kurus(Decimal(disc))
            base, tax = split_kdv(total, rate)
            b, k = kdv_k.get(rate, (0, 0))
            kdv_k[rate] = (b + to_kurus(base), k + to_kurus(tax))
            doc_lines.append(
                line_json(
                    no,
                    code,
                    None,
                    f"Ürün {code}",
                    "piece",
                    qty * 1000,
                    to_kurus(Decimal(price)),
                    to_kurus(Decimal(price)),
                    to_kurus(Decimal(disc)),
                    to_kurus(total),
                    rate,
                )
            )
            sign = 1 if kind == "return" else -1
            stock_rows.append(
                {
                    "table": "stock_movement",
                    "ledger": "stock",
                    "key": code,
                    "place": location,
                    "amount": sign * qty * 1000,
                    "data": {"product": code, "location": location, "qty": sign * qty * 1000, "kind": kind},
                }
            )
        uid = str(uuid.uuid4())
        payload = document_json(
            uid,
            t.receipt,
            kind,
            terminal,
            at.astimezone(UTC).replace(tzinfo=None),
            "ayse",
            None,
            None,
            subtotal,
            discount,
            subtotal - discount,
            kdv={
                str(r): {"base": f"{Decimal(b) / 100:.2f}", "kdv": f"{Decimal(k) / 100:.2f}"}
                for r, (b, k) in sorted(kdv_k.items())
            },
            lines=doc_lines,
            payments=[payment_json(method, to_kurus(Decimal(amount)), None, None, None) for method, amount in payments],
            tz=TZ,
            member=member,
        )
        rows = list(stock_rows)
        if member is not None and points:
            pts = points if kind == "sale" else -points
            rows.append(
                {
                    "table": "points_entry",
                    "ledger": "points",
                    "key": member,
                    "place": "",
                    "amount": pts,
                    "data": {
                        "member": member,
                        "kind": "earn" if kind == "sale" else "clawback",
                        "points": pts,
                        "sale": uid,
                    },
                }
            )
        t.since_z.append(payload)
        return self.document(terminal, at, [(kind, payload, f"{terminal}/{t.receipt}")], rows, push=push)

    def points(self, terminal: str, at: datetime, card: str, kind: str, points: int) -> dict[str, Any]:
        row = {
            "table": "points_entry",
            "ledger": "points",
            "key": card,
            "place": "",
            "amount": points,
            "data": {"member": card, "kind": kind, "points": points},
        }
        return self.document(terminal, at, [("points_adjust", {"member": card, "points": points}, None)], [row])

    def stock(self, terminal: str, at: datetime, code: str, location: str, qty_milli: int) -> dict[str, Any]:
        row = {
            "table": "stock_movement",
            "ledger": "stock",
            "key": code,
            "place": location,
            "amount": qty_milli,
            "data": {"product": code, "location": location, "qty": qty_milli, "kind": "receipt"},
        }
        return self.document(terminal, at, [("stock_receipt", {"code": code, "qty": qty_milli}, None)], [row])

    def z(self, terminal: str, at: datetime) -> dict[str, Any]:
        """The terminal's next Z over its sales since the last one, as ``ZReport.to_json``."""
        t = self.terminals[terminal]
        sales = [p for p in t.since_z if p["type"] == "sale"]
        returns = [p for p in t.since_z if p["type"] == "return"]
        gross = sum((Decimal(p["total"]) for p in sales), Decimal(0))
        back = sum((Decimal(p["total"]) for p in returns), Decimal(0))
        by_payment: dict[str, Decimal] = {}
        by_kdv: dict[str, list[Decimal]] = {}
        for p in t.since_z:
            sign = -1 if p["type"] == "return" else 1
            for pay in p["payments"]:
                by_payment[pay["method"]] = by_payment.get(pay["method"], Decimal(0)) + sign * Decimal(pay["amount"])
            for rate, v in p["kdv"].items():
                acc = by_kdv.setdefault(rate, [Decimal(0), Decimal(0)])
                acc[0] += sign * Decimal(v["base"])
                acc[1] += sign * Decimal(v["kdv"])
        t.z_no += 1
        t.grand += gross - back
        payload = {
            "z_no": t.z_no,
            "terminal": terminal,
            "at": at.astimezone(UTC).isoformat(timespec="seconds"),
            "user": "mehmet",
            "from": t.since_z[0]["at"] if t.since_z else None,
            "to": t.since_z[-1]["at"] if t.since_z else None,
            "sales_count": len(sales),
            "returns_count": len(returns),
            "gross": f"{gross:.2f}",
            "returns": f"{back:.2f}",
            "net": f"{gross - back:.2f}",
            "by_payment": {k: f"{v:.2f}" for k, v in sorted(by_payment.items())},
            "by_kdv": {k: {"base": f"{v[0]:.2f}", "kdv": f"{v[1]:.2f}"} for k, v in sorted(by_kdv.items())},
            "grand_total": f"{t.grand:.2f}",
        }
        t.since_z = []
        return self.document(terminal, at, [("z", payload, f"Z{t.z_no}")])


def chain_data(db: Database) -> Centre:
    """Two stores, three terminals (S1: T1, T2; S2: T3) on 6 December 2026 (and one T1 sale on the 7th).

    T1: sale 1 (2 × 10,00 at 20 % + 1 × 5,00 at 1 %, 1,00 off the first line; cash 24,00) with
        member M1 (earns 24 points); sale 2 (3 × 10,00 at 20 %; card 30,00); Z 1; sale 3
        (1 × 5,00 at 1 %, cash) after the Z; on 7 December sale 4 (1 × 10,00 at 20 %, cash).
    T2: sale (4 × 10,00 at 20 %, card 40,00) with M2 (40 points); return of 1 × 10,00 (cash
        10,00; M2's 10 points clawed back); M1 redeems 5 points (points_adjust entry kind redeem).
    T3: sale (1 × 50,00 at 10 %, 2,00 off; cash 48,00) with M1 (48 points); goods receipt of
        10 × 1001 into DEPO2; M3 has 7 points expire.
    """
    c = Centre(db)
    c.join("T1", "S1")
    c.join("T2", "S1")
    c.join("T3", "S2")
    h = timedelta(hours=1)
    c.sale(
        "T1",
        DAY,
        [("1001", 2, "10.00", 20, "1.00"), ("1002", 1, "5.00", 1, "0")],
        [("cash", "24.00")],
        member="M1",
        points=24,
    )
    c.sale("T1", DAY + h, [("1001", 3, "10.00", 20, "0")], [("card", "30.00")])
    c.z("T1", DAY + 2 * h)
    c.sale("T1", DAY + 3 * h, [("1002", 1, "5.00", 1, "0")], [("cash", "5.00")])
    c.sale("T1", DAY + timedelta(days=1), [("1001", 1, "10.00", 20, "0")], [("cash", "10.00")])
    c.sale("T2", DAY, [("1001", 4, "10.00", 20, "0")], [("card", "40.00")], member="M2", points=40)
    c.sale("T2", DAY + h, [("1001", 1, "10.00", 20, "0")], [("cash", "10.00")], member="M2", points=10, kind="return")
    c.points("T2", DAY + 2 * h, "M1", "redeem", -5)
    c.sale("T3", DAY, [("1003", 1, "50.00", 10, "2.00")], [("cash", "48.00")], member="M1", points=48, location="DEPO2")
    c.stock("T3", DAY + h, "1001", "DEPO2", 10_000)
    c.points("T3", DAY + 2 * h, "M3", "expire", -7)
    return c
