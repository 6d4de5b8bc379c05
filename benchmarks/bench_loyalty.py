"""Loyalty evaluation of a big basket: ``engine.evaluate`` + ``engine.earning`` (the pure part
the till runs on every change of a member's cart), then ``pricing.price_cart`` with the
database side.

The basket has 100 lines (1 to 3 pieces each, a few weighed) from 100 products in nine
categories; the program has 50 active rules: 12 promotions, 8 stamp cards, 4 tiers with 8
monthly benefits, 10 rewards, 4 threshold bonuses, 4 supplier-funded products, plus category
and product multipliers and exclusions. The member is Altın (15 % basket discount, monthly
benefits), holds stamps on every card and chooses two rewards; two coupons are entered.

The database side gets a member with 5 years of history (two receipts a week: sales, points
lots, redemptions, stamps, benefit lines) so ``member_context`` reads what a long-standing
member has.

Baselines, same run, samples alternating with ours:

- evaluate + earning: the same calls with the empty program (``Program()``: nothing to apply),
  i.e. the cost of walking the basket at all;
- ``price_cart`` for the member with history: the same cart for a member of the same tier
  with one points lot (for the reward) and no other history (what five years cost);
- ``ledger.balance`` of the member with history: the entry-by-entry fold it replaced (every
  entry read into Python, then summed per lot; ``ledger._load``, which the writes still use).

Before timing, the heap is settled (``gc.collect(); gc.freeze()``) as the till does once its
sale screen is up (``pos_tui.tui.app``), so a full garbage collection does not walk the
program, the catalogue and the modules in the middle of a sample.

Target (issue 3): evaluate + earning p99 < 2 ms.

    python3 -m benchmarks.bench_loyalty [--samples 2000] [--lines 100] [--years 5] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, save, timer, verdict

START = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
TZ = "Europe/Istanbul"
CATEGORIES = ["Gıda", "İçecek", "Temizlik", "Kozmetik", "Şarküteri", "Atıştırmalık", "Kahvaltılık", "Kahve", "Tütün"]
SUPPLIERS = ["TED-A", "TED-B", "TED-C", "TED-D"]


def program_text() -> str:
    """A rules file with 50 active rules over the generated products (codes P000..P099)."""
    parts = [
        "[earning]\npercent = 1",
        '[earning.category_multipliers]\n"Kozmetik" = 2\n"Kahvaltılık" = 1.5',
        '[earning.product_multipliers]\n"P010" = 3\n"P020" = 0.5',
        '[earning.excluded]\ncategories = ["Tütün"]\nproducts = ["P099"]',
    ]
    for i in range(4):
        parts.append(f'[[supplier_funding]]\nproduct = "P{i * 7:03d}"\npoints = 10\nsupplier_points = 5')
    for i in range(4):
        parts.append(f'[[bonuses]]\ncode = "b{i}"\nmin_spend = {500 * (i + 1)}\npoints = {50 * (i + 1)}')
    tiers = [("kirmizi", 0, 1, 3), ("gumus", 1000, 1.5, 10), ("altin", 1500, 2, 15), ("platin", 5000, 3, 20)]
    for t, (code, spend, mult, disc) in enumerate(tiers):
        parts.append(
            f'[[tiers]]\ncode = "{code}"\nname = "{code.title()}"\nmin_spend = {spend}\n'
            f"multiplier = {mult}\nbasket_discount_percent = {disc}"
        )
        for j in range(2):
            parts.append(
                f'[[tiers.monthly_benefits]]\ncode = "{code}-m{j}"\nlabel = "Monthly {j}"\n'
                f'products = ["P{40 + t * 2 + j:03d}"]\nquantity = 1'
            )
    for i in range(8):
        scope = f'categories = ["{CATEGORIES[i]}"]' if i < 4 else f'products = ["P{50 + i:03d}", "P{60 + i:03d}"]'
        parts.append(f'[[stamp_cards]]\ncode = "s{i}"\nname = "Card {i}"\n{scope}\nneeded = {5 + i}')
    for i in range(12):
        scope = f'products = ["P{i * 3:03d}", "P{i * 3 + 1:03d}", "P{i * 3 + 2:03d}"]'
        if i % 2:
            parts.append(
                f'[[promotions]]\ncode = "p{i}"\nname = "Promo {i}"\nkind = "second_item_percent"\n'
                f"percent = 50\n{scope}\nmembers_only = true"
            )
        else:
            parts.append(
                f'[[promotions]]\ncode = "p{i}"\nname = "Promo {i}"\nkind = "buy_x_get_y"\nbuy = 2\nget = 1\n{scope}'
            )
    for i in range(10):
        parts.append(f'[[rewards]]\ncode = "r{i}"\nname = "Reward {i}"\nproduct = "P{70 + i:03d}"\npoints = 10')
    return "\n\n".join(parts) + "\n"


def basket(rnd: random.Random, lines: int) -> list[tuple[str, str, str, str, int, Decimal]]:
    """(code, category, supplier, unit, qty_milli, unit price) per line."""
    out = []
    for i in range(lines):
        code = f"P{i % 100:03d}"
        weighed = i % 25 == 24
        out.append(
            (
                code,
                CATEGORIES[i % len(CATEGORIES)],
                SUPPLIERS[i % len(SUPPLIERS)],
                "kg" if weighed else "piece",
                rnd.randint(100, 2500) if weighed else rnd.randint(1, 3) * 1000,
                Decimal(rnd.randint(500, 50_000)) / 100,
            )
        )
    return out


def pure_case(lines: int, rnd: random.Random) -> tuple[Callable[[], Any], Callable[[], Any], dict[str, Any]]:
    from pos_tui.core.kernel import line_amount
    from pos_tui.core.loyalty import CouponOffer, EngineLine, MemberContext, Program, earning, evaluate, parse_program

    program = parse_program(program_text(), source="bench")
    rules = (
        len(program.promotions)
        + len(program.stamp_cards)
        + len(program.tiers)
        + sum(len(t.monthly_benefits) for t in program.tiers)
        + len(program.rewards)
        + len(program.bonuses)
        + len(program.supplier_funding)
    )
    engine_lines = [
        EngineLine(n, code, cat, sup, unit, qty, price, line_amount(price, qty))
        for n, (code, cat, sup, unit, qty, price) in enumerate(basket(rnd, lines), 1)
    ]
    member = MemberContext(
        member_id=1,
        tier_code="altin",
        stamps={f"s{i}": 4 + i for i in range(8)},
        monthly_used={"altin-m0": 1},
        available_points=5000,
    )
    coupons = [
        CouponOffer("C10", "percent", percent=Decimal(10), product_code="P005"),
        CouponOffer("C50", "amount", amount=Decimal(50), min_spend=Decimal(500)),
    ]
    day = START.date()

    def run(p: Program, rewards: tuple[str, ...]) -> Callable[[], Any]:
        def go() -> Any:
            ev = evaluate(engine_lines, member, p, day=day, coupons=coupons, rewards=rewards)
            return earning(engine_lines, member, p, day=day, non_earning_paid=Decimal(100), evaluation=ev)

        return go

    ours = run(program, ("r0", "r1"))
    empty = Program()
    baseline = run(empty, ())
    ev = evaluate(engine_lines, member, program, day=day, coupons=coupons, rewards=("r0", "r1"))
    facts = {
        "rules": rules,
        "lines": len(engine_lines),
        "units": sum(ln.units for ln in engine_lines),
        "benefit_lines": len(ev.benefits),
        "benefit_total": str(ev.total),
        "points": ours().points,
    }
    return ours, baseline, facts


def alternate(
    ours: Callable[[], Any], baseline: Callable[[], Any], n: int, warmup: int
) -> tuple[list[float], list[float]]:
    for _ in range(warmup):
        ours()
        baseline()
    a: list[float] = []
    b: list[float] = []
    for _ in range(n):
        t = time.perf_counter()
        ours()
        a.append(time.perf_counter() - t)
        t = time.perf_counter()
        baseline()
        b.append(time.perf_counter() - t)
    return a, b


def history_db(work: Path, lines: int, years: int, rnd: random.Random) -> dict[str, Any]:
    """A database with the products, the rules applied and one member with ``years`` of
    history; returns what the DB-side samples need."""
    from pos_tui.core.kernel import to_db
    from pos_tui.core.loyalty import rules
    from pos_tui.store import models as m
    from pos_tui.store import open_database, write_tx
    from pos_tui.text import fold

    open_database(work / "pos.sqlite3")
    at = to_db(START - timedelta(days=365 * years))
    with write_tx():
        cats = {name: m.Category.create(name=name).id for name in CATEGORIES}
        sups = {code: m.Supplier.create(code=code, name=code, created_at=at).id for code in SUPPLIERS}
        items = basket(rnd, lines)
        products: dict[str, int] = {}
        for code, cat, sup, unit, _qty, price in items:
            if code not in products:
                products[code] = m.Product.create(
                    code=code,
                    name=f"Ürün {code}",
                    name_key=fold(f"Ürün {code}"),
                    unit=unit,
                    price=int(price * 100),
                    kdv_rate=10,
                    category=cats[cat],
                    supplier=sups[sup],
                    updated_at=at,
                ).id
        cashier = m.User.create(name="kasa", role="cashier", pin_tag="bench", pin_hash="x", created_at=at).id
        member = m.Member.create(card="2990000000017", name="Uzun Süreli Üye", created_at=at, tier_code="altin").id
        newcomer = m.Member.create(card="2990000000024", name="Yeni Üye", created_at=at, tier_code="altin").id
        m.PointsEntry.create(
            member=newcomer,
            at=at,
            kind="adjust",
            points=5000,
            available_from=START.date() - timedelta(days=365 * years),
        )  # the points for the chosen reward, and no other history
        receipts = 0
        for week in range(52 * years):
            for visit in range(2):
                when = START - timedelta(days=365 * years) + timedelta(days=7 * week + 3 * visit, hours=2)
                db_at = to_db(when)
                receipts += 1
                sale = m.Sale.create(
                    uid=f"hist-{receipts}",
                    kind="sale",
                    terminal="T1",
                    receipt_no=receipts,
                    at=db_at,
                    cashier=cashier,
                    subtotal=50_000,
                    total=50_000,
                    member=member,
                )
                for n, code in enumerate(rnd.sample(sorted(products), 5), 1):
                    m.SaleLine.create(
                        sale=sale, line_no=n, product=products[code], code=code, name=code, unit="piece", qty=1000,
                        unit_price=10_000, list_price=10_000, total=10_000, kdv_rate=10, kdv=909,
                    )  # fmt: skip
                m.SaleBenefit.create(sale=sale, line_no=1, kind="tier", code="altin-m0", label="m", amount=1000)
                available = when.date() + timedelta(days=15)
                lot = m.PointsEntry.create(
                    member=member, at=db_at, kind="earn", points=500, sale=sale,
                    available_from=available, expires_on=available + timedelta(days=365),
                ).id  # fmt: skip
                if receipts % 4 == 0:
                    m.PointsEntry.create(member=member, at=db_at, kind="redeem", points=-200, lot=lot, sale=sale)
                m.StampEntry.create(member=member, card=f"s{receipts % 8}", at=db_at, stamps=1, kind="earn", sale=sale)
    rules.apply_rules(program_text(), source="bench", now=START)
    entries = m.PointsEntry.select().where(m.PointsEntry.member == member).count()
    return {"member": member, "newcomer": newcomer, "products": products, "receipts": receipts, "entries": entries}


def folded_balance(member_id: int, as_of: date) -> int:
    """The available points as ``ledger.balance`` computed them before issue 3's speed work
    (the baseline): every entry of the member read into Python, folded per lot."""
    from pos_tui.core.loyalty import ledger
    from pos_tui.store import fast
    from pos_tui.store import models as m

    fast.select_first(m.Member, ("id",), {"id": member_id})
    state = ledger._load(member_id, before=ledger._day_start(as_of + timedelta(days=1), TZ))
    live = state.live(as_of)
    return sum(lot.remaining for lot in live if not lot.pending(as_of)) + state.debt


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000, help="timed evaluations on each side")
    parser.add_argument("--db-samples", type=int, default=300, help="timed price_cart calls")
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--years", type=int, default=5, help="years of the member's history")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few samples, one year of history")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.db_samples, args.warmup, args.years = 100, 20, 5, 1

    rnd = random.Random(3)
    ours_fn, base_fn, facts = pure_case(args.lines, rnd)
    # As the till does once the sale screen is up (pos_tui.tui.app settle_heap): what is alive
    # now leaves the collector's sight, so a full collection does not walk it mid-sample.
    gc.collect()
    gc.freeze()
    ours_s, base_s = alternate(ours_fn, base_fn, args.samples, args.warmup)
    ours, baseline = percentiles(ours_s), percentiles(base_s)

    work = Path(tempfile.mkdtemp(prefix="pos-bench-loyalty-"))
    try:
        from pos_tui.core.basket import Cart
        from pos_tui.core.loyalty import ledger, pricing, rules
        from pos_tui.store import close_database

        with timer() as t:
            setup = history_db(work, args.lines, args.years, random.Random(3))
        cart = Cart()
        for code, _cat, _sup, unit, qty, price in basket(random.Random(3), args.lines):
            cart = cart.add(
                product_id=setup["products"][code], code=code, name=code, unit=unit, kdv_rate=10,
                price=price, qty_milli=qty, merge=False,
            )  # fmt: skip
        newcomer_cart = cart.with_member(setup["newcomer"]).with_rewards(["r0"])
        cart = cart.with_member(setup["member"]).with_rewards(["r0"])
        program = rules.active_program()
        now = START
        day = START.date()
        member = setup["member"]
        if ledger.balance(member, as_of=day, tz=TZ).available != folded_balance(member, day):
            raise SystemExit("ledger.balance disagrees with the entry-by-entry fold")
        gc.collect()
        gc.freeze()

        def price() -> Any:
            return pricing.price_cart(cart, now=now, tz=TZ)

        def price_newcomer() -> Any:
            return pricing.price_cart(newcomer_cart, now=now, tz=TZ)

        def context() -> Any:
            return pricing.member_context(member, program, now=now, tz=TZ)

        def points() -> Any:
            return ledger.balance(member, as_of=day, tz=TZ)

        def points_folded() -> Any:
            return folded_balance(member, day)

        price_s, newcomer_s = alternate(price, price_newcomer, args.db_samples, args.warmup)
        price_cart, price_cart_newcomer = percentiles(price_s), percentiles(newcomer_s)
        member_context = percentiles(_timed(context, args.db_samples, args.warmup))
        balance_s, folded_s = alternate(points, points_folded, args.db_samples, args.warmup)
        balance, folded = percentiles(balance_s), percentiles(folded_s)
        close_database()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = {
        "basket": facts,
        "history": {
            "years": args.years,
            "receipts": setup["receipts"],
            "points_entries": setup["entries"],
            "setup_s": t["seconds"],
        },
        "evaluate_and_earning": ours,
        "empty_program": baseline,
        "ratio_p99": round(ours["p99_ms"] / baseline["p99_ms"], 2) if baseline["p99_ms"] else None,
        "price_cart_with_database": price_cart,
        "price_cart_member_without_history": price_cart_newcomer,
        "member_context": member_context,
        "ledger_balance": balance,
        "ledger_balance_entry_by_entry": folded,
        "summary": [
            verdict(
                f"loyalty evaluate + earning p99, {facts['lines']} lines, {facts['rules']} rules",
                "ms",
                ours["p99_ms"],
                baseline=baseline["p99_ms"],
                baseline_name="same calls, empty program",
                max_value=2.0,
            ),
            verdict(
                f"loyalty price_cart p50, {facts['lines']} lines, member with a {args.years}-year history",
                "ms",
                price_cart["p50_ms"],
                baseline=price_cart_newcomer["p50_ms"],
                baseline_name="same cart, member with one points lot",
            ),
            verdict(
                f"loyalty price_cart p99, {facts['lines']} lines, member with a {args.years}-year history",
                "ms",
                price_cart["p99_ms"],
                baseline=price_cart_newcomer["p99_ms"],
                baseline_name="same cart, member with one points lot",
            ),
            verdict(
                f"ledger.balance p99, {setup['entries']} points entries",
                "ms",
                balance["p99_ms"],
                baseline=folded["p99_ms"],
                baseline_name="entry-by-entry fold in Python (before issue 3)",
            ),
        ],
    }
    save("loyalty", result, quiet=args.quiet)


def _timed(fn: Callable[[], Any], n: int, warmup: int) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


if __name__ == "__main__":
    main()
