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

from pos_tui.core.clock import to_db
from pos_tui.store import is_sqlite
from pos_tui.store import models as m

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
    and the document it records commit or roll back together."""
    query = m.MetaEntry.select().where(m.MetaEntry.key == HEAD_KEY)
    if not is_sqlite():  # SQLite's BEGIN IMMEDIATE already serialises writers
        query = query.for_update()
    head = query.first()
    prev_hash = head.value.split(":", 1)[1] if head else GENESIS
    text = canonical(payload)
    digest = chain_hash(prev_hash, text)
    entry = m.JournalEntry.create(
        at=to_db(now), terminal=terminal, kind=kind, ref=ref, payload=text, prev_hash=prev_hash, hash=digest
    )
    value = f"{entry.id}:{digest}"
    if head:
        m.MetaEntry.update(value=value).where(m.MetaEntry.key == HEAD_KEY).execute()
    else:
        m.MetaEntry.create(key=HEAD_KEY, value=value)
    return entry
