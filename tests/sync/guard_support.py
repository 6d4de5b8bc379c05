"""Helpers for the guard's tests (a uniquely named module; no tests in it): a shop with a member
holding points, store credit and a gift card, the centre's balances read and written with
psycopg2, a terminal's last synced balance, and one terminal process of the race."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))

from accounts_support import Books, make_books

from pos_tui.core import catalog, loyalty
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, Override, to_db
from pos_tui.core.sync import connection
from pos_tui.core.till import SaleResult, complete_sale
from pos_tui.settings import Settings, SyncSettings
from pos_tui.store import models as m
from pos_tui.store import write_tx

D = Decimal
CARD = "2990000000017"
GIFT = "GC-TEST-0001"
UNREACHABLE = "postgresql://pos@127.0.0.1:1/nowhere"  # nothing listens on port 1: refused at once


@dataclass(frozen=True)
class Shop:
    books: Books
    member_id: int
    gift: str


def make_shop(settings: Settings, now: datetime, *, points: int = 1000, wallet: str = "300", gift: str = "500") -> Shop:
    """:func:`make_books` and a member ``CARD`` with ``points`` available points, ``wallet`` TL of
    store credit and a gift card ``GIFT`` of ``gift`` TL (every figure as the terminal sees it)."""
    books = make_books(settings, now)
    member_id = int(m.Member.create(card=CARD, name="Zeynep Yılmaz", created_at=to_db(now)).id)
    if points:
        loyalty.ledger.adjust(member_id, points, "opening", actor=books.admin, now=now, terminal="T1")
    if D(wallet):
        loyalty.wallet.credit(member_id, D(wallet), kind="import", now=now)
    code = GIFT
    if D(gift):
        code = loyalty.giftcards.issue_card(
            D(gift), actor=books.admin, now=now, terminal="T1", code=GIFT, method="card"
        ).code
    return Shop(books, member_id, code)


def cart(member_id: int | None, *items: tuple[str, int]) -> Cart:
    c = Cart()
    for code, n in items:
        c = c.add_product(catalog.get_product(code), n * 1000)
    return c.with_member(member_id) if member_id is not None else c


def pay(
    shop: Shop,
    payments: list[PaymentInput],
    *,
    now: datetime,
    items: tuple[tuple[str, int], ...] = (("1003", 10),),
    actor: Actor | None = None,
    override: Override | None = None,
    sync: SyncSettings | None = None,
    member: bool = True,
) -> SaleResult:
    """A sale of ``items`` (ten Çay, 1.200,00 TL by default) to the member, paid with ``payments``
    (cash makes up the rest)."""
    c = cart(shop.member_id if member else None, *items)
    total = c.totals().total
    paid = sum((p.amount for p in payments), D(0))
    rest = [PaymentInput("cash", total - paid)] if total > paid else []
    return complete_sale(
        "T1",
        actor or shop.books.ayse,
        [*payments, *rest],
        now=now,
        cart=c,
        tz=shop.books.settings.shop.timezone,
        override=override,
        sync=sync,
    )


def points(n: int) -> PaymentInput:
    return PaymentInput("points", D(n))


def credit(amount: str) -> PaymentInput:
    return PaymentInput("store_credit", D(amount))


def gift(amount: str, code: str = GIFT) -> PaymentInput:
    return PaymentInput("gift_card", D(amount), details={"code": code})


def on_account(amount: str, account: str = "BAKKAL") -> PaymentInput:
    return PaymentInput("on_account", D(amount), details={"account": account})


def set_synced(ledger: str, key: str, amount: int, *, place: str = "") -> None:
    """What the pull writes: the centre's balance of ``(ledger, key, place)`` as last seen."""
    with write_tx():
        m.SyncBalance.delete().where(
            (m.SyncBalance.ledger == ledger) & (m.SyncBalance.key == key) & (m.SyncBalance.place == place)
        ).execute()
        m.SyncBalance.insert(ledger=ledger, key=key, place=place, amount=amount, revision=1).execute()


def last_seq() -> int:
    return int(m.SyncOutbox.select(m.SyncOutbox.seq).order_by(m.SyncOutbox.seq.desc()).limit(1).scalar() or 0)


def central_sql(url: str, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    db = connection.open_central(url, application="guard-test")
    try:
        with db.atomic():
            cursor = db.execute_sql(sql, params)
            return [tuple(r) for r in cursor.fetchall()] if cursor.description else []
    finally:
        db.close()


def central_balance(url: str, ledger: str, key: str, place: str = "") -> int | None:
    found = central_sql(
        url, "SELECT amount FROM sync_balance WHERE ledger = %s AND key = %s AND place = %s", (ledger, key, place)
    )
    return None if not found else int(found[0][0])  # type: ignore[call-overload]


def set_central_balance(url: str, ledger: str, key: str, amount: int, place: str = "") -> None:
    central_sql(
        url,
        "INSERT INTO sync_balance (ledger, key, place, amount, revision) "
        "VALUES (%s, %s, %s, %s, nextval('sync_revision_seq')) "
        "ON CONFLICT (ledger, key, place) DO UPDATE SET amount = EXCLUDED.amount, revision = EXCLUDED.revision",
        (ledger, key, place, amount),
    )


# One terminal of the race: ``python -c RACE_TERMINAL DB NOW AMOUNT`` opens its SQLite file (joined to
# the centre), says "ready", waits for a line on stdin, then pays AMOUNT TL of store credit on a sale
# of ten Çay to member CARD and prints "ok UID" or "refused MESSAGE".
RACE_TERMINAL = """
import sys
from datetime import datetime
from decimal import Decimal
from pos_tui.core import catalog
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import Actor, PosError
from pos_tui.core.till import complete_sale
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import models as m, open_database

path, now, amount = sys.argv[1], datetime.fromisoformat(sys.argv[2]), Decimal(sys.argv[3])
open_database(path)
user = m.User.get(m.User.name == "ayse")
role = DEFAULT_ROLES["cashier"]
actor = Actor(user.id, "ayse", "cashier", role.permissions, role.max_discount_pct)
member = m.Member.get(m.Member.card == "2990000000017").id
cart = Cart().add_product(catalog.get_product("1003"), 10_000).with_member(member)
payments = [PaymentInput("store_credit", amount), PaymentInput("cash", cart.totals().total - amount)]
print("ready", flush=True)
sys.stdin.readline()
try:
    result = complete_sale("T1", actor, payments, now=now, cart=cart, tz="Europe/Istanbul")
except PosError as exc:
    print("refused", exc.message.replace("\\n", " "), flush=True)
else:
    print("ok", result.uid, flush=True)
"""
