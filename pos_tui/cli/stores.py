"""``pos-admin stores``: the chain's stores (docs/sync.md).

- ``stores add CODE NAME [--price-list CODE]``: a new store; with a price list its terminals sell
  at that list's prices (a sale account's own price list still wins);
- ``stores list``: every store, its price list and its stock locations;
- ``stores update CODE [--name NAME] [--price-list CODE | --no-price-list]``.

Stores are master data: edit them at the centre (``pos-admin --db postgresql://… stores …``);
the terminals take the change with their next pull.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from pos_tui.cli.common import cli_actor, handle_errors, make_typer, now, state
from pos_tui.cli.output import ExitCode, JsonOption, fail, info, print_json, table
from pos_tui.i18n import _

if TYPE_CHECKING:
    from pos_tui.core.catalog import StoreInfo

app = make_typer("stores", "The chain's stores: add, list, update (price list).")

UserOption = Annotated[str | None, typer.Option("--user", help="Act as this user (default: the first active admin).")]
PriceListOption = Annotated[
    str | None, typer.Option("--price-list", help="The price list its terminals sell at (pos-admin pricelists list).")
]


def _said(found: StoreInfo, json_: bool, message: str) -> None:
    if json_:
        print_json(found.as_json())
        return
    info(message)


@app.command("add")
@handle_errors
def add(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The store's code, e.g. S2 (A-Z, 0-9, - and _).")],
    name: Annotated[str, typer.Argument(metavar="NAME", help="The store's name, e.g. 'Kadıköy'.")],
    price_list: PriceListOption = None,
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Add a store; with --price-list its terminals sell at that list's prices."""
    from pos_tui.core import catalog

    settings = state().open_db()
    actor = cli_actor(user, settings)
    found = catalog.add_store(
        code, name, price_list=price_list, now=now(), terminal=settings.terminal_id, user=actor.name
    )
    if found.price_list:
        message = _("Store {code} ({name}) added; it sells at price list {price_list}.")
    else:
        message = _("Store {code} ({name}) added; it sells at catalog prices.")
    _said(found, json_, message.format(code=found.code, name=found.name, price_list=found.price_list))


@app.command("list")
@handle_errors
def list_(json_: JsonOption = False) -> None:
    """Every store with its price list and stock locations."""
    from pos_tui.core import catalog

    state().open_db()
    found = catalog.list_stores()
    if json_:
        print_json([s.as_json() for s in found])
        return
    table(
        [_("Code"), _("Name"), _("Price list"), _("Locations")],
        [(s.code, s.name, s.price_list or _("(catalog prices)"), ", ".join(s.locations) or "-") for s in found],
        title=_("Stores"),
    )


@app.command("update")
@handle_errors
def update(
    code: Annotated[str, typer.Argument(metavar="CODE", help="The store to change.")],
    name: Annotated[str | None, typer.Option("--name", help="Its new name.")] = None,
    price_list: PriceListOption = None,
    no_price_list: Annotated[
        bool, typer.Option("--no-price-list", help="Sell at catalog prices again (no store price list).")
    ] = False,
    user: UserOption = None,
    json_: JsonOption = False,
) -> None:
    """Rename a store or change the price list its terminals sell at."""
    from pos_tui.core import catalog

    if price_list is not None and no_price_list:
        fail(_("Give either --price-list or --no-price-list, not both"), ExitCode.USAGE)
    if name is None and price_list is None and not no_price_list:
        fail(_("Nothing to change: give --name, --price-list or --no-price-list"), ExitCode.USAGE)
    settings = state().open_db()
    actor = cli_actor(user, settings)
    wanted = None if no_price_list else price_list if price_list is not None else catalog.KEEP
    found = catalog.update_store(
        code, name=name, price_list=wanted, now=now(), terminal=settings.terminal_id, user=actor.name
    )
    if found.price_list:
        message = _("Store {code} ({name}) sells at price list {price_list}.")
    else:
        message = _("Store {code} ({name}) sells at catalog prices.")
    _said(found, json_, message.format(code=found.code, name=found.name, price_list=found.price_list))
