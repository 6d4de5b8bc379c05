"""Issue 10 §1: the journal head printed on every X and Z report (and written on the fiscal
device) is an anchor kept outside the database; ``audit verify --anchor ENTRY:HASH`` proves the
chain still holds it, which catches the one attack the database alone cannot: a consistent
rewrite (the last sale deleted with its entry, the head moved back and the counter rewound)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from pos_tui.core import audit, cash, till
from pos_tui.core.kernel import Actor, ValidationError, chain_hash
from pos_tui.core.till import SaleResult
from pos_tui.settings import Settings
from pos_tui.store import models as m

Cli = Callable[..., Any]
Sell = Callable[..., SaleResult]
Tamper = Callable[..., None]


def last_entry() -> m.JournalEntry:
    return m.JournalEntry.select().order_by(m.JournalEntry.id.desc()).first()


def anchor_of(entry: m.JournalEntry) -> str:
    return f"{entry.id}:{entry.hash[:12]}"


def rewind(sale: SaleResult, tamper: Tamper) -> None:
    """Delete the last sale and its entry, move the head back AND rewind the receipt counter:
    everything inside the database is consistent again."""
    entry = m.JournalEntry.get(m.JournalEntry.ref == sale.uid)
    prev = m.JournalEntry.get_by_id(entry.id - 1)
    sid = sale.sale_id
    tables = ("sale", "sale_line", "payment", "sale_kdv", "stock_movement", "journal_entry")
    tamper(
        *(f"DROP TRIGGER {t}_no_delete" for t in tables),
        "UPDATE product SET stock = stock + 1000 WHERE code = '1001'",
        "UPDATE stock_level SET qty = qty + 1000 WHERE product_id = (SELECT id FROM product WHERE code = '1001')",
        *(f"DELETE FROM {t} WHERE sale_id = {sid}" for t in ("stock_movement", "sale_kdv", "payment", "sale_line")),
        f"DELETE FROM sale_fiscal WHERE sale_id = {sid}",
        f"DELETE FROM sale WHERE id = {sid}",
        f"DELETE FROM journal_entry WHERE id = {entry.id}",
        f"UPDATE meta_entry SET value = '{prev.id}:{prev.hash}' WHERE key = 'journal_head'",
        "UPDATE counter SET value = value - 1 WHERE scope = 'T1' AND name = 'receipt'",
        "DELETE FROM sqlite_sequence WHERE name = 'journal_entry'",
    )


def test_the_z_carries_its_own_journal_entry_and_prints_it(
    three_sales: list[SaleResult], people: dict[str, Actor], now: datetime, settings: Settings
) -> None:
    report = cash.z_report("T1", people["mehmet"], now=now + timedelta(hours=1), settings=settings)
    z_entry = last_entry()
    assert z_entry.kind == "z" and report.journal_head is not None
    assert (report.journal_head.entry, report.journal_head.hash) == (z_entry.id, z_entry.hash)
    assert "journal_head" not in json.loads(z_entry.payload)  # an entry cannot hold its own hash
    text = till.as_text(till.z_report_for(report, settings, width=42))
    line = next(ln for ln in text.splitlines() if ln.startswith("Journal head"))
    assert line.endswith(anchor_of(z_entry)) and len(line) == 42


def test_x_reports_print_the_current_head(
    three_sales: list[SaleResult], people: dict[str, Actor], now: datetime, settings: Settings
) -> None:
    head = last_entry()
    preview = cash.take_x_preview("T1", people["admin"], now=now)
    assert str(preview.journal_head) == anchor_of(head)
    assert anchor_of(head) in till.as_text(till.z_report_for(preview, settings, width=32))
    cash.open_shift("T1", people["ayse"], Decimal("0"), now=now)
    shift_head = last_entry()  # the shift's opening is journalled
    x = cash.take_x_report("T1", people["admin"], now=now)
    assert str(x.journal_head) == anchor_of(shift_head)
    assert anchor_of(shift_head) in till.as_text(till.x_report_for(x, settings, width=48))


def test_a_consistent_rewrite_passes_without_anchors_and_fails_with_one(
    three_sales: list[SaleResult], settings: Settings, tamper: Tamper
) -> None:
    printed = anchor_of(last_entry())  # on the X report taken after the third sale
    earlier = anchor_of(m.JournalEntry.get(m.JournalEntry.ref == three_sales[0].uid))
    rewind(three_sales[2], tamper)
    assert audit.verify(settings=settings).problems == []  # nothing inside the database gives it away
    report = audit.verify(settings=settings, anchors=[audit.parse_anchor(earlier), audit.parse_anchor(printed)])
    entry = int(printed.partition(":")[0])
    assert report.problems == [
        f"anchor {printed}: entry {entry} is no longer in the journal: the journal was cut off or rewritten "
        "after that report was printed"
    ]
    assert report.first_broken == entry
    assert report.anchors == {earlier: True, printed: False}


def test_a_rechained_entry_fails_its_anchor(three_sales: list[SaleResult], settings: Settings, tamper: Tamper) -> None:
    second = m.JournalEntry.get(m.JournalEntry.ref == three_sales[1].uid)
    printed = anchor_of(last_entry())
    forged = second.payload.replace('"cashier":"ayse"', '"cashier":"mehmet"')
    assert forged != second.payload
    new_hash = chain_hash(second.prev_hash, forged)
    third = last_entry()
    third_hash = chain_hash(new_hash, third.payload)
    tamper(
        "DROP TRIGGER journal_entry_no_update",
        f"UPDATE journal_entry SET payload = '{forged}', hash = '{new_hash}' WHERE id = {second.id}",
        f"UPDATE journal_entry SET prev_hash = '{new_hash}', hash = '{third_hash}' WHERE id = {third.id}",
        f"UPDATE meta_entry SET value = '{third.id}:{third_hash}' WHERE key = 'journal_head'",
    )
    report = audit.verify(settings=settings, anchors=[audit.parse_anchor(printed)])
    assert (
        f"anchor {printed}: entry {third.id} now has the hash {third_hash[:12]}: the journal was rewritten "
        "after that report was printed"
    ) in report.problems


@pytest.mark.parametrize(
    "text",
    [
        "",
        "12",
        "12:",
        ":abcdef12",
        "x:abcdef12",
        "0:abcdef12",
        "12:abc",
        "12:xyz12345",
        "9" * 30 + ":abcdef12",
        "١٢:abcdef12",
    ],
)
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(ValidationError, match="is not ENTRY:HASH as printed under"):
        audit.parse_anchor(text)


def test_anchor_hash_is_case_insensitive_and_full_hashes_work(
    three_sales: list[SaleResult], settings: Settings
) -> None:
    head = last_entry()
    anchors = [audit.parse_anchor(f" {head.id}:{head.hash.upper()} "), audit.parse_anchor(f"{head.id}:{head.hash[:8]}")]
    assert audit.verify(settings=settings, anchors=anchors).ok


def test_cli_audit_verify_anchor(three_sales: list[SaleResult], cli: Cli, tamper: Tamper) -> None:
    printed = anchor_of(last_entry())
    intact = cli("audit", "verify", "--anchor", printed, "--json")
    assert intact.exit_code == 0, intact.stderr
    entry, _sep, digest = printed.partition(":")
    assert json.loads(intact.stdout)["anchors"] == [{"entry": int(entry), "hash": digest, "ok": True}]
    assert (
        f"Anchor {printed}: the journal still holds this entry." in cli("audit", "verify", "--anchor", printed).stderr
    )
    bad = cli("audit", "verify", "--anchor", "12-abc")
    assert bad.exit_code == 1 and 'Anchor "12-abc" is not ENTRY:HASH' in bad.stderr
    rewind(three_sales[2], tamper)
    assert cli("audit", "verify").exit_code == 0
    broken = cli("audit", "verify", "--anchor", printed)
    assert broken.exit_code == 1
    assert f"First broken: anchor {printed}: entry {entry} is no longer in the journal" in broken.stderr


def test_a_malformed_anchor_is_refused_in_the_shops_language(three_sales: list[SaleResult], cli: Cli) -> None:
    """The anchor is read once the settings (and so the shop's language) are loaded."""
    bad = cli("audit", "verify", "--anchor", "12:zz", env={"POS_LANG": "tr"})
    assert bad.exit_code == 1
    assert '"12:zz" dayanağı' in bad.stderr and "is not ENTRY:HASH" not in bad.stderr, bad.stderr
