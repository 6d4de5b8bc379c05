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
    "CHEQUE": "model",
    "COUPON": "model",
    "CentralUnreachable": "model",
    "DocumentsWaiting": "status",
    "GIFT_CARD": "model",
    "Identity": "model",
    "LEDGERS": "model",
    "NotJoined": "model",
    "OutboxRecord": "model",
    "POINTS": "model",
    "PullResult": "model",
    "PushResult": "model",
    "Receipt": "model",
    "RunResult": "service",
    "STAMPS": "model",
    "STOCK": "model",
    "SequenceConflict": "model",
    "SyncStatus": "model",
    "TIER": "model",
    "WALLET": "model",
    "Waiting": "status",
    "age_text": "status",
    "apply_role": "roles",
    "central_tx": "connection",
    "check_close": "status",
    "identity": "identity",
    "join_now": "service",
    "link": "connection",
    "masked": "identity",
    "open_central": "connection",
    "pull_now": "service",
    "push_now": "service",
    "role_name": "roles",
    "role_sql": "roles",
    "run_once": "service",
    "scram_verifier": "roles",
    "status": "status",
    "waiting_on_close": "status",
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
    "CentralUnreachable",
    "DocumentsWaiting",
    "Identity",
    "NotJoined",
    "OutboxRecord",
    "PullResult",
    "PushResult",
    "Receipt",
    "RunResult",
    "SequenceConflict",
    "SyncStatus",
    "Waiting",
    "age_text",
    "apply_role",
    "central_tx",
    "check_close",
    "identity",
    "join_now",
    "link",
    "masked",
    "open_central",
    "pull_now",
    "push_now",
    "role_name",
    "role_sql",
    "run_once",
    "scram_verifier",
    "status",
    "waiting_on_close",
]

if TYPE_CHECKING:
    from pos_tui.core.sync import identity, status
    from pos_tui.core.sync.connection import central_tx, link, open_central
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
    from pos_tui.core.sync.roles import apply_role, role_name, role_sql, scram_verifier
    from pos_tui.core.sync.service import RunResult, join_now, pull_now, push_now, run_once
    from pos_tui.core.sync.status import DocumentsWaiting, Waiting, age_text, check_close, waiting_on_close
else:  # type checkers read the imports above instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)
