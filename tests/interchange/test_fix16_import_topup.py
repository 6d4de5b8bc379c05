"""A store credit top-up never makes ``import sales`` skip a sale (and the other way round).

A till / pos-admin top-up used to journal ``wallet_topup`` with the member's id as reference,
and the import took every ``wallet_topup`` reference for an already-imported document id, so a
sale whose id equalled a topped-up member's id was silently skipped. Now till top-ups are
journalled ``topup:<entry id>``, imported ones ``import:<line id>``, and a top-up line is
compared only with imported top-ups, a sale or return only with documents."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from pos_tui.core.interchange import import_sales
from pos_tui.core.kernel import ImportRejected, to_db, to_kurus
from pos_tui.core.loyalty import members, register_loyalty_tenders, wallet
from pos_tui.core.staff.users import actor_by_name
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

PHONE = "05321234567"
AT = "2026-10-30T18:05:00+03:00"


@pytest.fixture
def member(db: object, now: datetime) -> int:
    """Kolonya (code 60, 100 TL), the cashier ayse and the member Zeynep."""
    register_loyalty_tenders()
    m.Product.create(
        code="60",
        name="Kolonya",
        name_key=fold("Kolonya"),
        price=to_kurus(D("100")),
        kdv_rate=10,
        updated_at=to_db(now),
    )
    m.User.create(name="ayse", role="cashier", pin_tag="t", pin_hash="x", created_at=to_db(now))
    return members.enroll(name="Zeynep", phone=PHONE, source="cli", actor=None, now=now - timedelta(days=3)).id


def sale(uid: str) -> dict[str, Any]:
    return {
        "id": uid,
        "at": AT,
        "terminal": "WEB",
        "cashier": "ayse",
        "lines": [{"code": "60", "qty": "1"}],
        "payments": [{"method": "cash", "amount": "100.00"}],
    }


def topup(uid: str, amount: str = "50.00") -> dict[str, Any]:
    return {
        "kind": "wallet_topup",
        "id": uid,
        "at": AT,
        "terminal": "WEB",
        "cashier": "ayse",
        "member": PHONE,
        "amount": amount,
        "method": "card",
    }


def write(tmp_path: Path, name: str, docs: list[dict[str, Any]]) -> Path:
    path = tmp_path / name
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def topup_refs() -> list[str | None]:
    J = m.JournalEntry
    return [ref for (ref,) in J.select(J.ref).where(J.kind == wallet.TOPUP_JOURNAL).order_by(J.id).tuples()]


def test_sale_id_equal_to_a_topped_up_member_id_is_imported(
    member: int, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    actor = actor_by_name("ayse", settings=settings)
    # a card top-up at the till / `pos-admin wallet topup`
    done = wallet.top_up(member, D("50"), method="card", actor=actor, terminal="T1", now=now - timedelta(days=1))
    assert topup_refs() == [f"topup:{done.entry.id}"]  # its own reference, not the member id
    result = import_sales(write(tmp_path, "sales.jsonl", [sale(str(member))]), settings=settings, now=now)
    assert (result.imported, result.skipped) == (1, 0)
    assert [s.uid for s in m.Sale.select()] == [str(member)]


def test_an_imported_top_up_is_imported_once(member: int, settings: Settings, now: datetime, tmp_path: Path) -> None:
    path = write(tmp_path, "topups.jsonl", [topup("1")])
    first = import_sales(path, settings=settings, now=now)
    again = import_sales(path, settings=settings, now=now)
    assert (first.imported, first.wallet_topups, first.skipped) == (1, 1, 0)
    assert (again.imported, again.wallet_topups, again.skipped) == (0, 0, 1)
    assert [(e.kind, e.amount) for e in wallet.wallet_entries(member)] == [("topup", D("50.00"))]
    assert topup_refs() == ["import:1"]


def test_top_ups_and_sales_with_the_same_id_do_not_hide_each_other(
    member: int, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    first = import_sales(write(tmp_path, "a.jsonl", [topup("web-7"), sale("web-8")]), settings=settings, now=now)
    assert (first.imported, first.wallet_topups) == (2, 1)
    # a later sale named like the imported top-up, and a top-up named like the imported sale
    later = import_sales(write(tmp_path, "b.jsonl", [sale("web-7"), topup("web-8")]), settings=settings, now=now)
    assert (later.imported, later.skipped, later.wallet_topups) == (2, 0, 1)
    # each once: the same two files again import nothing
    for name, docs in (("a.jsonl", [topup("web-7"), sale("web-8")]), ("b.jsonl", [sale("web-7"), topup("web-8")])):
        again = import_sales(write(tmp_path, name, docs), settings=settings, now=now)
        assert (again.imported, again.skipped) == (0, 2)
    assert wallet.wallet_balance(member) == D("100.00")
    assert sorted(s.uid for s in m.Sale.select()) == ["web-7", "web-8"]


def test_a_top_up_id_leaves_room_for_its_prefix(member: int, settings: Settings, now: datetime, tmp_path: Path) -> None:
    with pytest.raises(ImportRejected) as caught:
        import_sales(write(tmp_path, "long.jsonl", [topup("x" * 58)]), settings=settings, now=now)
    assert [(e.line, e.field) for e in caught.value.errors] == [(1, "id")]
    assert "57" in caught.value.errors[0].reason
    result = import_sales(write(tmp_path, "ok.jsonl", [topup("x" * 57)]), settings=settings, now=now)
    assert result.wallet_topups == 1 and topup_refs() == ["import:" + "x" * 57]
    assert all(len(ref or "") <= 64 for ref in topup_refs())
