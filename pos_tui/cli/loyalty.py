"""``pos-admin loyalty``: the rules (apply, show), tiers, coupons and personal offers.

``apply`` validates a rules file (``config/loyalty.toml``, format in docs/loyalty-rules.md)
and makes it the active program; every problem in the file is listed with its place and
nothing is applied. ``tiers set`` changes one tier and writes the result as a new version.
pos-admin acts with the authority of whoever can open the database file, like ``users``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer

from pos_tui.cli import loyalty_run
from pos_tui.cli.common import handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.core.kernel import (
    COUPON_SOURCE_LABELS,
    NotFound,
    ValidationError,
    coupon_source_label,
    format_money,
    format_percent,
    iso,
    local,
    parse_decimal,
    parse_money,
)
from pos_tui.core.loyalty import Program, coupons, plain, rules
from pos_tui.i18n import _

app = make_typer("loyalty", "The loyalty program: rules, tiers, coupons, offers and the nightly run.")
tiers_app = make_typer("tiers", "List or change the tiers of the active program.")
coupons_app = make_typer("coupons", "Create and list coupons.")
offers_app = make_typer("offers", "Personal offers from purchase history.")
app.add_typer(tiers_app, name="tiers")
app.add_typer(coupons_app, name="coupons")
app.add_typer(offers_app, name="offers")
app.command("run")(loyalty_run.run)


def _number(text: str | None, option: str, places: int = 2) -> Decimal | None:
    if text is None:
        return None
    return parse_decimal(text, places, option)


def _version_json(version: rules.RulesVersion | None, program: Program, tz: str) -> dict[str, Any]:
    return {
        "id": None if version is None else version.id,
        "digest": None if version is None else version.digest,
        "applied_at": None if version is None else iso(version.applied_at, tz),
        "program": rules.program_to_dict(program),
    }


# ============================================================================ apply / show


@app.command("apply")
@handle_errors
def apply(
    file: Annotated[Path, typer.Argument(help="The rules file (TOML), e.g. config/loyalty.toml.")],
    json_: JsonOption = False,
) -> None:
    """Validate a rules file and make it the active program (a new version)."""
    settings = state().open_db()
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(_("cannot read {path}: {error}").format(path=file, error=exc))
    before = rules.active_rules_id()
    version = rules.apply_rules(text, source=str(file), now=now(), terminal=settings.terminal_id)
    changed = version.id != before
    if json_:
        print_json(
            {
                "id": version.id,
                "digest": version.digest,
                "applied_at": iso(version.applied_at, settings.shop.timezone),
                "changed": changed,
            }
        )
    if changed:
        info(_("Applied loyalty rules version {id} ({digest}).").format(id=version.id, digest=version.digest[:12]))
    else:
        info(_("The rules are already active (version {id}); nothing changed.").format(id=version.id))


@app.command("show")
@handle_errors
def show(json_: JsonOption = False) -> None:
    """The active program, its version id, digest and when it was applied."""
    settings = state().open_db()
    tz = settings.shop.timezone
    version = rules.active_version()
    program = version.program if version is not None else rules.active_program()
    if json_:
        print_json(_version_json(version, program, tz))
        return
    if version is None:
        info(
            _("No loyalty rules applied yet; the defaults are in force. Apply some with: pos-admin loyalty apply FILE")
        )
    else:
        info(
            _("Version {id}, applied {at}, digest {digest}").format(
                id=version.id, at=iso(version.applied_at, tz), digest=version.digest[:12]
            )
        )
    lang = settings.language
    p = program
    rows = [
        (_("Name"), p.name),
        (_("Point value"), format_money(p.points.value, lang)),
        (_("Earning"), format_percent(p.earning.percent)),
        (_("Hold (days)"), p.points.hold_days),
        (_("Expiry"), p.points.expiry.kind + (f" {p.points.expiry.days}" if p.points.expiry.days else "")),
        (_("Points pay at most"), format_percent(p.points.max_redeem_percent)),
        (_("Tiers"), ", ".join(t.name for t in p.tiers) or "-"),
        (_("Stamp cards"), ", ".join(c.name for c in p.stamp_cards) or "-"),
        (_("Promotions"), ", ".join(x.name for x in p.promotions) or "-"),
        (_("Rewards"), ", ".join(r.name for r in p.rewards) or "-"),
        (_("Bonuses"), ", ".join(b.code for b in p.bonuses) or "-"),
        (_("Supplier-funded products"), ", ".join(f.product for f in p.supplier_funding) or "-"),
        (_("Charities"), ", ".join(c.name for c in p.charities) or "-"),
    ]
    table([_("Rule"), _("Value")], rows)


# ============================================================================ tiers


def _tiers_json(program: Program) -> list[dict[str, Any]]:
    return rules.program_to_dict(program)["tiers"]


@tiers_app.command("list")
@handle_errors
def tiers_list(json_: JsonOption = False) -> None:
    """The tiers of the active program, from the lowest spend up."""
    settings = state().open_db()
    program = rules.active_program()
    if json_:
        print_json(_tiers_json(program))
        return
    if not program.tiers:
        info(_("The program has no tiers; add one with: pos-admin loyalty tiers set CODE --name N --min-spend X"))
        return
    lang = settings.language
    table(
        [_("Code"), _("Name"), _("Min. spend"), _("Points ×"), _("Discount %"), _("Monthly benefits")],
        [
            (
                t.code,
                t.name,
                format_money(t.min_spend, lang),
                plain(t.multiplier),
                plain(t.basket_discount_percent),
                ", ".join(f"{b.label} ({b.quantity})" for b in t.monthly_benefits),
            )
            for t in program.tiers
        ],
    )


@tiers_app.command("set")
@handle_errors
def tiers_set(
    code: Annotated[str, typer.Argument(help="The tier's code, e.g. gumus.")],
    name: Annotated[str | None, typer.Option("--name", help="The name members see.")] = None,
    min_spend: Annotated[
        str | None, typer.Option("--min-spend", help="TRY spent in the qualification window to reach it.")
    ] = None,
    multiplier: Annotated[str | None, typer.Option("--multiplier", help="Points multiplier (1.5 = +50 %).")] = None,
    discount: Annotated[str | None, typer.Option("--discount", help="Basket discount in percent.")] = None,
    remove: Annotated[bool, typer.Option("--remove", help="Remove the tier.")] = False,
    json_: JsonOption = False,
) -> None:
    """Add or change a tier (or remove it with --remove): the program is applied as a new version."""
    settings = state().open_db()
    version = rules.set_tier(
        code,
        name=name.strip() if name is not None else None,
        min_spend=None if min_spend is None else parse_money(min_spend, "--min-spend"),
        multiplier=_number(multiplier, "--multiplier", 4),
        discount=_number(discount, "--discount"),
        remove=remove,
        now=now(),
        terminal=settings.terminal_id,
    )
    if json_:
        print_json(
            {
                "id": version.id,
                "digest": version.digest,
                "applied_at": iso(version.applied_at, settings.shop.timezone),
                "tiers": _tiers_json(version.program),
            }
        )
    info(_("Tiers changed: loyalty rules version {id}.").format(id=version.id))


# ============================================================================ coupons


def _member_id(text: str | None) -> int | None:
    if text is None:
        return None
    from pos_tui.core.loyalty import find_member

    found = find_member(text)
    if found is None:
        raise NotFound(_("No member with card or phone {text}").format(text=text))
    return found.id


@coupons_app.command("add")
@handle_errors
def coupons_add(
    code: Annotated[
        str | None, typer.Argument(help="The code (letters, digits, '-'); drawn at random when left out.")
    ] = None,
    amount: Annotated[str | None, typer.Option("--amount", help="TRY off.")] = None,
    percent: Annotated[str | None, typer.Option("--percent", help="Percent off.")] = None,
    min_spend: Annotated[str, typer.Option("--min-spend", help="The receipt must cost at least this.")] = "0",
    valid_from: Annotated[str | None, typer.Option("--from", help="First day it can be used (YYYY-MM-DD).")] = None,
    valid_to: Annotated[str | None, typer.Option("--to", help="Last day it can be used (YYYY-MM-DD).")] = None,
    max_uses: Annotated[int, typer.Option("--max-uses", help="How many receipts may use it.")] = 1,
    unlimited: Annotated[bool, typer.Option("--unlimited", help="Any number of uses.")] = False,
    member: Annotated[
        str | None, typer.Option("--member", help="Card or phone of the only member who may use it.")
    ] = None,
    product: Annotated[str | None, typer.Option("--product", help="Only on this product (code).")] = None,
    note: Annotated[str | None, typer.Option("--note", help="A note for the staff.")] = None,
    max_discount: Annotated[
        str | None, typer.Option("--max-discount", help="With --percent: TRY off at most (20 % off, at most 200).")
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Create a coupon: an amount (--amount) or a percentage (--percent) off, the percentage at
    most --max-discount TRY when given."""
    settings = state().open_db()
    if (amount is None) == (percent is None):
        fail(_("give exactly one of --amount and --percent"), ExitCode.USAGE)
    info_ = coupons.create_coupon(
        code,
        kind="amount" if amount is not None else "percent",
        amount=None if amount is None else parse_money(amount, "--amount"),
        percent=_number(percent, "--percent"),
        min_spend=parse_money(min_spend, "--min-spend"),
        valid_from=parse_date(valid_from, "--from"),
        valid_to=parse_date(valid_to, "--to"),
        max_uses=None if unlimited else max_uses,
        member_id=_member_id(member),
        product_code=product,
        note=note,
        now=now(),
        terminal=settings.terminal_id,
        max_discount=None if max_discount is None else parse_money(max_discount, "--max-discount"),
    )
    if json_:
        print_json(info_.to_dict(settings.shop.timezone))
    info(_("Created coupon {code}.").format(code=info_.code))


def _coupon_value(c: coupons.CouponInfo, lang: str) -> str:
    """``50,00``, ``%20`` or ``%20, at most 200,00`` (a percent coupon with a maximum discount)."""
    if c.amount is not None:
        return format_money(c.amount, lang)
    value = format_percent(c.percent or Decimal(0), lang)
    if c.max_discount is None:
        return value
    return _("{percent}, at most {amount}").format(percent=value, amount=format_money(c.max_discount, lang))


def _day(day: date | None) -> str:
    """A day as the shop writes it: ``06.12.2026`` (JSON keeps ISO ``2026-12-06``)."""
    return "" if day is None else day.strftime("%d.%m.%Y")


def _coupon_used(c: coupons.CouponInfo) -> str:
    """``1/3``, ``2/∞``; a withdrawn coupon (inactive: its receipt was returned) says so, or
    ``0/1`` would read as still usable."""
    used = f"{c.uses}/{c.max_uses}" if c.max_uses is not None else f"{c.uses}/∞"
    if not c.active:
        # Translators: a coupon taken back (inactive), after its uses such as "0/1"
        return _("{used} withdrawn").format(used=used)
    return used


def _coupon_rows(found: list[coupons.CouponInfo], lang: str) -> list[tuple[Any, ...]]:
    return [
        (
            c.code,
            _coupon_value(c, lang),
            format_money(c.min_spend, lang),
            _day(c.valid_from),
            _day(c.valid_to),
            _coupon_used(c),
            c.member_id or "",
            c.product_code or "",
            coupon_source_label(c.source),
        )
        for c in found
    ]


def _coupon_source(source: str | None) -> str | None:
    """``--source``: one of the coupon sources' codes, or a usage error naming them."""
    if source is None or source in COUPON_SOURCE_LABELS:
        return source
    fail(
        _("--source must be one of {codes}; {value!r} is not").format(
            codes=", ".join(COUPON_SOURCE_LABELS), value=source[:20]
        ),
        ExitCode.USAGE,
    )


@coupons_app.command("list")
@handle_errors
def coupons_list(
    member: Annotated[str | None, typer.Option("--member", help="Only this member's (card or phone).")] = None,
    usable: Annotated[bool, typer.Option("--usable", help="Only those usable today.")] = False,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Only those made so: admin, offer, import or next_order (issued by a receipt)."),
    ] = None,
    json_: JsonOption = False,
) -> None:
    """Coupons, newest first, with how often each was used; a withdrawn one says so."""
    source = _coupon_source(source)
    settings = state().open_db()
    today = local(now(), settings.shop.timezone).date()
    found = coupons.list_coupons(member_id=_member_id(member), usable_on=today if usable else None, source=source)
    if json_:
        print_json([c.to_dict(settings.shop.timezone) for c in found])
        return
    if not found:
        info(_("No coupons."))
        return
    table(
        [_("Code"), _("Value"), _("Min. spend"), _("From"), _("To"), _("Used"), _("Member"), _("Product"), _("Source")],
        _coupon_rows(found, settings.language),
    )


# ============================================================================ offers


@offers_app.command("generate")
@handle_errors
def offers_generate(
    kind: Annotated[str, typer.Option("--kind", help="percent or amount.")] = "percent",
    value: Annotated[str, typer.Option("--value", help="Percent or TRY off.")] = "10",
    valid_days: Annotated[int, typer.Option("--valid-days", help="Days each coupon can be used.")] = 30,
    min_spend: Annotated[str, typer.Option("--min-spend", help="Minimum receipt for the coupon.")] = "0",
    days: Annotated[int, typer.Option("--days", help="Purchase history to look at, in days.")] = 90,
    limit: Annotated[int | None, typer.Option("--limit", help="Create at most this many coupons.")] = None,
    json_: JsonOption = False,
) -> None:
    """A personal coupon on each member's most bought product (once per validity period)."""
    settings = state().open_db()
    if kind not in coupons.KINDS:
        fail(_("--kind must be percent or amount"), ExitCode.USAGE)
    try:
        amount = parse_money(value, "--value") if kind == "amount" else parse_decimal(value, 2, "--value")
    except ValidationError as exc:
        fail(exc.message, ExitCode.USAGE)
    created = coupons.generate_offers(
        now=now(),
        kind=kind,
        value=amount,
        valid_days=valid_days,
        min_spend=parse_money(min_spend, "--min-spend"),
        days=days,
        limit=limit,
        tz=settings.shop.timezone,
        terminal=settings.terminal_id,
    )
    if json_:
        print_json([c.to_dict(settings.shop.timezone) for c in created])
    elif created:
        table(
            [
                _("Code"),
                _("Value"),
                _("Min. spend"),
                _("From"),
                _("To"),
                _("Used"),
                _("Member"),
                _("Product"),
                _("Source"),
            ],
            _coupon_rows(created, settings.language),
        )
    info(_("Created {n} offer coupon(s).").format(n=len(created)))
