"""compute_totals remembers each line's own figures (a scan recomputes a cart whose lines are
all unchanged but one): the totals must be exactly those of the arithmetic done afresh, to
the Decimal's exponent, with or without benefits and cart discounts, on the first call and on
every later one."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.basket import Benefit, Cart, CartTotals, Discount, LineTotals
from pos_tui.core.basket.cart import CartLine, KdvRow, benefit_amounts, compute_totals
from pos_tui.core.kernel.money import ZERO, allocate, split_kdv

D = Decimal


def afresh(lines: Sequence[CartLine], discount: Discount | None, benefits: Sequence[Benefit]) -> CartTotals:
    """The arithmetic as it was written before the memory: every figure computed again."""
    active = [ln for ln in lines if not ln.voided]
    gross = [ln.gross for ln in active]
    line_disc = [ln.line_discount for ln in active]
    by_benefit = benefit_amounts(active, benefits) if benefits else {}
    benefit = [by_benefit.get(ln.line_no, ZERO) for ln in active]
    after = [g - d - b for g, d, b in zip(gross, line_disc, benefit, strict=True)]
    cart_disc = discount.amount_on(sum(after, ZERO)) if discount else ZERO
    shares = allocate(cart_disc, after) if active else []
    per_line, by_rate = [], {}  # type: ignore[var-annotated]
    for ln, g, d, b, a, s in zip(active, gross, line_disc, benefit, after, shares, strict=True):
        net = a - s
        base, kdv = split_kdv(net, ln.kdv_rate)
        per_line.append(LineTotals(ln.line_no, g, d, s, net, ln.kdv_rate, base, kdv, b))
        by_rate[ln.kdv_rate] = by_rate.get(ln.kdv_rate, ZERO) + net
    subtotal, total_disc, total_benefit = sum(gross, ZERO), sum(line_disc, ZERO), sum(benefit, ZERO)
    return CartTotals(
        lines=tuple(per_line),
        subtotal=subtotal,
        line_discount=total_disc,
        cart_discount=cart_disc,
        total=subtotal - total_disc - total_benefit - cart_disc,
        kdv=tuple(KdvRow(rate, *split_kdv(amount, rate)) for rate, amount in sorted(by_rate.items())),
        benefit=total_benefit,
    )


line_st = st.tuples(
    st.integers(0, 500_000),  # price, kuruş
    st.integers(1, 30),  # pieces
    st.sampled_from([0, 1, 10, 20]),
    st.one_of(st.none(), st.integers(1, 10_000)),  # line discount, basis points
    st.booleans(),  # voided
    st.one_of(st.none(), st.integers(1, 5_000)),  # a benefit on the line, kuruş
)


@given(st.lists(line_st, min_size=1, max_size=25), st.one_of(st.none(), st.integers(1, 10_000)))
def test_remembered_line_figures_give_exactly_the_fresh_totals(
    specs: list[tuple[int, int, int, int | None, bool, int | None]], cart_pct: int | None
) -> None:
    cart = Cart()
    benefits: list[Benefit] = []
    for pid, (price, qty, rate, pct, void, benefit) in enumerate(specs, start=1):
        cart = cart.add(
            product_id=pid, code=f"P{pid}", name=f"P{pid}", unit="piece", kdv_rate=rate,
            price=D(price) / 100, qty_milli=qty * 1000, merge=False,
        )  # fmt: skip
        if pct is not None:
            cart = cart.discount_line(pid, Discount("percent", D(pct) / 100))
        if benefit is not None:
            benefits.append(Benefit(pid, D(benefit) / 100, "promotion", "P", "Promo"))
        if void:
            cart = cart.void(pid, "mistake")
        # every cart along the way, as a scan would total it, twice (memory hit the second time)
        for disc in (None, Discount("percent", D(cart_pct) / 100) if cart_pct else None):
            for bens in ((), tuple(benefits)):
                fresh = afresh(cart.lines, disc, bens)
                assert repr(compute_totals(cart.lines, disc, bens)) == repr(fresh)
                assert repr(compute_totals(cart.lines, disc, bens)) == repr(fresh)
