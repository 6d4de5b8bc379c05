"""``pos-admin giftcards``: issue, top up, show, list and deactivate gift cards.

Commands act as ``--user NAME`` or the first active admin on this terminal (``--terminal``,
default from pos.toml). Money paid in cash goes into the drawer of the terminal's open shift
(a ``gift_card`` cash movement), so issuing for cash needs an open shift; ``--method card``
does not. A card's money is never paid out: there is no cash-out command.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, YesOption, confirm, info, print_json, stdout, table
from pos_tui.cli.wallet import UserOption, member_id_of
from pos_tui.core.kernel import ValidationError, format_moment, format_money, iso, parse_money
from pos_tui.core.loyalty import giftcards
from pos_tui.i18n import _
from pos_tui.settings import Settings

app = make_typer("giftcards", "Gift cards: issue, top up, show, list, deactivate.")

CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="The gift card's code.")]
AmountOption = Annotated[str, typer.Option("--amount", help="Amount in TRY (12,50 or 12.50).")]
MethodOption = Annotated[
    str, typer.Option("--method", help="How the customer paid for it: cash (into the open shift's drawer) or card.")
]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]


def _method(text: str) -> giftcards.GiftCardMethod:
    if text == "cash":
        return "cash"
    if text == "card":
        return "card"
    raise ValidationError(_("--method is cash or card, not {method!r}").format(method=text))


def _card_json(card: giftcards.GiftCardInfo, tz: str) -> dict[str, Any]:
    return {
        "id": card.id,
        "code": card.code,
        "issued_at": iso(card.issued_at, tz),
        "member_id": card.member_id,
        "expires_on": None if card.expires_on is None else card.expires_on.isoformat(),
        "active": card.active,
        "balance": card.balance,
    }


def _kind(kind: str) -> str:
    """A gift card entry's kind in the shop's words (JSON keeps the code)."""
    names = {"issue": _("issued"), "topup": _("topped up"), "spend": _("spent"), "refund": _("refunded")}
    return names.get(kind, kind)


def _day(day: Any) -> str:
    return "-" if day is None else day.strftime("%d.%m.%Y")


def _show_card(card: giftcards.GiftCardInfo, settings: Settings) -> None:
    lang, tz = settings.language, settings.shop.timezone
    table(
        [_("Figure"), _("Value")],
        [
            (_("Code"), card.code),
            (_("Balance"), format_money(card.balance, lang)),
            (_("Active"), _("yes") if card.active else _("no")),
            (_("Issued"), format_moment(card.issued_at, tz)),
            (_("Expires"), _day(card.expires_on)),
            (_("Member"), "-" if card.member_id is None else card.member_id),
        ],
        title=_("Gift card {code}").format(code=card.code),
    )


@app.command("issue")
@handle_errors
def issue(
    amount: AmountOption,
    code: Annotated[str | None, typer.Option("--code", help="A pre-printed card's code (default: generated).")] = None,
    member: Annotated[str | None, typer.Option("--member", help="Link it to this member (card, phone or id).")] = None,
    method: MethodOption = "cash",
    expires: Annotated[
        str | None, typer.Option("--expires", help="Last day it can be spent (YYYY-MM-DD; default: never).")
    ] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Sell a new gift card holding AMOUNT; prints its code."""
    settings = state().open_db()
    card = giftcards.issue_card(
        parse_money(amount, "--amount"),
        actor=cli_actor(user, settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
        code=code,
        member_id=None if member is None else member_id_of(member),
        expires_on=parse_date(expires, "--expires"),
        method=_method(method),
        tz=settings.shop.timezone,
    )
    if json_:
        print_json(_card_json(card, settings.shop.timezone))
        return
    stdout.print(card.code, markup=False)
    info(
        _("Issued gift card {code} with {amount}.").format(
            code=card.code, amount=format_money(card.balance, settings.language)
        )
    )


@app.command("topup")
@handle_errors
def topup(
    code: CodeArgument,
    amount: AmountOption,
    method: MethodOption = "cash",
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Add AMOUNT to an active gift card."""
    settings = state().open_db()
    card = giftcards.top_up(
        code,
        parse_money(amount, "--amount"),
        actor=cli_actor(user, settings),
        now=now(),
        terminal=terminal or settings.terminal_id,
        method=_method(method),
        tz=settings.shop.timezone,
    )
    if json_:
        print_json(_card_json(card, settings.shop.timezone))
        return
    info(
        _("Topped up gift card {code}; it now holds {amount}.").format(
            code=card.code, amount=format_money(card.balance, settings.language)
        )
    )


@app.command("show")
@handle_errors
def show(
    code: CodeArgument,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The balance at the end of this day (YYYY-MM-DD).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """A gift card, its balance and its movements."""
    settings = state().open_db()
    tz = settings.shop.timezone
    card = giftcards.get_card(code, as_of=parse_date(as_of, "--as-of"), tz=tz)
    entries = giftcards.card_entries(code)
    if json_:
        data = _card_json(card, tz)
        data["entries"] = [
            {"id": e.id, "at": iso(e.at, tz), "kind": e.kind, "amount": e.amount, "sale_id": e.sale_id} for e in entries
        ]
        print_json(data)
        return
    _show_card(card, settings)
    table(
        [_("Id"), _("At"), _("Kind"), _("Amount"), _("Receipt")],
        [
            (e.id, format_moment(e.at, tz), _kind(e.kind), format_money(e.amount, settings.language), e.sale_id)
            for e in entries
        ],
    )


@app.command("list")
@handle_errors
def list_(
    active: Annotated[bool, typer.Option("--active", help="Only cards that can still be used.")] = False,
    json_: JsonOption = False,
) -> None:
    """Every gift card with its balance, newest first."""
    settings = state().open_db()
    tz = settings.shop.timezone
    cards = giftcards.list_cards(active_only=active)
    if json_:
        print_json([_card_json(c, tz) for c in cards])
        return
    if not cards:
        info(_("No gift cards yet; issue one with: pos-admin giftcards issue --amount 100"))
        return
    table(
        [_("Code"), _("Balance"), _("Active"), _("Issued"), _("Expires"), _("Member")],
        [
            (
                c.code,
                format_money(c.balance, settings.language),
                _("yes") if c.active else _("no"),
                format_moment(c.issued_at, tz),
                _day(c.expires_on),
                c.member_id or "-",
            )
            for c in cards
        ],
    )


@app.command("deactivate")
@handle_errors
def deactivate(
    code: CodeArgument,
    reason: Annotated[str, typer.Option("--reason", help="Why (lost, stolen, replaced); kept in the journal.")],
    user: UserOption = None,
    yes: YesOption = False,
) -> None:
    """Block a gift card: it can no longer pay or be topped up; its money stays owed on it."""
    settings = state().open_db()
    confirm(_("Deactivate gift card {code}? It cannot pay any more.").format(code=code), yes=yes)
    card = giftcards.deactivate(
        code, actor=cli_actor(user, settings), now=now(), terminal=settings.terminal_id, reason=reason
    )
    info(
        _("Deactivated gift card {code}; {amount} stays on it.").format(
            code=card.code, amount=format_money(card.balance, settings.language)
        )
    )
