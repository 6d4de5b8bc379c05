"""``pos-admin einvoice render`` and ``einvoice export``: the invoice by id, number or ETTN; HTML,
PDF and slip files; the XML exactly as issued; clear errors and no file for an unknown invoice or
an output that cannot be written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from einvoice_support import Shop
from lxml import html
from render_support import issued_xml, pdf_pages_text, pdf_qr_codes

from pos_tui.core import einvoice
from pos_tui.settings import Settings

Cli = Callable[..., Any]


def test_render_html_pdf_and_slip_by_id_number_and_ettn(shop: Shop, cli: Cli, tmp_path: Path) -> None:
    inv, xml = issued_xml(shop)
    page = tmp_path / "fatura.html"
    got = cli("einvoice", "render", inv.number, "--format", "html", "--output", str(page), "--json")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout) == {
        "id": inv.id,
        "number": inv.number,
        "uuid": inv.uuid,
        "format": "html",
        "output": str(page),
    }
    assert page.read_text(encoding="utf-8") == einvoice.render.render_html(xml)
    assert html.fromstring(page.read_bytes()).xpath("string(//*[@id='number'])") == inv.number

    pdf = tmp_path / "fatura.pdf"
    got = cli("einvoice", "render", inv.uuid, "--output", str(pdf))  # the format from the suffix
    assert got.exit_code == 0, got.output
    assert f"Invoice {inv.number} written to {pdf}." in got.stderr
    assert "Ödenecek Tutar 128,00 TL" in pdf_pages_text(pdf.read_bytes())[0]
    assert pdf_qr_codes(pdf.read_bytes()) == [[einvoice.render.karekod(xml)]]

    slip = tmp_path / "fis.txt"
    got = cli("einvoice", "render", str(inv.id), "--format", "slip", "--width", "32", "--output", str(slip))
    assert got.exit_code == 0, got.output
    assert slip.read_text(encoding="utf-8").splitlines() == einvoice.render.info_slip_lines(xml, 32)
    assert not list(tmp_path.glob("*.part"))


def test_export_writes_the_xml_exactly_as_issued(shop: Shop, cli: Cli, tmp_path: Path) -> None:
    inv, xml = issued_xml(shop)
    out = tmp_path / "fatura.xml"
    got = cli("einvoice", "export", inv.uuid, "--output", str(out), "--json")
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["number"] == inv.number
    assert out.read_bytes() == xml == einvoice.invoice_xml(inv.number)


def test_unknown_invoices_bad_formats_and_unwritable_outputs_are_refused(shop: Shop, cli: Cli, tmp_path: Path) -> None:
    inv, _xml = issued_xml(shop)
    out = tmp_path / "x.html"
    for args in (("render", "AT12026999999999", "--output", str(out)), ("export", "424242", "--output", str(out))):
        got = cli("einvoice", *args)
        assert got.exit_code == 1 and "No invoice" in got.stderr, got.output
    got = cli("einvoice", "render", inv.number, "--format", "docx", "--output", str(out))
    assert got.exit_code == 2 and "--format: choose one of html, pdf, slip, not 'docx'" in got.stderr
    assert not out.exists()
    missing = tmp_path / "no-such-folder" / "x.xml"
    got = cli("einvoice", "export", inv.number, "--output", str(missing))
    assert got.exit_code == 1 and f"Cannot write {missing}" in got.stderr
    assert not missing.parent.exists()


def test_a_real_process_in_turkish(shop: Shop, settings: Settings, tmp_path: Path) -> None:
    inv, xml = issued_xml(shop)
    env = {**os.environ, "POS_DB": settings.db_url, "POS_HOME": str(settings.home), "POS_LANG": "tr"}
    env.update(POS_CONFIG=str(settings.source), POS_TERMINAL="T1", PYTHONPATH=str(Path(__file__).parents[2]))
    out = tmp_path / "fatura.pdf"
    run = [sys.executable, "-m", "pos_tui.cli.app", "einvoice", "render", inv.number, "--output", str(out)]
    got = subprocess.run(run, env=env, capture_output=True, text=True)
    assert got.returncode == 0, got.stderr
    assert pdf_qr_codes(out.read_bytes()) == [[einvoice.render.karekod(xml)]]
    bad = subprocess.run([*run[:-3], "AT12026999999999", "--output", str(out)], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.startswith("hata: ")
