"""Coupons: creation and its checks, the specific reasons a code is refused, recording uses
(never beyond ``max_uses``), listing, and personal offers from purchase history."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from engine_support import new_product, sale_line_row, sale_row
from loyalty_support import new_member

from pos_tui.core.kernel import Actor, NotFound, PermissionDenied, StateError, ValidationError
from pos_tui.core.loyalty import ALPHABET, CouponOffer, check_coupon, coupons, create_coupon, record_use, rules
from pos_tui.store import models as m

DAY = date(2026, 11, 1)


def test_create_an_amount_and_a_percent_coupon(db: object, now: datetime) -> None:
    info = create_coupon(" yilbasi-50 ", kind="amount", amount=Decimal("50"), min_spend=Decimal(200), now=now)
    assert (info.code, info.kind, info.amount, info.percent, info.min_spend) == (
        "YILBASI-50",
        "amount",
        Decimal("50.00"),
        None,
        Decimal("200.00"),
    )
    assert info.max_uses == 1 and info.uses == 0 and info.active and info.source == "admin"
    pct = create_coupon(None, kind="percent", percent=Decimal("12.5"), max_uses=None, now=now)
    assert len(pct.code) == 8 and set(pct.code) <= set(ALPHABET)
    assert pct.percent == Decimal("12.5") and pct.max_uses is None
    assert m.Coupon.get(m.Coupon.code == pct.code).percent_bp == 1250
    entries = [json.loads(e.payload) for e in m.JournalEntry.select().where(m.JournalEntry.kind == "coupon")]
    assert [e["code"] for e in entries] == ["YILBASI-50", pct.code]


def test_generated_codes_avoid_look_alikes() -> None:
    assert not set("0O1IL2Z5S8B") & set(ALPHABET)
    codes = {coupons.new_code() for _ in range(200)}
    assert len(codes) == 200


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"kind": "gift"}, "an amount or a percent"),
        ({"kind": "amount"}, "needs an amount"),
        ({"kind": "amount", "amount": Decimal(0)}, "more than zero"),
        ({"kind": "amount", "amount": Decimal(5), "percent": Decimal(5)}, "and no percent"),
        ({"kind": "percent", "percent": Decimal(101)}, "at most 100"),
        ({"kind": "percent", "percent": Decimal("1.005")}, "two decimals"),
        ({"kind": "percent", "percent": Decimal(5), "max_uses": 0}, "at least once"),
        (
            {"kind": "percent", "percent": Decimal(5), "valid_from": DAY, "valid_to": DAY - timedelta(days=1)},
            "before it starts",
        ),
    ],
)
def test_bad_coupons_are_refused(db: object, now: datetime, options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        create_coupon("X-1", now=now, **options)  # type: ignore[arg-type]
    assert m.Coupon.select().count() == 0


def test_codes_products_and_members_are_checked(db: object, now: datetime, cashier: Actor) -> None:
    create_coupon("AYNI", kind="amount", amount=Decimal(5), now=now)
    with pytest.raises(ValidationError, match="already used"):
        create_coupon("ayni", kind="amount", amount=Decimal(5), now=now)
    with pytest.raises(ValidationError, match="3 to 32 characters"):
        create_coupon("ab!", kind="amount", amount=Decimal(5), now=now)
    with pytest.raises(ValidationError, match="letters A to Z"):
        create_coupon("yılbaşı", kind="amount", amount=Decimal(5), now=now)
    with pytest.raises(NotFound, match="No product with code 404"):
        create_coupon(None, kind="amount", amount=Decimal(5), product_code="404", now=now)
    with pytest.raises(NotFound, match="No member with id 999"):
        create_coupon(None, kind="amount", amount=Decimal(5), member_id=999, now=now)
    with pytest.raises(PermissionDenied):
        create_coupon(None, kind="amount", amount=Decimal(5), actor=cashier, now=now)


def test_every_reason_a_coupon_is_refused(db: object, now: datetime) -> None:
    owner, other = new_member(now), new_member(now, "Ali Veli")
    create_coupon(
        "ACIK", kind="amount", amount=Decimal(20), min_spend=Decimal(100), valid_from=DAY, valid_to=DAY, now=now
    )
    create_coupon("KISISEL", kind="percent", percent=Decimal(10), member_id=owner, now=now)

    with pytest.raises(NotFound, match="No coupon with code YOK"):
        check_coupon("yok", member_id=None, day=DAY)
    with pytest.raises(ValidationError, match="Coupon ACIK is valid from 2026-11-01"):
        check_coupon("ACIK", member_id=None, day=DAY - timedelta(days=1))
    with pytest.raises(ValidationError, match="Coupon ACIK expired on 2026-11-01"):
        check_coupon("ACIK", member_id=None, day=DAY + timedelta(days=1))
    with pytest.raises(ValidationError, match=r"needs a receipt of at least 100\.00; this one is 99\.99"):
        check_coupon("ACIK", member_id=None, day=DAY, cart_total=Decimal("99.99"))
    assert check_coupon("acik", member_id=None, day=DAY, cart_total=Decimal(100)) == CouponOffer(
        "ACIK", "amount", amount=Decimal("20.00"), min_spend=Decimal("100.00")
    )
    with pytest.raises(ValidationError, match="belongs to another member"):
        check_coupon("KISISEL", member_id=other, day=DAY)
    with pytest.raises(ValidationError, match="personal: attach the member's card first"):
        check_coupon("KISISEL", member_id=None, day=DAY)
    assert check_coupon("KISISEL", member_id=owner, day=DAY).percent == Decimal(10)

    sale = sale_row(
        now, m.User.create(name="k", role="cashier", pin_tag="t", pin_hash="x", created_at=now).id, owner, 100
    )
    record_use("KISISEL", sale, owner, Decimal("5.00"), now)
    with pytest.raises(ValidationError, match="Coupon KISISEL has already been used"):
        check_coupon("KISISEL", member_id=owner, day=DAY)
    m.Coupon.update(active=False).where(m.Coupon.code == "ACIK").execute()
    with pytest.raises(ValidationError, match="Coupon ACIK has been withdrawn"):
        check_coupon("ACIK", member_id=None, day=DAY)


def test_record_use_never_goes_past_max_uses(db: object, now: datetime, make_sale: object) -> None:
    create_coupon("IKI", kind="amount", amount=Decimal(10), max_uses=2, now=now)
    sales = [make_sale() for _ in range(3)]  # type: ignore[operator]
    record_use("IKI", sales[0], None, Decimal("10.00"), now)
    record_use("iki", sales[1], None, Decimal("7.50"), now)
    with pytest.raises(StateError, match="used up"):
        record_use("IKI", sales[2], None, Decimal("10.00"), now)
    uses = list(m.CouponUse.select(m.CouponUse.amount).order_by(m.CouponUse.id).tuples())
    assert uses == [(1000,), (750,)]
    with pytest.raises(ValidationError, match="used 2 times, its limit"):
        check_coupon("IKI", member_id=None, day=DAY)
    create_coupon("SINIRSIZ", kind="amount", amount=Decimal(1), max_uses=None, now=now)
    for sale in sales:
        record_use("SINIRSIZ", sale, None, Decimal("1.00"), now)
    assert coupons.get_coupon("SINIRSIZ").uses == 3


def test_list_coupons(db: object, now: datetime, make_sale: object) -> None:
    member = new_member(now)
    create_coupon("AAA1", kind="amount", amount=Decimal(1), now=now)
    create_coupon("BBB2", kind="amount", amount=Decimal(1), member_id=member, valid_to=DAY, now=now)
    create_coupon("CCC3", kind="amount", amount=Decimal(1), source="offer", now=now)
    record_use("AAA1", make_sale(), None, Decimal(1), now)  # type: ignore[operator]
    assert [c.code for c in coupons.list_coupons()] == ["CCC3", "BBB2", "AAA1"]
    assert [c.code for c in coupons.list_coupons(member_id=member)] == ["BBB2"]
    assert [c.code for c in coupons.list_coupons(source="offer")] == ["CCC3"]
    assert [c.code for c in coupons.list_coupons(usable_on=DAY)] == ["CCC3", "BBB2"]
    assert [c.code for c in coupons.list_coupons(usable_on=DAY + timedelta(days=1))] == ["CCC3"]
    assert [c.code for c in coupons.list_coupons(limit=1)] == ["CCC3"]
    assert coupons.list_coupons()[2].to_dict()["uses"] == 1


def test_offers_go_to_each_members_most_bought_product(db: object, now: datetime, cashier: Actor) -> None:
    rules.apply_rules('[earning.excluded]\ncategories = ["Tütün"]\n', now=now)
    ayse, ali, old, anon = (new_member(now, n) for n in ("Ayşe", "Ali", "Eski", "Gizli"))
    tea = new_product(now, "1003", "254.90", name="Rize Çay")
    bread = new_product(now, "50", "10.00", name="Ekmek")
    smokes = new_product(now, "1901", "95.00", name="Sigara", category="Tütün")
    # Ayşe: 5 cigarettes (excluded), 3 breads, 1 tea → bread.
    sale = sale_row(now - timedelta(days=3), cashier.user_id, ayse, 0)
    sale_line_row(sale, 1, smokes, 5)
    sale_line_row(sale, 2, bread, 3)
    sale_line_row(sale, 3, tea, 1)
    # Ali: 2 teas and 4 breads, but returned 3 breads → tea.
    sale = sale_row(now - timedelta(days=10), cashier.user_id, ali, 0)
    sale_line_row(sale, 1, tea, 2)
    sale_line_row(sale, 2, bread, 4)
    back = sale_row(now - timedelta(days=9), cashier.user_id, ali, 0, kind="return")
    sale_line_row(back, 1, bread, 3)
    # Eski bought long ago; Gizli is anonymised.
    sale_line_row(sale_row(now - timedelta(days=200), cashier.user_id, old, 0), 1, tea, 9)
    sale_line_row(sale_row(now - timedelta(days=1), cashier.user_id, anon, 0), 1, tea, 9)
    m.Member.update(anonymized_at=now).where(m.Member.id == anon).execute()

    made = coupons.generate_offers(now=now, kind="percent", value=Decimal(15), valid_days=30)
    assert [(c.member_id, c.product_code, c.percent, c.max_uses, c.source) for c in made] == [
        (ayse, "50", Decimal(15), 1, "offer"),
        (ali, "1003", Decimal(15), 1, "offer"),
    ]
    assert made[0].valid_from == DAY and made[0].valid_to == DAY + timedelta(days=29)
    assert made[0].note == "Your favourite: Ekmek"
    # Idempotent in the period; a new period (after the coupons end) makes new ones.
    assert coupons.generate_offers(now=now, kind="percent", value=Decimal(15)) == []
    assert coupons.generate_offers(now=now + timedelta(days=20), kind="percent", value=Decimal(15)) == []
    later = coupons.generate_offers(now=now + timedelta(days=31), kind="amount", value=Decimal(20), days=60, limit=1)
    assert [(c.member_id, c.kind, c.amount) for c in later] == [(ayse, "amount", Decimal("20.00"))]


def test_offers_refuse_nonsense(db: object, now: datetime) -> None:
    with pytest.raises(ValidationError):
        coupons.generate_offers(now=now, kind="percent", value=Decimal(150))
    with pytest.raises(ValidationError):
        coupons.generate_offers(now=now, valid_days=0)
    assert coupons.generate_offers(now=now) == []
