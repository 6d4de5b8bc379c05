"""Hold periods, expiry and tiers across two terminals of a chain (docs/sync-tiers.md), with the
real join, push and pull: a member who spends 3.000 TL at T1 and 3.000 TL at T2 reaches the
5.000 TL tier on both terminals and at the centre; a return counts in its receipt's window
wherever it is read; a lot earned at T1 is pending and then available at T2 on the same days;
each terminal expires only its own lots, so after both ran ``loyalty run`` and synced no lot is
expired twice and the centre's points equal each terminal's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from tiers_support import CARD, TZ, Chain, at, make_chain

from pos_tui.core.loyalty import jobs, ledger, members, rules, tiers
from pos_tui.core.sync import connection
from pos_tui.settings import Settings, SyncSettings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
D = Decimal
START = date(2026, 9, 20)
NOV = date(2026, 11, 1)
LOYALTY = SyncSettings(loyalty_jobs=True)  # T1: the chain's loyalty terminal
OTHER = SyncSettings()  # T2


@pytest.fixture
def chain(db: object, settings: Settings, tmp_path: Path, central_url: str) -> Iterator[Chain]:
    connection.forget()
    yield make_chain(central_url, settings, tmp_path / "t2.sqlite3", at(START))
    connection.forget()


def _spend(as_of: date) -> Decimal:
    return tiers.qualifying_spend(m.Member.get(m.Member.card == CARD).id, rules.active_program(), as_of=as_of, tz=TZ)


def _member_tier() -> tuple[str | None, date | None]:
    row = m.Member.get(m.Member.card == CARD)
    return row.tier_code, row.tier_until


def _run(chain: Chain, terminal: str, day: date, settings: SyncSettings) -> jobs.RunReport:
    with chain.on(terminal):
        return jobs.run(
            as_of=day, now=at(day, 3), program=rules.active_program(), tz=TZ, terminal=terminal, sync_settings=settings
        )


def test_spend_at_two_terminals_reaches_the_tier_on_both_and_at_the_centre(chain: Chain) -> None:
    chain.sell("T1", 25, at(date(2026, 10, 10)))  # 3.000,00 TL
    chain.sell("T2", 25, at(date(2026, 10, 20)))  # 3.000,00 TL
    for terminal in ("T1", "T2"):  # before the sync each terminal knows its own half only
        with chain.on(terminal):
            assert _spend(NOV) == D("3000.00")
            progress = tiers.progress(chain.member_id(), rules.active_program(), as_of=date(2026, 10, 25), tz=TZ)
            assert (progress.spend, progress.needed) == (D("3000.00"), D("2000.00"))

    chain.sync_all(at(date(2026, 10, 31), 22))

    for terminal in ("T1", "T2"):
        with chain.on(terminal):
            assert _spend(NOV) == D("6000.00")
            progress = tiers.progress(chain.member_id(), rules.active_program(), as_of=date(2026, 10, 25), tz=TZ)
            assert (progress.spend, progress.next, progress.needed) == (D("6000.00"), None, None)
    with chain.centre():  # the centre sells nothing itself: it counts the terminals' spend rows
        assert _spend(NOV) == D("6000.00")
        assert tiers.spend_by_member(date(2026, 10, 1), date(2026, 10, 31), as_of=NOV, tz=TZ) == {
            chain.member_id(): D("6000.00")
        }

    # The night of 1 November: T2 is not the loyalty terminal, so it leaves the tier alone ...
    other = _run(chain, "T2", NOV, OTHER)
    assert other.tiers_from_centre and other.members_evaluated == 0
    assert other.as_json()["tiers"]["from_centre"] is True
    with chain.on("T2"):
        assert _member_tier() == (None, None)
        assert m.TierChange.select().count() == 0
    # ... T1 decides it from the chain's spend
    decided = _run(chain, "T1", NOV, LOYALTY)
    assert (decided.tier_upgrades, decided.tiers_from_centre) == (1, False)
    with chain.on("T1"):
        assert _member_tier() == ("altin", date(2026, 11, 30))

    chain.sync_all(at(NOV, 4))

    with chain.on("T2"):  # the member's tier came down with the pull of member
        assert _member_tier() == ("altin", date(2026, 11, 30))
        assert [(t.from_code, t.to_code) for t in m.TierChange.select()] == [(None, "altin")]
        assert _run(chain, "T2", NOV, OTHER).tier_upgrades == 0
    assert chain.central("SELECT tier_code, tier_until FROM member WHERE card = %s", (CARD,)) == [
        ("altin", date(2026, 11, 30))
    ]
    assert chain.central("SELECT terminal, COUNT(*) FROM sync_ledger WHERE ledger = 'tier' GROUP BY 1") == [("T1", 1)]
    # the spend rows are kept, never summed into a balance
    assert chain.central("SELECT terminal, amount FROM sync_ledger WHERE ledger = 'spend' ORDER BY terminal") == [
        ("T1", 300_000),
        ("T2", 300_000),
    ]
    assert chain.central("SELECT COUNT(*) FROM sync_balance WHERE ledger = 'spend'") == [(0,)]
    assert chain.central("SELECT COUNT(*) FROM sync_overdraft") == [(0,)]
    # pulling again takes nothing twice
    with chain.on("T2"):
        before = m.SyncLedger.select().count()
    chain.pull("T2", at(NOV, 5))
    with chain.on("T2"):
        assert m.SyncLedger.select().count() == before == 1
        assert _spend(NOV) == D("6000.00")


def test_a_return_counts_in_the_window_of_its_receipt_everywhere(chain: Chain) -> None:
    receipt = chain.sell("T1", 25, at(date(2026, 10, 30)))  # 3.000,00 TL in October
    chain.sell("T2", 25, at(date(2026, 10, 20)))  # 3.000,00 TL in October
    chain.sell("T2", 10, at(date(2026, 11, 2)))  # 1.200,00 TL in November
    chain.give_back("T1", receipt, 10, at(date(2026, 11, 3)))  # 1.200,00 TL of the October receipt back
    chain.sync_all(at(date(2026, 11, 3), 20))

    for place in ("T1", "T2", "centre"):
        with chain.centre() if place == "centre" else chain.on(place):
            # October, read as it was on 1 November (the return was not posted yet) and after it
            assert _spend(NOV) == D("6000.00")
            assert _spend(date(2026, 11, 3)) == D("4800.00")
            # November's own spend is not touched by the return of an October receipt
            assert _spend(date(2026, 12, 1)) == D("1200.00")
    assert chain.central(
        "SELECT amount, data::json ->> 'return_of_at' FROM sync_ledger WHERE ledger = 'spend' AND amount < 0"
    ) == [(-120_000, "2026-10-30T09:00:00")]


def test_a_return_of_a_receipt_elsewhere_counts_in_its_receipts_window(chain: Chain) -> None:
    """The ``spend`` row of a return carries its receipt's time: a row as another terminal sends
    it (posted on 3 November, of a receipt of 20 October) lowers October here, not November."""
    chain.sell("T1", 50, at(date(2026, 10, 10)))  # 6.000,00 TL in October
    chain.sell("T1", 10, at(date(2026, 11, 2)))  # 1.200,00 TL in November
    chain.central(
        "INSERT INTO sync_ledger (origin, document, terminal, store, tbl, ledger, key, place, amount, at, data) "
        "VALUES ('T2:sale:9', 'doc-9', 'T2', 'S1', 'sale', 'spend', %s, '', -150000, %s, %s)",
        (
            CARD,
            datetime(2026, 11, 3, 9, 0),
            json.dumps(
                {
                    "member": CARD,
                    "sale": "return-at-t2",
                    "kind": "return",
                    "at": "2026-11-03T09:00:00",
                    "total": 150000,
                    "return_of": "receipt-at-t2",
                    "return_of_at": "2026-10-20T09:00:00",
                }
            ),
        ),
    )
    chain.pull("T1", at(date(2026, 11, 3), 20))
    with chain.on("T1"):
        assert _spend(NOV) == D("6000.00")  # as it was on 1 November
        assert _spend(date(2026, 11, 4)) == D("4500.00")
        assert _spend(date(2026, 12, 1)) == D("1200.00")
        assert tiers.spend_by_member(date(2026, 10, 1), date(2026, 10, 31), as_of=date(2026, 11, 4), tz=TZ) == {
            chain.member_id(): D("4500.00")
        }


def test_a_lot_earned_at_t1_is_pending_and_available_at_t2_on_the_same_days(chain: Chain) -> None:
    chain.sell("T1", 25, at(date(2026, 10, 10)))  # 30 points, pending 15 days
    chain.sync_all(at(date(2026, 10, 10), 20))
    days = [date(2026, 10, 10), date(2026, 10, 24), date(2026, 10, 25), date(2026, 11, 24), date(2026, 11, 25)]
    seen = {}
    for terminal in ("T1", "T2"):
        with chain.on(terminal):
            seen[terminal] = [ledger.balance(chain.member_id(), as_of=day, tz=TZ) for day in days]
    assert seen["T1"] == seen["T2"]
    assert [(b.pending, b.available) for b in seen["T2"]] == [(30, 0), (30, 0), (0, 30), (0, 30), (0, 0)]
    assert chain.central("SELECT amount FROM sync_balance WHERE ledger = 'points' AND key = %s", (CARD,)) == [(30,)]


def test_each_terminal_expires_its_own_lots_once_and_the_centre_agrees(chain: Chain) -> None:
    chain.sell("T1", 25, at(date(2026, 10, 10)))  # 30 points: usable 25 Oct – 24 Nov
    chain.sell("T2", 50, at(date(2026, 10, 12)))  # 60 points: usable 27 Oct – 26 Nov
    chain.sync_all(at(date(2026, 10, 12), 20))
    day = date(2026, 12, 1)
    # both terminals run the night job before they sync again: each expires its own lot only
    assert _run(chain, "T1", day, LOYALTY).expired_entries == 1
    assert _run(chain, "T2", day, OTHER).expired_entries == 1
    chain.sync_all(at(day, 4))
    for terminal in ("T1", "T2"):  # again after the sync: nothing left to expire anywhere
        assert _run(chain, terminal, day, LOYALTY if terminal == "T1" else OTHER).expired_entries == 0

    expiries = chain.central(
        "SELECT terminal, data::json ->> 'lot', amount FROM sync_ledger "
        "WHERE ledger = 'points' AND data::json ->> 'kind' = 'expire' ORDER BY terminal"
    )
    assert expiries == [("T1", "T1:points_entry:1", -30), ("T2", "T2:points_entry:1", -60)]
    assert chain.central("SELECT amount FROM sync_balance WHERE ledger = 'points' AND key = %s", (CARD,)) == [(0,)]
    for terminal in ("T1", "T2"):
        with chain.on(terminal):
            balance = ledger.balance(chain.member_id(), as_of=day, tz=TZ)
            assert (balance.total, balance.pending, balance.available) == (0, 0, 0)
            kinds = sorted((e.kind, e.points) for e in m.PointsEntry.select())
            assert kinds == [("earn", 30), ("earn", 60), ("expire", -60), ("expire", -30)]
    # the balance the terminals read between the two runs already agreed with the centre's sum
    with chain.on("T2"):
        assert ledger.balance(chain.member_id(), as_of=day - timedelta(days=10), tz=TZ).total == 90


def test_a_member_edited_where_the_new_tier_is_not_yet_known_keeps_the_tier(chain: Chain) -> None:
    chain.sell("T1", 25, at(date(2026, 10, 10)))
    chain.sell("T2", 25, at(date(2026, 10, 20)))
    chain.sync_all(at(date(2026, 10, 31), 22))
    _run(chain, "T1", NOV, LOYALTY)
    assert chain.push("T1", at(NOV, 4)).waiting == 0
    with chain.on("T2"):  # T2 has not pulled the new tier: its copy of the member says none
        assert _member_tier() == (None, None)
        members.update_member(chain.member_id(), email="zeynep@example.com", actor=None, now=at(NOV, 9), tz=TZ)
    assert chain.push("T2", at(NOV, 10)).waiting == 0
    assert chain.central("SELECT tier_code, tier_until, email FROM member WHERE card = %s", (CARD,)) == [
        ("altin", date(2026, 11, 30), "zeynep@example.com")
    ]
    for terminal in ("T1", "T2"):
        chain.pull(terminal, at(NOV, 11))
        with chain.on(terminal):
            assert _member_tier() == ("altin", date(2026, 11, 30))
            assert m.Member.get(m.Member.card == CARD).email == "zeynep@example.com"

    # November's spend renews the term on 1 December: the renewal (no tier change, no journal
    # entry) reaches the centre and T2
    chain.sell("T2", 50, at(date(2026, 11, 15)))
    chain.sync_all(at(date(2026, 11, 30), 22))
    renewed = _run(chain, "T1", date(2026, 12, 1), LOYALTY)
    assert (renewed.tier_terms_extended, renewed.tier_upgrades, renewed.tier_downgrades) == (1, 0, 0)
    chain.sync_all(at(date(2026, 12, 1), 4))
    assert chain.central("SELECT tier_code, tier_until FROM member WHERE card = %s", (CARD,)) == [
        ("altin", date(2026, 12, 31))
    ]
    with chain.on("T2"):
        assert _member_tier() == ("altin", date(2026, 12, 31))
