"""Helpers for the member tests: posted sale rows that belong to a member, files to import,
and pos-admin run in-process (a fresh CLI state per call, as a real process would have)."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from pos_tui.core.kernel import to_db
from pos_tui.store import models as m

REPO = Path(__file__).resolve().parents[2]

Cli = Callable[..., Any]

_seq = itertools.count(1)


def member_sale(
    at: datetime,
    cashier_id: int,
    member_id: int | None,
    total_kurus: int,
    *,
    kind: str = "sale",
    return_of: int | None = None,
) -> int:
    """A posted sale (or return) row on ``member_id``'s card, as the sale flow will write it."""
    n = next(_seq)
    sale = m.Sale.create(
        uid=f"members-test-{n}",
        kind=kind,
        terminal="T9",
        receipt_no=n,
        at=to_db(at),
        cashier=cashier_id,
        subtotal=total_kurus,
        total=total_kurus,
        member=member_id,
        return_of=return_of,
    )
    return int(sale.id)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
