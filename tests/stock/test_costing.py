"""The moving average cost rule (kernel.costing), checked against the rule written out in
fractions: values in integer kuruş, never negative, equal to the sum of the steps, and within
the documented rounding of quantity × average cost."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.kernel import costing
from pos_tui.core.kernel.costing import CostState, inflow, line_value, move, outflow, revalue

qty = st.integers(min_value=1, max_value=5_000_000)  # milli-units: up to 5,000 units
money = st.integers(min_value=0, max_value=50_000_000)  # kuruş
step = st.tuples(st.integers(min_value=-5_000_000, max_value=5_000_000), st.one_of(st.none(), money))


def test_a_receipt_into_empty_stock_sets_the_cost() -> None:
    s = inflow(CostState(), 10_000, 12_345)  # 10 units for 123,45 TL
    assert s.state == CostState(10_000, 12_345, 1_235)  # 12,345 kuruş / unit rounded half up
    assert (s.value, s.unit_cost) == (12_345, 1_235)


def test_two_receipts_average_by_value() -> None:
    first = inflow(CostState(), 10_000, 10_000).state  # 10 at 10,00
    second = inflow(first, 30_000, 60_000).state  # 30 at 20,00
    assert second == CostState(40_000, 70_000, 1_750)


def test_sales_go_out_at_the_average_and_the_last_unit_takes_the_rest() -> None:
    state = inflow(CostState(), 3_000, 1_000).state  # 3 units for 10,00: 3,33… each
    out = outflow(state, 1_000)
    assert out.value == -333 and out.state == CostState(2_000, 667, 333)
    last = outflow(outflow(out.state, 1_000).state, 1_000)
    assert last.state.value == 0 and last.state.qty == 0


def test_goods_sold_before_their_receipt_are_recosted_by_it() -> None:
    # 5 sold with no stock and no known cost, then a receipt of 8 for 80,00
    sold = outflow(CostState(), 5_000)
    assert sold.value == 0 and sold.state.qty == -5_000
    received = inflow(sold.state, 8_000, 8_000)
    # only the 3 left on the shelf are added to the value; the 5 sold take the receipt's cost
    assert received.state == CostState(3_000, 3_000, 1_000)
    assert received.value == 3_000 and received.unit_cost == 1_000


def test_a_receipt_that_leaves_stock_negative_adds_no_value_and_sets_the_cost() -> None:
    received = inflow(CostState(-10_000, 0, 500), 4_000, 2_400)
    assert received.state == CostState(-6_000, 0, 600)


def test_a_return_at_the_average_keeps_the_cost() -> None:
    state = CostState(3_000, 1_000, 333)
    back = inflow(state, 1_000)
    assert back.state == CostState(4_000, 1_333, 333)


def test_a_supplier_return_takes_out_its_receipt_amount_capped_to_the_value() -> None:
    state = CostState(10_000, 5_000, 500)
    back = outflow(state, 2_000, 1_400)  # returned at 7,00 a unit
    assert back.state == CostState(8_000, 3_600, 450)
    assert outflow(CostState(2_000, 100, 50), 1_000, 900).state == CostState(1_000, 0, 0)


def test_revalue_sets_the_cost_and_values_the_stock_on_hand() -> None:
    assert revalue(CostState(2_500, 100, 40), 1_000).state == CostState(2_500, 2_500, 1_000)
    assert revalue(CostState(-2_500, 0, 40), 1_000).state == CostState(-2_500, 0, 1_000)


@pytest.mark.parametrize(("q", "c", "v"), [(1_500, 333, 500), (1, 1, 0), (500, 1, 1), (-500, 1, -1), (333, 100, 33)])
def test_line_value_rounds_half_away_from_zero(q: int, c: int, v: int) -> None:
    assert line_value(q, c) == v


@given(st.lists(step, max_size=40), st.integers(min_value=0, max_value=100_000))
def test_any_sequence_keeps_the_invariants(steps: list[tuple[int, int | None]], start_cost: int) -> None:
    state = CostState(0, 0, start_cost)
    total = 0
    since_set = 0  # steps at the average since the cost was last computed from the value
    for q, amount in steps:
        s = move(state, q, amount)
        total += s.value
        state = s.state
        for n in (state.qty, state.value, state.cost, s.value, s.unit_cost):
            assert type(n) is int  # no float, no Decimal: integer kuruş and milli-units
        assert state.value >= 0
        if state.qty <= 0:
            assert state.value == 0
        since_set = 0 if amount is not None and q != 0 else since_set + 1
        if state.qty > 0:
            # the documented bound: half a kuruş a unit, plus half a kuruş a step since the cost was set
            exact = Fraction(state.qty * state.cost, 1000)
            assert abs(state.value - exact) <= Fraction(state.qty, 2000) + Fraction(since_set + 1, 2) + 1
    assert total == state.value


@given(qty, money, qty)
def test_a_receipt_then_selling_it_all_leaves_nothing(q: int, amount: int, part: int) -> None:
    state = inflow(CostState(), q, amount).state
    part = min(part, q)
    out1 = outflow(state, part)
    rest = out1.state
    if rest.qty > 0:
        out2 = outflow(rest, rest.qty)
        rest = out2.state
        assert -(out1.value + out2.value) == amount  # every kuruş that came in goes out
    assert rest == CostState(0, 0, rest.cost)


def test_invalid_steps_are_refused() -> None:
    with pytest.raises(ValueError):
        inflow(CostState(), 0)
    with pytest.raises(ValueError):
        outflow(CostState(), -1)
    with pytest.raises(ValueError):
        inflow(CostState(), 1, -5)
    with pytest.raises(ValueError):
        revalue(CostState(), -1)
    assert costing.move(CostState(5, 5, 5), 0).state == CostState(5, 5, 5)
