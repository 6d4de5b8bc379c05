"""Sync: every terminal sells on its own SQLite file and sends what it posted to a central
PostgreSQL exactly once; master data, other terminals' ledger rows and the chain's balances come
back down (docs/sync.md).

The outbox record itself is written by the store (:mod:`pos_tui.store.outbox`) in the very
transaction that posts; this area reads it, sends it, receives it at the centre, pulls, guards
redemptions online, bounds them offline and reports across terminals and stores.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "ACCOUNT": "model",
    "Allowance": "guard",
    "CHEQUE": "model",
    "COUPON": "model",
    "CentralUnreachable": "model",
    "CentreRefused": "guard",
    "GIFT_CARD": "model",
    "HoldInfo": "guard",
    "Identity": "model",
    "LEDGERS": "model",
    "NotJoined": "model",
    "OfflineLimit": "guard",
    "OutboxRecord": "model",
    "POINTS": "model",
    "PullResult": "model",
    "PushResult": "model",
    "Receipt": "model",
    "ReconciliationRow": "guard",
    "Redemption": "guard",
    "STAMPS": "model",
    "STOCK": "model",
    "SequenceConflict": "model",
    "SyncStatus": "model",
    "TIER": "model",
    "WALLET": "model",
    "beyond_bound": "guard",
    "cancel_holds": "guard",
    "central_database": "guard",
    "central_tx": "connection",
    "check_redemption": "guard",
    "hold": "guard",
    "holds_of": "guard",
    "identity": "identity",
    "joined": "guard",
    "link": "connection",
    "local_holds": "guard",
    "masked": "identity",
    "offline_allowance": "guard",
    "open_central": "connection",
    "open_holds": "guard",
    "reconciliation": "guard",
    "release": "guard",
    "release_orphans": "guard",
    "settle_holds": "guard",
}

__all__ = [
    "ACCOUNT",
    "CHEQUE",
    "COUPON",
    "GIFT_CARD",
    "LEDGERS",
    "POINTS",
    "STAMPS",
    "STOCK",
    "TIER",
    "WALLET",
    "Allowance",
    "CentralUnreachable",
    "CentreRefused",
    "HoldInfo",
    "Identity",
    "NotJoined",
    "OfflineLimit",
    "OutboxRecord",
    "PullResult",
    "PushResult",
    "Receipt",
    "ReconciliationRow",
    "Redemption",
    "SequenceConflict",
    "SyncStatus",
    "beyond_bound",
    "cancel_holds",
    "central_database",
    "central_tx",
    "check_redemption",
    "hold",
    "holds_of",
    "identity",
    "joined",
    "link",
    "local_holds",
    "masked",
    "offline_allowance",
    "open_central",
    "open_holds",
    "reconciliation",
    "release",
    "release_orphans",
    "settle_holds",
]

if TYPE_CHECKING:
    from pos_tui.core.sync import identity
    from pos_tui.core.sync.connection import central_tx, link, open_central
    from pos_tui.core.sync.guard import (
        Allowance,
        CentreRefused,
        HoldInfo,
        OfflineLimit,
        ReconciliationRow,
        Redemption,
        beyond_bound,
        cancel_holds,
        central_database,
        check_redemption,
        hold,
        holds_of,
        joined,
        local_holds,
        offline_allowance,
        open_holds,
        reconciliation,
        release,
        release_orphans,
        settle_holds,
    )
    from pos_tui.core.sync.identity import masked
    from pos_tui.core.sync.model import (
        ACCOUNT,
        CHEQUE,
        COUPON,
        GIFT_CARD,
        LEDGERS,
        POINTS,
        STAMPS,
        STOCK,
        TIER,
        WALLET,
        CentralUnreachable,
        Identity,
        NotJoined,
        OutboxRecord,
        PullResult,
        PushResult,
        Receipt,
        SequenceConflict,
        SyncStatus,
    )
else:  # type checkers read the imports above instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)
