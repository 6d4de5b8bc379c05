"""The catalog on PostgreSQL: the streamed bulk upsert (executemany, index rebuild, read
ahead), the name search on the GIN index, scale labels and an import/export round trip (read
apart too) use no SQLite-only SQL.

Needs ``POS_TEST_PG_URL`` (``.ci/run`` starts a throwaway server and sets it).
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import peewee
import pytest
from catalog_support import ean
from peewee import fn

from pos_tui.core import catalog
from pos_tui.core.catalog import make_scale_label, upsert
from pos_tui.core.interchange import export_products, import_customers, import_products, imports
from pos_tui.core.kernel import ImportRejected
from pos_tui.settings import DEFAULT_SCALE_LABELS, Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres


def test_catalog_on_postgres(
    pg_db: peewee.Database, settings: Settings, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upsert, "CHUNK", 10)  # a bulk load in chunks: indexes (GIN too) rebuilt at the end
    monkeypatch.setattr(imports, "PARSE_APART", 0)
    rows = [
        catalog.ProductInput(
            f"{i}", (ean(i),), f"Ürün {i} Gülü", "piece", Decimal(i), None, 20, "Kat", "Ted", None, i * 1000
        )
        for i in range(1, 41)
    ]
    rows.append(catalog.ProductInput("42", None, "Isparta Domates", "kg", Decimal("34.90"), kdv_rate=1))
    assert catalog.upsert_products(rows, now=now, kdv_rates=settings.kdv_rates).created == 41
    assert (
        m.Product.select(fn.SUM(m.Product.stock)).scalar()
        == m.StockMovement.select(fn.SUM(m.StockMovement.qty)).scalar()
    )

    for query in ("ISPARTA", "ısparta", "İSPARTA", "Isparta"):
        assert [p.code for p in catalog.search_products(query)] == ["42"]
    assert len(catalog.search_products("gul urun")) == 40
    assert [p.code for p in catalog.search_products("gülü 17")] == ["17"]
    assert [p.code for p in catalog.search_products("17 GUL ür")] == ["17"]  # any order, prefixes
    assert [p.code for p in catalog.search_products("dom ıspartA")] == ["42"]
    assert {i.name for i in pg_db.get_indexes("product")} >= {"product_code", "product_name_search"}

    masks = DEFAULT_SCALE_LABELS
    weighed = catalog.scan(make_scale_label(masks[1], 42, 750), masks)
    assert (weighed.product.code, weighed.qty_milli) == ("42", 750)
    assert catalog.scan(ean(7), masks).product.code == "7"

    update = [catalog.ProductInput("7", (ean(8),)), catalog.ProductInput("8", (ean(7),), stock=1000)]
    assert catalog.upsert_products(update, now=now, kdv_rates=settings.kdv_rates).updated == 2
    assert (catalog.get_product(ean(8)).code, catalog.get_product(ean(7)).code) == ("7", "8")
    with pytest.raises(ImportRejected, match="already belongs to product 9"):
        catalog.upsert_products([catalog.ProductInput("7", (ean(9),))], now=now, kdv_rates=settings.kdv_rates)

    out = io.StringIO()
    assert export_products("csv", out) == 41
    path = tmp_path / "products.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    report = import_products(path, now=now, settings=settings)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 41)

    customers = tmp_path / "c.csv"
    customers.write_text("kod;ad;telefon\nM1;Ayşe;0532 111 22 33\nM2;Ali;0532 111 22 44\n", encoding="utf-8")
    assert import_customers(customers, now=now, settings=settings).created == 2
    swap = tmp_path / "swap.csv"
    swap.write_text("kod;telefon\nM1;0532 111 22 44\nM2;0532 111 22 33\n", encoding="utf-8")
    assert import_customers(swap, now=now, settings=settings).updated == 2
    assert m.Customer.get(m.Customer.code == "M1").phone == "+905321112244"
