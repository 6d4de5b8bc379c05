"""The demo shop's past: eight weeks of sales on its second till, so a newcomer's reports show something.

:func:`post_sales_history` writes, once (a database with any sale keeps its own), the receipts of
the :data:`HISTORY_DAYS` shop days before ``now``'s (never ``now``'s own day) on the terminal
:data:`HISTORY_TERMINAL` ("T2"; "T3" when the shop's own terminal is T2), so this terminal's X report
and its next Z stay empty until someone sells:

- **Opening stock.** On the first day, before the shop opens, the goods the history will sell come onto
  the books as an ``opening`` stock adjustment per product (at the product's average cost), so the
  stock card never goes below zero and the history leaves the stock levels as it found them (plus
  what was returned, and the count's differences below). The demo imports its catalogue, with the
  file's stock levels, at :func:`history_start` (half an hour earlier) into a new database, so the
  shelves are stocked all through the history: a stock report of a past period has figures too.
- **Never sold.** The products of :data:`UNSOLD` (seasonal goods: barbecue charcoal, sun cream) are
  never drawn: they sit on the shelf the whole time (the idle stock report's rows).
- **Receipts.** A few to 15 a day (:data:`WEEKDAY_RECEIPTS`: Saturdays busiest, Sundays quiet),
  inside shop hours (:data:`OPENING_HOURS`), their hours drawn from :data:`HOUR_WEIGHTS` (busier
  after work); 1 to 5 lines of the demo's products (bread, water and milk most often; fruit,
  vegetables, meat and cheese weighed); paid in cash (often with change), by card, or split (cash
  then card). ayse works the morning, mehmet the afternoon and evening.
- **Members.** Now and then one of the six loyalty members is on a receipt (card read), so the
  loyalty reports have members next to non-members; their points come from the engine. A member's
  receipt that would take their points (available and pending) past half of their
  :data:`~pos_tui.core.interchange.demo.DEMO_POINTS` balance is undone (a savepoint) and posted
  without them, so the demo's "points from past visits" can still bring each member to exactly the
  documented balance.
- **Returns.** Every eighth calendar day (six or seven in the history: not on its first day), a
  customer brings back one line of a receipt of the day before (a piece, or the whole weighed
  line; refunded the way it was paid).
- **Z.** mehmet takes T2's Z ten minutes after closing every day, so the Z list reads like a real
  till's and nothing on T2 waits for a Z.
- **A stock count.** :data:`COUNT_DAYS_BEFORE` days before ``now``'s, after the Z, mehmet (a
  supervisor: ``count_manage``) counts the tobacco and the deli counter (:data:`COUNT_CATEGORIES`) at
  T2's stock location and posts the count (uncounted products left as they are): what he counts is
  what the books say, except for :data:`COUNT_FINDINGS` (a pack of cigarettes missing, a lighter
  found, cheese dried out), so the count variances and shrinkage reports have rows.

Every document goes through the engine (:func:`~pos_tui.core.till.posting.post_cart`,
:func:`~pos_tui.core.till.returns.post_return`, ``source = 'import'``: they belong to no shift, like
imported sales; the count through :mod:`pos_tui.core.stock.counting`), so KDV rows, stock movements
at average cost (margins), points and the journal are as the till would write them. Nothing reads
the clock: every choice comes from a random generator seeded with the calendar day, so the same
``now`` gives the same history, and a day's plan (times, baskets, payments) is the same whichever
``now`` the history is loaded at. It is all one transaction: nothing half-written, and one commit
(a commit per document would cost seconds).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal
from typing import Any

from pos_tui.core.basket.cart import Cart
from pos_tui.core.basket.tenders import PaymentInput
from pos_tui.core.cash import closures
from pos_tui.core.catalog.products import ProductInfo, get_product
from pos_tui.core.kernel.clock import zone
from pos_tui.core.kernel.money import MILLI
from pos_tui.core.loyalty import ledger
from pos_tui.core.loyalty.pricing import price_cart
from pos_tui.core.staff import users as staff
from pos_tui.core.stock import counting, moves, on_hand, terminal_location
from pos_tui.core.till.posting import post_cart
from pos_tui.core.till.results import ReturnLineInput
from pos_tui.core.till.returns import post_return, returnable_lines
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

HISTORY_DAYS = 56  # eight weeks before now's shop day
HISTORY_TERMINAL = "T2"
UID_PREFIX = "demo-"  # + yyyymmdd-nn: the uid of a history receipt (returns: + "-r")
# Receipts a weekday brings (Monday first), before a day's own spread of -1..+2.
WEEKDAY_RECEIPTS = (6, 6, 7, 7, 9, 12, 5)
# Shop hours (local): weekdays and Saturday 08-21, Sunday 10-19; the Z is taken after closing.
OPENING_HOURS = {6: (10, 19)}
DEFAULT_HOURS = (8, 21)
HOUR_WEIGHTS = {8: 2, 9: 3, 10: 3, 11: 3, 12: 4, 13: 4, 14: 3, 15: 3, 16: 4, 17: 6, 18: 8, 19: 8, 20: 5}
SATURDAY_EXTRA = {11: 3, 12: 3, 13: 3, 14: 2, 15: 2}  # Saturday shoppers come at midday too
# Products drawn more often than the rest (every other product weighs 1).
POPULAR = {
    "50": 30,  # Ekmek
    "51": 10,  # Simit
    "1301": 14,  # water
    "1101": 12,  # milk
    "1103": 6,  # ayran
    "1104": 5,  # eggs
    "1901": 6,  # cigarettes
    "1902": 5,
    "1": 10,  # tomatoes
    "2": 6,
    "3": 6,
    "4": 5,
    "5": 4,
    "6": 4,
    "7": 4,
    "9": 3,
    "11": 4,
    "12": 3,
    "1007": 4,
    "1304": 4,
}
# Grams a weighed line takes: (least, most), drawn in 5 g steps; other kg products 0.3-2 kg.
WEIGHTS = {
    "9": (250, 1000),
    "10": (250, 1000),
    "11": (500, 1500),
    "12": (200, 750),
    "13": (200, 600),
    "14": (200, 500),
    "15": (200, 600),
    "16": (100, 400),
}
# Pieces a line may take, most likely first.
PIECES = {"50": (1, 2, 3, 4), "1301": (1, 2, 6), "1103": (1, 2, 3), "51": (1, 2, 3)}
# How likely each demo member (by customer code) shops on a given day.
MEMBER_VISITS = {"M0001": 0.10, "M0002": 0.07, "M0003": 0.15, "M0004": 0.09, "M0005": 0.05, "M0006": 0.13}
RETURN_EVERY = 8  # every eighth calendar day has a return (of the day before's receipt), whatever ``now``
CASHIERS = ("ayse", "mehmet")
# Products the history never sells (weight 0: every other draw is as without them): seasonal goods.
UNSOLD = frozenset({"2001", "2002"})  # Mangal Kömürü, Güneş Kremi
OPENING_STOCK_AT = time(7, 30)  # the history's opening stock, on its first day (the catalogue half an hour before)
# The stock count: how many days before now's, which categories, and where the count differs from the
# books (product code -> counted − expected, milli-units); every other product is counted right.
COUNT_DAYS_BEFORE = 3
COUNT_CATEGORIES = ("Tütün", "Şarküteri")
COUNT_FINDINGS = {"1901": -1_000, "1903": 1_000, "13": -180}
COUNT_USER = "mehmet"


@dataclass(slots=True)
class _Receipt:
    uid: str
    at: datetime
    cashier: str
    lines: list[tuple[str, int]]  # (product code, milli-units)
    paid: str  # cash | card | split
    cash_step: int  # cash is handed over rounded up to this many lira (1: exact)
    member: str | None = None  # customer code of a demo member


@dataclass(slots=True)
class _Day:
    day: date
    close: datetime
    receipts: list[_Receipt] = field(default_factory=list)
    returned: tuple[str, float, datetime] | None = None  # (uid of a sale of the day before, pick, at)


def history_terminal(settings: Settings) -> str:
    """The terminal the history is on: never the shop's own (its X report stays empty)."""
    return HISTORY_TERMINAL if settings.terminal_id != HISTORY_TERMINAL else "T3"


def history_days(now: datetime, tz: str) -> list[date]:
    """The shop days of the history, oldest first: the :data:`HISTORY_DAYS` before ``now``'s."""
    today = now.astimezone(zone(tz)).date()
    return [today - timedelta(days=n) for n in range(HISTORY_DAYS, 0, -1)]


def history_start(now: datetime, tz: str) -> datetime:
    """Half an hour before the history's opening stock on its first day: when the demo imports its
    catalogue into a new database, so the shop is stocked all through its past."""
    first = history_days(now, tz)[0]
    return datetime.combine(first, OPENING_STOCK_AT, zone(tz)) - timedelta(minutes=30)


def _cashier(at: datetime) -> str:
    """ayse has the morning and Sunday, mehmet the afternoon and evening (from 15:00)."""
    return CASHIERS[1] if at.hour >= 15 and at.weekday() != 6 else CASHIERS[0]


def _qty(rng: random.Random, product: ProductInfo) -> int:
    if product.unit == "kg":
        low, high = WEIGHTS.get(product.code, (300, 2000))
        return rng.randrange(low, high + 1, 5)
    pieces = PIECES.get(product.code, (1, 1, 1, 2, 3))
    return rng.choice(pieces) * MILLI


def _plan_day(day: date, tz: str, products: list[ProductInfo], weights: list[int]) -> _Day:
    """The receipts of one day: a function of the day alone (seeded with its date)."""
    rng = random.Random(f"pos-tui demo {day.isoformat()}")
    opens, closes = OPENING_HOURS.get(day.weekday(), DEFAULT_HOURS)
    hours = list(range(opens, closes))
    hour_weights = [HOUR_WEIGHTS.get(h, 1) + (SATURDAY_EXTRA.get(h, 0) if day.weekday() == 5 else 0) for h in hours]
    count = max(3, min(15, WEEKDAY_RECEIPTS[day.weekday()] + rng.randint(-1, 2)))
    local = zone(tz)
    moments = sorted(
        datetime.combine(day, time(rng.choices(hours, hour_weights)[0], rng.randrange(60), rng.randrange(60)), local)
        for _n in range(count)
    )
    plan = _Day(day, datetime.combine(day, time(closes, 10), local))
    for n, at in enumerate(moments, start=1):
        chosen: dict[str, int] = {}
        for product in rng.choices(products, weights, k=rng.choice((1, 1, 2, 2, 3, 3, 4, 5))):
            if product.code not in chosen:  # a product once per receipt
                chosen[product.code] = _qty(rng, product)
        usual = rng.random() < 0.85  # now and then the other one is at the till
        paid = rng.choices(("cash", "card", "split"), (50, 40, 10))[0]
        plan.receipts.append(
            _Receipt(
                uid=f"{UID_PREFIX}{day:%Y%m%d}-{n:02d}",
                at=at,
                cashier=_cashier(at) if usual else CASHIERS[_cashier(at) == CASHIERS[0]],
                lines=list(chosen.items()),
                paid=paid,
                cash_step=rng.choice((1, 5, 10, 50, 100)),
            )
        )
    free = list(range(len(plan.receipts)))
    for code, chance in MEMBER_VISITS.items():
        if free and rng.random() < chance:
            plan.receipts[free.pop(rng.randrange(len(free)))].member = code
    if day.toordinal() % RETURN_EVERY == 0:
        earlier = day - timedelta(days=1)
        back = rng.randrange(1, WEEKDAY_RECEIPTS[earlier.weekday()] - 1)  # a receipt every day has
        at = datetime.combine(day, time(rng.randrange(opens, closes), rng.randrange(60)), local)
        plan.returned = (f"{UID_PREFIX}{earlier:%Y%m%d}-{back:02d}", rng.random(), at)
    return plan


def _payments(receipt: _Receipt, total: Decimal) -> list[PaymentInput]:
    if receipt.paid == "card" or total <= 0:
        return [PaymentInput("card", total)] if total > 0 else []
    step = Decimal(receipt.cash_step)
    handed = (total / step).to_integral_value(ROUND_CEILING) * step
    if receipt.paid == "cash":
        return [PaymentInput("cash", handed)]
    cash = min(Decimal(50) if total > 100 else total / 2, total).quantize(Decimal("0.01"))
    return [PaymentInput("cash", cash), PaymentInput("card", total - cash)]


@dataclass(frozen=True, slots=True)
class _Member:
    member_id: int
    customer_id: int
    cap: int  # the points the history may earn them


def _members(targets: dict[str, int]) -> dict[str, _Member]:
    Me, C = m.Member, m.Customer
    query: Any = (
        Me.select(Me.id, C.id, C.code)
        .join(C, on=(Me.customer == C.id))
        .where(C.code.in_(list(targets)) & Me.anonymized_at.is_null())
        .tuples()
    )
    return {code: _Member(int(mid), int(cid), targets[code] // 2) for mid, cid, code in query}


def post_sales_history(settings: Settings, now: datetime, *, targets: dict[str, int]) -> int:
    """Post the history (module docstring) once, in one transaction; returns the documents posted
    (sales and returns), 0 when the database already has sales. ``targets``: each demo member's
    documented points by customer code (the history earns them at most half)."""
    if m.Sale.select().exists():
        return 0
    tz = settings.shop.timezone
    products = [get_product(p.code) for p in m.Product.select(m.Product.code).where(m.Product.active)]
    products.sort(key=lambda p: (len(p.code), p.code))
    if not products:
        return 0
    weights = [0 if p.code in UNSOLD else POPULAR.get(p.code, 1) for p in products]
    plans = [_plan_day(day, tz, products, weights) for day in history_days(now, tz)]
    count_day = now.astimezone(zone(tz)).date() - timedelta(days=COUNT_DAYS_BEFORE)
    poster = _Poster(
        terminal=history_terminal(settings),
        tz=tz,
        products={p.code: p for p in products},
        members=_members(targets),
        users={name: staff.actor_by_name(name, settings=settings) for name in (*CASHIERS, COUNT_USER, "admin")},
    )
    posted = 0
    with write_tx():  # all of it or nothing, and one commit (each document's own would take seconds)
        poster.opening_stock(plans)
        for plan in plans:
            events: list[tuple[datetime, _Receipt | None]] = [(r.at, r) for r in plan.receipts]
            if plan.returned is not None:
                events.append((plan.returned[2], None))
            for _at, receipt in sorted(events, key=lambda e: (e[0], e[1] is None)):
                posted += poster.sell(receipt) if receipt is not None else poster.take_back(plan)
            closures.z_report(poster.terminal, poster.users["mehmet"], now=plan.close, settings=settings)
            if plan.day == count_day:
                poster.count(plan)
    return posted


class _TooManyPoints(Exception):
    """A member's receipt would earn them more than the history may: undone, posted without them."""


@dataclass(frozen=True, slots=True)
class _Poster:
    terminal: str
    tz: str
    products: dict[str, ProductInfo]
    members: dict[str, _Member]
    users: dict[str, Any]

    def opening_stock(self, plans: list[_Day]) -> None:
        """What the history sells comes onto the books (``opening``) before its first day opens."""
        sold: dict[str, int] = defaultdict(int)
        for plan in plans:
            for receipt in plan.receipts:
                for code, qty in receipt.lines:
                    sold[code] += qty
        first = plans[0]
        at = datetime.combine(first.day, OPENING_STOCK_AT, first.close.tzinfo)
        for code in sorted(sold, key=lambda c: (len(c), c)):
            moves.adjust(
                code,
                sold[code],
                "opening",
                actor=self.users["admin"],
                terminal=self.terminal,
                now=at,
                unit_cost=self.products[code].cost,
                note=_("Demo shop: opening stock"),
            )

    def sell(self, receipt: _Receipt) -> int:
        """Post ``receipt``; a member's receipt that would take their points (available and
        pending) past their cap is undone (a savepoint) and posted again without the member."""
        member = self.members.get(receipt.member) if receipt.member else None
        if member is not None:
            try:
                with write_tx():
                    self._post(receipt, member)
                    points = ledger.balance(member.member_id, as_of=receipt.at.date(), tz=self.tz)
                    if points.available + points.pending > member.cap:
                        raise _TooManyPoints
                return 1
            except _TooManyPoints:
                pass
        self._post(receipt, None)
        return 1

    def _post(self, receipt: _Receipt, member: _Member | None) -> None:
        cart = Cart(customer_id=member.customer_id if member else None, member_id=member.member_id if member else None)
        for code, qty in receipt.lines:
            product = self.products[code]
            cart = cart.add_product(product, qty, weighed=product.unit == "kg", merge=False)
        cart = price_cart(cart, now=receipt.at, tz=self.tz)
        post_cart(
            cart,
            _payments(receipt, cart.total),
            terminal=self.terminal,
            cashier_id=self.users[receipt.cashier].user_id,
            now=receipt.at,
            uid=receipt.uid,
            source="import",
            tz=self.tz,
        )

    def take_back(self, plan: _Day) -> int:
        """The day's return: one line of a receipt of the day before (a piece, or the whole weighed
        line), refunded the way it was paid."""
        assert plan.returned is not None
        uid, pick, at = plan.returned
        if not m.Sale.select().where(m.Sale.uid == uid).exists():
            return 0
        lines = [line for line in returnable_lines(uid) if line.sold_milli > line.returned_milli]
        if not lines:
            return 0
        line = lines[int(pick * len(lines))]
        qty = line.sold_milli - line.returned_milli if line.unit == "kg" else MILLI
        post_return(
            uid,
            [ReturnLineInput(line.line_no, qty)],
            terminal=self.terminal,
            cashier_id=self.users[_cashier(at)].user_id,
            now=at,
            reason=_("Demo shop: the customer brought it back"),
            uid=f"{uid}-r",
            source="import",
            tz=self.tz,
        )
        return 1

    def count(self, plan: _Day) -> None:
        """After ``plan``'s Z: a count of :data:`COUNT_CATEGORIES` at the terminal's location, opened,
        counted product by product (the books' quantity, plus its :data:`COUNT_FINDINGS`) and posted."""
        who = self.users[COUNT_USER]
        at = plan.close + timedelta(minutes=5)
        place = terminal_location(self.terminal)
        counted = sorted(
            (p for p in self.products.values() if p.category in COUNT_CATEGORIES), key=lambda p: (len(p.code), p.code)
        )
        session = counting.open_count(
            _("Tobacco and deli count"),
            actor=who,
            now=at,
            terminal=self.terminal,
            categories=list(COUNT_CATEGORIES),
            note=_("Demo shop: the weekly count after closing"),
        )
        for n, product in enumerate(counted, start=1):
            qty = max(0, on_hand(product.id, place) + COUNT_FINDINGS.get(product.code, 0))
            counting.record_event(
                session.id,
                product.id,
                qty,
                uid=f"{UID_PREFIX}count-{plan.day:%Y%m%d}-{product.code}",
                actor=who,
                now=at + timedelta(minutes=n),
                terminal=self.terminal,
            )
        done = at + timedelta(minutes=len(counted) + 5)
        counting.post_count(session.id, uncounted="leave", actor=who, now=done, terminal=self.terminal)
