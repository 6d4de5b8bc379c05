"""Redemptions across terminals: points, store credit, gift cards and on-account credit
(docs/sync.md, "Loyalty, credit and gift cards across terminals"; docs/sync-guard.md).

**Online**, a terminal takes what a sale will redeem from the centre's balance before it posts
(:func:`check_redemption` → :func:`hold`): one central transaction, one guarded ``UPDATE … WHERE
<bound> RETURNING``, so two terminals can never overdraw one member, card or account together. The
hold (``sync_hold``, the sale's uid as ``document``) is settled when the sale's document reaches the
centre (:func:`settle_holds`, called by the push's receive) or released (:func:`release`) when the
sale never posts.

**Offline** (the centre cannot be reached) the terminal allows at most :func:`offline_allowance`:

    allowed = min(S − U, L − D)       (account: min(C − S − U, L − D))

``S`` the last synced balance (the local ``sync_balance`` row the pull writes, 0 without one), ``U``
what this terminal took from it in documents the centre had not counted when ``S`` was read
(its own rows in outbox records after the balance mark), ``L`` the daily offline limit
(``[sync] offline_*_per_day``), ``D`` what this terminal redeemed today for that key without a
confirmed online hold, ``C`` the account's credit limit. docs/sync-guard.md has the numbers.

**Reconciliation** (:func:`reconciliation`, on the centre): what went beyond a bound after the
offline documents arrived, conflicts, balances beyond their bound now, holds left open.

Single-database shops (no identity: never joined a centre) are not touched: every terminal-side
function returns at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from peewee import Case, Database, fn

from pos_tui.core.kernel.clock import SHOP_TZ, day_bounds, from_db, iso, shop_day, to_db
from pos_tui.core.kernel.errors import StateError, ValidationError
from pos_tui.core.kernel.formatting import format_decimal, format_money
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.sync import connection
from pos_tui.core.sync import identity as ident
from pos_tui.core.sync.model import ACCOUNT, COUPON, GIFT_CARD, POINTS, STAMPS, WALLET, CentralUnreachable
from pos_tui.i18n import _
from pos_tui.settings import Settings, SyncSettings
from pos_tui.store import database, fast, is_sqlite, rows, write_tx
from pos_tui.store import models as m
from pos_tui.store.outbox import REVISION_LOCK

# Ledgers a redemption takes from (amount + delta >= 0) and the one it adds to (amount + delta <=
# the credit limit).
FLOOR_LEDGERS = (POINTS, WALLET, GIFT_CARD, STAMPS)
GUARDED = (POINTS, WALLET, GIFT_CARD, ACCOUNT, STAMPS)
# A hold open this long at the centre is shown by the reconciliation report.
STALE_HOLD = timedelta(hours=1)
# A terminal's own hold whose sale did not post locally within this is released (the till
# crashed between the hold and the posting, or the release after a failed posting was offline).
ORPHAN_GRACE = timedelta(minutes=5)
# Local hold records are kept this long after their sale posted (the daily offline count).
KEEP_LOCAL = timedelta(days=2)
# The meta key the pull sets with the balances: this terminal's high-water at the centre in the
# same snapshot (every own document up to it is inside the balances). Without it: sync_high_water.
BALANCE_MARK = "balance_high_water"

# Overdraft kinds (sync_overdraft.kind) and the report's own kinds.
OVERDRAFT, CONFLICT, BEYOND, OPEN_HOLD = "overdraft", "conflict", "balance", "hold"


class CentreRefused(ValidationError):
    """The centre's balance does not cover the redemption (or the account's credit limit would be
    passed): the sale is refused online; nothing was taken."""

    def __init__(self, message: str, *, ledger: str, key: str, balance: int, delta: int, limit: int | None) -> None:
        super().__init__(message)
        self.ledger, self.key, self.balance, self.delta, self.limit = ledger, key, balance, delta, limit


class OfflineLimit(ValidationError):
    """The centre cannot be reached and the redemption is beyond the offline bound."""

    def __init__(self, message: str, allowance: Allowance, asked: int) -> None:
        super().__init__(message)
        self.allowance, self.asked = allowance, asked


@dataclass(frozen=True, slots=True)
class Allowance:
    """The offline bound of one key, every figure in the ledger's unit (points, kuruş).

    ``synced`` S (the last synced balance), ``unsynced`` U (this terminal's use the centre had not
    counted in S), ``limit`` L (per shop day), ``today`` D (redeemed offline today here),
    ``credit_limit`` C (accounts only), ``allowed`` = min(S − U, L − D) (account:
    min(C − S − U, L − D); with ``unbounded`` — a supervisor's override — L − D), never below 0."""

    ledger: str
    key: str
    place: str
    synced: int
    unsynced: int
    limit: int
    today: int
    credit_limit: int | None
    allowed: int

    def as_json(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "key": self.key,
            "place": self.place,
            "synced": self.synced,
            "unsynced": self.unsynced,
            "limit": self.limit,
            "today": self.today,
            "credit_limit": self.credit_limit,
            "allowed": self.allowed,
        }


@dataclass(frozen=True, slots=True)
class Redemption:
    """What :func:`check_redemption` did: ``online`` True (the centre holds ``delta``; its balance
    after is ``balance``) or False (allowed offline within ``allowance``)."""

    ledger: str
    key: str
    place: str
    delta: int
    online: bool
    balance: int | None = None
    allowance: Allowance | None = None


@dataclass(frozen=True, slots=True)
class HoldInfo:
    """A ``sync_hold`` row (centre)."""

    document: str
    ledger: str
    key: str
    place: str
    amount: int
    terminal: str
    at: datetime
    settled_at: datetime | None
    released_at: datetime | None

    def as_json(self, tz: str) -> dict[str, Any]:
        """The hold as JSON; its times in the shop's zone ``tz`` with its offset."""
        return {
            "document": self.document,
            "ledger": self.ledger,
            "key": self.key,
            "place": self.place,
            "amount": self.amount,
            "terminal": self.terminal,
            "at": iso(self.at, tz),
            "settled_at": None if self.settled_at is None else iso(self.settled_at, tz),
            "released_at": None if self.released_at is None else iso(self.released_at, tz),
        }


@dataclass(frozen=True, slots=True)
class ReconciliationRow:
    """One line of the reconciliation report. ``kind``: ``overdraft`` (an offline document took a
    balance beyond its bound; ``balance`` after it), ``conflict`` (a shared row the centre could not
    apply; ``note`` says why), ``balance`` (a balance beyond its bound now), ``hold`` (a hold open
    for more than an hour: its sale never arrived). Amounts in the ledger's unit."""

    ledger: str
    key: str
    place: str
    balance: int | None
    document: str | None
    terminal: str | None
    at: datetime | None
    kind: str
    note: str | None

    def as_json(self, tz: str) -> dict[str, Any]:
        """The row as JSON; its time in the shop's zone ``tz`` with its offset."""
        return {
            "kind": self.kind,
            "ledger": self.ledger,
            "key": self.key,
            "place": self.place,
            "balance": self.balance,
            "document": self.document,
            "terminal": self.terminal,
            "at": None if self.at is None else iso(self.at, tz),
            "note": self.note,
        }


# --------------------------------------------------------------------------- wording


def amount_text(ledger: str, amount: int) -> str:
    """``amount`` of ``ledger`` as a person reads it: ``120 puan``, ``45,50 TL``, ``3 pul``."""
    if ledger == POINTS:
        return _("{n} points").format(n=format_decimal(amount))
    if ledger == STAMPS:
        return _("{n} stamps").format(n=format_decimal(amount))
    return _("{amount} TL").format(amount=format_money(from_kurus(amount)))


def _check_delta(ledger: str, delta: int) -> None:
    if ledger not in GUARDED:
        raise ValueError(f"no guard for ledger {ledger!r}")
    if (ledger == ACCOUNT and delta < 0) or (ledger != ACCOUNT and delta > 0):
        raise ValueError(f"a {ledger} redemption moves the balance the other way, not by {delta}")


def _refusal(ledger: str, key: str, balance: int, delta: int, limit: int | None) -> CentreRefused:
    if ledger == ACCOUNT:
        assert limit is not None
        text = _(
            "The centre refuses the sale on account {code}: balance at the centre {balance} + this sale {amount} = "
            "{after}; credit limit {limit}"
        ).format(
            code=key,
            balance=format_money(from_kurus(balance)),
            amount=format_money(from_kurus(delta)),
            after=format_money(from_kurus(balance + delta)),
            limit=format_money(from_kurus(limit)),
        )
    elif ledger == GIFT_CARD:
        text = _("Not enough on the gift card at the centre: {balance} there, {asked} asked for").format(
            balance=amount_text(ledger, balance), asked=amount_text(ledger, -delta)
        )
    else:
        text = _("Not enough at the centre: {balance} there, {asked} asked for").format(
            balance=amount_text(ledger, balance), asked=amount_text(ledger, -delta)
        )
    return CentreRefused(text, ledger=ledger, key=key, balance=balance, delta=delta, limit=limit)


# --------------------------------------------------------------------------- centre


def _one(db: Database, sql: str, params: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    row = db.execute_sql(sql, params).fetchone()
    return None if row is None else tuple(row)


def _lock(db: Database) -> None:
    """Balances get revisions (terminals pull by them): writers take turns, as master writers do."""
    db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (REVISION_LOCK,))


def central_credit_limit(db: Database, code: str) -> int | None:
    """The credit limit (kuruş) of the party ``code`` at the centre, None if the centre has no such party."""
    row = _one(db, "SELECT credit_limit FROM party WHERE code = %s", (code,))
    return None if row is None else int(row[0])


def hold(
    db: Database,
    document: str,
    ledger: str,
    key: str,
    delta: int,
    *,
    place: str = "",
    terminal: str,
    now: datetime,
    limit: int | None = None,
    unbounded: bool = False,
) -> int:
    """Take ``delta`` from (points, store credit, gift card, stamps: ``delta`` < 0) or put it on
    (account: ``delta`` > 0) the centre's balance of ``(ledger, key, place)`` for the sale
    ``document`` (its uid), in one central transaction; returns the balance after.

    The bound is checked in the one ``UPDATE`` that moves the balance, under the row lock, so two
    terminals can never pass it together: ``amount + delta >= 0``, or for an account ``amount + delta
    <= limit`` (``limit``, else the centre's credit limit of the party ``key``). ``unbounded`` (a
    supervisor's override at the till) holds without the bound. A refusal is
    :class:`CentreRefused` with the centre's figures; nothing is written then. Calling it again for
    the same (document, ledger, key, place) changes nothing and returns the balance."""
    _check_delta(ledger, delta)

    def work() -> int:
        with connection.central_tx(db):
            _lock(db)
            done = _one(
                db,
                "SELECT released_at FROM sync_hold WHERE document = %s AND ledger = %s AND key = %s AND place = %s",
                (document, ledger, key, place),
            )
            if done is not None:
                if done[0] is not None:
                    raise StateError(
                        _("The hold of document {document} was released; post the sale again").format(document=document)
                    )
                return _balance(db, ledger, key, place)
            db.execute_sql(
                "INSERT INTO sync_balance (ledger, key, place, amount, revision) VALUES (%s, %s, %s, 0, NULL) "
                "ON CONFLICT (ledger, key, place) DO NOTHING",
                (ledger, key, place),
            )
            bound = None
            if ledger == ACCOUNT and not unbounded:
                bound = limit if limit is not None else central_credit_limit(db, key)
                if bound is None:
                    raise ValidationError(
                        _("Account {code} is not known at the centre; open it there first").format(code=key)
                    )
            condition, params = "", ()  # type: tuple[str, tuple[Any, ...]]
            if not unbounded:
                if ledger == ACCOUNT:
                    condition, params = " AND amount + %s <= %s", (delta, bound)
                else:
                    condition, params = " AND amount + %s >= 0", (delta,)
            row = _one(
                db,
                "UPDATE sync_balance SET amount = amount + %s, revision = nextval('sync_revision_seq') "
                "WHERE ledger = %s AND key = %s AND place = %s" + condition + " RETURNING amount",
                (delta, ledger, key, place, *params),
            )
            if row is None:
                raise _refusal(ledger, key, _balance(db, ledger, key, place), delta, bound)
            db.execute_sql(
                "INSERT INTO sync_hold (document, ledger, key, place, amount, terminal, at) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (document, ledger, key, place, delta, terminal, to_db(now)),
            )
            return int(row[0])

    return connection.call(db, work)


def _balance(db: Database, ledger: str, key: str, place: str) -> int:
    row = _one(
        db, "SELECT amount FROM sync_balance WHERE ledger = %s AND key = %s AND place = %s", (ledger, key, place)
    )
    return 0 if row is None else int(row[0])


def release(db: Database, document: str, now: datetime) -> int:
    """Put back every hold of ``document`` not yet settled nor released (its sale will never reach
    the centre); returns how many. A settled hold (the sale arrived) is left alone."""

    def work() -> int:
        with connection.central_tx(db):
            _lock(db)
            held = db.execute_sql(
                "SELECT ledger, key, place, amount FROM sync_hold WHERE document = %s "
                "AND settled_at IS NULL AND released_at IS NULL FOR UPDATE",
                (document,),
            ).fetchall()
            for ledger, key, place, amount in held:
                db.execute_sql(
                    "UPDATE sync_balance SET amount = amount - %s, revision = nextval('sync_revision_seq') "
                    "WHERE ledger = %s AND key = %s AND place = %s",
                    (amount, ledger, key, place),
                )
            db.execute_sql(
                "UPDATE sync_hold SET released_at = %s WHERE document = %s AND settled_at IS NULL "
                "AND released_at IS NULL",
                (to_db(now), document),
            )
            return len(held)

    return connection.call(db, work)


def settle_holds(db: Database, documents: list[str], now: datetime) -> dict[tuple[str, str, str], int]:
    """For the push's receive, inside its central transaction (after the advisory lock): mark the
    open holds of the sales ``documents`` (sale uids the arriving document names) settled and
    return what they had applied, per ``(ledger, key, place)``. The receiver then adds
    ``sum(rows) - held`` to each balance the document moves, and ``-held`` to a held balance the
    document does not move (the sale ended up not redeeming it), so a balance is the sum of its
    rows plus the open holds, always."""
    if not documents:
        return {}
    marks = ", ".join(["%s"] * len(documents))
    found = db.execute_sql(
        f"UPDATE sync_hold SET settled_at = %s WHERE document IN ({marks}) AND settled_at IS NULL "
        "AND released_at IS NULL RETURNING ledger, key, place, amount",
        (to_db(now), *documents),
    ).fetchall()
    held: dict[tuple[str, str, str], int] = {}
    for ledger, key, place, amount in found:
        held[(ledger, key, place)] = held.get((ledger, key, place), 0) + int(amount)
    return held


def beyond_bound(db: Database, ledger: str, key: str, amount: int) -> bool:
    """Is ``amount`` (a balance of ``ledger``/``key`` at the centre) beyond its bound? Points, store
    credit, gift cards and stamps below 0; an account above its credit limit. For the receiver
    recording an overdraft."""
    if ledger in FLOOR_LEDGERS:
        return amount < 0
    if ledger == ACCOUNT:
        limit = central_credit_limit(db, key)
        return limit is not None and amount > limit
    return False


def open_holds(db: Database, *, older_than: datetime | None = None) -> list[HoldInfo]:
    """The centre's holds neither settled nor released (``older_than``: taken before it), oldest first."""
    sql = (
        "SELECT document, ledger, key, place, amount, terminal, at, settled_at, released_at FROM sync_hold "
        "WHERE settled_at IS NULL AND released_at IS NULL"
    )
    params: tuple[Any, ...] = ()
    if older_than is not None:
        sql += " AND at < %s"
        params = (to_db(older_than),)
    found = connection.call(db, lambda: db.execute_sql(sql + " ORDER BY at, document", params).fetchall())
    return [_hold_info(row) for row in found]


def holds_of(db: Database, document: str) -> list[HoldInfo]:
    """Every hold of ``document`` at the centre (settled, released or open)."""
    found = connection.call(
        db,
        lambda: db.execute_sql(
            "SELECT document, ledger, key, place, amount, terminal, at, settled_at, released_at FROM sync_hold "
            "WHERE document = %s ORDER BY ledger, key, place",
            (document,),
        ).fetchall(),
    )
    return [_hold_info(row) for row in found]


def _aware(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return from_db(value) if value.tzinfo is None else value


def _hold_info(row: tuple[Any, ...]) -> HoldInfo:
    document, ledger, key, place, amount, terminal, at, settled, released = row
    at_ = _aware(at)
    assert at_ is not None
    return HoldInfo(
        str(document),
        str(ledger),
        str(key),
        str(place),
        int(amount),
        str(terminal),
        at_,
        _aware(settled),
        _aware(released),
    )


def reconciliation(
    db: Database, *, since: datetime | None = None, now: datetime | None = None
) -> list[ReconciliationRow]:
    """What the centre could not keep within a bound, never hidden: every ``sync_overdraft`` row
    (overdrafts and conflicts, from ``since`` on), every balance beyond its bound now (points,
    store credit, gift cards, stamps below 0; accounts above their credit limit, coupons used more
    often than they may be), and every hold
    open for more than an hour before ``now`` (the centre's clock without it). Sorted by time,
    the current balances last."""

    def work() -> list[ReconciliationRow]:
        out: list[ReconciliationRow] = []
        sql = "SELECT kind, ledger, key, place, balance, document, terminal, at, note FROM sync_overdraft"
        params: tuple[Any, ...] = ()
        if since is not None:
            sql += " WHERE at >= %s"
            params = (to_db(since),)
        for kind, ledger, key, place, balance, document, terminal, at, note in db.execute_sql(
            sql + " ORDER BY at, id", params
        ).fetchall():
            out.append(
                ReconciliationRow(
                    str(ledger),
                    str(key),
                    str(place or ""),
                    None if balance is None else int(balance),
                    document,
                    terminal,
                    _aware(at),
                    str(kind),
                    note,
                )
            )
        cutoff: tuple[Any, ...]
        if now is not None:
            cutoff_sql, cutoff = "at < %s", (to_db(now - STALE_HOLD),)
        else:
            cutoff_sql, cutoff = "at < (now() AT TIME ZONE 'UTC') - interval '1 hour'", ()
        for row in db.execute_sql(
            "SELECT document, ledger, key, place, amount, terminal, at, settled_at, released_at FROM sync_hold "
            f"WHERE settled_at IS NULL AND released_at IS NULL AND {cutoff_sql} ORDER BY at, document",
            cutoff,
        ).fetchall():
            h = _hold_info(tuple(row))
            out.append(
                ReconciliationRow(
                    h.ledger,
                    h.key,
                    h.place,
                    h.amount,
                    h.document,
                    h.terminal,
                    h.at,
                    OPEN_HOLD,
                    _("its sale has not arrived"),
                )
            )
        floors = ", ".join(["%s"] * len(FLOOR_LEDGERS))
        for ledger, key, place, amount in db.execute_sql(
            f"SELECT ledger, key, place, amount FROM sync_balance WHERE ledger IN ({floors}) AND amount < 0 "
            "ORDER BY ledger, key, place",
            FLOOR_LEDGERS,
        ).fetchall():
            out.append(
                ReconciliationRow(
                    str(ledger),
                    str(key),
                    str(place),
                    int(amount),
                    None,
                    None,
                    None,
                    BEYOND,
                    _("below zero"),
                )
            )
        for key, place, amount, limit in db.execute_sql(
            "SELECT b.key, b.place, b.amount, p.credit_limit FROM sync_balance b JOIN party p ON p.code = b.key "
            "WHERE b.ledger = %s AND b.amount > p.credit_limit ORDER BY b.key",
            (ACCOUNT,),
        ).fetchall():
            out.append(
                ReconciliationRow(
                    ACCOUNT,
                    str(key),
                    str(place),
                    int(amount),
                    None,
                    None,
                    None,
                    BEYOND,
                    _("{over} TL over the credit limit {limit} TL").format(
                        over=format_money(from_kurus(int(amount) - int(limit))),
                        limit=format_money(from_kurus(int(limit))),
                    ),
                )
            )
        for key, amount, uses in db.execute_sql(
            "SELECT b.key, b.amount, c.max_uses FROM sync_balance b JOIN coupon c ON c.code = b.key "
            "WHERE b.ledger = %s AND c.max_uses IS NOT NULL AND b.amount > c.max_uses ORDER BY b.key",
            (COUPON,),
        ).fetchall():
            out.append(
                ReconciliationRow(
                    COUPON,
                    str(key),
                    "",
                    int(amount),
                    None,
                    None,
                    None,
                    BEYOND,
                    _("used {n} times; it may be used {uses}").format(
                        n=format_decimal(int(amount)), uses=format_decimal(int(uses))
                    ),
                )
            )
        return out

    return connection.call(db, work)


@contextmanager
def central_database() -> Iterator[Database]:
    """The centre, for the reports and a manager's actions: the store's own database when it is the
    centre (``pos-admin --db postgresql://… sync reconcile``), else the centre this terminal
    joined (a connection of its own, closed after). :class:`NotJoined` for a terminal that never joined."""
    if not is_sqlite():
        yield cast(Database, database)  # the proxy, bound to the centre
        return
    db = connection.open_central(ident.require().central, application="pos_tui-reports")
    try:
        yield db
    finally:
        with suppress(Exception):
            db.close()


# --------------------------------------------------------------------------- terminal


def joined() -> bool:
    """Has this database joined a centre? One indexed read: the till asks it on every sale."""
    return fast.select_first(m.MetaEntry, ("value",), {"key": ident.PREFIX + "central"}) is not None


def _sync_settings(settings: Settings | SyncSettings | None) -> SyncSettings:
    if settings is None:
        return SyncSettings()
    return settings.sync if isinstance(settings, Settings) else settings


def daily_limit(ledger: str, settings: Settings | SyncSettings | None) -> int | None:
    """``[sync] offline_*_per_day`` for ``ledger`` (None: no daily limit, stamps)."""
    s = _sync_settings(settings)
    return {
        POINTS: s.offline_points_per_day,
        WALLET: s.offline_wallet_per_day,
        GIFT_CARD: s.offline_gift_card_per_day,
        ACCOUNT: s.offline_on_account_per_day,
    }.get(ledger)


@dataclass(frozen=True, slots=True)
class _Source:
    """Where a ledger's rows are on the terminal: the table, its amount column, the owner column,
    the owner's table and key column, the redemption kinds."""

    table: type[m.BaseModel]
    amount: str
    owner: str
    owner_table: type[m.BaseModel]
    owner_key: str
    kinds: tuple[str, ...]


_SOURCES: dict[str, _Source] = {
    POINTS: _Source(m.PointsEntry, "points", "member", m.Member, "card", ("redeem",)),
    WALLET: _Source(m.WalletEntry, "amount", "member", m.Member, "card", ("spend",)),
    GIFT_CARD: _Source(m.GiftCardEntry, "amount", "card", m.GiftCard, "code", ("spend",)),
    ACCOUNT: _Source(m.AccountEntry, "amount", "party", m.Party, "code", ("sale",)),
}


def _owner_id(src: _Source, key: str) -> int | None:
    row = fast.select_first(src.owner_table, ("id",), {src.owner_key: key})
    return None if row is None else int(row[0])


def _synced(ledger: str, key: str, place: str) -> int:
    row = fast.select_first(m.SyncBalance, ("amount",), {"ledger": ledger, "key": key, "place": place})
    return 0 if row is None else int(row[0])


def balance_mark() -> int:
    """The last own outbox ``seq`` the synced balances include (docs/sync-guard.md)."""
    value = ident.get(BALANCE_MARK)
    return int(value) if value else ident.int_value("high_water")


def _uses(ledger: str, column: Any) -> Any:
    """The use a row makes of a balance, as a positive number (0 for a row that gives to it)."""
    if ledger == ACCOUNT:
        return Case(None, [(column > 0, column)], 0)
    return Case(None, [(column < 0, 0 - column)], 0)


def _unsynced(ledger: str, owner: int) -> int:
    """U: this terminal's use of the balance in its outbox records after the balance mark (every
    row the outbox carries is this terminal's own: the pull's rows are never captured)."""
    src = _SOURCES[ledger]
    E: Any = src.table
    C = m.SyncCapture
    amount = getattr(E, src.amount)
    query = (
        E.select(fn.COALESCE(fn.SUM(_uses(ledger, amount)), 0))
        .join(C, on=((C.row_id == E.id) & (C.tbl == E._meta.table_name)))
        .where((C.outbox > balance_mark()) & (getattr(E, src.owner) == owner))
    )
    return int(query.scalar() or 0)


def _offline_today(ledger: str, owner: int, key: str, terminal: str, day_start: datetime, day_end: datetime) -> int:
    """D: what this terminal's sales redeemed for ``key`` on the shop day without a hold the
    centre confirmed (the local ``sync_hold`` record with ``settled_at`` set)."""
    src = _SOURCES[ledger]
    E: Any = src.table
    S, H = m.Sale, m.SyncHold
    amount = getattr(E, src.amount)
    confirmed = H.select(H.document).where(
        (H.document == S.uid) & (H.ledger == ledger) & (H.key == key) & H.settled_at.is_null(False)
    )
    query = (
        E.select(fn.COALESCE(fn.SUM(_uses(ledger, amount)), 0))
        .join(S, on=(E.sale == S.id))
        .where(
            (getattr(E, src.owner) == owner)
            & E.kind.in_(src.kinds)
            & (E.at >= to_db(day_start))
            & (E.at < to_db(day_end))
            & (S.terminal == terminal)
            & ~fn.EXISTS(confirmed)
        )
    )
    return int(query.scalar() or 0)


def offline_allowance(
    ledger: str,
    key: str,
    *,
    now: datetime,
    settings: Settings | SyncSettings | None,
    place: str = "",
    terminal: str | None = None,
    tz: str = SHOP_TZ,
    unbounded: bool = False,
) -> Allowance:
    """What this terminal may redeem for ``key`` now while the centre cannot be reached (the
    module docstring and docs/sync-guard.md give the formula). Reads the local database only."""
    if ledger not in GUARDED:
        raise ValueError(f"no guard for ledger {ledger!r}")
    if terminal is None:
        terminal = ident.require().terminal
    synced = _synced(ledger, key, place)
    limit = daily_limit(ledger, settings)
    src = _SOURCES.get(ledger)
    owner = None if src is None else _owner_id(src, key)
    unsynced = today = 0
    if owner is not None:
        unsynced = _unsynced(ledger, owner)
        start, end = day_bounds(shop_day(now, tz), tz)
        today = _offline_today(ledger, owner, key, terminal, start, end)
    credit = None
    if ledger == ACCOUNT:
        row = fast.select_first(m.Party, ("credit_limit",), {"code": key})
        credit = 0 if row is None else int(row[0])
        by_balance = None if unbounded else credit - synced - unsynced
    else:
        by_balance = synced - unsynced
    by_day = None if limit is None else limit - today
    bounds = [b for b in (by_balance, by_day) if b is not None]
    allowed = max(min(bounds), 0) if bounds else 0
    return Allowance(ledger, key, place, synced, unsynced, limit or 0, today, credit, allowed)


def _offline_message(a: Allowance, asked: int) -> str:
    what = amount_text
    if a.ledger == ACCOUNT:
        figures = _(
            "credit limit {credit}, {synced} owed at the last sync, {unsynced} put on it here since; "
            "{today} of today's offline limit {limit} used"
        ).format(
            credit=what(ACCOUNT, a.credit_limit or 0),
            synced=what(ACCOUNT, a.synced),
            unsynced=what(ACCOUNT, a.unsynced),
            today=what(ACCOUNT, a.today),
            limit=what(ACCOUNT, a.limit),
        )
    else:
        figures = _(
            "{synced} at the last sync, {unsynced} used here since; {today} of today's offline limit {limit} used"
        ).format(
            synced=what(a.ledger, a.synced),
            unsynced=what(a.ledger, a.unsynced),
            today=what(a.ledger, a.today),
            limit=what(a.ledger, a.limit),
        )
    return _(
        "The centre cannot be reached (offline): at most {allowed} may be used for {key} now ({figures}); "
        "{asked} asked for"
    ).format(allowed=what(a.ledger, a.allowed), key=a.key, figures=figures, asked=what(a.ledger, asked))


def _record_local(document: str, ledger: str, key: str, place: str, delta: int, terminal: str, now: datetime) -> None:
    H = m.SyncHold
    with write_tx():
        H.insert(
            document=document, ledger=ledger, key=key, place=place, amount=delta, terminal=terminal, at=to_db(now)
        ).on_conflict_ignore().execute()


def _local_where(document: str, ledger: str | None = None, key: str | None = None, place: str = "") -> Any:
    H = m.SyncHold
    where = H.document == document
    if ledger is not None:
        where &= (H.ledger == ledger) & (H.key == key) & (H.place == place)
    return where


def check_redemption(
    ledger: str,
    key: str,
    delta: int,
    *,
    document: str,
    now: datetime,
    settings: Settings | SyncSettings | None,
    place: str = "",
    tz: str = SHOP_TZ,
    unbounded: bool = False,
) -> Redemption | None:
    """Before a sale that redeems ``delta`` of ``(ledger, key, place)`` posts (call it outside the
    local write transaction: it may wait for the network). ``document`` is the sale's uid.

    Not joined: None at once (a single-database shop). Online: the centre holds ``delta``
    (:func:`hold`), or refuses with :class:`CentreRefused`. The centre cannot be reached: allowed
    within :func:`offline_allowance`, else :class:`OfflineLimit`. The hold is recorded locally
    first, so a crash before the sale posts is undone by :func:`release_orphans`; when the posting
    fails, call :func:`cancel_holds`."""
    if delta == 0:
        return None
    identity = ident.identity()
    if identity is None:
        return None
    _check_delta(ledger, delta)
    H = m.SyncHold

    def offline() -> Redemption:
        allowance = offline_allowance(
            ledger, key, now=now, settings=settings, place=place, terminal=identity.terminal, tz=tz, unbounded=unbounded
        )
        asked = abs(delta)
        if asked > allowance.allowed:
            raise OfflineLimit(_offline_message(allowance, asked), allowance, asked)
        return Redemption(ledger, key, place, delta, False, allowance=allowance)

    try:
        db = connection.link(identity.central, fast=True)
    except CentralUnreachable:
        return offline()  # never reached: nothing to record
    _record_local(document, ledger, key, place, delta, identity.terminal, now)
    try:
        balance = hold(
            db, document, ledger, key, delta, place=place, terminal=identity.terminal, now=now, unbounded=unbounded
        )
    except CentralUnreachable:
        # The line dropped while the centre was asked: the hold may have been taken. The record
        # stays unconfirmed (settled_at empty), so the sale counts as offline; if the hold did
        # reach the centre, the sale settles it on arrival, or release_orphans gives it back when
        # the sale never posts.
        return offline()
    except BaseException:
        with write_tx():  # refused (or a fault before the centre answered): nothing is held there
            H.delete().where(_local_where(document, ledger, key, place) & H.settled_at.is_null()).execute()
        raise
    with write_tx():
        H.update(settled_at=to_db(now)).where(_local_where(document, ledger, key, place)).execute()
    return Redemption(ledger, key, place, delta, True, balance=balance)


def cancel_holds(document: str, *, now: datetime) -> bool:
    """The sale ``document`` did not post: give its holds back at the centre and forget them
    locally. Returns False when the centre could not be reached (the local records stay;
    :func:`release_orphans` retries later). Not joined: True at once."""
    identity = ident.identity()
    if identity is None:
        return True
    H = m.SyncHold
    if fast.select_first(H, ("document",), {"document": document}) is None:
        return True
    try:
        db = connection.link(identity.central, fast=True)
        release(db, document, now)
    except CentralUnreachable:
        return False
    with write_tx():
        H.delete().where(_local_where(document)).execute()
    return True


def release_orphans(now: datetime, *, grace: timedelta = ORPHAN_GRACE) -> int:
    """Give back at the centre every hold this terminal took for a sale that never posted here
    (taken more than ``grace`` before ``now``: a crash between the hold and the posting, a release
    that found the centre offline); forget the local records of posted sales after two days.
    Returns how many documents were released. Raises :class:`CentralUnreachable` when the centre
    cannot be reached (call it from the push or status path). Not joined: 0."""
    identity = ident.identity()
    if identity is None:
        return 0
    H, S = m.SyncHold, m.Sale
    cutoff = to_db(now - grace)
    posted = S.select(S.id).where(S.uid == H.document)
    orphans = sorted(
        {str(d) for (d,) in rows(H.select(H.document).where((H.at < cutoff) & ~fn.EXISTS(posted)).distinct())}
    )
    released = 0
    if orphans:
        db = connection.link(identity.central)
        for document in orphans:
            release(db, document, now)
            with write_tx():
                H.delete().where(_local_where(document)).execute()
            released += 1
    with write_tx():
        H.delete().where((H.at < to_db(now - KEEP_LOCAL)) & fn.EXISTS(posted)).execute()
    return released


def local_holds() -> Iterator[HoldInfo]:
    """This terminal's hold records (``settled_at``: when the centre confirmed the hold; empty:
    taken offline or not yet answered)."""
    H = m.SyncHold
    query = H.select(H.document, H.ledger, H.key, H.place, H.amount, H.terminal, H.at, H.settled_at, H.released_at)
    for row in rows(query.order_by(H.at, H.document)):
        yield _hold_info(tuple(row))
