"""Counting (sayım) in core: the rule while sales continue, uncounted products, undo, retries,
reversal, blind sessions, scope, scale labels."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from test_count_support import later, make_product, make_user, receive, sell, uid

from pos_tui.core.audit import verify
from pos_tui.core.kernel import Actor
from pos_tui.core.kernel.errors import NotFound, PermissionDenied, StateError, ValidationError
from pos_tui.core.stock import counting, ledger
from pos_tui.core.stock.locations import terminal_location
from pos_tui.settings import Settings
from pos_tui.store import models as m


@pytest.fixture
def boss(db: object, settings: Settings, now: datetime) -> Actor:
    return make_user(settings, now, "mehmet", "supervisor")


@pytest.fixture
def counter(db: object, settings: Settings, now: datetime) -> Actor:
    return make_user(settings, now, "ayse", "cashier")


def _open(boss: Actor, now: datetime, **kw: object) -> int:
    return counting.open_count("Yıl sonu", actor=boss, now=now, terminal="T1", **kw).id  # type: ignore[arg-type]


def _scan(session: int, pid: int, qty: int, actor: Actor, now: datetime, **kw: object) -> counting.EventResult:
    return counting.record_event(session, pid, qty, uid=uid(), actor=actor, now=now, terminal="T1", **kw)  # type: ignore[arg-type]


def test_sales_during_the_count_are_neither_lost_nor_doubled(boss: Actor, counter: Actor, now: datetime) -> None:
    """10 on record, 9 really there (one was stolen). The counter counts 3; a customer takes 2 of
    those counted to a till; the counter counts the 6 still on the shelf: 9 counted, expected 10
    (frozen at the first scan), variance -1. One more is sold before posting. Posting books -1 on
    top of what is on hand then: 10 - 2 - 1 - 1 = 6, which is what the shelf holds (9 - 2 - 1)."""
    water = make_product(now, "W1", "Su")
    receive(water, 10_000, 500, now, boss)
    session = _open(boss, now)
    first = _scan(session, water, 3_000, counter, later(now, 1))
    assert first.counted == 3_000 and first.expected == 10_000
    sell(water, 2_000, later(now, 2))
    second = _scan(session, water, 6_000, counter, later(now, 3))
    assert second.counted == 9_000 and second.expected == 10_000  # frozen at the first scan
    review = counting.review_count(session, actor=boss)
    (line,) = review.lines
    assert (line.expected, line.counted, line.variance) == (10_000, 9_000, -1_000)
    assert line.variance_value == -500  # 1 × 5,00 TL
    sell(water, 1_000, later(now, 4))  # a sale after the count, before posting: stays booked
    result = counting.post_count(session, uncounted="leave", actor=boss, now=later(now, 5), terminal="T1")
    assert result.movements == 1 and result.document_id is not None
    assert ledger.on_hand(water) == 6_000
    assert ledger.on_hand(water, terminal_location(None)) == 6_000
    doc = m.StockDocument.get_by_id(result.document_id)
    assert doc.kind == "count"
    (mv,) = list(m.StockMovement.select().where(m.StockMovement.document == doc.id))
    assert (mv.kind, mv.qty) == ("count", -1_000)


def test_receipt_between_first_count_and_posting_is_kept(boss: Actor, counter: Actor, now: datetime) -> None:
    oil = make_product(now, "O1", "Yağ")
    receive(oil, 4_000, 10_000, now, boss)
    session = _open(boss, now)
    _scan(session, oil, 4_000, counter, later(now, 1))  # all four there
    receive(oil, 6_000, 10_000, later(now, 2), boss)  # a delivery lands during the count
    counting.post_count(session, uncounted="leave", actor=boss, now=later(now, 3), terminal="T1")
    assert ledger.on_hand(oil) == 10_000  # no variance: the delivery is neither lost nor doubled


def test_uncounted_products_are_left_or_zeroed_never_silently(
    boss: Actor, counter: Actor, now: datetime, settings: Settings
) -> None:
    counted, forgotten, empty = (make_product(now, c, c) for c in ("A", "B", "C"))
    for pid in (counted, forgotten):
        receive(pid, 5_000, 100, now, boss)
    s1 = _open(boss, now)
    _scan(s1, counted, 5_000, counter, now)
    review = counting.review_count(s1, actor=boss)
    assert [ln.product_id for ln in review.uncounted] == [forgotten]  # C has nothing on hand
    assert review.uncounted[0].expected == 5_000
    with pytest.raises(ValidationError, match="leave or zero"):
        counting.post_count(s1, uncounted="maybe", actor=boss, now=now, terminal="T1")  # type: ignore[arg-type]
    left = counting.post_count(s1, uncounted="leave", actor=boss, now=now, terminal="T1")
    assert (left.left, left.zeroed, left.document_id) == (1, 0, None)
    assert ledger.on_hand(forgotten) == 5_000
    assert counting.get_count(s1).status == "posted"

    s2 = _open(boss, now)
    _scan(s2, counted, 5_000, counter, now)
    sell(forgotten, 1_000, later(now, 1))  # expected of a zeroed product: on hand at posting
    zeroed = counting.post_count(s2, uncounted="zero", actor=boss, now=later(now, 2), terminal="T1")
    assert (zeroed.zeroed, zeroed.movements) == (1, 1)
    assert ledger.on_hand(forgotten) == 0 and ledger.on_hand(counted) == 5_000 and ledger.on_hand(empty) == 0
    assert verify(settings=settings).ok  # the post without a document is journalled too


def test_a_retry_after_the_count_closed_still_answers(boss: Actor, counter: Actor, now: datetime) -> None:
    a = make_product(now, "A", "A")
    session = _open(boss, now)
    first = counting.record_event(session, a, 1_000, uid="late", actor=counter, now=now, terminal="T1")
    counting.post_count(session, uncounted="leave", actor=boss, now=now, terminal="T1")
    retry = counting.record_event(session, a, 1_000, uid="late", actor=counter, now=now, terminal="T1")
    assert retry.replayed and retry.event_id == first.event_id
    with pytest.raises(StateError):
        counting.record_event(session, a, 1_000, uid="new", actor=counter, now=now, terminal="T1")


def test_undo_own_last_entry_and_only_that(boss: Actor, counter: Actor, settings: Settings, now: datetime) -> None:
    other = make_user(settings, now, "ali", "cashier")
    a, b = make_product(now, "A", "A"), make_product(now, "B", "B")
    session = _open(boss, now)
    first = _scan(session, a, 2_000, counter, now)
    _scan(session, b, 1_000, other, now)
    last = _scan(session, a, 3_000, counter, now)
    undone = counting.undo_event(session, uid=uid(), actor=counter, now=now, terminal="T1")
    assert (undone.undoes, undone.qty, undone.counted) == (last.event_id, -3_000, 2_000)
    # the next undo walks back to the counter's previous entry, not ali's
    again = counting.undo_event(session, uid=uid(), actor=counter, now=now, terminal="T1")
    assert again.undoes == first.event_id and again.counted == 0
    with pytest.raises(ValidationError, match="no entry left"):
        counting.undo_event(session, uid=uid(), actor=counter, now=now, terminal="T1")
    # every entry of A undone: A is uncounted again (its line dropped)
    assert [ln.code for ln in counting.review_count(session, actor=boss).lines] == ["B"]
    # someone else's entry: count_manage only
    ali_event = m.CountEvent.get((m.CountEvent.product == b) & (m.CountEvent.session == session)).id
    with pytest.raises(PermissionDenied):
        counting.undo_event(session, uid=uid(), actor=counter, now=now, terminal="T1", event_id=ali_event)
    by_boss = counting.undo_event(session, uid=uid(), actor=boss, now=now, terminal="T1", event_id=ali_event)
    assert by_boss.counted == 0
    with pytest.raises(ValidationError, match="already undone"):
        counting.undo_event(session, uid=uid(), actor=boss, now=now, terminal="T1", event_id=ali_event)


def test_a_retried_event_counts_once(boss: Actor, counter: Actor, now: datetime) -> None:
    a = make_product(now, "A", "A")
    session = _open(boss, now)
    first = counting.record_event(session, a, 1_000, uid="same", actor=counter, now=now, terminal="T1")
    retry = counting.record_event(session, a, 1_000, uid="same", actor=counter, now=now, terminal="T1")
    assert retry.replayed and retry.event_id == first.event_id and retry.counted == 1_000
    assert m.CountEvent.select().count() == 1
    undo = counting.undo_event(session, uid="undo-1", actor=counter, now=now, terminal="T1")
    undo_again = counting.undo_event(session, uid="undo-1", actor=counter, now=now, terminal="T1")
    assert undo_again.replayed and undo_again.event_id == undo.event_id
    assert counting.product_total(session, a) == 0


def test_reversal_restores_stock_and_value(boss: Actor, counter: Actor, now: datetime, settings: Settings) -> None:
    a, b = make_product(now, "A", "A"), make_product(now, "B", "B")
    receive(a, 10_000, 250, now, boss)
    receive(b, 4_000, 1_000, now, boss)
    before = {p: (m.Product.get_by_id(p).stock, m.Product.get_by_id(p).stock_value) for p in (a, b)}
    session = _open(boss, now)
    _scan(session, a, 7_000, counter, now)
    _scan(session, b, 6_000, counter, now)
    posted = counting.post_count(session, uncounted="leave", actor=boss, now=later(now, 1), terminal="T1")
    assert ledger.on_hand(a) == 7_000 and ledger.on_hand(b) == 6_000
    reversed_ = counting.reverse_count(session, actor=boss, now=later(now, 2), terminal="T1")
    after = {p: (m.Product.get_by_id(p).stock, m.Product.get_by_id(p).stock_value) for p in (a, b)}
    assert after == before
    doc = m.StockDocument.get_by_id(reversed_.document_id)
    assert (doc.kind, doc.refers_to_id) == ("reversal", posted.document_id)
    assert counting.get_count(session).reversal_id == doc.id
    with pytest.raises(StateError, match="already reversed"):
        counting.reverse_count(session, actor=boss, now=later(now, 3), terminal="T1")
    report = verify(settings=settings)
    assert report.ok, report.problems


def test_blind_session_hides_expected(boss: Actor, counter: Actor, now: datetime) -> None:
    a = make_product(now, "A", "A")
    receive(a, 3_000, 100, now, boss)
    session = _open(boss, now, blind=True)
    event = _scan(session, a, 1_000, counter, now)
    assert event.expected is None and event.counted == 1_000
    info = counting.get_count(session)
    assert not counting.may_see_expected(info, counter) and counting.may_see_expected(info, boss)
    assert [ln.expected for ln in counting.counted_lines(session, blind=True)] == [None]
    _info, rows = counting.sheet_rows(session)
    assert [r.expected for r in rows] == [None]
    assert "expected" not in counting.sheet_csv(info, rows).splitlines()[0]


def test_permissions_state_and_scope(boss: Actor, counter: Actor, now: datetime) -> None:
    drinks = make_product(now, "D1", "Kola", category="İçecek")
    bread = make_product(now, "B1", "Ekmek", category="Fırın")
    with pytest.raises(PermissionDenied):
        counting.open_count("x", actor=counter, now=now, terminal="T1")
    with pytest.raises(NotFound, match="No category"):
        _open(boss, now, categories=["Yok"])
    session = _open(boss, now, categories=["İçecek"])
    _scan(session, drinks, 1_000, counter, now)
    with pytest.raises(ValidationError, match="not in this count's scope"):
        _scan(session, bread, 1_000, counter, now)
    with pytest.raises(ValidationError, match="whole number"):
        _scan(session, drinks, 1_500, counter, now)
    with pytest.raises(ValidationError, match="negative"):
        _scan(session, drinks, -1_000, counter, now)
    with pytest.raises(PermissionDenied):
        counting.post_count(session, uncounted="leave", actor=counter, now=now, terminal="T1")
    counting.cancel_count(session, actor=boss, now=now, terminal="T1")
    with pytest.raises(StateError, match="cancelled"):
        _scan(session, drinks, 1_000, counter, now)
    with pytest.raises(StateError, match="only a posted count"):
        counting.reverse_count(session, actor=boss, now=now, terminal="T1")
    assert [c.status for c in counting.list_counts()] == ["cancelled"]


def test_scan_multiplier_and_scale_labels(boss: Actor, counter: Actor, settings: Settings, now: datetime) -> None:
    from pos_tui.core.catalog import make_scale_label

    cola = make_product(now, "C1", "Kola", barcodes=("8690000000011",))
    cheese = make_product(now, "00042", "Peynir", unit="kg")
    mask = next(mk for mk in settings.scale_labels if mk.kind == "weight")
    label = make_scale_label(mask, "00042", 1250)
    session = _open(boss, now)

    def scan(code: str, qty: int | None = None) -> counting.EventResult:
        return counting.record_scan(
            session, code, uid=uid(), actor=counter, now=now, terminal="T1", masks=settings.scale_labels, qty=qty
        )

    assert scan("8690000000011").counted == 1_000
    assert scan("8690000000011", qty=5_000).counted == 6_000  # 5* then scan
    assert scan("C1").counted == 7_000  # a typed product code
    assert scan(label).counted == 1_250  # a weighed label carries its weight
    assert scan(label, qty=2_000).counted == 3_750  # two packs with the same label
    assert scan("00042", qty=500).counted == 4_250  # a typed weight
    with pytest.raises(NotFound):
        scan("123")
    assert counting.session_totals(session) == {cola: 7_000, cheese: 4_250}
    assert [ln.code for ln in counting.counted_lines(session, blind=False)] == ["00042", "C1"]


def test_review_orders_by_value_and_flags(boss: Actor, counter: Actor, now: datetime) -> None:
    cheap, dear = make_product(now, "A", "Ucuz"), make_product(now, "B", "Pahalı")
    receive(cheap, 100_000, 100, now, boss)  # 1,00 TL each
    receive(dear, 10_000, 50_000, now, boss)  # 500,00 TL each
    session = _open(boss, now)
    _scan(session, cheap, 90_000, counter, now)  # -10 × 1 TL
    _scan(session, dear, 9_000, counter, now)  # -1 × 500 TL
    review = counting.review_count(session, actor=boss, threshold=Decimal("50"))
    assert [ln.code for ln in review.lines] == ["B", "A"]
    assert [review.flagged(ln) for ln in review.lines] == [True, False]
    assert review.variance_value == -51_000


def test_the_review_values_a_variance_as_posting_will(boss: Actor, counter: Actor, now: datetime) -> None:
    """3 units worth 10,00 together: one missing takes out 3,33 and two missing 6,67 (the last
    units take what is left). The review says what posting then does, to the kuruş."""
    soap, salt = make_product(now, "S1", "Sabun"), make_product(now, "S2", "Tuz")
    here = terminal_location(None)
    for pid in (soap, salt):  # 10,00 for three: an average of 3,33 a unit
        ledger.write_stock_document(
            ledger.StockDraft(
                kind="adjustment", at=now, now=now, terminal="T1", user_id=boss.user_id, location_id=here,
                lines=[ledger.DraftLine(pid, 3_000)], reason="opening",
                movements=[ledger.Movement(pid, here, 3_000, ledger.ADJUST, amount=1_000, reason="opening")],
            )
        )  # fmt: skip
    session = _open(boss, now)
    _scan(session, soap, 2_000, counter, later(now, 1))
    _scan(session, salt, 1_000, counter, later(now, 1))
    review = counting.review_count(session, actor=boss)
    assert sorted(line.variance_value for line in review.lines) == [-667, -333]
    result = counting.post_count(session, uncounted="leave", actor=boss, now=later(now, 2), terminal="T1")
    assert result.value == review.variance_value == -1_000
