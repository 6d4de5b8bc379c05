"""Documents are written from one value, a :class:`DocumentDraft`: callers build it, and
``write_document(draft, ctx)`` posts it (no twenty keyword parameters to extend for the next
document kind). The journalled JSON is the one ``sale_document`` reads back, and the audit
recomputes it."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

import pytest

from pos_tui.core import audit
from pos_tui.core.basket import SALE, PaymentInput, TenderContext, settle_payments
from pos_tui.core.kernel import Actor, canonical
from pos_tui.core.till import DocumentDraft, sale_document
from pos_tui.core.till.posting import DocLine, _kdv_rows, write_document
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

D = Decimal


def test_a_draft_written_directly_is_journalled_as_sale_document_reads_it(
    db: object, cashier: Actor, make_product: object, now: datetime, settings: Settings
) -> None:
    tea = make_product("4001", "Çay 500 g", "42.50", 10)  # type: ignore[operator]
    lines = [
        DocLine(tea.id, "4001", None, "Çay 500 g", "piece", 2000, D("42.50"), D("42.50"), D("5.00"), D("80.00"), 10)
    ]
    with write_tx():
        ctx = TenderContext(SALE, "T1", cashier.user_id, None, D("80.00"), now)
        applied = settle_payments([PaymentInput("cash", D("100.00"))], ctx)
        draft = DocumentDraft(
            kind=SALE,
            uid="draft-1",
            terminal="T1",
            cashier_id=cashier.user_id,
            lines=lines,
            kdv_rows=_kdv_rows(lines),
            payments=applied,
            now=now,
            source="import",
            tz=settings.shop.timezone,
            note="written from a draft",
        )
        result = write_document(draft, ctx)

    assert (result.total, result.change) == (D("80.00"), D("20.00"))
    document = sale_document(result.sale_id, settings.shop.timezone)
    assert result.document == document
    assert (document["id"], document["type"], document["discount"], document["total"]) == (
        "draft-1",
        "sale",
        "5.00",
        "80.00",
    )
    assert m.JournalEntry.get(m.JournalEntry.ref == "draft-1").payload == canonical(document)
    assert m.Sale.get(m.Sale.uid == "draft-1").note == "written from a draft"
    assert audit.verify(settings=settings).ok


def test_a_draft_is_a_frozen_keyword_only_value() -> None:
    with pytest.raises(TypeError):
        DocumentDraft("sale", "x", "T1", 1, [], [], [], datetime(2026, 1, 1), "till", "UTC")  # type: ignore[misc]
    draft = DocumentDraft(
        kind="sale",
        uid="x",
        terminal="T1",
        cashier_id=1,
        lines=[],
        kdv_rows=[],
        payments=[],
        now=datetime(2026, 1, 1),
        source="till",
        tz="UTC",
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        draft.kind = "return"  # type: ignore[misc]
    assert (draft.member_id, draft.return_of_id, tuple(draft.benefits), draft.evaluation) == (None, None, (), None)
