"""A purchase document's money: line nets, KDV per rate and the totals, to the kuruş.

The one rounding rule (docs/stock-receiving.md):

Costs excluding KDV (the default, as a Turkish purchase invoice prints them)
    a line's amount is ``qty × unit cost`` rounded half up to the kuruş, its **net** that
    amount less the line discount. Per KDV rate the nets are summed, and the rate's KDV is
    ``net × rate / 100`` rounded half up **once, on the rate's sum** (never per line); the
    rate's gross is net + KDV. The KDV stored on each line is the rate's KDV shared over its
    lines in proportion to their nets (largest remainder), so the lines add up to the rate.

Costs including KDV (the switch)
    a line's gross is ``qty × unit cost`` rounded half up, less the line discount (also
    KDV-included). Per rate the grosses are summed as given, the rate's net is
    ``gross × 100 / (100 + rate)`` rounded half up, its KDV the difference: the document's gross
    is exactly the supplier's. The rate's net is shared over its lines in proportion to their
    grosses (largest remainder), so every line's net — the cost the stock is valued at — adds
    up exactly to the rate's net. The line's unit cost and discount excluding KDV are shown
    converted (rounded half up); the net is what counts.

All arithmetic is in integers (kuruş, milli-units): no float anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

MILLI = 1000


def div_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero (denominator > 0)."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def share(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` kuruş shared over ``weights`` (>= 0) by largest remainder: the parts sum to ``total``;
    ties go to the earlier part; all-zero weights share equally."""
    if not weights:
        return []
    w = list(weights) if any(weights) else [1] * len(weights)
    wsum = sum(w)
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    parts = [magnitude * x // wsum for x in w]
    rests = [magnitude * x % wsum for x in w]
    for i in sorted(range(len(w)), key=lambda i: (-rests[i], i))[: magnitude - sum(parts)]:
        parts[i] += 1
    return [sign * p for p in parts]


@dataclass(frozen=True, slots=True)
class CostInput:
    """One line as typed or read: ``qty`` milli-units (> 0), ``unit_cost`` and ``discount`` in
    kuruş (excluding KDV, or including it when the document's costs include KDV), ``kdv_rate`` %."""

    qty: int
    unit_cost: int
    discount: int
    kdv_rate: int


@dataclass(frozen=True, slots=True)
class PricedLine:
    """A line's money excluding KDV, in kuruş: ``unit_cost`` and ``discount`` as stored, ``net``
    (what the stock is valued at), its share ``kdv`` of the rate's KDV, ``gross = net + kdv``."""

    qty: int
    unit_cost: int
    discount: int
    net: int
    kdv_rate: int
    kdv: int

    @property
    def gross(self) -> int:
        return self.net + self.kdv

    @property
    def net_unit_cost(self) -> int:
        """Kuruş per unit after the discount, excluding KDV (the last purchase price)."""
        return 0 if self.qty <= 0 else div_half_up(self.net * MILLI, self.qty)


@dataclass(frozen=True, slots=True)
class RateTotal:
    """One KDV rate's totals in kuruş."""

    kdv_rate: int
    net: int
    kdv: int

    @property
    def gross(self) -> int:
        return self.net + self.kdv


@dataclass(frozen=True, slots=True)
class Priced:
    """A document's lines and totals (rates in ascending order)."""

    lines: tuple[PricedLine, ...]
    rates: tuple[RateTotal, ...]

    @property
    def net(self) -> int:
        return sum(r.net for r in self.rates)

    @property
    def kdv(self) -> int:
        return sum(r.kdv for r in self.rates)

    @property
    def gross(self) -> int:
        return self.net + self.kdv


def line_amount(qty: int, unit_cost: int) -> int:
    """``qty`` milli-units at ``unit_cost`` kuruş a unit, rounded half up to the kuruş."""
    return div_half_up(qty * unit_cost, MILLI)


def excluding(amount: int, rate: int) -> int:
    """A KDV-included amount without its KDV, rounded half up."""
    return div_half_up(amount * 100, 100 + rate)


def price_lines(lines: Sequence[CostInput], *, kdv_included: bool = False) -> Priced:
    """Nets, KDV and totals of ``lines`` by the module's rule. The caller has checked each line
    (quantity above zero, no negative money, a discount no larger than the line)."""
    by_rate: dict[int, list[int]] = {}
    amounts = [line_amount(ln.qty, ln.unit_cost) - ln.discount for ln in lines]
    for i, ln in enumerate(lines):
        by_rate.setdefault(ln.kdv_rate, []).append(i)
    nets = [0] * len(lines)
    kdvs = [0] * len(lines)
    rates: list[RateTotal] = []
    for rate in sorted(by_rate):
        members = by_rate[rate]
        if kdv_included:
            gross = sum(amounts[i] for i in members)
            net = excluding(gross, rate)
            kdv = gross - net
            for i, part in zip(members, share(net, [amounts[i] for i in members]), strict=True):
                nets[i] = part
        else:
            net = sum(amounts[i] for i in members)
            kdv = div_half_up(net * rate, 100)
            for i in members:
                nets[i] = amounts[i]
        for i, part in zip(members, share(kdv, [nets[i] for i in members]), strict=True):
            kdvs[i] = part
        rates.append(RateTotal(rate, net, kdv))
    priced = tuple(
        PricedLine(
            qty=ln.qty,
            unit_cost=excluding(ln.unit_cost, ln.kdv_rate) if kdv_included else ln.unit_cost,
            discount=excluding(ln.discount, ln.kdv_rate) if kdv_included else ln.discount,
            net=nets[i],
            kdv_rate=ln.kdv_rate,
            kdv=kdvs[i],
        )
        for i, ln in enumerate(lines)
    )
    return Priced(priced, tuple(rates))


def price_for_margin(net_unit_cost: int, margin_pct: Decimal | int, kdv_rate: int) -> int:
    """A sale price (kuruş, KDV included) that earns ``margin_pct`` % on top of a cost excluding
    KDV: ``cost × (1 + margin/100) × (1 + rate/100)``, rounded half up once. ``margin_pct`` may
    have decimals (``"12.5"``); it is a markup on cost, as Turkish shops reckon it (kâr oranı)."""
    margin = Decimal(margin_pct)
    exact = Decimal(net_unit_cost) * (100 + margin) * (100 + kdv_rate) / Decimal(10000)
    whole = int(exact.to_integral_value(rounding=ROUND_HALF_UP))
    return max(whole, 0)
