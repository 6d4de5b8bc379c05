"""Whole numbers split in proportion, adding up exactly: a percentage column that sums to 100, a
product's stock value shared over its locations."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """``total`` split in proportion to ``weights`` (each ≥ 0), the parts adding up to exactly
    ``total``: each part rounded down, then the units left go to the largest remainders (ties:
    the earlier weight). All parts are 0 when the weights add up to 0. The same rule as the
    stock reports' sharing of a value over locations."""
    whole = sum(weights)
    if not weights or whole <= 0:
        return [0 for _w in weights]
    parts = [total * w // whole for w in weights]
    rest = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in order[:rest]:
        parts[i] += 1
    return parts


def percent(part: int, whole: int, places: int = 2) -> Decimal:
    """``part ÷ whole × 100`` rounded half up to ``places`` decimals (``whole`` ≠ 0)."""
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
