"""A terminal process for the fault tests: sells on its own SQLite file and syncs with the centre,
printing one JSON line per thing it did (the test reads them; a ``kill -9`` may cut the last one).

    python faults_terminal.py push  DB HOME TERMINAL --sales N [--per-round K] [--batch B] [--seed S]
    python faults_terminal.py trade DB HOME TERMINAL --sales N [--sync-every K] [--seed S]

``push``: until the file holds N sales (or the file ``--stop`` exists), sell K cash sales (members
earn points), then push in batches of B; once they are there and nothing waits, print ``done`` and
exit 0. A centre that
cannot be reached is noted and tried again; started again after a kill it goes on from its file.

``trade``: N sales to the members of faults_support.CARDS, each paid in part with points or a gift
card or in cash, and a sync pass (push and pull) every K sales. Before each sale it prints what
the offline bound allows (``sync.offline_allowance``, read locally), after it whether the sale
posted and whether its redemption was held online (a confirmed hold) or allowed offline.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from faults_support import CARDS, terminal_settings  # noqa: E402

from pos_tui.core import catalog, staff, sync  # noqa: E402
from pos_tui.core.basket import Cart, PaymentInput  # noqa: E402
from pos_tui.core.kernel import PosError  # noqa: E402
from pos_tui.core.kernel.clock import shop_day  # noqa: E402
from pos_tui.core.loyalty.tenders import loyalty_program  # noqa: E402
from pos_tui.core.till import complete_sale  # noqa: E402
from pos_tui.store import models as m  # noqa: E402
from pos_tui.store import open_database  # noqa: E402

PRODUCTS = ("1001", "1002", "1003", "1004")


def say(**event: Any) -> None:
    print(json.dumps(event, default=str), flush=True)


def now() -> datetime:
    return datetime.now(UTC)


def cart_for(rnd: random.Random, member_id: int | None) -> Cart:
    cart = Cart()
    for code in rnd.sample(PRODUCTS, rnd.randint(1, 4)):
        cart = cart.add_product(catalog.get_product(code), rnd.randint(1, 3) * 1000)
    return cart.with_member(member_id) if member_id is not None else cart


def members() -> dict[str, int]:
    return {card: int(i) for i, card in m.Member.select(m.Member.id, m.Member.card).tuples() if card in CARDS}


def push_mode(args: argparse.Namespace) -> int:
    settings = terminal_settings(Path(args.home), Path(args.db), args.terminal)
    actor = staff.actor_by_name("ayse", settings=settings)
    rnd = random.Random(f"{args.seed}-{time.time_ns()}")
    tz = settings.shop.timezone
    stop = Path(args.stop) if args.stop else None
    while True:
        have = m.Sale.select().count()
        if stop is not None and stop.exists():
            args.sales = min(args.sales, have)  # told to stop selling: push what there is, then end
        if have < args.sales:
            cards = members()
            for _ in range(min(args.per_round, args.sales - have)):
                card = rnd.choice([None, *cards])
                cart = cart_for(rnd, cards[card] if card else None)
                result = complete_sale(
                    args.terminal, actor, [PaymentInput("cash", cart.totals().total)], now=now(), cart=cart, tz=tz
                )
                say(event="sold", uid=result.uid)
        try:
            pushed = sync.push(now(), batch=args.batch)
        except sync.CentralUnreachable as exc:
            say(event="offline", error=str(exc))
            time.sleep(0.05)
            continue
        say(event="pushed", high_water=pushed.high_water, inserted=pushed.inserted, waiting=pushed.waiting)
        if have >= args.sales and pushed.waiting == 0:
            say(event="done", high_water=pushed.high_water)
            return 0


def _redeemed(uid: str) -> dict[str, int]:
    """What the posted sale ``uid`` took, per ledger (positive numbers; what it earned left out)."""
    sale = m.Sale.get(m.Sale.uid == uid)
    P, G = m.PointsEntry, m.GiftCardEntry
    points = P.select(P.points).where((P.sale == sale) & (P.points < 0)).tuples()
    gift = G.select(G.amount).where((G.sale == sale) & (G.amount < 0)).tuples()
    return {"points": -sum(p for (p,) in points), "gift_card": -sum(a for (a,) in gift)}


def trade_mode(args: argparse.Namespace) -> int:
    settings = terminal_settings(Path(args.home), Path(args.db), args.terminal)
    actor = staff.actor_by_name("ayse", settings=settings)
    rnd = random.Random(args.seed)
    tz = settings.shop.timezone
    value = loyalty_program().points.value
    for i in range(args.sales):
        cards = members()
        gifts = [code for (code,) in m.GiftCard.select(m.GiftCard.code).tuples()]
        card = rnd.choice(sorted(cards))
        cart = cart_for(rnd, cards[card])
        total = cart.totals().total
        how = rnd.choice(["points", "points", "gift_card", "cash"])
        payments: list[PaymentInput] = []
        ledger = key = None
        asked = 0
        if how == "points":
            points = rnd.randint(20, 250)
            amount = min(Decimal(points) * value, total)
            points = int(amount / value)
            if points > 0:
                amount = Decimal(points) * value
                payments.append(PaymentInput("points", amount))
                ledger, key, asked = "points", card, points
        elif how == "gift_card" and gifts:
            code = rnd.choice(gifts)
            amount = min(Decimal(rnd.randint(10, 150)), total)
            payments.append(PaymentInput("gift_card", amount, details={"code": code}))
            ledger, key, asked = "gift_card", code, int(amount * 100)
        paid = sum((p.amount for p in payments), Decimal(0))
        if total > paid:
            payments.append(PaymentInput("cash", total - paid))
        allowed = None
        at = now()
        if ledger is not None and key is not None:
            allowance = sync.offline_allowance(ledger, key, now=at, settings=settings.sync, terminal=args.terminal)
            allowed = allowance.allowed
        try:
            result = complete_sale(args.terminal, actor, payments, now=at, cart=cart, tz=tz, sync=settings.sync)
        except PosError as exc:
            say(event="refused", ledger=ledger, key=key, asked=asked, allowed=allowed, error=type(exc).__name__)
        else:
            held = (
                m.SyncHold.select()
                .where((m.SyncHold.document == result.uid) & m.SyncHold.settled_at.is_null(False))
                .exists()
            )
            took = _redeemed(result.uid)
            say(
                event="sold",
                uid=result.uid,
                ledger=ledger,
                key=key,
                asked=asked,
                taken=took.get(ledger, 0) if ledger else 0,
                allowed=allowed,
                online=held,
                day=shop_day(at, tz).isoformat(),
            )
        if (i + 1) % args.sync_every == 0:
            try:
                done = sync.run_once(now(), settings)
                say(event="synced", online=done.online, error=done.error)
            except PosError as exc:
                say(event="sync_failed", error=str(exc))
    say(event="done")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("push", "trade"))
    parser.add_argument("db")
    parser.add_argument("home")
    parser.add_argument("terminal")
    parser.add_argument("--sales", type=int, required=True)
    parser.add_argument("--per-round", type=int, default=5)
    parser.add_argument("--batch", type=int, default=25)
    parser.add_argument("--sync-every", type=int, default=3)
    parser.add_argument("--seed", default="1")
    parser.add_argument("--stop", help="push: once this file exists, sell no more")
    args = parser.parse_args()
    open_database(args.db)
    return push_mode(args) if args.mode == "push" else trade_mode(args)


if __name__ == "__main__":
    sys.exit(main())
