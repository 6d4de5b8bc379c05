"""Card numbers are never stored (docs/pan.md): every free text the stock services keep — notes,
the supplier's document number, a count's name and zone, a location's name — is refused when it
holds one, and nothing is written."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest
from moves_support import PIECE, People, set_up_shop

from pos_tui.core.kernel import ValidationError, to_db
from pos_tui.core.stock import counting, moves, receiving
from pos_tui.settings import Settings
from pos_tui.store import models as m

CARD = "kart 4111 1111 1111 1111"  # a test Visa number, spaced as a receipt prints it


@pytest.fixture
def people(db: object, settings: Settings, now: datetime) -> People:
    shop = set_up_shop(settings, now)
    m.Supplier.create(code="S1", name="Toptancı", created_at=to_db(now))
    return shop


def _receipt(people: People, now: datetime, settings: Settings, **kw: Any) -> Any:
    return receiving.post_receipt(
        receiving.ReceiptInput(supplier="S1", lines=[receiving.ReceiptLineInput(PIECE, 1000, Decimal("10.00"))], **kw),
        actor=people.admin,
        now=now,
        terminal="T1",
        kdv_rates=settings.kdv_rates,
    )


CASES: dict[str, Callable[[People, datetime, Settings], Any]] = {
    "adjustment note": lambda p, now, s: moves.adjust(
        PIECE, -1000, "waste", actor=p.admin, terminal="T1", now=now, note=CARD
    ),
    "transfer note": lambda p, now, s: moves.send_transfer(
        "MAGAZA", "DEPO", [(PIECE, 1000)], actor=p.admin, terminal="T1", now=now, note=CARD
    ),
    "receipt note": lambda p, now, s: _receipt(p, now, s, note=CARD),
    "supplier document": lambda p, now, s: _receipt(p, now, s, document=CARD),
    "supplier return note": lambda p, now, s: receiving.post_supplier_return(
        _receipt(p, now, s, document="IRS-1").number,
        [receiving.SupplierReturnLineInput(1000, line_no=1)],
        actor=p.admin,
        now=now,
        terminal="T1",
        note=CARD,
    ),
    "count name": lambda p, now, s: counting.open_count(CARD, actor=p.admin, now=now, terminal="T1"),
    "count note": lambda p, now, s: counting.open_count("Raf 1", actor=p.admin, now=now, terminal="T1", note=CARD),
    "count zone": lambda p, now, s: counting.record_event(
        counting.open_count("Raf 1", actor=p.admin, now=now, terminal="T1").id,
        m.Product.get(m.Product.code == PIECE).id,
        1000,
        uid="u1",
        actor=p.admin,
        now=now,
        terminal="T1",
        zone=CARD,
    ),
    "location name": lambda p, now, s: moves.add_location("ARKA", CARD, terminal="T1", now=now),
}


@pytest.mark.parametrize("where", list(CASES))
def test_a_card_number_is_never_stored(people: People, now: datetime, settings: Settings, where: str) -> None:
    documents = m.StockDocument.select().count()
    with pytest.raises(ValidationError, match="card number"):
        CASES[where](people, now, settings)
    written = m.StockDocument.select().count() - documents
    assert written == (1 if where == "supplier return note" else 0)  # only the receipt it returns against
    assert not m.CountEvent.select().exists()
    assert not m.StockLocation.select().where(m.StockLocation.code == "ARKA").exists()
