"""Installment plans and their promissory notes: Turkish amounts in words, the plan read back from
the installment entries (by sale FK, uid, receipt number or ``sale:<uid>`` text) and the PDF."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from accounts_support import Books, books_fixture, quick_pins  # noqa: F401
from hypothesis import given
from hypothesis import strategies as st

from pos_tui.core import accounts, basket, till
from pos_tui.core.accounts import cheques
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.store import models as m


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ("0", "Yalnız sıfır TL"),
        ("1", "Yalnız bir TL"),
        ("10.05", "Yalnız on TL beş kr"),
        ("100", "Yalnız yüz TL"),
        ("101", "Yalnız yüzbir TL"),
        ("1000", "Yalnız bin TL"),
        ("1250.25", "Yalnız binikiyüzelli TL yirmibeş kr"),
        ("2000", "Yalnız ikibin TL"),
        ("11111", "Yalnız onbirbinyüzonbir TL"),
        ("100000", "Yalnız yüzbin TL"),
        ("1001000", "Yalnız birmilyonbin TL"),
        ("2300456.99", "Yalnız ikimilyonüçyüzbindörtyüzellialtı TL doksandokuz kr"),
        ("1000000000", "Yalnız birmilyar TL"),
    ],
)
def test_amounts_in_turkish_words(amount: str, words: str) -> None:
    assert cheques.amount_in_words(Decimal(amount)) == words


def test_words_with_spaces_and_refusals() -> None:
    assert cheques.amount_in_words(Decimal("1250.25"), joined=False) == "Yalnız bin iki yüz elli TL yirmi beş kr"
    with pytest.raises(ValidationError, match="cannot be negative"):
        cheques.amount_in_words(Decimal("-1"))
    with pytest.raises(ValidationError, match="more than two decimals"):
        cheques.amount_in_words(Decimal("1.001"))


_WORDS = {
    w: n
    for n, w in [
        *((i, cheques.number_in_words(i)) for i in range(1, 10)),
        *((i * 10, cheques.number_in_words(i * 10)) for i in range(1, 10)),
    ]
}


def _read_back(text: str) -> int:
    """Parse the joined words back (greedy, longest word first) to check the writing."""
    words = sorted([*_WORDS, "yüz", "bin", "milyon", "milyar", "trilyon"], key=len, reverse=True)
    total = group = current = 0
    while text:
        word = next(w for w in words if text.startswith(w))
        text = text[len(word) :]
        if word == "yüz":
            current = (current or 1) * 100
        elif word in ("bin", "milyon", "milyar", "trilyon"):
            scale = {"bin": 10**3, "milyon": 10**6, "milyar": 10**9, "trilyon": 10**12}[word]
            total += ((group + current) or 1) * scale
            group = current = 0
        else:
            group += current
            current = _WORDS[word]
    return total + group + current


@given(st.integers(1, 10**15 - 1))
def test_number_words_read_back_to_the_number(n: int) -> None:
    assert _read_back(cheques.number_in_words(n)) == n


def _installments(books: Books, *, sale_id: int | None, document: str, amounts: list[str]) -> None:
    drafts = [
        accounts.EntryDraft(
            party_id=books.bakkal.id,
            kind="sale",
            amount=int(Decimal(a) * 100),
            at=books.now,
            due=(books.now + timedelta(days=30 * (i + 1))).date(),
            terminal="T1",
            user_id=books.admin.user_id,
            document=document,
            sale_id=sale_id,
            installment=i + 1,
        )
        for i, a in enumerate(amounts)
    ]
    accounts.post_entries(drafts, now=books.now, tz=books.settings.shop.timezone)


def _cash_sale(books: Books) -> till.SaleResult:
    p = m.Product.get(m.Product.code == "1003")
    cart = basket.Cart().add(
        product_id=p.id, code=p.code, name=p.name, unit=p.unit, kdv_rate=p.kdv_rate, price=Decimal("120.00"),
        qty_milli=3000,
    )  # fmt: skip
    return till.complete_sale(
        "T1", books.admin, [basket.PaymentInput("cash", Decimal("360.00"))], now=books.now, cart=cart
    )


def test_the_plan_is_read_by_sale_fk_uid_and_receipt(books: Books) -> None:
    sale = _cash_sale(books)
    _installments(books, sale_id=sale.sale_id, document=f"sale:{sale.uid}", amounts=["120.00", "120.00", "120.00"])
    for key in (sale.uid, f"sale:{sale.uid}", str(sale.receipt_no), f"T1/{sale.receipt_no}"):
        plan = cheques.installment_plan(key)
        assert (plan.party.code, plan.sale.uid, plan.sale.receipt_no) == ("BAKKAL", sale.uid, sale.receipt_no)
        assert [(line.no, line.amount) for line in plan.lines] == [(i, Decimal("120.00")) for i in (1, 2, 3)]
        assert [line.due for line in plan.lines] == [date(2026, 12, 1), date(2026, 12, 31), date(2027, 1, 30)]
        assert plan.total == Decimal("360.00") and plan.sale.day == date(2026, 11, 1)
    with pytest.raises(NotFound, match="Sale 999 has no installments on account"):
        cheques.installment_plan("999")


def test_a_cancelled_installment_leaves_the_plan(books: Books) -> None:
    _installments(books, sale_id=None, document="sale:EXT-1", amounts=["100.00", "50.50"])
    first = m.AccountEntry.get(m.AccountEntry.installment == 1)
    accounts.post_entries(
        [
            accounts.EntryDraft(
                party_id=books.bakkal.id,
                kind="cancel",
                amount=-first.amount,
                at=books.now,
                terminal="T1",
                user_id=books.admin.user_id,
                cancels=first.id,
            )
        ],
        now=books.now,
    )
    plan = cheques.installment_plan("EXT-1")
    assert [(line.no, line.amount) for line in plan.lines] == [(2, Decimal("50.50"))]
    assert plan.sale.id is None and plan.sale.uid == "EXT-1"


def test_a_note_never_states_more_than_the_installment_still_owes(books: Books) -> None:
    """A reprint after a payment (or a return) states what each installment still owes; a paid one
    gets no note (the newcomer's senet after a partial return stated the original 533,20)."""
    _installments(books, sale_id=None, document="sale:EXT-2", amounts=["100.00", "100.00", "100.00"])
    accounts.payments.collect(
        accounts.payments.CollectionInput("BAKKAL", Decimal("130.00"), "transfer"),
        actor=books.admin,
        terminal="T1",
        now=books.now,
    )
    plan = cheques.installment_plan("EXT-2")
    assert [(line.no, line.amount) for line in plan.lines] == [(2, Decimal("70.00")), (3, Decimal("100.00"))]
    accounts.payments.collect(
        accounts.payments.CollectionInput("BAKKAL", Decimal("170.00"), "cash"),
        actor=books.admin,
        terminal="T1",
        now=books.now,
    )
    with pytest.raises(NotFound, match="all paid"):
        cheques.installment_plan("EXT-2")


def test_the_senet_pdf_has_one_note_per_installment_with_the_amount_in_words(books: Books, tmp_path: Path) -> None:
    accounts.update_party(accounts.PartyInput(code="BAKKAL", address="Moda Cad. 5, Kadıköy, İstanbul"), now=books.now)
    _installments(books, sale_id=None, document="sale:EXT-2", amounts=["1250.25", "1250.25", "1000.00"])
    plan = cheques.installment_plan("EXT-2")
    out = cheques.senet_pdf(plan, tmp_path / "senet.pdf", books.settings, place="İstanbul")
    pdf = pdfium.PdfDocument(out)
    assert len(pdf) == 2  # two notes to a page
    text = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    flat = " ".join(text.split())
    assert flat.count("BONO (SENET)") == 3
    assert "Yalnız binikiyüzelli TL yirmibeş kr" in flat and "Yalnız bin TL" in flat
    assert "İşbu bononun mukabilinde 01.12.2026 tarihinde" in flat
    assert "Köşe Bakkalı Ltd." in flat and "VKN: 1234567890" in flat and "Kadıköy" in flat
    assert "Taksit 3/3" in flat and "Vade: 30.01.2027" in flat and "Tutar: 1.250,25 TL" in flat
    assert "Düzenleme yeri: İstanbul" in flat and "Düzenleme tarihi: 01.11.2026" in flat
    assert not (tmp_path / "senet.pdf.part").exists()
    with pytest.raises(ValidationError, match="No folder"):
        cheques.senet_pdf(plan, tmp_path / "nope" / "x.pdf", books.settings)
