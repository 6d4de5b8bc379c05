"""Helpers for the issue 16 property test (tests/loyalty/test_prop16_mix.py): a loyalty program
drawn from the new rules, written as a rules file and applied through ``rules.apply_rules`` (what
``pos-admin loyalty apply`` calls), a small shop in a fresh SQLite file, and read-only queries
over the points ledger, the wallet and the report that the property compares.

Everything that writes goes through the real services; only the catalog rows are created
directly, as the other loyalty checkout tests do.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from peewee import fn

from pos_tui.core.kernel import Actor, to_db, to_kurus
from pos_tui.core.loyalty import members, rules
from pos_tui.core.loyalty.rules import versions as rules_versions
from pos_tui.settings import DEFAULT_ROLES
from pos_tui.store import close_database, open_database
from pos_tui.store import models as m
from pos_tui.text import fold

# code, name, price, category (Tütün is excluded from earning and discounts)
CATALOG = (
    ("KHV", "Türk Kahvesi", "40.00", "Kahve"),
    ("EKM", "Ekmek", "7.50", "Fırın"),
    ("PYN", "Beyaz Peynir", "123.45", "Kahvaltılık"),
    ("SGR", "Sigara", "95.00", "Tütün"),
    ("TST", "Tost Makinesi", "649.90", "Elektrik"),
)
CHARITY = "tema"
PERCENT_COUPON = "YUZDE20"  # an admin's percent coupon with a maximum discount, for anyone, many uses


# --------------------------------------------------------------------------- the program


@dataclass(frozen=True, slots=True)
class Multiplier:
    code: str
    factor: int
    min_order: int
    scope: str  # "" (every product) | 'categories = ["Kahve"]' | 'products = ["PYN"]'


@dataclass(frozen=True, slots=True)
class Rules:
    """One program mixing the mechanics of issue 16 (each field is a key of docs/loyalty-rules.md)."""

    value: Decimal
    hold_days: int
    expiry_days: int  # 0: never expire
    min_balance: int
    max_redeem_percent: int
    redeem_multiple: int
    percent: int
    min_order: int
    multipliers: tuple[Multiplier, ...]
    tier_min_spend: int
    tier_discount_max: int  # 0: none
    count_current_receipt: bool
    promotion_max: int  # 0: none
    reward_points: int
    reward_per_point: Decimal
    product_reward: bool
    next_order: str  # "" | "amount" | "percent"
    next_order_min: int
    next_order_max: int  # percent only; 0: none
    next_order_starts_next_day: bool
    next_order_coupon_min: int
    credit_refunds: bool
    credit_earns: bool
    transfer_min: int
    transfer_max: int
    transfer_daily: int
    transfer_supervisor: int
    donation_min: int

    def toml(self) -> str:
        """The rules file, as a manager would write it."""
        out = [
            'name = "Özellik"',
            "[points]",
            f"value = {self.value}",
            f"hold_days = {self.hold_days}",
            f"min_balance = {self.min_balance}",
            f"max_redeem_percent = {self.max_redeem_percent}",
            f"redeem_multiple = {self.redeem_multiple}",
            "[points.expiry]",
            'kind = "days_after_available"' if self.expiry_days else 'kind = "never"',
        ]
        if self.expiry_days:
            out.append(f"days = {self.expiry_days}")
        out += [
            "[earning]",
            f"percent = {self.percent}",
            f"min_order = {self.min_order}",
            "[earning.excluded]",
            'categories = ["Tütün"]',
        ]
        for mult in self.multipliers:
            out += ["[[multipliers]]", f'code = "{mult.code}"', f"factor = {mult.factor}"]
            out += [f"min_order = {mult.min_order}"] + ([mult.scope] if mult.scope else [])
        out += [
            "[tier_qualification]",
            'window = "rolling_days"',
            "length = 30",
            f"count_current_receipt = {str(self.count_current_receipt).lower()}",
            "[[tiers]]",
            'code = "standart"',
            'name = "Standart"',
            "min_spend = 0",
            "[[tiers]]",
            'code = "gumus"',
            'name = "Gümüş"',
            f"min_spend = {self.tier_min_spend}",
            "multiplier = 1.5",
            "basket_discount_percent = 10",
        ]
        if self.tier_discount_max:
            out.append(f"basket_discount_max = {self.tier_discount_max}")
        out += [
            "[[promotions]]",
            'code = "ikincisi-yarim"',
            'name = "İkincisi %50"',
            'kind = "second_item_percent"',
            "percent = 50",
            'categories = ["Kahve"]',
        ]
        if self.promotion_max:
            out.append(f"max_amount = {self.promotion_max}")
        out += [
            "[[rewards]]",
            'code = "indirim"',
            'name = "Puanla indirim"',
            'kind = "discount"',
            f"points = {self.reward_points}",
            f"discount_per_point = {self.reward_per_point}",
        ]
        if self.product_reward:
            out += ["[[rewards]]", 'code = "ekmek"', 'name = "Ekmek hediye"', 'product = "EKM"', "points = 10"]
        if self.next_order:
            out += [
                "[[next_order_coupons]]",
                'code = "gelecek"',
                'name = "Gelecek alışverişe"',
                f"min_spend = {self.next_order_min}",
                f'kind = "{self.next_order}"',
            ]
            if self.next_order == "amount":
                out.append("amount = 15")
            else:
                out.append("percent = 20")
                if self.next_order_max:
                    out.append(f"max_amount = {self.next_order_max}")
            out += [
                "valid_days = 5",
                f"starts_next_day = {str(self.next_order_starts_next_day).lower()}",
                f"coupon_min_spend = {self.next_order_coupon_min}",
            ]
        out += [
            "[store_credit]",
            f"refunds = {str(self.credit_refunds).lower()}",
            f"earns_points = {str(self.credit_earns).lower()}",
            "[transfers]",
            "enabled = true",
            f"min_points = {self.transfer_min}",
            f"max_points = {self.transfer_max}",
            f"daily_max_points = {self.transfer_daily}",
            f"supervisor_above = {self.transfer_supervisor}",
            "[donations]",
            f"min_points = {self.donation_min}",
            "[[charities]]",
            f'code = "{CHARITY}"',
            'name = "TEMA Vakfı"',
        ]
        return "\n".join(out) + "\n"


@st.composite
def multipliers(draw: st.DrawFn) -> tuple[Multiplier, ...]:
    scopes = ("", 'categories = ["Kahve"]', 'products = ["PYN"]')
    n = draw(st.integers(0, 2))
    return tuple(
        Multiplier(
            f"carpan-{i}",
            draw(st.sampled_from([2, 3])),
            draw(st.sampled_from([0, 100, 300])),
            draw(st.sampled_from(scopes)),
        )
        for i in range(n)
    )


@st.composite
def programs(draw: st.DrawFn) -> Rules:
    """Any mix of the issue 16 rules, with numbers small enough that a few sales reach them."""
    return Rules(
        value=draw(st.sampled_from([Decimal(1), Decimal("0.5")])),
        hold_days=draw(st.sampled_from([0, 1, 2])),
        expiry_days=draw(st.sampled_from([0, 1, 3, 6])),
        min_balance=draw(st.sampled_from([0, 30])),
        max_redeem_percent=draw(st.sampled_from([30, 50, 100])),
        redeem_multiple=draw(st.sampled_from([1, 5, 10])),
        percent=draw(st.sampled_from([2, 5, 10])),
        min_order=draw(st.sampled_from([0, 50, 150])),
        multipliers=draw(multipliers()),
        tier_min_spend=draw(st.sampled_from([200, 800])),
        tier_discount_max=draw(st.sampled_from([0, 15])),
        count_current_receipt=draw(st.booleans()),
        promotion_max=draw(st.sampled_from([0, 10])),
        reward_points=draw(st.sampled_from([20, 50])),
        reward_per_point=draw(st.sampled_from([Decimal("0.5"), Decimal(1)])),
        product_reward=draw(st.booleans()),
        next_order=draw(st.sampled_from(["", "amount", "percent"])),
        next_order_min=draw(st.sampled_from([0, 100])),
        next_order_max=draw(st.sampled_from([0, 10])),
        next_order_starts_next_day=draw(st.booleans()),
        next_order_coupon_min=draw(st.sampled_from([0, 50])),
        credit_refunds=draw(st.booleans()),
        credit_earns=draw(st.booleans()),
        transfer_min=draw(st.sampled_from([1, 10])),
        transfer_max=draw(st.sampled_from([0, 60])),
        transfer_daily=draw(st.sampled_from([0, 80])),
        transfer_supervisor=draw(st.sampled_from([0, 40])),
        donation_min=draw(st.sampled_from([1, 10])),
    )


# --------------------------------------------------------------------------- the shop


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    code: str
    name: str
    unit: str
    price: Decimal
    kdv_rate: int
    category: str


@dataclass(slots=True)
class Shop:
    path: Path
    cashier: Actor
    supervisor: Actor
    items: dict[str, Item]
    members: list[int] = field(default_factory=list)


def _actor(now: datetime, name: str, role: str) -> Actor:
    r = DEFAULT_ROLES[role]
    user = m.User.create(name=name, role=role, pin_tag=f"t-{name}", pin_hash="x", created_at=to_db(now))
    return Actor(user.id, name, role, r.permissions, r.max_discount_pct)


def open_shop(path: Path, now: datetime, program: Rules) -> Shop:
    """A fresh database at ``path`` with the catalog, a cashier and a supervisor, and ``program``
    applied through ``rules.apply_rules`` (the path of ``pos-admin loyalty apply``)."""
    database = open_database(path)
    database.execute_sql("PRAGMA synchronous = OFF")  # durability is not under test
    rules_versions._reset_cache()  # another example's database had its own rules row 1
    rules.apply_rules(program.toml(), source="prop16.toml", now=now, terminal="T1")
    items: dict[str, Item] = {}
    for code, name, price, category in CATALOG:
        cat = m.Category.get_or_create(name=category)[0]
        row = m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            price=to_kurus(Decimal(price)),
            kdv_rate=20,
            category=cat,
            updated_at=to_db(now),
        )
        items[code] = Item(int(row.id), code, name, "piece", Decimal(price), 20, category)
    return Shop(path, _actor(now, "ayse", "cashier"), _actor(now, "mehmet", "supervisor"), items)


def enrol(now: datetime, n: int) -> list[int]:
    return [
        int(members.enroll(name=f"Üye {k}", phone=f"0532123450{k}", source="cli", actor=None, now=now).id)
        for k in range(n)
    ]


def close_shop(shop: Shop) -> None:
    rules_versions._reset_cache()
    close_database()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{shop.path}{suffix}").unlink(missing_ok=True)


# --------------------------------------------------------------------------- reading the ledger


def half_up(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


def by_kind(member_id: int) -> dict[str, tuple[int, int]]:
    """Per entry kind: (sum of the positive entries, sum of the negative ones) of the member."""
    E = m.PointsEntry
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    query = E.select(E.kind, E.points).where(E.member == member_id)
    for kind, points in query.tuples():
        out[kind][0 if points > 0 else 1] += int(points)
    return {k: (v[0], v[1]) for k, v in out.items()}


def lots(member_id: int | None = None) -> dict[int, tuple[int, date | None, int]]:
    """Each lot (an entry that creates points): (points, last usable day, what the entries
    against it other than ``expire`` took, as a negative number)."""
    E = m.PointsEntry
    query = E.select(E.id, E.points, E.expires_on).where(E.lot.is_null() & E.available_from.is_null(False))
    if member_id is not None:
        query = query.where(E.member == member_id)
    found = {int(i): [int(p), end, 0] for i, p, end in query.tuples()}
    used = E.select(E.lot, fn.SUM(E.points)).where(E.lot.is_null(False) & (E.kind != "expire")).group_by(E.lot)
    if member_id is not None:
        used = used.where(E.member == member_id)
    for lot, taken in used.tuples():
        if int(lot) in found:
            found[int(lot)][2] = int(taken)
    return {k: (v[0], v[1], v[2]) for k, v in found.items()}


def expired_by(member_id: int | None, today: date) -> int:
    """Points that expired unused by ``today``: what lots past their last usable day held when
    it passed (written ``expire`` entries or not), derived from the lots as the report does."""
    return sum(
        max(points + taken, 0) for points, end, taken in lots(member_id).values() if end is not None and end < today
    )


def debt_of(member_id: int) -> tuple[int, set[str]]:
    """The member's open debt (the sum of the entries that are neither a lot nor against one)
    and the kinds of the entries that made it."""
    E = m.PointsEntry
    query = E.select(E.kind, E.points).where((E.member == member_id) & E.lot.is_null() & E.available_from.is_null())
    rows = list(query.tuples())
    return sum(int(p) for _k, p in rows), {str(k) for k, p in rows if p < 0}


def points_of_sale(sale_id: int, kind: str) -> int:
    E = m.PointsEntry
    return int(E.select(fn.COALESCE(fn.SUM(E.points), 0)).where((E.sale == sale_id) & (E.kind == kind)).scalar())


def sale_loyalty(sale_id: int) -> m.SaleLoyalty | None:
    return m.SaleLoyalty.get_or_none(m.SaleLoyalty.sale == sale_id)


def earned_by_sales(member_id: int) -> int:
    """Points the member's receipts earned by their ``sale_loyalty`` records (not the ledger)."""
    SL = m.SaleLoyalty
    return int(SL.select(fn.COALESCE(fn.SUM(SL.points), 0)).where(SL.member == member_id).scalar())


def paid_by(sale_id: int) -> dict[str, int]:
    """Kuruş per payment method of a document."""
    P = m.Payment
    out: dict[str, int] = defaultdict(int)
    for method, amount in P.select(P.method, P.amount).where(P.sale == sale_id).tuples():
        out[str(method)] += int(amount)
    return dict(out)


def refunded_by(original_id: int) -> dict[str, int]:
    """Kuruş per method refunded by every return of ``original_id``."""
    P, S = m.Payment, m.Sale
    out: dict[str, int] = defaultdict(int)
    query = P.select(P.method, P.amount).join(S, on=(P.sale == S.id)).where(S.return_of == original_id)
    for method, amount in query.tuples():
        out[str(method)] += int(amount)
    return dict(out)


def reward_points_of(sale_id: int) -> int:
    B = m.SaleBenefit
    return int(
        B.select(fn.COALESCE(fn.SUM(B.points), 0)).where((B.sale == sale_id) & (B.kind == "reward")).scalar() or 0
    )


def wallet_sum(member_id: int) -> int:
    """Kuruş: the sum of the member's wallet entries, straight from the table."""
    W = m.WalletEntry
    return int(W.select(fn.COALESCE(fn.SUM(W.amount), 0)).where(W.member == member_id).scalar())


def counts() -> tuple[int, ...]:
    """Rows of the tables a refused operation must not touch."""
    return tuple(
        model.select().count()
        for model in (m.Sale, m.PointsEntry, m.WalletEntry, m.JournalEntry, m.CouponUse, m.Coupon)
    )


def loyalty_data(sale_id: int) -> dict[str, Any]:
    import json

    row = sale_loyalty(sale_id)
    return {} if row is None else json.loads(row.data)


def own_lots(sale_id: int, member_id: int) -> set[int]:
    """The ``earn`` lots sale ``sale_id`` gave its member."""
    E = m.PointsEntry
    query = E.select(E.id).where((E.sale == sale_id) & (E.kind == "earn") & (E.member == member_id))
    return {int(i) for (i,) in query.tuples()}


def benefits_of(sale_id: int) -> list[m.SaleBenefit]:
    """The posted benefit lines of a sale (amounts in kuruş)."""
    return list(m.SaleBenefit.select().where(m.SaleBenefit.sale == sale_id))


def max_entry() -> int:
    """The newest points entry's id (0 when none)."""
    E = m.PointsEntry
    return int(E.select(fn.COALESCE(fn.MAX(E.id), 0)).scalar())


def taken_since(after: int, member_id: int, kind: str) -> list[tuple[int, date | None]]:
    """(points, the lot's last usable day) of each ``kind`` entry of the member written after
    entry ``after`` (the parts one spending took from each lot)."""
    E, L = m.PointsEntry, m.PointsEntry.alias("lot")
    query = (
        E.select(E.points, L.expires_on)
        .join(L, on=(E.lot == L.id))
        .where((E.id > after) & (E.member == member_id) & (E.kind == kind))
        .order_by(E.id)
    )
    return [(-int(points), end) for points, end in query.tuples()]
