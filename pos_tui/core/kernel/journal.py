"""The tamper-evident journal.

Every posted document and every sensitive action (void, override, cash movement, shift,
Z) appends one entry whose ``hash = sha256(prev_hash + payload)``, where ``payload`` is the
canonical JSON of the document: keys sorted, no spaces, UTF-8, amounts as strings with two
decimals. The head (last id and hash) is also kept in ``meta_entry`` so that cutting off
the tail is noticed. :func:`verify` lives in :mod:`pos_tui.core.audit`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pos_tui.core.kernel.clock import to_db
from pos_tui.store import fast
from pos_tui.store import models as m

ADMIN_TERMINAL = "admin"  # the terminal journal entries of pos-admin carry
GENESIS = "0" * 64
HEAD_KEY = "journal_head"


def canonical(payload: Any) -> str:
    """Canonical JSON: the exact bytes that are hashed. Callers pass amounts as strings."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload_text: str) -> str:
    return hashlib.sha256((prev_hash + payload_text).encode("utf-8")).hexdigest()


def append(
    kind: str, payload: dict[str, Any], *, terminal: str, now: datetime, ref: str | None = None
) -> m.JournalEntry:
    """Append one entry. Must be called inside the caller's write transaction, so the entry
    and the document it records commit or roll back together. The head row is locked while
    the chain grows (on SQLite ``BEGIN IMMEDIATE`` already serialises writers)."""
    head = fast.select_first(m.MetaEntry, ("value",), {"key": HEAD_KEY}, for_update=True)
    prev_hash = head[0].split(":", 1)[1] if head else GENESIS
    text = canonical(payload)
    digest = chain_hash(prev_hash, text)
    at = to_db(now)
    values = {"at": at, "terminal": terminal, "kind": kind, "ref": ref, "payload": text, "prev_hash": prev_hash}
    entry_id = fast.insert_one(m.JournalEntry, {**values, "hash": digest})
    value = f"{entry_id}:{digest}"
    if head:
        fast.update_where(m.MetaEntry, {"value": value}, {"key": HEAD_KEY})
    else:
        fast.insert_many(m.MetaEntry, ("key", "value"), [(HEAD_KEY, value)])
    return m.JournalEntry(id=entry_id, hash=digest, **values)
