"""Properties of the margin and ABC reports over random small shops built through the real
services: the three margin reports add up to the same totals, which are the ledger's; ABC's
classes partition the products with revenue and its shares add up to 100 %."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rstock_support import OCTOBER, at, people, receive, run, sell, summary, totals

from pos_tui.core import catalog
from pos_tui.core.reports.abc import classify
from pos_tui.core.reports.shares import largest_remainder
from pos_tui.core.till import ReturnLineInput, create_return
from pos_tui.settings import Settings
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m

D = Decimal
_files = itertools.count(1)

product = st.tuples(
    st.sampled_from([None, "Kuru gıda", "Temizlik"]),  # category
    st.sampled_from([None, "ACME"]),  # the catalogue's supplier
    st.integers(100, 20_000),  # price, kuruş
    st.sampled_from([1, 10, 20]),  # KDV
    st.one_of(st.none(), st.tuples(st.sampled_from(["ACME", "BETA"]), st.integers(1, 9), st.integers(1, 9_999))),
)
shop = st.tuples(
    st.lists(product, min_size=1, max_size=5),
    st.lists(st.lists(st.tuples(st.integers(0, 4), st.integers(1, 4)), min_size=1, max_size=3), min_size=1, max_size=4),
    st.booleans(),  # return the first line of the first sale
)


@pytest.fixture
def fresh(tmp_path: Path, settings: Settings) -> Iterator[tuple[Path, Settings]]:
    yield tmp_path, settings
    close_database()


def _build(path: Path, config: Settings, data: tuple) -> None:
    products, sales, give_back = data
    open_database(path / f"pos{next(_files)}.sqlite3")
    admin = people(config, at(9, 1))
    for code, name in (("ACME", "Acme"), ("BETA", "Beta")):
        m.Supplier.create(code=code, name=name, created_at=at(9, 1).replace(tzinfo=None))
    catalog.upsert_products(
        [
            catalog.ProductInput(
                code=f"P{n}", name=f"Ürün {n}", price=D(price) / 100, kdv_rate=kdv, category=cat, supplier=sup or ""
            )
            for n, (cat, sup, price, kdv, _bought) in enumerate(products)
        ],
        now=at(9, 1),
        kdv_rates=config.kdv_rates,
    )
    for n, (*_rest, bought) in enumerate(products):
        if bought is not None:
            supplier, qty, cost = bought
            receive(admin, config, at(9, 2), supplier, (f"P{n}", str(qty), str(D(cost) / 100)))
    uids = []
    for day, items in enumerate(sales, start=1):
        lines = [(f"P{i % len(products)}", qty) for i, qty in items]
        uids.append(sell(admin, at(10, day), *lines))
    if give_back:
        create_return("T1", admin, uids[0], [ReturnLineInput(1, 1000)], now=at(10, 20), reason="iade")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=shop)
def test_margin_reports_agree_and_abc_partitions(fresh: tuple[Path, Settings], data: tuple) -> None:
    path, config = fresh
    _build(path, config, data)
    by_product = run("margin-by-product", OCTOBER)
    by_category = run("margin-by-category", OCTOBER)
    by_supplier = run("margin-by-supplier", OCTOBER)
    figures = totals(by_product)
    for report in (by_category, by_supplier):
        assert {k: v for k, v in totals(report).items() if k != "products"} == figures
        assert totals(report)["products"] == len(by_product.rows)
        for key in ("net", "cost", "margin"):
            assert sum(report.values(key), D(0)) == figures[key]
    # the totals are the documents' and the ledger's
    S, L, SM = m.Sale, m.SaleLine, m.StockMovement
    net = sum((-1 if ln.sale.kind == "return" else 1) * (ln.total - ln.kdv) for ln in L.select().join(S))
    cost = -sum(mv.value for mv in SM.select().where(SM.kind.in_(["sale", "return"])))
    assert (figures["net"], figures["cost"]) == (D(net) / 100, D(cost) / 100)

    abc = run("abc", OCTOBER)
    ranked = [r[1] for r in abc.rows]
    with_revenue = [r[0] for r in by_product.rows if r[3] > 0]  # net excluding KDV > 0 ⇔ including KDV > 0
    assert sorted(ranked) == sorted(with_revenue)
    classes = abc.values("class")
    assert classes == sorted(classes)  # A's first, then B's, then C's: each product in one class
    s = summary(abc)
    assert s["a_products"] + s["b_products"] + s["c_products"] == len(ranked)
    if ranked:
        assert sum(abc.values("share"), D(0)) == D(100)
        assert abc.values("cumulative")[-1] == D(100)
        assert s["a_share"] + s["b_share"] + s["c_share"] == D(100)
        assert classes[0] == "A"


@given(st.lists(st.integers(1, 10**9), min_size=1, max_size=40))
def test_classes_and_shares_of_any_ranking(nets: list[int]) -> None:
    nets = sorted(nets, reverse=True)
    total = sum(nets)
    shares = largest_remainder(10_000, nets)
    assert sum(shares) == 10_000 and all(abs(s * total - n * 10_000) < total for s, n in zip(shares, nets, strict=True))
    classes = classify(nets)
    assert classes == sorted(classes) and classes[0] == "A"
    a = [n for n, c in zip(nets, classes, strict=True) if c == "A"]
    # A covers at least 80 %, and without its last product less than 80 %
    assert 100 * sum(a) >= 80 * total and 100 * (sum(a) - a[-1]) < 80 * total
    ab = [n for n, c in zip(nets, classes, strict=True) if c != "C"]
    assert 100 * sum(ab) >= 95 * total and 100 * (sum(ab) - ab[-1]) < 95 * total
