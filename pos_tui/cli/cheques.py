"""``pos-admin cheques``: the cheque and note portfolio (çek, senet) and installment notes.

- ``cheques receive CODE AMOUNT --due DATE --serial S --bank B``: a customer's cheque (or note,
  ``--kind note``) into the portfolio; ``issue CODE AMOUNT --due DATE ...``: the shop's own to a
  supplier.
- ``cheques endorse NUMBER --to CODE`` / ``deposit`` / ``collect`` / ``bounce`` / ``pay NUMBER``:
  the next step of portfolio number NUMBER (docs/accounts-cheques.md has the allowed steps).
- ``cheques list [--status] [--due-from] [--due-to] [--party] [--direction]``, ``cheques show NUMBER``.
- ``cheques senet SALE --output FILE.pdf``: the promissory notes of a sale's installments.

Commands act as ``--user NAME`` or the first active admin, on ``--terminal``; every step needs
the ``accounts`` permission. Dates: ``15.12.2026`` or ``2026-12-15``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core import accounts

app = make_typer("cheques", "Cheques and promissory notes (çek, senet): receive, endorse, deposit, collect, bounce.")

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept with the step.")]
NumberArgument = Annotated[int, typer.Argument(metavar="NUMBER", help="The portfolio number.")]


def _say(done: accounts.cheques.ChequeInfo, message: str, json_: bool) -> None:
    if json_:
        print_json(done.as_json(state().settings.shop.timezone))
        return
    info(message)


def _what(cheque: accounts.cheques.ChequeInfo) -> str:
    from pos_tui.core import accounts

    return accounts.cheques.instrument_label(cheque.instrument)


def _money(cheque: accounts.cheques.ChequeInfo) -> str:
    from pos_tui.core.kernel import format_money

    return format_money(cheque.amount)


@app.command("receive")
@handle_errors
def receive(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The customer account that gives it.")],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Its amount in TRY, e.g. 1.250,00.")],
    due: Annotated[str, typer.Option("--due", help="Due date (15.12.2026 or 2026-12-15).")],
    serial: Annotated[str | None, typer.Option("--serial", help="Serial number (needed for a cheque).")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="The drawee bank (needed for a cheque).")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="The bank branch.")] = None,
    account_no: Annotated[str | None, typer.Option("--account-no", help="The drawer's account number.")] = None,
    drawer: Annotated[str | None, typer.Option("--drawer", help="The drawer (keşideci).")] = None,
    issue_date: Annotated[str | None, typer.Option("--issue-date", help="The date written on it.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="cheque (çek) or note (senet).")] = "cheque",
    note_instrument: Annotated[
        bool, typer.Option("--note-instrument", help="It is a promissory note (same as --kind note).")
    ] = False,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Take a customer's cheque or note into the portfolio (credits their account)."""
    _new("receive", **locals())


@app.command("issue")
@handle_errors
def issue(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The supplier account it is written to.")],
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Its amount in TRY, e.g. 1.250,00.")],
    due: Annotated[str, typer.Option("--due", help="Due date (15.12.2026 or 2026-12-15).")],
    serial: Annotated[str | None, typer.Option("--serial", help="Serial number (needed for a cheque).")] = None,
    bank: Annotated[str | None, typer.Option("--bank", help="The shop's bank (needed for a cheque).")] = None,
    branch: Annotated[str | None, typer.Option("--branch", help="The bank branch.")] = None,
    account_no: Annotated[str | None, typer.Option("--account-no", help="The shop's account number.")] = None,
    drawer: Annotated[str | None, typer.Option("--drawer", help="The drawer (default: none).")] = None,
    issue_date: Annotated[str | None, typer.Option("--issue-date", help="The date written on it.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="cheque (çek) or note (senet).")] = "cheque",
    note_instrument: Annotated[
        bool, typer.Option("--note-instrument", help="It is a promissory note (same as --kind note).")
    ] = False,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Write the shop's own cheque or note to a supplier (pays down what the shop owes them)."""
    _new("issue", **locals())


def _new(
    which: str,
    *,
    code: str,
    amount: str,
    due: str,
    serial: str | None,
    bank: str | None,
    branch: str | None,
    account_no: str | None,
    drawer: str | None,
    issue_date: str | None,
    kind: str,
    note_instrument: bool,
    note: str | None,
    user: str | None,
    terminal: str | None,
    json_: bool,
) -> None:
    from pos_tui.core import accounts

    cheques = accounts.cheques
    from pos_tui.core.kernel import parse_typed_money

    data = cheques.ChequeInput(
        party=code,
        amount=parse_typed_money(amount, _("amount")),
        due=parse_date(due, "--due") or date.min,
        instrument="note" if note_instrument else kind,
        drawer=drawer,
        bank=bank,
        branch=branch,
        account_no=account_no,
        serial=serial,
        issue_date=parse_date(issue_date, "--issue-date"),
        note=note,
    )
    settings = state().open_db()
    actor = cli_actor(user, settings)
    func = cheques.receive_cheque if which == "receive" else cheques.issue_cheque
    done = func(data, actor=actor, terminal=terminal or settings.terminal_id, now=now(), tz=settings.shop.timezone)
    if which == "receive":
        message = _("{what} {amount} from {code} is in the portfolio as number {n}.")
    else:
        message = _("{what} {amount} to {code} was issued as number {n}.")
    _say(
        done, message.format(what=_what(done).capitalize(), amount=_money(done), code=done.party, n=done.number), json_
    )


def _step(
    which: str, number: int, user: str | None, terminal: str | None, note: str | None, json_: bool, **kw: str
) -> None:
    from pos_tui.core import accounts

    cheques = accounts.cheques

    settings = state().open_db()
    actor = cli_actor(user, settings)
    func = {
        "endorse": cheques.endorse,
        "deposit": cheques.deposit,
        "collect": cheques.collect_cheque,
        "bounce": cheques.bounce,
        "pay": cheques.pay_cheque,
    }[which]
    args = (number, kw["to"]) if which == "endorse" else (number,)
    done = func(  # type: ignore[operator]
        *args, actor=actor, terminal=terminal or settings.terminal_id, now=now(), tz=settings.shop.timezone, note=note
    )
    messages = {
        "endorse": _("{what} number {n} was endorsed to {holder}."),
        "deposit": _("{what} number {n} was deposited to the bank."),
        "collect": _("{what} number {n} was collected: {amount}."),
        "bounce": _("{what} number {n} was returned unpaid: {amount} is back on {code}'s account."),
        "pay": _("{what} number {n} was paid."),
    }
    if which == "bounce" and done.direction == "issued":  # the shop's own: it owes the supplier again
        messages["bounce"] = _("{what} number {n} was returned unpaid: the shop owes {code} {amount} again.")
    text = messages[which].format(
        what=_what(done).capitalize(), n=done.number, holder=done.holder, amount=_money(done), code=done.party
    )
    _say(done, text, json_)


@app.command("endorse")
@handle_errors
def endorse_(
    number: NumberArgument,
    to: Annotated[str, typer.Option("--to", help="The supplier account it is endorsed to.")],
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Endorse (ciro) a portfolio cheque to a supplier (pays down what the shop owes them)."""
    _step("endorse", number, user, terminal, note, json_, to=to)


@app.command("deposit")
@handle_errors
def deposit_(
    number: NumberArgument,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Give a portfolio cheque to the bank for collection."""
    _step("deposit", number, user, terminal, note, json_)


@app.command("collect")
@handle_errors
def collect_(
    number: NumberArgument,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """The money of a cheque came in (at the counter, or from the bank after a deposit)."""
    _step("collect", number, user, terminal, note, json_)


@app.command("bounce")
@handle_errors
def bounce_(
    number: NumberArgument,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Returned unpaid (karşılıksız): the amount goes back on the customer's account (and an endorsed one back
    from the supplier)."""
    _step("bounce", number, user, terminal, note, json_)


@app.command("pay")
@handle_errors
def pay_(
    number: NumberArgument,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """The shop's own cheque or note was paid from its bank."""
    _step("pay", number, user, terminal, note, json_)


@app.command("list")
@handle_errors
def list_(
    status: Annotated[
        str | None,
        typer.Option(
            "--status",
            help="portfolio, endorsed, deposited, collected, bounced, issued or paid, or the Turkish words"
            " (portföyde, ciro, bankada, tahsil, karşılıksız, keşide, ödendi); comma-separated.",
        ),
    ] = None,
    due_from: Annotated[str | None, typer.Option("--due-from", help="Due on or after this date.")] = None,
    due_to: Annotated[str | None, typer.Option("--due-to", help="Due on or before this date.")] = None,
    party: Annotated[
        str | None, typer.Option("--party", help="Given by, issued to or endorsed to this account.")
    ] = None,
    direction: Annotated[str | None, typer.Option("--direction", help="received or issued.")] = None,
    json_: JsonOption = False,
) -> None:
    """Cheques and notes by due date."""
    from pos_tui.core import accounts

    cheques = accounts.cheques
    from pos_tui.core.kernel import format_money

    statuses = None if status is None else [_status_code(s) for s in status.split(",") if s.strip()]
    start, end = parse_date(due_from, "--due-from"), parse_date(due_to, "--due-to")
    settings = state().open_db()
    found = cheques.list_cheques(status=statuses, due_from=start, due_to=end, party=party, direction=direction)
    if json_:
        print_json([c.as_json(settings.shop.timezone) for c in found])
        return
    rows = [
        (
            c.number,
            _what(c),
            c.party,
            format_money(c.amount),
            c.due.strftime("%d.%m.%Y"),
            cheques.status_label(c.status) + (f" → {c.holder}" if c.holder else ""),
        )
        for c in found
    ]
    table(
        [_("No"), _("Kind"), _("Account"), _("Amount"), _("Due date"), _("Status")],
        rows,
        title=_("Cheques and notes"),
    )


@app.command("show")
@handle_errors
def show(number: NumberArgument, json_: JsonOption = False) -> None:
    """One cheque or note and its steps."""
    from pos_tui.core import accounts

    cheques = accounts.cheques
    from pos_tui.core.kernel import format_moment, format_money

    settings = state().open_db()
    c = cheques.get_cheque(number)
    if json_:
        print_json(c.as_json(settings.shop.timezone))
        return
    rows = [
        (_("Kind"), _what(c)),
        (_("Account"), f"{c.party} ({c.party_name})"),
        (_("Amount"), format_money(c.amount)),
        (_("Due date"), c.due.strftime("%d.%m.%Y")),
        (_("Status"), cheques.status_label(c.status)),
        (_("Endorsed to"), c.holder or "-"),
        (_("Cheque drawer"), c.drawer or "-"),
        (_("Bank"), " / ".join(x for x in (c.bank, c.branch) if x) or "-"),
        (_("Account number"), c.account_no or "-"),
        (_("Serial number"), c.serial or "-"),
        (_("Issue date"), "-" if c.issue_date is None else c.issue_date.strftime("%d.%m.%Y")),
    ]
    table([_("Field"), _("Value")], rows, title=_("Portfolio number {n}").format(n=c.number))
    table(
        [_("When"), _("Step"), _("Account"), _("User"), _("Note")],
        [
            (
                format_moment(e.at, settings.shop.timezone),
                cheques.status_label(_event_status(e.kind)),
                e.party or "-",
                e.user,
                e.note or "-",
            )
            for e in c.events
        ],
        title=_("Steps"),
    )


# Turkish words for --status besides the codes and the labels in the shop's language (in any language).
_STATUS_WORDS = {
    "portfoyde": "portfolio",
    "ciro edildi": "endorsed",
    "bankaya verildi": "deposited",
    "tahsil edildi": "collected",
    "karsiliksiz dondu": "bounced",
    "keside edildi": "issued",
    "odendi": "paid",
    "portfoy": "portfolio",
    "ciro": "endorsed",
    "cirolu": "endorsed",
    "banka": "deposited",
    "bankada": "deposited",
    "tahsil": "collected",
    "karsiliksiz": "bounced",
    "iade": "bounced",
    "verildi": "issued",
    "verilen": "issued",
    "kesideli": "issued",
    "keside": "issued",
    "odenen": "paid",
}


def _status_code(text: str) -> str:
    """A --status word: the code (``bounced``), the label as shown (``karşılıksız döndü``) or a
    Turkish word (``karşılıksız``); anything else goes to the core, which names the codes."""
    from pos_tui.core import accounts
    from pos_tui.text import fold

    cheques = accounts.cheques
    words = {fold(code): code for code in cheques.STATUSES}
    words |= {fold(cheques.status_label(code)): code for code in cheques.STATUSES}
    words |= _STATUS_WORDS
    key = fold(text.strip())
    return words.get(key, words.get(key.split()[0] if key.split() else key, text.strip()))


def _event_status(kind: str) -> str:
    return {"received": "portfolio"}.get(kind, kind)


@app.command("senet")
@handle_errors
def senet(
    sale: Annotated[str, typer.Argument(metavar="SALE", help="The sale's uid or receipt number (TERMINAL/NUMBER).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The PDF file to write.", dir_okay=False)],
    place: Annotated[
        str | None, typer.Option("--place", help="Place of issue (default: the town at the end of the shop's address).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """The promissory notes (senet) of a sale's installments, one per installment, as a PDF."""
    from pos_tui.core import accounts

    cheques = accounts.cheques

    settings = state().open_db()
    plan = cheques.installment_plan(sale, tz=settings.shop.timezone)
    path = cheques.senet_pdf(plan, output, settings, place=place)
    if json_:
        print_json({**plan.as_json(), "output": str(path)})
        return
    info(
        _("{n} notes for sale {sale} ({code}) written to {path}.").format(
            n=len(plan.lines),
            sale=f"{plan.sale.terminal}/{plan.sale.receipt_no}" if plan.sale.receipt_no is not None else plan.sale.uid,
            code=plan.party.code,
            path=path,
        )
    )
