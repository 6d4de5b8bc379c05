"""The sale engine on PostgreSQL: counters, the stock update, returns' sums and the journal.

Needs ``POS_TEST_PG_URL`` (``.ci/run`` starts a throwaway server and sets it); each test gets
a fresh database on that server.
"""

from __future__ import annotations

import io
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import peewee
import pytest

from pos_tui.core.basket import Cart, Discount, PaymentInput
from pos_tui.core.interchange import export_sales, import_sales
from pos_tui.core.kernel import Actor, canonical, to_db
from pos_tui.core.till import (
    ReturnLineInput,
    complete_sale,
    create_return,
    load_open_cart,
    park_cart,
    resume_cart,
    returnable_lines,
    sale_document,
    save_cart,
)
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
D = Decimal


def test_sales_and_returns_on_postgres(
    pg_db: peewee.Database, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    user = m.User.create(name="ayse", role="cashier", pin_tag="t1", pin_hash="x", created_at=to_db(now))
    cashier = Actor(int(user.id), "ayse", "cashier", settings.roles["cashier"].permissions, 10)
    bread = m.Product.create(
        code="1001", name="Ekmek", name_key="ekmek", price=1000, kdv_rate=1, stock=10_000, updated_at=to_db(now)
    )
    cheese = m.Product.create(
        code="00101", name="Peynir", name_key="peynir", unit="kg", price=24000, kdv_rate=10, updated_at=to_db(now)
    )
    cart = Cart()
    for product, qty in ((bread, 3000), (cheese, 1250)):
        cart = cart.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=D(product.price) / 100,
            qty_milli=qty,
        )
    cart = cart.discount_cart(Discount("percent", D(5)))
    save_cart("T1", cashier.user_id, cart, now=now)
    park_cart("T1", cashier, now)
    draft = m.CartDraft.get()
    assert resume_cart("T1", draft.id, cashier, now) == cart

    sale = complete_sale("T1", cashier, [PaymentInput("card", D("100.00")), PaymentInput("cash", D("500"))], now=now)
    assert load_open_cart("T1", cashier.user_id).is_empty
    assert (sale.receipt_no, sale.total, sale.change) == (1, D("313.50"), D("286.50"))
    assert complete_sale("T1", cashier, [PaymentInput("cash", D("313.50"))], now=now, cart=cart).receipt_no == 2
    assert m.Product.get_by_id(bread.id).stock == 10_000 - 6000

    first = create_return("T1", cashier, sale.uid, [ReturnLineInput(1, 1000)], now=now, reason="r")
    rest = [ReturnLineInput(r.line_no, r.remaining_milli) for r in returnable_lines(sale.uid)]
    second = create_return("T1", cashier, sale.uid, rest, now=now, reason="r")
    assert first.total + second.total == sale.total
    assert (first.receipt_no, second.receipt_no) == (3, 4)
    for result in (sale, first, second):
        entry = m.JournalEntry.get(m.JournalEntry.ref == result.uid)
        assert entry.payload == canonical(sale_document(result.sale_id)) == canonical(result.document)

    path = tmp_path / "sales.jsonl"
    line = {
        "id": "web-1",
        "at": "2026-10-30T18:05:00+03:00",
        "terminal": "T1",
        "cashier": "ayse",
        "lines": [{"code": "1001", "qty": 2}],
        "payments": [{"method": "cash", "amount": "20.00"}],
    }
    path.write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert import_sales(path, settings=settings, now=now).imported == 1
    assert import_sales(path, settings=settings, now=now).skipped == 1
    out = io.StringIO()
    assert export_sales(out, "json", tz=settings.shop.timezone) == 5
    assert [d["receipt_no"] for d in json.loads(out.getvalue())] == [5, 1, 2, 3, 4]


def test_a_long_sale_on_postgres_splits_its_statements(
    pg_db: peewee.Database, settings: Settings, now: datetime
) -> None:
    user = m.User.create(name="ayse", role="cashier", pin_tag="t1", pin_hash="x", created_at=to_db(now))
    cashier = Actor(int(user.id), "ayse", "cashier", settings.roles["cashier"].permissions, 10)
    products = [
        m.Product.create(
            code=f"{2000 + i}", name=f"Ürün {i}", name_key=f"urun {i}", price=100 + i, kdv_rate=(1, 10, 20)[i % 3],
            updated_at=to_db(now),
        )
        for i in range(150)
    ]  # fmt: skip
    cart = Cart()
    for product in products:
        cart = cart.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=D(product.price) / 100,
        )
    sale = complete_sale("T1", cashier, [PaymentInput("cash", cart.total)], now=now, cart=cart)
    assert m.SaleLine.select().where(m.SaleLine.sale == sale.sale_id).count() == 150
    assert {p.stock for p in m.Product.select()} == {-1000}
    entry = m.JournalEntry.get(m.JournalEntry.ref == sale.uid)
    assert entry.payload == canonical(sale_document(sale.sale_id)) == canonical(sale.document)
    head = m.MetaEntry.get(m.MetaEntry.key == "journal_head").value
    assert head == f"{entry.id}:{entry.hash}"
