"""Helpers the push tests share (a uniquely named module; no tests in it): a terminal's shop with
real postings (member sales earning and redeeming points, a goods receipt, a sale on account, a
Z), the centre's view of a terminal, and the terminal's own ledger sums to compare with it."""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))

from accounts_support import Books, make_books
from money_support import cart_of, on_account

from pos_tui.core import catalog
from pos_tui.core.basket import PaymentInput
from pos_tui.core.cash import z_report
from pos_tui.core.kernel import to_db
from pos_tui.core.loyalty import price_cart, rules
from pos_tui.core.loyalty.members.enrolment import enroll
from pos_tui.core.stock import receiving
from pos_tui.core.sync import open_central
from pos_tui.core.till import complete_sale
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal
RULES = "[points]\nhold_days = 0\n[earning]\npercent = 10\n"


def sell_to(
    books: Books, member_id: int | None, items: list[tuple[str, int]], *payments: PaymentInput, at: datetime
) -> int:
    cart = cart_of(*items)
    if member_id is not None:
        cart = cart.with_member(member_id)
    priced = price_cart(cart, now=at)
    pays = list(payments) or [PaymentInput("cash", priced.total)]
    return complete_sale("T1", books.ayse, pays, now=at, cart=priced, tz=books.settings.shop.timezone).sale_id


def receive_goods(books: Books, at: datetime, qty: int = 10) -> None:
    receiving.post_receipt(
        receiving.ReceiptInput(
            supplier="ACME",
            lines=[
                receiving.ReceiptLineInput("1003", qty * 1000, D("100.00")),
                receiving.ReceiptLineInput("1001", qty * 1000, D("5.00")),
            ],
        ),
        actor=books.admin,
        now=at,
        terminal="T1",
        kdv_rates=books.settings.kdv_rates,
        tz=books.settings.shop.timezone,
    )


def make_shop(settings: Settings, now: datetime) -> tuple[Books, list[int]]:
    """A terminal's day: the books, the loyalty rules, two members, goods in, member sales that
    earn points, one that redeems them, a sale on account, a Z. Returns the books and the members."""
    books = make_books(settings, now)
    catalog.upsert_products(
        [catalog.ProductInput(code="1005", name="Peynir", price=D("90.00"), kdv_rate=1)],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    rules.apply_rules(RULES, now=now)
    zeynep = enroll(name="Zeynep Yılmaz", phone="05321234567", source="cli", actor=None, now=now).id
    ali = enroll(name="Ali Demir", phone="05329876543", source="cli", actor=None, now=now).id
    receive_goods(books, now)
    t = now + timedelta(minutes=5)
    sell_to(books, zeynep, [("1003", 2), ("1001", 3)], at=t)
    sell_to(books, ali, [("1004", 1)], at=t + timedelta(minutes=1))
    sell_to(books, None, [("1002", 2)], at=t + timedelta(minutes=2))
    sell_to(
        books,
        zeynep,
        [("1001", 2)],
        PaymentInput("points", D("10.00")),
        PaymentInput("cash", D("10.00")),
        at=t + timedelta(minutes=3),
    )
    sell_to(books, None, [("1003", 1)], on_account("120.00"), at=t + timedelta(minutes=4))
    z_report("T1", books.admin, now=t + timedelta(minutes=30), settings=settings)
    return books, [zeynep, ali]


FIVE_LINES = [("1001", 1), ("1002", 1), ("1003", 1), ("1004", 1), ("1005", 1)]


def more_sales(books: Books, members: list[int], at: datetime, n: int, lines: int = 2) -> None:
    """``n`` more sales of ``lines`` lines (alternating members, cash) at ``at`` + i minutes."""
    for i in range(n):
        member = members[i % len(members)] if members else None
        items = [(code, pieces + i % 3) for code, pieces in FIVE_LINES[:lines]]
        sell_to(books, member, items, at=at + timedelta(minutes=i))


def local_sums() -> dict[tuple[str, str, str], int]:
    """The terminal's own ledgers summed per (ledger, key, place), zero sums left out."""
    sums: dict[tuple[str, str, str], int] = defaultdict(int)
    code = dict(m.Product.select(m.Product.id, m.Product.code).tuples())
    place = dict(m.StockLocation.select(m.StockLocation.id, m.StockLocation.code).tuples())
    card = dict(m.Member.select(m.Member.id, m.Member.card).tuples())
    party = dict(m.Party.select(m.Party.id, m.Party.code).tuples())
    gift = dict(m.GiftCard.select(m.GiftCard.id, m.GiftCard.code).tuples())
    for p, loc, qty in m.StockMovement.select(
        m.StockMovement.product, m.StockMovement.location, m.StockMovement.qty
    ).tuples():
        sums[("stock", code[p], place[loc])] += qty
    for mem, pts in m.PointsEntry.select(m.PointsEntry.member, m.PointsEntry.points).tuples():
        sums[("points", card[mem], "")] += pts
    for mem, amount in m.WalletEntry.select(m.WalletEntry.member, m.WalletEntry.amount).tuples():
        sums[("wallet", card[mem], "")] += amount
    for g, amount in m.GiftCardEntry.select(m.GiftCardEntry.card, m.GiftCardEntry.amount).tuples():
        sums[("gift_card", gift[g], "")] += amount
    for pa, amount in m.AccountEntry.select(m.AccountEntry.party, m.AccountEntry.amount).tuples():
        sums[("account", party[pa], "")] += amount
    for mem, stamp_card, n in m.StampEntry.select(m.StampEntry.member, m.StampEntry.card, m.StampEntry.stamps).tuples():
        sums[("stamps", card[mem], stamp_card)] += n
    return {k: v for k, v in sums.items() if v}


class Centre:
    """The centre's side for the tests: a connection and the queries the assertions need."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.db = open_central(url)

    def close(self) -> None:
        self.db.close()

    def register(self, terminal: str = "T1", store: str = "S1", at: datetime | None = None) -> None:
        """What ``sync init`` does at the centre (terminals.register_terminal), by hand."""
        self.db.execute_sql(
            "INSERT INTO sync_terminal (terminal, store, high_water, joined_at) VALUES (%s, %s, 0, %s) "
            "ON CONFLICT (terminal) DO NOTHING",
            (terminal, store, to_db(at) if at else datetime(2026, 11, 1, 7, 0)),
        )

    def one(self, sql: str, params: tuple[Any, ...] = ()) -> Any:
        return self.db.execute_sql(sql, params).fetchone()

    def all(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        return list(self.db.execute_sql(sql, params).fetchall())

    def documents(self, terminal: str = "T1") -> list[tuple[int, str]]:
        return self.all("SELECT seq, uid FROM sync_document WHERE terminal = %s ORDER BY seq", (terminal,))

    def high_water(self, terminal: str = "T1") -> int:
        return int(self.one("SELECT high_water FROM sync_terminal WHERE terminal = %s", (terminal,))[0])

    def ledger_sums(self) -> dict[tuple[str, str, str], int]:
        found = self.all('SELECT ledger, "key", place, SUM(amount) FROM sync_ledger GROUP BY 1, 2, 3')
        return {(a, b, c): int(s) for a, b, c, s in found if s and a not in ("coupon", "tier", "cheque")}

    def balances(self) -> dict[tuple[str, str, str], int]:
        found = self.all('SELECT ledger, "key", place, amount FROM sync_balance')
        return {(a, b, c): int(s) for a, b, c, s in found if s and a not in ("coupon", "tier", "cheque")}

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a push may change, to show a refused one changed nothing."""
        return (
            self.all("SELECT uid, terminal, seq, body FROM sync_document ORDER BY uid"),
            self.all("SELECT origin, amount FROM sync_ledger ORDER BY origin"),
            self.all('SELECT ledger, "key", place, amount, revision FROM sync_balance ORDER BY 1, 2, 3'),
            self.all("SELECT terminal, high_water, head_hash, last_push_at FROM sync_terminal ORDER BY 1"),
            self.all("SELECT card, phone, name FROM member ORDER BY card"),
        )
