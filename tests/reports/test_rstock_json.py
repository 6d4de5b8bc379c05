"""The margin and stock reports in the JSON contract (docs/reports.md "JSON")."""

from __future__ import annotations

import json

import pytest
from rstock_support import OCTOBER, TZ, Shop, build_shop, run

from pos_tui.settings import Settings

NAMES = (
    "margin-by-product",
    "margin-by-category",
    "margin-by-supplier",
    "abc",
    "stock-value",
    "stock-low",
    "stock-idle",
    "count-variances",
    "shrinkage",
)


@pytest.fixture
def shop(db: object, settings: Settings) -> Shop:
    return build_shop(settings)


def test_every_report_writes_its_json(shop: Shop) -> None:
    for name in NAMES:
        out = json.loads(json.dumps(run(name, OCTOBER, store="S1").as_json(TZ)))
        assert out["report"] == name and out["from"] == "2026-10-01" and out["to"] == "2026-10-31"
        assert out["filters"] == {"terminal": None, "store": "S1"}
        assert out["rows"], name
    margin = run("margin-by-product", OCTOBER).as_json(TZ)
    cay = next(r for r in margin["rows"] if r["code"] == "1001")
    assert cay == {
        "code": "1001",
        "name": "Çay",
        "qty": "3",
        "net": "25.00",
        "cost": "18.00",
        "margin": "7.00",
        "margin_pct": "28",
    }
    assert margin["summary"]["margin_pct"] == "50.8"
    low = run("stock-low", OCTOBER).as_json(TZ)
    assert [r["order_value"] for r in low["rows"]] == ["35.00", None]
    idle = run("stock-idle", OCTOBER).as_json(TZ)
    assert [r["last_sale"] for r in idle["rows"]] == [None, "2026-09-15"]
