"""pos-admin import/export/products through Typer's CliRunner, and the demo loader."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from catalog_support import WriteFile, ean
from typer.testing import Result

from pos_tui.core import catalog
from pos_tui.core.catalog import make_scale_label
from pos_tui.core.interchange import FIXTURES, load_demo
from pos_tui.core.interchange.demo_history import COUNT_FINDINGS
from pos_tui.settings import DEFAULT_SCALE_LABELS, Settings
from pos_tui.store import models as m

Cli = Callable[..., Result]
PRODUCTS = (
    "kod;barkod;ad;birim;fiyat;kdv;stok\n"
    f"1501;{ean(1)};Isparta Gülü Kolonya;adet;129,90;20;30\n"
    "9;;Dana Kıyma;kg;549;1;18,75\n"
)


def test_import_products_json_report(cli: Cli, write_file: WriteFile) -> None:
    path = write_file("urunler.csv", PRODUCTS)
    result = cli("import", "products", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {"kind": "products", "file": "urunler.csv", "rows": 2} | {
        "created": 2, "updated": 0, "unchanged": 0, "dry_run": False
    }  # fmt: skip


def test_import_human_summary_and_dry_run(cli: Cli, write_file: WriteFile) -> None:
    path = write_file("urunler.csv", PRODUCTS)
    dry = cli("import", "products", str(path), "--dry-run")
    assert dry.exit_code == 0 and "would create 2" in dry.stdout
    assert m.Product.select().count() == 0
    done = cli("import", "products", str(path))
    assert done.exit_code == 0 and "created 2, updated 0" in done.stdout


def test_rejected_import_lists_every_bad_row_on_stderr(cli: Cli, write_file: WriteFile) -> None:
    path = write_file("bad.csv", "code,name,price,kdv_rate\n1,A,x,20\n2,B,1,20\n3,C,1,7\n4,,1,20\n")
    result = cli("import", "products", str(path))
    assert result.exit_code == 1 and result.stdout == ""
    for line in ("bad.csv: line 2, price:", "bad.csv: line 4, KDV rate:", "bad.csv: line 5, name:"):
        assert line in result.stderr
    as_json = cli("import", "products", str(path), "--json")
    assert as_json.exit_code == 1
    report = json.loads(as_json.stdout)
    assert report["imported"] == 0 and [e["line"] for e in report["errors"]] == [2, 4, 5]
    assert m.Product.select().count() == 0


def test_import_customers_and_suppliers(cli: Cli) -> None:
    suppliers = cli("import", "suppliers", str(FIXTURES / "demo_suppliers.csv"), "--json")
    assert suppliers.exit_code == 0, suppliers.stderr
    assert json.loads(suppliers.stdout)["created"] == 10
    customers = cli("import", "customers", str(FIXTURES / "demo_customers.csv"), "--json")
    assert json.loads(customers.stdout)["created"] == 8


def test_format_option_and_usage_errors(cli: Cli, write_file: WriteFile, tmp_path: Path) -> None:
    path = write_file("p.data", '[{"code": "1", "name": "Kola", "price": "45", "kdv_rate": 20}]')
    assert cli("import", "products", str(path)).exit_code == 1
    assert cli("import", "products", str(path), "--format", "json").exit_code == 0
    assert cli("import", "products", str(tmp_path / "missing.csv")).exit_code == 2
    assert cli("export", "products", "--format", "xml").exit_code == 2


def test_products_show_and_search(cli: Cli, write_file: WriteFile) -> None:
    cli("import", "products", str(write_file("p.csv", PRODUCTS)))
    shown = cli("products", "show", ean(1), "--json")
    assert shown.exit_code == 0, shown.stderr
    data = json.loads(shown.stdout)
    assert (data["code"], data["price"], data["stock"], data["barcodes"], data["kdv_rate"]) == (
        "1501",
        "129.90",
        "30",
        [ean(1)],
        20,
    )
    assert json.loads(cli("products", "show", "9", "--json").stdout)["stock"] == "18.75"
    human = cli("products", "show", "1501")
    assert "Isparta Gülü Kolonya" in human.stdout and "129.90" in human.stdout
    missing = cli("products", "show", "nope")
    assert missing.exit_code == 1 and "No product with barcode or code nope" in missing.stderr
    found = cli("products", "search", "İSPARTA gul", "--json")
    assert [p["code"] for p in json.loads(found.stdout)] == ["1501"]
    assert json.loads(cli("products", "search", "kiyma", "--json").stdout)[0]["name"] == "Dana Kıyma"
    assert "No product matches" in cli("products", "search", "zzz").stderr


def test_export_to_stdout_and_file(cli: Cli, write_file: WriteFile, tmp_path: Path) -> None:
    cli("import", "products", str(write_file("p.csv", PRODUCTS)))
    shown = cli("export", "products")
    assert shown.exit_code == 0
    assert (
        shown.stdout.splitlines()[0]
        == "code,barcode,name,unit,price,cost,kdv_rate,category,supplier,min_stock,stock,active"
    )
    as_json = json.loads(cli("export", "products", "--json").stdout)
    assert {p["code"]: p["price"] for p in as_json} == {"1501": "129.90", "9": "549.00"}
    target = tmp_path / "out.jsonl"
    written = cli("export", "products", "--output", str(target))
    assert written.exit_code == 0 and written.stdout == "" and "Exported 2 product(s)" in written.stderr
    assert [json.loads(line)["code"] for line in target.read_text(encoding="utf-8").splitlines()] == ["1501", "9"]
    again = cli("import", "products", str(target), "--json")
    assert json.loads(again.stdout)["unchanged"] == 2


def test_demo_loads_a_shop_ready_to_sell_and_is_idempotent(db: object, settings: Settings, now: datetime) -> None:
    first = load_demo(settings, now)
    assert (first.products.created, first.customers.created, first.suppliers.created) == (67, 8, 10)
    assert first.users_added == ("ayse", "mehmet", "admin")
    counts = (
        m.Product.select().count(),
        m.Barcode.select().count(),
        m.StockMovement.select().count(),
        m.User.select().count(),
    )
    second = load_demo(settings, now)
    # the three products the demo's stock history moved (1003 and 1004 received, 1 written off), and
    # those its sales history's returns put back on the shelf (its opening stock is what it sold) or
    # its stock count found different (COUNT_FINDINGS), are put back to the file's levels; nothing else changes
    returns = m.SaleLine.select(m.SaleLine.code).join(m.Sale).where(m.Sale.kind == "return")
    returned = ({line.code for line in returns} | set(COUNT_FINDINGS)) - {"1", "1003", "1004"}
    assert returned  # the history has returns
    assert (second.products.created, second.products.updated, second.users_added) == (0, 3 + len(returned), ())
    assert (first.stock_documents, second.stock_documents) == (4, 0)
    # one wholesale e-Fatura to Güneş Lokantası (an e-Fatura user in the demo's registered-user list), once
    assert (first.invoices, second.invoices) == (1, 0)
    (invoice,) = m.EInvoice.select()
    assert (invoice.profile, invoice.customer_id, invoice.source) == ("TEMELFATURA", "3760124554", "wholesale")
    assert counts == (
        m.Product.select().count(),
        m.Barcode.select().count(),
        # back to the file: an import movement per product above, two revaluations (the receipt changed the tea's cost)
        m.StockMovement.select().count() - 5 - len(returned),
        m.User.select().count(),
    )
    assert "Products: 67" in str(second)

    masks = DEFAULT_SCALE_LABELS
    assert [p.name for p in catalog.search_products("ISPARTA")] == ["Isparta Gülü Kolonya 400 ml"]
    domates = catalog.scan(make_scale_label(masks[0], 1, 1250), masks)
    assert (domates.product.name, domates.qty_milli) == ("Domates", 1250)
    kiyma = catalog.scan(make_scale_label(masks[2], 9, 27450), masks)
    assert (kiyma.product.name, kiyma.line_price, kiyma.qty_milli) == ("Dana Kıyma", Decimal("274.50"), 500)
    assert catalog.scan("50", masks).product.name == "Ekmek"
    assert catalog.get_product("1901").category == "Tütün"
    for product in m.Product.select():
        assert product.kdv_rate in settings.kdv_rates
    for barcode in m.Barcode.select():
        assert catalog.scan(barcode.code, masks).product.id == barcode.product_id


def test_db_reindex_puts_a_name_changed_outside_pos_tui_right(cli: Cli, write_file: WriteFile) -> None:
    assert cli("import", "products", str(write_file("urunler.csv", PRODUCTS))).exit_code == 0
    m.Product.update(name="Limon Kolonyası").where(m.Product.code == "1501").execute()  # name_key left as it was
    assert catalog.search_products("limon") == []
    done = cli("db", "reindex", "--json")
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["search_keys_fixed"] == 1
    assert [p.code for p in catalog.search_products("limon kol")] == ["1501"]
    again = cli("db", "reindex")
    assert again.exit_code == 0 and "0 search key(s) put right" in again.stderr


def test_products_show_says_the_unit_in_the_shops_words(cli: Cli, write_file: WriteFile, settings: Settings) -> None:
    """Found by the newcomer run: `Birim: piece` in Turkish, where the till says `adet`."""
    assert cli("import", "products", str(write_file("urunler.csv", PRODUCTS))).exit_code == 0
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env["POS_CONFIG"] = str(settings.source)
    shown = subprocess.run(
        [sys.executable, "-m", "pos_tui.cli.app", "products", "show", "1501"], env=env, capture_output=True, text=True
    )
    assert shown.returncode == 0, shown.stderr
    assert "adet" in shown.stdout and "piece" not in shown.stdout
