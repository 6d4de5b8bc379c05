"""Margin and stock value on PostgreSQL: the same shop, the same figures as on SQLite."""

from __future__ import annotations

from decimal import Decimal

import peewee
import pytest
from rstock_support import OCTOBER, SEPTEMBER, TODAY, build_shop, rows_by, run, totals

from pos_tui.settings import Settings

D = Decimal


@pytest.mark.postgres
def test_margin_and_stock_value_on_postgres(pg_db: peewee.Database, settings: Settings) -> None:
    build_shop(settings)
    margin = run("margin-by-product", OCTOBER)
    assert [r[0] for r in margin.rows] == ["1003", "1002", "1006", "1001"]
    assert totals(margin) == {"net": D("148.33"), "cost": D("73.00"), "margin": D("75.33"), "margin_pct": D("50.8")}
    assert totals(run("margin-by-supplier", OCTOBER))["margin"] == D("75.33")
    assert totals(run("margin-by-product", OCTOBER, store="S2"))["margin"] == D("8.33")
    value = run("stock-value", OCTOBER)
    assert totals(value) == {"value": D("302.00"), "sale_value": D("408.33"), "potential_margin": D("106.33")}
    assert rows_by(value, "code")["1001"]["unit_cost"] == D("6.00")
    assert totals(run("stock-value", TODAY))["value"] == D("392.00")
    assert [r[0] for r in run("stock-value", SEPTEMBER).rows] == ["1005"]
    assert [r[0] for r in run("stock-idle", OCTOBER).rows] == ["1004", "1005"]
    assert totals(run("count-variances", OCTOBER))["value"] == D("-15.00")
    assert totals(run("shrinkage", OCTOBER))["loss"] == D("21.00")
    assert totals(run("stock-low", OCTOBER))["order_value"] == D("35.00")
