"""A next-order coupon on paper and in ``pos-admin``: the receipt prints it with its whole code
(reprints too; withdrawn once the receipt is returned), a tier reached on the receipt is
congratulated, and ``customers show`` lists the member's coupons (table and JSON)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from checkout_support import Product, basket, enroll, sell

from pos_tui.core.kernel import Actor
from pos_tui.core.loyalty import coupons_issued_by, rules
from pos_tui.core.till import ReturnLineInput, as_text, create_return, load_receipt, receipt_of
from pos_tui.settings import Settings
from pos_tui.store import models as m

TZ = "Europe/Istanbul"
REPO = Path(__file__).resolve().parents[2]

RULES = """
[points]
hold_days = 0
[earning]
percent = 1
[tier_qualification]
count_current_receipt = true
[[tiers]]
code = "kirmizi"
name = "Kırmızı"
min_spend = 0
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 1000
basket_discount_percent = 15

[[next_order_coupons]]
code = "gelecek"
name = "Bir sonraki alışverişe %20"
min_spend = 500
kind = "percent"
percent = 20
max_amount = 200
valid_days = 30
coupon_min_spend = 300

[[next_order_coupons]]
code = "herkes"
name = "Herkese 50 TL"
members_only = false
min_spend = 500
kind = "amount"
amount = 50
starts_next_day = false
valid_days = 7
"""


def slip(sale_id: int, settings: Settings, *, copy: bool = False, width: int = 42) -> list[str]:
    ref = f"T1/{m.Sale.get_by_id(sale_id).receipt_no}"
    data = load_receipt(ref, terminal="T1", tz=TZ)
    return as_text(receipt_of(data, settings, width=width, fiscal=True, copy=copy)).splitlines()


def flowing(lines: list[str]) -> str:
    """The slip's text with its wrapped lines joined again."""
    return " ".join(line.strip() for line in lines)


@pytest.fixture
def tea(product: Product, now: datetime) -> m.Product:
    rules.apply_rules(RULES, now=now)
    return product("T500", "Çay 5 kg", "500", "Çay")


def test_the_receipt_prints_the_coupon_with_its_whole_code_and_reprints_do_too(
    till: Actor, tea: m.Product, now: datetime, settings: Settings
) -> None:
    member = enroll(now)
    sale = sell(till, basket(member, (tea, 1)), now)
    mine, bearer = coupons_issued_by(m.Sale.get_by_id(sale).uid)
    for copy in (False, True):
        for width in (32, 42):
            lines = slip(sale, settings, copy=copy, width=width)
            assert any(mine.code in line for line in lines)  # never split over two lines
            assert any(bearer.code in line for line in lines)
            text = flowing(lines)
            assert "Bir sonraki alışverişe %20" in text
            assert (
                f"On your next visit: 20% off (at most 200.00 TL), code {mine.code}, "
                "valid 02.11.2026–01.12.2026, on a receipt of at least 300.00 TL"
            ) in text
            assert f"On your next visit: 50.00 TL off, code {bearer.code}, valid 01.11.2026–07.11.2026" in text


def test_a_receipt_without_a_member_prints_its_bearer_coupon(
    till: Actor, tea: m.Product, now: datetime, settings: Settings
) -> None:
    sale = sell(till, basket(None, (tea, 1)), now)
    [bearer] = coupons_issued_by(m.Sale.get_by_id(sale).uid)
    assert bearer.member_id is None
    assert f"code {bearer.code}" in flowing(slip(sale, settings))


def test_a_reprint_after_the_return_says_the_coupon_was_withdrawn(
    till: Actor, tea: m.Product, now: datetime, settings: Settings
) -> None:
    sale = sell(till, basket(None, (tea, 1)), now)
    [bearer] = coupons_issued_by(m.Sale.get_by_id(sale).uid)
    uid = m.Sale.get_by_id(sale).uid
    create_return("T1", till, uid, [ReturnLineInput(1, 1000)], now=now + timedelta(hours=1), reason="iade")
    text = flowing(slip(sale, settings, copy=True))
    assert f"Coupon {bearer.code} was withdrawn: its receipt was returned" in text
    assert "On your next visit" not in text
    back = m.Sale.get(m.Sale.return_of == sale).id
    assert f"Coupon {bearer.code} was withdrawn: its receipt was returned" in flowing(slip(back, settings))


def test_a_receipt_that_reaches_a_tier_congratulates_the_member(
    till: Actor, tea: m.Product, now: datetime, settings: Settings
) -> None:
    member = enroll(now)
    first = sell(till, basket(member, (tea, 1)), now)
    assert "Congratulations" not in flowing(slip(first, settings))
    second = sell(till, basket(member, (tea, 1)), now + timedelta(hours=1))
    assert "Congratulations, you are now a Altın member!" in flowing(slip(second, settings))
    third = sell(till, basket(member, (tea, 1)), now + timedelta(hours=2))
    assert "Congratulations" not in flowing(slip(third, settings))


def test_customers_show_lists_the_coupons(
    till: Actor, tea: m.Product, now: datetime, cli: Callable[..., Any], db_path: Path
) -> None:
    member = enroll(now)
    sale = sell(till, basket(member, (tea, 1)), now)
    mine, _bearer = coupons_issued_by(m.Sale.get_by_id(sale).uid)
    phone = m.Member.get_by_id(member).phone
    shown = cli("customers", "show", phone, "--as-of", "2026-11-01", "--json")
    assert shown.exit_code == 0, shown.stderr
    listed = json.loads(shown.stdout)["coupons"]
    assert [(c["code"], c["percent"], c["max_discount"], c["valid_from"], c["valid_to"]) for c in listed] == [
        (mine.code, "20", "200.00", "2026-11-02", "2026-12-01"),
        (_bearer.code, None, None, "2026-11-01", "2026-11-07"),
    ][::-1]  # the soonest to expire first: the 7-day bearer coupon
    table = cli("customers", "show", phone, "--as-of", "2026-11-01", env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.stderr
    assert f"Coupon {mine.code}" in table.stdout and "at most 200.00 TL" in table.stdout
    # The same from a real pos-admin process.
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_CONFIG": str(REPO / "config" / "pos.toml"),
        "POS_LANG": "en",
        "POS_TERMINAL": "T1",
    }
    run = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "receipt", "show", f"T1/{m.Sale.get_by_id(sale).receipt_no}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert mine.code in run.stdout and "On your next visit" in run.stdout
