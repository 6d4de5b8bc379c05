"""What issue 16's loyalty mechanics cost where a cashier feels it: pricing a member's cart, posting
a sale, and the points and store-credit operations.

Every row is ours against a baseline measured in the same run, samples alternating; the load
average is recorded before and after each part.

**1. Pricing** (the basket of ``bench_loyalty``, built by its own functions: 100 lines, 50 rules,
the Altın member, two coupons and two product rewards). *Ours* is that program with issue 16's
mechanics switched on, each set so that it binds:

- caps: every promotion at most 20 TRY (``max_amount``), every tier's basket discount at most
  100 TRY (``basket_discount_max``), the 10 % coupon at most 2 TRY (the coupon's ``max_discount``,
  ``CouponOffer.max_amount`` in the engine);
- ``earning.min_order = 50`` and three ``[[multipliers]]`` with a ``min_order``: ×2 on every line
  from 300 TRY, ×3 on coffee from 1,000 TRY, ×4 on ten products from 1,000,000 TRY (never reached);
- a discount reward (100 points = 50 TRY) picked twice, on top of the two product rewards;
- ``points.redeem_multiple = 10``, two ``[[next_order_coupons]]`` and
  ``count_current_receipt``: they are in the program but do nothing while pricing (the points
  tender and the posting use them), so they cost pricing only what their presence costs.

The *baseline* is the same basket, coupons and product rewards with the program without them.
Rows: ``engine.evaluate`` + ``engine.earning`` on ready lines (no I/O; the issue's target is
p99 < 2 ms); ``pricing.earn_preview`` and ``pricing.price_cart`` for the member with a 5-year
history, both sides passing their program explicitly (so neither reads the active version);
``tiers.receipt_spend`` (what counting the receipt reads on every member receipt) for that member
against a member without receipts.

**2. Posting** (``till.complete_sale``, 5 lines paid in cash, a catalogue imported as
``bench_sale`` does: 100,000 products). Three copies of one database, differing only in the rules
applied: *next-order* (the shipped ``config/loyalty.toml`` plus two next-order rules that every
receipt here qualifies for, one for members, one bearer coupon for anyone, and
``tier_qualification.count_current_receipt = true``), *shipped* (``config/loyalty.toml`` as it
is) and *empty* (no rules ever applied). The store is bound to one file at a time, so the files
take turns in blocks (the file switched outside the timing); inside a block the kinds of sale of
that file alternate sample by sample, each kind over the same sequence of baskets. Members are
Altın (the top tier: counting the receipt never moves them, which is the steady state).

- member sale, next-order program (two coupons issued, the tier re-evaluated) against the same
  sale with the shipped program;
- non-member sale, shipped program, against the same sale with the loyalty posting call gated as
  it was before issue 16 (``after_document`` skipped for a sale without member or benefits: the
  exact condition ``till.posting`` had; the same file, samples alternating);
- non-member sale, shipped program, against the empty program (pricing's engine call is skipped
  too when no promotion is for everyone);
- non-member sale, next-order program (one bearer coupon issued) against the shipped program.

Per sale, the time spent inside ``loyalty.posting.after_document`` is timed apart, and after the
timing a few sales of each kind run with SQLite's statement trace on to count the statements
``complete_sale`` runs in all and inside ``after_document``.

**3. Operations**: ``points_ops.transfer_points`` (50 points, the shipped limits) against
``ledger.transfer`` alone (the same lots moved, no consent, limits or journal), and
``wallet.top_up`` (50 TRY in cash into the drawer) against ``wallet.credit`` of the same amount
(one wallet entry, no cash movement, no journal), each in its own transaction, samples alternating.

Wall-clock and CPU time (``time.thread_time``: without the waits for a processor or the disk's
flush, which a shared machine makes long) are both kept. All timings are in-process after a
warm-up, so the bytecode cache does not enter them.

    python3 -m benchmarks.bench_loyalty16 [--samples 2000] [--db-samples 2000] [--products 100000]
        [--sales 1000] [--block 25] [--ops 500] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import random
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from decimal import ROUND_CEILING, Decimal
from pathlib import Path
from typing import Any

from benchmarks.bench_loyalty import (
    COUPONS,
    REWARDS,
    START,
    TZ,
    basket,
    engine_call,
    engine_inputs,
    history_db,
    load_average,
    program_text,
    rule_count,
)
from benchmarks.common import percentiles, save, timer, verdict

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "config" / "loyalty.toml"
DISCOUNT_REWARD = "rd"
REWARDS16 = (*REWARDS, DISCOUNT_REWARD, DISCOUNT_REWARD)  # the discount reward picked twice
CAPPED_COUPON = "C10M"  # the 10 % coupon again, with a 2 TRY maximum (schema 12's max_discount)
PROMOTION_CAP = Decimal(20)
TIER_CAP = Decimal(100)
COUPON_CAP = Decimal(2)
SALE_TARGET_MS = 10.0  # complete_sale p99 (issue 2, docs/benchmarks.md)
ENGINE_TARGET_MS = 2.0  # loyalty evaluate + earning p99 (issue 3/11, docs/benchmarks.md)
MEMBERS = 20  # members per database of part 2, taking turns
CONSENT = "imzalı form"


# --------------------------------------------------------------------------- the programs


def next_order_rules() -> tuple[Any, ...]:
    """Two next-order rules every receipt of these benchmarks reaches: 20 % (at most 200 TRY) for
    members, and a 25 TRY bearer coupon for any receipt of 50 TRY or more."""
    from pos_tui.core.loyalty.program import NextOrderCoupon

    return (
        NextOrderCoupon(
            code="gelecek-uye", name="Bir sonraki alışverişe %20", kind="percent", min_spend=Decimal(100),
            percent=Decimal(20), max_amount=Decimal(200), valid_days=30, coupon_min_spend=Decimal(300),
        ),
        NextOrderCoupon(
            code="gelecek-herkes", name="Bir sonraki alışverişe 25 TL", kind="amount", min_spend=Decimal(50),
            members_only=False, amount=Decimal(25), valid_days=14, coupon_min_spend=Decimal(250),
        ),
    )  # fmt: skip


def with_issue16(base: Any) -> Any:
    """``base`` (the ``bench_loyalty`` program) with issue 16's mechanics on (module docstring)."""
    from pos_tui.core.loyalty.program import Multiplier, Reward, Scope

    replace = dataclasses.replace
    return replace(
        base,
        points=replace(base.points, redeem_multiple=10),
        earning=replace(base.earning, min_order=Decimal(50)),
        multipliers=(
            Multiplier("x2-300", Decimal(2), min_order=Decimal(300)),
            Multiplier("x3-kahve", Decimal(3), min_order=Decimal(1000), scope=Scope(categories=frozenset({"Kahve"}))),
            Multiplier(
                "x4-never",
                Decimal(4),
                min_order=Decimal(1_000_000),
                scope=Scope(products=frozenset(f"P{i:03d}" for i in range(10, 20))),
            ),
        ),
        promotions=tuple(replace(p, max_amount=PROMOTION_CAP) for p in base.promotions),
        tiers=tuple(replace(t, basket_discount_max=TIER_CAP) for t in base.tiers),
        rewards=(
            *base.rewards,
            Reward(DISCOUNT_REWARD, "100 puana 50 TL", None, 100, kind="discount", discount_per_point=Decimal("0.5")),
        ),
        next_order_coupons=next_order_rules(),
        tier_qualification=replace(base.tier_qualification, count_current_receipt=True),
    )


def as_text(program: Any) -> str:
    """``program`` as a rules file that parses back to it (checked)."""
    from pos_tui.core.loyalty.rules.parsing import parse_program, program_to_toml

    text = program_to_toml(program)
    if parse_program(text, source="bench") != program:
        raise SystemExit("the issue-16 program does not survive its TOML round trip")
    return text


# --------------------------------------------------------------------------- 1. pricing


def pricing_part(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from pos_tui.core.basket import Cart
    from pos_tui.core.loyalty import coupons, pricing, rules
    from pos_tui.core.loyalty.rules.parsing import parse_program
    from pos_tui.store import close_database

    base = parse_program(program_text(), source="bench")
    p16 = with_issue16(base)
    engine_lines, member, offers, day = engine_inputs(args.lines, random.Random(3))
    offers16 = [dataclasses.replace(c, max_amount=COUPON_CAP) if c.kind == "percent" else c for c in offers]
    ours_engine = engine_call(engine_lines, member, p16, day, offers16, REWARDS16)
    base_engine = engine_call(engine_lines, member, base, day, offers, REWARDS)
    facts = {
        "rules_baseline": rule_count(base),
        "rules_issue16": rule_count(p16) + len(p16.multipliers) + len(p16.next_order_coupons),
        "engine_only": {"issue16": engine_facts(engine_lines, member, p16, day, offers16, REWARDS16),
                        "baseline": engine_facts(engine_lines, member, base, day, offers, REWARDS)},
    }  # fmt: skip

    with timer() as t:
        setup = history_db(work, args.lines, args.years, random.Random(3))
    _code, kind, value, product, minimum = COUPONS[0]
    coupons.create_coupon(
        CAPPED_COUPON, kind=kind, percent=value, min_spend=minimum, max_uses=None, product_code=product,
        max_discount=COUPON_CAP, now=START - timedelta(days=30),
    )  # fmt: skip
    rules.apply_rules(as_text(p16), source="bench16", now=START)  # the active version (neither side reads it)
    cart = Cart()
    for code_, _cat, _sup, unit, qty, price in basket(random.Random(3), args.lines):
        cart = cart.add(
            product_id=setup["products"][code_], code=code_, name=code_, unit=unit, kdv_rate=10,
            price=price, qty_milli=qty, merge=False,
        )  # fmt: skip
    cart = cart.with_member(setup["member"])
    cart_base = cart.with_coupons([c[0] for c in COUPONS]).with_rewards(REWARDS)
    cart16 = cart.with_coupons([CAPPED_COUPON, COUPONS[1][0]]).with_rewards(REWARDS16)
    now = START
    q16 = pricing.quote(cart16, now=now, tz=TZ, program=p16)
    qb = pricing.quote(cart_base, now=now, tz=TZ, program=base)
    if q16.problems or qb.problems:
        raise SystemExit(f"a coupon or reward did not apply: {q16.problems} {qb.problems}")
    e16 = pricing.earn_preview(cart16, now=now, tz=TZ, program=p16)
    eb = pricing.earn_preview(cart_base, now=now, tz=TZ, program=base)
    assert e16 is not None and eb is not None
    facts["priced_from_the_database"] = {
        "issue16": {**_benefit_facts(q16.evaluation), "points": e16.points, "multipliers": list(e16.multipliers)},
        "baseline": {**_benefit_facts(qb.evaluation), "points": eb.points, "multipliers": list(eb.multipliers)},
    }
    facts["history"] = {"years": args.years, "receipts": setup["receipts"], "points_entries": setup["entries"],
                        "setup_s": t["seconds"]}  # fmt: skip
    _check_binding(facts)

    def preview16() -> Any:
        return pricing.earn_preview(cart16, now=now, tz=TZ, program=p16)

    def preview_base() -> Any:
        return pricing.earn_preview(cart_base, now=now, tz=TZ, program=base)

    def price16() -> Any:
        return pricing.price_cart(cart16, now=now, tz=TZ, program=p16)

    def price_base() -> Any:
        return pricing.price_cart(cart_base, now=now, tz=TZ, program=base)

    from pos_tui.core.loyalty import tiers

    def spend_history() -> Any:  # what count_current_receipt reads on every member receipt
        return tiers.receipt_spend(setup["member"], p16, as_of=now.date(), tz=TZ)

    def spend_newcomer() -> Any:
        return tiers.receipt_spend(setup["newcomer"], p16, as_of=now.date(), tz=TZ)

    gc.collect()
    gc.freeze()  # as the till does once its sale screen is up
    try:
        out: dict[str, Any] = {"load_average_before": load_average()}
        pooled: dict[str, list[float]] = {}
        pairs = (
            ("engine_issue16", "engine_baseline", ours_engine, base_engine, args.samples),
            ("earn_preview_issue16", "earn_preview_baseline", preview16, preview_base, args.db_samples),
            ("price_cart_issue16", "price_cart_baseline", price16, price_base, args.db_samples),
            ("receipt_spend_history", "receipt_spend_newcomer", spend_history, spend_newcomer, args.db_samples),
        )
        pooled_cpu: dict[str, list[float]] = {}
        for _round in range(args.rounds):
            for name_a, name_b, fn_a, fn_b, n in pairs:
                wall, cpu = alternate_with_cpu(fn_a, fn_b, max(1, n // args.rounds), args.warmup)
                for name, a, c in ((name_a, wall[0], cpu[0]), (name_b, wall[1], cpu[1])):
                    pooled.setdefault(name, []).extend(a)
                    pooled_cpu.setdefault(name, []).extend(c)
        for name, samples in pooled.items():
            out[name] = percentiles(samples)
            out[f"{name}_cpu"] = percentiles(pooled_cpu[name])
        out["load_average_after"] = load_average()
    finally:
        gc.unfreeze()
        close_database()
    return {"facts": facts, "timings": out}


def engine_facts(lines: Any, member: Any, program: Any, day: date, offers: Any, rewards: Any) -> dict[str, Any]:
    from pos_tui.core.loyalty import earning, evaluate

    ev = evaluate(lines, member, program, day=day, coupons=offers, rewards=rewards)
    er = earning(lines, member, program, day=day, non_earning_paid=Decimal(100), evaluation=ev)
    return {**_benefit_facts(ev), "points": er.points, "multipliers": list(er.multipliers)}


def _benefit_facts(ev: Any) -> dict[str, Any]:
    by_kind: dict[str, Decimal] = {}
    for b in ev.benefits:
        key = f"{b.kind}:{b.code}" if b.kind in ("tier", "coupon") or b.code == DISCOUNT_REWARD else b.kind
        by_kind[key] = by_kind.get(key, Decimal(0)) + b.amount
    return {
        "benefit_lines": len(ev.benefits),
        "benefit_total": str(ev.total),
        "by_kind": {k: str(v) for k, v in sorted(by_kind.items())},
    }


def _check_binding(facts: dict[str, Any]) -> None:
    """The mechanics really act on the issue-16 side (else the comparison measures nothing)."""
    for where in ("engine_only", "priced_from_the_database"):
        got = facts[where]["issue16"]
        kinds = got["by_kind"]
        if Decimal(kinds.get(f"reward:{DISCOUNT_REWARD}", "0")) != 100:
            raise SystemExit(f"{where}: the discount reward was not taken twice: {kinds}")
        if Decimal(kinds.get("tier:altin", "0")) != TIER_CAP:
            raise SystemExit(f"{where}: the tier cap does not bind: {kinds}")
        if Decimal(kinds.get(f"coupon:{'C10M' if where != 'engine_only' else 'C10'}", "0")) != COUPON_CAP:
            raise SystemExit(f"{where}: the coupon cap does not bind: {kinds}")
        if "x2-300" not in got["multipliers"]:
            raise SystemExit(f"{where}: the multiplier did not apply: {got['multipliers']}")


# --------------------------------------------------------------------------- 2. posting


@dataclasses.dataclass(frozen=True)
class SaleKind:
    name: str
    db: str  # next_order | shipped | empty
    member: bool
    old_gate: bool = False  # after_document skipped as before issue 16 (no member, no benefits)


SALE_KINDS = (
    SaleKind("member_next_order", "next_order", True),
    SaleKind("nonmember_next_order", "next_order", False),
    SaleKind("member_shipped", "shipped", True),
    SaleKind("nonmember_shipped", "shipped", False),
    SaleKind("nonmember_shipped_old_gate", "shipped", False, old_gate=True),
    SaleKind("nonmember_empty", "empty", False),
)


class LoyaltyCall:
    """Wraps ``loyalty.posting.after_document``: times it, counts the statements it runs when a
    trace is on, and (``old_gate``) skips it as ``till.posting`` did before issue 16."""

    def __init__(self) -> None:
        from pos_tui.core.loyalty import posting

        self.module = posting
        self.real = posting.after_document
        self.old_gate = False
        self.seconds = 0.0
        self.cpu = 0.0
        self.calls = 0
        self.trace: list[str] | None = None
        self.inside: list[str] = []

    def __call__(self, doc: Any) -> None:
        if self.old_gate and doc.member_id is None and not doc.benefits:
            return
        self.calls += 1
        before = len(self.trace) if self.trace is not None else 0
        c = time.thread_time()
        t = time.perf_counter()
        try:
            self.real(doc)
        finally:
            self.seconds += time.perf_counter() - t
            self.cpu += time.thread_time() - c
            if self.trace is not None:
                self.inside.extend(self.trace[before:])

    @contextmanager
    def installed(self) -> Iterator[None]:
        self.module.after_document = self  # type: ignore[assignment]
        try:
            yield
        finally:
            self.module.after_document = self.real  # type: ignore[assignment]


class Stopwatch:
    """Times every call of ``module.name`` (patched in while installed); ``seconds`` is reset by
    the caller per sale."""

    def __init__(self, module: Any, name: str) -> None:
        self.module, self.name = module, name
        self.real = getattr(module, name)
        self.seconds = 0.0
        self.cpu = 0.0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        c = time.thread_time()
        t = time.perf_counter()
        try:
            return self.real(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - t
            self.cpu += time.thread_time() - c

    @contextmanager
    def installed(self) -> Iterator[None]:
        setattr(self.module, self.name, self)
        try:
            yield
        finally:
            setattr(self.module, self.name, self.real)


def collapse(trace: list[str]) -> tuple[list[str], int]:
    """The statements of a trace and how many trigger programs ran. SQLite reports a trigger's
    program as its parent statement again (Python's trace callback prints the expanded SQL of the
    statement being stepped), so an identical text right after itself is a trigger, not a second
    statement: the bound values are in the text, so a real repeat would differ."""
    out: list[str] = []
    triggers = 0
    for sql in trace:
        if out and sql == out[-1] and not sql.lstrip().upper().startswith("SELECT"):
            triggers += 1
        else:
            out.append(sql)
    return out, triggers


def _statement(sql: str) -> str:
    """A traced statement reduced to its verb and table (``SELECT coupon``), for the counts."""
    words = sql.replace('"', " ").replace("(", " ").split()
    verb = words[0].upper() if words else "?"
    table = ""
    for key in ("FROM", "INTO", "UPDATE"):
        upper = [w.upper() for w in words]
        if key in upper and upper.index(key) + 1 < len(words):
            table = words[upper.index(key) + 1].strip("`,")
            break
    return f"{verb} {table}".strip()


def posting_part(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    import sqlite3

    from benchmarks.bench_sale import LINES, TERMINAL, prepare
    from pos_tui.core import staff, till
    from pos_tui.core.basket import PaymentInput
    from pos_tui.core.loyalty import members, rules
    from pos_tui.core.loyalty.rules.parsing import parse_program
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, database, open_database
    from pos_tui.store import models as m

    sale_start = datetime(2026, 11, 2, 7, 0, tzinfo=START.tzinfo)
    with timer() as t:
        first, setup = prepare(work, args.products)
    open_database(first)
    member_ids = []
    for i in range(MEMBERS):
        info = members.enroll(name=f"Üye {i}", phone=f"0532{i:07d}", source="cli", actor=None, now=sale_start)
        member_ids.append(info.id)
    m.Member.update(tier_code="altin", tier_until=date(2027, 12, 31)).where(m.Member.id.in_(member_ids)).execute()
    close_database()
    paths = {"next_order": work / "next_order.sqlite3", "shipped": work / "shipped.sqlite3", "empty": first}
    shutil.copyfile(first, paths["next_order"])
    shutil.copyfile(first, paths["shipped"])
    shipped_text = SHIPPED.read_text(encoding="utf-8")
    shipped = parse_program(shipped_text, source=str(SHIPPED))
    next_order = dataclasses.replace(
        shipped,
        next_order_coupons=next_order_rules(),
        tier_qualification=dataclasses.replace(shipped.tier_qualification, count_current_receipt=True),
    )
    for name, text in (("shipped", shipped_text), ("next_order", as_text(next_order))):
        open_database(paths[name])
        rules.apply_rules(text, source=f"bench16-{name}", now=sale_start)
        close_database()

    with sqlite3.connect(first) as conn:
        piece_barcodes = [
            code
            for (code,) in conn.execute(
                "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id WHERE p.unit = 'piece'"
            )
        ]
    settings = {
        db: load_settings({"POS_DB": str(path), "POS_HOME": str(work), "POS_TERMINAL": TERMINAL})
        for db, path in paths.items()
    }
    # Each kind gets the same sequence of baskets (seeded alike).
    baskets = {k.name: random.Random(16) for k in SALE_KINDS}
    clock = {db: sale_start for db in paths}
    done = {k.name: 0 for k in SALE_KINDS}
    samples: dict[str, list[float]] = {k.name: [] for k in SALE_KINDS}
    cpu: dict[str, list[float]] = {k.name: [] for k in SALE_KINDS}
    in_loyalty: dict[str, list[float]] = {k.name: [] for k in SALE_KINDS}
    in_loyalty_cpu: dict[str, list[float]] = {k.name: [] for k in SALE_KINDS}
    call = LoyaltyCall()
    from pos_tui.core.loyalty import next_order as next_order_module
    from pos_tui.core.loyalty import tiers as tiers_module

    # Inside after_document, the two parts issue 16 added to a member's sale.
    watches = {
        "issue_next_order_coupons": Stopwatch(next_order_module, "issue_next_order_coupons"),
        "upgrade_on_receipt": Stopwatch(tiers_module, "upgrade_on_receipt"),
    }
    parts: dict[str, dict[str, list[float]]] = {w: {k.name: [] for k in SALE_KINDS} for w in watches}
    parts_cpu: dict[str, dict[str, list[float]]] = {w: {k.name: [] for k in SALE_KINDS} for w in watches}
    total = args.sale_warmup + args.sales

    def one_sale(kind: SaleKind, actor: Any, shift_id: int, trace: list[str] | None = None) -> tuple[float, float]:
        clock[kind.db] += timedelta(seconds=30)
        now = clock[kind.db]
        cart = None
        for code in baskets[kind.name].sample(piece_barcodes, LINES):
            cart = till.add_item(TERMINAL, actor, code, now=now, masks=settings[kind.db].scale_labels)
        if kind.member:
            cart = till.set_member(TERMINAL, actor, member_ids[done[kind.name] % MEMBERS], now=now)
        assert cart is not None
        tendered = (cart.total / 100).to_integral_value(rounding=ROUND_CEILING) * 100
        call.old_gate = kind.old_gate
        call.seconds = call.cpu = 0.0
        for watch in watches.values():
            watch.seconds = watch.cpu = 0.0
        if trace is not None:
            del trace[:]
            call.trace = trace
        c = time.thread_time()
        t = time.perf_counter()
        till.complete_sale(TERMINAL, actor, [PaymentInput("cash", tendered)], now=now, shift_id=shift_id)
        elapsed = time.perf_counter() - t
        used = time.thread_time() - c
        call.trace = None
        return elapsed, used

    def run_block(db: str, count: int) -> None:
        kinds = [k for k in SALE_KINDS if k.db == db and done[k.name] < total]
        open_database(paths[db])
        actor = staff.actor_by_name("kasiyer", settings=settings[db])
        gc.collect()
        gc.freeze()
        try:
            for _ in range(count):
                for kind in kinds:
                    if done[kind.name] >= total:
                        continue
                    elapsed, used = one_sale(kind, actor, setup["shift_id"])
                    if done[kind.name] >= args.sale_warmup:
                        samples[kind.name].append(elapsed)
                        cpu[kind.name].append(used)
                        in_loyalty[kind.name].append(call.seconds)
                        in_loyalty_cpu[kind.name].append(call.cpu)
                        for w, watch in watches.items():
                            parts[w][kind.name].append(watch.seconds)
                            parts_cpu[w][kind.name].append(watch.cpu)
                    done[kind.name] += 1
        finally:
            gc.unfreeze()
            close_database()

    load_before = load_average()
    with (
        call.installed(),
        watches["issue_next_order_coupons"].installed(),
        watches["upgrade_on_receipt"].installed(),
    ):
        while any(n < total for n in done.values()):
            for db in paths:
                run_block(db, args.block)
        load_after = load_average()

        # The statements, counted on a few more sales of each kind (not timed: the trace costs).
        statements: dict[str, Any] = {}
        for db in paths:
            open_database(paths[db])
            actor = staff.actor_by_name("kasiyer", settings=settings[db])
            conn = database.connection()
            trace: list[str] = []
            conn.set_trace_callback(trace.append)
            try:
                for kind in (k for k in SALE_KINDS if k.db == db):
                    all_counts: list[int] = []
                    all_triggers: list[int] = []
                    loyalty_counts: list[int] = []
                    loyalty_triggers: list[int] = []
                    inside: Counter[str] = Counter()
                    last: list[str] = []
                    for _ in range(args.trace_sales):
                        call.inside = []
                        one_sale(kind, actor, setup["shift_id"], trace)
                        ran, fired = collapse(trace)
                        all_counts.append(len(ran))
                        all_triggers.append(fired)
                        last, fired = collapse(call.inside)
                        loyalty_counts.append(len(last))
                        loyalty_triggers.append(fired)
                        inside.update(_statement(s) for s in last)
                        done[kind.name] += 1
                    statements[kind.name] = {
                        "per_sale": max(all_counts),
                        "per_sale_min": min(all_counts),
                        "trigger_programs_per_sale": max(all_triggers),
                        "in_after_document": max(loyalty_counts),
                        "trigger_programs_in_after_document": max(loyalty_triggers),
                        "in_after_document_by_statement": dict(
                            sorted((k, round(v / args.trace_sales, 2)) for k, v in inside.items())
                        ),
                        # the last traced sale's statements inside after_document, shortened
                        "in_after_document_last": [" ".join(s.split())[:100] for s in last],
                    }
            finally:
                conn.set_trace_callback(None)
                close_database()

    issued: dict[str, Any] = {}
    for db, path in paths.items():
        with sqlite3.connect(path) as conn:
            coupons_n = conn.execute("SELECT COUNT(*) FROM coupon WHERE source = 'next_order'").fetchone()[0]
            personal = conn.execute(
                "SELECT COUNT(*) FROM coupon WHERE source = 'next_order' AND member_id IS NOT NULL"
            ).fetchone()[0]
            changes = conn.execute("SELECT COUNT(*) FROM tier_change").fetchone()[0]
        issued[db] = {"next_order_coupons": coupons_n, "personal": personal, "tier_changes": changes}
    member_sales = done["member_next_order"]
    bearer_sales = done["nonmember_next_order"]
    expected = 2 * member_sales + bearer_sales
    if issued["next_order"]["next_order_coupons"] != expected or issued["shipped"]["next_order_coupons"]:
        raise SystemExit(f"the next-order rules did not issue what they should: {issued}, expected {expected}")

    timings = {k: percentiles(v) for k, v in samples.items()}
    loyalty_time = {k: percentiles(v) for k, v in in_loyalty.items()}
    inside_parts = {
        w: {k: percentiles(v) for k, v in by_kind.items() if k.startswith("member")} for w, by_kind in parts.items()
    }
    inside_parts_cpu = {
        w: {k: percentiles(v) for k, v in by_kind.items() if k.startswith("member")} for w, by_kind in parts_cpu.items()
    }
    return {
        "products": args.products,
        "lines_per_sale": LINES,
        "members": MEMBERS,
        "block": args.block,
        "setup": {"catalogue_import_s": t["seconds"]},
        "load_average_before": load_before,
        "load_average_after": load_after,
        "complete_sale": timings,
        # CPU time of the calling thread: what the sale computes, without waiting for the disk's
        # flush or for a processor (this machine is shared)
        "complete_sale_cpu": {k: percentiles(v) for k, v in cpu.items()},
        "after_document": loyalty_time,
        "after_document_cpu": {k: percentiles(v) for k, v in in_loyalty_cpu.items()},
        "inside_after_document": inside_parts,
        "inside_after_document_cpu": inside_parts_cpu,
        "statements": statements,
        "issued": issued,
        "sales_per_kind": total,
        "paths": {db: str(path.name) for db, path in paths.items()},
        "_work_paths": paths,
        "_shift_id": setup["shift_id"],
        "_members": member_ids,
    }


# --------------------------------------------------------------------------- 3. operations


def operations_part(args: argparse.Namespace, path: Path, shift_id: int, work: Path) -> dict[str, Any]:
    from benchmarks.bench_sale import TERMINAL
    from pos_tui.core import staff
    from pos_tui.core.loyalty import ledger, members, points_ops, wallet
    from pos_tui.settings import load_settings
    from pos_tui.store import close_database, open_database

    settings = load_settings({"POS_DB": str(path), "POS_HOME": str(work), "POS_TERMINAL": TERMINAL})
    at = datetime(2026, 11, 3, 7, 0, tzinfo=START.tzinfo)
    open_database(path)
    try:
        actor = staff.actor_by_name("kasiyer", settings=settings)
        pools: dict[str, list[int]] = {}
        for side in ("transfer", "ledger", "topup", "credit"):
            pools[side] = []
            for i in range(MEMBERS):
                info = members.enroll(
                    name=f"{side} {i}", phone=f"0533{len(pools) * 100 + i:07d}", source="cli", actor=None, now=at
                )
                pools[side].append(info.id)
                if side in ("transfer", "ledger"):
                    ledger.earn(info.id, 100_000, now=at, hold_days=0, tz=TZ)
        clock = [at]
        turn = {"transfer": 0, "ledger": 0, "topup": 0, "credit": 0}

        def pair(side: str) -> tuple[int, int]:
            i = turn[side]
            turn[side] += 1
            pool = pools[side]
            return pool[i % MEMBERS], pool[(i + 1 + i // MEMBERS) % MEMBERS]

        def tick() -> datetime:
            clock[0] += timedelta(seconds=20)
            return clock[0]

        def transfer() -> Any:
            giver, receiver = pair("transfer")
            if giver == receiver:
                receiver = pools["transfer"][(pools["transfer"].index(giver) + 1) % MEMBERS]
            return points_ops.transfer_points(
                giver, receiver, 50, consent=CONSENT, actor=actor, terminal=TERMINAL, now=tick(), tz=TZ
            )

        def ledger_transfer() -> Any:
            giver, receiver = pair("ledger")
            if giver == receiver:
                receiver = pools["ledger"][(pools["ledger"].index(giver) + 1) % MEMBERS]
            return ledger.transfer(giver, receiver, 50, now=tick(), tz=TZ)

        def top_up() -> Any:
            member, _ = pair("topup")
            return wallet.top_up(
                member, Decimal(50), method="cash", actor=actor, terminal=TERMINAL, now=tick(), shift_id=shift_id
            )

        def credit() -> Any:
            member, _ = pair("credit")
            return wallet.credit(member, Decimal(50), kind="import", now=tick())

        gc.collect()
        gc.freeze()
        try:
            out: dict[str, Any] = {"load_average_before": load_average()}
            for name_a, name_b, fn_a, fn_b in (
                ("transfer_points", "ledger_transfer", transfer, ledger_transfer),
                ("top_up", "wallet_credit", top_up, credit),
            ):
                wall, cpu = alternate_with_cpu(fn_a, fn_b, args.ops, args.warmup)
                out[name_a], out[name_b] = percentiles(wall[0]), percentiles(wall[1])
                out[f"{name_a}_cpu"], out[f"{name_b}_cpu"] = percentiles(cpu[0]), percentiles(cpu[1])
            out["load_average_after"] = load_average()
        finally:
            gc.unfreeze()
    finally:
        close_database()
    return out


def alternate_with_cpu(
    ours: Any, baseline: Any, n: int, warmup: int
) -> tuple[tuple[list[float], list[float]], tuple[list[float], list[float]]]:
    """As ``bench_loyalty.alternate``, also keeping each call's CPU time (``time.thread_time``)."""
    for _ in range(warmup):
        ours()
        baseline()
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(n):
        for side, fn in enumerate((ours, baseline)):
            c = time.thread_time()
            t = time.perf_counter()
            fn()
            wall[side].append(time.perf_counter() - t)
            cpu[side].append(time.thread_time() - c)
    return wall, cpu


# --------------------------------------------------------------------------- the table


def summary_rows(part1: dict[str, Any], part2: dict[str, Any], part3: dict[str, Any]) -> list[dict[str, Any]]:
    p1 = part1["timings"]
    size = "100 lines, 50 rules"
    rows = []
    for p in ("p50", "p99"):
        rows.append(
            verdict(
                f"issue 16: loyalty engine only (no I/O) evaluate + earning {p}, {size}, mechanics on",
                "ms",
                p1["engine_issue16"][f"{p}_ms"],
                baseline=p1["engine_baseline"][f"{p}_ms"],
                baseline_name="same basket, the program without issue 16's mechanics",
                max_value=ENGINE_TARGET_MS if p == "p99" else None,
            )
        )
    rows.append(
        verdict(
            f"issue 16: loyalty engine only (no I/O) evaluate + earning CPU time p99, {size}, mechanics on",
            "ms",
            p1["engine_issue16_cpu"]["p99_ms"],
            baseline=p1["engine_baseline_cpu"]["p99_ms"],
            baseline_name="same basket, the program without issue 16's mechanics",
        )
    )
    for p in ("p50", "p99"):
        rows.append(
            verdict(
                f"issue 16: earn_preview {p}, {size}, member with history, mechanics on",
                "ms",
                p1["earn_preview_issue16"][f"{p}_ms"],
                baseline=p1["earn_preview_baseline"][f"{p}_ms"],
                baseline_name="same cart, the program without issue 16's mechanics",
                max_value=ENGINE_TARGET_MS if p == "p99" else None,
            )
        )
    for p in ("p50", "p99"):
        rows.append(
            verdict(
                f"issue 16: price_cart {p}, {size}, member with history, mechanics on",
                "ms",
                p1["price_cart_issue16"][f"{p}_ms"],
                baseline=p1["price_cart_baseline"][f"{p}_ms"],
                baseline_name="same cart, the program without issue 16's mechanics",
            )
        )
    history = part1["facts"]["history"]
    rows.append(
        verdict(
            f"issue 16: tier counting the receipt, the spend read (tiers.receipt_spend) p50, member with "
            f"{history['receipts']} receipts",
            "ms",
            p1["receipt_spend_history"]["p50_ms"],
            baseline=p1["receipt_spend_newcomer"]["p50_ms"],
            baseline_name="same read, member without receipts",
        )
    )
    sale = part2["complete_sale"]
    products = f"{part2['products']:,} products"
    pairs = (
        ("member_next_order", "member_shipped", "member, 2 next-order coupons issued + tier counting the receipt",
         "same sale, shipped program"),
        ("nonmember_shipped", "nonmember_shipped_old_gate",
         "no member, shipped program (loyalty posting always called)",
         "same, loyalty posting skipped as before issue 16"),
        ("nonmember_shipped", "nonmember_empty", "no member, shipped program", "same sale, no program"),
        ("nonmember_next_order", "nonmember_shipped", "no member, 1 bearer next-order coupon issued",
         "same sale, shipped program"),
    )  # fmt: skip
    for ours, base, label, base_label in pairs:
        for p in ("p50", "p99"):
            rows.append(
                verdict(
                    f"issue 16: complete_sale {p}, 5 lines, {products}, {label}",
                    "ms",
                    sale[ours][f"{p}_ms"],
                    baseline=sale[base][f"{p}_ms"],
                    baseline_name=base_label,
                    max_value=SALE_TARGET_MS if p == "p99" else None,
                )
            )
    cpu = part2["complete_sale_cpu"]
    for ours, base, label, base_label in pairs[:2]:
        rows.append(
            verdict(
                f"issue 16: complete_sale CPU time p50, 5 lines, {label}",
                "ms",
                cpu[ours]["p50_ms"],
                baseline=cpu[base]["p50_ms"],
                baseline_name=base_label,
            )
        )
    inside = part2["after_document_cpu"]
    for kind in ("member_next_order", "nonmember_shipped"):
        rows.append(
            verdict(
                f"issue 16: CPU time inside loyalty posting (after_document) p50, {kind.replace('_', ' ')}",
                "ms",
                inside[kind]["p50_ms"],
                baseline=inside["member_shipped" if kind.startswith("member") else "nonmember_empty"]["p50_ms"],
                baseline_name="member, shipped" if kind.startswith("member") else "no member, no program",
            )
        )
    st = part2["statements"]
    for kind, base in (("nonmember_shipped", "nonmember_shipped_old_gate"), ("member_next_order", "member_shipped")):
        rows.append(
            verdict(
                f"issue 16: SQL statements per complete_sale, {kind.replace('_', ' ')}",
                "statements",
                st[kind]["per_sale"],
                baseline=st[base]["per_sale"],
                baseline_name=base.replace("_", " "),
            )
        )
    ops = (
        ("transfer_points", "ledger_transfer", "points_ops.transfer_points (50 points)", "ledger.transfer alone"),
        ("top_up", "wallet_credit", "wallet.top_up (50 TRY cash into the drawer)", "wallet.credit alone"),
    )
    for ours, base, label, base_label in ops:
        for suffix, what in (("", ""), ("_cpu", "CPU time ")):
            rows.append(
                verdict(
                    f"issue 16: {label} {what}p50",
                    "ms",
                    part3[ours + suffix]["p50_ms"],
                    baseline=part3[base + suffix]["p50_ms"],
                    baseline_name=base_label,
                )
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000, help="timed engine-only calls on each side")
    parser.add_argument("--db-samples", type=int, default=2000, help="timed earn_preview/price_cart calls, each side")
    parser.add_argument("--lines", type=int, default=100)
    parser.add_argument("--years", type=int, default=5, help="years of the pricing member's history")
    parser.add_argument("--rounds", type=int, default=4, help="rounds of the pricing pairs (samples pooled)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--products", type=int, default=100_000, help="catalogue of the posting part")
    parser.add_argument("--sales", type=int, default=1000, help="timed sales of each kind")
    parser.add_argument("--sale-warmup", type=int, default=20, help="untimed sales of each kind first")
    parser.add_argument("--block", type=int, default=25, help="rounds of sales on one database before switching")
    parser.add_argument("--trace-sales", type=int, default=5, help="sales of each kind run with the statement trace")
    parser.add_argument("--ops", type=int, default=500, help="timed transfers and top-ups on each side")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few samples, 2,000 products")
    args = parser.parse_args()
    if args.quick:
        args.samples, args.db_samples, args.warmup, args.years, args.rounds = 100, 20, 5, 1, 1
        args.products, args.sales, args.sale_warmup, args.block, args.trace_sales, args.ops = 2000, 10, 2, 5, 2, 20

    work = Path(tempfile.mkdtemp(prefix="pos-bench-loyalty16-"))
    try:
        (work / "pricing").mkdir()
        (work / "posting").mkdir()
        with timer() as t1:
            part1 = pricing_part(args, work / "pricing")
        with timer() as t2:
            part2 = posting_part(args, work / "posting")
        with timer() as t3:
            part3 = operations_part(args, part2["_work_paths"]["shipped"], part2["_shift_id"], work / "posting")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for key in [k for k in part2 if k.startswith("_")]:
        del part2[key]
    result = {
        "pricing": part1,
        "posting": part2,
        "operations": part3,
        "seconds": {"pricing": t1["seconds"], "posting": t2["seconds"], "operations": t3["seconds"]},
        "bytecode_cache": "in-process timings after a warm-up: the bytecode cache does not enter them",
        "summary": summary_rows(part1, part2, part3),
    }
    save("loyalty16", result, quiet=args.quiet)


if __name__ == "__main__":
    main()
