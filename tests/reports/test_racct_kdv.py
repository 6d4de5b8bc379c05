"""KDV by rate per day: receipts equal the Z's by_kdv, an invoice for a receipt is not counted twice, a
trade invoice adds its own KDV, cancelled invoices and other terminals are left out, days split at local
midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from racct_support import (  # noqa: F401
    VKN,
    Books,
    books_fixture,
    cart_of,
    consumer,
    quick_pins,
    report,
    rows_of,
    summary_of,
    totals_of,
)

from pos_tui.core import accounts, cash, einvoice
from pos_tui.core.basket import PaymentInput
from pos_tui.core.stock import receiving
from pos_tui.core.till import ReturnLineInput, complete_sale, create_return
from pos_tui.store import models as m

D = Decimal
TODAY = date(2026, 11, 1)
W = einvoice.WholesaleLine
RECEIPT_KEYS = ("receipts_base", "receipts_kdv")


def cash_sale(books: Books, *items: tuple[str, int], terminal: str = "T1", now: datetime | None = None) -> int:
    cart = cart_of(*items)
    return complete_sale(
        terminal,
        books.ayse,
        [PaymentInput("cash", cart.total)],
        now=now or books.now,
        cart=cart,
        tz=books.settings.shop.timezone,
    ).sale_id


def wholesale(books: Books, *lines: einvoice.WholesaleLine) -> einvoice.IssuedInvoice:
    done = einvoice.issue_wholesale(
        "BAKKAL", list(lines), actor=books.mehmet, terminal="T1", now=books.now, settings=books.settings
    )
    return done.invoice


def by_rate(rows: list[dict[str, object]], day: date = TODAY) -> dict[object, dict[str, object]]:
    return {r["rate"]: r for r in rows if r["day"] == day}


def test_receipts_equal_the_z_and_invoices_are_not_counted_twice(books: Books) -> None:
    a = cash_sale(books, ("1001", 2), ("1003", 1))  # 20,00 at 1 % and 120,00 at 20 %
    # an e-Arşiv invoice for receipt a: shown in its columns, never added to the total
    einvoice.invoice_sales(
        [a],
        actor=books.ayse,
        terminal="T1",
        now=books.now + timedelta(minutes=1),
        settings=books.settings,
        customer=consumer(),
    )
    cash_sale(books, ("1004", 1))  # 85,00 at 20 %
    create_return("T1", books.ayse, m.Sale.get_by_id(a).uid, [ReturnLineInput(1, 1000)],
                  now=books.now + timedelta(minutes=5), reason="bozuk")  # fmt: skip  # one Ekmek back
    cash_sale(books, ("1003", 1), terminal="T2")
    got = by_rate(rows_of(report("kdv", books.settings, books.now, TODAY, terminal="T1")))
    z = cash.z_report("T1", books.mehmet, now=books.now + timedelta(hours=1), settings=books.settings)
    assert set(z.totals.by_kdv) == {int(r) for r in got} == {1, 20}  # type: ignore[call-overload]
    for rate, kdv in z.totals.by_kdv.items():
        row = got[D(rate)]
        assert (row["receipts_base"], row["receipts_kdv"]) == (kdv.base, kdv.kdv)
        assert (row["total_base"], row["total_kdv"]) == (kdv.base, kdv.kdv)  # the invoice is not added
    assert (got[D(1)]["receipts_base"], got[D(1)]["receipts_kdv"]) == (D("9.90"), D("0.10"))  # 19,80 − 9,90
    assert (got[D(20)]["receipts_base"], got[D(20)]["receipts_kdv"]) == (D("170.83"), D("34.17"))
    assert (got[D(1)]["earsiv_base"], got[D(1)]["earsiv_kdv"]) == (D("19.80"), D("0.20"))  # the whole receipt
    assert (got[D(20)]["earsiv_base"], got[D(20)]["earsiv_kdv"]) == (D("100.00"), D("20.00"))
    assert got[D(20)]["trade_kdv"] == D(0) and got[D(20)]["efatura_kdv"] == D(0)
    chain = by_rate(rows_of(report("kdv", books.settings, books.now, TODAY)))
    assert chain[D(20)]["receipts_base"] == D("270.83")  # T2's 120,00 too


def test_trade_invoices_add_their_own_kdv_and_cancelled_ones_do_not(books: Books) -> None:
    cash_sale(books, ("1003", 1))  # 100,00 + 20,00
    wholesale(books, W("1003", 2_000))  # e-Arşiv: 240,00 = 200,00 + 40,00
    m.EInvoiceUser.create(
        identifier=VKN,
        mailbox="urn:mail:defaultpk@bakkal.com.tr",
        title="Köşe Bakkalı",
        kind="PK",
        imported_at=books.now,
    )
    wholesale(books, W("1001", 10_000))  # e-Fatura: 100,00 at 1 % = 99,01 + 0,99
    wrong = wholesale(books, W("1004", 1_000))  # cancelled below
    einvoice.cancel_invoice(
        wrong.number, "yanlış fatura", actor=books.mehmet, provider=None, now=books.now, terminal="T1"
    )
    done = report("kdv", books.settings, books.now, TODAY)
    got = by_rate(rows_of(done))
    twenty, one = got[D(20)], got[D(1)]
    assert (twenty["receipts_base"], twenty["receipts_kdv"]) == (D("100.00"), D("20.00"))
    assert (twenty["trade_base"], twenty["trade_kdv"]) == (D("200.00"), D("40.00"))
    assert (twenty["total_base"], twenty["total_kdv"]) == (D("300.00"), D("60.00"))
    assert (twenty["earsiv_base"], twenty["earsiv_kdv"], twenty["efatura_kdv"]) == (D("200.00"), D("40.00"), D(0))
    assert (one["receipts_kdv"], one["trade_base"], one["trade_kdv"]) == (D(0), D("99.01"), D("0.99"))
    assert (one["total_base"], one["efatura_base"], one["efatura_kdv"]) == (D("99.01"), D("99.01"), D("0.99"))
    totals = totals_of(done)
    assert (totals["total_base"], totals["total_kdv"], totals["day"]) == (D("399.01"), D("60.99"), None)
    figures = summary_of(done)
    assert (figures["kdv_20"], figures["base_1"], figures["total_kdv"]) == (D("60.00"), D("99.01"), D("60.99"))
    assert figures["withheld"] == D(0)


def test_days_split_at_the_shops_midnight(books: Books) -> None:
    late = datetime(2026, 11, 1, 20, 30, tzinfo=books.now.tzinfo)  # 23:30 in Istanbul
    cash_sale(books, ("1003", 1), now=late)
    cash_sale(books, ("1004", 1), now=late + timedelta(hours=1))  # 00:30 on 2 November
    done = report("kdv", books.settings, books.now, date(2026, 10, 31), date(2026, 11, 2))
    assert [(r["day"], r["rate"], r["receipts_kdv"]) for r in rows_of(done)] == [
        (date(2026, 11, 1), D(20), D("20.00")),
        (date(2026, 11, 2), D(20), D("14.17")),
    ]
    assert report("kdv", books.settings, books.now, date(2026, 11, 3)).rows == ()


def test_withholding_exemption_and_returns_to_suppliers(books: Books) -> None:
    # TEVKİFAT: 10 × 85,00 at 20 % = 708,33 + 141,67 KDV, of which the buyer withholds 9/10 (127,50)
    einvoice.issue_wholesale(
        "BAKKAL",
        [W("1004", 10_000)],
        type="TEVKIFAT",
        withholding=("602", 90),
        actor=books.mehmet,
        terminal="T1",
        now=books.now,
        settings=books.settings,
    )
    # İSTİSNA: the list prices without KDV, at 0 %: 2 × 120,00 / 1,20 + 5 × 10,00 / 1,01 = 249,50
    einvoice.issue_wholesale(
        "BAKKAL",
        [W("1003", 2_000), W("1001", 5_000)],
        type="ISTISNA",
        exemption_code="301",
        actor=books.mehmet,
        terminal="T1",
        now=books.now,
        settings=books.settings,
    )
    # goods sent back to ACME and their IADE invoice: a purchase return, not a sale
    accounts.update_party(accounts.PartyInput(code="ACME", vkn="9876543209", tax_office="Kozyatağı"), now=books.now)
    tz = books.settings.shop.timezone
    receipt = receiving.post_receipt(
        receiving.ReceiptInput(
            supplier="ACME",
            lines=(receiving.ReceiptLineInput("1003", 10_000, D("100.00")),),
            document="ACM2026000000077",
        ),
        actor=books.admin,
        now=books.now,
        terminal="T1",
        kdv_rates=books.settings.kdv_rates,
        tz=tz,
    )
    back = receiving.post_supplier_return(
        receipt.number,
        [receiving.SupplierReturnLineInput(4_000, line_no=1)],
        actor=books.admin,
        now=books.now,
        terminal="T1",
        tz=tz,
    )
    einvoice.issue_supplier_return(
        back.number,
        "ACM2026000000077",
        books.now.date(),
        actor=books.mehmet,
        terminal="T1",
        now=books.now,
        settings=books.settings,
    )
    done = report("kdv", books.settings, books.now, TODAY)
    got = by_rate(rows_of(done))
    assert sorted(got) == [D(0), D(20)]
    assert (got[D(20)]["trade_base"], got[D(20)]["trade_kdv"]) == (D("708.33"), D("141.67"))
    assert (got[D(0)]["trade_base"], got[D(0)]["trade_kdv"], got[D(0)]["total_base"]) == (
        D("249.50"),
        D(0),
        D("249.50"),
    )
    assert totals_of(done)["total_kdv"] == D("141.67")  # the IADE's KDV is not in
    assert summary_of(done)["withheld"] == D("127.50")
    assert any("127,50" in n or "127.50" in n for n in done.notes)
    assert any("1 return invoice (İADE)" in n for n in done.notes)
