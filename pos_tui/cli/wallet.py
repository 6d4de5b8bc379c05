"""``pos-admin wallet``: a member's store credit / cashback wallet, a manager's correction and
store credit sold to the member.

A member is named by card, phone number or member id (``MEMBER``). ``adjust`` acts as
``--user NAME`` or the first active admin, needs the ``points_adjust`` permission and a
reason, and is journalled (``wallet_adjust``). ``topup`` sells store credit paid in cash (into
the drawer of the terminal's open shift, so the X/Z expected cash include it) or by card; it
needs ``sell`` and is journalled (``wallet_topup``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, info, print_json, stdout, table
from pos_tui.core.kernel import NotFound, ValidationError, format_money, iso, parse_money, shop_day
from pos_tui.core.loyalty import loyalty_program, members, wallet
from pos_tui.i18n import _

app = make_typer("wallet", "Members' store credit and cashback: show, adjust, top up.")

MemberArgument = Annotated[str, typer.Argument(metavar="MEMBER", help="The member's card, phone number or id.")]
UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]


def member_id_of(text: str) -> int:
    """The member named by a card, a phone number or an id (a card or phone wins over an id)."""
    found = members.find_member(text)
    if found is not None:
        return found.id
    if text.strip().isdigit():
        return members.get_member(int(text.strip())).id
    raise NotFound(_("No member with card, phone or id {text!r}").format(text=text))


def signed_money(text: str, what: str) -> Decimal:
    """``+12,50`` / ``-12.50`` / ``12.50`` → a signed two-place Decimal."""
    value = text.strip()
    sign = Decimal(1)
    if value[:1] in "+-" and value:
        sign = Decimal(-1) if value[0] == "-" else Decimal(1)
        value = value[1:].strip()
    if not value:
        raise ValidationError(_("{what}: give an amount").format(what=what))
    return sign * parse_money(value, what)


def _entry_json(e: wallet.WalletEntryInfo, tz: str) -> dict[str, Any]:
    return {
        "id": e.id,
        "at": iso(e.at, tz),
        "kind": e.kind,
        "amount": e.amount,
        "sale_id": e.sale_id,
        "reason": e.reason,
    }


@app.command("show")
@handle_errors
def show(
    member: MemberArgument,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The balance at the end of this day (YYYY-MM-DD).")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many of the latest entries to list.")] = 50,
    json_: JsonOption = False,
) -> None:
    """The member's store credit: total, available, pending cashback, and the latest entries."""
    settings = state().open_db()
    tz = settings.shop.timezone
    member_id = member_id_of(member)
    day = parse_date(as_of, "--as-of") or shop_day(now(), tz)
    status = wallet.wallet_status(member_id, as_of=day, hold_days=loyalty_program().points.hold_days, tz=tz)
    entries = wallet.wallet_entries(member_id, limit=limit)
    if json_:
        print_json(
            {
                "member_id": member_id,
                "as_of": day.isoformat(),
                "total": status.total,
                "available": status.available,
                "pending": status.pending,
                "entries": [_entry_json(e, tz) for e in entries],
            }
        )
        return
    lang = settings.language
    table(
        [_("Figure"), _("Amount")],
        [
            (_("Store credit"), format_money(status.total, lang)),
            (_("Available"), format_money(status.available, lang)),
            (_("Pending cashback"), format_money(status.pending, lang)),
        ],
        title=_("Wallet of member {id} on {day}").format(id=member_id, day=day.isoformat()),
    )
    if entries:
        table(
            [_("Id"), _("At"), _("Kind"), _("Amount"), _("Receipt"), _("Reason")],
            [(e.id, iso(e.at, tz), e.kind, format_money(e.amount, lang), e.sale_id, e.reason) for e in entries],
        )
    else:
        stdout.print(_("No entries yet."), markup=False)


@app.command("adjust")
@handle_errors
def adjust(
    member: MemberArgument,
    amount: Annotated[str, typer.Option("--amount", help="+A adds store credit, -A takes it away (TRY).")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the journal).")],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Correct a member's store credit by ±amount (needs points_adjust; journalled)."""
    settings = state().open_db()
    member_id = member_id_of(member)
    value = signed_money(amount, "--amount")
    entry = wallet.adjust(
        member_id, value, reason, actor=cli_actor(user, settings), now=now(), terminal=settings.terminal_id
    )
    total = wallet.wallet_balance(member_id)
    if json_:
        print_json({"member_id": member_id, "entry": _entry_json(entry, settings.shop.timezone), "total": total})
        return
    info(
        _("Adjusted the store credit of member {id} by {amount}; it is now {total}.").format(
            id=member_id,
            amount=format_money(entry.amount, settings.language),
            total=format_money(total, settings.language),
        )
    )


@app.command("topup")
@handle_errors
def topup(
    member: MemberArgument,
    amount: Annotated[str, typer.Option("--amount", help="Amount of store credit sold, in TRY (12,50 or 12.50).")],
    method: Annotated[
        str, typer.Option("--method", help="How the member paid: cash (into the open shift's drawer) or card.")
    ],
    user: UserOption = None,
    terminal: Annotated[
        str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Sell store credit to a member, paid in cash or by card (needs sell; journalled)."""
    settings = state().open_db()
    member_id = member_id_of(member)
    if method not in wallet.TOPUP_METHODS:
        raise ValidationError(_("--method is cash or card, not {method!r}").format(method=method))
    value = parse_money(amount, "--amount")
    done = wallet.top_up(
        member_id,
        value,
        method=method,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
    )
    if json_:
        print_json(
            {
                "member_id": member_id,
                "method": method,
                "entry": _entry_json(done.entry, settings.shop.timezone),
                "movement_id": done.movement_id,
                "total": done.total,
            }
        )
        return
    lang = settings.language
    how = _("paid in cash, into the drawer") if method == "cash" else _("paid by card")
    info(
        _("Topped up the store credit of member {id} by {amount} ({how}); it is now {total}.").format(
            id=member_id, amount=format_money(done.entry.amount, lang), how=how, total=format_money(done.total, lang)
        )
    )
