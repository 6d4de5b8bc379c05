"""Customers and suppliers: Turkish headers, phones, VKN/TCKN, upsert by code, all or nothing."""

from __future__ import annotations

from datetime import datetime

import pytest
from catalog_support import WriteFile
from stdnum.tr import tckimlik, vkn

from pos_tui.core.interchange import check_tax_id, import_customers, import_suppliers, normalize_phone
from pos_tui.core.kernel import ImportRejected, ValidationError
from pos_tui.settings import Settings
from pos_tui.store import models as m

VKN = "1234567890" if vkn.is_valid("1234567890") else "0000000000"
TCKN = "10000000146"
assert tckimlik.is_valid(TCKN)


@pytest.mark.parametrize(
    "text",
    [
        "0532 123 45 67",
        "05321234567",
        "5321234567",
        "+90 532 123 45 67",
        "+90 (532) 123-45-67",
        "0090 532 1234567",
        "90 532 123 4567",
    ],
)
def test_turkish_mobile_numbers_in_every_spelling(text: str) -> None:
    assert normalize_phone(text) == "+905321234567"


def test_other_phone_numbers() -> None:
    assert normalize_phone("0216 345 90 12") == "+902163459012"
    assert normalize_phone("0850 222 00 00") == "+908502220000"
    assert normalize_phone("+49 30 1234567") == "+49301234567"
    for bad in ("123", "0532 123 45", "0132 123 45 67", "+90 532 123 45 678", "telefon yok", "+12"):
        with pytest.raises(ValidationError):
            normalize_phone(bad)


def test_tax_ids() -> None:
    assert check_tax_id(VKN) == VKN and check_tax_id(TCKN) == TCKN
    with pytest.raises(ValidationError, match="not a valid TCKN"):
        check_tax_id("10000000147")
    with pytest.raises(ValidationError, match="10 digits"):
        check_tax_id("12345")


def test_customers_with_turkish_headers(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file(
        "musteriler.csv",
        "\ufeffKod;Ad;Tür;Telefon;E-posta;VKN/TCKN;Vergi Dairesi;Adres\n"
        "M1;Şükran Öztürk;perakende;0555 730 41 18;sukran@example.com;;;\n"
        f"C1;Güneş Lokantası;toptan;0216 345 90 12;;{VKN};Kadıköy;Bahariye Cad. No: 31\n",
    )
    report = import_customers(path, now=now, settings=settings)
    assert (report.created, report.updated) == (2, 0)
    sukran = m.Customer.get(m.Customer.code == "M1")
    assert (sukran.name_key, sukran.phone, sukran.kind, sukran.email) == (
        "sukran ozturk",
        "+905557304118",
        "retail",
        "sukran@example.com",
    )
    lokanta = m.Customer.get(m.Customer.code == "C1")
    assert (lokanta.kind, lokanta.tax_id, lokanta.tax_office) == ("wholesale", VKN, "Kadıköy")
    update = write_file("u.csv", "code,name,phone\nM1,Şükran Öztürk Yılmaz,+905557304119\n")
    assert import_customers(update, now=now, settings=settings).updated == 1
    sukran = m.Customer.get(m.Customer.code == "M1")
    assert (sukran.name, sukran.name_key, sukran.phone, sukran.email) == (
        "Şükran Öztürk Yılmaz",
        "sukran ozturk yilmaz",
        "+905557304119",
        "sukran@example.com",
    )
    assert import_customers(update, now=now, settings=settings).unchanged == 1


def test_bad_customer_rows_are_all_listed(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file(
        "c.jsonl",
        '{"code": "1", "name": "Ali", "phone": "0532 111 22 33"}\n'
        '{"code": "2", "name": "Veli", "phone": "05321112233"}\n'  # same phone as line 1
        '{"code": "3", "name": "Ayşe", "email": "ayse@", "tckn": "10000000147"}\n'
        '{"code": "4", "name": "Can", "kind": "vip"}\n'
        '{"name": "Kodsuz"}\n'
        '{"code": "1", "name": "Ali again"}\n',
    )
    with pytest.raises(ImportRejected) as caught:
        import_customers(path, now=now, settings=settings)
    got = [(e.line, e.field) for e in caught.value.errors]
    assert got == [(2, "phone"), (3, "email"), (3, "tckn"), (4, "kind"), (5, "code"), (6, "code")]
    assert m.Customer.select().count() == 0


def test_phone_of_another_customer(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    import_customers(write_file("a.csv", "code,name,phone\n1,Ali,05321112233\n"), now=now, settings=settings)
    with pytest.raises(ImportRejected, match="already belongs to customer 1"):
        import_customers(write_file("b.csv", "code,name,phone\n2,Veli,05321112233\n"), now=now, settings=settings)
    swap = write_file("c.csv", "code,name,phone\n2,Veli,05321112233\n1,Ali,05329998877\n")
    assert import_customers(swap, now=now, settings=settings).created == 1  # Ali gives his number up in the same file
    assert m.Customer.get(m.Customer.code == "2").phone == "+905321112233"


def test_suppliers(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file(
        "t.json",
        f'[{{"kod": "T1", "unvan": "Marmara Gıda A.Ş.", "vkn": "{VKN}", "vergi_dairesi": "Kozyatağı",'
        ' "telefon": "0216 455 00 90"}, {"code": "T2", "name": "Moda Fırını", "vkn": "123"}]',
    )
    with pytest.raises(ImportRejected) as caught:
        import_suppliers(path, now=now, settings=settings)
    assert [(e.line, e.field) for e in caught.value.errors] == [(2, "vkn")]
    path.write_text(path.read_text(encoding="utf-8").replace('"vkn": "123"', f'"vkn": "{TCKN}"'), encoding="utf-8")
    report = import_suppliers(path, now=now, settings=settings, dry_run=True)
    assert (report.created, m.Supplier.select().count()) == (2, 0)
    import_suppliers(path, now=now, settings=settings)
    marmara = m.Supplier.get(m.Supplier.code == "T1")
    assert (marmara.name, marmara.vkn, marmara.phone) == ("Marmara Gıda A.Ş.", VKN, "+902164550090")
    assert m.JournalEntry.select().where(m.JournalEntry.kind == "import").count() == 1
