"""``pos-admin stock`` commands for locations, adjustments and transfers.

- ``stock locations add CODE --name N`` / ``list`` / ``assign TERMINAL CODE``: the places stock is
  kept, and the one each terminal sells from.
- ``stock adjust CODE_OR_BARCODE QTY --reason R``: write goods off (QTY below 0) or book goods
  found or an opening stock (QTY above 0). Reasons: waste (fire), damage (zayi), loss (kayıp),
  internal (iç kullanım), correction (düzeltme), opening (açılış); the Turkish words work too.
- ``stock transfer send|receive|list|show``: goods between locations, on the road (``YOLDA``) in
  between; a receipt that differs books the difference.

Commands act as ``--user NAME`` or the first active admin, on ``--terminal`` (default: this
terminal); they need the ``stock_adjust`` permission (journalled with the documents).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core.stock import LocationInfo, moves
    from pos_tui.settings import Settings

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
TerminalOption = Annotated[
    str | None, typer.Option("--terminal", help="Terminal id (default: this terminal, from pos.toml).")
]
NoteOption = Annotated[str | None, typer.Option("--note", help="A note kept with the document.")]
LineOption = Annotated[
    list[str] | None,
    typer.Option("--line", help="A line CODE=QTY (code or barcode; quantity with a decimal comma or dot). Repeatable."),
]

locations_app = make_typer("locations", "Stock locations: add, list, and the location each terminal sells from.")
transfer_app = make_typer("transfer", "Transfers between locations: send, receive, list, show.")


def register(app: typer.Typer) -> None:
    """Attach this part's commands to the ``stock`` group."""
    app.add_typer(locations_app, name="locations")
    app.add_typer(transfer_app, name="transfer")
    app.command("adjust", context_settings={"ignore_unknown_options": True})(adjust)


# -- helpers ----------------------------------------------------------------------------------------


def _qty(milli: int | None) -> str | None:
    """Milli-units as a decimal string for JSON (``1.25``, ``-3``)."""
    if milli is None:
        return None
    whole, part = divmod(abs(milli), 1000)
    sign = "-" if milli < 0 else ""
    return f"{sign}{whole}" if not part else f"{sign}{whole}.{part:03d}".rstrip("0")


def _shown_qty(milli: int, unit: str, language: str) -> str:
    from pos_tui.core.kernel import format_quantity

    return format_quantity(milli, unit, language=language)


def _reason_text(code: str | None) -> str:
    from pos_tui.core.kernel import reason_label

    return "-" if code is None else reason_label(code)


def _parse_lines(lines: list[str], option: str = "--line") -> list[tuple[str, int]]:
    from pos_tui.core.kernel import ValidationError, parse_quantity

    parsed: list[tuple[str, int]] = []
    problems: list[str] = []  # every bad --line is named, not just the first
    for text in lines:
        code, sep, qty = text.rpartition("=")
        if not sep or not code.strip() or not qty.strip():
            problems.append(
                _("{option} {text!r}: write it as CODE=QTY (e.g. 8690000000036=3)").format(option=option, text=text)
            )
            continue
        try:
            parsed.append((code.strip(), parse_quantity(qty.strip(), code.strip())))
        except ValidationError as exc:
            problems.append(f"{option}: {exc.message}")
    if problems:
        fail("\n".join(problems), ExitCode.USAGE)
    return parsed


# -- locations --------------------------------------------------------------------------------------


def _location_json(loc: LocationInfo) -> dict[str, Any]:
    from pos_tui.core.stock import moves

    return {
        "code": loc.code,
        "name": loc.name,
        "default": loc.is_default,
        "active": loc.active,
        "in_transit": moves.is_transit(loc.code),
        "terminals": list(loc.terminals),
        "store": loc.store,
    }


@locations_app.command("add")
@handle_errors
def locations_add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The location's code, e.g. DEPO (A-Z, 0-9, - and _).")],
    name: Annotated[str, typer.Option("--name", help="The location's name, e.g. 'Arka depo'.")],
    store: Annotated[str, typer.Option("--store", help="The store it belongs to (pos-admin stores list).")] = "S1",
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Add a stock location (of store S1 unless --store says otherwise)."""
    from pos_tui.core.stock import moves

    settings = state().open_db()
    actor = cli_actor(user, settings)
    loc = moves.add_location(
        code, name, terminal=terminal or settings.terminal_id, now=now(), user=actor.name, store_code=store
    )
    if json_:
        print_json(_location_json(loc))
        return
    info(
        _("Stock location {code} ({name}) added to store {store}.").format(
            code=loc.code, name=loc.name, store=loc.store
        )
    )


@locations_app.command("list")
@handle_errors
def locations_list(json_: JsonOption = False) -> None:
    """Every stock location, the default one and the terminals that sell from each."""
    from pos_tui.core.stock import moves

    state().open_db()
    found = moves.list_locations()
    if json_:
        print_json([_location_json(loc) for loc in found])
        return
    rows = []
    for loc in found:
        notes = []
        if loc.is_default:
            notes.append(_("default"))
        if moves.is_transit(loc.code):
            notes.append(_("goods on their way"))
        elif not loc.active:
            notes.append(_("not in use"))
        rows.append((loc.code, loc.name, loc.store, ", ".join(notes) or "-", ", ".join(loc.terminals) or "-"))
    table([_("Code"), _("Name"), _("Store"), _("Note"), _("Terminals")], rows, title=_("Stock locations"))


@locations_app.command("assign")
@handle_errors
def locations_assign(
    terminal_id: Annotated[
        str, typer.Argument(metavar="TERMINAL", help="The terminal's id (terminal_id in pos.toml).")
    ],
    code: Annotated[str, typer.Argument(metavar="CODE", help="The location it sells from.")],
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Make TERMINAL sell from location CODE (its sales take stock from there)."""
    from pos_tui.core.stock import moves

    settings = state().open_db()
    actor = cli_actor(user, settings)
    moves.assign_terminal(terminal_id, code, terminal=terminal or settings.terminal_id, now=now(), user=actor.name)
    loc = code.strip().upper()
    if json_:
        print_json({"terminal": terminal_id.strip(), "location": loc})
        return
    info(_("Terminal {terminal} now sells from {code}.").format(terminal=terminal_id.strip(), code=loc))


# -- adjustments ------------------------------------------------------------------------------------


def _adjustment_json(done: moves.Adjustment) -> dict[str, Any]:
    return {
        "document": done.document_id,
        "number": done.number,
        "code": done.code,
        "name": done.name,
        "qty": _qty(done.qty),
        "reason": done.reason,
        "location": done.location,
        "unit_cost": f"{done.unit_cost:.2f}",
        "value": f"{done.value:.2f}",
        "on_hand": _qty(done.on_hand),
        "on_hand_total": _qty(done.on_hand_total),
        "note": done.note,
    }


@handle_errors
def adjust(
    product: Annotated[str, typer.Argument(metavar="CODE_OR_BARCODE", help="The product's code or barcode.")],
    qty: Annotated[
        str, typer.Argument(metavar="QTY", help="Signed quantity: -3 writes 3 off, 2,5 books 2.5 kg found.")
    ],
    reason: Annotated[
        str,
        typer.Option(
            "--reason",
            help="waste|damage|loss|internal|correction|opening (or fire|zayi|kayip|ic-kullanim|duzeltme|acilis).",
        ),
    ],
    location: Annotated[
        str | None, typer.Option("--location", help="Where (default: the terminal's location).")
    ] = None,
    note: NoteOption = None,
    unit_cost: Annotated[
        str | None, typer.Option("--unit-cost", help="Opening stock only: the unit cost excluding KDV.")
    ] = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Adjust a product's stock: waste, damage, loss, internal use, a correction or the opening stock."""
    from pos_tui.core.kernel import format_money, parse_money, parse_quantity
    from pos_tui.core.stock import moves

    settings = state().open_db()
    code = moves.parse_reason(reason)
    milli = parse_quantity(qty, _("quantity"))
    cost = None if unit_cost is None else parse_money(unit_cost, "--unit-cost")
    done = moves.adjust(
        product,
        milli,
        code,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        location=location,
        note=note,
        unit_cost=cost,
    )
    if json_:
        print_json(_adjustment_json(done))
        return
    lang = settings.language
    info(
        _(
            "Adjustment {number} written: {qty} {name} ({code}), {reason}, at {location}, worth {value}. "
            "On hand there now: {on_hand}."
        ).format(
            number=done.number,
            qty=_shown_qty(done.qty, done.unit, lang),
            name=done.name,
            code=done.code,
            reason=_reason_text(done.reason),
            location=done.location,
            value=format_money(done.value, lang),
            on_hand=_shown_qty(done.on_hand, done.unit, lang),
        )
    )


# -- transfers --------------------------------------------------------------------------------------


def _transfer_json(t: moves.Transfer, tz: str) -> dict[str, Any]:
    from pos_tui.core.kernel import iso

    return {
        "number": t.number,
        "status": "open" if t.open else "received",
        "from": t.source,
        "to": t.destination,
        "sent_at": iso(t.sent_at, tz),
        "sent_by": t.sent_by,
        "note": t.note,
        "received_at": None if t.received_at is None else iso(t.received_at, tz),
        "received_by": t.received_by,
        "received_number": t.received_number,
        "short_reason": t.short_reason,
        "lines": [
            {
                "code": ln.code,
                "name": ln.name,
                "unit": ln.unit,
                "sent": _qty(ln.sent),
                "received": _qty(ln.received),
                "difference": _qty(ln.difference),
            }
            for ln in t.lines
        ],
    }


def _show_transfer(t: moves.Transfer, settings: Settings) -> None:
    from pos_tui.core.kernel import format_moment

    lang, tz = settings.language, settings.shop.timezone
    state_text = (
        _("on the way")
        if t.open
        else _("received {at} by {user}").format(
            at=format_moment(t.received_at, tz) if t.received_at else "", user=t.received_by
        )
    )
    table(
        [_("Code"), _("Name"), _("Sent"), _("Received"), _("Difference")],
        [
            (
                ln.code,
                ln.name,
                _shown_qty(ln.sent, ln.unit, lang),
                "-" if ln.received is None else _shown_qty(ln.received, ln.unit, lang),
                "-" if not ln.difference else _shown_qty(ln.difference, ln.unit, lang),
            )
            for ln in t.lines
        ],
        title=_("Transfer {number}: {source} → {destination}, sent {at} by {user}; {state}").format(
            number=t.number,
            source=t.source,
            destination=t.destination,
            at=format_moment(t.sent_at, tz),
            user=t.sent_by,
            state=state_text,
        ),
    )
    if t.note:
        info(_("Note: {note}").format(note=t.note))


@transfer_app.command("send")
@handle_errors
def transfer_send(
    file: Annotated[
        Path | None,
        typer.Argument(metavar="[FILE]", help="CSV or JSON with columns code or barcode, and qty.", dir_okay=False),
    ] = None,
    source: Annotated[str, typer.Option("--from", help="The location the goods leave.")] = "",
    destination: Annotated[str, typer.Option("--to", help="The location the goods go to.")] = "",
    line: LineOption = None,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Send goods from one location to another (they are on the road until received)."""
    from pos_tui.core.stock import moves

    if not source or not destination:
        fail(_("Name both locations: --from L --to L"), ExitCode.USAGE)
    if (file is None) == (not line):
        fail(_("Give the lines either in a FILE or with --line CODE=QTY, not both"), ExitCode.USAGE)
    settings = state().open_db()
    lines = moves.read_lines_file(file) if file is not None else _parse_lines(line or [])
    sent = moves.send_transfer(
        source,
        destination,
        lines,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        note=note,
    )
    if json_:
        print_json(_transfer_json(sent, settings.shop.timezone))
        return
    info(
        _("Transfer {number} sent: {n} line(s) from {source} to {destination}; on the way until received.").format(
            number=sent.number, n=len(sent.lines), source=sent.source, destination=sent.destination
        )
    )


@transfer_app.command("receive")
@handle_errors
def transfer_receive(
    number: Annotated[int, typer.Argument(metavar="NUMBER", help="The transfer's number.")],
    line: LineOption = None,
    reason: Annotated[
        str | None,
        typer.Option("--reason", help="Why lines came short: loss (default), damage, waste or correction."),
    ] = None,
    note: NoteOption = None,
    user: UserOption = None,
    terminal: TerminalOption = None,
    json_: JsonOption = False,
) -> None:
    """Receive a transfer at its destination; --line CODE=QTY for what arrived differently."""
    from pos_tui.core.stock import moves

    received = dict(_parse_lines(line or []))
    settings = state().open_db()
    got = moves.receive_transfer(
        number,
        received,
        actor=cli_actor(user, settings),
        terminal=terminal or settings.terminal_id,
        now=now(),
        reason=reason,
        note=note,
    )
    if json_:
        print_json(_transfer_json(got, settings.shop.timezone))
        return
    lang = settings.language
    info(_("Transfer {number} received at {destination}.").format(number=got.number, destination=got.destination))
    for ln in got.lines:
        if ln.difference:
            word = _("short") if ln.difference < 0 else _("over")
            info(
                _("{code} {name}: sent {sent}, received {received} ({word}, booked as {reason})").format(
                    code=ln.code,
                    name=ln.name,
                    sent=_shown_qty(ln.sent, ln.unit, lang),
                    received=_shown_qty(ln.received or 0, ln.unit, lang),
                    word=word,
                    reason=_reason_text(got.short_reason if ln.difference < 0 else "correction"),
                )
            )


@transfer_app.command("list")
@handle_errors
def transfer_list(
    open_: Annotated[bool, typer.Option("--open", help="Only transfers sent and not yet received.")] = False,
    json_: JsonOption = False,
) -> None:
    """Transfers, oldest first, with where from and to and their state."""
    from pos_tui.core.kernel import format_moment
    from pos_tui.core.stock import moves

    settings = state().open_db()
    tz = settings.shop.timezone
    found = moves.list_transfers(open_only=open_)
    if json_:
        print_json([_transfer_json(t, tz) for t in found])
        return
    if not found:
        info(_("No open transfers.") if open_ else _("No transfers yet."))
        return
    table(
        [_("Number"), _("From"), _("To"), _("Sent"), _("Lines"), _("State")],
        [
            (
                t.number,
                t.source,
                t.destination,
                format_moment(t.sent_at, tz),
                len(t.lines),
                _("on the way")
                if t.open
                else _("received {at}").format(at=format_moment(t.received_at, tz) if t.received_at else ""),
            )
            for t in found
        ],
        title=_("Transfers"),
    )


@transfer_app.command("show")
@handle_errors
def transfer_show(
    number: Annotated[int, typer.Argument(metavar="NUMBER", help="The transfer's number.")],
    json_: JsonOption = False,
) -> None:
    """One transfer with its lines: sent, received and the difference."""
    from pos_tui.core.stock import moves

    settings = state().open_db()
    found = moves.get_transfer(number)
    if json_:
        print_json(_transfer_json(found, settings.shop.timezone))
        return
    _show_transfer(found, settings)
