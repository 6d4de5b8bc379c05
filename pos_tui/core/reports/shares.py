"""Whole numbers split in proportion, adding up exactly: a percentage column that sums to 100, a
product's stock value shared over its locations."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from pos_tui.core.kernel.money import split_whole

largest_remainder = split_whole
"""``total`` split in proportion to ``weights`` (each ≥ 0), the parts adding up to exactly ``total``
(:func:`pos_tui.core.kernel.money.split_whole`, the rule the till spreads discounts by)."""


def percent(part: int, whole: int, places: int = 2) -> Decimal:
    """``part ÷ whole × 100`` rounded half up to ``places`` decimals (``whole`` ≠ 0)."""
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
