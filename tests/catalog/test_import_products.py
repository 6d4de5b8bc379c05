"""import_products: file formats, Turkish headers and numbers, all-or-nothing, dry runs, journal."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from catalog_support import MakeProduct, WriteFile, ean
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from pos_tui.core import catalog
from pos_tui.core.interchange import ImportReport, import_products, imports, money_value, quantity_value
from pos_tui.core.interchange.imports import _RowProblems
from pos_tui.core.kernel import ImportRejected, ValidationError, header_key, parse_money
from pos_tui.settings import Settings
from pos_tui.store import models as m


@pytest.fixture(autouse=True, params=["in this process", "read apart"])
def reader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every case twice: the file read and checked in this process, and (as a big file is) in a
    forked process that sends the rows, the errors and the header's spellings over a pipe."""
    if request.param == "read apart":
        monkeypatch.setattr(imports, "PARSE_APART", 0)


def run(path: Path, settings: Settings, now: datetime, **kw: object) -> ImportReport:
    return import_products(path, now=now, settings=settings, **kw)  # type: ignore[arg-type]


def rejected_rows(path: Path, settings: Settings, now: datetime) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejected) as caught:
        run(path, settings, now)
    return [(e.line, e.field) for e in caught.value.errors]


HEADER = "code,barcode,name,unit,price,cost,kdv_rate,category,supplier,min_stock,stock\n"


def test_plain_csv(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file(
        "products.csv",
        HEADER
        + f'1501,{ean(1)}|{ean(2)},"Isparta Gülü Kolonya, 400 ml",piece,129.90,88,20,'
        + "Kişisel Bakım,Isparta Kozmetik,6,30\n"
        + "1,,Domates,kg,34.90,22.00,1,Meyve & Sebze,,20,85.5\n",
    )
    report = run(path, settings, now)
    assert report == ImportReport("products", "products.csv", 2, 2, 0, 0, False)
    kolonya = catalog.get_product(ean(2))
    assert kolonya.name == "Isparta Gülü Kolonya, 400 ml" and kolonya.barcodes == (ean(1), ean(2))
    assert (kolonya.price, kolonya.cost, kolonya.min_stock, kolonya.stock) == (
        Decimal("129.90"),
        Decimal("88.00"),
        6000,
        30000,
    )
    assert catalog.get_product("1").stock == 85_500


def test_three_bad_rows_are_all_listed_and_nothing_is_imported(
    db: object, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    path = write_file(
        "bad.csv",
        HEADER
        + "1,,Ekmek,piece,10,,1,,,,\n"
        + "2,,Süt,piece,onbeş,,1,,,,\n"  # line 3: price is not a number
        + "3,,Çay,piece,120,,1,,,,\n"
        + f"4,{ean(1)[:-1]}0,Kola,piece,45,,20,,,,\n"  # line 5: bad check digit
        + "5,,Şeker,kutu,44.90,,18,,,,\n",  # line 6: unit and KDV
    )
    with pytest.raises(ImportRejected) as caught:
        run(path, settings, now)
    errors = caught.value.errors
    assert [(e.line, e.field) for e in errors] == [(3, "price"), (5, "barcode"), (6, "unit"), (6, "kdv_rate")]
    assert "bad check digit" in errors[1].reason and "KDV rate 18 is not one of 0, 1, 10, 20" in errors[3].reason
    message = str(caught.value)
    assert "bad.csv: line 3, price:" in message and "bad.csv: line 6, unit:" in message
    assert m.Product.select().count() == 0 and m.JournalEntry.select().count() == 0


def test_turkish_headers_semicolons_decimal_comma_and_bom(
    db: object, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    path = write_file(
        "urunler.csv",
        "\ufeffKod;Barkod;Ad;Birim;Fiyat;Maliyet;KDV;Kategori;Tedarikçi;Min Stok;Stok\n"
        + f"1001;{ean(5)};Toz Şeker 1 kg;Adet;44,90;36,00;%1;Temel Gıda;Marmara Gıda;20;96\n"
        + "9;;Dana Kıyma;KG;1.549,50;430;1;Et;Anadolu Et;2,5;18,75\n"
        + "1301;;Su 5 lt;adet;34,9;24;20;İçecek;;;\n",
    )
    assert run(path, settings, now).created == 3
    seker, kiyma, su = catalog.get_product("1001"), catalog.get_product("9"), catalog.get_product("1301")
    assert (seker.price, seker.cost, seker.kdv_rate, seker.supplier, seker.stock) == (
        Decimal("44.90"),
        Decimal("36.00"),
        1,
        "Marmara Gıda",
        96_000,
    )
    assert (kiyma.unit, kiyma.price, kiyma.min_stock, kiyma.stock) == ("kg", Decimal("1549.50"), 2500, 18_750)
    assert su.price == Decimal("34.90")


def test_tedarikci_without_cedilla_and_other_spellings(
    db: object, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    path = write_file(
        "t.csv", "KOD,AD,FİYAT,KDV ORANI,TEDARIKCI,BİRİM,STOK MİKTARI\n7,Simit,15,1,Moda Fırını,adet,60\n"
    )
    run(path, settings, now)
    assert (catalog.get_product("7").supplier, catalog.get_product("7").stock) == ("Moda Fırını", 60_000)
    assert header_key("Tedarikçi") == header_key("TEDARİKÇİ") == header_key("tedarikci") == "tedarikci"


def test_cp1254_file_is_refused_clearly(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file("win.csv", "kod;ad;fiyat;kdv\n1;Şeker;44,90;1\n", encoding="cp1254")
    with pytest.raises(ImportRejected, match="not UTF-8"):
        run(path, settings, now)


def test_a_line_that_is_not_utf8_is_named_by_its_own_number(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    """The text reader fails a buffer ahead: line 3002 was reported as 2967."""
    path = tmp_path / "mixed.csv"
    good = "".join(f"{i};Ürün {i};1,00;20\n" for i in range(1, 3001))
    path.write_bytes(("kod;ad;fiyat;kdv\n" + good).encode() + "9999;Şeker;44,90;1\n".encode("cp1254"))
    with pytest.raises(ImportRejected) as refused:
        run(path, settings, now)
    assert [(e.line, e.field) for e in refused.value.errors] == [(3002, "-")]


def test_unknown_and_repeated_columns_are_errors(
    db: object, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    path = write_file("x.csv", "code,name,pirce,price,fiyat\n1,A,1,2,3\n")
    assert rejected_rows(path, settings, now) == [(1, "pirce"), (1, "fiyat")]


def test_ragged_rows_and_multiline_cells_keep_physical_lines(
    db: object, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    path = write_file(
        "x.csv",
        "code,name,price,kdv_rate\n"
        '1,"Çok satırlı\nürün adı",10,20\n'  # lines 2-3: a line break is no part of a name
        "2,Kolonya, 400 ml,10,20\n"  # line 4: an unquoted comma
        "\n"
        "3,Sabun,abc,20\n",  # line 6
    )
    assert rejected_rows(path, settings, now) == [(2, "name"), (4, "-"), (6, "price")]


def test_json_array(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    data = [
        {"code": "1", "barcode": [ean(1), ean(2)], "name": "Kola", "price": 44.9, "kdv_rate": 20, "stock": "12"},
        {"kod": 2, "ad": "Gazoz", "fiyat": "34,90", "kdv": "%20", "aktif": False},
    ]
    path = write_file("p.json", json.dumps(data, ensure_ascii=False))
    assert run(path, settings, now).created == 2
    kola = catalog.get_product("1")
    assert kola.price == Decimal("44.90") and kola.barcodes == (ean(1), ean(2)) and kola.stock == 12_000
    assert catalog.get_product("2").active is False
    bad = write_file(
        "bad.json",
        json.dumps([{"code": "3", "name": "X", "price": "1", "kdv_rate": 20}, {"code": "4", "price": True}, 5]),
    )
    assert rejected_rows(bad, settings, now) == [(2, "price"), (3, "-")]


def test_jsonl_lines_are_physical(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file(
        "p.jsonl",
        '{"code": "1", "name": "Kola", "price": "44.90", "kdv_rate": 20}\n'
        "\n"
        '{"code": "2", "name": "Gazoz", "price": "x", "kdv_rate": 20}\n'
        "{not json}\n",
    )
    assert rejected_rows(path, settings, now) == [(3, "price"), (4, "-")]
    good = write_file("ok.jsonl", '{"code": "1", "name": "Kola", "price": "44,90", "kdv_rate": 20}\n')
    assert run(good, settings, now).created == 1


def test_upsert_updates_only_given_columns(
    make_product: MakeProduct, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    make_product("1", "Kola", "40.00", barcodes=(ean(1),), category="İçecek", stock=10_000)
    path = write_file("prices.csv", "kod;fiyat\n1;44,90\n")
    assert run(path, settings, now) == ImportReport("products", "prices.csv", 1, 0, 1, 0, False)
    kola = catalog.get_product("1")
    assert (kola.price, kola.name, kola.category, kola.stock, kola.barcodes) == (
        Decimal("44.90"),
        "Kola",
        "İçecek",
        10_000,
        (ean(1),),
    )
    by_barcode = write_file("b.csv", f"barkod,stok\n{ean(1)},7\n")
    run(by_barcode, settings, now)
    assert catalog.get_product("1").stock == 7_000


def test_dry_run_writes_nothing(
    make_product: MakeProduct, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    make_product("1", "Kola", "40.00")
    path = write_file("p.csv", "code,name,price,kdv_rate,stock\n1,Kola,45,20,\n2,Gazoz,30,20,5\n")
    report = run(path, settings, now, dry_run=True)
    assert (report.created, report.updated, report.dry_run) == (1, 1, True)
    assert catalog.get_product("1").price == Decimal("40.00")
    assert m.Product.select().count() == 1 and m.JournalEntry.select().count() == 0


def test_duplicates_in_the_file_and_against_the_database(
    make_product: MakeProduct, settings: Settings, now: datetime, write_file: WriteFile
) -> None:
    make_product("A", "Kola", barcodes=(ean(1),))
    path = write_file(
        "d.csv",
        "code,barcode,name,price,kdv_rate\n"
        f"1,{ean(2)},Bir,1,20\n"
        f"2,{ean(2)},İki,1,20\n"  # line 3: same barcode as line 2
        f"1,,Bir again,1,20\n"  # line 4: same code as line 2
        f"3,{ean(1)},Üç,1,20\n",  # line 5: barcode of product A
    )
    with pytest.raises(ImportRejected) as caught:
        run(path, settings, now)
    errors = caught.value.errors
    assert [(e.line, e.field) for e in errors] == [(3, "barcode"), (4, "code"), (5, "barcode")]
    assert "also on line 2" in errors[0].reason and "also on line 2" in errors[1].reason
    assert "already belongs to product A (Kola)" in errors[2].reason


def test_an_import_is_journalled(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file("p.csv", "code,name,price,kdv_rate\n1,Kola,45,20\n")
    run(path, settings, now)
    run(path, settings, now)  # nothing changed: no entry
    entries = list(m.JournalEntry.select().where(m.JournalEntry.kind == "import"))
    assert len(entries) == 1
    assert json.loads(entries[0].payload) == {
        "kind": "products",
        "file": "p.csv",
        "rows": 1,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
    }


def test_format_from_extension_or_option(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    path = write_file("p.txt", "code;name;price;kdv_rate\n1;Kola;45;20\n")
    assert run(path, settings, now).created == 1
    odd = write_file("p.data", '[{"code": "2", "name": "Gazoz", "price": "30", "kdv_rate": 20}]')
    with pytest.raises(ValidationError, match="cannot tell the format"):
        run(odd, settings, now)
    assert run(odd, settings, now, fmt="json").created == 1


def test_empty_file(db: object, settings: Settings, now: datetime, write_file: WriteFile) -> None:
    with pytest.raises(ImportRejected, match="empty"):
        run(write_file("e.csv", ""), settings, now)
    assert run(write_file("h.csv", "code,name,price\n"), settings, now).rows == 0


money_texts = st.builds(
    lambda whole, frac, sep: f"{whole}{sep}{frac}" if frac is not None else str(whole),
    st.integers(0, 10**9),
    st.one_of(st.none(), st.text(alphabet="0123456789", min_size=1, max_size=2)),
    st.sampled_from([",", "."]),
)


@given(money_texts)
def test_fast_money_path_agrees_with_parse_money(text: str) -> None:
    errors: list = []
    assert money_value(text, "price", _RowProblems(1, errors)) == parse_money(text)
    assert not errors


@given(st.text(max_size=12))
def test_money_and_quantity_parsers_never_crash(text: str) -> None:
    errors: list = []
    value = money_value(text, "price", _RowProblems(1, errors))
    assert (value is None) == bool(errors)
    if value is not None:
        assert value == value.quantize(Decimal("0.01"))
    errors.clear()
    qty = quantity_value(text, "stock", _RowProblems(1, errors))
    assert (qty is None) == bool(errors)
    assert qty is None or isinstance(qty, int)


names = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30).filter(
    lambda s: s.strip() == s and not s.startswith("'")  # a leading ' before = is the export's protection
)
prices = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False, allow_infinity=False)


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(names, prices, st.sampled_from([";", ","]), st.booleans()), min_size=1, max_size=5))
def test_csv_reader_reads_back_what_a_csv_writer_wrote(
    tmp_path_factory: pytest.TempPathFactory, db: object, settings: Settings, now: datetime, rows: list
) -> None:
    import csv
    import io

    delimiter = rows[0][2]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(["kod", "ad", "fiyat", "kdv"])
    expected = {}
    for i, (name, price, _sep, comma) in enumerate(rows):
        text = f"{price:.2f}".replace(".", ",") if comma else f"{price:.2f}"
        writer.writerow([f"H{i}", name, text, "20"])
        expected[f"H{i}"] = (name, price)
    path = tmp_path_factory.mktemp("csv") / "p.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    import_products(path, now=now, settings=settings)
    for code, (name, price) in expected.items():
        info = catalog.get_product(code)
        assert (info.name, info.price) == (name.strip(), price)


def test_a_row_without_code_or_barcode_is_named_not_a_crash(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    """The fuzz found ``[{"name": "0", "price": "0"}]`` tripping an assertion: the row's error was
    written before the row's values were checked, so they did not see it."""
    path = tmp_path / "p.json"
    path.write_text('[{"name": "0", "price": "0"}]', encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_products(path, now=now, settings=settings)
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, "code")]
    assert m.Product.select().count() == 0
