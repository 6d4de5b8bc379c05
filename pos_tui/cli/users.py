"""``pos-admin users``: add, list, disable users, change their PINs, unlock a terminal.

pos-admin acts with the authority of whoever can open the database file, so these commands
need no PIN of their own; every change is journalled (kind ``user``, never the PIN).
A PIN left off the command line is asked for without echo, which keeps it out of the
shell history. ``add`` and ``set-pin`` apply the shop's rules for new PINs (``[pins]`` in
pos.toml: a minimum length, no trivial PIN). ``set-pin --new-pin-key`` starts a new PIN key
when its file in the data directory is lost (docs/security.md).

``unlock TERMINAL`` lifts a terminal's wrong-PIN lock before it expires, and the shop-wide
lock (every terminal's) too. The lock belongs to the terminal or the shop, not to a user (a
wrong PIN names nobody), so the command takes the terminal id. It acts as ``--user NAME``
or the first active admin, who is journalled (kind ``unlock``) with the time.
"""

from __future__ import annotations

from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, now, state
from pos_tui.cli.output import JsonOption, YesOption, confirm, info, print_json, table
from pos_tui.core import staff
from pos_tui.core.kernel import iso, local, role_label
from pos_tui.i18n import _

app = make_typer("users", "Cashiers, supervisors and admins: add, list, disable, change PINs, unlock a terminal.")

NameArgument = Annotated[str, typer.Argument(help="The user's name, as shown on receipts and reports.")]
PinOption = Annotated[
    str,
    typer.Option(
        "--pin",
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="4 to 8 digits (at least [pins] min_length), unique per user, not trivial (1111, 1234, a year); "
        "asked for (without echo) when omitted.",
    ),
]


@app.command("add")
@handle_errors
def add(
    name: NameArgument,
    role: Annotated[str, typer.Option("--role", help="cashier, supervisor or admin (or a role from pos.toml).")],
    pin: PinOption,
) -> None:
    """Add a user who logs in with a PIN."""
    settings = state().open_db()
    user = staff.add_user(name, role, pin, now=now(), settings=settings, pins=settings.pins)
    info(_("Added {name} ({role}).").format(name=user.name, role=role_label(user.role)))


@app.command("list")
@handle_errors
def list_(json_: JsonOption = False) -> None:
    """List every user, disabled ones included."""
    settings = state().open_db()
    users = staff.list_users()
    tz = settings.shop.timezone
    if json_:
        print_json(
            [
                {"id": u.id, "name": u.name, "role": u.role, "active": u.active, "created_at": iso(u.created_at, tz)}
                for u in users
            ]
        )
        return
    if not users:
        info(_("No users yet; add one with: pos-admin users add NAME --role admin"))
        return
    table(
        [_("Id"), _("Name"), _("Role"), _("Active"), _("Created")],
        [(u.id, u.name, u.role, _("yes") if u.active else _("no"), iso(u.created_at, tz)) for u in users],
    )


@app.command("disable")
@handle_errors
def disable(name: NameArgument, yes: YesOption = False) -> None:
    """Disable a user: their PIN stops working. Users are never deleted (their sales refer to them)."""
    settings = state().open_db()
    confirm(_("Disable {name}? Their PIN will stop working.").format(name=name), yes=yes)
    user = staff.disable_user(name, now=now(), settings=settings)
    info(_("Disabled {name}.").format(name=user.name))


@app.command("set-pin")
@handle_errors
def set_pin(
    name: NameArgument,
    pin: PinOption,
    new_pin_key: Annotated[
        bool,
        typer.Option(
            "--new-pin-key",
            help="The PIN key file is lost: start a new key. Every user then needs a new PIN (set-pin each one).",
        ),
    ] = False,
) -> None:
    """Give a user a new PIN."""
    settings = state().open_db()
    user = staff.set_pin(name, pin, now=now(), settings=settings, pins=settings.pins, new_key=new_pin_key)
    info(_("Changed the PIN of {name}.").format(name=user.name))


@app.command("unlock")
@handle_errors
def unlock(
    terminal: Annotated[str, typer.Argument(help="The terminal locked by wrong PINs, e.g. T1.")],
    user: Annotated[
        str | None, typer.Option("--user", help="Unlock as this admin (default: the first active admin).")
    ] = None,
) -> None:
    """Unlock a terminal locked by too many wrong PINs, so the next right PIN logs in."""
    settings = state().open_db()
    actor = staff.actor_by_name(user, settings=settings) if user else staff.first_admin(settings=settings)
    done = staff.unlock_terminal(terminal, now=now(), settings=settings, actor=actor)
    if done is None:
        info(_("Terminal {terminal} is not locked; nothing to do.").format(terminal=terminal))
        return
    info(
        _("Unlocked terminal {terminal} (it was locked until {time}).").format(
            terminal=terminal, time=local(done.until, settings.shop.timezone).strftime("%H:%M:%S")
        )
    )
