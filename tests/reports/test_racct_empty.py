"""Every accounts, KDV and loyalty report on an empty shop, for a day and for three years: zeros or no
rows (never an error), and a JSON the contract reads."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from racct_support import report, rows_of

from pos_tui.settings import Settings

NAMES = ("receivables-aging", "payables-aging", "collections-forecast", "kdv", "loyalty-kpis", "loyalty-members",
         "points-liability")  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_an_empty_shop(db: object, settings: Settings, now: datetime, name: str) -> None:
    for first, last in ((date(2026, 11, 1), date(2026, 11, 1)), (date(2024, 1, 1), date(2026, 12, 31))):
        done = report(name, settings, now, first, last)
        doc = json.loads(json.dumps(done.as_json(settings.shop.timezone)))
        assert doc["report"] == name and doc["from"] == first.isoformat() and doc["to"] == last.isoformat()
        for row in rows_of(done):
            for key, value in row.items():
                assert (
                    value in (None, 0)
                    or key in ("day", "week", "from", "to", "key", "figure", "code", "name")
                    or (
                        key == "amount" and name == "loyalty-kpis"  # the point value
                    )
                ), (name, key, value)
