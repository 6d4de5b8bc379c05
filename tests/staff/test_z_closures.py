"""Z closures: numbering, totals net of returns, coverage by document id, perpetual grand total."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core import cash, staff
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.cash import KdvTotal
from pos_tui.core.kernel import Actor, PermissionDenied, to_db, to_kurus
from pos_tui.core.till import ReturnLineInput, SaleResult, create_return, post_cart
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

D = Decimal
Sell = Callable[..., SaleResult]
Refund = Callable[..., SaleResult]


def test_z_totals_include_returns_and_only_the_terminals_documents(
    people: dict[str, Actor], settings: Settings, now: datetime, sell: Sell, refund: Refund
) -> None:
    ayse, mehmet = people["ayse"], people["mehmet"]
    a = sell(ayse, [("1001", 2000), ("2001", 1000)], [("cash", "100.00")], now=now)
    sell(ayse, [("3001", 1500)], [("card", "300.00")], now=now + timedelta(minutes=5))
    sell(ayse, [("2001", 1000)], [("cash", "50.00")], now=now + timedelta(minutes=6), terminal="T2")
    refund(ayse, a.uid, [(2, 1000)], now=now + timedelta(minutes=30))

    preview = cash.x_preview("T1", now=now + timedelta(hours=1))
    journal_before = m.JournalEntry.select().count()
    z = cash.z_report("T1", mehmet, now=now + timedelta(hours=1), settings=settings)

    assert (z.z_no, z.terminal, z.user, z.preview, z.empty) == (1, "T1", "mehmet", False, False)
    t = z.totals
    assert (t.sales_count, t.returns_count) == (2, 1)
    assert (t.gross, t.returns, t.net) == (D("370.00"), D("50.00"), D("320.00"))
    assert t.by_payment == {"card": D("300.00"), "cash": D("20.00")}
    assert t.by_kdv == {
        1: KdvTotal(D("19.80"), D("0.20")),
        10: KdvTotal(D("272.73"), D("27.27")),
        20: KdvTotal(D("0.00"), D("0.00")),
    }
    assert (t.from_at, t.to_at) == (now, now + timedelta(minutes=30))
    assert z.grand_total == D("320.00")
    assert (preview.z_no, preview.totals, preview.grand_total) == (1, z.totals, z.grand_total)

    doc = z.to_json(settings.shop.timezone)
    assert doc == {
        "z_no": 1,
        "terminal": "T1",
        "at": "2026-11-01T11:15:00+03:00",
        "user": "mehmet",
        "from": "2026-11-01T10:15:00+03:00",
        "to": "2026-11-01T10:45:00+03:00",
        "sales_count": 2,
        "returns_count": 1,
        "gross": "370.00",
        "returns": "50.00",
        "net": "320.00",
        "by_payment": {"card": "300.00", "cash": "20.00"},
        "by_kdv": {
            "1": {"base": "19.80", "kdv": "0.20"},
            "10": {"base": "272.73", "kdv": "27.27"},
            "20": {"base": "0.00", "kdv": "0.00"},
        },
        "grand_total": "320.00",
    }
    entry = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first()
    assert (entry.kind, entry.ref, json.loads(entry.payload)) == ("z", "Z1", doc)
    assert m.JournalEntry.select().count() == journal_before + 1
    row = m.ZClosure.get()
    assert (row.z_no, row.sales_count, row.net, row.grand_total, row.user.name) == (1, 2, 32000, 32000, "mehmet")


def test_each_z_covers_only_new_documents_and_the_grand_total_is_perpetual(
    people: dict[str, Actor], settings: Settings, now: datetime, sell: Sell
) -> None:
    ayse, admin = people["ayse"], people["admin"]
    sell(ayse, [("2001", 2000)], [("cash", "100.00")], now=now)
    first = cash.z_report("T1", admin, now=now + timedelta(hours=10), settings=settings)
    # A document dated before the first Z but posted after it belongs to the next Z.
    late = sell(ayse, [("1001", 1000)], [("card", "10.00")], now=now - timedelta(hours=1))
    sell(ayse, [("2001", 1000)], [("cash", "50.00")], now=now + timedelta(days=1))
    second = cash.z_report("T1", admin, now=now + timedelta(days=1, hours=10), settings=settings)
    third = cash.z_report("T1", admin, now=now + timedelta(days=2), settings=settings)

    assert [z.z_no for z in (first, second, third)] == [1, 2, 3]
    assert (first.totals.net, first.grand_total) == (D("100.00"), D("100.00"))
    assert (second.totals.sales_count, second.totals.net, second.grand_total) == (2, D("60.00"), D("160.00"))
    assert second.totals.from_at == now - timedelta(hours=1)
    assert second.totals.first_id == late.sale_id
    assert third.empty and third.totals.net == 0 and third.grand_total == D("160.00")
    assert (third.totals.from_at, third.to_json(settings.shop.timezone)["to"]) == (None, None)
    rows = list(m.ZClosure.select().order_by(m.ZClosure.z_no))
    assert [(r.first_sale_id, r.last_sale_id) for r in rows] == [(1, 1), (2, 3), (None, 3)]
    assert m.Counter.get((m.Counter.scope == "T1") & (m.Counter.name == "z")).value == 3


def test_z_numbers_are_per_terminal(people: dict[str, Actor], settings: Settings, now: datetime, sell: Sell) -> None:
    admin = people["admin"]
    cash.z_report("T1", admin, now=now, settings=settings)
    sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now, terminal="T2")
    t2 = cash.z_report("T2", admin, now=now, settings=settings)
    assert (t2.z_no, t2.totals.sales_count, t2.grand_total) == (1, 1, D("10.00"))
    assert cash.z_report("T1", admin, now=now, settings=settings).z_no == 2


def test_imported_documents_go_into_the_z(
    people: dict[str, Actor], settings: Settings, now: datetime, products: dict[str, m.Product]
) -> None:
    p = products["2001"]
    cart = Cart().add(product_id=p.id, code=p.code, name=p.name, unit=p.unit, kdv_rate=p.kdv_rate, price=D("50.00"))
    post_cart(
        cart,
        [PaymentInput("card", D("50.00"))],
        terminal="T1",
        cashier_id=people["ayse"].user_id,
        now=now - timedelta(days=30),
        uid="ext-1",
        source="import",
        tz=settings.shop.timezone,
    )
    z = cash.z_report("T1", people["admin"], now=now, settings=settings)
    assert (z.totals.sales_count, z.totals.net) == (1, D("50.00"))


def test_a_z_needs_the_reports_permission(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    with pytest.raises(PermissionDenied, match="ayse may not see reports"):
        cash.z_report("T1", people["ayse"], now=now, settings=settings)
    assert m.ZClosure.select().count() == 0
    assert not m.Counter.select().where(m.Counter.name == "z").exists()


def test_an_x_preview_writes_nothing(people: dict[str, Actor], settings: Settings, now: datetime, sell: Sell) -> None:
    sell(people["ayse"], [("1001", 1000)], [("cash", "10.00")], now=now)
    cash.z_report("T1", people["admin"], now=now, settings=settings)
    sell(people["ayse"], [("1001", 3000)], [("cash", "30.00")], now=now)
    entries = m.JournalEntry.select().count()
    x = cash.x_preview("T1", now=now)
    assert (x.z_no, x.preview, x.user, x.totals.net, x.grand_total) == (2, True, None, D("30.00"), D("40.00"))
    assert m.JournalEntry.select().count() == entries
    assert m.ZClosure.select().count() == 1


_files = itertools.count()


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    days=st.lists(
        st.lists(st.tuples(st.integers(1, 5), st.sampled_from(["cash", "card"]), st.booleans()), max_size=4),
        min_size=1,
        max_size=4,
    )
)
def test_every_document_is_in_exactly_one_z(
    tmp_path: Path, settings: Settings, now: datetime, days: list[list[tuple[int, str, bool]]]
) -> None:
    """Whatever is sold and returned between Zs, the Zs add up to every document once and the
    last grand total is the net of everything."""
    open_database(tmp_path / f"z{next(_files)}.sqlite3")
    try:
        staff.add_user("admin", "admin", "9999", now=now, settings=settings)
        admin = staff.actor_by_name("admin", settings=settings)
        product = m.Product.create(
            code="1", name="Çay", name_key="cay", price=to_kurus(D("12.35")), kdv_rate=20, updated_at=to_db(now)
        )
        expected_net = D("0")
        zs = []
        for day, docs in enumerate(days):
            at = now + timedelta(days=day)
            for qty, method, give_back in docs:
                cart = Cart().add(
                    product_id=product.id,
                    code="1",
                    name="Çay",
                    unit="piece",
                    kdv_rate=20,
                    price=D("12.35"),
                    qty_milli=qty * 1000,
                )
                sale = post_cart(
                    cart, [PaymentInput(method, cart.total)], terminal="T1", cashier_id=admin.user_id, now=at
                )
                expected_net += sale.total
                if give_back:
                    back = create_return("T1", admin, sale.uid, [ReturnLineInput(1, 1000)], now=at, reason="x")
                    expected_net -= back.total
            zs.append(cash.z_report("T1", admin, now=at + timedelta(hours=12), settings=settings))
        assert sum(z.totals.count for z in zs) == m.Sale.select().count()
        assert sum((z.totals.net for z in zs), D("0")) == expected_net == zs[-1].grand_total
        for z in zs:
            assert sum((k.base + k.kdv for k in z.totals.by_kdv.values()), D("0")) == z.totals.net
            assert sum(z.totals.by_payment.values(), D("0")) == z.totals.net
    finally:
        close_database()
