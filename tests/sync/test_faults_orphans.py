"""A hold left at the centre by a sale that never posted (issue 15, section 2; found by the
redemption chaos test, docs/sync-faults.md).

The till holds a redemption at the centre before the sale posts; when the posting then fails, or
the till dies, and the release cannot reach the centre, the local hold record stays and
``sync.release_orphans`` is meant to give the hold back later (guard.py says so). Nothing calls
it: not the sync pass the till's worker and ``pos-admin sync run`` make (``service.run_once``),
not the push. So the member's balance at the centre stays reduced by the hold for good, on every
terminal that pulls it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from faults_proxy import FaultProxy
from pull_support import MEMBER_CARD, seed_centre
from push_support import Centre
from sync_support import PG_URL

from pos_tui.core import staff, sync
from pos_tui.core.loyalty import ledger
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres


def _open_holds(centre: Centre) -> list[tuple[object, ...]]:
    return centre.all(
        'SELECT document, ledger, "key", amount FROM sync_hold WHERE settled_at IS NULL AND released_at IS NULL'
    )


def _points(centre: Centre) -> int:
    row = centre.one('SELECT amount FROM sync_balance WHERE ledger = %s AND "key" = %s', ("points", MEMBER_CARD))
    return int(row[0])


def _orphan(central_url: str, settings: Settings, now: datetime, proxy: FaultProxy) -> Centre:
    """A joined terminal whose member has 600 points at the centre, then a hold of 100 of them
    for a sale that does not post, released while the line is down."""
    seed_centre(central_url, settings, now)
    sync.join(proxy.url(central_url), "T1", "S1", now, settings)
    admin = staff.actor_by_name("admin", settings=settings)
    member = m.Member.get(m.Member.card == MEMBER_CARD).id
    ledger.adjust(member, 600, "opening", actor=admin, now=now, terminal="T1")
    sync.push(now)
    sync.pull(now)
    centre = Centre(central_url)
    assert _points(centre) == 600

    held = sync.check_redemption("points", MEMBER_CARD, -100, document="sale-never-posted", now=now, settings=settings)
    assert held is not None and held.online
    assert _points(centre) == 500
    # the posting fails and the line is down when the till gives the hold back (guard_sale does
    # exactly this when complete_sale's write transaction raises): the release cannot happen now
    proxy.drop()
    assert sync.cancel_holds("sale-never-posted", now=now) is False
    proxy.heal()
    connection.forget()
    connection.mark(True)
    return centre


def test_the_sync_pass_gives_back_a_hold_whose_sale_never_posted(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    assert PG_URL
    with FaultProxy.for_url(PG_URL) as proxy:
        centre = _orphan(central_url, settings, now, proxy)
        # Well past the grace period, the till's worker (and pos-admin sync run) makes its passes.
        for minutes in (10, 20, 90):
            done = sync.run_once(now + timedelta(minutes=minutes), settings)
            assert done.online and done.error is None
    try:
        assert _open_holds(centre) == []  # FAILS: the hold stays open at the centre
        assert _points(centre) == 600
    finally:
        centre.close()
        connection.forget()


def test_release_orphans_itself_gives_it_back(
    central_url: str, db: object, db_path: Path, settings: Settings, now: datetime
) -> None:
    """The function exists and works when called: the fix is to call it (see the test above)."""
    assert PG_URL
    with FaultProxy.for_url(PG_URL) as proxy:
        centre = _orphan(central_url, settings, now, proxy)
        assert sync.release_orphans(now + timedelta(minutes=10)) == 1
    try:
        assert _open_holds(centre) == []
        assert _points(centre) == 600
    finally:
        centre.close()
        connection.forget()
