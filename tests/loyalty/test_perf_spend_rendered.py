"""The member's spend read in one statement rendered once (``tiers._spend_in``, what counting
the current receipt and the progress bar read) gives exactly what the Peewee queries it replaced
gave: members with receipts and returns around the window's edges (shop-local midnights), returns
of receipts inside and outside the window, returns posted after the evaluated day, another
member's documents, and the other terminals' ``spend`` rows for both cards; on SQLite and on
PostgreSQL. The reference below is the previous code, kept verbatim."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jobs_support import TZ, at, cashier, member, program, refund, sale
from peewee import Case, fn

from pos_tui.core.kernel import to_db
from pos_tui.core.kernel.money import from_kurus
from pos_tui.core.loyalty import tiers
from pos_tui.core.sync import SPEND
from pos_tui.store import fast, write_tx
from pos_tui.store import models as m

_origins = itertools.count(1)
OCT = date(2026, 10, 1)


# --------------------------------------------------------------------------- the old queries


def _old_foreign(start: date, end: date, as_of: date, tz: str, card: str) -> dict[str, int]:
    lo, hi, cutoff = (
        tiers._day_start(start, tz),
        tiers._day_start(end + timedelta(days=1), tz),
        tiers._day_start(as_of + timedelta(1), tz),
    )
    L = m.SyncLedger
    where = (L.ledger == SPEND) & (L.at >= lo) & (L.at < cutoff) & ((L.amount < 0) | (L.at < hi)) & (L.key == card)
    found: dict[str, int] = defaultdict(int)
    for key, amount, data in tiers.raw(L.select(L.key, L.amount, L.data).where(where)):
        amount = int(amount)
        if amount < 0:
            row = json.loads(data) if isinstance(data, str) else data
            counted = tiers._stored_time(row.get("return_of_at") or row["at"])
            if not lo <= counted < hi:
                continue
        found[str(key)] += amount
    return found


def old_spend_in(member_id: int, start: date, end: date, as_of: date, tz: str) -> Decimal:
    lo, hi, cutoff = (
        tiers._day_start(start, tz),
        tiers._day_start(end + timedelta(days=1), tz),
        tiers._day_start(as_of + timedelta(1), tz),
    )
    S = m.Sale
    own = (
        S.select(fn.COALESCE(fn.SUM(Case(None, [(S.kind == "return", S.total * -1)], S.total)), 0))
        .where(
            (S.member == member_id)
            & ((S.kind == "sale") | S.return_of.is_null())
            & (S.at >= lo)
            & (S.at < hi)
            & (S.at < cutoff)
        )
        .scalar()
    )
    orig = m.Sale.alias("orig")
    returned = (
        S.select(fn.COALESCE(fn.SUM(S.total), 0))
        .join(orig, on=(S.return_of == orig.id))
        .where((orig.member == member_id) & (S.kind == "return") & (orig.at >= lo) & (orig.at < hi) & (S.at < cutoff))
        .scalar()
    )
    card = fast.select_first(m.Member, ("card",), {"id": member_id})
    foreign = 0 if card is None else _old_foreign(start, end, as_of, tz, str(card[0])).get(str(card[0]), 0)
    return from_kurus(int(own or 0) - int(returned or 0) + foreign)


# --------------------------------------------------------------------------- the documents


def foreign(card: str, amount: int, when: datetime, of: datetime | None = None) -> None:
    """Another terminal's spend row as the pull writes it (tests/sync/test_tiers_local.py)."""
    n = next(_origins)
    data = {
        "member": card,
        "sale": f"perf-t2-{n}",
        "kind": "return" if amount < 0 else "sale",
        "at": to_db(when).isoformat(),
        "total": abs(amount),
        "return_of": None if of is None else f"perf-t2-receipt-{n}",
        "return_of_at": None if of is None else to_db(of).isoformat(),
    }
    with write_tx():
        m.SyncLedger.insert(
            origin=f"T2:perf:{n}", document=f"perf-doc-{n}", terminal="T2", store="S1", tbl="sale",
            ledger=SPEND, key=card, place="", amount=amount, at=to_db(when), data=json.dumps(data),
        ).execute()  # fmt: skip


# Days around October's edges and the evaluated days, at the local day's first and last hour.
DAYS = [date(2026, 9, 30), OCT, date(2026, 10, 15), date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)]
WHEN = st.tuples(st.sampled_from(DAYS), st.sampled_from([(0, 0), (23, 59), (12, 0)]))
DOC = st.tuples(
    st.sampled_from(["sale", "return_of", "return_alone", "foreign_sale", "foreign_return_of", "foreign_return"]),
    st.booleans(),  # the member we read (True) or another one
    WHEN,
    st.integers(1, 500_000),  # kuruş
    st.integers(0, 3),  # the return's delay in days after its receipt
)


def _moment(when: tuple[date, tuple[int, int]]) -> datetime:
    day, (hour, minute) = when
    return at(day, hour, minute)


def seed(docs: list[tuple[str, bool, Any, int, int]], now: datetime) -> int:
    till = cashier(now)
    ours, other = member(at(date(2026, 9, 1))), member(at(date(2026, 9, 1)))
    cards = {mid: str(m.Member.get_by_id(mid).card) for mid in (ours, other)}
    receipts: dict[int, list[tuple[int, datetime]]] = {ours: [], other: []}
    for kind, mine, when, kurus, delay in docs:
        who, moment = (ours if mine else other), _moment(when)
        amount = str(from_kurus(kurus))
        if kind == "sale":
            receipts[who].append((sale(till, moment, amount, who), moment))
        elif kind == "return_of" and receipts[who]:
            receipt, bought = receipts[who][kurus % len(receipts[who])]
            refund(till, bought + timedelta(days=delay), amount, receipt, who)
        elif kind == "return_alone":
            refund(till, moment, amount, None, who)
        elif kind == "foreign_sale":
            foreign(cards[who], kurus, moment)
        elif kind == "foreign_return_of":
            foreign(cards[who], -kurus, moment + timedelta(days=delay), of=moment)
        elif kind == "foreign_return":
            foreign(cards[who], -kurus, moment)
    return ours


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> object:
    return request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=st.lists(DOC, max_size=12), as_of=st.sampled_from([date(2026, 10, 31), date(2026, 11, 1), date(2026, 11, 2)])
)
def test_the_rendered_spend_equals_the_peewee_queries(
    backend: object, now: datetime, docs: list[tuple[str, bool, Any, int, int]], as_of: date
) -> None:
    ours = seed(docs, now)
    for start, end in [(OCT, date(2026, 10, 31)), (date(2026, 11, 1), as_of), (date(2026, 10, 15), as_of)]:
        expected = old_spend_in(ours, start, end, as_of, TZ)
        assert tiers._spend_in(ours, start, end, as_of, TZ) == expected
    prog = program()
    start, end = tiers.filling_window(prog.tier_qualification, as_of)
    assert tiers.receipt_spend(ours, prog, as_of=as_of, tz=TZ) == old_spend_in(ours, start, min(end, as_of), as_of, TZ)


def test_a_known_history_and_the_sql_is_rendered_once(backend: object, now: datetime) -> None:
    """Small numbers by hand: 100 on 1 October at 00:30 local (in), 50 on 30 September at 23:59
    (out), 1 at October's first instant (in, 0.50 of it returned) and 7 at November's (out), a
    return of 30 of the October receipt on 3 November (counts against October when posted by
    the evaluated day), another terminal's 20 and its return of 5 of an October receipt,
    another member's 999. Rendered once: the cache holds the statement's text."""
    till = cashier(now)
    ours, other = member(at(date(2026, 9, 1))), member(at(date(2026, 9, 1)))
    card = str(m.Member.get_by_id(ours).card)
    receipt = sale(till, at(OCT, 0, 30), "100.00", ours)
    sale(till, at(date(2026, 9, 30), 23, 59), "50.00", ours)
    first = sale(till, at(OCT, 0, 0), "1.00", ours)  # the window's first instant: in
    refund(till, at(date(2026, 10, 5)), "0.50", first, ours)  # and half of it back
    sale(till, at(date(2026, 11, 1), 0, 0), "7.00", ours)  # the next window's first instant: out
    refund(till, at(date(2026, 11, 3)), "30.00", receipt, ours)
    sale(till, at(date(2026, 10, 10)), "999.00", other)
    foreign(card, 2000, at(date(2026, 10, 20)))
    foreign(card, -500, at(date(2026, 11, 2)), of=at(date(2026, 10, 20)))
    nov = date(2026, 11, 1)
    assert tiers._spend_in(ours, OCT, date(2026, 10, 31), nov, TZ) == Decimal("120.50")
    assert tiers._spend_in(ours, OCT, date(2026, 10, 31), date(2026, 11, 2), TZ) == Decimal("115.50")
    assert tiers._spend_in(ours, OCT, date(2026, 10, 31), date(2026, 11, 3), TZ) == Decimal("85.50")
    db = m.database.obj
    params = tiers._spend_params(ours, *(tiers._day_start(d, TZ) for d in (OCT, nov, nov)))
    assert db.get_sql_context().sql(tiers._spend_query(*params)).query()[1] == list(params)
    assert (type(db), ("rendered", "tiers.spend", len(params))) in fast._cache
