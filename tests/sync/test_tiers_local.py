"""A member's spend as it travels (docs/sync-tiers.md), without a centre: the ``spend`` row each
sale or return with a member adds to its body; the tiers reading the other terminals' spend rows
(in ``sync_ledger``) by the same rules as the local receipts, set-based and member by member;
and ``loyalty run`` on a terminal of a chain deciding tiers only on the loyalty terminal
(``[sync] loyalty_jobs``), through the service, the command and a real process."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sync_support import set_identity

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "accounts"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "loyalty"))

from accounts_support import make_books
from jobs_support import cashier, member, program, refund, sale

from pos_tui.core import catalog, sync
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.kernel import to_db, zone
from pos_tui.core.loyalty import jobs, price_cart, rules, tiers
from pos_tui.core.loyalty.members.enrolment import enroll
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return
from pos_tui.settings import ConfigError, Settings, SyncSettings, load_settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

D = Decimal
TZ = "Europe/Istanbul"
CARD = "2000000000017"
REPO = Path(__file__).resolve().parents[2]
CENTRE = "postgresql://pos@127.0.0.1:1/nowhere"  # never reached by these tests
RULES = '[tier_qualification]\nwindow = "previous_month"\n[[tiers]]\ncode = "altin"\nname = "Altın"\nmin_spend = 5000\n'
OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)
_origins = itertools.count(1)


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=zone(TZ))


def naive(moment: datetime) -> str:
    return to_db(moment).isoformat()


def spend_rows() -> list[dict[str, Any]]:
    """The ``spend`` rows of every outbox record's body, in order."""
    found = []
    for (seq,) in m.SyncOutbox.select(m.SyncOutbox.seq).order_by(m.SyncOutbox.seq).tuples():
        body = sync.body_of(seq)
        assert body is not None
        found += [row for row in json.loads(body)["rows"] if row["ledger"] == sync.SPEND]
    return found


def foreign(card: str, amount: int, when: datetime, *, of: datetime | None = None) -> None:
    """Another terminal's spend row as the pull writes it into this terminal's sync_ledger."""
    n = next(_origins)
    data = {
        "member": card,
        "sale": f"t2-sale-{n}",
        "kind": "return" if amount < 0 else "sale",
        "at": naive(when),
        "total": abs(amount),
        "return_of": None if of is None else f"t2-receipt-{n}",
        "return_of_at": None if of is None else naive(of),
    }
    with write_tx():
        m.SyncLedger.insert(
            origin=f"T2:sale:{n}",
            document=f"doc-{n}",
            terminal="T2",
            store="S1",
            tbl="sale",
            ledger=sync.SPEND,
            key=card,
            place="",
            amount=amount,
            at=to_db(when),
            data=json.dumps(data),
        ).execute()


# ------------------------------------------------------------------ the body


def test_each_sale_and_return_with_a_member_travels_as_a_spend_row(db: object, settings: Settings) -> None:
    start = at(date(2026, 10, 1))
    books = make_books(settings, start)
    member_id = enroll(name="Zeynep Yılmaz", phone="05321234567", card=CARD, source="cli", actor=None, now=start).id
    set_identity("T1", "S1", CENTRE)

    def sell(pieces: int, when: datetime, member_id: int | None) -> Any:
        cart = Cart().add_product(catalog.get_product("1003"), pieces * 1000)
        cart = price_cart(cart.with_member(member_id) if member_id else cart, now=when, tz=TZ)
        pays = [PaymentInput("cash", cart.totals().total)]
        return complete_sale("T1", books.ayse, pays, now=when, cart=cart, tz=TZ)

    receipt = sell(25, at(date(2026, 10, 30)), member_id)
    sell(3, at(date(2026, 10, 30), 13), None)  # no member: no spend row
    returned = create_return(
        "T1", books.mehmet, receipt.uid, [ReturnLineInput(1, 10_000)], now=at(date(2026, 11, 3)), reason="Bozuk", tz=TZ
    )
    rows = spend_rows()
    sale_id = m.Sale.get(m.Sale.uid == receipt.uid).id
    return_id = m.Sale.get(m.Sale.uid == returned.uid).id
    assert rows == [
        {
            "table": "sale",
            "op": "i",
            "origin": f"T1:sale:{sale_id}",
            "ledger": "spend",
            "key": CARD,
            "place": "",
            "amount": 300_000,
            "data": {
                "member": CARD,
                "sale": receipt.uid,
                "kind": "sale",
                "at": "2026-10-30T09:00:00",
                "total": 300_000,
                "return_of": None,
                "return_of_at": None,
            },
        },
        {
            "table": "sale",
            "op": "i",
            "origin": f"T1:sale:{return_id}",
            "ledger": "spend",
            "key": CARD,
            "place": "",
            "amount": -120_000,
            "data": {
                "member": CARD,
                "sale": returned.uid,
                "kind": "return",
                "at": "2026-11-03T09:00:00",
                "total": 120_000,
                "return_of": receipt.uid,
                "return_of_at": "2026-10-30T09:00:00",
            },
        },
    ]
    # what the rows add up to is what the tiers count here
    prog = rules.parse_program(RULES)
    for day in (NOV, date(2026, 11, 4)):
        counted = sum(r["amount"] for r in rows if r["data"]["at"] < naive(at(day + timedelta(days=1), 0)))
        assert tiers.qualifying_spend(member_id, prog, as_of=day, tz=TZ) == D(counted) / 100


# ------------------------------------------------------------------ the tiers reading them


def test_the_other_terminals_spend_counts_by_the_same_rules(db: object, now: datetime) -> None:
    prog = program(tiers=(program().tiers[2],))  # one tier from 1.500 TL
    till = cashier(now)
    ayse = member(at(date(2026, 9, 1)))
    card = m.Member.get_by_id(ayse).card
    sale(till, at(date(2026, 10, 5)), "1000.00", ayse)
    foreign(card, 60_000, at(date(2026, 10, 20)))  # 600,00 TL at T2 in October
    foreign(card, 90_000, at(date(2026, 11, 1), 1))  # 1 November: counts for November
    assert tiers.qualifying_spend(ayse, prog, as_of=NOV, tz=TZ) == D("1600.00")
    foreign(card, -20_000, at(date(2026, 11, 2)), of=at(date(2026, 10, 20)))  # returned at T2
    assert tiers.qualifying_spend(ayse, prog, as_of=NOV, tz=TZ) == D("1600.00")  # not posted yet on 1 Nov
    assert tiers.qualifying_spend(ayse, prog, as_of=date(2026, 11, 2), tz=TZ) == D("1400.00")
    assert tiers.spend_by_member(OCT, date(2026, 10, 31), as_of=date(2026, 11, 2), tz=TZ) == {ayse: D("1400.00")}
    progress = tiers.progress(ayse, prog, as_of=date(2026, 11, 2), tz=TZ)
    assert progress.spend == D("900.00")
    change = tiers.evaluate_member(ayse, prog, now=at(NOV, 3), tz=TZ)
    assert change is not None and change.to_code == "t15" and change.spend == D("1600.00")


def test_a_member_whose_card_is_not_here_is_left_out(db: object, now: datetime) -> None:
    foreign("2999999999999", 500_000, at(date(2026, 10, 20)))
    assert tiers.spend_by_member(OCT, date(2026, 10, 31), as_of=NOV, tz=TZ) == {}


_docs = st.lists(
    st.tuples(
        st.integers(0, 2),  # member
        st.booleans(),  # at another terminal
        st.integers(-60, 60),  # day relative to 1 November
        st.integers(0, 23),  # hour
        st.integers(1, 500_000),  # kuruş
        st.one_of(st.none(), st.integers(0, 40)),  # a return of a receipt that many days earlier
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    docs=_docs, window=st.sampled_from(["previous_month", "rolling_days", "rolling_months"]), day=st.integers(-20, 40)
)
def test_set_based_and_member_by_member_agree_with_foreign_spend(
    db: object, now: datetime, docs: list[tuple[int, bool, int, int, int, int | None]], window: str, day: int
) -> None:
    """Any mix of local receipts and the other terminals' rows: the grouped read, the read of one
    member and a plain count of the documents give the same spend."""
    prog = program(window=window, length=1 if window == "previous_month" else 30 if window == "rolling_days" else 2)
    till = cashier(now)
    people = [member(at(date(2026, 8, 1))) for _ in range(3)]
    cards = [m.Member.get_by_id(p).card for p in people]
    base = at(NOV)
    expected: list[tuple[int, datetime, datetime, int]] = []  # member, posted, counted, signed kuruş
    for who, elsewhere, offset, hour, kurus, back in docs:
        when = base + timedelta(days=offset, hours=hour - 12)
        of = None if back is None else when - timedelta(days=back)
        amount = kurus if of is None else -kurus
        if elsewhere:
            foreign(cards[who], amount, when, of=of)
        elif of is None:
            sale(till, when, f"{D(kurus) / 100:.2f}", people[who])
        else:
            receipt = sale(till, of, f"{D(kurus) / 100:.2f}", people[who])
            refund(till, when, f"{D(kurus) / 100:.2f}", receipt, people[who])
            expected.append((who, of, of, kurus))
        expected.append((who, when, of or when, amount))
    as_of = NOV + timedelta(days=day)
    start, end = tiers.qualification_window(prog.tier_qualification, as_of)
    lo, hi = at(start, 0), at(end + timedelta(days=1), 0)
    cutoff = at(as_of + timedelta(days=1), 0)
    counted = [0, 0, 0]
    for who, posted, when, amount in expected:
        if posted < cutoff and lo <= when < hi:
            counted[who] += amount
    grouped = tiers.spend_by_member(start, end, as_of=as_of, tz=TZ)
    for who, person in enumerate(people):
        assert tiers.qualifying_spend(person, prog, as_of=as_of, tz=TZ) == D(counted[who]) / 100
        assert grouped.get(person, D("0.00")) == D(counted[who]) / 100


# ------------------------------------------------------------------ who decides the tiers


def _october(now: datetime) -> int:
    till = cashier(now)
    ayse = member(at(date(2026, 9, 1)))
    sale(till, at(date(2026, 10, 5)), "2000.00", ayse)
    return ayse


def test_loyalty_run_decides_tiers_only_on_the_loyalty_terminal(db: object, now: datetime) -> None:
    ayse = _october(now)
    prog = program()
    set_identity("T2", "S1", CENTRE)
    report = jobs.run(as_of=NOV, now=at(NOV, 2), program=prog, tz=TZ, sync_settings=SyncSettings())
    assert report.tiers_from_centre and (report.members_evaluated, report.tier_upgrades) == (0, 0)
    assert report.as_json()["tiers"] == {
        "members": 0,
        "upgrades": 0,
        "downgrades": 0,
        "terms_extended": 0,
        "from_centre": True,
    }
    assert sum(report.messages_queued.values()) == 0
    assert m.Member.get_by_id(ayse).tier_code is None and m.TierChange.select().count() == 0
    assert jobs.run(as_of=NOV, now=at(NOV, 2), program=prog, tz=TZ).tiers_from_centre  # no settings: not it
    decided = jobs.run(as_of=NOV, now=at(NOV, 2), program=prog, tz=TZ, sync_settings=SyncSettings(loyalty_jobs=True))
    assert not decided.tiers_from_centre and decided.tier_upgrades == 1
    assert "from_centre" not in decided.as_json()["tiers"]
    assert m.Member.get_by_id(ayse).tier_code == "t15"


def test_a_shop_that_joined_no_centre_runs_every_step(db: object, now: datetime) -> None:
    ayse = _october(now)
    assert jobs.decides_tiers(None) and jobs.decides_tiers(SyncSettings())
    report = jobs.run(as_of=NOV, now=at(NOV, 2), program=program(), tz=TZ, sync_settings=SyncSettings())
    assert not report.tiers_from_centre and report.tier_upgrades == 1
    assert m.Member.get_by_id(ayse).tier_code == "t15"


def _config(tmp_path: Path, loyalty_jobs: str) -> Path:
    text = (REPO / "config" / "pos.toml").read_text(encoding="utf-8")
    assert "loyalty_jobs = false" in text
    path = tmp_path / "pos-loyalty.toml"
    path.write_text(text.replace("loyalty_jobs = false", f"loyalty_jobs = {loyalty_jobs}"), encoding="utf-8")
    return path


def test_the_setting_is_read_and_checked(tmp_path: Path, settings: Settings) -> None:
    assert settings.sync.loyalty_jobs is False  # config/pos.toml as shipped
    env = {"POS_HOME": str(tmp_path), "POS_DB": str(tmp_path / "x.sqlite3")}
    assert load_settings(env, _config(tmp_path, "true")).sync.loyalty_jobs is True
    with pytest.raises(ConfigError, match=r"sync.loyalty_jobs must be true or false, not 'yes'"):
        load_settings(env, _config(tmp_path, '"yes"'))
    with pytest.raises(ConfigError, match=r"sync.loyalty_jobs must be true or false, not 1"):
        load_settings(env, _config(tmp_path, "1"))


def test_loyalty_run_command_on_a_terminal_of_a_chain(
    db: object, db_path: Path, tmp_path: Path, now: datetime, cli: Any
) -> None:
    ayse = _october(now)
    rules.apply_rules(rules.program_to_toml(program()), now=now)
    set_identity("T2", "S1", CENTRE)
    done = cli("loyalty", "run", "--as-of", "2026-11-01")
    assert done.exit_code == 0, done.stderr
    assert "loyalty terminal" in done.stderr and "'[sync] loyalty_jobs'" in done.stderr
    doc = json.loads(cli("loyalty", "run", "--as-of", "2026-11-01", "--json").stdout)
    assert doc["tiers"]["from_centre"] is True and doc["tiers"]["upgrades"] == 0
    assert m.Member.get_by_id(ayse).tier_code is None
    # the loyalty terminal, as a real process
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "POS_DB": str(db_path),
        "POS_HOME": str(tmp_path),
        "POS_CONFIG": str(_config(tmp_path, "true")),
        "POS_LANG": "en",
        "POS_TERMINAL": "T2",
    }
    ran = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "loyalty", "run", "--as-of", "2026-11-01", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ran.returncode == 0, ran.stderr
    doc = json.loads(ran.stdout)
    assert "from_centre" not in doc["tiers"] and doc["tiers"]["upgrades"] == 1
    assert m.Member.get_by_id(ayse).tier_code == "t15"
