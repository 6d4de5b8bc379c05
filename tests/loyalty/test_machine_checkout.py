"""A Hypothesis state machine over whole sales and returns with members, through the till's own
services (``complete_sale``, ``create_return``) and the loyalty program of
``machine_checkout_support.RULES`` (points with a hold and an expiry, two tiers, a stamp card,
cashback, a threshold bonus, supplier-funded tea, a 50 % redemption cap).

Why a machine: each loyalty mechanic has its own unit tests, but the bugs that hurt a shop live
in the interleavings — a partial return after points expired, a second partial return after
the tier changed, a return of a sale paid half with points after the member spent the earned
points elsewhere. The machine keeps its own model of what each sale sold, paid, earned and
got back, computed from the rules as documented (docs/loyalty.md, docs/loyalty-rules.md), and
compares it with the posted rows after every step. Returns must never be refused.

Every example runs in its own fresh SQLite file (opened in the machine's ``__init__`` and
removed in ``teardown``), so examples never see each other's rows.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from machine_checkout_support import (
    BONUS_MIN_SPEND,
    BONUS_POINTS,
    CASHBACK_PERCENT,
    EARN_PERCENT,
    HOLD_DAYS,
    STAMPS_NEEDED,
    SUPPLIER_POINTS,
    TIER_MULTIPLIER,
    Item,
    SaleModel,
    Shop,
    SoldLine,
    basket,
    close_shop,
    enrol_members,
    expired_unwritten,
    floor_int,
    half_up,
    lapsed_points,
    lots_left,
    open_shop,
    opening,
    paid_by,
    points_by_sale,
    points_rows,
    refunded_by_method,
    sale_loyalty,
    stamp_clawbacks_for,
    stamp_restores_for,
    stamp_run,
    stamps_by_sale,
    stamps_of,
    stock_of,
    supplier_points_net,
    wallet_for_sale,
    wallet_sum,
)

from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import ValidationError, from_kurus, to_kurus
from pos_tui.core.kernel.clock import shop_day
from pos_tui.core.loyalty import jobs, ledger, price_cart, rules, wallet
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return
from pos_tui.store import models as m

CENT = Decimal("0.01")
SEEN: Counter[str] = Counter()


def event(what: str) -> None:
    """Note what a step reached, for Hypothesis' statistics and for the test's closing check
    that the machine really gets to debts, free coffees, full returns and the rest."""
    SEEN[what] += 1
    hypothesis_event(what)


class Checkout(RuleBasedStateMachine):
    """Sales, partial returns, time, and the nightly jobs, for 2–3 members and walk-in customers."""

    base: Path
    start: datetime
    _examples = itertools.count(1)

    def __init__(self) -> None:
        super().__init__()
        self.now = self.start
        n = next(self._examples)
        self.shop: Shop = open_shop(self.base / f"example-{n}.sqlite3", self.start)
        self.sales: list[SaleModel] = []
        self.stock: dict[int, int] = {item.id: 0 for item in self.shop.items.values()}
        self.stamps: dict[int, int] = {}
        self.stamps_clawed: dict[int, int] = {}
        self.wallet: dict[int, Decimal] = {}
        self.cashback_clawed: dict[int, Decimal] = {}

    @initialize(n=st.integers(2, 3))
    def members(self, n: int) -> None:
        for k, mid in enumerate(enrol_members(self.start, n)):
            self.shop.members.append(mid)
            self.stamps[mid] = 0
            self.stamps_clawed[mid] = 0
            self.wallet[mid] = opening(k)[1]
            self.cashback_clawed[mid] = Decimal(0)

    def teardown(self) -> None:
        close_shop(self.shop)

    @property
    def today(self) -> date:
        return shop_day(self.now)

    # ----------------------------------------------------------------- rules

    @rule(data=st.data(), walk_in=st.booleans(), greedy=st.booleans())
    def sell(self, data: st.DataObject, walk_in: bool, greedy: bool) -> None:
        """A random basket for a member (or a walk-in customer), paid by a random tender plan;
        with ``greedy`` the customer first tries to pay more points than allowed."""
        member = None if walk_in else data.draw(st.sampled_from(self.shop.members), label="member")
        if member is not None and greedy:
            self._too_many_points_refused(member)
        items = data.draw(st.lists(st.sampled_from(sorted(self.shop.items)), min_size=1, max_size=4), label="products")
        lines: list[tuple[Item, int]] = []
        for code in items:
            item = self.shop.items[code]
            qty = (
                data.draw(st.integers(50, 2500), label="grams")
                if item.unit == "kg"
                else 1000 * data.draw(st.integers(1, 4), label="pieces")
            )
            lines.append((item, qty))
        tier = self._tier(member)
        cart = price_cart(basket(member, lines), now=self.now)
        total = cart.total
        payments = self._payments(data, member, total)
        before_sales = m.Sale.select().count()
        result = complete_sale("T1", self.shop.cashier, payments, now=self.now, cart=cart)
        assert m.Sale.select().count() == before_sales + 1
        sold = list(m.SaleLine.select().where(m.SaleLine.sale == result.sale_id).order_by(m.SaleLine.line_no))
        assert [(ln.product_id, ln.qty) for ln in sold] == [(item.id, qty) for item, qty in lines]
        assert result.total == total == from_kurus(sum(ln.total for ln in sold))
        sale = SaleModel(
            id=result.sale_id,
            uid=result.uid,
            member_id=member,
            total=total,
            lines=[SoldLine(item, qty, from_kurus(ln.total)) for (item, qty), ln in zip(lines, sold, strict=True)],
            paid=paid_by(result.sale_id),
        )
        assert sum(sale.paid.values(), Decimal(0)) == total
        event(f"paid with {'+'.join(sorted(sale.paid)) or 'nothing'}")
        for item, qty in lines:
            self.stock[item.id] -= qty
        if member is not None:
            self._check_sale_earnings(sale, tier)
        else:
            assert sale_loyalty(sale.id) is None and points_by_sale(sale.id, "earn") == 0
        self.sales.append(sale)

    @precondition(lambda self: any(s.open_lines() for s in self.sales))
    @rule(data=st.data(), cash=st.booleans())
    def return_part(self, data: st.DataObject, cash: bool) -> None:
        sale = data.draw(st.sampled_from([s for s in self.sales if s.open_lines()]), label="sale")
        open_lines = sale.open_lines()
        chosen = data.draw(
            st.lists(st.sampled_from(open_lines), min_size=1, max_size=len(open_lines), unique_by=lambda x: x[0]),
            label="lines",
        )
        asked: list[ReturnLineInput] = []
        for line_no, ln in chosen:
            left = ln.qty_milli - ln.returned_milli
            if data.draw(st.booleans(), label="all of it"):
                qty = left
            elif ln.item.unit == "kg":
                qty = data.draw(st.integers(1, left), label="grams back")
            else:
                qty = 1000 * data.draw(st.integers(1, left // 1000), label="pieces back")
            asked.append(ReturnLineInput(line_no, qty))
        before_points = self._balances()
        # A return is never refused: any exception here fails the machine.
        result = create_return(
            "T1",
            self.shop.cashier,
            sale.uid,
            asked,
            now=self.now,
            reason="customer changed mind",
            refund_method="cash" if cash else "original",
        )
        for req in asked:
            line = sale.lines[req.line_no - 1]
            line.returned_milli += req.qty_milli
            self.stock[line.item.id] += req.qty_milli
        sale.refunded += result.total
        sale.returns += 1
        assert sale.refunded <= sale.total
        if sale.fully_returned:
            assert sale.refunded == sale.total, "a full return refunds the sale to the kuruş"
            event("return: a member's sale fully returned" if sale.member_id else "return: walk-in sale fully returned")
        else:
            event("return: partial")
        refunds = paid_by(result.sale_id)
        for method in refunds:
            event(f"refund to {method}")
        assert sum(refunds.values(), Decimal(0)) == result.total
        if cash:
            assert set(refunds) <= {"cash", "points", "store_credit"}, "loyalty money never goes back as card"
        if sale.member_id is not None:
            self._check_return(sale)
        for mid in self.shop.members:
            if mid != sale.member_id:
                assert self._balances()[mid] == before_points[mid], "a return touched another member's points"

    @rule(hours=st.one_of(st.integers(1, 30), st.integers(1, 12).map(lambda days: 24 * days)))
    def time_passes(self, hours: int) -> None:
        self.now += timedelta(hours=hours)

    @rule(whole_job=st.booleans())
    def nightly(self, whole_job: bool) -> None:
        """The expiry job alone, or all of ``loyalty run`` (expiry, tiers, messages); either way
        it changes no balance, and running it again writes nothing."""
        before = self._balances()
        if whole_job:
            jobs.run(as_of=self.today, now=self.now, program=rules.active_program())
            again = jobs.run(as_of=self.today, now=self.now, program=rules.active_program())
            assert again.expired_entries == 0 and again.tier_upgrades == 0 and again.tier_downgrades == 0
        else:
            ledger.expire_due(as_of=self.today)
            assert ledger.expire_due(as_of=self.today) == 0
        assert self._balances() == before
        for mid in self.shop.members:
            assert before[mid].total == sum(r[2] for r in points_rows(mid)), "written expiries make the sum exact"

    def _too_many_points_refused(self, member: int) -> None:
        """Paying more points than the cap or the available balance is refused and writes nothing."""
        item = self.shop.items["T1"]
        cart = price_cart(basket(member, [(item, 1000)]), now=self.now)
        total = cart.total
        cap = floor_int(total / 2)
        available = ledger.balance(member, as_of=self.today).available
        points = cap + 1 if available > cap else max(available + 1, 1)
        counts = (m.Sale.select().count(), m.PointsEntry.select().count(), m.WalletEntry.select().count())
        with pytest.raises(ValidationError):
            complete_sale(
                "T1",
                self.shop.cashier,
                [PaymentInput("points", Decimal(points)), PaymentInput("card", total - points)],
                now=self.now,
                cart=cart,
            )
        after = (m.Sale.select().count(), m.PointsEntry.select().count(), m.WalletEntry.select().count())
        assert after == counts

    # ----------------------------------------------------------------- invariants

    @invariant()
    def points_ledger_adds_up(self) -> None:
        for mid in self.shop.members:
            rows = points_rows(mid)
            b = ledger.balance(mid, as_of=self.today)
            if b.available < 0:
                event("a member in points debt")
            if expired_unwritten(rows, self.today):
                event("expired points not yet written off")
            if self.stamps[mid] < 0:
                event("a stamp card owes stamps")
            if self.wallet[mid] < 0:
                event("a wallet below zero")
            overdrawn = {lot: v for lot, (v, _end) in lots_left(rows).items() if v < 0}
            assert not overdrawn, f"member {mid}: lots below zero {overdrawn}"
            assert b.total == sum(r[2] for r in rows) - expired_unwritten(rows, self.today)
            assert b.total == b.available + b.pending
            assert b.pending >= 0

    @invariant()
    def every_sale_gives_back_at_most_what_it_took(self) -> None:
        for sale in self.sales:
            if sale.member_id is None:
                continue
            earned, clawed = points_by_sale(sale.id, "earn"), -points_by_sale(sale.id, "clawback")
            assert earned == sale.earned
            assert 0 <= clawed <= earned, f"sale {sale.id}: {clawed} clawed back of {earned} earned"
            redeemed, restored = -points_by_sale(sale.id, "redeem"), points_by_sale(sale.id, "restore")
            assert 0 <= restored <= redeemed, f"sale {sale.id}: {restored} restored of {redeemed} paid"
            spent = -wallet_for_sale(sale.member_id, sale.id, "spend")
            refunded = wallet_for_sale(sale.member_id, sale.id, "refund")
            assert Decimal(0) <= refunded <= spent
            if sale.fully_returned:
                lapsed = lapsed_points(sale.member_id, sale.id, self.today)
                assert clawed + lapsed == earned, f"sale {sale.id} fully returned keeps {earned - clawed} points"
                assert restored == redeemed, f"sale {sale.id} fully returned lost {redeemed - restored} points paid"
                assert refunded == spent
                assert stamps_by_sale(sale.id, "earn") == stamp_clawbacks_for(sale.id)
                assert wallet_for_sale(sale.member_id, sale.id, "cashback") + wallet_for_sale(
                    sale.member_id, sale.id, "clawback"
                ) == Decimal(0)
                assert supplier_points_net(sale.id) == (0, 0)

    @invariant()
    def stamps_follow_the_card_rule(self) -> None:
        for mid in self.shop.members:
            held = stamps_of(mid).get("kahve", 0)
            assert held == self.stamps[mid]
            # A card goes below zero only when a return takes back stamps already spent.
            assert held >= -self.stamps_clawed[mid]

    @invariant()
    def wallet_adds_up(self) -> None:
        for mid in self.shop.members:
            total = wallet.wallet_balance(mid)
            assert total == wallet_sum(mid) == self.wallet[mid]
            # Never overdrawn by spending; only a clawback of spent cashback goes below zero.
            assert total >= -self.cashback_clawed[mid]

    @invariant()
    def stock_is_sold_minus_returned(self) -> None:
        for product_id, expected in self.stock.items():
            assert stock_of(product_id) == (expected, expected)

    # ----------------------------------------------------------------- helpers

    def _balances(self) -> dict[int, ledger.Balance]:
        return {mid: ledger.balance(mid, as_of=self.today) for mid in self.shop.members}

    def _tier(self, member: int | None) -> str | None:
        """The member's tier today, as docs/loyalty-rules.md says: the tier the job set while its
        term lasts, else the lowest tier (it needs no spend)."""
        if member is None:
            return None
        row = m.Member.get_by_id(member)
        if row.tier_code is not None and (row.tier_until is None or row.tier_until >= self.today):
            return str(row.tier_code)
        return "standart"

    def _payments(self, data: st.DataObject, member: int | None, total: Decimal) -> list[PaymentInput]:
        """A tender plan the payment screen would accept: points within the cap and the available
        balance, store credit within the available credit, the rest in cash (with change) or card."""
        if total <= 0:
            return []
        use_credit = member is not None and data.draw(st.booleans(), label="store credit?")
        use_points = member is not None and data.draw(st.booleans(), label="points?")
        by_card = data.draw(st.booleans(), label="rest by card?")
        payments: list[PaymentInput] = []
        left = total
        if member is not None and use_credit:
            credit = wallet.wallet_status(member, as_of=self.today, hold_days=HOLD_DAYS).available
            most = min(credit, left)
            if most >= CENT:
                kurus = to_kurus(most)
                amount = from_kurus(data.draw(st.one_of(st.just(kurus), st.integers(1, kurus)), label="store credit"))
                payments.append(PaymentInput("store_credit", amount))
                left -= amount
        if member is not None and use_points and left > 0:
            # The cap is on the receipt's total, whatever else pays it.
            already = sum((p.amount for p in payments if p.method == "points"), Decimal(0))
            cap = floor_int(total / 2) - int(already)
            most = min(cap, ledger.balance(member, as_of=self.today).available, floor_int(left))
            if most >= 1:
                points = data.draw(st.one_of(st.just(most), st.integers(1, most)), label="points")
                payments.append(PaymentInput("points", Decimal(points)))
                left -= points
        if left > 0:
            if by_card:
                payments.append(PaymentInput("card", left))
            else:
                handed = left + from_kurus(data.draw(st.sampled_from([0, 1, 50, 1000]), label="change"))
                payments.append(PaymentInput("cash", handed))
        return payments

    def _check_sale_earnings(self, sale: SaleModel, tier: str | None) -> None:
        """Points, cashback, stamps and supplier points of a member's sale against the rules."""
        member = sale.member_id
        assert member is not None and tier is not None
        record = sale_loyalty(sale.id)
        assert record is not None
        points, base, tier_code = record
        assert tier_code == tier
        non_earning = sale.paid.get("points", Decimal(0)) + sale.paid.get("store_credit", Decimal(0))
        assert base == sale.total - non_earning  # no product is excluded
        # Points: Σ weighted base × percent, floored once; the tier multiplies the unrounded
        # figure. Points and store credit come off the lines in proportion to their nets, to
        # the kuruş, so the exact figure is known within a hair when they paid part.
        exact = sum(
            (ln.net * ln.item.weight * (1 - non_earning / sale.total) for ln in sale.lines if sale.total),
            Decimal(0),
        )
        hair = Decimal("0.01") * 2 * len(sale.lines) if non_earning else Decimal(0)
        lo = (exact - hair) * EARN_PERCENT / 100
        hi = (exact + hair) * EARN_PERCENT / 100
        mult = TIER_MULTIPLIER[tier]
        tea = sum(ln.qty_milli // 1000 for ln in sale.lines if ln.item.code == "C1")
        bonus = BONUS_POINTS if sale.total >= BONUS_MIN_SPEND else 0
        low = floor_int(max(lo, Decimal(0)) * mult) + bonus + SUPPLIER_POINTS * tea
        high = floor_int(hi * mult) + bonus + SUPPLIER_POINTS * tea
        assert low <= points <= high, f"sale {sale.id} earned {points}, rules say {low}..{high}"
        assert points_by_sale(sale.id, "earn") == points
        sale.earned = points
        assert supplier_points_net(sale.id) == (SUPPLIER_POINTS * tea, SUPPLIER_POINTS // 2 * tea)
        cashback = from_kurus(floor_int(to_kurus(base) * CASHBACK_PERCENT / 100))
        assert wallet_for_sale(member, sale.id, "cashback") == cashback
        sale.extra["cashback"] = cashback
        self.wallet[member] += cashback - sale.paid.get("store_credit", Decimal(0))
        # Stamps: every coffee either earns one or, once the card holds three, is free.
        coffees = sum(ln.qty_milli // 1000 for ln in sale.lines if ln.item.code == "K1")
        earned, free = stamp_run(self.stamps[member], coffees)
        assert stamps_by_sale(sale.id, "earn") == earned
        assert stamps_by_sale(sale.id, "reward") == -free * STAMPS_NEEDED
        assert (
            m.SaleBenefit.select().where((m.SaleBenefit.sale == sale.id) & (m.SaleBenefit.kind == "stamp")).count()
            == free
        )
        self.stamps[member] += earned - free * STAMPS_NEEDED
        if free:
            event("sale: free coffee")
        if tier != "standart":
            event(f"sale: tier {tier}")
        if bonus:
            event("sale: threshold bonus")
        sale.stamps_earned, sale.stamp_units = earned, coffees
        sale.extra["stamps_spent"] = free * STAMPS_NEEDED
        redeemed = -points_by_sale(sale.id, "redeem")
        assert Decimal(redeemed) == sale.paid.get("points", Decimal(0))

    def _check_return(self, sale: SaleModel) -> None:
        """What the returns of ``sale`` took back so far, cumulatively, against docs/loyalty.md:
        ``round_half_up(x × refunded / total)`` of what it earned, never more than that."""
        member = sale.member_id
        assert member is not None
        # Points that paid come back with the money refunded to points, cumulatively:
        # round_half_up(R × refunded / paid) of the R points redeemed (loyalty/tenders.py).
        paid_points = sale.paid.get("points", Decimal(0))
        if paid_points:
            to_points = refunded_by_method(sale.id).get("points", Decimal(0))
            redeemed = int(paid_points)  # one point pays one lira
            expected = redeemed if to_points >= paid_points else half_up(redeemed * to_points / paid_points)
            assert points_by_sale(sale.id, "restore") == expected
        clawed = -points_by_sale(sale.id, "clawback")
        if sale.total > 0:
            # Cumulative, less what expired unused before the return (it already left the member).
            target = min(sale.earned, half_up(sale.earned * sale.refunded / sale.total))
            lapsed = lapsed_points(member, sale.id, self.today)
            expected = max(sale.extra.get("clawed", 0), min(target, sale.earned - lapsed))
            assert clawed == expected, f"sale {sale.id}: {clawed} clawed back, {expected} expected ({lapsed} lapsed)"
            sale.extra["clawed"] = clawed
            given = sale.extra["cashback"]
            back = -wallet_for_sale(member, sale.id, "clawback")
            target = min(given, from_kurus(half_up(to_kurus(given) * sale.refunded / sale.total)))
            assert back == target
            self.wallet[member] -= back - sale.extra.get("cashback_back", Decimal(0))
            self.cashback_clawed[member] += back - sale.extra.get("cashback_back", Decimal(0))
            sale.extra["cashback_back"] = back
        self.wallet[member] += wallet_for_sale(member, sale.id, "refund") - sale.extra.get("credit_back", Decimal(0))
        sale.extra["credit_back"] = wallet_for_sale(member, sale.id, "refund")
        if sale.stamp_units:
            back_units = sum(ln.returned_milli // 1000 for ln in sale.lines if ln.item.code == "K1")
            target = min(sale.stamps_earned, half_up(Decimal(sale.stamps_earned * back_units) / sale.stamp_units))
            assert stamp_clawbacks_for(sale.id) == target
            self.stamps[member] -= target - sale.stamps_clawed
            self.stamps_clawed[member] += target - sale.stamps_clawed
            sale.stamps_clawed = target
            # The stamps that paid for its free coffees come back in the same proportion.
            spent = sale.extra.get("stamps_spent", 0)
            given = min(spent, half_up(Decimal(spent * back_units) / sale.stamp_units))
            assert stamp_restores_for(sale.id) == given
            self.stamps[member] += given - sale.extra.get("stamps_restored", 0)
            sale.extra["stamps_restored"] = given


def test_checkout_machine(tmp_path: Path, now: datetime) -> None:
    Checkout.base = tmp_path
    Checkout.start = now
    run_state_machine_as_test(
        Checkout,
        settings=settings(
            max_examples=20,
            stateful_step_count=40,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
    print(sorted(SEEN.items()))


# --------------------------------------------------------------------------- what the machine found


@pytest.fixture
def shop(tmp_path: Path, now: datetime) -> Iterator[Shop]:
    shop = open_shop(tmp_path / "shop.sqlite3", now)
    yield shop
    close_shop(shop)


def _sell(shop: Shop, member: int, lines: list[tuple[Item, int]], at: datetime) -> str:
    cart = price_cart(basket(member, lines), now=at)
    payments = [PaymentInput("cash", cart.total)] if cart.total else []
    return complete_sale("T1", shop.cashier, payments, now=at, cart=cart).uid


def test_returning_a_sale_whose_points_expired_unused_takes_no_other_points(shop: Shop, now: datetime) -> None:
    """The toaster earns 50 points (25 + the 1,000 TL bonus), available after 3 days, usable 10
    days more; nobody spends them and they expire. Returned on day 20, the sale had given the
    member nothing they still hold, so the 300 opening points must stay 300."""
    (member,) = enrol_members(now, 1)
    uid = _sell(shop, member, [(shop.items["T1"], 1000)], now)
    day20 = now + timedelta(days=20)
    assert ledger.balance(member, as_of=shop_day(day20)).total == 300
    create_return("T1", shop.cashier, uid, [ReturnLineInput(1, 1000)], now=day20, reason="faulty")
    assert ledger.balance(member, as_of=shop_day(day20)).total == 300


def test_returning_a_free_coffee_gives_its_stamps_back(shop: Shop, now: datetime) -> None:
    """Three coffees fill the card; the fourth is free and spends the three stamps. Returning
    the free coffee (a 0.00 receipt) should leave the card as before it: three stamps."""
    (member,) = enrol_members(now, 1)
    _sell(shop, member, [(shop.items["K1"], 3000)], now)
    free = _sell(shop, member, [(shop.items["K1"], 1000)], now + timedelta(hours=1))
    assert stamps_of(member) == {"kahve": 0}
    create_return("T1", shop.cashier, free, [ReturnLineInput(1, 1000)], now=now + timedelta(hours=2), reason="cold")
    assert stamps_of(member) == {"kahve": 3}
