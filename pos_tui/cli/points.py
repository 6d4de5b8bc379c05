"""``pos-admin points``: a member's points, and the operations on them (issue 16): transfer to
another member (with the giver's consent), donation to one of the program's charities, and a
manager's adjustment. Each is journalled; see docs/loyalty.md "Points operations".

A member is named by card, phone number or member id (``MEMBER``). The operations act as
``--user NAME`` or the first active admin: a transfer or a donation needs ``sell``, a transfer
above the program's ``supervisor_above`` and every adjustment need ``points_adjust`` (there is no
supervisor's PIN here: name a user who has it). Timestamps in ``--json`` carry the shop's offset.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import JsonOption, info, print_json, stdout, table
from pos_tui.cli.wallet import MemberArgument, UserOption, member_id_of
from pos_tui.core.kernel import ValidationError, format_decimal, format_moment, shop_day
from pos_tui.core.loyalty import points_ops, rules
from pos_tui.i18n import _

app = make_typer("points", "Members' points: show, transfer, donate to a charity, adjust.")

PointsOption = Annotated[str, typer.Option("--points", help="How many points (a whole number).")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="How many of the latest entries to list.")]


def whole_points(text: str, option: str, *, signed: bool = False) -> int:
    """``150`` (or ``+25`` / ``-25`` when ``signed``) → an int; anything else is refused in words."""
    value = text.strip().replace(" ", "")
    body = value[1:] if signed and value[:1] in "+-" else value
    if not body.isdigit() or not body.isascii():
        if signed:
            raise ValidationError(
                _("{option}: {value!r} is not a whole number of points such as 50 or -50").format(
                    option=option, value=text[:20]
                )
            )
        raise ValidationError(
            _("{option}: {value!r} is not a whole number of points such as 50").format(option=option, value=text[:20])
        )
    return int(value)


def _n(points: int) -> str:
    return format_decimal(points)


def _reason(entry: points_ops.PointsEntryInfo, charities: dict[str, str]) -> str:
    """The entry's reason in words: the other member of a transfer, a donation's charity."""
    reason = entry.reason or ""
    other = reason.removeprefix("member:")
    if entry.kind in ("transfer_in", "transfer_out") and other.isdigit():
        return _("member #{id}").format(id=other)
    if entry.kind == "donate":
        return charities.get(reason, reason)
    return reason


def _entries_rows(entries: list[points_ops.PointsEntryInfo], tz: str) -> list[tuple[Any, ...]]:
    charities = {c.code: c.name for c in rules.active_program().charities}
    return [
        (
            e.id,
            format_moment(e.at, tz),
            points_ops.points_entry_label(e.kind),
            _n(e.points),
            e.sale_id or "",
            e.expires_on.strftime("%d.%m.%Y") if e.expires_on else "",
            _reason(e, charities),
        )
        for e in entries
    ]


def _entries_table(entries: list[points_ops.PointsEntryInfo], tz: str) -> None:
    if not entries:
        stdout.print(_("No entries yet."), markup=False)
        return
    table(
        [_("Id"), _("At"), _("Kind"), _("Points"), _("Receipt"), _("Usable through"), _("Reason")],
        _entries_rows(entries, tz),
    )


@app.command("show")
@handle_errors
def show(
    member: MemberArgument,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="The balance at the end of this day (YYYY-MM-DD).")
    ] = None,
    limit: LimitOption = 10,
    json_: JsonOption = False,
) -> None:
    """The member's points: available, pending, total, what expires when, the latest entries."""
    settings = state().open_db()
    tz = settings.shop.timezone
    member_id = member_id_of(member)
    day = parse_date(as_of, "--as-of") or shop_day(now(), tz)
    b = points_ops.points_balance(member_id, as_of=day, tz=tz)
    entries = points_ops.points_entries(member_id, limit=limit)
    if json_:
        print_json(
            {
                "member_id": member_id,
                "as_of": day.isoformat(),
                "available": b.available,
                "pending": b.pending,
                "total": b.total,
                "expiring": [{"points": p, "on": on.isoformat()} for p, on in b.expiring],
                "entries": [e.to_dict(tz) for e in entries],
            }
        )
        return
    rows = [
        (_("Available"), _n(b.available)),
        (_("Pending (return window)"), _n(b.pending)),
        (_("Total"), _n(b.total)),
    ]
    rows += [(_("Usable through {day}").format(day=on.strftime("%d.%m.%Y")), _n(p)) for p, on in b.expiring]
    table(
        [_("Figure"), _("Points")],
        rows,
        title=_("Points of member {id} on {day}").format(id=member_id, day=day.strftime("%d.%m.%Y")),
    )
    _entries_table(entries, tz)


@app.command("history")
@handle_errors
def history(member: MemberArgument, limit: LimitOption = 50, json_: JsonOption = False) -> None:
    """The member's points entries, newest first."""
    settings = state().open_db()
    tz = settings.shop.timezone
    member_id = member_id_of(member)
    entries = points_ops.points_entries(member_id, limit=limit)
    if json_:
        print_json({"member_id": member_id, "entries": [e.to_dict(tz) for e in entries]})
        return
    _entries_table(entries, tz)


@app.command("transfer")
@handle_errors
def transfer(
    giver: Annotated[str, typer.Argument(metavar="FROM", help="The giving member's card, phone number or id.")],
    receiver: Annotated[str, typer.Argument(metavar="TO", help="The receiving member's card, phone number or id.")],
    points: PointsOption,
    consent: Annotated[
        str, typer.Option("--consent", help='How the giver consented, e.g. "imzalı form" (kept in the journal).')
    ],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Give available points of one member to another (the giver's consent; journalled)."""
    settings = state().open_db()
    amount = whole_points(points, "--points")
    giver_id, receiver_id = member_id_of(giver), member_id_of(receiver)
    done = points_ops.transfer_points(
        giver_id,
        receiver_id,
        amount,
        consent=consent,
        actor=cli_actor(user, settings),
        terminal=settings.terminal_id,
        now=now(),
        tz=settings.shop.timezone,
        program=rules.active_program(),
    )
    if json_:
        print_json(done.to_dict())
        return
    info(
        _(
            "Moved {points} points from member {giver} to member {receiver}; the giver has {left} available, "
            "the receiver {got}."
        ).format(
            points=_n(done.points),
            giver=giver_id,
            receiver=receiver_id,
            left=_n(done.giver_available),
            got=_n(done.receiver_available),
        )
    )


@app.command("donate")
@handle_errors
def donate(
    member: MemberArgument,
    points: PointsOption,
    charity: Annotated[str, typer.Option("--charity", help="The charity's code in the loyalty program.")],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Donate available points of a member to one of the program's charities (journalled)."""
    settings = state().open_db()
    amount = whole_points(points, "--points")
    member_id = member_id_of(member)
    done = points_ops.donate_points(
        member_id,
        amount,
        charity,
        actor=cli_actor(user, settings),
        terminal=settings.terminal_id,
        now=now(),
        tz=settings.shop.timezone,
        program=rules.active_program(),
    )
    if json_:
        print_json(done.to_dict())
        return
    info(
        _("Member {id} donated {points} points to {charity}; {left} points remain available.").format(
            id=member_id, points=_n(done.points), charity=done.charity_name, left=_n(done.available)
        )
    )


@app.command("adjust")
@handle_errors
def adjust(
    member: MemberArgument,
    points: Annotated[str, typer.Option("--points", help="+N adds points, -N takes them away.")],
    reason: Annotated[str, typer.Option("--reason", help="Why (kept in the journal).")],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Correct a member's points by ±N (needs points_adjust; journalled)."""
    settings = state().open_db()
    amount = whole_points(points, "--points", signed=True)
    member_id = member_id_of(member)
    done = points_ops.adjust_points(
        member_id,
        amount,
        reason,
        actor=cli_actor(user, settings),
        terminal=settings.terminal_id,
        now=now(),
        tz=settings.shop.timezone,
        program=rules.active_program(),
    )
    if json_:
        print_json(done.to_dict())
        return
    info(
        _("Adjusted the points of member {id} by {points}; {available} available, {total} in all.").format(
            id=member_id,
            points=points_ops.signed_points(done.points),
            available=_n(done.available),
            total=_n(done.total),
        )
    )
