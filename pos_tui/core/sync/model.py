"""Values the sync area takes and returns (docs/sync.md)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pos_tui.core.kernel.errors import PosError, StateError

# The ledgers the centre sums (SyncLedger.ledger) and what their key and place are.
STOCK, POINTS, WALLET, GIFT_CARD, ACCOUNT, STAMPS, COUPON, TIER, CHEQUE = (
    "stock",  # key: product code, place: location code, amount: milli-units
    "points",  # key: member card, amount: points
    "wallet",  # key: member card, amount: kuruş (store credit)
    "gift_card",  # key: gift card code, amount: kuruş
    "account",  # key: party code, amount: kuruş (> 0: the party owes the shop)
    "stamps",  # key: member card, place: stamp card code, amount: stamps
    "coupon",  # key: coupon code, amount: uses
    "tier",  # key: member card, amount 0 (a tier change: data only)
    "cheque",  # key: the cheque's global name, amount 0 (an event: data only)
)
LEDGERS = (STOCK, POINTS, WALLET, GIFT_CARD, ACCOUNT, STAMPS, COUPON, TIER, CHEQUE)


class NotJoined(StateError):
    """This database is no terminal of a centre (``pos-admin sync init`` joins it)."""


class CentralUnreachable(PosError):
    """The central PostgreSQL cannot be reached (or stopped answering): documents stay queued."""


class SequenceConflict(PosError):
    """The centre already holds a different document under a terminal's sequence number: the
    terminal runs on an old backup (its sequence went backwards). Nothing is overwritten."""


@dataclass(frozen=True, slots=True)
class Identity:
    """Who this database is to the centre (kept in ``meta_entry``)."""

    terminal: str
    store: str
    central: str  # the PostgreSQL URL (its password is never shown: :func:`masked`)


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """One outbox record as it travels: ``body`` is its JSON text (docs/sync.md, "The body")."""

    seq: int
    uid: str
    at: datetime
    kind: str
    hash: str
    body: str


@dataclass(frozen=True, slots=True)
class Receipt:
    """What the centre answered a batch: ``high_water`` is the terminal's contiguous sequence
    received; ``inserted`` the documents written now; ``duplicates`` those it had already."""

    high_water: int
    inserted: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class PushResult:
    sent: int
    inserted: int
    duplicates: int
    high_water: int
    waiting: int  # still queued after the push


@dataclass(frozen=True, slots=True)
class PullResult:
    revision: int  # the central revision the master data is now at
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written
    tombstones: int = 0
    ledger_rows: int = 0  # other terminals' ledger rows taken in
    balances: int = 0
    notes: tuple[str, ...] = ()  # what could not be taken as it came (a deleted row kept, a clash), as shown


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status line and ``sync status`` show; read from the local database only."""

    joined: bool
    terminal: str | None
    store: str | None
    central: str | None  # masked URL
    online: bool | None  # None: not tried yet
    waiting: int  # outbox records not acknowledged
    oldest_at: datetime | None  # the oldest waiting record's time
    high_water: int
    last_seq: int
    last_push_at: datetime | None
    last_pull_at: datetime | None
    last_error: str | None
