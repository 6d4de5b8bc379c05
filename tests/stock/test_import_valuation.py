"""A catalogue import books its stock through the cost rule: new stock at the row's cost, a
changed cost revalues the stock on hand, a changed stock moves at the average, all at the default
location; the caches and the audit agree."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pos_tui.core import audit, catalog
from pos_tui.settings import Settings
from pos_tui.store import models as m


def _import(settings: Settings, now: datetime, **kw: object) -> None:
    row = catalog.ProductInput(code="1", name="Çay", price=Decimal("50.00"), kdv_rate=20, **kw)  # type: ignore[arg-type]
    catalog.upsert_products([row], now=now, kdv_rates=settings.kdv_rates)


def _moves() -> list[tuple[int, str, int, int]]:
    SM = m.StockMovement
    return list(SM.select(SM.qty, SM.kind, SM.unit_cost, SM.value).order_by(SM.id).tuples())


def test_an_import_values_the_stock_it_books(db: object, settings: Settings, now: datetime) -> None:
    _import(settings, now, cost=Decimal("10.00"), stock=3000)
    assert _moves() == [(3000, "import", 1000, 3000)]
    _import(settings, now, cost=Decimal("12.00"), stock=3000)  # the cost alone: a revaluation
    _import(settings, now, cost=Decimal("12.00"), stock=5000)  # the stock alone: at the average
    _import(settings, now, cost=Decimal("12.00"), stock=5000)  # nothing changed: nothing moves
    assert _moves() == [(3000, "import", 1000, 3000), (0, "revalue", 1200, 600), (2000, "import", 1200, 2400)]
    product = m.Product.get(m.Product.code == "1")
    assert (product.stock, product.stock_value, product.cost) == (5000, 6000, 1200)
    level = m.StockLevel.get(m.StockLevel.product == product.id)
    assert level.qty == 5000 and level.location.code == "MAGAZA"
    assert audit.verify(settings=settings).ok
