"""The demo shop is a loyalty demo: the shipped program is active and the retail demo
customers are members with points (``pos-admin demo``, ``pos --demo``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_tui.__main__ import prepare_database
from pos_tui.core import audit
from pos_tui.core.interchange import DEMO_POINTS, load_demo
from pos_tui.core.kernel import from_db
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.loyalty import ledger, members, rules
from pos_tui.settings import Settings
from pos_tui.store import close_database
from pos_tui.store import models as m

# The demo members' phones as the README lists them, and their points (available now).
PHONES = {
    "0532 412 33 21": ("Ahmet Yılmaz", 120),
    "0505 287 19 40": ("Zeynep Kaya", 45),
    "0542 611 02 77": ("İbrahim Çelik", 310),
    "0555 730 41 18": ("Şükran Öztürk", 80),
    "0533 768 44 12": ("Ömer Doğan", 15),
    "0544 902 66 10": ("Işıl Aydın", 200),
}


def _check_members(now: datetime, tz: str) -> None:
    assert rules.active_program().name == "Sadakat Kart"
    assert m.LoyaltyRules.select().count() == 1
    for phone, (name, points) in PHONES.items():
        found = members.find_member(phone)
        assert found is not None, phone
        assert found.name == name
        assert ledger.balance(found.id, as_of=shop_day(now, tz), tz=tz).available == points
    assert members.find_member("0216 345 90 12") is None  # wholesale, on account: not a member


def test_the_demo_applies_the_program_and_makes_members_with_points(
    db: object, settings: Settings, now: datetime
) -> None:
    first = load_demo(settings, now)
    assert first.customers.members == 6 and first.members_given_points == 6
    assert "Loyalty members with points: 6" in str(first)
    _check_members(now, settings.shop.timezone)
    # dated before now, by the adjustment of admin (journalled), so the audit is clean
    adjusted = list(m.PointsEntry.select().where(m.PointsEntry.kind == "adjust"))
    assert len(adjusted) == len(DEMO_POINTS) and all(from_db(e.at) < now for e in adjusted)
    assert audit.verify(settings=settings).problems == []
    # idempotent: nothing more the second time
    entries = m.PointsEntry.select().count()
    again = load_demo(settings, now)
    assert (again.customers.members, again.members_given_points) == (0, 0)
    assert m.PointsEntry.select().count() == entries
    assert m.LoyaltyRules.select().count() == 1
    _check_members(now, settings.shop.timezone)


def test_pos_demo_prepares_a_loyalty_demo(settings: Settings, tmp_path: Path, now: datetime) -> None:
    demo = replace(settings, db_url=str(tmp_path / "demo.sqlite3"))
    prepare_database(demo, demo=True)
    try:
        found = members.find_member("0532 412 33 21")
        assert found is not None and rules.active_program().name == "Sadakat Kart"
        assert ledger.balance(found.id, as_of=shop_day(datetime.now().astimezone())).available == 120
    finally:
        close_database()


def test_pos_admin_demo_makes_members(cli: Callable[..., Any], now: datetime) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.stderr
    shown = cli("customers", "show", "0505 287 19 40", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert "Zeynep Kaya" in shown.stdout
    assert json.dumps(45) in shown.stdout
