"""``pos-admin accounts collect|pay``: money on an account.

- ``accounts collect CODE AMOUNT --method cash|card|transfer [--date] [--note] [--applies-to N] [--till]``:
  a collection (tahsilat) from a customer; needs ``collect``.
- ``accounts pay CODE AMOUNT --method cash|transfer|cheque [--date] [--note] [--applies-to N] [--till]``:
  a payment to a supplier; needs ``accounts``. ``--method cheque --due DATE [--bank] [--branch]
  [--serial] [--account-no]`` issues the shop's cheque into the portfolio (``cheques issue``), which
  puts it on the supplier's account; ``cheques pay NUMBER`` when it clears.

AMOUNT takes a decimal comma or dot (``1.234,50`` or ``1234.50``). ``--till`` books cash through
the terminal's open shift (into the drawer for a collection, out of it for a payment: it shows on
the shift's X and Z and in the expected cash). Commands act as ``--user NAME`` or the first
active admin, on ``--terminal`` (default: this terminal).
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core import accounts
    from pos_tui.settings import Settings

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]
DateOption = Annotated[
    str | None, typer.Option("--date", help="The date of the money (dd.mm.yyyy or YYYY-MM-DD; default: now).")
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept with the entry.")]
AppliesOption = Annotated[
    int | None, typer.Option("--applies-to", help="The entry number it settles (default: the oldest open items).")
]
TillOption = Annotated[
    bool, typer.Option("--till", help="Cash through the terminal's open shift (its drawer, X and Z).")
]
CodeArg = Annotated[str, typer.Argument(metavar="CODE", help="The account's code.")]
AmountArg = Annotated[str, typer.Argument(metavar="AMOUNT", help="The amount (decimal comma or dot).")]


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``accounts`` group."""
    app.command("collect")(collect)
    app.command("pay")(pay)


def _at(value: str | None, settings: Settings) -> datetime | None:
    """``--date``: today means now; an earlier day noon of that day in the shop's zone."""
    from pos_tui.core.kernel import shop_day, zone

    day = parse_date(value, "--date")
    if day is None:
        return None
    tz = settings.shop.timezone
    current = now()
    if day == shop_day(current, tz):
        return current
    if day > shop_day(current, tz):
        fail(_("--date: {day} is in the future").format(day=day.strftime("%d.%m.%Y")), ExitCode.USAGE)
    return datetime.combine(day, time(12, 0), tzinfo=zone(tz))


def _amount(text: str) -> Any:
    from pos_tui.core.kernel import parse_typed_money

    return parse_typed_money(text, _("amount"))


def _shift(till: bool, terminal: str) -> int | None:
    if not till:
        return None
    from pos_tui.core import cash

    shift = cash.current_shift(terminal)
    if shift is None:
        fail(_("--till: no shift is open on terminal {terminal}").format(terminal=terminal))
    return shift.id


def _json(
    result: accounts.payments.CollectionResult | accounts.payments.PaymentResult, kind: str, tz: str
) -> dict[str, Any]:
    from pos_tui.core.kernel import iso

    return {
        "number": result.entry_number,
        "kind": kind,
        "account": result.party_code,
        "name": result.party_name,
        "amount": f"{result.amount:.2f}",
        "method": result.method,
        "balance": f"{result.balance_after:.2f}",
        "at": iso(result.at, tz),
        "user": result.cashier,
        "terminal": result.terminal,
    }


def _balance_words(result: accounts.payments.CollectionResult | accounts.payments.PaymentResult, language: str) -> str:
    from pos_tui.core.kernel import format_money

    bal = result.balance_after
    if bal > 0:
        return _("{code} owes {amount} TL").format(code=result.party_code, amount=format_money(bal, language))
    if bal < 0:
        return _("{code} is owed {amount} TL").format(code=result.party_code, amount=format_money(-bal, language))
    return _("{code} is settled").format(code=result.party_code)


def _report(
    result: accounts.payments.CollectionResult | accounts.payments.PaymentResult,
    kind: str,
    message: str,
    json_: bool,
) -> None:
    """A collection's or payment's result: JSON on stdout, or ``message`` filled in on stderr."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import format_money

    settings = state().settings
    if json_:
        print_json(_json(result, kind, settings.shop.timezone))
        return
    info(
        message.format(
            n=result.entry_number,
            amount=format_money(result.amount, settings.language),
            code=result.party_code,
            method=accounts.payments.method_name(result.method),
            balance=_balance_words(result, settings.language),
        )
    )


@handle_errors
def collect(
    code: CodeArg,
    amount: AmountArg,
    method: Annotated[str, typer.Option("--method", help="cash, card or transfer.")] = "cash",
    date_: DateOption = None,
    note: NoteOption = None,
    applies_to: AppliesOption = None,
    till: TillOption = False,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Take a payment (tahsilat) from a customer on their account."""
    from pos_tui.core import accounts

    settings = state().open_db()
    term = terminal or settings.terminal_id
    value = _amount(amount)
    result = accounts.payments.collect(
        accounts.payments.CollectionInput(
            code, value, method, at=_at(date_, settings), note=note, applies_to=applies_to
        ),
        actor=cli_actor(user, settings),
        terminal=term,
        now=now(),
        shift_id=_shift(till, term),
        tz=settings.shop.timezone,
    )
    _report(result, "collection", _("Collection no. {n}: {amount} TL from {code} ({method}). {balance}."), json_)


@handle_errors
def pay(
    code: CodeArg,
    amount: AmountArg,
    method: Annotated[str, typer.Option("--method", help="cash, transfer or cheque.")] = "transfer",
    date_: DateOption = None,
    note: NoteOption = None,
    applies_to: AppliesOption = None,
    till: TillOption = False,
    due: Annotated[str | None, typer.Option("--due", help="Cheque: its due date (dd.mm.yyyy or YYYY-MM-DD).")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="Cheque: the bank it is drawn on.")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="Cheque: the branch.")] = None,
    serial: Annotated[str | None, typer.Option("--serial", help="Cheque: its serial number.")] = None,
    account_no: Annotated[str | None, typer.Option("--account-no", help="Cheque: the account number.")] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Pay a supplier on their account (by cheque: the cheque is issued into the portfolio)."""
    from pos_tui.core import accounts

    settings = state().open_db()
    term = terminal or settings.terminal_id
    value = _amount(amount)
    if method == "cheque":  # the cheque portfolio writes it and puts it on the supplier's account
        _pay_by_cheque(code, value, due, bank, branch, serial, account_no, note, date_, user, term, json_)
        return
    at = _at(date_, settings)
    if till and method == "cash":  # out of the drawer: never more than it holds
        if at is not None:
            fail(_("--till pays out of the drawer now; leave out --date"), ExitCode.USAGE)
        from pos_tui.core import cash

        result = cash.pay_supplier_cash(
            term,
            cli_actor(user, settings),
            code,
            value,
            now=now(),
            note=note,
            applies_to=applies_to,
            tz=settings.shop.timezone,
        )
    else:
        result = accounts.payments.pay(
            accounts.payments.PaymentOutInput(code, value, method, at=at, note=note, applies_to=applies_to),
            actor=cli_actor(user, settings),
            terminal=term,
            now=now(),
            shift_id=_shift(till, term),
            tz=settings.shop.timezone,
        )
    _report(result, "payment", _("Payment no. {n}: {amount} TL to {code} ({method}). {balance}."), json_)


def _pay_by_cheque(
    code: str,
    value: Decimal,
    due: str | None,
    bank: str | None,
    branch: str | None,
    serial: str | None,
    account_no: str | None,
    note: str | None,
    date_: str | None,
    user: str | None,
    terminal: str,
    json_: bool,
) -> None:
    from pos_tui.core import accounts
    from pos_tui.core.kernel import format_money

    settings = state().open_db()
    if due is None:
        fail(_("A payment by cheque needs the cheque's due date: --due"), ExitCode.USAGE)
    cheques = accounts.cheques
    done = cheques.issue_cheque(
        cheques.ChequeInput(
            party=code,
            amount=value,
            due=parse_date(due, "--due") or date.min,
            bank=bank,
            branch=branch,
            serial=serial,
            account_no=account_no,
            issue_date=parse_date(date_, "--date"),
            note=note,
        ),
        actor=cli_actor(user, settings),
        terminal=terminal,
        now=now(),
        tz=settings.shop.timezone,
    )
    if json_:
        print_json(done.as_json(settings.shop.timezone))
        return
    info(
        _("Cheque number {n} of {amount} TL issued to {code}; it is on their account.").format(
            n=done.number, amount=format_money(done.amount, settings.language), code=done.party
        )
    )
