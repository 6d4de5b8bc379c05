"""What a till's X/Z and the centre's reports across terminals share: the KDV of one rate and the
figures derived from a set of sales and returns (:class:`~pos_tui.core.cash.reports.DocumentTotals`
on a terminal, :class:`~pos_tui.core.sync.reports.Totals` at the centre; sync sits below cash, so the
shared part lives here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from pos_tui.core.kernel.clock import iso
from pos_tui.core.kernel.money import ZERO


@dataclass(frozen=True, slots=True)
class KdvTotal:
    """Base and KDV of one rate; ``base + kdv`` is the KDV-inclusive amount."""

    base: Decimal = ZERO
    kdv: Decimal = ZERO

    def __add__(self, other: KdvTotal) -> KdvTotal:
        return KdvTotal(self.base + other.base, self.kdv + other.kdv)

    def as_json(self) -> dict[str, str]:
        return {"base": f"{self.base:.2f}", "kdv": f"{self.kdv:.2f}"}


class SalesFigures:
    """Derived figures of a totals dataclass with ``sales_count``, ``returns_count``, ``gross``,
    ``returns`` (both positive), ``from_at``/``to_at``, ``sale_payments``/``return_payments`` per
    tender method and ``by_kdv`` (net of returns)."""

    __slots__ = ()
    sales_count: int
    returns_count: int
    gross: Decimal
    returns: Decimal
    from_at: datetime | None
    to_at: datetime | None
    sale_payments: dict[str, Decimal]
    return_payments: dict[str, Decimal]
    by_kdv: dict[int, KdvTotal]

    @property
    def net(self) -> Decimal:
        return self.gross - self.returns

    @property
    def count(self) -> int:
        return self.sales_count + self.returns_count

    @property
    def by_payment(self) -> dict[str, Decimal]:
        methods = sorted(set(self.sale_payments) | set(self.return_payments))
        return {k: self.sale_payments.get(k, ZERO) - self.return_payments.get(k, ZERO) for k in methods}

    def figures_json(self, tz: str, after_returns: dict[str, Any] | None = None) -> dict[str, Any]:
        """The figures in the X/Z JSON contract's shape (amounts as strings, times ISO with offset);
        ``after_returns``' keys go between ``returns`` and ``net``."""
        return {
            "from": iso(self.from_at, tz) if self.from_at else None,
            "to": iso(self.to_at, tz) if self.to_at else None,
            "sales_count": self.sales_count,
            "returns_count": self.returns_count,
            "gross": f"{self.gross:.2f}",
            "returns": f"{self.returns:.2f}",
            **(after_returns or {}),
            "net": f"{self.net:.2f}",
            "by_payment": {k: f"{v:.2f}" for k, v in self.by_payment.items()},
            "by_kdv": {str(rate): t.as_json() for rate, t in self.by_kdv.items()},
        }
