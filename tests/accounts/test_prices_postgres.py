"""Price lists on PostgreSQL: the same resolution (dates, newest start, list-wide rule), listing
and showing, and a sale to an account priced from its list, through the same portable queries."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import peewee
import pytest

from pos_tui.settings import Settings

pytestmark = pytest.mark.postgres
D = Decimal


def test_price_lists_on_postgres(pg_db: peewee.Database, settings: Settings, now: datetime) -> None:
    from accounts_support import make_books

    from pos_tui.core import catalog, till
    from pos_tui.core.accounts import PartyInput, prices, update_party
    from pos_tui.core.basket import PaymentInput
    from pos_tui.store import models as m

    books = make_books(settings, now)
    prices.add_price_list("TOPTAN", "Toptan", actor=books.admin, now=now)
    day = date(2026, 6, 15)
    for product, kw in (
        ("*", {"percent_off": D("10")}),
        ("1003", {"price": D("100.00")}),
        ("1003", {"price": D("90.00"), "valid_from": date(2026, 6, 10), "valid_to": date(2026, 6, 20)}),
    ):
        prices.set_price("TOPTAN", prices.PriceInput(product, **kw), actor=books.admin, now=now, day=day)  # type: ignore[arg-type]
    ids = {code: catalog.get_product(code).id for code in ("1002", "1003")}
    assert prices.prices_for("TOPTAN", ids.values(), day) == {ids["1002"]: D("29.25"), ids["1003"]: D("90.00")}
    assert prices.price_for("TOPTAN", ids["1003"], date(2026, 6, 21)) == D("100.00")
    view = prices.show_price_list("TOPTAN", day=day)
    assert [i.product_code for i in view.items] == [None, "1003", "1003"]
    assert [i.in_force for i in view.items] == [True, False, True]
    assert [(p.code, p.items) for p in prices.list_price_lists()] == [("TOPTAN", 3)]

    update_party(PartyInput(code="BAKKAL", price_list="TOPTAN"), now=now)
    till.add_item("T1", books.mehmet, "1002", now=now, masks=())
    cart = till.set_account("T1", books.mehmet, "BAKKAL", now=now)
    result = till.complete_sale("T1", books.mehmet, [PaymentInput("cash", cart.total)], now=now)
    assert m.Sale.get_by_id(result.sale_id).customer_id == books.bakkal.customer_id
    assert result.total == D("29.25")
