"""Customer returns of invoiced sales: a business buyer's IADE invoice is recorded, a consumer gets a gider
pusulası numbered gaplessly by the shop and printed for signature; a return of a sale without an invoice needs
nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from einvoice_support import TCKN, VKN, Shop
from money_support import cart_of, sell
from peewee import IntegrityError as PeeweeIntegrityError

from pos_tui import store
from pos_tui.core import audit, einvoice, till
from pos_tui.core.basket import PaymentInput
from pos_tui.core.kernel import PermissionDenied, ValidationError
from pos_tui.store import models as m

D = Decimal


def _invoice(shop: Shop, sale: till.SaleResult, **kw: object) -> einvoice.IssuedInvoice:
    return einvoice.invoice_sales(
        [sale.sale_id], actor=shop.books.ayse, terminal="T1", now=shop.now, settings=shop.settings, **kw
    )  # type: ignore[arg-type]


def _consumer() -> einvoice.InvoiceParty:
    return einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul")


def _return(shop: Shop, sale: till.SaleResult, qty: int = 1_000, line: int = 1, hours: int = 1) -> till.SaleResult:
    return till.create_return(
        "T1",
        shop.books.ayse,
        sale.uid,
        [till.ReturnLineInput(line, qty)],
        now=shop.now + timedelta(hours=hours),
        reason="Bozuk çıktı",
    )


def _record(shop: Shop, ret: till.SaleResult, kind: str, **kw: object) -> einvoice.ReturnDocumentInfo:
    values: dict[str, object] = {
        "kind": kind,
        "actor": shop.books.ayse,
        "terminal": "T1",
        "now": shop.now + timedelta(hours=2),
        "tz": shop.settings.shop.timezone,
    }
    values.update(kw)
    return einvoice.record_return_document(f"T1/{ret.receipt_no}", **values)  # type: ignore[arg-type]


def test_a_consumer_return_gets_a_gider_pusulasi_numbered_gaplessly_and_printed(shop: Shop, tmp_path: Path) -> None:
    inv = _invoice(shop, shop.sale, customer=_consumer())
    first = _record(
        shop, _return(shop, shop.sale), "gider_pusulasi", note="Kutusu açık", person_address="Moda Cad. 5, Kadıköy"
    )
    second = _record(shop, _return(shop, shop.sale, line=2, hours=2), "gider_pusulasi")
    year = shop.now.year
    assert (first.number, second.number) == (f"GP{year}000000001", f"GP{year}000000002")
    assert (first.kind, first.invoice_number, first.invoice_uuid) == ("gider_pusulasi", inv.number, inv.uuid)
    assert (first.person_name, first.person_id) == ("Ayşe Yılmaz", TCKN)
    # one Ekmek (10,00 at 1 %) back: 0,10 of it is KDV
    assert (first.amount, first.kdv) == (D("10.00"), D("0.10"))
    assert first.issue_date == (shop.now + timedelta(hours=2)).date()
    assert [d.number for d in einvoice.return_documents(inv.number)] == [first.number, second.number]
    assert einvoice.get_return_document(first.number).id == first.id
    entries = [
        json.loads(p)
        for (p,) in store.rows(
            m.JournalEntry.select(m.JournalEntry.payload).where(m.JournalEntry.kind == "einvoice_return")
        )
    ]
    assert entries == [einvoice.return_document_payload(first.id), einvoice.return_document_payload(second.id)]
    assert first.person_address == "Moda Cad. 5, Kadıköy" and second.person_address is None
    # printed again later: the address recorded with it is on the slip without being given again
    out = einvoice.return_document_pdf(einvoice.get_return_document(first.number), tmp_path / "gp.pdf", shop.settings)
    pdf = pdfium.PdfDocument(out)
    flat = " ".join(" ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf))).split())
    for needed in (
        "GİDER PUSULASI",
        f"No: {first.number}",
        "Adı soyadı: Ayşe Yılmaz",
        f"TCKN: {TCKN}",
        "Adres: Moda Cad. 5, Kadıköy",
        f"Fatura no: {inv.number}",
        f"ETTN: {inv.uuid}",
        "KDV %1: 0,10 TL",
        "Yalnız: On Türk Lirası",
        "Malı iade eden (ad soyad, imza)",
        "Not: Kutusu açık",
    ):
        assert needed in flat, needed
    assert "Ödenen toplam (KDV dahil):10,00 TL" in flat.replace(": ", ":")
    report = audit.verify(settings=shop.settings)
    assert report.ok, report.problems


def test_the_gider_pusulasi_sequence_has_no_gap_when_a_record_fails(shop: Shop) -> None:
    _invoice(shop, shop.sale, customer=_consumer())
    ret = _return(shop, shop.sale)
    first = _record(shop, ret, "gider_pusulasi")
    with pytest.raises(ValidationError, match="already has its document"):
        _record(shop, ret, "gider_pusulasi")
    second = _record(shop, _return(shop, shop.sale, line=2, hours=2), "return_slip")
    third = _record(shop, _return(shop, shop.sale, line=1, hours=3), "gider_pusulasi")
    assert (first.number[-9:], third.number[-9:]) == ("000000001", "000000002")
    assert second.number == f"IF{shop.now.year}000000001"


def test_a_business_buyer_returns_with_its_own_iade_invoice(shop: Shop) -> None:
    inv = _invoice(shop, shop.sale, account="BAKKAL")
    ret = _return(shop, shop.sale)
    with pytest.raises(ValidationError, match="issues an IADE invoice"):
        _record(shop, ret, "gider_pusulasi")
    with pytest.raises(ValidationError, match="number of the buyer's IADE invoice"):
        _record(shop, ret, "received_iade")
    with pytest.raises(ValidationError, match="not an e-invoice number"):
        _record(shop, ret, "received_iade", number="IADE-5")
    with pytest.raises(ValidationError, match="must come from the buyer"):
        _record(shop, ret, "received_iade", number="BKL2026000000005", person_id=TCKN)
    doc = _record(shop, ret, "received_iade", number="bkl2026000000005", issue_date=shop.now.date())
    assert (doc.kind, doc.number, doc.person_id, doc.person_name) == (
        "received_iade",
        "BKL2026000000005",
        VKN,
        "Köşe Bakkalı Ltd.",
    )
    assert doc.invoice_number == inv.number and doc.amount == D("10.00")
    with pytest.raises(ValidationError, match="prints nothing"):
        einvoice.return_document_pdf(doc, "/tmp/x.pdf", shop.settings)
    assert m.Counter.select().where(m.Counter.scope.startswith("einvoice:gider")).count() == 0


def test_a_received_iade_cannot_be_dated_before_the_invoice_or_after_today(shop: Shop) -> None:
    _invoice(shop, shop.sale, account="BAKKAL")
    ret = _return(shop, shop.sale)
    with pytest.raises(ValidationError, match="before invoice"):
        _record(shop, ret, "received_iade", number="BKL2026000000005", issue_date=date(2026, 1, 1))
    with pytest.raises(ValidationError, match="after today"):
        _record(shop, ret, "received_iade", number="BKL2026000000005", issue_date=date(2026, 12, 31))


def test_an_anonymous_consumer_needs_a_name_and_cannot_issue_an_iade(shop: Shop) -> None:
    anonymous = einvoice.InvoiceParty(einvoice.ANONYMOUS_TCKN, "Nihai Tüketici", district="Kadıköy", city="İstanbul")
    _invoice(shop, shop.sale, customer=anonymous)
    ret = _return(shop, shop.sale)
    with pytest.raises(ValidationError, match="consumer issues no invoice"):
        _record(shop, ret, "received_iade", number="BKL2026000000005")
    with pytest.raises(ValidationError, match="give the name"):
        _record(shop, ret, "gider_pusulasi")
    doc = _record(shop, ret, "gider_pusulasi", person_name="Ali Veli")
    assert (doc.person_name, doc.person_id) == ("Ali Veli", None)


def test_a_return_of_a_sale_without_an_invoice_needs_no_document(shop: Shop) -> None:
    ret = _return(shop, shop.sale)
    with pytest.raises(ValidationError, match="was not invoiced"):
        _record(shop, ret, "gider_pusulasi")
    with pytest.raises(ValidationError, match="not a return"):
        einvoice.record_return_document(
            f"T1/{shop.sale.receipt_no}",
            kind="gider_pusulasi",
            actor=shop.books.ayse,
            terminal="T1",
            now=shop.now,
        )
    assert m.ReturnDocument.select().count() == 0


def test_recording_needs_the_return_permission_and_rows_stay_as_written(shop: Shop) -> None:
    sale = sell(shop.books, cart_of(("1004", 1)), [PaymentInput("cash", D("85.00"))])
    _invoice(shop, sale, customer=_consumer())
    ret = _return(shop, sale)
    from pos_tui.core.kernel import Actor

    nobody = Actor(shop.books.ayse.user_id, "ayse", "guest", frozenset(), 0)
    with pytest.raises(PermissionDenied):
        _record(shop, ret, "gider_pusulasi", actor=nobody)
    doc = _record(shop, ret, "gider_pusulasi")
    with pytest.raises(PeeweeIntegrityError):
        m.ReturnDocument.update(amount=1).where(m.ReturnDocument.id == doc.id).execute()
