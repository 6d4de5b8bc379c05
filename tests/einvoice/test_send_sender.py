"""The background sender: backoff with an explicit now, one invoice per ETTN after a timeout, max
attempts, polling, rejected then re-issued, cancel rules, the audit, the status line's summary."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from einvoice_support import VKN, Shop, consumer_draft, issue

from pos_tui import store
from pos_tui.core import einvoice
from pos_tui.core.audit import verify
from pos_tui.core.einvoice import providers
from pos_tui.core.kernel import PermissionDenied, StateError, ValidationError
from pos_tui.settings import EInvoiceSettings
from pos_tui.store import models as m

SETTINGS = EInvoiceSettings(retry_seconds=30, max_attempts=3)


def sale_draft(shop: Shop, **kw: object) -> einvoice.InvoiceDraft:
    return consumer_draft(shop.settings, sale_ids=(shop.sale.sale_id,), **kw)


def run(provider: providers.EInvoiceProvider, now: datetime, settings: EInvoiceSettings = SETTINGS):
    return einvoice.send_due(provider, now=now, terminal="T1", settings=settings)


def queue(inv: einvoice.IssuedInvoice) -> tuple[str, int, datetime | None]:
    row = m.EInvoiceQueue.get(m.EInvoiceQueue.invoice == inv.id)
    return row.status, row.attempts, row.next_at


def kinds(inv: einvoice.IssuedInvoice) -> list[str]:
    return [e.kind for e in einvoice.events_of(inv.id)]


def audit_problems(shop: Shop) -> list[str]:
    return [str(p) for p in verify(settings=shop.settings).problems]


def test_an_accepted_invoice_is_sent_recorded_and_journalled(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    report = run(providers.SimulatorProvider(tmp_path), shop.now)
    (step,) = report.steps
    assert (step.status, step.event, step.attempt, step.reference) == ("accepted", "accepted", 1, "SIM-000001")
    assert kinds(inv) == ["queued", "sent", "accepted"]
    assert queue(inv)[0] == "accepted" and queue(inv)[2] is None
    assert einvoice.get_invoice(inv.id).status == "accepted"
    statuses = m.JournalEntry.select().where(m.JournalEntry.kind == "einvoice_status").count()
    assert statuses == 2
    assert run(providers.SimulatorProvider(tmp_path), shop.now + timedelta(days=1)).steps == []
    assert audit_problems(shop) == []


def test_retries_back_off_and_resend_the_same_ettn_once_at_the_provider(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    sim = providers.SimulatorProvider(tmp_path, timeouts=2)
    t0 = shop.now
    assert run(sim, t0).steps[0].event == "error"
    assert queue(inv) == ("queued", 1, (t0 + timedelta(seconds=30)).replace(tzinfo=None))
    assert run(sim, t0 + timedelta(seconds=29)).steps == []  # not due yet
    t1 = t0 + timedelta(seconds=30)
    assert run(sim, t1).steps[0].event == "error"
    assert queue(inv) == ("queued", 2, (t1 + timedelta(seconds=60)).replace(tzinfo=None))
    step = run(sim, t1 + timedelta(seconds=60)).steps[0]
    assert (step.status, step.attempt) == ("accepted", 3)
    state = sim.snapshot()
    assert list(state["invoices"]) == [inv.uuid] and state["tries"][inv.uuid] == 3  # one invoice, three tries
    assert kinds(inv) == ["queued", "error", "error", "sent", "accepted"]
    assert [e.attempt for e in einvoice.events_of(inv.id)] == [0, 1, 2, 3, 3]
    assert audit_problems(shop) == []


def test_after_max_attempts_the_sender_stops_and_send_tries_again(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    sim = providers.SimulatorProvider(tmp_path, timeouts=3)
    at = shop.now
    for n in range(3):
        run(sim, at)
        at += timedelta(seconds=30 * 2**n)
    status, attempts, next_at = queue(inv)
    assert (status, attempts, next_at) == ("queued", 3, None)
    assert "einvoice send" in m.EInvoiceQueue.get(m.EInvoiceQueue.invoice == inv.id).message
    assert run(sim, at + timedelta(days=30)).steps == []
    summary = einvoice.queue_summary(at)
    assert summary.stuck == 1 and summary.counts["queued"] == 1 and summary.waiting == 1
    assert summary.oldest_waiting == at - shop.now
    with pytest.raises(PermissionDenied):
        einvoice.send_now(inv.id, provider=sim, actor=shop.books.ayse, now=at, terminal="T1", settings=SETTINGS)
    step = einvoice.send_now(inv.id, provider=sim, actor=shop.books.mehmet, now=at, terminal="T1", settings=SETTINGS)
    assert (step.status, step.attempt) == ("accepted", 4)
    assert audit_problems(shop) == []


def test_a_sent_invoice_is_polled_until_the_answer_comes(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    sim = providers.SimulatorProvider(tmp_path, later=2)
    t = shop.now
    assert run(sim, t).steps[0].event == "sent"
    assert queue(inv) == ("sent", 0, (t + timedelta(seconds=30)).replace(tzinfo=None))
    t += timedelta(seconds=30)
    step = run(sim, t).steps[0]
    assert (step.status, step.event) == ("sent", None)
    assert queue(inv) == ("sent", 1, (t + timedelta(seconds=30)).replace(tzinfo=None))
    t += timedelta(seconds=30)
    assert run(sim, t).steps[0].event is None
    assert queue(inv)[2] == (t + timedelta(seconds=60)).replace(tzinfo=None)
    step = run(sim, t + timedelta(seconds=60)).steps[0]
    assert (step.status, step.event) == ("accepted", "accepted")
    assert kinds(inv) == ["queued", "sent", "accepted"]  # no event for an unchanged answer
    assert audit_problems(shop) == []


def test_a_status_question_that_fails_is_an_error_and_asked_again(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    folder = providers.FolderProvider(tmp_path)
    run(folder, shop.now)
    assert queue(inv)[0] == "sent" and (tmp_path / "out" / f"{inv.uuid}.xml").exists()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / f"{inv.uuid}.json").write_text('{"status": "kabul"}', encoding="utf-8")
    t = shop.now + timedelta(seconds=30)
    step = run(folder, t).steps[0]
    assert step.event == "error" and "kabul" in (step.message or "") and step.status == "sent"
    (tmp_path / "in" / f"{inv.uuid}.json").write_text('{"status": "accepted", "reference": "E-9"}', encoding="utf-8")
    step = run(folder, t + timedelta(seconds=30)).steps[0]
    assert (step.status, step.reference) == ("accepted", "E-9")
    assert m.EInvoiceQueue.get(m.EInvoiceQueue.invoice == inv.id).reference == "E-9"
    assert audit_problems(shop) == []


def test_a_rejected_invoice_stays_and_its_sale_is_invoiced_again(shop: Shop, tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, plan=("reject",))
    first = issue(shop, sale_draft(shop))
    with pytest.raises(ValidationError, match="already on invoice"):
        issue(shop, sale_draft(shop))
    step = run(sim, shop.now).steps[0]
    assert (step.status, step.code) == ("rejected", "1150")
    second = issue(shop, sale_draft(shop))
    assert second.number != first.number and second.sale_ids == first.sale_ids
    assert einvoice.get_invoice(first.id).status == "rejected"
    assert run(sim, shop.now).steps[0].status == "accepted"
    with pytest.raises(StateError, match="rejected"):
        einvoice.send_now(
            first.id, provider=sim, actor=shop.books.admin, now=shop.now, terminal="T1", settings=SETTINGS
        )
    assert audit_problems(shop) == []


def test_a_draft_is_queued_and_sent_by_send_now(shop: Shop, tmp_path: Path) -> None:
    settings = dataclasses.replace(shop.settings.einvoice, auto_send=False)
    inv = einvoice.issue_invoice(
        consumer_draft(shop.settings),
        actor=shop.books.ayse,
        terminal="T1",
        now=shop.now,
        settings=settings,
        profile=einvoice.EARSIVFATURA,
    )
    assert inv.status == "draft" and run(providers.SimulatorProvider(tmp_path), shop.now).steps == []
    step = einvoice.send_now(
        inv.id,
        provider=providers.SimulatorProvider(tmp_path),
        actor=shop.books.mehmet,
        now=shop.now,
        terminal="T1",
        settings=SETTINGS,
    )
    assert step.status == "accepted" and kinds(inv) == ["draft", "queued", "sent", "accepted"]
    assert audit_problems(shop) == []


# -- cancel ------------------------------------------------------------------------------------------


def test_an_accepted_earsiv_invoice_is_cancelled_at_the_integrator(shop: Shop, tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path)
    inv = issue(shop, sale_draft(shop))
    run(sim, shop.now)
    with pytest.raises(PermissionDenied):
        einvoice.cancel_invoice(inv.id, "İade", actor=shop.books.ayse, provider=sim, now=shop.now, terminal="T1")
    with pytest.raises(ValidationError, match="reason"):
        einvoice.cancel_invoice(inv.id, "  ", actor=shop.books.mehmet, provider=sim, now=shop.now, terminal="T1")
    step = einvoice.cancel_invoice(
        inv.id, "Müşteri tüm malı iade etti", actor=shop.books.mehmet, provider=sim, now=shop.now, terminal="T1"
    )
    assert step.status == "cancelled" and sim.status(inv.uuid).status == "cancelled"
    assert kinds(inv)[-1] == "cancelled"
    assert issue(shop, sale_draft(shop)).sale_ids == inv.sale_ids  # its sale is free again
    with pytest.raises(StateError, match="cancelled"):
        einvoice.cancel_invoice(inv.id, "again", actor=shop.books.mehmet, provider=sim, now=shop.now, terminal="T1")
    assert audit_problems(shop) == []


def test_an_efatura_with_the_buyer_is_not_cancelled_but_a_never_sent_one_is(shop: Shop, tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path)
    draft = consumer_draft(shop.settings, identifier=VKN, name="Bakkal Ticaret Ltd")
    sent = issue(shop, draft, profile=einvoice.TICARIFATURA)
    run(sim, shop.now)
    with pytest.raises(StateError) as info:
        einvoice.cancel_invoice(sent.id, "Yanlış", actor=shop.books.admin, provider=sim, now=shop.now, terminal="T1")
    assert "İADE" in info.value.message and "RED" in info.value.message
    waiting = issue(shop, draft, profile=einvoice.TEMELFATURA)
    step = einvoice.cancel_invoice(
        waiting.id, "Yanlış müşteri", actor=shop.books.admin, provider=None, now=shop.now, terminal="T1"
    )
    assert step.status == "cancelled" and waiting.uuid not in sim.snapshot()["invoices"]
    assert run(sim, shop.now + timedelta(hours=1)).steps == []  # a cancelled invoice is never sent
    assert audit_problems(shop) == []


def test_a_queued_invoice_whose_answer_was_lost_is_asked_about_before_cancelling(shop: Shop, tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, timeouts=1)
    draft = consumer_draft(shop.settings, identifier=VKN, name="Bakkal Ticaret Ltd")
    inv = issue(shop, draft, profile=einvoice.TEMELFATURA)
    run(sim, shop.now)  # reached the simulator, the answer was lost
    with pytest.raises(StateError, match="İADE"):
        einvoice.cancel_invoice(inv.id, "Yanlış", actor=shop.books.admin, provider=sim, now=shop.now, terminal="T1")


# -- audit -------------------------------------------------------------------------------------------


def test_the_audit_finds_a_tampered_queue_status_and_a_missing_event(shop: Shop, tmp_path: Path) -> None:
    inv = issue(shop, consumer_draft(shop.settings))
    run(providers.SimulatorProvider(tmp_path), shop.now)
    assert audit_problems(shop) == []
    db = store.database
    db.execute_sql("UPDATE einvoice_queue SET status = 'queued' WHERE invoice_id = ?", (inv.id,))
    assert any("the queue says queued, its last event accepted" in p for p in audit_problems(shop))
    db.execute_sql("UPDATE einvoice_queue SET status = 'accepted' WHERE invoice_id = ?", (inv.id,))
    last = max(e.id for e in einvoice.events_of(inv.id))
    for trigger in [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")]:
        if "einvoice_event" in trigger:
            db.execute_sql(f'DROP TRIGGER "{trigger}"')
    db.execute_sql("DELETE FROM einvoice_event WHERE id = ?", (last,))
    problems = audit_problems(shop)
    assert any(f"the invoice event {last} is missing from the tables" in p for p in problems)
    assert any("the queue says accepted, its last event sent" in p for p in problems)


def test_the_audit_finds_a_changed_xml_and_a_gap_in_the_numbers(shop: Shop) -> None:
    first = issue(shop, consumer_draft(shop.settings))
    issue(shop, consumer_draft(shop.settings))
    db = store.database
    for trigger in [r[0] for r in db.execute_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")]:
        if "einvoice" in trigger:
            db.execute_sql(f'DROP TRIGGER "{trigger}"')
    db.execute_sql("UPDATE einvoice SET xml = xml || ' ' WHERE id = ?", (first.id,))
    problems = audit_problems(shop)
    assert any(f"invoice {first.number}: its XML was changed" in p for p in problems)
    db.execute_sql("DELETE FROM einvoice_queue WHERE invoice_id = ?", (first.id,))
    db.execute_sql("DELETE FROM einvoice_event WHERE invoice_id = ?", (first.id,))
    db.execute_sql("DELETE FROM einvoice WHERE id = ?", (first.id,))
    problems = audit_problems(shop)
    assert any("numbers 1 to 2 were given but 1 are there" in p for p in problems)
    assert any("is missing from the tables" in p for p in problems)


@pytest.mark.parametrize("timeouts", [0, 1, 2, 4])
def test_whatever_the_timeouts_one_ettn_is_one_invoice_and_the_audit_holds(
    shop: Shop, tmp_path: Path, timeouts: int
) -> None:
    settings = EInvoiceSettings(retry_seconds=10, max_attempts=8)
    sim = providers.SimulatorProvider(tmp_path, timeouts=timeouts, later=1)
    invoices = [issue(shop, consumer_draft(shop.settings)) for _ in range(2)]
    at, passes = shop.now, 0
    while any(einvoice.get_invoice(i.id).status != "accepted" for i in invoices):
        run(sim, at, settings)
        due = [queue(i)[2] for i in invoices if queue(i)[2] is not None]
        at = max(at, min(due).replace(tzinfo=shop.now.tzinfo)) if due else at
        passes += 1
        assert passes < 20
    state = sim.snapshot()
    assert sorted(state["invoices"]) == sorted(i.uuid for i in invoices)
    assert all(state["tries"][i.uuid] == timeouts + 1 for i in invoices)
    assert all(kinds(i).count("error") == timeouts for i in invoices)
    assert audit_problems(shop) == []


def test_status_of_a_queued_invoice_whose_answer_was_lost_finds_it(shop: Shop, tmp_path: Path) -> None:
    sim = providers.SimulatorProvider(tmp_path, timeouts=1)
    inv = issue(shop, consumer_draft(shop.settings))
    run(sim, shop.now)
    assert queue(inv)[:2] == ("queued", 1)
    step = einvoice.ask_status(
        inv.id, provider=sim, actor=shop.books.admin, now=shop.now, terminal="T1", settings=SETTINGS
    )
    assert step.status == "accepted" and kinds(inv) == ["queued", "error", "sent", "accepted"]
    assert run(sim, shop.now + timedelta(days=1)).steps == []
    assert audit_problems(shop) == []
