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
    "GIFT_CARD": "model",
    "Identity": "model",
    "JoinResult": "joining",
    "LEDGERS": "model",
    "NotJoined": "model",
    "OutboxRecord": "model",
    "POINTS": "model",
    "PullResult": "model",
    "PushResult": "model",
    "Receipt": "model",
    "STAMPS": "model",
    "STOCK": "model",
    "SequenceConflict": "model",
    "SyncStatus": "model",
    "TerminalState": "terminals",
    "TIER": "model",
    "WALLET": "model",
    "LEDGER_OF": "documents",
    "LedgerRule": "documents",
    "REFERENCE_KEYS": "documents",
    "body_of": "documents",
    "central_tx": "connection",
    "identity": "identity",
    "join": "joining",
    "link": "connection",
    "list_terminals": "terminals",
    "masked": "identity",
    "open_central": "connection",
    "pending": "documents",
    "push": "pushing",
    "receive": "central",
    "terminal_high_water": "central",
    "waiting": "pushing",
    "last_seq": "pushing",
    "pull": "pulling",
    "register_terminal": "terminals",
    "terminal_state": "terminals",
}

__all__ = [
    "ACCOUNT",
    "CHEQUE",
    "COUPON",
    "GIFT_CARD",
    "LEDGERS",
    "LEDGER_OF",
    "POINTS",
    "REFERENCE_KEYS",
    "STAMPS",
    "STOCK",
    "TIER",
    "WALLET",
    "CentralUnreachable",
    "Identity",
    "LedgerRule",
    "JoinResult",
    "NotJoined",
    "OutboxRecord",
    "PullResult",
    "PushResult",
    "Receipt",
    "SequenceConflict",
    "SyncStatus",
    "body_of",
    "central_tx",
    "identity",
    "last_seq",
    "TerminalState",
    "central_tx",
    "identity",
    "join",
    "link",
    "list_terminals",
    "masked",
    "open_central",
    "pending",
    "push",
    "receive",
    "terminal_high_water",
    "waiting",
    "pull",
    "register_terminal",
    "terminal_state",
]

if TYPE_CHECKING:
    from pos_tui.core.sync import identity
    from pos_tui.core.sync.central import receive, terminal_high_water
    from pos_tui.core.sync.connection import central_tx, link, open_central
    from pos_tui.core.sync.documents import LEDGER_OF, REFERENCE_KEYS, LedgerRule, body_of, pending
    from pos_tui.core.sync.identity import masked
    from pos_tui.core.sync.joining import JoinResult, join
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
    from pos_tui.core.sync.pushing import last_seq, push, waiting
    from pos_tui.core.sync.pulling import pull
    from pos_tui.core.sync.terminals import TerminalState, list_terminals, register_terminal, terminal_state
else:  # type checkers read the imports above instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)
