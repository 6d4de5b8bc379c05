"""The sales reports agree with each other and with the Z: the net sales of the same documents
are one figure whichever way they are cut (by day, hour, cashier, terminal, payment method,
product, category), and the Z reports of those documents add up to it. On a fixed week, on
PostgreSQL, and on random sales and returns (Hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from rsales_support import (
    WEEK,
    D,
    Shop,
    agreement,
    assert_agree,
    at,
    by,
    give_back,
    make_shop,
    query,
    ring,
    run,
    sell,
    take_z,
    week_of_sales,
)

from pos_tui.core.basket import Discount
from pos_tui.core.cash import ZReport
from pos_tui.core.reports import Period
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m


def _week_with_zs(shop: Shop) -> list[ZReport]:
    """The fixed week between Z reports: one on T1 after a sale of the week before (not in the
    period), then one on each terminal after the week. The week's Zs."""
    sell(shop.ayse, at(1, 10, 15), ring((shop.soap, 1000)))
    before = take_z(shop, "T1", at(1, 22))
    assert before.totals.net == D("85.00")
    week_of_sales(shop)
    return [take_z(shop, t, at(8, 23, 30)) for t in ("T1", "T2")]


def _check_week(shop: Shop) -> None:
    zs = _week_with_zs(shop)
    assert [z.totals.net for z in zs] == [D("95.00"), D("184.50")]
    figures = agreement(query())
    assert_agree(figures, net=D("279.50"), gross=D("300.00"), discount=D("20.50"), receipts=3, returns=1)
    # the KDV of sales-by-day is the Zs' (both per rate, from the documents' KDV breakdown)
    z_kdv = sum((k.kdv for z in zs for k in z.totals.by_kdv.values()), D(0))
    assert figures["sales-by-day"]["kdv"] == z_kdv == D("23.51")


def test_every_report_and_the_z_agree_on_the_week(db: object, settings: Settings, now: datetime) -> None:
    _check_week(make_shop(settings, now))


@pytest.mark.postgres
def test_every_report_and_the_z_agree_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    _check_week(make_shop(settings, now))


def test_store_filter_keeps_the_terminals_of_the_store(db: object, settings: Settings, now: datetime) -> None:
    shop = make_shop(settings, now)
    week_of_sales(shop)
    m.Store.create(code="S2", name="Şube", created_at=now.replace(tzinfo=None))
    depot = m.StockLocation.create(code="SUBE", name="Şube", store="S2", created_at=now.replace(tzinfo=None))
    m.TerminalLocation.create(terminal="T2", location=depot)
    s1, s2 = agreement(query(store="S1")), agreement(query(store="S2"))
    assert_agree(s1, net=D("95.00"), receipts=2)  # T1 sells from the default location, of store S1
    assert_agree(s2, net=D("184.50"), receipts=1)
    assert list(by(run("sales-by-terminal", query(store="S2")), "terminal")) == ["T2"]
    assert list(by(run("sales-by-cashier", query(store="S1")), "cashier")) == ["ayse"]


def test_an_unknown_store_is_refused(db: object, settings: Settings, now: datetime) -> None:
    from pos_tui.core.kernel import NotFound

    make_shop(settings, now)
    with pytest.raises(NotFound, match="No store S9"):
        run("sales-by-cashier", query(store="S9"))


# --- random sales and returns ----------------------------------------------------------------

_line = st.tuples(st.integers(0, 3), st.integers(1, 4))  # product, quantity (kg: × 250 g)
_sale = st.fixed_dictionaries(
    {
        "cashier": st.sampled_from(["ayse", "mehmet"]),
        "terminal": st.sampled_from(["T1", "T2"]),
        "day": st.integers(2, 8),
        "hour": st.integers(0, 23),
        "minute": st.integers(0, 59),
        "lines": st.lists(_line, min_size=1, max_size=3),
        "discount": st.sampled_from([None, "5", "10"]),
        "card_share": st.sampled_from([None, Decimal("0.5"), Decimal(1)]),
        "back": st.lists(st.tuples(st.integers(1, 3), st.integers(1, 4)), max_size=2),
        "back_after": st.integers(1, 600),
    }
)


def _post(shop: Shop, spec: dict[str, Any]) -> None:
    """One generated sale, and what of it comes back later the same week."""
    products = (shop.bread, shop.milk, shop.cheese, shop.soap)
    actor = shop.ayse if spec["cashier"] == "ayse" else shop.mehmet
    items = [(products[p], q * (250 if products[p].unit == "kg" else 1000)) for p, q in spec["lines"]]
    cart = ring(*items)
    if spec["discount"] is not None:
        cart = cart.discount_cart(Discount("percent", D(spec["discount"])))
    pay: list[tuple[str, str]] = []
    if spec["card_share"] is not None:
        card = (cart.total * spec["card_share"]).quantize(D("0.01"))
        pay = [("card", str(card))] + ([("cash", str(cart.total - card))] if cart.total > card else [])
    when = at(spec["day"], spec["hour"], spec["minute"])
    sold = sell(actor, when, cart, terminal=spec["terminal"], pay=pay)
    back: dict[int, int] = {}
    for n, q in spec["back"]:
        if n <= len(items):
            step = 250 if items[n - 1][0].unit == "kg" else 1000
            back[n] = min(back.get(n, 0) + q * step, items[n - 1][1])
    if back:
        later = when + timedelta(minutes=spec["back_after"])
        give_back(shop.ayse, sold, sorted(back.items()), later, terminal=spec["terminal"])


@hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(_sale, min_size=1, max_size=6))
def test_the_reports_agree_on_random_sales_and_returns(
    settings: Settings, now: datetime, sales: list[dict[str, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        open_database(Path(tmp) / "pos.sqlite3")  # a fresh store per example
        try:
            shop = make_shop(settings, now)
            for spec in sales:
                _post(shop, spec)
            period = Period(WEEK.first, WEEK.last + timedelta(days=1))  # a return may fall on the Monday after
            z_net = sum((take_z(shop, t, at(10, 12)).totals.net for t in ("T1", "T2")), D(0))
            figures = agreement(query(period))
            assert_agree(figures, net=z_net, receipts=len(sales))
        finally:
            close_database()
