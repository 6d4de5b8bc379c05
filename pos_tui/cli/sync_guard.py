"""``pos-admin sync reconcile|holds|release``: redemptions across terminals (docs/sync-guard.md).

Each reads the centre: the database itself when it is the centre (``pos-admin --db
postgresql://… sync reconcile``), else the centre this terminal joined.

- ``sync reconcile [--since DATE] [--json]``: overdrafts and conflicts recorded when offline
  documents arrived, balances beyond their bound now, holds open for more than an hour. Exit 0
  with nothing to show; the rows are never hidden.
- ``sync holds [--json]``: the holds neither settled nor released.
- ``sync release DOCUMENT [--user NAME] [--json]``: give back the holds of a sale that will never
  reach the centre (a manager's action: permission ``points_adjust``).
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING, Annotated, Any
from zoneinfo import ZoneInfo

import typer

from pos_tui.cli.common import cli_actor, now, parse_date, state
from pos_tui.cli.einvoice_common import handle_errors
from pos_tui.cli.output import JsonOption, fail, info, print_json, table
from pos_tui.i18n import _, ngettext

if TYPE_CHECKING:
    from pos_tui.core.sync import HoldInfo, ReconciliationRow

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``sync`` group."""
    app.command("reconcile")(reconcile)
    app.command("holds")(holds)
    app.command("release")(release)


def _kind(kind: str) -> str:
    names = {
        "overdraft": _("overdraft"),
        "conflict": _("conflict"),
        "balance": _("beyond its bound"),
        "hold": _("open hold"),
    }
    return names.get(kind, kind)


def _ledger(ledger: str) -> str:
    names = {
        "points": _("points"),
        "wallet": _("store credit (TL)"),
        "gift_card": _("gift card (TL)"),
        "account": _("account (TL)"),
        "stamps": _("stamps"),
        "coupon": _("coupon"),
    }
    return names.get(ledger, ledger)


def _amount(ledger: str, amount: int | None) -> str:
    """Money ledgers in TL (the column says so), the others as counts."""
    from pos_tui.core.kernel import format_decimal, format_money, from_kurus

    if amount is None:
        return ""
    if ledger in ("wallet", "gift_card", "account"):
        return format_money(from_kurus(amount))
    return format_decimal(amount)


def _when(moment: Any, tz: str) -> str:
    from pos_tui.core.kernel import format_moment

    return "" if moment is None else format_moment(moment, tz)


def _short(document: str | None) -> str:
    return "" if not document else document[:12]


@handle_errors
def reconcile(
    since: Annotated[
        str | None, typer.Option("--since", help="Only overdrafts and conflicts from this day on (15.12.2026).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """What went beyond a bound across terminals: overdrafts, conflicts, balances, open holds."""
    from pos_tui.core import sync

    day = parse_date(since, "--since")
    settings = state().open_db()
    tz = settings.shop.timezone
    start = None if day is None else datetime.combine(day, time.min, tzinfo=ZoneInfo(tz))
    with sync.central_database() as db:
        found: list[ReconciliationRow] = sync.reconciliation(db, since=start, now=now())
    if json_:
        print_json({"since": None if day is None else day.isoformat(), "rows": [r.as_json(tz) for r in found]})
        return
    if not found:
        info(_("Nothing to reconcile: every balance is within its bound and no hold is left open."))
        return
    table(
        [_("What"), _("Ledger"), _("Key"), _("Balance"), _("Terminal"), _("When"), _("Note")],
        [
            [
                _kind(r.kind),
                _ledger(r.ledger),
                r.key + (f" / {r.place}" if r.place else ""),
                _amount(r.ledger, r.balance),
                r.terminal or "",
                _when(r.at, tz),
                r.note or _short(r.document),
            ]
            for r in found
        ],
        title=_("Reconciliation"),
        optional=(6, 5, 4),
    )


def _hold_rows(found: list[HoldInfo], tz: str) -> list[list[str]]:
    return [
        [h.document, _ledger(h.ledger), h.key, _amount(h.ledger, h.amount), h.terminal, _when(h.at, tz)] for h in found
    ]


@handle_errors
def holds(json_: JsonOption = False) -> None:
    """The centre's open holds: taken by an online terminal, their sale not arrived yet."""
    from pos_tui.core import sync

    settings = state().open_db()
    with sync.central_database() as db:
        found = sync.open_holds(db)
    if json_:
        print_json({"holds": [h.as_json(settings.shop.timezone) for h in found]})
        return
    if not found:
        info(_("No open holds."))
        return
    table(
        [_("Document"), _("Ledger"), _("Key"), _("Amount"), _("Terminal"), _("Taken")],
        _hold_rows(found, settings.shop.timezone),
        title=_("Open holds"),
        optional=(5, 4),
        whole=(0,),
    )


@handle_errors
def release(
    document: Annotated[str, typer.Argument(metavar="DOCUMENT", help="The sale's uid (from 'sync holds').")],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Give back the holds of a sale that will never reach the centre (a manager's action)."""
    from pos_tui.core import sync
    from pos_tui.core.kernel import require

    settings = state().open_db()
    require(cli_actor(user, settings), "points_adjust")
    document = document.strip()
    with sync.central_database() as db:
        before = [h for h in sync.holds_of(db, document) if h.settled_at is None and h.released_at is None]
        if not before and not sync.holds_of(db, document):
            fail(_("The centre holds nothing for document {document}").format(document=document))
        released = sync.release(db, document, now())
    if json_:
        print_json(
            {"document": document, "released": released, "holds": [h.as_json(settings.shop.timezone) for h in before]}
        )
        return
    if not released:
        info(
            _("Document {document}: its holds were already settled or released; nothing changed.").format(
                document=document
            )
        )
        return
    info(
        ngettext(
            "Document {document}: {n} hold released; the amount is back on the balance.",
            "Document {document}: {n} holds released; the amounts are back on the balances.",
            released,
        ).format(document=document, n=released)
    )
    table(
        [_("Document"), _("Ledger"), _("Key"), _("Amount"), _("Terminal"), _("Taken")],
        _hold_rows(before, settings.shop.timezone),
        optional=(5, 4),
        whole=(0,),
    )
