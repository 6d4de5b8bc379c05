"""The prepared statements under the sale engine (pos_tui.store.fast): large documents split
across statements, the stock cache, the receipt counter with and without ``RETURNING``, the
journal head, and the posting reading exactly what ``sale_document`` reads back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pos_tui.core import audit, kernel
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, ValidationError, canonical
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return, load_open_cart, sale_document, save_cart
from pos_tui.settings import Settings
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m
from pos_tui.store.counters import next_value

D = Decimal
MakeProduct = Callable[..., m.Product]


def _big_cart(make_product: MakeProduct, add: Callable[..., Cart], lines: int) -> tuple[Cart, list[m.Product]]:
    products = [
        make_product(f"{2000 + i}", f"Ürün {i}", f"{1 + i % 7}.{i % 100:02d}", (1, 10, 20)[i % 3]) for i in range(lines)
    ]
    cart = Cart()
    for i, product in enumerate(products):
        cart = add(cart, product, 1000 + 1000 * (i % 3))
    return cart, products


def test_a_sale_with_more_lines_than_one_statement_takes(
    db: object, cashier: Actor, make_product: MakeProduct, add: Callable[..., Cart], now: datetime, settings: Settings
) -> None:
    # 16 columns per line: at most 62 lines fit one statement under the 999-parameter limit.
    cart, products = _big_cart(make_product, add, 150)
    assert len(cart.active_lines) == 150
    result = complete_sale("T1", cashier, [PaymentInput("cash", cart.total + D("1.00"))], now=now, cart=cart)

    assert result.change == D("1.00")
    lines = list(m.SaleLine.select().where(m.SaleLine.sale == result.sale_id).order_by(m.SaleLine.line_no))
    assert [ln.line_no for ln in lines] == list(range(1, 151))
    L, S = m.SaleLine, m.StockMovement
    sold: Any = L.select(L.product).where(L.sale == result.sale_id).order_by(L.line_no).tuples()
    assert [product_id for (product_id,) in sold] == [p.id for p in products]
    assert sum(ln.total for ln in lines) == m.Sale.get_by_id(result.sale_id).total
    movements: Any = S.select(S.product, S.qty).where(S.sale == result.sale_id).tuples()
    moved = dict(movements)
    assert moved == {p.id: -(1000 + 1000 * (i % 3)) for i, p in enumerate(products)}
    stock = {p.id: p.stock for p in m.Product.select().where(m.Product.id.in_([p.id for p in products]))}
    assert stock == {p.id: -(1000 + 1000 * (i % 3)) for i, p in enumerate(products)}

    entry = m.JournalEntry.get(m.JournalEntry.ref == result.uid)
    assert entry.payload == canonical(sale_document(result.sale_id))
    assert result.document == sale_document(result.sale_id)
    assert audit.verify(settings=settings).ok


def test_the_same_product_on_several_lines_moves_its_stock_once_per_line(
    db: object, cashier: Actor, make_product: MakeProduct, add: Callable[..., Cart], now: datetime
) -> None:
    water = make_product("3001", "Su", "5.00", 1, stock=20_000)
    cart = add(Cart(), water, 2000)
    cart = add(cart, water, 3000, merge=False)
    result = complete_sale("T1", cashier, [PaymentInput("card", cart.total)], now=now, cart=cart)

    assert len(sale_document(result.sale_id)["lines"]) == 2
    assert m.Product.get_by_id(water.id).stock == 15_000
    qtys = sorted(mv.qty for mv in m.StockMovement.select().where(m.StockMovement.sale == result.sale_id))
    assert qtys == [-3000, -2000]


def test_stock_updates_split_across_statements(db: object, make_product: MakeProduct) -> None:
    products = [make_product(f"{4000 + i}", f"Kalem {i}", "1.00", stock=i) for i in range(400)]
    with write_tx():
        fast.add_by_id(m.Product, "stock", {p.id: 1000 + i for i, p in enumerate(products)})
    assert [p.stock for p in m.Product.select().order_by(m.Product.id)] == [i + 1000 + i for i in range(400)]


@pytest.mark.parametrize("returning", [True, False])
def test_counters_are_gapless_per_scope_with_or_without_returning(
    db: object, monkeypatch: pytest.MonkeyPatch, returning: bool
) -> None:
    monkeypatch.setattr(fast, "_upsert_returns", lambda _db: returning)
    with write_tx():
        assert [next_value("T1", "receipt") for _ in range(3)] == [1, 2, 3]
        assert next_value("T2", "receipt") == 1
        assert next_value("T1", "z") == 1
    with pytest.raises(RuntimeError), write_tx():
        assert next_value("T1", "receipt") == 4
        raise RuntimeError("roll back")
    with write_tx():
        assert next_value("T1", "receipt") == 4


def test_the_journal_head_starts_at_genesis_and_follows_every_entry(db: object, now: datetime) -> None:
    assert m.MetaEntry.get_or_none(m.MetaEntry.key == kernel.HEAD_KEY) is None
    with write_tx():
        first = kernel.append("no_sale", {"n": 1}, terminal="T1", now=now, ref="a")
        second = kernel.append("no_sale", {"n": 2}, terminal="T1", now=now, ref="b")
    rows = list(m.JournalEntry.select().order_by(m.JournalEntry.id))
    assert [r.id for r in rows] == [first.id, second.id]
    assert rows[0].prev_hash == kernel.GENESIS
    assert rows[0].hash == kernel.chain_hash(kernel.GENESIS, canonical({"n": 1})) == first.hash
    assert rows[1].prev_hash == rows[0].hash
    assert m.MetaEntry.get(m.MetaEntry.key == kernel.HEAD_KEY).value == f"{second.id}:{rows[1].hash}"


def test_a_failed_posting_leaves_cart_counter_and_journal_as_they_were(
    db: object, cashier: Actor, make_product: MakeProduct, add: Callable[..., Cart], now: datetime
) -> None:
    tea = make_product("5001", "Çay", "40.00", 1, stock=1000)
    cart = add(Cart(), tea)
    save_cart("T1", cashier.user_id, cart, now=now)
    before = m.JournalEntry.select().count()
    with pytest.raises(ValidationError):
        complete_sale("T1", cashier, [PaymentInput("card", D("10.00"))], now=now)
    assert load_open_cart("T1", cashier.user_id) == cart
    assert m.JournalEntry.select().count() == before
    assert m.Counter.get_or_none(m.Counter.name == "receipt") is None
    assert m.Product.get_by_id(tea.id).stock == 1000

    result = complete_sale("T1", cashier, [PaymentInput("cash", D("50.00"))], now=now)
    assert result.receipt_no == 1
    assert load_open_cart("T1", cashier.user_id) == Cart()


def test_returns_post_through_the_same_statements(
    db: object, cashier: Actor, make_product: MakeProduct, add: Callable[..., Cart], now: datetime, settings: Settings
) -> None:
    cart, products = _big_cart(make_product, add, 70)
    sale = complete_sale("T1", cashier, [PaymentInput("card", cart.total)], now=now, cart=cart)
    back = create_return(
        "T1",
        cashier,
        sale.uid,
        [ReturnLineInput(line_no=n, qty_milli=1000) for n in range(1, 71)],
        now=now + timedelta(minutes=5),
        reason="wrong order",
    )
    assert back.receipt_no == 2
    assert back.document == sale_document(back.sale_id)
    assert sum(p.stock for p in m.Product.select().where(m.Product.id.in_([p.id for p in products]))) == (
        -sum(1000 * (i % 3) for i in range(70))
    )
    assert audit.verify(settings=settings).ok
