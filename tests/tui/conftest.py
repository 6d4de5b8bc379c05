"""Fixtures for the app's Pilot and snapshot tests: a shop with users (real PINs, so login
goes through argon2 like at the till), a few products, and an app on a fixed clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import ClassVar

import pytest
from argon2 import PasswordHasher
from textual.pilot import Pilot
from textual.widgets import Input

from pos_tui.core import cash, catalog, staff
from pos_tui.core.kernel import Actor
from pos_tui.core.staff import users
from pos_tui.settings import Settings
from pos_tui.tui.app import PosApp


@dataclass(frozen=True)
class Shop:
    """The test shop's people (as actors) and the codes a test scans."""

    ayse: Actor
    mehmet: Actor
    admin: Actor
    # Barcodes with valid EAN-13 check digits.
    EKMEK: ClassVar[str] = "8690000000012"  # 10,00, KDV 1
    SUT: ClassVar[str] = "8690000000029"  # 32,50, KDV 1
    CAY: ClassVar[str] = "8690000000036"  # 120,00, KDV 20
    ISPARTA: ClassVar[str] = "8690000000043"  # 85,00, KDV 20
    # Scale label: prefix 27, PLU 00123 (Domates, 40,00 a kg), 1,500 kg.
    DOMATES_1500G: ClassVar[str] = "2700123015001"


@pytest.fixture(autouse=True)
def _quick_pins(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id with its smallest cost: the tests exercise the login flow, not the hash's
    strength, and the production cost (64 MiB, 3 passes) would dominate the suite's time."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    """The demo team (ayse 1111 cashier, mehmet 2222 supervisor, admin 9999) and products."""
    team = {
        "ayse": staff.add_user("ayse", "cashier", "1111", now=now),
        "mehmet": staff.add_user("mehmet", "supervisor", "2222", now=now),
        "admin": staff.add_user("admin", "admin", "9999", now=now),
    }
    catalog.upsert_products(
        [
            catalog.ProductInput(code="1001", name="Ekmek", price=Decimal("10.00"), kdv_rate=1, barcodes=(Shop.EKMEK,)),
            catalog.ProductInput(code="1002", name="Süt 1 L", price=Decimal("32.50"), kdv_rate=1, barcodes=(Shop.SUT,)),
            catalog.ProductInput(
                code="1003", name="Çay 500 g", price=Decimal("120.00"), kdv_rate=20, barcodes=(Shop.CAY,)
            ),
            catalog.ProductInput(
                code="1004", name="Isparta Gülü Kolonya", price=Decimal("85.00"), kdv_rate=20, barcodes=(Shop.ISPARTA,)
            ),
            catalog.ProductInput(code="00123", name="Domates", unit="kg", price=Decimal("40.00"), kdv_rate=1),
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    return Shop(**{name: staff.actor_of(info, settings) for name, info in team.items()})


@pytest.fixture
def open_shift(shop: Shop, settings: Settings, now: datetime) -> cash.ShiftInfo:
    """A shift opened by ayse with 100,00 in the drawer."""
    return cash.open_shift(settings.terminal_id, shop.ayse, Decimal("100.00"), now=now)


@pytest.fixture
def make_app(settings: Settings, now: datetime) -> Callable[..., PosApp]:
    def make(settings_: Settings | None = None) -> PosApp:
        return PosApp(settings_ or settings, clock=lambda: now)

    return make


class Till:
    """Keyboard helpers for a Pilot: type, wait for the workers, read the screen."""

    async def settle(self, pilot: Pilot[None]) -> None:
        """Let thread workers finish and their messages (and any follow-up work) be handled."""
        for _round in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    async def type(self, pilot: Pilot[None], text: str, *keys: str) -> None:
        """Type ``text`` into the focused input, then press ``keys``.

        The text goes in as one paste-like insertion: Pilot spends ~40 ms per simulated key,
        which adds up to minutes over the suite; keys like Enter and F8 are real presses.
        """
        if text:
            if pilot.app.focused is None:  # the snapshot harness starts before the first focus
                await self.settle(pilot)
            focused = pilot.app.focused
            assert isinstance(focused, Input), f"typing {text!r} needs a focused input, not {focused!r}"
            start, end = sorted(focused.selection)
            focused.replace(text, start, end)  # typing replaces a selection (a pre-filled amount)
            await pilot.pause()
        await pilot.press(*keys)
        await self.settle(pilot)

    async def login(self, pilot: Pilot[None], pin: str = "1111") -> None:
        await self.type(pilot, pin, "enter")

    async def scan(self, pilot: Pilot[None], code: str) -> None:
        await self.type(pilot, code, "enter")

    async def steady(self, pilot: Pilot[None]) -> None:
        """Stop the text cursors blinking, so a snapshot does not depend on when it is taken."""
        await self.settle(pilot)
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await pilot.pause()

    def screen_text(self, pilot: Pilot[None]) -> str:
        """What the terminal shows now, as plain text (one line per row)."""
        strips = pilot.app.screen._compositor.render_strips()
        return "\n".join(strip.text for strip in strips)

    def message(self, pilot: Pilot[None]) -> str:
        from textual.widgets import Static

        return str(pilot.app.screen.query_one("#message", Static).render())


@pytest.fixture
def till() -> Till:
    return Till()
