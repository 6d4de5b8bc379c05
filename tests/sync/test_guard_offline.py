"""The offline bound (docs/sync-guard.md): a joined terminal whose centre cannot be reached redeems
at most min(S − U, L − D) — the last synced balance minus what it used since, and the daily
offline limit minus what it redeemed offline today — and a shop that never joined is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from guard_support import (
    CARD,
    UNREACHABLE,
    Shop,
    credit,
    gift,
    last_seq,
    make_shop,
    on_account,
    pay,
    points,
    set_synced,
)
from sync_support import set_identity

from pos_tui.core import sync
from pos_tui.core.kernel import Override, PermissionDenied
from pos_tui.core.sync import connection, guard
from pos_tui.core.sync import identity as ident
from pos_tui.settings import Settings, SyncSettings
from pos_tui.store import models as m


@pytest.fixture(autouse=True)
def _fresh_link() -> Iterator[None]:
    connection.forget()
    connection.mark(True)
    yield
    connection.forget()
    connection.mark(True)


@pytest.fixture
def shop(db: object, settings: Settings, now: datetime) -> Shop:
    return make_shop(settings, now)


@pytest.fixture
def offline(shop: Shop) -> Shop:
    """The shop joined to a centre nothing answers for."""
    set_identity("T1", "S1", UNREACHABLE)
    return shop


def _redeemed(sale_id: int) -> int:
    E = m.PointsEntry
    return -sum(p for (p,) in E.select(E.points).where((E.sale == sale_id) & (E.kind == "redeem")).tuples())


def test_a_shop_that_never_joined_is_untouched(shop: Shop, now: datetime) -> None:
    assert not sync.joined()
    assert sync.check_redemption("points", CARD, -500, document="x", now=now, settings=None) is None
    result = pay(shop, [points(500), credit("100"), gift("200")], now=now)
    assert _redeemed(result.sale_id) == 500
    assert m.SyncHold.select().count() == 0  # nothing recorded, nothing asked


def test_points_offline_up_to_the_last_synced_balance_minus_what_was_used_here(offline: Shop, now: datetime) -> None:
    set_synced("points", CARD, 600)  # the terminal has 1000 available; the centre said 600
    first = pay(offline, [points(500)], now=now)
    assert _redeemed(first.sale_id) == 500
    with pytest.raises(sync.OfflineLimit) as refused:
        pay(offline, [points(200)], now=now + timedelta(minutes=1))
    a = refused.value.allowance
    assert (a.synced, a.unsynced, a.limit, a.today, a.allowed) == (600, 500, 1000, 500, 100)
    assert "offline" in refused.value.message and "100 points" in refused.value.message
    assert "200 points asked for" in refused.value.message
    assert m.SyncHold.select().where(m.SyncHold.settled_at.is_null(False)).count() == 0
    pay(offline, [points(100)], now=now + timedelta(minutes=2))
    with pytest.raises(sync.OfflineLimit):
        pay(offline, [points(1)], now=now + timedelta(minutes=3))


def test_the_daily_offline_limit_counts_the_shop_day(offline: Shop, now: datetime) -> None:
    limits = SyncSettings(offline_points_per_day=300)
    set_synced("points", CARD, 1000)
    pay(offline, [points(200)], now=now, sync=limits)
    with pytest.raises(sync.OfflineLimit) as refused:
        pay(offline, [points(200)], now=now + timedelta(hours=1), sync=limits)
    assert refused.value.allowance.allowed == 100  # min(1000 − 200, 300 − 200)
    tomorrow = now + timedelta(days=1)
    a = sync.offline_allowance("points", CARD, now=tomorrow, settings=limits, terminal="T1")
    assert (a.unsynced, a.today, a.allowed) == (200, 0, 300)  # a new day: the used points still count in U
    pay(offline, [points(300)], now=tomorrow, sync=limits)


def test_a_push_and_pull_start_the_count_again(offline: Shop, now: datetime) -> None:
    set_synced("points", CARD, 600)
    pay(offline, [points(500)], now=now)
    assert sync.offline_allowance("points", CARD, now=now, settings=None, terminal="T1").allowed == 100
    # the centre acknowledged everything and the pull brought the balance with the sale in it
    ident.put({"high_water": str(last_seq()), guard.BALANCE_MARK: str(last_seq())})
    set_synced("points", CARD, 100)
    a = sync.offline_allowance("points", CARD, now=now, settings=None, terminal="T1")
    assert (a.synced, a.unsynced, a.today, a.allowed) == (100, 0, 500, 100)


def test_without_the_pulls_mark_the_acknowledged_sequence_counts(offline: Shop, now: datetime) -> None:
    set_synced("points", CARD, 600)
    pay(offline, [points(500)], now=now)
    ident.put({"high_water": str(last_seq())})
    assert sync.offline_allowance("points", CARD, now=now, settings=None, terminal="T1").unsynced == 0


def test_nothing_synced_means_nothing_offline(offline: Shop, now: datetime) -> None:
    with pytest.raises(sync.OfflineLimit) as refused:
        pay(offline, [points(10)], now=now)
    assert refused.value.allowance.allowed == 0
    assert m.Sale.select().count() == 0


def test_store_credit_and_gift_cards_offline(offline: Shop, now: datetime) -> None:
    set_synced("wallet", CARD, 10_000)  # 100,00 TL at the centre; the terminal sees 300,00
    set_synced("gift_card", offline.gift, 50_000)
    with pytest.raises(sync.OfflineLimit) as refused:
        pay(offline, [credit("150")], now=now)
    assert refused.value.allowance.allowed == 10_000
    pay(offline, [credit("100"), gift("300")], now=now)
    with pytest.raises(sync.OfflineLimit) as refused:
        pay(offline, [gift("300")], now=now)
    assert refused.value.allowance.allowed == 20_000  # 500 − 300 used here
    assert m.Sale.select().count() == 1


def test_a_refused_second_redemption_leaves_nothing_held(offline: Shop, now: datetime) -> None:
    set_synced("points", CARD, 1000)
    set_synced("wallet", CARD, 0)
    with pytest.raises(sync.OfflineLimit):
        pay(offline, [points(100), credit("10")], now=now)
    assert m.SyncHold.select().count() == 0
    assert m.Sale.select().count() == 0


def test_on_account_offline_credit_limit_and_daily_limit(offline: Shop, now: datetime) -> None:
    books = offline.books
    set_synced("account", "BAKKAL", 80_000)  # 800,00 owed at the centre; the limit is 1.000,00
    with pytest.raises(PermissionDenied) as denied:
        pay(offline, [on_account("300")], now=now, member=False)
    assert denied.value.permission == "credit_limit"
    assert "offline" in denied.value.message
    pay(offline, [on_account("200")], now=now, member=False)
    override = Override(books.mehmet, "PIN")
    pay(offline, [on_account("300")], now=now, member=False, override=override)  # the supervisor passes the limit
    with pytest.raises(sync.OfflineLimit):  # … but not the daily offline limit: 1.000 − 500 used today
        pay(offline, [on_account("600")], now=now, member=False, override=override)
    a = sync.offline_allowance("account", "BAKKAL", now=now, settings=None, terminal="T1")
    assert (a.credit_limit, a.synced, a.unsynced, a.today, a.allowed) == (100_000, 80_000, 50_000, 50_000, 0)


def test_a_centre_never_reached_leaves_no_hold_record(offline: Shop, now: datetime) -> None:
    set_synced("points", CARD, 1000)
    pay(offline, [points(100)], now=now)
    assert list(sync.local_holds()) == []  # the sale counts as offline: no confirmed hold names it
    a = sync.offline_allowance("points", CARD, now=now, settings=None, terminal="T1")
    assert (a.unsynced, a.today) == (100, 100)


def test_the_offline_message_in_turkish(offline: Shop, now: datetime) -> None:
    from pos_tui.i18n import set_language

    set_synced("points", CARD, 50)
    set_language("tr")
    with pytest.raises(sync.OfflineLimit) as refused:
        pay(offline, [points(80)], now=now)
    assert "50 puan" in refused.value.message
