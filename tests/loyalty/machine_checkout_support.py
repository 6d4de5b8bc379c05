"""Helpers for the checkout state machine (tests/loyalty/test_machine_checkout.py): a small shop
in a fresh SQLite file, the loyalty program it runs, and read-only queries over the posted
loyalty tables that the machine's invariants compare with its own model.

Everything that writes goes through the real services (``members.enroll``, ``rules.apply_rules``,
``complete_sale``, ``create_return``); only the catalog rows are created directly, as the other
loyalty checkout tests do, because the catalog service is not what is under test here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from peewee import fn

from pos_tui.core.basket import Cart
from pos_tui.core.kernel import Actor, from_kurus, to_db, to_kurus
from pos_tui.core.loyalty import ledger, members, rules, wallet
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m
from pos_tui.text import fold

HOLD_DAYS = 3
EXPIRY_DAYS = 10
EARN_PERCENT = Decimal(2)
CASHBACK_PERCENT = Decimal(1)
STAMPS_NEEDED = 3
BONUS_MIN_SPEND = Decimal(1000)
BONUS_POINTS = 25
SUPPLIER_POINTS = 10
OPENING_POINTS = 300
OPENING_CREDIT = Decimal("80.00")

# Short hold and expiry so a few clock steps cross both; a tier the loyalty job can reach in a
# few sales (rolling 30 days); a stamp card that fills in three coffees; cashback; a threshold
# bonus; supplier-funded tea; personal care earning double.
RULES = f"""
name = "Makine"

[points]
value = 1
hold_days = {HOLD_DAYS}
min_balance = 0
max_redeem_percent = 50

[points.expiry]
kind = "days_after_available"
days = {EXPIRY_DAYS}

[earning]
percent = {EARN_PERCENT}

[earning.category_multipliers]
"Kişisel Bakım" = 2

[[supplier_funding]]
product = "C1"
points = {SUPPLIER_POINTS}
supplier_points = 5

[[bonuses]]
code = "buyuk-sepet"
min_spend = {BONUS_MIN_SPEND}
points = {BONUS_POINTS}

[tier_qualification]
window = "rolling_days"
length = 30

[[tiers]]
code = "standart"
name = "Standart"
min_spend = 0

[[tiers]]
code = "altin"
name = "Altın"
min_spend = 1500
multiplier = 1.5
basket_discount_percent = 5

[[stamp_cards]]
code = "kahve"
name = "Kahve kartı"
products = ["K1"]
needed = {STAMPS_NEEDED}

[cashback]
percent = {CASHBACK_PERCENT}
"""

TIER_MULTIPLIER = {"standart": Decimal(1), "altin": Decimal("1.5")}


@dataclass(frozen=True, slots=True)
class Item:
    """A catalog product as the machine knows it (``weight`` is its earning multiplier)."""

    id: int
    code: str
    name: str
    unit: str
    price: Decimal
    kdv_rate: int
    weight: Decimal


# code, name, unit, price, KDV, category
CATALOG = (
    ("K1", "Türk Kahvesi", "piece", "65.00", 10, "Kahve"),
    ("S1", "Şampuan 500 ml", "piece", "89.90", 20, "Kişisel Bakım"),
    ("C1", "Rize Çayı 1 kg", "piece", "255.00", 10, None),
    ("P1", "Beyaz Peynir", "kg", "349.50", 10, None),
    ("T1", "Tost Makinesi", "piece", "1299.99", 20, None),
)


@dataclass(slots=True)
class Shop:
    """One example's world: the database file, the cashier, the members and the catalog."""

    path: Path
    cashier: Actor
    members: list[int]
    items: dict[str, Item]


def open_shop(path: Path, now: datetime) -> Shop:
    """A fresh database at ``path`` with the catalog, the rules applied and a cashier (members
    come from :func:`enrol_members`)."""
    database = open_database(path)
    # Durability is not under test, and a flush per commit would make the machine ten times
    # slower on a real disk (every sale, return and job commits).
    database.execute_sql("PRAGMA synchronous = OFF")
    rules_versions._reset_cache()  # another example's database had its own rules row 1
    rules.apply_rules(RULES, now=now)
    role = DEFAULT_ROLES["cashier"]
    user = m.User.create(name="ayse", role="cashier", pin_tag="t-ayse", pin_hash="x", created_at=to_db(now))
    cashier = Actor(user.id, "ayse", "cashier", role.permissions, role.max_discount_pct)
    supplier = m.Supplier.create(code="TED", name="Çaykur Bayi", created_at=to_db(now))
    items: dict[str, Item] = {}
    for code, name, unit, price, kdv, category in CATALOG:
        cat = m.Category.get_or_create(name=category)[0] if category else None
        row = m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            unit=unit,
            price=to_kurus(Decimal(price)),
            kdv_rate=kdv,
            category=cat,
            supplier=supplier if code == "C1" else None,
            updated_at=to_db(now),
        )
        weight = Decimal(2) if category == "Kişisel Bakım" else Decimal(1)
        items[code] = Item(int(row.id), code, name, unit, Decimal(price), kdv, weight)
    return Shop(path, cashier, [], items)


def opening(k: int) -> tuple[int, Decimal]:
    """Opening (points, store credit) of the ``k``-th member: the first is well off, the others
    hold little, so spending what a sale earned and then returning the sale runs into debt."""
    return (OPENING_POINTS, OPENING_CREDIT) if k == 0 else (OPENING_POINTS // 15, OPENING_CREDIT / 16)


def enrol_members(now: datetime, n: int) -> list[int]:
    """``n`` members enrolled through the members service, each with opening points (available
    at once, never expiring) and store credit (see :func:`opening`), so both can pay at once."""
    ids = []
    for k in range(n):
        info = members.enroll(name=f"Üye {k}", phone=f"0532123450{k}", source="cli", actor=None, now=now)
        points, credit = opening(k)
        ledger.earn(info.id, points, now=now, hold_days=0, expiry=ledger.ExpiryPolicy.never())
        wallet.credit(info.id, credit, kind="import", now=now, reason="opening balance")
        ids.append(int(info.id))
    return ids


def close_shop(shop: Shop) -> None:
    close_database()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{shop.path}{suffix}").unlink(missing_ok=True)


def basket(member_id: int | None, items: list[tuple[Item, int]]) -> Cart:
    """A cart with one line per ``(item, qty_milli)`` (never merged, so line numbers are the
    list's positions plus one)."""
    cart = Cart(member_id=member_id)
    for item, qty in items:
        cart = cart.add(
            product_id=item.id,
            code=item.code,
            name=item.name,
            unit=item.unit,
            kdv_rate=item.kdv_rate,
            price=item.price,
            qty_milli=qty,
            merge=False,
        )
    return cart


# --------------------------------------------------------------------------- arithmetic of the rules


def half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def floor_int(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_DOWN))


def stamp_run(held: int, units: int) -> tuple[int, int]:
    """``(earned, free)`` for ``units`` stamp-card units bought with ``held`` stamps on the card,
    by the rule of docs/loyalty-rules.md: each time the card holds ``needed`` the next unit is
    free and spends them, every other unit earns one (a negative card repays first)."""
    free = 0
    for _unit in range(units):
        if held >= STAMPS_NEEDED:
            free += 1
            held -= STAMPS_NEEDED
        else:
            held += 1
    return units - free, free


# --------------------------------------------------------------------------- reading the posted rows

PointsRow = tuple[int, str, int, int | None, int | None, Any, Any]


def points_rows(member_id: int) -> list[PointsRow]:
    """(id, kind, points, lot, sale, available_from, expires_on) of every entry, oldest first."""
    E = m.PointsEntry
    query = (
        E.select(E.id, E.kind, E.points, E.lot, E.sale, E.available_from, E.expires_on)
        .where(E.member == member_id)
        .order_by(E.id)
    )
    return list(query.tuples())


def lots_left(rows: list[PointsRow]) -> dict[int, tuple[int, Any]]:
    """Each lot's remaining points (its points plus the consumptions pointing at it) and its
    last usable day."""
    left: dict[int, int] = {}
    ends: dict[int, Any] = {}
    for eid, _kind, points, lot, _sale, available_from, expires_on in rows:
        if lot is None and available_from is not None:
            left[eid] = points
            ends[eid] = expires_on
    for _eid, _kind, points, lot, _sale, _af, _ex in rows:
        if lot is not None:
            left[lot] += points
    return {lot: (v, ends[lot]) for lot, v in left.items()}


def lapsed_points(member_id: int, sale_id: int, today: date) -> int:
    """Points ``sale_id`` earned that expired unused by ``today`` (written ``expire`` entries on
    its lots, plus what is left on its lots past their last day): a return no longer takes
    these back, since they already left the member."""
    rows = points_rows(member_id)
    own = {r[0] for r in rows if r[1] == "earn" and r[4] == sale_id}
    written = -sum(r[2] for r in rows if r[1] == "expire" and r[3] in own)
    left = lots_left(rows)
    return written + sum(v for lot, (v, end) in left.items() if lot in own and end is not None and end < today)


def expired_unwritten(rows: list[PointsRow], today: date) -> int:
    """Points in lots past their last day whose ``expire`` entry is not written yet: the balance
    already leaves them out, the sum of the entries does not."""
    return sum(v for v, end in lots_left(rows).values() if end is not None and end < today and v > 0)


def points_by_sale(sale_id: int, kind: str) -> int:
    E = m.PointsEntry
    return int(E.select(fn.COALESCE(fn.SUM(E.points), 0)).where((E.sale == sale_id) & (E.kind == kind)).scalar())


def stamps_of(member_id: int) -> dict[str, int]:
    St = m.StampEntry
    query = St.select(St.card, fn.SUM(St.stamps)).where(St.member == member_id).group_by(St.card)
    return {str(card): int(total) for card, total in query.tuples()}


def stamps_by_sale(sale_id: int, kind: str) -> int:
    St = m.StampEntry
    return int(St.select(fn.COALESCE(fn.SUM(St.stamps), 0)).where((St.sale == sale_id) & (St.kind == kind)).scalar())


def stamp_clawbacks_for(original_id: int) -> int:
    """Stamps taken back by the returns of ``original_id`` (positive)."""
    St, S = m.StampEntry, m.Sale
    returns = S.select(S.id).where(S.return_of == original_id)
    return -int(
        St.select(fn.COALESCE(fn.SUM(St.stamps), 0)).where(St.sale.in_(returns) & (St.kind == "clawback")).scalar()
    )


def stamp_restores_for(original_id: int) -> int:
    """Stamps given back by the returns of ``original_id`` (the share that paid for free items)."""
    St, S = m.StampEntry, m.Sale
    returns = S.select(S.id).where(S.return_of == original_id)
    return int(
        St.select(fn.COALESCE(fn.SUM(St.stamps), 0)).where(St.sale.in_(returns) & (St.kind == "restore")).scalar()
    )


def wallet_sum(member_id: int) -> Decimal:
    W = m.WalletEntry
    return from_kurus(int(W.select(fn.COALESCE(fn.SUM(W.amount), 0)).where(W.member == member_id).scalar()))


def wallet_for_sale(member_id: int, sale_id: int, kind: str) -> Decimal:
    """Signed sum of the member's ``kind`` entries for ``sale_id`` or a return of it."""
    W, S = m.WalletEntry, m.Sale
    returns = S.select(S.id).where(S.return_of == sale_id)
    query = W.select(fn.COALESCE(fn.SUM(W.amount), 0)).where(
        (W.member == member_id) & (W.kind == kind) & ((W.sale == sale_id) | W.sale.in_(returns))
    )
    return from_kurus(int(query.scalar()))


def supplier_points_net(sale_id: int) -> tuple[int, int]:
    """(points, supplier_points) of ``sale_id`` plus every return of it."""
    SP, S = m.SupplierPoints, m.Sale
    returns = S.select(S.id).where(S.return_of == sale_id)
    row = (
        SP.select(fn.COALESCE(fn.SUM(SP.points), 0), fn.COALESCE(fn.SUM(SP.supplier_points), 0))
        .where((SP.sale == sale_id) | SP.sale.in_(returns))
        .tuples()
        .get()
    )
    return int(row[0]), int(row[1])


def paid_by(sale_id: int) -> dict[str, Decimal]:
    P = m.Payment
    out: dict[str, Decimal] = defaultdict(Decimal)
    for method, amount in P.select(P.method, P.amount).where(P.sale == sale_id).tuples():
        out[str(method)] += from_kurus(int(amount))
    return dict(out)


def refunded_by_method(sale_id: int) -> dict[str, Decimal]:
    """What the returns of ``sale_id`` paid back, per method."""
    P, S = m.Payment, m.Sale
    query = (
        P.select(P.method, fn.SUM(P.amount))
        .join(S, on=(P.sale == S.id))
        .where(S.return_of == sale_id)
        .group_by(P.method)
    )
    return {str(method): from_kurus(int(amount)) for method, amount in query.tuples()}


def stock_of(product_id: int) -> tuple[int, int]:
    """(the product's stock cache, the sum of its stock movements), milli-units."""
    SM = m.StockMovement
    moved = int(SM.select(fn.COALESCE(fn.SUM(SM.qty), 0)).where(SM.product == product_id).scalar())
    return int(m.Product.get_by_id(product_id).stock), moved


def sale_loyalty(sale_id: int) -> tuple[int, Decimal, str | None] | None:
    """(points, base, tier_code) of the sale's loyalty record, None when it has none."""
    row = m.SaleLoyalty.get_or_none(m.SaleLoyalty.sale == sale_id)
    return None if row is None else (int(row.points), from_kurus(int(row.base)), row.tier_code)


# --------------------------------------------------------------------------- the model


@dataclass(slots=True)
class SoldLine:
    item: Item
    qty_milli: int
    net: Decimal
    returned_milli: int = 0


@dataclass(slots=True)
class SaleModel:
    """What the machine remembers of a sale it posted."""

    id: int
    uid: str
    member_id: int | None
    total: Decimal
    lines: list[SoldLine]
    paid: dict[str, Decimal]
    earned: int = 0
    stamps_earned: int = 0
    stamp_units: int = 0
    refunded: Decimal = Decimal(0)
    returns: int = 0
    stamps_clawed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def fully_returned(self) -> bool:
        return all(ln.returned_milli == ln.qty_milli for ln in self.lines)

    def open_lines(self) -> list[tuple[int, SoldLine]]:
        return [(i, ln) for i, ln in enumerate(self.lines, start=1) if ln.returned_milli < ln.qty_milli]
