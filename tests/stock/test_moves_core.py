"""Adjustments and transfers in core: reasons, signs, values at average cost, permissions and
overrides, the in-transit location, short and over receipts, and the audit after all of it."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from moves_support import KG, NEW, PIECE, PIECE_BARCODE, People, level, product, set_up_shop

from pos_tui.core import audit
from pos_tui.core.kernel import Override, PermissionDenied, StateError, ValidationError
from pos_tui.core.kernel.errors import ImportRejected, NotFound
from pos_tui.core.stock import moves
from pos_tui.settings import Settings
from pos_tui.store import models as m


@pytest.fixture
def people(db: object, settings: Settings, now: datetime) -> People:
    return set_up_shop(settings, now)


def journal_kinds() -> list[str]:
    return [e.kind for e in m.JournalEntry.select().order_by(m.JournalEntry.id)]


def assert_audit_ok(settings: Settings) -> None:
    report = audit.verify(settings=settings)
    assert report.ok, report.problems


# -- adjustments ----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["waste", "damage", "loss", "internal", "correction"])
def test_a_write_off_takes_stock_out_at_the_average_cost(people: People, now: datetime, reason: str, settings) -> None:
    done = moves.adjust(PIECE_BARCODE, -3000, reason, actor=people.admin, terminal="T1", now=now, note="kırık")
    assert (done.code, done.qty, done.reason, done.location) == (PIECE, -3000, reason, "MAGAZA")
    assert done.value == Decimal("-30.00") and done.unit_cost == Decimal("10.00")
    assert done.on_hand == done.on_hand_total == 97_000
    assert level(PIECE, "MAGAZA") == 97_000
    p = product(PIECE)
    assert (p.stock, p.stock_value) == (97_000, 97_000)
    mv = m.StockMovement.get(m.StockMovement.document == done.document_id)
    assert (mv.kind, mv.reason, mv.qty, mv.value, mv.note) == ("adjust", reason, -3000, -3000, "kırık")
    doc = m.StockDocument.get_by_id(done.document_id)
    assert (doc.kind, doc.reason, doc.note) == ("adjustment", reason, "kırık")
    assert journal_kinds()[-1] == "stock_adjustment"
    assert_audit_ok(settings)


def test_stock_found_comes_in_at_the_average_cost(people: People, now: datetime) -> None:
    done = moves.adjust(PIECE, 5000, "correction", actor=people.admin, terminal="T1", now=now)
    assert done.value == Decimal("50.00")
    p = product(PIECE)
    assert (p.stock, p.stock_value, p.cost) == (105_000, 105_000, 1000)


def test_an_opening_stock_with_a_unit_cost_sets_the_average(people: People, now: datetime, settings) -> None:
    done = moves.adjust(NEW, 10_000, "opening", actor=people.admin, terminal="T1", now=now, unit_cost=Decimal("12.50"))
    assert done.value == Decimal("125.00")
    p = product(NEW)
    assert (p.stock, p.stock_value, p.cost) == (10_000, 12_500, 1250)
    line = m.StockDocumentLine.get(m.StockDocumentLine.document == done.document_id)
    assert (line.qty, line.unit_cost, line.net) == (10_000, 1250, 12_500)
    assert_audit_ok(settings)


def test_a_weighed_product_takes_a_fraction(people: People, now: datetime) -> None:
    done = moves.adjust(KG, -250, "waste", actor=people.admin, terminal="T1", now=now)
    assert done.on_hand == 49_750 and done.value == Decimal("-5.00")


@pytest.mark.parametrize(
    ("code", "qty", "reason", "kw", "message"),
    [
        (PIECE, 0, "waste", {}, "cannot be 0"),
        (PIECE, -1500, "waste", {}, "not a whole number"),
        (PIECE, -1000, "theft", {}, "Unknown adjustment reason"),
        (PIECE, 1000, "correction", {"unit_cost": Decimal("1")}, "only for an opening stock"),
        (NEW, -1000, "opening", {}, "opening stock is a quantity above 0"),
        (PIECE, -1000, "waste", {"location": "YOLDA"}, "No stock location YOLDA"),
        (PIECE, -1000, "waste", {"note": "x" * 501}, "at most 500"),
    ],
)
def test_bad_adjustments_are_refused_and_nothing_is_written(
    people: People, now: datetime, code: str, qty: int, reason: str, kw: dict, message: str
) -> None:
    before = m.StockDocument.select().count(), m.JournalEntry.select().count()
    with pytest.raises((ValidationError, NotFound), match=message):
        moves.adjust(code, qty, reason, actor=people.admin, terminal="T1", now=now, **kw)
    assert (m.StockDocument.select().count(), m.JournalEntry.select().count()) == before


def test_an_unknown_product_is_named(people: People, now: datetime) -> None:
    with pytest.raises(NotFound, match="No product with barcode or code 999"):
        moves.adjust("999", -1000, "waste", actor=people.admin, terminal="T1", now=now)


def test_a_cashier_needs_a_supervisor_and_the_override_is_journalled(people: People, now: datetime, settings) -> None:
    with pytest.raises(PermissionDenied) as denied:
        moves.adjust(PIECE, -1000, "damage", actor=people.cashier, terminal="T1", now=now)
    assert denied.value.permission == "stock_adjust"
    assert m.StockDocument.select().count() == 0
    override = Override(people.supervisor, "kırık şişe")
    done = moves.adjust(PIECE, -1000, "damage", actor=people.cashier, terminal="T1", now=now, override=override)
    assert done.on_hand == 99_000
    assert journal_kinds()[-2:] == ["stock_adjustment", "override"]
    entry = m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).get()
    payload = json.loads(entry.payload)
    assert (payload["action"], payload["cashier"], payload["supervisor"], payload["reason"]) == (
        "stock_adjust",
        "ayse",
        "mehmet",
        "kırık şişe",
    )
    doc = m.StockDocument.get_by_id(done.document_id)
    assert json.loads(doc.data)["override"]["supervisor"] == "mehmet"
    # a supervisor without the permission cannot lift it
    with pytest.raises(PermissionDenied):
        moves.adjust(
            PIECE, -1000, "damage", actor=people.cashier, terminal="T1", now=now, override=Override(people.cashier, "x")
        )
    assert_audit_ok(settings)


def test_an_adjustment_at_the_depot_moves_the_depot(people: People, now: datetime) -> None:
    done = moves.adjust(PIECE, 4000, "correction", actor=people.admin, terminal="T1", now=now, location="depo")
    assert done.location == "DEPO" and done.on_hand == 4000 and done.on_hand_total == 104_000
    assert level(PIECE, "DEPO") == 4000 and level(PIECE, "MAGAZA") == 100_000


def test_the_terminals_location_is_the_default_place(people: People, now: datetime) -> None:
    moves.assign_terminal("T2", "DEPO", terminal="T1", now=now, user="admin")
    done = moves.adjust(PIECE, -1000, "internal", actor=people.admin, terminal="T2", now=now)
    assert done.location == "DEPO" and level(PIECE, "DEPO") == -1000


@pytest.mark.parametrize(
    ("word", "code"),
    [
        ("fire", "waste"),
        ("Zayi", "damage"),
        ("kayıp", "loss"),
        ("KAYIP", "loss"),
        ("iç-kullanım", "internal"),
        ("ic-kullanim", "internal"),
        ("düzeltme", "correction"),
        ("açılış", "opening"),
        ("waste", "waste"),
    ],
)
def test_reasons_in_turkish_words(word: str, code: str) -> None:
    assert moves.parse_reason(word) == code


def test_an_unknown_reason_word_lists_the_choices() -> None:
    with pytest.raises(ValidationError, match=r"waste .*damage"):
        moves.parse_reason("çalıntı")


# -- locations --------------------------------------------------------------------------------------


def test_the_transit_code_is_reserved(people: People, now: datetime) -> None:
    with pytest.raises(ValidationError, match="on their way"):
        moves.add_location("YOLDA", "Yolda", terminal="T1", now=now)
    with pytest.raises(ValidationError, match="on their way"):
        moves.assign_terminal("T2", "yolda", terminal="T1", now=now)


def test_locations_list_with_terminals(people: People, now: datetime) -> None:
    moves.assign_terminal("T2", "DEPO", terminal="T1", now=now)
    moves.assign_terminal("T3", "DEPO", terminal="T1", now=now)
    found = {loc.code: loc for loc in moves.list_locations()}
    assert found["DEPO"].terminals == ("T2", "T3") and not found["DEPO"].is_default
    assert found["MAGAZA"].is_default and found["MAGAZA"].terminals == ()
    assert "stock_terminal_location" in journal_kinds()


# -- transfers --------------------------------------------------------------------------------------


def send(people: People, now: datetime, *lines: tuple[str, int], **kw) -> moves.Transfer:
    return moves.send_transfer("MAGAZA", "DEPO", list(lines), actor=people.admin, terminal="T1", now=now, **kw)


def test_a_sending_puts_the_goods_on_the_road(people: People, now: datetime, settings) -> None:
    sent = send(people, now, (PIECE, 10_000), (KG, 2_500), (PIECE_BARCODE, 2000), note="raf")
    assert (sent.number, sent.source, sent.destination, sent.open, sent.note) == (1, "MAGAZA", "DEPO", True, "raf")
    assert [(ln.code, ln.sent, ln.received) for ln in sent.lines] == [(PIECE, 12_000, None), (KG, 2_500, None)]
    assert level(PIECE, "MAGAZA") == 88_000 and level(PIECE, "YOLDA") == 12_000 and level(PIECE, "DEPO") == 0
    assert level(KG, "YOLDA") == 2_500
    p = product(PIECE)
    assert (p.stock, p.stock_value) == (100_000, 100_000)  # nothing left the shop
    yolda = m.StockLocation.get(m.StockLocation.code == "YOLDA")
    assert (yolda.name, yolda.is_default, yolda.active) == ("Yolda (transfer)", False, False)
    kinds = {mv.kind for mv in m.StockMovement.select().where(m.StockMovement.document == sent.id)}
    assert kinds == {"transfer_out", "transfer_in"}
    assert all(mv.value == 0 for mv in m.StockMovement.select().where(m.StockMovement.document == sent.id))
    assert [t.number for t in moves.list_transfers(open_only=True)] == [1]
    assert_audit_ok(settings)


def test_a_full_receipt_brings_the_road_back_to_zero(people: People, now: datetime, settings) -> None:
    send(people, now, (PIECE, 10_000))
    got = moves.receive_transfer(1, actor=people.admin, terminal="T1", now=now + timedelta(hours=2))
    assert not got.open and got.received_number == 1 and got.received_by == "admin"
    assert got.lines[0].received == 10_000 and got.lines[0].difference == 0
    assert (level(PIECE, "MAGAZA"), level(PIECE, "YOLDA"), level(PIECE, "DEPO")) == (90_000, 0, 10_000)
    assert product(PIECE).stock == 100_000
    doc = m.StockDocument.get(m.StockDocument.kind == "transfer_in")
    assert doc.refers_to_id == got.id and doc.reason is None
    assert moves.list_transfers(open_only=True) == []
    assert len(moves.list_transfers()) == 1
    assert_audit_ok(settings)


def test_a_short_receipt_books_the_missing_goods_as_a_loss(people: People, now: datetime, settings) -> None:
    send(people, now, (PIECE, 10_000), (KG, 3_000))
    got = moves.receive_transfer(1, {PIECE: 8_000}, actor=people.admin, terminal="T1", now=now)
    assert [(ln.code, ln.sent, ln.received, ln.difference) for ln in got.lines] == [
        (PIECE, 10_000, 8_000, -2_000),
        (KG, 3_000, 3_000, 0),
    ]
    assert (level(PIECE, "MAGAZA"), level(PIECE, "YOLDA"), level(PIECE, "DEPO")) == (90_000, 0, 8_000)
    assert level(KG, "YOLDA") == 0 and level(KG, "DEPO") == 3_000
    p = product(PIECE)
    assert (p.stock, p.stock_value) == (98_000, 98_000)
    loss = m.StockMovement.get((m.StockMovement.kind == "adjust") & (m.StockMovement.product == p.id))
    assert (loss.qty, loss.reason, loss.value, loss.location.code) == (-2_000, "loss", -2_000, "YOLDA")
    assert got.short_reason == "loss"
    assert_audit_ok(settings)


def test_a_short_receipt_may_name_another_reason(people: People, now: datetime) -> None:
    send(people, now, (PIECE, 10_000))
    got = moves.receive_transfer(1, {PIECE: 0}, reason="zayi", actor=people.admin, terminal="T1", now=now)
    assert got.lines[0].received == 0 and level(PIECE, "YOLDA") == 0 and level(PIECE, "DEPO") == 0
    assert m.StockMovement.get(m.StockMovement.kind == "adjust").reason == "damage"
    assert product(PIECE).stock == 90_000


def test_an_over_receipt_books_a_correction(people: People, now: datetime, settings) -> None:
    send(people, now, (PIECE, 10_000))
    moves.receive_transfer(1, {PIECE_BARCODE: 12_000}, actor=people.admin, terminal="T1", now=now)
    assert (level(PIECE, "MAGAZA"), level(PIECE, "YOLDA"), level(PIECE, "DEPO")) == (90_000, 0, 12_000)
    p = product(PIECE)
    assert (p.stock, p.stock_value) == (102_000, 102_000)
    extra = m.StockMovement.get(m.StockMovement.kind == "adjust")
    assert (extra.qty, extra.reason, extra.value) == (2_000, "correction", 2_000)
    assert_audit_ok(settings)


def test_a_transfer_is_received_once(people: People, now: datetime) -> None:
    send(people, now, (PIECE, 10_000))
    moves.receive_transfer(1, actor=people.admin, terminal="T1", now=now)
    with pytest.raises(StateError, match="already received"):
        moves.receive_transfer(1, actor=people.admin, terminal="T1", now=now)
    assert level(PIECE, "DEPO") == 10_000 and m.StockDocument.select().count() == 2


@pytest.mark.parametrize(
    ("received", "reason", "message"),
    [
        ({KG: 1000}, None, "is not on transfer 1"),
        ({PIECE: -1000}, None, "cannot be negative"),
        ({PIECE: 1500}, None, "not a whole number"),
        ({"nope": 1000}, None, "No product"),
        ({}, "opening", "Unknown adjustment reason"),
    ],
)
def test_bad_receipts_are_refused_and_the_transfer_stays_open(
    people: People, now: datetime, received: dict, reason: str | None, message: str
) -> None:
    send(people, now, (PIECE, 10_000))
    with pytest.raises((ValidationError, NotFound), match=message):
        moves.receive_transfer(1, received, reason=reason, actor=people.admin, terminal="T1", now=now)
    assert moves.get_transfer(1).open and level(PIECE, "YOLDA") == 10_000


@pytest.mark.parametrize(
    ("source", "destination", "lines", "message"),
    [
        ("MAGAZA", "MAGAZA", [(PIECE, 1000)], "two different locations"),
        ("MAGAZA", "YOLDA", [(PIECE, 1000)], "on their way"),
        ("MAGAZA", "ANKARA", [(PIECE, 1000)], "No stock location ANKARA"),
        ("MAGAZA", "DEPO", [], "at least one line"),
        ("MAGAZA", "DEPO", [(PIECE, 0)], "cannot be 0"),
        ("MAGAZA", "DEPO", [(PIECE, -1000)], "above 0"),
        ("MAGAZA", "DEPO", [(PIECE, 500)], "not a whole number"),
    ],
)
def test_bad_sendings_are_refused(
    people: People, now: datetime, source: str, destination: str, lines: list, message: str
) -> None:
    with pytest.raises((ValidationError, NotFound), match=message):
        moves.send_transfer(source, destination, lines, actor=people.admin, terminal="T1", now=now)
    assert m.StockDocument.select().count() == 0


def test_transfers_need_the_permission(people: People, now: datetime, settings) -> None:
    with pytest.raises(PermissionDenied):
        moves.send_transfer("MAGAZA", "DEPO", [(PIECE, 1000)], actor=people.cashier, terminal="T1", now=now)
    override = Override(people.supervisor, "raf dolumu")
    moves.send_transfer(
        "MAGAZA", "DEPO", [(PIECE, 1000)], actor=people.cashier, terminal="T1", now=now, override=override
    )
    with pytest.raises(PermissionDenied):
        moves.receive_transfer(1, actor=people.cashier, terminal="T1", now=now)
    moves.receive_transfer(1, actor=people.cashier, terminal="T1", now=now, override=override)
    assert journal_kinds().count("override") == 2
    assert_audit_ok(settings)


def test_unknown_transfer_number(people: People, now: datetime) -> None:
    with pytest.raises(NotFound, match="No transfer number 7"):
        moves.receive_transfer(7, actor=people.admin, terminal="T1", now=now)
    with pytest.raises(NotFound, match="No transfer number 7"):
        moves.get_transfer(7)


def test_everything_together_then_the_audit(people: People, now: datetime, settings) -> None:
    """Sendings both ways, a short, an over and a full receipt, adjustments at both places:
    per location the sum of movements, YOLDA empty, the total only moved by adjustments."""
    a = people.admin
    send(people, now, (PIECE, 10_000), (KG, 5_000))
    moves.send_transfer("MAGAZA", "DEPO", [(PIECE, 3_000)], actor=a, terminal="T1", now=now)
    assert level(PIECE, "YOLDA") == 13_000
    moves.receive_transfer(2, {PIECE: 2_000}, actor=a, terminal="T1", now=now)
    moves.receive_transfer(1, {KG: 5_500}, actor=a, terminal="T1", now=now)
    moves.send_transfer("DEPO", "MAGAZA", [(PIECE, 4_000)], actor=a, terminal="T1", now=now)
    moves.adjust(PIECE, -1000, "waste", actor=a, terminal="T1", now=now, location="DEPO")
    moves.receive_transfer(3, actor=a, terminal="T1", now=now)
    assert (level(PIECE, "MAGAZA"), level(PIECE, "DEPO"), level(PIECE, "YOLDA")) == (91_000, 7_000, 0)
    assert (level(KG, "MAGAZA"), level(KG, "DEPO"), level(KG, "YOLDA")) == (45_000, 5_500, 0)
    assert product(PIECE).stock == 98_000 and product(KG).stock == 50_500
    assert moves.list_transfers(open_only=True) == []
    assert_audit_ok(settings)


# -- files ----------------------------------------------------------------------------------------


def test_a_transfer_file_in_csv_with_decimal_commas(people: People, tmp_path) -> None:
    path = tmp_path / "sevk.csv"
    path.write_text(f"barkod;qty\n{PIECE_BARCODE};3\n\n{KG};1,250\n".replace("barkod", "barcode"), encoding="utf-8")
    assert moves.read_lines_file(path) == [(PIECE_BARCODE, 3000), (KG, 1250)]


def test_a_transfer_file_in_json(people: People, tmp_path) -> None:
    path = tmp_path / "sevk.json"
    path.write_text(json.dumps([{"code": PIECE, "qty": 2}, {"code": KG, "qty": "0.5"}]), encoding="utf-8")
    assert moves.read_lines_file(path) == [(PIECE, 2000), (KG, 500)]


def test_a_bad_transfer_file_names_every_bad_row(people: People, tmp_path) -> None:
    path = tmp_path / "sevk.csv"
    path.write_text(f"code,qty\n{PIECE},1.5\nnope,1\n,2\n{KG},abc\n{PIECE},4\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as rejected:
        moves.read_lines_file(path)
    assert [e.line for e in rejected.value.errors] == [2, 3, 4, 5]
    assert "4 bad row(s)" in rejected.value.message


# -- the till sells from the terminal's location --------------------------------------------------


def test_a_sale_on_a_terminal_assigned_to_the_depot_takes_the_stock_from_the_depot(
    people: People, now: datetime, settings
) -> None:
    from pos_tui.core.basket import Cart, PaymentInput
    from pos_tui.core.till import complete_sale

    moves.send_transfer("MAGAZA", "DEPO", [(PIECE, 5_000)], actor=people.admin, terminal="T1", now=now)
    moves.receive_transfer(1, actor=people.admin, terminal="T1", now=now)
    moves.assign_terminal("KASA2", "DEPO", terminal="T1", now=now)
    p = product(PIECE)
    cart = Cart().add(
        product_id=p.id,
        code=p.code,
        name=p.name,
        unit=p.unit,
        kdv_rate=p.kdv_rate,
        price=Decimal("120.00"),
        qty_milli=2000,
    )
    complete_sale("KASA2", people.admin, [PaymentInput("cash", Decimal("240.00"))], now=now, cart=cart)
    assert (level(PIECE, "DEPO"), level(PIECE, "MAGAZA")) == (3_000, 95_000)
    sale_mv = m.StockMovement.get(m.StockMovement.kind == "sale")
    assert (sale_mv.location.code, sale_mv.qty, sale_mv.terminal) == ("DEPO", -2000, "KASA2")
    assert_audit_ok(settings)
