"""Moving weighted average cost: the one rule every stock movement is valued by.

A product's cost state is its quantity on hand ``qty`` (milli-units, all locations), the value
of that stock ``value`` (integer kuruş, never negative, 0 whenever ``qty <= 0``) and its
average cost ``cost`` (integer kuruş per unit: 1 piece, 1 kg, 1 litre, 1 metre). Each movement
changes the state by one of three steps, in the order movements are posted:

``inflow(q, amount)``
    ``q`` units come in worth ``amount`` kuruş (a receipt line's net cost excluding KDV; without
    an amount — a return, a positive count or adjustment — they come in at the average cost,
    ``round(q × cost)``). With stock on hand (``qty >= 0``) the amount is added to the value.
    With negative stock, the units already sold before this receipt was entered are **re-costed**
    at the receipt's price: only the share of the amount that is left on the shelf is added
    (``round(amount × max(qty + q, 0) / q)``); posted sales are never changed.

``outflow(q, amount=None)``
    ``q`` units go out. At average cost: the value falls by ``round(value × q / qty)`` (the
    whole value when the last units go). A supplier return gives its receipt's ``amount``
    instead, capped to the value there is. Units going out of no stock (negative stock) carry no
    value: the next receipt re-costs them.

``revalue(cost)``
    The average cost is set (an import's ``cost`` column): ``value = round(max(qty, 0) × cost)``.

The average cost changes only where new money enters the value: a step with an ``amount`` (a
receipt, a supplier return) sets ``cost = round(value / qty)`` while stock is on hand (with
none left: the last known average, or the receipt's unit cost when a receipt still leaves stock
negative), and ``revalue`` sets it. A step at the average cost leaves it as it is. All rounding
is to the kuruş, half away from zero (``ROUND_HALF_UP``), in integer arithmetic: no float
anywhere. ``value`` always equals the sum of the movements' values (``pos-admin audit verify``)
and stays within half a kuruş per unit, plus half a kuruş per movement since the cost was last
set, of ``qty × cost``.
"""

from __future__ import annotations

from dataclasses import dataclass

MILLI = 1000


def _div(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero, in integers (denominator > 0)."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def line_value(qty_milli: int, unit_cost: int) -> int:
    """The kuruş of ``qty_milli`` milli-units at ``unit_cost`` kuruş per unit, rounded."""
    return _div(qty_milli * unit_cost, MILLI)


@dataclass(frozen=True, slots=True)
class CostState:
    qty: int = 0  # milli-units
    value: int = 0  # kuruş, >= 0
    cost: int = 0  # kuruş per unit


@dataclass(frozen=True, slots=True)
class Step:
    """One movement's effect: its signed value change and the unit cost it moved at."""

    state: CostState
    value: int  # kuruş, signed: state.value - previous value
    unit_cost: int  # kuruş per unit


def inflow(state: CostState, qty: int, amount: int | None = None) -> Step:
    """``qty`` (> 0) milli-units come in, worth ``amount`` kuruş (None: at the average cost)."""
    if qty <= 0:
        raise ValueError("inflow quantity must be positive")
    at_average = amount is None
    if amount is None:
        amount = line_value(qty, state.cost)
    if amount < 0:
        raise ValueError("an inflow's amount cannot be negative")
    new_qty = state.qty + qty
    # with negative stock only the share left on the shelf is added: the rest re-costs what was sold
    value = state.value + amount if state.qty >= 0 else _div(amount * max(new_qty, 0), qty)
    unit_cost = _div(amount * MILLI, qty)
    # the average follows new money only; stock coming back at the average leaves it be
    cost = state.cost if at_average else (_div(value * MILLI, new_qty) if new_qty > 0 else unit_cost)
    return Step(CostState(new_qty, value, cost), value - state.value, unit_cost)


def outflow(state: CostState, qty: int, amount: int | None = None) -> Step:
    """``qty`` (> 0) milli-units go out at the average cost (or worth ``amount``, a supplier return)."""
    if qty <= 0:
        raise ValueError("outflow quantity must be positive")
    new_qty = state.qty - qty
    if state.qty <= 0 or new_qty <= 0:
        value = 0
    elif amount is None:
        value = state.value - _div(state.value * qty, state.qty)
    else:
        value = state.value - min(max(amount, 0), state.value)
    if amount is None:
        unit_cost, cost = state.cost, state.cost
    else:
        unit_cost = _div(amount * MILLI, qty)
        cost = _div(value * MILLI, new_qty) if new_qty > 0 else state.cost
    return Step(CostState(new_qty, value, cost), value - state.value, unit_cost)


def move(state: CostState, qty: int, amount: int | None = None) -> Step:
    """A signed movement: in when ``qty > 0``, out when ``qty < 0``; nothing when 0."""
    if qty > 0:
        return inflow(state, qty, amount)
    if qty < 0:
        return outflow(state, -qty, amount)
    return Step(state, 0, state.cost)


def revalue(state: CostState, cost: int) -> Step:
    """Set the average cost to ``cost`` kuruş per unit; the stock on hand is valued at it."""
    if cost < 0:
        raise ValueError("a cost cannot be negative")
    value = line_value(max(state.qty, 0), cost)
    return Step(CostState(state.qty, value, cost), value - state.value, cost)
