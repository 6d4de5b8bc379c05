"""Shared set-up for the moves tests: a shop with users, two products with stock and cost, a depot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from pos_tui.core import catalog, staff
from pos_tui.core.kernel import Actor
from pos_tui.core.stock import moves
from pos_tui.settings import Settings
from pos_tui.store import models as m

PIECE = "1001"  # Çay: 100 pieces at 10,00
PIECE_BARCODE = "8690000000036"
KG = "2001"  # Domates: 50 kg at 20,00 a kg
NEW = "3001"  # Kolonya: no stock, no cost


@dataclass(frozen=True)
class People:
    admin: Actor
    cashier: Actor
    supervisor: Actor


def set_up_shop(settings: Settings, now: datetime) -> People:
    team = {
        "admin": staff.add_user("admin", "admin", "9999", now=now),
        "cashier": staff.add_user("ayse", "cashier", "1111", now=now),
        "supervisor": staff.add_user("mehmet", "supervisor", "2222", now=now),
    }
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code=PIECE,
                name="Çay 500 g",
                price=Decimal("120.00"),
                cost=Decimal("10.00"),
                kdv_rate=20,
                stock=100_000,
                barcodes=(PIECE_BARCODE,),
            ),
            catalog.ProductInput(
                code=KG,
                name="Domates",
                unit="kg",
                price=Decimal("40.00"),
                cost=Decimal("20.00"),
                kdv_rate=1,
                stock=50_000,
            ),
            catalog.ProductInput(code=NEW, name="Kolonya", price=Decimal("85.00"), kdv_rate=20),
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    moves.add_location("DEPO", "Depo", terminal="T1", now=now, user="admin")
    return People(**{k: staff.actor_of(v, settings) for k, v in team.items()})


def level(code: str, location: str) -> int:
    """Milli-units of product ``code`` at ``location``: the sum of its movements there (and the cache agrees)."""
    P, L, SM, Lv = m.Product, m.StockLocation, m.StockMovement, m.StockLevel
    pid = P.get(P.code == code).id
    loc = L.get_or_none(L.code == location)
    if loc is None:
        return 0
    moved = sum(mv.qty for mv in SM.select().where((SM.product == pid) & (SM.location == loc.id)))
    cached = Lv.get_or_none((Lv.product == pid) & (Lv.location == loc.id))
    assert (0 if cached is None else cached.qty) == moved
    return moved


def product(code: str) -> m.Product:
    return m.Product.get(m.Product.code == code)
