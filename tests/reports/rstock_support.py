"""A small shop for the margin and stock report tests, built only through the real services:
goods receipts (``stock.receiving``), sales and a return through the till, a waste adjustment
(``stock.moves``) and a count (``stock.counting``). No tests here.

Stores and locations: S1 (the default location MAGAZA, terminal T1) and S2 (DEPO2, terminal T2).

Hand-computed figures (moving average, kernel.costing), all times UTC (noon in Istanbul):

- 1001 Çay, KDV 20, 10,00, category İçecek, supplier ACME (catalogue), minimum 20:
  1 Oct +10 at 5,00; 2 Oct +10 at 7,00 (20 worth 120,00: average 6,00); 5 Oct sale −4 (24,00);
  10 Oct return +1 at 6,00; 15 Oct waste −1 (6,00) → 16 worth 96,00.
- 1002 Süt, KDV 1, 20,20, category Süt, no supplier in the catalogue (bought from BETA), minimum 10:
  2 Oct +10 at 15,00; 5 Oct sale −2 (30,00); 20 Oct count: 7 for 8 expected (−1, 15,00) → 7 worth
  105,00; 1 Nov (today, ``NOW``) +5 at 18,00 → 12 worth 195,00 (16,25).
- 1003 Deterjan, KDV 20, 60,00, no category, no supplier: 6 Oct sale −1 out of no stock (cost 0,00).
- 1004 Kolonya, KDV 20, 30,00, Kozmetik, ACME: 1 Oct +3 at 20,00; never sold.
- 1005 Sabun, KDV 20, 8,00, Kozmetik, ACME: 1 Sep +5 at 4,00; 15 Sep sale −1 → 4 worth 16,00.
- 1006 Şampuan, KDV 20, 40,00, Kozmetik, bought from ACME: 1 Oct +2 at 25,00 at DEPO2; 12 Oct
  sale −1 on T2 (25,00).

October's sales excluding KDV: 1001 4 × 10,00 = 40,00 (KDV 6,67) → 33,33, less the return
10,00 (KDV 1,67) → 8,33: 25,00; 1002 40,40 (KDV 0,40) → 40,00; 1003 60,00 → 50,00; 1006 40,00 →
33,33.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from argon2 import PasswordHasher

from pos_tui.core import catalog, staff, stock
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import price_cart
from pos_tui.core.reports import Period, Report, ReportQuery, run_report
from pos_tui.core.staff import users
from pos_tui.core.stock import counting, moves, receiving
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m

TZ = "Europe/Istanbul"
D = Decimal
NOW = datetime(2026, 11, 1, 7, 15, tzinfo=UTC)  # Sunday 1 November 2026, 10:15 in Istanbul
OCTOBER = Period(date(2026, 10, 1), date(2026, 10, 31))
SEPTEMBER = Period(date(2026, 9, 1), date(2026, 9, 30))
TODAY = Period(date(2026, 11, 1), date(2026, 11, 1))

_uids = itertools.count(1)


def at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture(autouse=True, name="_quick_pins")
def quick_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def run(name: str, period: Period, *, now: datetime = NOW, **filters: str) -> Report:
    return run_report(name, ReportQuery(period, TZ, now, filters.get("terminal"), filters.get("store")))


def column(report: Report, key: str) -> list[object]:
    return report.values(key)


def rows_by(report: Report, key: str) -> dict[object, dict[str, object]]:
    """The rows as dicts, keyed by column ``key``."""
    keys = [c.key for c in report.columns]
    return {row[report.column(key)]: dict(zip(keys, row, strict=True)) for row in report.rows}


def totals(report: Report) -> dict[str, object]:
    assert report.totals is not None
    return {c.key: v for c, v in zip(report.columns, report.totals, strict=True) if v is not None}


def summary(report: Report) -> dict[str, object]:
    return {f.key: f.value for f in report.summary}


@dataclass
class Shop:
    admin: Actor
    settings: Settings


def people(settings: Settings, now: datetime) -> Actor:
    info = staff.add_user("admin", "admin", "9999", now=now, settings=settings)
    return staff.actor_of(info, settings)


def sell(actor: Actor, when: datetime, *items: tuple[str, int], terminal: str = "T1") -> str:
    """A sale of ``items`` (code, whole units) through the till, paid in cash; its uid."""
    cart = Cart()
    for code, qty in items:
        p = m.Product.get(m.Product.code == code)
        cart = cart.add(
            product_id=p.id,
            code=p.code,
            name=p.name,
            unit=p.unit,
            kdv_rate=p.kdv_rate,
            price=D(p.price) / 100,
            qty_milli=qty * 1000,
            merge=False,
        )
    priced = price_cart(cart, now=when)
    return complete_sale(terminal, actor, [PaymentInput("cash", priced.total)], now=when, cart=priced, tz=TZ).uid


def receive(actor: Actor, settings: Settings, when: datetime, supplier: str, *lines: tuple[str, str, str], **kw: str):
    """A goods receipt: ``(code, qty, unit cost excluding KDV)`` lines."""
    from pos_tui.core.kernel import parse_quantity

    return receiving.post_receipt(
        receiving.ReceiptInput(
            supplier=supplier,
            lines=[receiving.ReceiptLineInput(code, parse_quantity(qty), D(cost)) for code, qty, cost in lines],
            location=kw.get("location"),
        ),
        actor=actor,
        now=when,
        terminal="T1",
        kdv_rates=settings.kdv_rates,
        tz=TZ,
    )


def build_shop(settings: Settings) -> Shop:
    start = at(8, 1)
    admin = people(settings, start)
    for code, name in (("ACME", "Acme Gıda A.Ş."), ("BETA", "Beta Süt Ltd.")):
        m.Supplier.create(code=code, name=name, created_at=start.replace(tzinfo=None))
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code="1001",
                name="Çay",
                price=D("10.00"),
                kdv_rate=20,
                category="İçecek",
                supplier="ACME",
                min_stock=20_000,
            ),
            catalog.ProductInput(
                code="1002", name="Süt", price=D("20.20"), kdv_rate=1, category="Süt", min_stock=10_000
            ),
            catalog.ProductInput(code="1003", name="Deterjan", price=D("60.00"), kdv_rate=20),
            catalog.ProductInput(
                code="1004", name="Kolonya", price=D("30.00"), kdv_rate=20, category="Kozmetik", supplier="ACME"
            ),
            catalog.ProductInput(
                code="1005", name="Sabun", price=D("8.00"), kdv_rate=20, category="Kozmetik", supplier="ACME"
            ),
            catalog.ProductInput(code="1006", name="Şampuan", price=D("40.00"), kdv_rate=20, category="Kozmetik"),
        ],
        now=start,
        kdv_rates=settings.kdv_rates,
    )
    catalog.add_store("S2", "Kadıköy", now=start, terminal="T1")
    stock.add_location("DEPO2", "Kadıköy depo", terminal="T1", now=start, store_code="S2")
    stock.assign_terminal("T2", "DEPO2", terminal="T1", now=start)

    receive(admin, settings, at(9, 1), "ACME", ("1005", "5", "4.00"))
    sell(admin, at(9, 15), ("1005", 1))
    receive(admin, settings, at(10, 1), "ACME", ("1001", "10", "5.00"), ("1004", "3", "20.00"))
    receive(admin, settings, at(10, 1, 10), "ACME", ("1006", "2", "25.00"), location="DEPO2")
    receive(admin, settings, at(10, 2), "ACME", ("1001", "10", "7.00"))
    receive(admin, settings, at(10, 2, 10), "BETA", ("1002", "10", "15.00"))
    first = sell(admin, at(10, 5), ("1001", 4), ("1002", 2))
    sell(admin, at(10, 6), ("1003", 1))
    create_return("T1", admin, first, [ReturnLineInput(1, 1000)], now=at(10, 10), reason="bozuk", tz=TZ)
    sell(admin, at(10, 12), ("1006", 1), terminal="T2")
    moves.adjust("1001", -1000, "waste", actor=admin, terminal="T1", now=at(10, 15))
    count = counting.open_count("Ekim sayımı", actor=admin, now=at(10, 20), terminal="T1", products=["1002"])
    sut = m.Product.get(m.Product.code == "1002").id
    counting.record_event(
        count.id, sut, 7000, uid=f"rstock-{next(_uids)}", actor=admin, now=at(10, 20, 10), terminal="T1"
    )
    counting.post_count(count.id, uncounted="leave", actor=admin, now=at(10, 20, 11), terminal="T1")
    receive(admin, settings, NOW, "BETA", ("1002", "5", "18.00"))
    return Shop(admin, settings)
