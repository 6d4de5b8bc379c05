"""The stock reports on PostgreSQL: the card's keyset batches and cheaper SUMs, levels at a date,
low and idle stock, shrinkage (the same hand-computed shop as on SQLite)."""

from __future__ import annotations

import io
import json
from datetime import date

import peewee
import pytest
from test_reports_support import at, build_shop

from pos_tui.core.stock import reports
from pos_tui.core.stock.reports import card as card_module
from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres
TZ = "Europe/Istanbul"
NOW = at(11, 1, 7)


def test_reports_on_postgres(pg_db: peewee.Database, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    build_shop(settings, NOW)
    monkeypatch.setattr(card_module, "BATCH", 2)  # several keyset batches, ties on `at` included
    out = io.StringIO()
    reports.write_card_json(reports.stock_card("1001", tz=TZ), out)
    doc = json.loads(out.getvalue())
    assert [(r["document"], r["balance"]) for r in doc["movements"]] == [
        ("receipt 1", "20"),
        ("transfer_out 1", "12"),  # DEPO → in transit
        ("transfer_out 1", "20"),
        ("transfer_in 1", "12"),  # in transit → MAGAZA
        ("transfer_in 1", "20"),
        ("receipt 4", "25"),
        ("T1-1", "22"),
        ("receipt 3", "32"),
        ("adjustment 2", "30"),
    ]
    assert doc["movements"][0]["at"] == "2026-10-01T12:00:00+03:00" and doc["closing"] == "30"
    window = reports.stock_card("1001", first=date(2026, 10, 4), last=date(2026, 10, 15), location="MAGAZA", tz=TZ)
    assert (window.opening, [r.balance for r in window.rows()], window.closing) == (8000, [5000], 5000)
    tail = reports.stock_card("1001", tz=TZ, tail=2)
    assert (tail.opening, [r.balance for r in tail.rows()]) == (22_000, [32_000, 30_000])
    assert reports.stock_info("1001").as_json(TZ)["last_purchase"]["date"] == "2026-10-03"
    levels = reports.stock_levels(as_of=reports.end_of_day(date(2026, 10, 4), TZ))
    assert {(ln.code, ln.location): ln.value for ln in levels.lines if ln.code == "1001"} == {
        ("1001", "DEPO"): 20_400,
        ("1001", "MAGAZA"): 9600,
    }
    assert [ln.suggestion for ln in reports.low_stock(now=NOW)] == [6509, 11_000]
    assert [ln.code for ln in reports.idle_stock(now=NOW, days=20)] == ["1001", "1002"]
    assert [(r.key, r.lost_value) for r in reports.shrinkage_report(tz=TZ)] == [("count", 500), ("waste", 2222)]
