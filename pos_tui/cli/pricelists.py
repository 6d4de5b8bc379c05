"""``pos-admin pricelists``: price lists for account customers (e.g. ``TOPTAN``).

- ``pricelists add CODE --name N``
- ``pricelists set LIST PRODUCT (--price P | --percent-off N) [--from DATE] [--to DATE]``
  (PRODUCT a code or barcode; ``*`` or ``--all`` for the list-wide rule)
- ``pricelists import LIST FILE`` (CSV/JSON, Turkish headers; all or nothing)
- ``pricelists show LIST [--date DATE] [--json]`` and ``pricelists list [--json]``

Changes act as ``--user NAME`` or the first active admin and need ``accounts``. Dates are
``YYYY-MM-DD`` or ``31.12.2026``; ``--date`` defaults to today (the shop day).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, parse_date, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core.accounts import prices as prices_t
    from pos_tui.core.kernel import ImportRejected
    from pos_tui.settings import Settings

app = make_typer("pricelists", "Price lists for account customers, such as TOPTAN: add, set, import, show.")

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]


def _today(settings: Settings) -> date:
    from pos_tui.core.kernel import shop_day

    return shop_day(now(), settings.shop.timezone)


def _money(value: str, option: str) -> object:
    from pos_tui.core.kernel import ValidationError, parse_decimal, parse_typed_money

    try:
        return parse_typed_money(value, option) if option == "--price" else parse_decimal(value, 2, option)
    except ValidationError as exc:
        fail(exc.message, ExitCode.USAGE)


def _item_row(item: prices_t.PriceItem, language: str) -> list[str]:
    from pos_tui.core.kernel import format_money

    product = item.product_code or _("every product")
    name = item.product_name or ""
    result = "-" if item.result is None else format_money(item.result, language)
    catalog = "-" if item.catalog_price is None else format_money(item.catalog_price, language)
    return [product, name, item.describe(language), catalog, result, _("yes") if item.in_force else ""]


@app.command("add")
@handle_errors
def add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The list's code, e.g. TOPTAN.")],
    name: Annotated[str, typer.Option("--name", help="The list's name, e.g. 'Toptan fiyatlar'.")],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Add an empty price list."""
    from pos_tui.core import accounts

    prices = accounts.prices

    settings = state().open_db()
    found = prices.add_price_list(code, name, actor=cli_actor(user, settings), now=now())
    if json_:
        print_json(found.as_json())
        return
    info(_("Price list {code} ({name}) added.").format(code=found.code, name=found.name))


@app.command("set")
@handle_errors
def set_(
    price_list: Annotated[str, typer.Argument(metavar="LIST", help="The price list's code.")],
    product: Annotated[
        str | None,
        typer.Argument(metavar="PRODUCT", help="A product code or barcode; * for every product (the list-wide rule)."),
    ] = None,
    all_: Annotated[
        bool, typer.Option("--all", help="The list-wide rule (every product without its own price).")
    ] = False,
    price: Annotated[str | None, typer.Option("--price", help="A fixed price, e.g. 12,50.")] = None,
    percent_off: Annotated[
        str | None, typer.Option("--percent-off", help="Percent off the catalog price, e.g. 12,5.")
    ] = None,
    from_: Annotated[str | None, typer.Option("--from", help="Valid from this day (included).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Valid up to this day (included).")] = None,
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Set a product's price (or the list-wide rule) on a list; the same product and dates replace it."""
    from decimal import Decimal

    from pos_tui.core import accounts

    prices = accounts.prices

    if all_ and product is not None and product != "*":
        fail(_("Give a product or --all, not both"), ExitCode.USAGE)
    if not all_ and product is None:
        fail(_("Give a product (code or barcode) or --all"), ExitCode.USAGE)
    if (price is None) == (percent_off is None):
        fail(_("Give either --price or --percent-off"), ExitCode.USAGE)
    item = prices.PriceInput(
        None if all_ else product,
        price=None if price is None else Decimal(str(_money(price, "--price"))),
        percent_off=None if percent_off is None else Decimal(str(_money(percent_off, "--percent-off"))),
        valid_from=parse_date(from_, "--from"),
        valid_to=parse_date(to, "--to"),
    )
    settings = state().open_db()
    found = prices.set_price(price_list, item, actor=cli_actor(user, settings), now=now(), day=_today(settings))
    if json_:
        print_json(found.as_json())
        return
    info(
        _("{list}: {product} {what}.").format(
            list=price_list, product=found.product_code or _("every product"), what=found.describe(settings.language)
        )
    )


def _rejected(exc: ImportRejected, json_: bool, file: Path) -> None:
    if json_:
        print_json(
            {
                "file": str(file),
                "imported": False,
                "errors": [{"line": e.line, "field": e.field, "reason": e.reason} for e in exc.errors],
            }
        )
    fail(exc.message, ExitCode.FAILED)


@app.command("import")
@handle_errors
def import_(
    price_list: Annotated[str, typer.Argument(metavar="LIST", help="The price list's code.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A CSV or JSON file.")],
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Set many prices from FILE, all or nothing: columns kod or barkod (* for every product),
    fiyat or iskonto (percent), optional başlangıç and bitiş (or code, barcode, price,
    percent_off, valid_from, valid_to)."""
    from pos_tui.core import accounts

    prices = accounts.prices
    from pos_tui.core.kernel import ImportRejected

    settings = state().open_db()
    try:
        summary = prices.import_prices(price_list, file, actor=cli_actor(user, settings), now=now())
    except ImportRejected as exc:
        _rejected(exc, json_, file)
        return
    if json_:
        print_json({"file": str(file), "imported": True, **summary.as_json()})
        return
    info(
        _("{list}: {added} price(s) added, {replaced} replaced.").format(
            list=summary.price_list, added=summary.added, replaced=summary.replaced
        )
    )


@app.command("show")
@handle_errors
def show(
    price_list: Annotated[str, typer.Argument(metavar="LIST", help="The price list's code.")],
    date_: Annotated[str | None, typer.Option("--date", help="Prices on this day (default: today).")] = None,
    json_: JsonOption = False,
) -> None:
    """Every item of a list and the price it gives on the day."""
    from pos_tui.core import accounts

    prices = accounts.prices

    settings = state().open_db()
    day = parse_date(date_, "--date") or _today(settings)
    view = prices.show_price_list(price_list, day=day)
    if json_:
        print_json(view.as_json())
        return
    lang = settings.language
    title = _("{code} ({name}) on {day}").format(code=view.info.code, name=view.info.name, day=prices.format_day(day))
    table(
        [_("Product"), _("Name"), _("Price or rule"), _("Catalog price"), _("Result"), _("In force")],
        [_item_row(i, lang) for i in view.items],
        title=title,
    )


@app.command("list")
@handle_errors
def list_(json_: JsonOption = False) -> None:
    """The price lists and how many prices each has."""
    from pos_tui.core import accounts

    prices = accounts.prices

    state().open_db()
    found = prices.list_price_lists()
    if json_:
        print_json([p.as_json() for p in found])
        return
    table([_("Code"), _("Name"), _("Prices")], [[p.code, p.name, str(p.items)] for p in found])
