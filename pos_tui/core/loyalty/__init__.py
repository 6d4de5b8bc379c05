"""Loyalty: members' points ledger (hold, expiry, redemption, clawback). See docs/loyalty.md."""

from pos_tui.core.loyalty.ledger import (
    Balance,
    Consumption,
    ExpiryPolicy,
    Lot,
    adjust,
    balance,
    clawback,
    donate,
    earn,
    expire_due,
    points_for,
    redeem,
    restore,
    transfer,
)

__all__ = [
    "Balance",
    "Consumption",
    "ExpiryPolicy",
    "Lot",
    "adjust",
    "balance",
    "clawback",
    "donate",
    "earn",
    "expire_due",
    "points_for",
    "redeem",
    "restore",
    "transfer",
]
