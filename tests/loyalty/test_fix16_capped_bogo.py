"""A buy_x_get_y promotion with max_amount: a unit counts as free (``Evaluation.free_units``: no
supplier-funded points, no stamp) only when what the promotion took off after the cap pays all
of it. The engine used to mark every get unit free before the cap cut the discount, so a mostly
paid unit earned no supplier-funded points and no stamp."""

from __future__ import annotations

from decimal import Decimal

from engine_support import DAY, line, member, program, total
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core.loyalty import earning, evaluate

RULES = """
[earning]
percent = 0

[[supplier_funding]]
product = "A"
points = 10
supplier_points = 5

[[promotions]]
code = "1al1ode"
name = "1 alana 1 bedava, en çok 1 TL"
kind = "buy_x_get_y"
buy = 1
get = 1
products = ["A"]
max_amount = 1
"""


def test_capped_free_unit_is_paid_but_counted_free() -> None:
    p = program(RULES)
    lines = [line(1, "A", "100.00", 2)]
    ev = evaluate(lines, member(), p, day=DAY)
    assert total(ev.benefits, "promotion") == Decimal("1.00")  # the cap works: 1 TL off of 200
    # both units were paid (199 TL of 200), but one is recorded as given away
    assert dict(ev.free_units) == {1: 0} or dict(ev.free_units) == {}, dict(ev.free_units)


def test_supplier_points_lost_on_the_capped_unit() -> None:
    p = program(RULES)
    lines = [line(1, "A", "100.00", 2)]
    ev = evaluate(lines, member(), p, day=DAY)
    res = earning(lines, member(), p, day=DAY, evaluation=ev)
    # 2 units paid (199,00 TL) → 2 × 10 supplier-funded points expected
    assert res.points == 20, res


RULES_WIDE = (
    RULES.replace("max_amount = 1", "max_amount = 150")
    + """
[[stamp_cards]]
code = "kart"
name = "Kart"
products = ["A"]
needed = 100
"""
)


def test_a_cap_that_pays_one_unit_whole_leaves_that_one_free() -> None:
    # 1 al 1 öde on 4 × 100 TL: 2 units would be free (200 TL), the cap takes 150 off: one unit
    # is paid for entirely (free), the other is 50 TL paid
    p = program(RULES_WIDE)
    lines = [line(1, "A", "100.00", 4)]
    ev = evaluate(lines, member(), p, day=DAY)
    assert total(ev.benefits, "promotion") == Decimal("150.00")
    assert dict(ev.free_units) == {1: 1}
    assert ev.stamps["kart"].earned == 3  # three units paid for, one given away
    assert earning(lines, member(), p, day=DAY, evaluation=ev).points == 30  # 3 × 10 supplier-funded


def test_without_a_cap_the_get_units_stay_free() -> None:
    p = program(RULES_WIDE.replace("max_amount = 150\n", ""))
    lines = [line(1, "A", "100.00", 4)]
    ev = evaluate(lines, member(), p, day=DAY)
    assert total(ev.benefits, "promotion") == Decimal("200.00")
    assert dict(ev.free_units) == {1: 2}
    assert ev.stamps["kart"].earned == 2
    assert earning(lines, member(), p, day=DAY, evaluation=ev).points == 20


def test_a_cap_over_two_lines_counts_each_line_by_its_share() -> None:
    # 1 al 1 öde on 2 × 10 TL (line 1) and 2 × 30 TL (line 2): the two 10 TL units are the free
    # ones (20 TL), both on line 1. A cap of 15 TL pays one of them whole.
    p = program(RULES.replace('products = ["A"]\nmax_amount = 1', 'products = ["A", "B"]\nmax_amount = 15'))
    lines = [line(1, "A", "10.00", 2), line(2, "B", "30.00", 2)]
    ev = evaluate(lines, member(), p, day=DAY)
    assert total(ev.benefits, "promotion") == Decimal("15.00")
    assert dict(ev.free_units) == {1: 1}


@given(
    count=st.integers(min_value=1, max_value=6),
    value=st.integers(min_value=6, max_value=2000),
    cut=st.integers(min_value=0, max_value=2000),
)
def test_wholly_paid_units_are_the_cheapest_that_the_amount_covers(count: int, value: int, cut: int) -> None:
    from pos_tui.core.loyalty.engine import _wholly_paid

    amount = min(cut, value)
    base, dearer = divmod(value, count)
    worth = sorted([base + 1] * dearer + [base] * (count - dearer))  # as the engine values units
    covered, spent = 0, 0
    for unit in worth:
        if spent + unit > amount:
            break
        spent += unit
        covered += 1
    assert _wholly_paid(amount, count, value) == covered
