"""No card number (PAN) is stored in any free text: one test per kind of field, each with a
card number written in a form the old filter missed (dots, slashes, underscores, full-width
digits, stars), and nothing written when it is refused (issue 10, section 5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from pos_tui.core import cash, till
from pos_tui.core.basket import Cart, PaymentInput
from pos_tui.core.interchange.imports import import_customers, import_suppliers
from pos_tui.core.interchange.sales_io import import_sales
from pos_tui.core.kernel import Actor, ImportRejected, Override, ValidationError, to_db
from pos_tui.core.loyalty import coupons, giftcards, ledger, wallet
from pos_tui.core.staff.users import record_override
from pos_tui.core.till.results import ReturnLineInput
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal
DOTS = "4111.1111.1111.1111"
SLASHES = "5555/5555/5555/4444"
UNDERSCORES = "6011_1111_1111_1117"
FULL_WIDTH = "３５３０１１１３３３３０００００"
STARS = "411111*111111*1111"
MASKED = "411111******1111"


def stored_texts() -> int:
    """Rows of every table a refused text could have reached."""
    tables = (m.JournalEntry, m.Sale, m.Payment, m.CashMovement, m.PointsEntry, m.WalletEntry, m.Coupon)
    return sum(t.select().count() for t in tables)


@pytest.fixture
def rung_up(
    db: object, cashier: Actor, make_product: Callable[..., m.Product], add: Callable[..., Cart], now: datetime
) -> Cart:
    bread = make_product("1001", "Ekmek", "10.00", 1)
    cart = add(Cart(), bread, 2000)
    till.save_cart("T1", cashier.user_id, cart, now=now)
    return cart


@pytest.fixture
def member(db: object, now: datetime) -> int:
    return int(m.Member.create(card="M-1", name="Zeynep", created_at=to_db(now)).id)


@pytest.mark.parametrize("reference", [DOTS, SLASHES, UNDERSCORES, FULL_WIDTH, STARS])
def test_a_payment_reference_with_a_card_number_is_refused(
    rung_up: Cart, cashier: Actor, now: datetime, reference: str
) -> None:
    before = stored_texts()
    with pytest.raises(ValidationError, match="card number"):
        till.complete_sale("T1", cashier, [PaymentInput("card", D("20.00"), reference=reference)], now=now)
    assert stored_texts() == before


def test_a_masked_reference_as_the_terminal_prints_it_is_kept(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    till.complete_sale("T1", cashier, [PaymentInput("card", D("20.00"), reference=f"{MASKED} 123456")], now=now)
    assert m.Payment.get().reference == f"{MASKED} 123456"


def test_a_cart_note_with_a_card_number_is_refused() -> None:
    with pytest.raises(ValidationError, match="card number"):
        Cart().with_note(f"müşteri kartı {DOTS}")
    assert Cart().with_note(f"kart {MASKED} ile ödedi").note == f"kart {MASKED} ile ödedi"


def test_a_void_reason_with_a_card_number_is_refused(rung_up: Cart, cashier: Actor, now: datetime) -> None:
    before = stored_texts()
    with pytest.raises(ValidationError, match="card number"):
        till.void_line("T1", cashier, 1, f"yanlış kart {SLASHES}", now=now)
    assert stored_texts() == before
    assert till.load_open_cart("T1", cashier.user_id) == rung_up


def test_a_price_override_reason_with_a_card_number_is_refused(rung_up: Cart) -> None:
    with pytest.raises(ValidationError, match="card number"):
        rung_up.override_price(1, D("8.00"), f"indirim {UNDERSCORES}")


def test_a_cancel_reason_with_a_card_number_is_refused(
    rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    before = stored_texts()
    with pytest.raises(ValidationError, match="card number"):
        till.cancel_cart("T1", cashier, f"iptal {FULL_WIDTH}", now=now, override=Override(supervisor, "vazgeçti"))
    assert stored_texts() == before


def test_a_return_reason_with_a_card_number_is_refused(
    rung_up: Cart, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    sale = till.complete_sale("T1", cashier, [PaymentInput("cash", D("20.00"))], now=now)
    before = stored_texts()
    with pytest.raises(ValidationError, match="card number"):
        till.create_return("T1", supervisor, sale.uid, [ReturnLineInput(1, 1000)], now=now, reason=f"iade {STARS}")
    assert stored_texts() == before


@pytest.mark.parametrize("movement", ["paid_in", "paid_out", "no_sale"])
def test_a_cash_movement_reason_with_a_card_number_is_refused(
    db: object, supervisor: Actor, now: datetime, movement: str
) -> None:
    before = stored_texts()
    with pytest.raises(ValidationError, match="card number"):
        if movement == "no_sale":
            cash.no_sale("T1", supervisor, f"kart {DOTS}", now=now)
        else:
            getattr(cash, movement)("T1", supervisor, D("10.00"), f"kart {DOTS}", now=now)
    assert stored_texts() == before


def test_a_manager_override_reason_with_a_card_number_is_refused(
    db: object, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    with pytest.raises(ValidationError, match="card number"):
        record_override(cashier, Override(supervisor, f"onay {SLASHES}"), "void_line", terminal="T1", now=now)
    assert m.JournalEntry.select().count() == 0


def test_a_points_adjustment_reason_with_a_card_number_is_refused(
    member: int, supervisor: Actor, now: datetime
) -> None:
    before = stored_texts()
    with pytest.raises(ValidationError, match="card number"):
        ledger.adjust(member, 100, f"düzeltme {UNDERSCORES}", actor=supervisor, now=now, terminal="T1")
    with pytest.raises(ValidationError, match="card number"):
        wallet.adjust(member, D("5.00"), f"düzeltme {UNDERSCORES}", actor=supervisor, now=now, terminal="T1")
    assert stored_texts() == before


def test_a_coupon_note_with_a_card_number_is_refused(db: object, now: datetime) -> None:
    with pytest.raises(ValidationError, match="card number"):
        coupons.create_coupon(None, kind="amount", amount=D("10.00"), note=f"kart {FULL_WIDTH}", now=now)
    assert m.Coupon.select().count() == 0


def test_an_imported_address_or_name_with_a_card_number_is_refused(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(f"code;name;address\nC1;Ayşe;Bahariye Cad. {DOTS}\nC2;Ali;Moda\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_customers(customers, now=now, settings=settings)
    assert [(e.line, e.field) for e in caught.value.errors] == [(2, "address")]
    assert "card number" in caught.value.errors[0].reason
    suppliers = tmp_path / "suppliers.json"
    suppliers.write_text(json.dumps([{"code": "S1", "name": f"Toptancı {STARS}"}]), encoding="utf-8")
    with pytest.raises(ImportRejected, match="card number"):
        import_suppliers(suppliers, now=now, settings=settings)
    assert m.Customer.select().count() == m.Supplier.select().count() == 0


def test_an_imported_sale_note_with_a_card_number_is_refused(
    db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    path = tmp_path / "sales.jsonl"
    doc = {"id": "x1", "at": "2026-11-01T10:00:00+03:00", "terminal": "T9", "note": f"kart {SLASHES}", "lines": []}
    path.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_sales(path, settings=settings, now=now)
    assert any(e.field == "note" and "card number" in e.reason for e in caught.value.errors)
    assert m.Sale.select().count() == 0


def test_a_gift_card_deactivation_reason_with_a_card_number_is_refused(
    db: object, cashier: Actor, supervisor: Actor, now: datetime
) -> None:
    card = giftcards.issue_card(D("50.00"), actor=cashier, now=now, terminal="T1", method="card")
    with pytest.raises(ValidationError, match="card number"):
        giftcards.deactivate(card.code, actor=supervisor, now=now, terminal="T1", reason=f"çalındı {DOTS}")
    assert giftcards.get_card(card.code).active
