"""add_item: barcodes, PLUs, multipliers, scale labels and typed weights."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest
from stdnum import ean

from pos_tui.core import till
from pos_tui.core.kernel import Actor, NotFound, Override, PermissionDenied, ValidationError
from pos_tui.settings import Settings
from pos_tui.store import models as m

D = Decimal


def label(prefix: str, plu: str, value: int) -> str:
    body = f"{prefix}{plu}{value:05d}"
    return body + ean.calc_check_digit(body)


@pytest.fixture
def shelf(make_product: Callable[..., m.Product]) -> None:
    make_product("1001", "Ekmek", "10.00", 1, barcodes=["8690000000012"])
    make_product("00101", "Beyaz Peynir", "240.00", 10, unit="kg")
    make_product("00102", "Kuru Üzüm", "45.90", 1, unit="kg")
    make_product("1003", "Eski Ürün", "5.00", 20, barcodes=["8690000000029"], active=False)


def test_scan_a_barcode_then_the_same_again_merges(
    shelf: None, cashier: Actor, settings: Settings, now: datetime
) -> None:
    masks = settings.scale_labels
    cart = till.add_item("T1", cashier, "8690000000012", now=now, masks=masks)
    cart = till.add_item("T1", cashier, "8690000000012", now=now, masks=masks)
    assert [(ln.code, ln.barcode, ln.qty_milli) for ln in cart.lines] == [("1001", "8690000000012", 2000)]
    cart = till.add_item("T1", cashier, "1001", 3000, now=now, masks=masks)  # "3*" then the PLU
    assert [(ln.barcode, ln.qty_milli) for ln in cart.lines] == [("8690000000012", 2000), (None, 3000)]
    assert cart.total == D("50.00")
    assert till.load_open_cart("T1", cashier.user_id) == cart


def test_unknown_damaged_or_inactive_codes_are_refused(
    shelf: None, cashier: Actor, settings: Settings, now: datetime
) -> None:
    masks = settings.scale_labels
    with pytest.raises(NotFound):
        till.add_item("T1", cashier, "8690000000036", now=now, masks=masks)
    with pytest.raises(ValidationError, match="check digit"):
        till.add_item("T1", cashier, "8690000000013", now=now, masks=masks)
    with pytest.raises(ValidationError, match="not for sale"):
        till.add_item("T1", cashier, "8690000000029", now=now, masks=masks)
    with pytest.raises(ValidationError, match="whole quantity"):
        till.add_item("T1", cashier, "1001", 1500, now=now, masks=masks)
    assert m.CartDraft.select().count() == 0


def test_weight_label_makes_a_weighed_line(shelf: None, cashier: Actor, settings: Settings, now: datetime) -> None:
    code = label("27", "00101", 1250)
    cart = till.add_item("T1", cashier, code, now=now, masks=settings.scale_labels)
    line = cart.lines[0]
    assert (line.code, line.qty_milli, line.weighed, line.barcode) == ("00101", 1250, True, code)
    assert cart.total == D("300.00")
    again = till.add_item("T1", cashier, code, now=now, masks=settings.scale_labels)
    assert len(again.lines) == 2  # two packs of cheese are two lines
    with pytest.raises(ValidationError, match="multiplier"):
        till.add_item("T1", cashier, code, 2000, now=now, masks=settings.scale_labels)


def test_price_label_charges_the_printed_price(shelf: None, cashier: Actor, settings: Settings, now: datetime) -> None:
    cart = till.add_item("T1", cashier, label("29", "00102", 1234), now=now, masks=settings.scale_labels)
    line = cart.lines[0]
    assert line.fixed_amount == D("12.34") and cart.total == D("12.34")
    assert line.qty_milli == 269  # 12.34 / 45.90 kg, for stock


def test_weight_typed_by_hand_needs_permission(
    shelf: None, cashier: Actor, supervisor: Actor, settings: Settings, now: datetime
) -> None:
    masks = settings.scale_labels
    with pytest.raises(ValidationError, match="sold by weight"):
        till.add_item("T1", cashier, "00101", now=now, masks=masks)
    with pytest.raises(PermissionDenied) as denied:
        till.add_item("T1", cashier, "00101", 500, now=now, masks=masks)
    assert denied.value.permission == "manual_weight"
    cart = till.add_item("T1", cashier, "00101", 500, now=now, masks=masks, override=Override(supervisor, "scale down"))
    assert cart.total == D("120.00") and not cart.lines[0].weighed
    entry = m.JournalEntry.get(m.JournalEntry.kind == "override")
    assert json.loads(entry.payload)["action"] == "manual_weight"
    cart = till.add_item("T1", cashier, "00101", 750, now=now, masks=masks, scale_weight=True)
    assert cart.lines[-1].weighed and cart.lines[-1].qty_milli == 750
