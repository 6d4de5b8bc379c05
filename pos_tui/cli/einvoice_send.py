"""``pos-admin einvoice send|status|cancel|run``: handing invoices to the integrator (docs/einvoice-send.md).

- ``einvoice send ID``: send one invoice now (a draft is queued first; a queued one is tried again even
  after the sender gave up on it; a sent one is handed over again with the same ETTN); prints the new
  status; exit 1 when the integrator could not be reached.
- ``einvoice status ID``: ask the integrator, record its answer, print the status, reference, messages
  and the invoice's history.
- ``einvoice cancel ID --reason TEXT``: cancel (asks to confirm unless ``--yes``); needs ``einvoice``.
- ``einvoice run [--once] [--interval SECONDS]``: the sender's loop, for a service; with ``--once`` one
  pass, exit 1 when the integrator could not be reached.

ID is the invoice's id, number or ETTN. Commands act as ``--user NAME`` or the first active admin, on
``--terminal`` (default: this terminal). The driver is ``[einvoice] driver`` in pos.toml.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from pos_tui.cli.common import cli_actor, now, state
from pos_tui.cli.einvoice_common import handle_errors
from pos_tui.cli.output import ExitCode, JsonOption, YesOption, confirm, fail, info, print_json, stdout, table
from pos_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from pos_tui.core import einvoice
    from pos_tui.core.einvoice import providers
    from pos_tui.settings import Settings

IdArg = Annotated[str, typer.Argument(metavar="ID", help="The invoice's id, number or ETTN.")]
UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""
    app.command("send")(send)
    app.command("status")(status)
    app.command("cancel")(cancel)
    app.command("run")(run)


def _provider(settings: Settings) -> providers.EInvoiceProvider:
    from pos_tui.core.einvoice import providers

    return providers.load_provider(settings.einvoice, settings.home, settings.shop.timezone)


def _step_line(step: einvoice.Step, language: str) -> str:
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import local

    text = _("Invoice {number}: {status}").format(number=step.number, status=einvoice.status_label(step.status))
    if step.reference:
        text += " · " + _("reference {reference}").format(reference=step.reference)
    if step.code:
        text += " · " + _("code {code}").format(code=step.code)
    if step.message:
        text += " · " + step.message
    if step.next_at is not None and step.status in (einvoice.QUEUED, einvoice.SENT):
        when = local(step.next_at, state().settings.shop.timezone).strftime("%d.%m.%Y %H:%M:%S")
        text += " · " + _("next try {when}").format(when=when)
    return text


@handle_errors
def send(id_: IdArg, user: UserOption = None, terminal: TerminalOption = None, json_: JsonOption = False) -> None:
    """Send one invoice to the integrator now."""
    from pos_tui.core import einvoice

    settings = state().open_db()
    step = einvoice.send_now(
        id_,
        provider=_provider(settings),
        actor=cli_actor(user, settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
        settings=settings.einvoice,
    )
    if json_:
        print_json(step.as_json(settings.shop.timezone))
    else:
        stdout.print(_step_line(step, settings.language), markup=False)
    if step.failed:
        fail(_("The integrator could not be reached: {message}").format(message=step.message or ""))


@handle_errors
def status(id_: IdArg, user: UserOption = None, terminal: TerminalOption = None, json_: JsonOption = False) -> None:
    """Ask the integrator about one invoice, record its answer and show the invoice's history."""
    from pos_tui.core import einvoice

    settings = state().open_db()
    tz = settings.shop.timezone
    step = einvoice.ask_status(
        id_,
        provider=_provider(settings),
        actor=cli_actor(user, settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
        settings=settings.einvoice,
    )
    events = einvoice.events_of(step.invoice_id)
    if step.message is None and step.event and events and events[-1].kind == step.event and events[-1].message:
        step = dataclasses.replace(step, message=events[-1].message)  # what the event this step wrote says
    if json_:
        print_json({**step.as_json(tz), "events": [e.as_json(tz) for e in events]})
    else:
        _history(step, events, settings.language, tz)
    if step.failed:  # unreachable, or the answer unreadable / the ETTN unknown there: a script must see it
        fail(_("The integrator gave no answer: {message}").format(message=step.message or ""))


def _history(step: einvoice.Step, events: list[einvoice.StatusEvent], language: str, tz: str) -> None:
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import local

    stdout.print(_step_line(step, language), markup=False)
    table(
        [_("When"), _("Step"), _("Try"), _("Reference"), _("Code"), _("Message")],
        [
            [
                local(e.at, tz).strftime("%d.%m.%Y %H:%M:%S"),
                einvoice.status_label(e.kind),
                str(e.attempt),
                e.reference or "",
                e.code or "",
                e.message or "",
            ]
            for e in events
        ],
    )


@handle_errors
def cancel(
    id_: IdArg,
    reason: Annotated[str, typer.Option("--reason", help="Why it is cancelled (kept with the invoice).")],
    yes: YesOption = False,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Cancel an invoice: one never sent, or an e-Arşiv invoice at the integrator (needs "einvoice")."""
    from pos_tui.core import einvoice

    settings = state().open_db()
    inv = einvoice.get_invoice(id_)
    confirm(
        _("Cancel invoice {number} ({customer}, {status})? This cannot be undone.").format(
            number=inv.number, customer=inv.customer_name, status=einvoice.status_label(inv.status)
        ),
        yes=yes,
    )
    step = einvoice.cancel_invoice(
        inv.id,
        reason,
        actor=cli_actor(user, settings),
        provider=_provider(settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
    )
    if json_:
        print_json(step.as_json(settings.shop.timezone))
    else:
        stdout.print(_step_line(step, settings.language), markup=False)


def _report_pass(report: einvoice.SendReport, json_: bool, tz: str, language: str, loop: bool) -> None:
    if json_:
        if loop:  # one JSON object per line and pass
            sys.stdout.write(json.dumps(report.as_json(tz), ensure_ascii=False) + "\n")
            sys.stdout.flush()
        else:
            print_json(report.as_json(tz))
        return
    for step in report.steps:
        info(_step_line(step, language))


@handle_errors
def run(
    once: Annotated[
        bool, typer.Option("--once", help="One pass, then stop (exit 1 if the integrator is unreachable).")
    ] = False,
    interval: Annotated[float, typer.Option("--interval", min=1, help="Seconds between passes of the loop.")] = 30.0,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many invoices per pass.")] = 50,
    json_: JsonOption = False,
) -> None:
    """The sender's loop: send what is queued, ask about what was sent, with backoff (for a service)."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import PosError

    settings = state().open_db()
    provider = _provider(settings)
    tz, terminal = settings.shop.timezone, settings.terminal_id
    while True:
        try:
            report = einvoice.send_due(provider, now=now(), terminal=terminal, settings=settings.einvoice, limit=limit)
        except PosError as exc:  # a service keeps going: the pass is tried again after the interval
            if once:
                raise
            info(_("error: {message}").format(message=exc.message))
            report = einvoice.SendReport()
        _report_pass(report, json_, tz, settings.language, loop=not once)
        if once:
            if report.unreachable:
                message = next((s.message for s in report.steps if s.message), "")
                fail(_("The integrator could not be reached: {message}").format(message=message))
            summary = einvoice.queue_summary(now())
            if not json_:
                info(_waiting_line(summary))
            return
        try:
            time.sleep(interval)
        except KeyboardInterrupt:
            raise typer.Exit(int(ExitCode.OK)) from None


def _waiting_line(summary: einvoice.QueueSummary) -> str:
    if not summary.waiting:
        return _("Nothing waits to be sent.")
    minutes = int(summary.oldest_waiting.total_seconds() // 60) if summary.oldest_waiting else 0
    text = ngettext(
        "{n} invoice waits (for {minutes} minutes)",
        "{n} invoices wait (the oldest for {minutes} minutes)",
        summary.waiting,
    ).format(n=summary.waiting, minutes=minutes)
    if summary.stuck:
        text += " · " + ngettext(
            "{n} is no longer tried automatically: einvoice send ID",
            "{n} are no longer tried automatically: einvoice send ID",
            summary.stuck,
        ).format(n=summary.stuck)
    return text
