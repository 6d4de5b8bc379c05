"""The centre's reports and audit on what a real terminal pushed (the push of wt-push): the
figures equal the terminal's own X, Z, sales, points and stock, and its chain as received holds."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from push_support import Centre, make_shop, more_sales
from sync_support import set_identity

from pos_tui.core import cash, sync
from pos_tui.core.cash.reports import DocumentTotals, document_totals
from pos_tui.core.kernel.clock import day_bounds, shop_day
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres


@pytest.fixture
def pushed(db: object, settings: Settings, now: datetime, central_url: str) -> Iterator[Centre]:
    """Terminal T1 of store S1: a day of postings (make_shop: goods in, member sales, points paid,
    a sale on account, a Z), then three more sales; everything pushed."""
    centre = Centre(central_url)
    centre.register("T1", "S1")
    books, members = make_shop(settings, now)
    set_identity("T1", "S1", central_url)  # after the day: its redemptions are the centre's first news of them
    more_sales(books, members, now + timedelta(hours=2), 3)
    result = sync.push(now + timedelta(hours=3))
    assert result.waiting == 0
    yield centre
    centre.close()
    connection.forget()


def _totals_fields(t: DocumentTotals | sync.Totals) -> tuple[object, ...]:
    return (t.sales_count, t.returns_count, t.gross, t.returns, t.net, t.by_payment)


def test_the_chain_as_received_holds(pushed: Centre) -> None:
    summary: list[sync.ChainSummary] = []
    assert sync.verify_chains(pushed.db, summary=summary) == []
    assert summary[0].documents == m.SyncOutbox.select().count()
    # a payload changed at the centre (past its guard) is found at once
    seq, body = pushed.one("SELECT seq, body FROM sync_document WHERE kind = 'sale' ORDER BY seq LIMIT 1")
    doc = json.loads(body)
    doc["journal"][0]["payload"] = doc["journal"][0]["payload"].replace('"total":"', '"total":"1')
    pushed.db.execute_sql("DROP TRIGGER IF EXISTS sync_document_insert_only ON sync_document")
    pushed.db.execute_sql("UPDATE sync_document SET body = %s WHERE seq = %s", (json.dumps(doc), seq))
    assert [(f.terminal, f.seq, f.code) for f in sync.verify_chains(pushed.db)] == [("T1", seq, "hash")]


def test_sales_x_and_z_equal_the_terminals_own(pushed: Centre, settings: Settings, now: datetime) -> None:
    tz = settings.shop.timezone
    start, end = day_bounds(shop_day(now, tz), tz)
    local = document_totals((m.Sale.at >= start.replace(tzinfo=None)) & (m.Sale.at < end.replace(tzinfo=None)))
    central = sync.central_sales(pushed.db, start=start, end=end)
    assert central.totals.count > 5
    assert _totals_fields(central.totals) == _totals_fields(local)
    assert {r: (k.base, k.kdv) for r, k in central.totals.by_kdv.items()} == {
        r: (k.base, k.kdv) for r, k in local.by_kdv.items()
    }
    discount = sum(s.discount for s in m.Sale.select().where(m.Sale.kind == "sale"))
    assert central.totals.discount == Decimal(discount) / 100
    # the Z the terminal took, as received
    (z,) = sync.central_z(pushed.db).rows
    closure = m.ZClosure.get()
    assert (z.terminal, z.z_no, z.totals.sales_count, z.totals.net, z.grand_total) == (
        "T1",
        closure.z_no,
        closure.sales_count,
        Decimal(closure.net) / 100,
        Decimal(closure.grand_total) / 100,
    )
    # the X across terminals is the terminal's own X
    (x,) = sync.central_x(pushed.db, now=now).terminals
    mine = cash.x_preview("T1", now=now)
    assert (x.z_no, x.grand_total) == (mine.z_no, mine.grand_total)
    assert _totals_fields(x.totals) == _totals_fields(mine.totals)


def test_points_and_stock_equal_the_terminals_own(pushed: Centre, settings: Settings, now: datetime) -> None:
    start, end = now - timedelta(days=1), now + timedelta(days=1)
    report = sync.central_loyalty(pushed.db, start=start, end=end)
    earned = sum(e.points for e in m.PointsEntry.select().where(m.PointsEntry.kind == "earn"))
    redeemed = -sum(e.points for e in m.PointsEntry.select().where(m.PointsEntry.kind == "redeem"))
    assert earned > 0 and redeemed > 0
    assert (report.totals.earned, report.totals.redeemed) == (earned, redeemed)
    assert report.totals.net == sum(e.points for e in m.PointsEntry.select())
    assert report.totals.active_members == 2
    held = {
        mem.card: sum(e.points for e in m.PointsEntry.select().where(m.PointsEntry.member == mem))
        for mem in m.Member.select()
    }
    assert {t.card: t.balance for t in report.top} == held
    stock: dict[tuple[str, str], int] = defaultdict(int)
    for mv in m.StockMovement.select():
        stock[(mv.location.code, mv.product.code)] += mv.qty
    central = {(r.location, r.code): r.qty_milli for r in sync.central_stock(pushed.db)}
    assert central == dict(stock)


def test_audit_verify_on_the_centre_that_received_them(pushed: Centre, cli: Any) -> None:
    sent = m.SyncOutbox.select().count()
    done = cli("--db", pushed.url, "audit", "verify", "--json")
    report = json.loads(done.stdout)
    assert report["centre"]["findings"] == []
    assert report["centre"]["documents"] == sent
    assert done.exit_code == 0, report["problems"]
