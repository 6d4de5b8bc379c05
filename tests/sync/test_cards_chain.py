"""Two joined terminals enrolling members and selling gift cards offline (docs/sync.md, "Shared
rows"): generated card numbers never clash across the chain; a clash made by hand (the same
typed card or gift card code on two tills) is a conflict at the centre, nothing is overwritten
there, the documents and their ledger rows are still received, and ``sync reconcile`` lists it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from tiers_support import Chain, at, make_chain

from pos_tui.core import staff, sync
from pos_tui.core.kernel.clock import to_db
from pos_tui.core.loyalty import giftcards, members, terminal_card
from pos_tui.core.sync import connection
from pos_tui.settings import Settings
from pos_tui.store import models as m

pytestmark = pytest.mark.postgres
D = Decimal
DAY = date(2026, 9, 20)
CLASH = "KART-0042"


@pytest.fixture
def chain(db: object, settings: Settings, tmp_path: Path, central_url: str) -> Iterator[Chain]:
    connection.forget()
    yield make_chain(central_url, settings, tmp_path / "t2.sqlite3", at(DAY, 9))
    connection.forget()


def _enrol(chain: Chain, terminal: str, name: str, phone: str, hour: int, card: str | None = None) -> str:
    with chain.on(terminal):
        return members.enroll(
            name=name, phone=phone, card=card, source="till", actor=None, now=at(DAY, hour), terminal=terminal
        ).card


def _members(chain: Chain, terminal: str | None) -> dict[str, str]:
    if terminal is None:
        return {card: name for card, name in chain.central("SELECT card, name FROM member")}
    with chain.on(terminal):
        return {card: name for card, name in m.Member.select(m.Member.card, m.Member.name).tuples()}


def _conflicts(chain: Chain) -> list[tuple[str, str, str, str]]:
    return list(
        chain.central("SELECT ledger, key, terminal, note FROM sync_overdraft WHERE kind = 'conflict' ORDER BY id")
    )


def test_two_tills_enrolling_offline_give_distinct_cards_that_reach_everyone(chain: Chain) -> None:
    one = _enrol(chain, "T1", "Kasa Bir Müşteri", "0532 111 22 44", 10)
    two = _enrol(chain, "T2", "Kasa İki Müşteri", "0532 444 55 66", 10)
    blocks = chain.central("SELECT terminal, series::json ->> 'card_block' FROM sync_terminal ORDER BY terminal")
    assert blocks == [("T1", "1"), ("T2", "2")]
    assert (one, two) == (terminal_card(1, 1), terminal_card(2, 1))
    chain.sync_all(at(DAY, 11))
    for where in (None, "T1", "T2"):
        found = _members(chain, where)
        assert (found[one], found[two]) == ("Kasa Bir Müşteri", "Kasa İki Müşteri"), where
    assert _conflicts(chain) == []
    # the next member of T2 goes on in its own block, past what the pull brought
    assert _enrol(chain, "T2", "Kasa İki Yeni", "0532 444 55 77", 12) == terminal_card(2, 2)


def test_a_terminal_joined_before_card_blocks_gets_one_on_its_pull(chain: Chain) -> None:
    with chain.on("T2"):
        sync.identity.put({"card_block": None})
        assert sync.cards.card_block() is None
    chain.pull("T2", at(DAY, 10))
    with chain.on("T2"):
        assert sync.cards.card_block() == 2  # the centre's answer is the same block again


def test_the_same_typed_card_on_two_tills_is_a_conflict_and_overwrites_nobody(
    chain: Chain, cli: Callable[..., Any]
) -> None:
    _enrol(chain, "T1", "Kasa Bir Müşteri", "0532 111 22 44", 10, card=CLASH)
    _enrol(chain, "T2", "Kasa İki Müşteri", "0532 444 55 66", 11, card=CLASH)
    with chain.on("T2"):  # T2 edits its member before it hears of the clash
        mine = m.Member.get(m.Member.card == CLASH).id
        members.update_member(mine, email="iki@example.com", actor=None, now=at(DAY, 11, 30), terminal="T2")
    for terminal in ("T1", "T2"):
        assert chain.push(terminal, at(DAY, 12)).waiting == 0  # every document received
    assert chain.central("SELECT name, phone, email FROM member WHERE card = %s", (CLASH,)) == [
        ("Kasa Bir Müşteri", "+905321112244", None)
    ]
    found = _conflicts(chain)
    assert [(ledger, key, terminal) for ledger, key, terminal, _note in found] == [
        ("member", CLASH, "T2"),
        ("member", CLASH, "T2"),  # the edit too: still the other person
    ]
    note = found[0][3]
    assert "Kasa Bir Müşteri" in note and "Kasa İki Müşteri" in note and "+905324445566" in note
    t2_docs = chain.central("SELECT count(*) FROM sync_document WHERE terminal = 'T2'")[0][0]
    with chain.on("T2"):
        assert t2_docs == m.SyncOutbox.select().count()

    # T2 pulls: the centre's member wins there too (documented); T2's later edits are of that member
    chain.pull("T2", at(DAY, 13))
    assert _members(chain, "T2")[CLASH] == "Kasa Bir Müşteri"
    with chain.on("T2"):
        members.update_member(mine, email="bir@example.com", actor=None, now=at(DAY, 14), terminal="T2")
    chain.push("T2", at(DAY, 14))
    assert chain.central("SELECT email FROM member WHERE card = %s", (CLASH,)) == [("bir@example.com",)]
    assert len(_conflicts(chain)) == 2

    rows = json.loads(cli("--db", chain.url, "sync", "reconcile", "--json").stdout)["rows"]
    shown = [(r["kind"], r["ledger"], r["key"], r["terminal"]) for r in rows]
    assert shown == [("conflict", "member", CLASH, "T2")] * 2


def test_the_same_gift_card_code_sold_on_two_tills_is_a_conflict(chain: Chain) -> None:
    for terminal, amount, hour in (("T1", "100.00", 10), ("T2", "50.00", 11)):
        with chain.on(terminal):
            actor = staff.actor_by_name("ayse", settings=chain.settings)
            giftcards.issue_card(
                D(amount), actor=actor, now=at(DAY, hour), terminal=terminal, code="HEDIYE01", method="card"
            )
    for terminal in ("T1", "T2"):
        assert chain.push(terminal, at(DAY, 12)).waiting == 0
    issued = chain.central("SELECT issued_at FROM gift_card WHERE code = 'HEDIYE01'")
    assert issued == [(to_db(at(DAY, 10)),)]  # T1's card, sold first
    found = _conflicts(chain)
    assert [(ledger, key, terminal) for ledger, key, terminal, _note in found] == [("gift_card", "HEDIYE01", "T2")]
    assert "20.09.2026 10:00" in found[0][3] and "20.09.2026 11:00" in found[0][3]
    # both sales' entries were received: the money of T2's card lands on the centre's one
    assert chain.central(
        "SELECT terminal, amount FROM sync_ledger WHERE ledger = 'gift_card' AND key = 'HEDIYE01' ORDER BY terminal"
    ) == [("T1", 10000), ("T2", 5000)]
    assert chain.central("SELECT amount FROM sync_balance WHERE ledger = 'gift_card' AND key = 'HEDIYE01'") == [
        (15000,)
    ]


def test_customers_add_on_two_joined_tills_in_real_processes(chain: Chain, db_path: Path, tmp_path: Path) -> None:
    """The newcomer's steps: ``pos-admin customers add`` on T1 and on T2 print two different cards."""
    repo = Path(__file__).resolve().parent.parent.parent
    env = {**os.environ, "PYTHONPATH": str(repo), "POS_LANG": "tr", "POS_CONFIG": str(repo / "config" / "pos.toml")}
    cards = []
    for terminal, name, phone in (
        ("T1", "Kasa Bir Müşteri", "0532 111 22 44"),
        ("T2", "Kasa İki Müşteri", "0532 444 55 66"),
    ):
        file = chain.files.get(terminal, db_path)
        run = subprocess.run(
            [sys.executable, "-m", "pos_tui.cli.app", "customers", "add", "--name", name, "--phone", phone],
            capture_output=True,
            text=True,
            env={**env, "POS_DB": str(file), "POS_HOME": str(tmp_path / terminal), "POS_TERMINAL": terminal},
            cwd=repo,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
        found = re.search(r"(\d{13}) kartıyla kaydedildi", run.stdout + run.stderr)
        assert found is not None, run.stdout + run.stderr
        cards.append(found.group(1))
    assert cards == [terminal_card(1, 1), terminal_card(2, 1)]
