"""``pos-admin messages``: the loyalty messages ``loyalty run`` queued.

* ``messages list``: what is queued, sent, failed or exported.
* ``messages export``: CSV (safe to open in a spreadsheet) or JSON. pos_tui has no SMS
  gateway: export the SMS with ``--channel sms --mark-exported`` and upload the file to the
  shop's SMS provider; marking them keeps the next export from repeating them.
* ``messages send``: e-mails the queued e-mail messages through the SMTP server of
  ``[smtp]`` in pos.toml; the password is read from the environment variable named by
  ``smtp.password_env`` (never from the file).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, state
from pos_tui.cli.output import JsonOption, info, print_json, table
from pos_tui.core.kernel import format_decimal, iso
from pos_tui.core.loyalty import messages
from pos_tui.i18n import _

app = make_typer("messages", "Loyalty messages: list, export (SMS), send by e-mail.")

StatusOption = Annotated[
    str | None, typer.Option("--status", help="queued, sent, failed or exported (default: every status).")
]
ChannelOption = Annotated[str | None, typer.Option("--channel", help="sms or email (default: both).")]


@app.command("list")
@handle_errors
def list_(
    status: StatusOption = None,
    channel: ChannelOption = None,
    limit: Annotated[int | None, typer.Option("--limit", help="At most this many, oldest first.")] = None,
    json_: JsonOption = False,
) -> None:
    """List messages, oldest first."""
    settings = state().open_db()
    found = messages.list_messages(status=status, channel=channel, limit=limit)
    if json_:
        print_json([msg.as_json(settings.shop.timezone) for msg in found])
        return
    if not found:
        info(_("No messages."))
        return
    tz = settings.shop.timezone
    table(
        [_("Id"), _("Created"), _("Kind"), _("Channel"), _("To"), _("Status"), _("Subject")],
        [(msg.id, iso(msg.created_at, tz), msg.kind, msg.channel, msg.to, msg.status, msg.subject) for msg in found],
    )


@app.command("export")
@handle_errors
def export(
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write (default: stdout).")] = None,
    status: Annotated[str, typer.Option("--status", help="queued, sent, failed or exported.")] = "queued",
    channel: ChannelOption = None,
    mark_exported: Annotated[
        bool,
        typer.Option("--mark-exported", help="Mark the exported messages 'exported' (for the SMS provider's upload)."),
    ] = False,
) -> None:
    """Write messages as CSV or JSON (queued ones by default)."""
    settings = state().open_db()
    count = messages.export_messages(
        output if output is not None else sys.stdout,
        fmt,
        status=status,
        channel=channel,
        mark_exported=mark_exported,
        now=now(),
        tz=settings.shop.timezone,
    )
    info(_("Exported {n} message(s).").format(n=format_decimal(count)))


@app.command("send")
@handle_errors
def send(
    limit: Annotated[int | None, typer.Option("--limit", help="Send at most this many, oldest first.")] = None,
    channel: Annotated[str, typer.Option("--channel", help="email (SMS are exported, not sent).")] = "email",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be sent; send nothing.")] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Also retry messages that failed.")] = False,
    json_: JsonOption = False,
) -> None:
    """E-mail the queued e-mail messages through the SMTP server in pos.toml."""
    settings = state().open_db()
    smtp = settings.smtp
    report = messages.send_messages(
        smtp=smtp,
        password=os.environ.get(smtp.password_env) if smtp.password_env else None,
        now=now(),
        limit=limit,
        channel=channel,
        dry_run=dry_run,
        retry_failed=retry_failed,
    )
    if json_:
        print_json(report.as_json(settings.shop.timezone))
    elif dry_run:
        if report.messages:
            table([_("Id"), _("To"), _("Subject")], [(msg.id, msg.to, msg.subject) for msg in report.messages])
        info(_("Would send {n} message(s); nothing was sent.").format(n=len(report.messages)))
    else:
        info(_("Sent {sent}, failed {failed}.").format(sent=report.sent, failed=report.failed))
    for message_id, error in report.errors:
        info(_("Message {id}: {error}").format(id=message_id, error=error))
    if report.failed and not dry_run:
        raise typer.Exit(1)
