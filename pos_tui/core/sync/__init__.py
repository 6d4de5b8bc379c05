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
    "JoinResult": "joining",
    "LEDGERS": "model",
    "LEDGER_OF": "documents",
    "LedgerRule": "documents",
    "NotJoined": "model",
    "OutboxRecord": "model",
    "POINTS": "model",
    "PullResult": "model",
    "PushResult": "model",
    "REFERENCE_KEYS": "documents",
    "Receipt": "model",
    "RunResult": "service",
    "STAMPS": "model",
    "STOCK": "model",
    "SequenceConflict": "model",
    "SyncStatus": "model",
    "TIER": "model",
    "TerminalState": "terminals",
    "WALLET": "model",
    "Waiting": "status",
    "age_text": "status",
    "apply_role": "roles",
    "body_of": "documents",
    "central_tx": "connection",
    "check_close": "status",
    "check_store": "roles",
    "check_terminal": "roles",
    "identity": "identity",
    "join": "joining",
    "join_now": "service",
    "last_seq": "pushing",
    "link": "connection",
    "list_terminals": "terminals",
    "masked": "identity",
    "open_central": "connection",
    "pending": "documents",
    "pull": "pulling",
    "pull_now": "service",
    "push": "pushing",
    "push_now": "service",
    "receive": "central",
    "register_terminal": "terminals",
    "role_name": "roles",
    "role_script": "roles",
    "role_sql": "roles",
    "run_once": "service",
    "scram_verifier": "roles",
    "status": "status",
    "terminal_high_water": "central",
    "terminal_state": "terminals",
    "waiting": "pushing",
    "waiting_on_close": "status",
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
    "DocumentsWaiting",
    "Identity",
    "JoinResult",
    "LedgerRule",
    "NotJoined",
    "OutboxRecord",
    "PullResult",
    "PushResult",
    "Receipt",
    "RunResult",
    "SequenceConflict",
    "SyncStatus",
    "TerminalState",
    "Waiting",
    "age_text",
    "apply_role",
    "body_of",
    "central_tx",
    "check_close",
    "check_store",
    "check_terminal",
    "identity",
    "join",
    "join_now",
    "last_seq",
    "link",
    "list_terminals",
    "masked",
    "open_central",
    "pending",
    "pull",
    "pull_now",
    "push",
    "push_now",
    "receive",
    "register_terminal",
    "role_name",
    "role_script",
    "role_sql",
    "run_once",
    "scram_verifier",
    "status",
    "terminal_high_water",
    "terminal_state",
    "waiting",
    "waiting_on_close",
]

if TYPE_CHECKING:
    from pos_tui.core.sync import identity, status
    from pos_tui.core.sync.central import (
        receive,
        terminal_high_water,
    )
    from pos_tui.core.sync.connection import (
        central_tx,
        link,
        open_central,
    )
    from pos_tui.core.sync.documents import (
        LEDGER_OF,
        REFERENCE_KEYS,
        LedgerRule,
        body_of,
        pending,
    )
    from pos_tui.core.sync.identity import (
        masked,
    )
    from pos_tui.core.sync.joining import (
        JoinResult,
        join,
    )
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
    from pos_tui.core.sync.pulling import (
        pull,
    )
    from pos_tui.core.sync.pushing import (
        last_seq,
        push,
        waiting,
    )
    from pos_tui.core.sync.roles import (
        apply_role,
        check_store,
        check_terminal,
        role_name,
        role_script,
        role_sql,
        scram_verifier,
    )
    from pos_tui.core.sync.service import (
        RunResult,
        join_now,
        pull_now,
        push_now,
        run_once,
    )
    from pos_tui.core.sync.status import (
        DocumentsWaiting,
        Waiting,
        age_text,
        check_close,
        waiting_on_close,
    )
    from pos_tui.core.sync.terminals import (
        TerminalState,
        list_terminals,
        register_terminal,
        terminal_state,
    )
else:  # type checkers read the imports above instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)
