"""The terminal's side of a push: send what the outbox holds beyond the acknowledgement, in
batches, each taken by the centre in one transaction (:func:`pos_tui.core.sync.central.receive`).

Nothing local is ever deleted or changed: acknowledged means ``seq <= sync_high_water``. A batch
whose answer is lost (a timeout after the centre committed) is simply sent again: the centre
keeps each document once. Before sending, the terminal's last sequence is compared with what the
centre already received: below it, this file is an old backup and nothing is sent.

(The module is not called ``push``: the package's front door exports the function by that name.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from typing import Any

from pos_tui.core.sync import central, connection, documents, identity
from pos_tui.core.sync.model import CentralUnreachable, NotJoined, OutboxRecord, PushResult, SequenceConflict
from pos_tui.i18n import _
from pos_tui.store import database, in_transaction, is_sqlite
from pos_tui.store import models as m

Read = list[tuple[OutboxRecord, dict[str, Any]]]

DEFAULT_BATCH = 500


def last_seq() -> int:
    """The terminal's last outbox sequence (0: nothing posted yet)."""
    found = m.SyncOutbox.select(m.SyncOutbox.seq).order_by(m.SyncOutbox.seq.desc()).limit(1).scalar()
    return int(found or 0)


def waiting() -> int:
    """Outbox records the centre has not acknowledged."""
    mark = identity.int_value("high_water")
    return int(m.SyncOutbox.select().where(m.SyncOutbox.seq > mark).count())


def _went_back(terminal: str, last: int, centre: int) -> SequenceConflict:
    return SequenceConflict(
        _(
            "This terminal's sequence went backwards: restored from a backup? Its last document is {last}, "
            "the centre already has {centre} from terminal '{terminal}'. Nothing was sent; the documents stay here"
        ).format(last=last, centre=centre, terminal=terminal)
    )


@contextmanager
def _reader(size: int) -> Iterator[Callable[[int], Callable[[], Read]]]:
    """``read(after)`` starts reading the ``size`` records after ``after`` (their bodies built) and
    gives what waits for them. On a SQLite file, outside a transaction, a thread of its own
    reads (its own connection: WAL readers see what is committed) while the centre takes the
    batch before; otherwise the records are read when asked for."""
    if not is_sqlite() or in_transaction() or getattr(database.obj, "database", ":memory:") == ":memory:":
        yield lambda after: partial(documents.pending_read, size, after)
        return
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-push-read")

    def read(after: int) -> Callable[[], Read]:
        future: Future[Read] = pool.submit(documents.pending_read, size, after)
        return future.result

    try:
        yield read
    finally:
        pool.submit(database.close).exception()  # the reading thread's own connection
        pool.shutdown(wait=True)


def push(now: datetime, *, batch: int = DEFAULT_BATCH, url: str | None = None) -> PushResult:
    """Send every unacknowledged outbox record to the centre (``url``: the joined one's by
    default), ``batch`` records per central transaction. Raises NotJoined, CentralUnreachable
    (the state is recorded, the records stay queued) or SequenceConflict."""
    ident = identity.require()
    central_url = url or ident.central
    size = max(1, batch)
    sent = inserted = duplicates = 0
    try:
        db = connection.link(central_url)
        centre = connection.call(db, lambda: central.terminal_high_water(db, ident.terminal))
        last = last_seq()
        if last < centre:
            raise _went_back(ident.terminal, last, centre)
        # from the acknowledgement; from the centre's mark when it is behind it (the centre lost
        # documents it had acknowledged: they are sent again, nothing here was deleted)
        after = min(identity.int_value("high_water"), centre)
        mark = after
        with _reader(size) as read:
            upcoming = read(after)
            while True:
                got = upcoming()
                if not got:
                    break
                records = [record for record, _body in got]
                bodies = [body for _record, body in got]
                upcoming = read(records[-1].seq)  # built while the centre takes this batch
                # a batch the centre aborted to break a deadlock (a master edit of the same member
                # at the same moment) is simply sent again
                receipt = connection.retrying(partial(central.receive, db, ident.terminal, records, now, bodies=bodies))
                sent += len(records)
                inserted += receipt.inserted
                duplicates += receipt.duplicates
                after = records[-1].seq
                mark = min(receipt.high_water, after)
                stamp = identity.stamp(now)
                identity.put(
                    {
                        "high_water": str(mark),
                        "last_push": stamp,
                        "last_contact": stamp,
                        "online": "1",
                        "last_error": None,
                    }
                )
        if not sent:
            stamp = identity.stamp(now)
            identity.put({"high_water": str(mark), "last_contact": stamp, "online": "1", "last_error": None})
    except CentralUnreachable as exc:
        identity.put({"online": "0", "last_error": str(exc)})
        raise
    except (SequenceConflict, NotJoined) as exc:
        identity.put({"online": "1", "last_contact": identity.stamp(now), "last_error": str(exc)})
        raise
    return PushResult(sent=sent, inserted=inserted, duplicates=duplicates, high_water=mark, waiting=waiting())
