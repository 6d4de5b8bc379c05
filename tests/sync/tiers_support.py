"""Helpers of the tiers-across-terminals tests (a uniquely named module; no tests in it): a chain
of a centre and two terminals T1 and T2 (each its own SQLite file) that joined it for real,
member sales and returns posted with the till's services on either terminal, and the real push
and pull between them."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))

from accounts_support import make_books
from sync_support import bound

from pos_tui.core import catalog, staff, sync
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import zone
from pos_tui.core.loyalty import members, price_cart, rules
from pos_tui.core.sync import connection
from pos_tui.core.till import ReturnLineInput, SaleResult, complete_sale, create_return
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal
TZ = "Europe/Istanbul"
CARD = "2000000000017"
# One tier from 5.000 TL spent in the previous month; 1 % earned as points, pending 15 days,
# usable for 30 days after that.
RULES = """
[points]
hold_days = 15
[points.expiry]
kind = "days_after_available"
days = 30
[earning]
percent = 1
[tier_qualification]
window = "previous_month"
length = 1
[[tiers]]
code = "altin"
name = "Altın"
min_spend = 5000
basket_discount_percent = 10
"""


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """An aware moment of a shop-local day (Istanbul)."""
    return datetime.combine(day, time(hour, minute), tzinfo=zone(TZ))


@dataclass
class Chain:
    """The centre ``url`` and the terminals' files: T1 is the ``db`` fixture's (bound between
    the blocks), T2 another file of the same test."""

    url: str
    settings: Settings
    files: dict[str, Path]

    @contextmanager
    def on(self, terminal: str) -> Iterator[None]:
        """Act as ``terminal`` for the block (the store bound to its file)."""
        if terminal == "T1":
            yield
            return
        with bound(self.files[terminal]):
            yield

    @contextmanager
    def centre(self) -> Iterator[None]:
        """Act at the centre (``pos-admin --db postgresql://…``) for the block."""
        with bound(self.url):
            yield

    def member_id(self) -> int:
        return int(m.Member.get(m.Member.card == CARD).id)

    def sell(self, terminal: str, pieces: int, when: datetime) -> SaleResult:
        """A cash sale of ``pieces`` Çay (120,00 TL each) to the member, posted on ``terminal``."""
        with self.on(terminal):
            actor = staff.actor_by_name("ayse", settings=self.settings)
            cart = Cart().add_product(catalog.get_product("1003"), pieces * 1000).with_member(self.member_id())
            priced = price_cart(cart, now=when, tz=TZ)
            return complete_sale(
                terminal, actor, [PaymentInput("cash", priced.totals().total)], now=when, cart=priced, tz=TZ
            )

    def give_back(self, terminal: str, receipt: SaleResult, pieces: int, when: datetime) -> SaleResult:
        """A return of ``pieces`` of the receipt's first line, posted on ``terminal``."""
        with self.on(terminal):
            actor = staff.actor_by_name("mehmet", settings=self.settings)
            return create_return(
                terminal,
                actor,
                receipt.uid,
                [ReturnLineInput(1, pieces * 1000)],
                now=when,
                reason="Müşteri vazgeçti",
                tz=TZ,
            )

    def push(self, terminal: str, when: datetime) -> sync.PushResult:
        with self.on(terminal):
            return sync.push(when)

    def pull(self, terminal: str, when: datetime) -> sync.PullResult:
        with self.on(terminal):
            return sync.pull(when)

    def sync_all(self, when: datetime) -> None:
        """Both terminals push, then both pull: each has what the other posted."""
        for terminal in ("T1", "T2"):
            assert self.push(terminal, when).waiting == 0
        for terminal in ("T1", "T2"):
            self.pull(terminal, when)

    def central(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        db = connection.open_central(self.url, application="tiers-test")
        try:
            with db.atomic():
                cursor = db.execute_sql(sql, params)
                return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
        finally:
            db.close()


def make_chain(url: str, settings: Settings, t2_file: Path, start: datetime) -> Chain:
    """The centre's master data (users, products 1001–1004, the member ``CARD``, the rules of
    :data:`RULES`), written with the ordinary services at the centre; then T1 (the bound file)
    and T2 (``t2_file``) join it for real (``sync.join``: register and pull everything)."""
    with bound(url):
        make_books(settings, start)
        rules.apply_rules(RULES, now=start)
        members.enroll(name="Zeynep Yılmaz", phone="0532 111 22 33", card=CARD, source="cli", actor=None, now=start)
    sync.join(url, "T1", "S1", start, settings)
    with bound(t2_file):
        sync.join(url, "T2", "S1", start, settings)
    return Chain(url, settings, {"T2": t2_file})
