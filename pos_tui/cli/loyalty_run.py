"""``pos-admin loyalty run --as-of DATE``: the nightly loyalty job (expiry, holds, tiers, messages).

:func:`run` is a plain Typer command; ``cli/loyalty.py`` registers it as ``loyalty run``.
Run it once a day (cron or a systemd timer) after closing; it is idempotent, so running it
twice, or for a day that already ran, writes nothing new.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, now, parse_date, state
from pos_tui.cli.output import JsonOption, info, print_json, table
from pos_tui.core.kernel import local
from pos_tui.core.loyalty import jobs, rules
from pos_tui.i18n import _


@handle_errors
def run(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The shop day to run for, YYYY-MM-DD (default: today).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Expire points, count the holds that end, evaluate tiers and queue messages for one day."""
    settings = state().open_db()
    tz = settings.shop.timezone
    moment = now()
    day = parse_date(as_of, "--as-of") or local(moment, tz).date()
    report = jobs.run(
        as_of=day,
        now=moment,
        program=rules.active_program(),
        tz=tz,
        terminal=settings.terminal_id,
        sync_settings=settings.sync,
    )
    if json_:
        print_json(report.as_json())
        return
    queued = report.messages_queued
    table(
        [_("Step"), _("Result")],
        [
            (_("Expired lots"), report.expired_entries),
            (
                _("Holds ending today"),
                _("{lots} lots, {points} points").format(
                    lots=report.holds_released_lots, points=report.holds_released_points
                ),
            ),
            (_("Members evaluated"), report.members_evaluated),
            (_("Tier upgrades"), report.tier_upgrades),
            (_("Tier downgrades"), report.tier_downgrades),
            (_("Tier terms extended"), report.tier_terms_extended),
            *((_("Messages queued: {kind}").format(kind=kind), n) for kind, n in queued.items()),
        ],
        title=_("Loyalty run for {day}").format(day=day.isoformat()),
    )
    if report.tiers_from_centre:
        info(
            _(
                "Tiers and messages were left to the chain's loyalty terminal ('[sync] loyalty_jobs'): "
                "this terminal takes the tiers from the centre."
            )
        )
    if not any(queued.values()) and not report.expired_entries and not report.tier_upgrades + report.tier_downgrades:
        info(_("Nothing new to write for {day}.").format(day=day.isoformat()))
