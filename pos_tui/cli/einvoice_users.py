"""``pos-admin einvoice users``: the local copy of GİB's registered e-Fatura users (docs/einvoice-users.md).

- ``users import FILE [--json]``: replace the list with FILE (CSV, GİB's XML, or a ZIP of either);
  needs the ``einvoice`` permission (``--user NAME``, default the first active admin).
- ``users lookup VKN [--json]``: the buyer's aliases and where an invoice to it goes today.
- ``users list [--search TEXT] [--limit N] [--json]``: the stored aliases.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import make_typer, now, state
from pos_tui.cli.einvoice_common import handle_errors
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, stdout, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core import einvoice

users_app = make_typer("users", "GİB's registered e-Fatura users: import the list, look a buyer up, list.")

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``einvoice`` group."""
    app.add_typer(users_app, name="users")


def _when(moment: Any, tz: str) -> str:
    from pos_tui.core.kernel import format_moment

    return "" if moment is None else format_moment(moment, tz)


def _kind(kind: str) -> str:
    return _("PK (mailbox)") if kind == "PK" else _("GB (sender unit)")


@users_app.command("import")
@handle_errors
def import_(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="GİB's list: CSV (; or , separated), XML, or a ZIP of either.", dir_okay=False
        ),
    ],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Replace the registered-user list with FILE (all or nothing)."""
    from pos_tui.core import einvoice, staff
    from pos_tui.core.kernel import ImportRejected, format_decimal

    settings = state().open_db()
    actor = staff.actor_by_name(user, settings=settings) if user else staff.first_admin(settings=settings)
    try:
        report = einvoice.import_users(file, now=now(), tz=settings.shop.timezone, actor=actor)
    except ImportRejected as exc:
        if json_:
            print_json(
                {
                    "file": str(file),
                    "imported": 0,
                    "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in exc.errors],
                }
            )
        fail(exc.message, ExitCode.FAILED)
    if json_:
        print_json(report.as_json(settings.shop.timezone))
        return
    done = _("{file}: {users} users with {aliases} e-Fatura aliases imported in {seconds} s; {skipped} rows skipped.")
    info(
        done.format(
            file=report.source,
            users=format_decimal(report.users),
            aliases=format_decimal(report.aliases),
            seconds=format_decimal(Decimal(str(round(report.seconds, 1))), places=1),
            skipped=format_decimal(report.skipped_total),
        )
    )
    reasons = {
        "not_invoice": _("not e-Fatura (e-İrsaliye and others)"),
        "deleted": _("deleted aliases"),
        "check_digits": _("check digits do not match (GİB's test accounts)"),
        "duplicate": _("repeated aliases"),
    }
    for key, label in reasons.items():
        if report.skipped.get(key):
            info(f"  {label}: {format_decimal(report.skipped[key])}")


def _route_text(route: einvoice.Route) -> str:
    if route.is_efatura:
        return _("e-Fatura {profile} → {alias}").format(profile=route.profile, alias=route.alias)
    return _("e-Arşiv")


@users_app.command("lookup")
@handle_errors
def lookup(
    identifier: Annotated[str, typer.Argument(metavar="VKN", help="The buyer's VKN (10 digits) or TCKN (11).")],
    json_: JsonOption = False,
) -> None:
    """A buyer's aliases in the list and where an invoice to it goes today."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import iso

    settings = state().open_db()
    digits = identifier.strip().replace(" ", "")
    if not (digits.isascii() and digits.isdigit()) or len(digits) not in (10, 11):
        fail(_("A VKN has 10 digits and a TCKN 11; {text!r} is neither").format(text=identifier[:20]), ExitCode.USAGE)
    einvoice.check_identifier(digits)  # a wrong check digit: "not a valid VKN", before any lookup
    tz = settings.shop.timezone
    records = einvoice.lookup_user(digits)
    route = einvoice.route(digits, now=now(), settings=settings.einvoice, tz=tz)
    status = einvoice.user_list_status()
    if json_:
        print_json(
            {
                "identifier": digits,
                "registered": route.is_efatura,
                "route": {"profile": route.profile, "alias": route.alias, "via": route.via},
                "aliases": [r.as_json(tz) for r in records],
                "list_imported_at": None if status.imported_at is None else iso(status.imported_at, tz),
            }
        )
        return
    if status.imported_at is None:
        info(_("GİB's user list was never imported: everyone gets e-Arşiv (pos-admin einvoice users import FILE)."))
    if records:
        stdout.print(f"{digits}  {records[0].title}", markup=False)
        for r in records:
            since = _when(r.since, tz)
            line = f"  {_kind(r.kind)}  {r.mailbox}"
            stdout.print(line + ("  " + _("since {when}").format(when=since) if since else ""), markup=False)
    else:
        info(_("{identifier} is not in GİB's user list.").format(identifier=digits))
    info(_("Today: {route}").format(route=_route_text(route)))


@users_app.command("list")
@handle_errors
def list_(
    search: Annotated[
        str | None, typer.Option("--search", help="The start of a VKN/TCKN, or words of the title.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many aliases.")] = 50,
    json_: JsonOption = False,
) -> None:
    """The stored aliases (by VKN/TCKN), and when the list was imported."""
    from pos_tui.core import einvoice
    from pos_tui.core.kernel import format_decimal

    settings = state().open_db()
    tz = settings.shop.timezone
    records = einvoice.list_users(search, limit=limit)
    status = einvoice.user_list_status()
    if json_:
        print_json({**status.as_json(tz), "shown": len(records), "aliases_shown": [r.as_json(tz) for r in records]})
        return
    if status.imported_at is None:
        info(_("GİB's user list was never imported (pos-admin einvoice users import FILE)."))
        return
    info(
        _("{users} users, {aliases} aliases, imported {at}.").format(
            users=format_decimal(status.users), aliases=format_decimal(status.aliases), at=_when(status.imported_at, tz)
        )
    )
    if not records:
        info(_("Nothing matches."))
        return
    table(
        [_("VKN/TCKN"), _("Kind"), _("Alias"), _("Legal title")],
        [(r.identifier, r.kind, r.mailbox, r.title) for r in records],
    )
