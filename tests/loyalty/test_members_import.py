"""``import customers`` with loyalty columns: members enrolled with the customers, all or
nothing, every bad row reported with its line and column."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from members_support import Cli, write
from stdnum import ean

from pos_tui.core.interchange import import_customers
from pos_tui.core.kernel import ImportRejected
from pos_tui.core.loyalty import members as mb
from pos_tui.settings import Settings
from pos_tui.store import models as m

GOOD = (
    "Kod;Ad;Telefon;E-posta;Kart;SMS izni;E-posta izni;Doğum tarihi;Üye\n"
    "M1;Ayşe Kaya;0532 111 22 33;ayse@example.com;;evet;hayır;17.05.1990;evet\n"
    "M2;Ali Veli;0216 111 22 44;;;;;;hayır\n"
    "M3;Can Öz;0532 111 22 55;;ABC-1;;;;\n"
)


@pytest.fixture
def cli(db: object, cli: Cli) -> Cli:
    """The shared pos-admin runner, with the database open for the test's own queries."""
    return cli


def test_customers_with_members(db: object, settings: Settings, now: datetime, tmp_path: Path) -> None:
    report = import_customers(write(tmp_path, "musteriler.csv", GOOD), now=now, settings=settings)
    assert (report.created, report.members) == (3, 2)
    assert report.as_json()["members"] == 2
    ayse = mb.find_member("0532 111 22 33")
    can = mb.find_member("ABC-1")
    assert ayse is not None and can is not None
    assert ean.is_valid(ayse.card) and ayse.card_kind == "barcode" and ayse.birth_date == date(1990, 5, 17)
    assert (ayse.email, can.card_kind, can.phone) == ("ayse@example.com", "barcode", "+905321112255")
    customers = {c.code: c.id for c in m.Customer.select()}
    assert m.Member.get_by_id(ayse.id).customer_id == customers["M1"]
    assert m.Member.get_by_id(can.id).customer_id == customers["M3"]
    assert mb.find_member("0216 111 22 44") is None  # Ali is a customer, not a member
    states = mb.consents(ayse.id)
    assert {c: (s.granted, s.source) for c, s in states.items()} == {
        "membership": (True, "import"),
        "sms": (True, "import"),
        "email": (False, "import"),
    }
    entry = m.JournalEntry.select().where(m.JournalEntry.kind == "import").get()
    assert json.loads(entry.payload)["members"] == 2

    again = import_customers(write(tmp_path, "again.csv", GOOD), now=now, settings=settings)
    assert (again.created, again.unchanged, again.members) == (0, 3, 0)  # already members: left alone
    assert m.Member.select().count() == 2

    join = write(tmp_path, "join.csv", "code,member,consent_email\nM2,yes,no\n")
    with pytest.raises(ImportRejected, match=r"line 2, phone: .*not a Turkish mobile number"):
        import_customers(join, now=now, settings=settings)  # Ali's number is a land line
    fixed = write(tmp_path, "fixed.csv", "code,phone,member\nM2,0533 222 33 44,yes\n")
    assert import_customers(fixed, now=now, settings=settings).members == 1
    ali = mb.find_member("05332223344")
    assert ali is not None and ali.name == "Ali Veli"  # the name comes from the customer record


def test_bad_rows_are_all_reported_and_nothing_is_written(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    taken = mb.enroll(name="Zeynep", phone="0532 999 99 99", card=";777=1?", source="till", actor=None, now=now)
    text = (
        "code,name,phone,card,card_kind,member,consent_sms,birth_date\n"
        "A1,Bir,0532 100 00 01,X-1,,,,\n"  # good
        "A2,İki,0532 100 00 02,X-1,,,,\n"  # the card is on line 2 too
        "A3,Üç,0532 999 99 99,,,yes,,\n"  # the phone is a member's already
        "A4,Dört,,777,magstripe,,,\n"  # the card is a member's already
        "A5,Beş,0532 100 00 05,,,yes,,2090-01-01\n"  # born in the future
        "A6,Altı,0532 100 00 06,,,,yes,\n"  # consent without a member
        "A7,Yedi,0532 100 00 07,Y-7,,no,,\n"  # member no, but a card
        "A8,Sekiz,0532 100 00 08,,rfid,yes,,\n"  # an RFID card must be given
        "A9,Dokuz,0532 100 00 09,,,maybe,,31.02.1990\n"  # not yes/no; not a date
    )
    with pytest.raises(ImportRejected) as caught:
        import_customers(write(tmp_path, "bad.csv", text), now=now, settings=settings)
    found = [(e.line, e.field) for e in caught.value.errors]
    assert found == [
        (3, "card"),
        (4, "phone"),
        (5, "card"),
        (6, "birth_date"),
        (7, "consent_sms"),
        (8, "member"),
        (9, "card"),
        (10, "member"),
        (10, "birth_date"),
    ]
    reasons = {(e.line, e.field): e.reason for e in caught.value.errors}
    assert reasons[(4, "phone")] == f"phone +905329999999 already belongs to member #{taken.id}"
    assert reasons[(5, "card")] == f"card 777 already belongs to member #{taken.id}"
    assert m.Customer.select().count() == 0 and m.Member.select().count() == 1


def test_dry_run_counts_members_and_writes_nothing(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    report = import_customers(write(tmp_path, "c.csv", GOOD), now=now, settings=settings, dry_run=True)
    assert (report.created, report.members, report.dry_run) == (3, 2, True)
    assert m.Customer.select().count() == 0 and m.Member.select().count() == 0
    assert m.JournalEntry.select().count() == 0


def test_json_import_with_members(db: object, settings: Settings, now: datetime, tmp_path: Path) -> None:
    rows = [
        {"code": "J1", "name": "Deniz", "phone": "5321112233", "loyalty": True, "consent_sms": True},
        {"code": "J2", "name": "Ece", "card": "04A1", "card_kind": "rfid", "birth_date": "2001-02-03"},
    ]
    report = import_customers(write(tmp_path, "c.json", json.dumps(rows)), now=now, settings=settings)
    assert report.members == 2
    ece = mb.find_member("04a1")
    assert ece is not None and (ece.card_kind, ece.birth_date) == ("rfid", date(2001, 2, 3))
    deniz = mb.find_member("0532 111 22 33")
    assert deniz is not None and mb.has_consent(deniz.id, "sms")


def test_cli_import_reports_members(cli: Cli, tmp_path: Path) -> None:
    path = write(tmp_path, "musteriler.csv", GOOD)
    dry = cli("import", "customers", str(path), "--dry-run")
    assert dry.exit_code == 0 and "2 loyalty member(s) would be enrolled." in dry.stdout
    done = cli("import", "customers", str(path), "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["members"] == 2
    bad = write(tmp_path, "bad.csv", "code,name,card\nB1,Bir,ANON-1\n")
    rejected = cli("import", "customers", str(bad), "--json")
    assert rejected.exit_code == 1
    assert json.loads(rejected.stdout)["errors"][0]["field"] == "card"
    plain = cli("import", "customers", str(write(tmp_path, "plain.csv", "code,name\nP1,Plain\n")), "--json")
    assert json.loads(plain.stdout)["members"] == 0
