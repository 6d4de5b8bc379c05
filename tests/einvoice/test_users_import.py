"""Importing GİB's registered-user list: CSV (Turkish and English headers, ; and ,, BOM), GİB's XML, a ZIP;
only e-Fatura aliases kept; the list replaced as a whole; bad rows named; nothing half-written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from einvoice_users_support import (
    ENGLISH,
    TEST_VKN,
    TURKISH,
    Alias,
    gib_xml,
    make_tckn,
    make_vkn,
    write_csv,
    write_xml,
    write_zip,
)
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core import einvoice
from pos_tui.core.einvoice.users import check_digits_ok
from pos_tui.core.kernel import ImportRejected, PermissionDenied, ValidationError
from pos_tui.store import models as m

V1, V2, V3 = make_vkn(11), make_vkn(22), make_vkn(33)
T1 = make_tckn(44)


def rows() -> list[Alias]:
    return [
        Alias(V1, "urn:mail:defaultpk@bir.com.tr", "BİR GIDA A.Ş."),
        Alias(V1, "urn:mail:defaultgb@bir.com.tr", "BİR GIDA A.Ş.", kind="GB"),
        Alias(V2, "urn:mail:faturapk@iki.com.tr", "İKİ LTD. ŞTİ.", registered="2020-03-01T09:00:00"),
        Alias(T1, "urn:mail:defaultpk@ahmet.com", "AHMET YILMAZ"),
    ]


def stored() -> set[tuple[str, str, str, str]]:
    U = m.EInvoiceUser
    return {(u.identifier, u.mailbox, u.title, u.kind) for u in U.select()}


EXPECTED = {
    (V1, "urn:mail:defaultpk@bir.com.tr", "BİR GIDA A.Ş.", "PK"),
    (V1, "urn:mail:defaultgb@bir.com.tr", "BİR GIDA A.Ş.", "GB"),
    (V2, "urn:mail:faturapk@iki.com.tr", "İKİ LTD. ŞTİ.", "PK"),
    (T1, "urn:mail:defaultpk@ahmet.com", "AHMET YILMAZ", "PK"),
}


@pytest.mark.parametrize(
    ("header", "sep", "bom"),
    [(ENGLISH, ";", False), (TURKISH, ";", True), (ENGLISH, ",", True), (TURKISH, ",", False)],
    ids=["english-semicolon", "turkish-semicolon-bom", "english-comma-bom", "turkish-comma"],
)
def test_a_csv_list_in_either_language_and_separator_is_read(
    db: object, tmp_path: Path, now: datetime, header: tuple[str, ...], sep: str, bom: bool
) -> None:
    path = write_csv(tmp_path / "liste.csv", rows(), header=header, sep=sep, bom=bom)
    report = einvoice.import_users(path, now=now)
    assert stored() == EXPECTED
    assert (report.users, report.aliases, report.skipped_total, report.format) == (3, 4, 0, "csv")
    (user,) = [u for u in einvoice.lookup_user(V2) if u.kind == "PK"]
    # GİB's times are Turkish local time: 09:00 in Istanbul is 06:00 UTC
    assert user.registered_at == datetime(2020, 3, 1, 6, 0, tzinfo=UTC)
    assert report.imported_at == now


def test_gibs_xml_list_and_the_same_in_a_zip_are_read(db: object, tmp_path: Path, now: datetime) -> None:
    report = einvoice.import_users(write_xml(tmp_path / "liste.xml", rows()), now=now)
    assert stored() == EXPECTED and report.format == "xml"
    m.EInvoiceUser.delete().execute()
    zipped = write_zip(tmp_path / "liste.zip", {"newUserPkListxml.xml": gib_xml(rows())})
    report = einvoice.import_users(zipped, now=now)
    assert stored() == EXPECTED and (report.format, report.aliases, report.users) == ("zip", 4, 3)


def test_the_flat_integrator_xml_layout_is_read(db: object, tmp_path: Path, now: datetime) -> None:
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<USERLIST>
  <USER><IDENTIFIER>{V1}</IDENTIFIER><ALIAS>urn:mail:defaultpk@bir.com.tr</ALIAS><TITLE>BİR GIDA A.Ş.</TITLE>
    <TYPE>OZEL</TYPE><UNIT>PK</UNIT><DOCUMENT_TYPE>INVOICE</DOCUMENT_TYPE>
    <REGISTER_TIME>2016-01-04T10:12:00</REGISTER_TIME><ALIAS_CREATION_TIME>2016-01-04T10:12:00</ALIAS_CREATION_TIME></USER>
  <USER><IDENTIFIER>{V1}</IDENTIFIER><ALIAS>urn:mail:irsaliyepk@bir.com.tr</ALIAS><TITLE>BİR GIDA A.Ş.</TITLE>
    <UNIT>PK</UNIT><DOCUMENT_TYPE>DESPATCHADVICE</DOCUMENT_TYPE></USER>
  <USER><IDENTIFIER>{V2}</IDENTIFIER><ALIAS>urn:mail:eskipk@iki.com.tr</ALIAS><TITLE>İKİ</TITLE>
    <UNIT>PK</UNIT><DOCUMENT_TYPE>INVOICE</DOCUMENT_TYPE><DELETED>Y</DELETED></USER>
</USERLIST>
"""
    path = tmp_path / "izibiz.xml"
    path.write_text(xml, encoding="utf-8")
    report = einvoice.import_users(path, now=now)
    assert stored() == {(V1, "urn:mail:defaultpk@bir.com.tr", "BİR GIDA A.Ş.", "PK")}
    assert report.skipped["not_invoice"] == 1 and report.skipped["deleted"] == 1


def test_only_efatura_aliases_not_deleted_and_with_valid_check_digits_are_kept(
    db: object, tmp_path: Path, now: datetime
) -> None:
    gone = (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%S")
    later = (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S")
    listed = [
        *rows(),
        Alias(V3, "urn:mail:defaultpk@uc.com.tr", "ÜÇ A.Ş.", document="DespatchAdvice"),
        Alias(V3, "urn:mail:eskipk@uc.com.tr", "ÜÇ A.Ş.", deleted=gone),
        Alias(V3, "urn:mail:kapanacakpk@uc.com.tr", "ÜÇ A.Ş.", deleted=later),
        Alias(TEST_VKN, "urn:mail:testpk@gib.gov.tr", "GİB TEST"),
    ]
    report = einvoice.import_users(write_xml(tmp_path / "liste.xml", listed), now=now)
    assert stored() == EXPECTED | {(V3, "urn:mail:kapanacakpk@uc.com.tr", "ÜÇ A.Ş.", "PK")}
    assert dict(report.skipped) == {"not_invoice": 1, "deleted": 1, "check_digits": 1, "duplicate": 0}
    assert report.skipped_total == 3
    assert report.skipped_lines and TEST_VKN in report.skipped_lines[0]


def test_an_import_replaces_the_whole_list(db: object, tmp_path: Path, now: datetime) -> None:
    einvoice.import_users(write_csv(tmp_path / "a.csv", rows()), now=now)
    second = [Alias(V3, "urn:mail:defaultpk@uc.com.tr", "ÜÇ A.Ş.")]
    later = now + timedelta(days=1)
    report = einvoice.import_users(write_csv(tmp_path / "b.csv", second), now=later)
    assert stored() == {(V3, "urn:mail:defaultpk@uc.com.tr", "ÜÇ A.Ş.", "PK")}
    assert einvoice.lookup_user(V1) == []
    status = einvoice.user_list_status()
    assert (status.users, status.aliases, status.imported_at) == (1, 1, later) == (1, report.aliases, later)


def test_duplicate_aliases_are_stored_once_and_counted(db: object, tmp_path: Path, now: datetime) -> None:
    report = einvoice.import_users(write_csv(tmp_path / "a.csv", [*rows(), rows()[0]]), now=now)
    assert stored() == EXPECTED and report.skipped["duplicate"] == 1


def test_bad_rows_are_all_named_with_file_line_and_field_and_nothing_changes(
    db: object, tmp_path: Path, now: datetime
) -> None:
    einvoice.import_users(write_csv(tmp_path / "old.csv", rows()), now=now)
    bad = [
        Alias(V3, "urn:mail:defaultpk@uc.com.tr", "ÜÇ A.Ş."),  # line 2: fine
        Alias("12345", "urn:mail:defaultpk@x.com", "X"),  # line 3: not a VKN
        Alias(V3, "defaultpk@uc.com.tr", "ÜÇ A.Ş.", kind="XX"),  # line 4: no urn:mail:, kind neither PK nor GB
        Alias(make_vkn(5), "urn:mail:defaultpk@bes.com", "BEŞ", registered="dün"),  # line 5: not a time
        Alias(make_vkn(6), "urn:mail:defaultpk@alti.com", ""),  # line 6: no title
    ]
    path = write_csv(tmp_path / "yeni.csv", bad, header=TURKISH)
    with pytest.raises(ImportRejected) as caught:
        einvoice.import_users(path, now=now)
    problems = {(e.line, e.field) for e in caught.value.errors}
    assert problems == {(3, "VKN/TCKN"), (4, "Etiket"), (4, "Tür"), (5, "Kayıt Zamanı"), (6, "Unvan")}
    text = str(caught.value)
    assert text.startswith("yeni.csv: 4 bad row(s), nothing imported")
    assert "yeni.csv: line 3, VKN/TCKN: '12345' is not a VKN (10 digits) or a TCKN (11 digits)" in text
    assert stored() == EXPECTED  # the old list stays, whole


def test_a_bad_element_of_an_xml_list_is_named_by_its_line(db: object, tmp_path: Path, now: datetime) -> None:
    xml = gib_xml([Alias(V1, "urn:mail:defaultpk@bir.com.tr"), Alias(V2, "urn:mail:defaultpk@iki.com.tr")])
    xml = xml.replace(f"<Identifier>{V2}</Identifier>", "<Identifier>98765</Identifier>")
    path = write_zip(tmp_path / "liste.zip", {"users.xml": xml})
    with pytest.raises(ImportRejected) as caught:
        einvoice.import_users(path, now=now)
    ((line, field),) = {(e.line, e.field) for e in caught.value.errors}
    assert xml.splitlines()[line - 1].strip().startswith("<Alias>") and field == "Identifier"
    assert caught.value.source == "liste.zip:users.xml"
    assert m.EInvoiceUser.select().count() == 0


def test_files_that_are_not_a_list_are_refused_whole(db: object, tmp_path: Path, now: datetime) -> None:
    einvoice.import_users(write_csv(tmp_path / "old.csv", rows()), now=now)
    no_alias = tmp_path / "no_alias.csv"
    no_alias.write_text("VKN;Unvan\n1234567890;X\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match="no Etiket column"):
        einvoice.import_users(no_alias, now=now)
    broken = tmp_path / "broken.xml"
    broken.write_text("<UserList><User><Identifier>1</Identifier></UserList>", encoding="utf-8")
    with pytest.raises(ValidationError, match="not well-formed XML"):
        einvoice.import_users(broken, now=now)
    irsaliye = write_csv(tmp_path / "irsaliye.csv", [Alias(V3, "urn:mail:defaultpk@uc.com.tr", document="Despatch")])
    with pytest.raises(ValidationError, match="no e-Fatura alias"):
        einvoice.import_users(irsaliye, now=now)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportRejected, match="empty"):
        einvoice.import_users(empty, now=now)
    with pytest.raises(ValidationError, match="no such file"):
        einvoice.import_users(tmp_path / "missing.csv", now=now)
    assert stored() == EXPECTED


def test_a_zip_with_gibs_pk_and_gb_lists_imports_both(db: object, tmp_path: Path, now: datetime) -> None:
    pk = gib_xml([Alias(V1, "urn:mail:defaultpk@bir.com.tr", kind="PK")]).replace("<AliasType>PK</AliasType>", "")
    gb = gib_xml([Alias(V1, "urn:mail:fatura@bir.com.tr", kind="GB")]).replace("<AliasType>GB</AliasType>", "")
    path = write_zip(tmp_path / "gib.zip", {"newUserPkListxml.xml": pk, "newUserGbListxml.xml": gb})
    einvoice.import_users(path, now=now)
    kinds = {u.mailbox: u.kind for u in einvoice.lookup_user(V1)}
    assert kinds == {"urn:mail:defaultpk@bir.com.tr": "PK", "urn:mail:fatura@bir.com.tr": "GB"}


def test_importing_needs_the_einvoice_permission(shop: object, tmp_path: Path, now: datetime) -> None:
    books = shop.books  # type: ignore[attr-defined]
    path = write_csv(tmp_path / "a.csv", rows())
    with pytest.raises(PermissionDenied):
        einvoice.import_users(path, now=now, actor=books.ayse)
    assert einvoice.import_users(path, now=now, actor=books.mehmet).aliases == 4


def test_list_searches_by_identifier_start_or_title(db: object, tmp_path: Path, now: datetime) -> None:
    einvoice.import_users(write_csv(tmp_path / "a.csv", rows()), now=now)
    assert {u.identifier for u in einvoice.list_users(V2[:8])} == {V2}
    assert {u.identifier for u in einvoice.list_users("iki")} == {V2}
    assert {u.identifier for u in einvoice.list_users("gıda")} == {V1}
    assert len(einvoice.list_users(limit=2)) == 2


@given(st.text(alphabet="0123456789", min_size=10, max_size=11))
def test_the_lists_check_digit_rule_is_check_identifiers(identifier: str) -> None:
    try:
        einvoice.check_identifier(identifier)
        valid = identifier != "11111111111"
    except ValidationError:
        valid = False
    assert check_digits_ok(identifier) is valid


@given(st.integers(min_value=0, max_value=10**9 - 1))
def test_every_generated_vkn_and_tckn_passes(n: int) -> None:
    assert check_digits_ok(make_vkn(n)) and check_digits_ok(make_tckn(n))


def test_a_type_column_with_the_account_type_leaves_pk_or_gb_to_the_unit_column(
    db: object, tmp_path: Path, now: datetime
) -> None:
    path = tmp_path / "izibiz.csv"
    path.write_text(
        "IDENTIFIER,TITLE,ALIAS,TYPE,UNIT,DOCUMENT_TYPE,REGISTER_TIME\n"
        f"{V1},BİR,urn:mail:fatura@bir.com.tr,OZEL,GB,INVOICE,04.01.2016 10:12:00\n"
        f"{V1},BİR,urn:mail:defaultpk@bir.com.tr,KAMU,PK,INVOICE,04.01.2016\n",
        encoding="utf-8",
    )
    einvoice.import_users(path, now=now)
    found = {u.mailbox: (u.kind, u.registered_at) for u in einvoice.lookup_user(V1)}
    assert found == {
        "urn:mail:defaultpk@bir.com.tr": ("PK", datetime(2016, 1, 3, 22, 0, tzinfo=UTC)),
        "urn:mail:fatura@bir.com.tr": ("GB", datetime(2016, 1, 4, 8, 12, tzinfo=UTC)),
    }


def test_a_bad_row_after_chunks_were_written_rolls_everything_back(
    db: object, tmp_path: Path, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pos_tui.core.einvoice import users

    einvoice.import_users(write_csv(tmp_path / "old.csv", rows()), now=now)
    monkeypatch.setattr(users, "CHUNK", 10)
    many = [Alias(make_vkn(1000 + i), f"urn:mail:defaultpk@f{i}.com.tr", f"FİRMA {i}") for i in range(95)]
    many.append(Alias("1234", "urn:mail:defaultpk@son.com.tr", "SON"))  # line 97
    with pytest.raises(ImportRejected) as caught:
        einvoice.import_users(write_csv(tmp_path / "many.csv", many), now=now)
    assert [(e.line, e.field) for e in caught.value.errors] == [(97, "Identifier")]
    assert stored() == EXPECTED
    report = einvoice.import_users(write_csv(tmp_path / "many.csv", many[:-1]), now=now)
    assert report.aliases == 95 and m.EInvoiceUser.select().count() == 95
