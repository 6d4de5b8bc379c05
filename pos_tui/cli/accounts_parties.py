"""``pos-admin accounts`` commands for the parties and their books.

- ``accounts add CODE --name N --kind customer|supplier|both [--vkn V | --tckn T] ...`` and
  ``accounts update CODE ...`` (the same options; only those given change);
- ``accounts list [--kind] [--json]`` with each account's balance;
- ``accounts import FILE`` (CSV or JSON, Turkish headers; all or nothing; an existing code is updated);
- ``accounts show CODE [--as-of DATE] [--json]``: balance, credit limit, available credit, overdue, open items;
- ``accounts opening CODE AMOUNT [--date]``, ``accounts correct CODE AMOUNT --reason R``,
  ``accounts cancel ENTRY_NUMBER --reason R``: hand-written entries (permission ``accounts``);
- ``accounts entries CODE``: every entry of the account.

Amounts in JSON are strings (``"1234.50"``); a positive balance means the party owes the shop.
Commands act as ``--user NAME`` or the first active admin, on ``--terminal``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, YesOption, confirm, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core.accounts import PartyInput, PostedEntry

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]
CodeArgument = Annotated[str, typer.Argument(metavar="CODE", help="The account's code, e.g. BAKKAL.")]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept with the entry.")]


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``accounts`` group."""
    app.command("add")(add)
    app.command("update")(update)
    app.command("list")(list_)
    app.command("close")(close)
    app.command("reopen")(reopen)
    app.command("import")(import_)
    app.command("show")(show)
    app.command("opening", context_settings={"ignore_unknown_options": True})(opening)
    app.command("correct", context_settings={"ignore_unknown_options": True})(correct)
    app.command("cancel")(cancel)
    app.command("entries")(entries_)


# -- helpers ----------------------------------------------------------------------------------------


def _amount(text: str) -> int:
    from pos_tui.core import accounts
    from pos_tui.core.kernel import ValidationError

    try:
        return accounts.parse_signed_amount(text)
    except ValidationError as exc:
        fail(exc.message, ExitCode.USAGE)


def _money(kurus_or_decimal: Decimal | int | None, language: str) -> str:
    from pos_tui.core.kernel import format_money, from_kurus

    if kurus_or_decimal is None:
        return "-"
    value = from_kurus(kurus_or_decimal) if isinstance(kurus_or_decimal, int) else kurus_or_decimal
    return format_money(value, language)


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _kind_label(kind: str) -> str:
    from pos_tui.core import accounts

    label = accounts.KIND_LABELS.get(kind)
    return _(label) if label else kind


# The options add and update share (typer reads each command's own signature).
NameOpt = Annotated[str | None, typer.Option("--name", help="The account's name or title.")]
KindOpt = Annotated[str | None, typer.Option("--kind", help="customer, supplier or both (müşteri, tedarikçi, ikisi).")]
VknOpt = Annotated[str | None, typer.Option("--vkn", help="Tax number of a company (10 digits).")]
TcknOpt = Annotated[str | None, typer.Option("--tckn", help="T.C. identity number of a person (11 digits).")]
OfficeOpt = Annotated[str | None, typer.Option("--tax-office", help="Tax office (vergi dairesi).")]
TermsOpt = Annotated[int | None, typer.Option("--terms", help="Payment terms in days (due = date + terms).")]
LimitOpt = Annotated[
    str | None, typer.Option("--credit-limit", help="Credit limit in TRY, e.g. 5000 or 5.000,00 (customers).")
]
PriceListOpt = Annotated[str | None, typer.Option("--price-list", help="The code of the account's price list.")]
PhoneOpt = Annotated[str | None, typer.Option("--phone", help="Phone number, e.g. 0532 123 45 67.")]
EmailOpt = Annotated[str | None, typer.Option("--email", help="E-mail address.")]
AddressOpt = Annotated[str | None, typer.Option("--address", help="Address.")]
CardOpt = Annotated[str | None, typer.Option("--card", help="The barcode of the account card the till scans.")]
NotesOpt = Annotated[str | None, typer.Option("--notes", help="Free notes.")]
MemberOpt = Annotated[str | None, typer.Option("--member-card", help="Link the loyalty member with this card.")]


def _input(code: str, **values: Any) -> PartyInput:
    from pos_tui.core import accounts
    from pos_tui.core.kernel import ValidationError, parse_typed_money

    limit = values.pop("credit_limit")
    if limit is not None:
        try:
            values["credit_limit"] = parse_typed_money(limit, _("credit limit"))
        except ValidationError as exc:
            fail(exc.message, ExitCode.USAGE)
    return accounts.PartyInput(code=code, **values)


def _party_json(p: Any, balance: Decimal | None = None) -> dict[str, Any]:
    data: dict[str, Any] = p.as_json()
    if balance is not None:
        data["balance"] = f"{balance:.2f}"
    return data


def add(
    code: CodeArgument,
    name: Annotated[str, typer.Option("--name", help="The account's name or title.")],
    kind: Annotated[str, typer.Option("--kind", help="customer, supplier or both.")] = "customer",
    vkn: VknOpt = None,
    tckn: TcknOpt = None,
    tax_office: OfficeOpt = None,
    terms: TermsOpt = None,
    credit_limit: LimitOpt = None,
    price_list: PriceListOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    address: AddressOpt = None,
    card: CardOpt = None,
    notes: NotesOpt = None,
    member_card: MemberOpt = None,
    json_: JsonOption = False,
) -> None:
    """Add a customer or supplier account."""
    _add(**locals())


@handle_errors
def _add(code: str, json_: bool, terms: int | None, **values: Any) -> None:
    from pos_tui.core import accounts

    state().open_db()
    party = accounts.add_party(_input(code, terms_days=terms, **values), now=now())
    if json_:
        print_json(_party_json(party, Decimal("0.00")))
        return
    info(
        _("Account {code} ({name}, {kind}) added.").format(
            code=party.code, name=party.name, kind=_kind_label(party.kind)
        )
    )


def update(
    code: CodeArgument,
    name: NameOpt = None,
    kind: KindOpt = None,
    vkn: VknOpt = None,
    tckn: TcknOpt = None,
    tax_office: OfficeOpt = None,
    terms: TermsOpt = None,
    credit_limit: LimitOpt = None,
    price_list: PriceListOpt = None,
    phone: PhoneOpt = None,
    email: EmailOpt = None,
    address: AddressOpt = None,
    card: CardOpt = None,
    notes: NotesOpt = None,
    member_card: MemberOpt = None,
    json_: JsonOption = False,
) -> None:
    """Change an account: only the options given change (an empty value clears a field); all
    or nothing.

    --kind: giving a customer account the supplier side (or a supplier the customer side) makes
    it both, customer and supplier. An account that is both goes back to one side only while it
    has no entries or cheques of the other side (sales, returns, collections, cheques received;
    goods receipts, supplier returns, payments, cheques issued or endorsed to it)."""
    _update(**locals())


@handle_errors
def _update(code: str, json_: bool, terms: int | None, **values: Any) -> None:
    from pos_tui.core import accounts

    state().open_db()
    asked = None if values.get("kind") is None else accounts.parse_kind(values["kind"])
    party = accounts.update_party(_input(code, terms_days=terms, **values), now=now())
    if json_:
        print_json(_party_json(party, accounts.balance(party.id)))
        return
    info(_("Account {code} ({name}) updated.").format(code=party.code, name=party.name))
    if asked is not None and asked != party.kind:
        info(_("{code} is now {kind}.").format(code=party.code, kind=_kind_label(party.kind)))


@handle_errors
def close(code: CodeArgument, json_: JsonOption = False) -> None:
    """Close an account: no new sale on account, collection, payment or cheque on it (its
    entries, balance and reports stay); `accounts reopen` opens it again."""
    _set_active(code, False, json_)


@handle_errors
def reopen(code: CodeArgument, json_: JsonOption = False) -> None:
    """Open a closed account again."""
    _set_active(code, True, json_)


def _set_active(code: str, active: bool, json_: bool) -> None:
    from pos_tui.core import accounts

    state().open_db()
    party = accounts.set_active(code, active, now=now())
    if json_:
        print_json(_party_json(party, accounts.balance(party.id)))
        return
    if active:
        info(_("Account {code} ({name}) is open again.").format(code=party.code, name=party.name))
    else:
        info(
            _("Account {code} ({name}) is closed: no new sale on account or collection on it.").format(
                code=party.code, name=party.name
            )
        )


@handle_errors
def list_(
    kind: Annotated[str | None, typer.Option("--kind", help="Only customer or supplier accounts.")] = None,
    json_: JsonOption = False,
) -> None:
    """Every account with its balance (positive: the party owes the shop)."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import from_kurus

    settings = state().open_db()
    wanted = None if kind is None else accounts.parse_kind(kind)
    balances = accounts.balances_kurus()
    found = [(p, from_kurus(balances.get(p.id, 0))) for p in accounts.list_parties(wanted)]
    if json_:
        print_json([_party_json(p, b) for p, b in found])
        return
    if not found:
        info(_("No accounts yet; add one with: pos-admin accounts add CODE --name NAME"))
        return
    lang = settings.language
    rows = [
        (
            p.code,
            p.name if p.active else _("{name} (closed)").format(name=p.name),
            _kind_label(p.kind),
            str(p.terms_days),
            _money(p.credit_limit, lang) if p.is_customer else "-",
            _money(b, lang),
        )
        for p, b in found
    ]
    table(  # 80 columns: the phone and the rest are in `accounts show`
        [_("Code"), _("Name"), _("Kind"), _("Terms"), _("Credit limit"), _("Balance")],
        rows,
        title=_("Accounts"),
        optional=[3, 2],  # a narrow terminal: without the terms, then the kind
    )


@handle_errors
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV or JSON file of accounts.")],
    json_: JsonOption = False,
) -> None:
    """Add and update accounts from a file, all or nothing (every bad row is named)."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import ImportRejected

    state().open_db()
    try:
        result = accounts.import_parties(file, now=now())
    except ImportRejected as exc:
        if json_:  # like pricelists import: what was wrong, on stdout, as well as the error
            print_json(
                {
                    "file": str(file),
                    "imported": False,
                    "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in exc.errors],
                }
            )
        raise
    if json_:
        print_json(
            {
                "file": str(file),
                "imported": True,
                "added": result.added,
                "updated": result.updated,
                "codes": result.codes,
            }
        )
        return
    info(
        _("{file}: {added} accounts added, {updated} updated.").format(
            file=file.name, added=result.added, updated=result.updated
        )
    )


@handle_errors
def show(
    code: CodeArgument,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="At the end of this day, dd.mm.yyyy or YYYY-MM-DD (default: today).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """An account: balance, credit limit, available credit, overdue and open items."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import shop_day

    settings = state().open_db()
    tz = settings.shop.timezone
    day = parse_date(as_of, "--as-of") or shop_day(now(), tz)
    party = accounts.get_party(code)
    s = accounts.reports.account_summary(party.id, day, tz)
    if json_:
        print_json({**accounts.reports.summary_json(s), "as_of": day.isoformat()})
        return
    lang = settings.language
    f = lambda v: _money(v, lang)  # noqa: E731
    lines = [
        f"{party.code} — {party.name} ({_kind_label(party.kind)})",
        *([] if party.active else [_("The account is closed: no new sale on account, collection or payment.")]),
        _("Balance on {day}: {amount}").format(day=_day(day), amount=f(s.balance)),
        accounts.reports.balance_words(s.balance, party, settings.shop.legal_name or settings.shop.name, lang),
    ]
    if s.credit_limit is not None:
        lines.append(
            _("Credit limit {limit}, available {available}").format(
                limit=f(s.credit_limit), available=f(s.available_credit)
            )
        )
    lines.append(_("Overdue: {amount}").format(amount=f(s.overdue)))
    for line in lines:
        typer.echo(line)
    if s.open_items:
        texts = accounts.document_labels(i.document for i in s.open_items)
        table(
            [_("No"), _("Document"), _("Date"), _("Due date"), _("Amount"), _("Open")],
            [
                (
                    i.number,
                    texts.get(i.document or "") or accounts.entry_label(i.kind),
                    _day(i.day),
                    _day(i.due),
                    f(i.amount),
                    f(i.open),
                )
                for i in s.open_items
            ],
            title=_("Open items"),
        )
    else:
        typer.echo(_("No open items."))


def _posted(entry: PostedEntry, json_: bool, message: str, language: str) -> None:
    data = {
        "number": entry.number,
        "kind": entry.kind,
        "amount": f"{Decimal(entry.amount) / 100:.2f}",
        "due": None if entry.due is None else entry.due.isoformat(),
    }
    if json_:
        print_json(data)
        return
    info(message.format(number=entry.number, amount=_money(entry.amount, language)))


@handle_errors
def opening(
    code: CodeArgument,
    amount: Annotated[
        str, typer.Argument(metavar="AMOUNT", help="Signed TRY: > 0 the party owes the shop, < 0 the shop owes it.")
    ],
    date_: Annotated[
        str | None,
        typer.Option("--date", help="The day of the opening balance, dd.mm.yyyy or YYYY-MM-DD (default: today)."),
    ] = None,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Book an account's opening balance."""
    from pos_tui.core import accounts

    settings = state().open_db()
    entry = accounts.post_opening(
        code,
        _amount(amount),
        day=parse_date(date_, "--date"),
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        note=note,
        tz=settings.shop.timezone,
    )
    _posted(entry, json_, _("Opening balance booked as entry {number}: {amount}."), settings.language)


@handle_errors
def correct(
    code: CodeArgument,
    amount: Annotated[str, typer.Argument(metavar="AMOUNT", help="Signed TRY: > 0 adds to what the party owes.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (at most 32 characters); longer text in --note.")],
    date_: Annotated[
        str | None, typer.Option("--date", help="A past day to date it on, dd.mm.yyyy or YYYY-MM-DD (default: now).")
    ] = None,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Book a correction on an account, with a reason."""
    from pos_tui.core import accounts

    settings = state().open_db()
    entry = accounts.post_correction(
        code,
        _amount(amount),
        reason=reason,
        day=parse_date(date_, "--date"),
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        note=note,
        tz=settings.shop.timezone,
    )
    _posted(entry, json_, _("Correction booked as entry {number}: {amount}."), settings.language)


@handle_errors
def cancel(
    number: Annotated[int, typer.Argument(metavar="ENTRY_NUMBER", help="The number of the entry to cancel.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (at most 32 characters).")],
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    yes: YesOption = False,
    json_: JsonOption = False,
) -> None:
    """Cancel an entry: an entry of the opposite amount; both leave the open items. It cannot be
    undone, so it asks first ([y/N] on stderr; -y/--yes does not ask; needed without a terminal)."""
    from pos_tui.core import accounts

    settings = state().open_db()
    found = accounts.entry_by_number(number)
    party = accounts.get_party(found.party_id)
    confirm(
        _("Cancel entry {number} ({entry}, {amount}) of {code}? This cannot be undone.").format(
            number=found.number,
            entry=accounts.entry_label(found.kind),
            amount=_money(found.amount, settings.language),
            code=party.code,
        ),
        yes=yes,
    )
    entry = accounts.cancel_entry(
        number,
        reason=reason,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        note=note,
        tz=settings.shop.timezone,
    )
    _posted(entry, json_, _("Entry cancelled by entry {number} ({amount})."), settings.language)


@handle_errors
def entries_(code: CodeArgument, json_: JsonOption = False) -> None:
    """Every entry of an account, oldest first, with the running balance."""
    from pos_tui.core import accounts
    from pos_tui.core.kernel import from_kurus, shop_day

    settings = state().open_db()
    tz = settings.shop.timezone
    party = accounts.get_party(code)
    found = accounts.entries(party.id)
    if json_:
        print_json(
            [
                {
                    "number": e.number,
                    "kind": e.kind,
                    "date": shop_day(e.at, tz).isoformat(),
                    "due": e.due.isoformat(),
                    "amount": f"{from_kurus(e.amount):.2f}",
                    "document": e.document,
                    "method": e.method,
                    "cancels": e.cancels,
                    "reason": e.reason,
                    "note": e.note,
                }
                for e in found
            ]
        )
        return
    running, rows = 0, []
    texts = accounts.document_labels(e.document for e in found)
    for e in found:
        running += e.amount
        rows.append(
            (
                e.number,
                _day(shop_day(e.at, tz)),
                _day(e.due),
                accounts.entry_label(e.kind),
                texts.get(e.document or "") or e.reason or "",
                _money(e.amount, settings.language),
                _money(running, settings.language),
            )
        )
    table(
        [_("No"), _("Date"), _("Due date"), _("Entry"), _("Document"), _("Amount"), _("Balance")],
        rows,
        title=_("Entries of {code}").format(code=party.code),
    )
