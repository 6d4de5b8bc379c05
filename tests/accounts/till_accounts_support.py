"""What the till's money-on-account Pilot tests share (a uniquely named module; no tests in it): the TUI
tests' shop, keyboard helpers and fixtures (tests/tui/conftest.py) with two accounts, and small checks."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from textual.widgets import Static

from pos_tui.core import accounts
from pos_tui.core.kernel import to_kurus
from pos_tui.tui.dialogs.base import Dialog
from tests.tui import conftest as tui

Shop, Till = tui.Shop, tui.Till
SIZE = (80, 24)
CARD = "9900000000017"  # BAKKAL's account card
PHONE = "0532 111 22 33"


@pytest.fixture(name="parties")
def parties_fixture(shop: tui.Shop, now: datetime) -> tuple[accounts.PartyInfo, accounts.PartyInfo]:
    """BAKKAL (customer, 30 days, limit 1.000,00, phone and account card) and ACME (supplier)."""
    bakkal = accounts.add_party(
        accounts.PartyInput(
            code="BAKKAL",
            name="Köşe Bakkalı Ltd.",
            kind="customer",
            phone=PHONE,
            card=CARD,
            terms_days=30,
            credit_limit=Decimal("1000.00"),
        ),
        now=now,
    )
    accounts.add_party(
        accounts.PartyInput(code="BAKKALIYE", name="Bakkaliye Market", kind="customer", credit_limit=Decimal("0")),
        now=now,
    )
    acme = accounts.add_party(
        accounts.PartyInput(code="ACME", name="Acme Gıda A.Ş.", kind="supplier", terms_days=45), now=now
    )
    return bakkal, acme


def owes(party: accounts.PartyInfo, amount: str, now: datetime, *, days_ago: int = 40, user_id: int = 1) -> None:
    """``party`` owes ``amount`` from an opening balance dated ``days_ago`` days before ``now``, due 10 days later."""
    from datetime import timedelta

    at = now - timedelta(days=days_ago)
    accounts.post_entries(
        [
            accounts.EntryDraft(
                party_id=party.id,
                kind=accounts.OPENING,
                amount=to_kurus(Decimal(amount)),
                at=at,
                due=(at + timedelta(days=10)).date(),
                terminal="T1",
                user_id=user_id,
            )
        ],
        now=now,
    )


def error_line(pilot) -> str:  # type: ignore[no-untyped-def]
    return str(pilot.app.screen.query_one(".error-line", Static).render())


def assert_error_visible(pilot, till: tui.Till, expected: str) -> None:  # type: ignore[no-untyped-def]
    """The dialog's error line says ``expected`` and the 80×24 terminal shows it."""
    screen = pilot.app.screen
    assert isinstance(screen, Dialog), screen
    line = screen.query_one(".error-line", Static)
    assert expected in str(line.render()), str(line.render())
    region = line.region
    assert region.height > 0 and region.bottom <= SIZE[1] and region.right <= SIZE[0]
    assert expected[:30] in till.screen_text(pilot)
