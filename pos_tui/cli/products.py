"""``pos-admin products show|search``: look products up as the till would see them."""

from __future__ import annotations

from typing import Annotated

import typer

from pos_tui.cli.common import handle_errors, make_typer, state
from pos_tui.cli.output import JsonOption, info, print_json, stdout, table
from pos_tui.core import catalog
from pos_tui.core.kernel import format_money, format_quantity, unit_label
from pos_tui.i18n import _

app = make_typer("products", "Look up products by code, barcode or name.")


@app.command("show")
@handle_errors
def show(
    code: Annotated[str, typer.Argument(help="Product code (PLU) or one of its barcodes.")],
    json_: JsonOption = False,
) -> None:
    """Show one product with its barcodes and stock (JSON: price "12.50", stock "1.5")."""

    settings = state().open_db()
    product = catalog.get_product(code)
    if json_:
        print_json(catalog.product_record(product))
        return
    lang = settings.language
    rows = [
        (_("Code"), product.code),
        (_("Name"), product.name),
        (_("Barcodes"), ", ".join(product.barcodes) or "-"),
        (_("Unit"), unit_label(product.unit)),
        (_("Price"), format_money(product.price, lang)),
        (_("Cost"), format_money(product.cost, lang)),
        (_("KDV"), f"%{product.kdv_rate}"),
        (_("Category"), product.category or "-"),
        (_("Supplier"), product.supplier or "-"),
        (_("Stock"), format_quantity(product.stock, product.unit, places=3, language=lang)),
        (_("Minimum stock"), format_quantity(product.min_stock, product.unit, places=3, language=lang)),
        (_("Active"), _("yes") if product.active else _("no")),
    ]
    for label, value in rows:
        stdout.print(f"{label + ':':<15} {value}", markup=False)


@app.command("search")
@handle_errors
def search(
    query: Annotated[str, typer.Argument(help="Words of the name, in any case, with or without Turkish letters.")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="At most this many results.")] = 50,
    all_: Annotated[bool, typer.Option("--all", help="Include inactive products.")] = False,
    json_: JsonOption = False,
) -> None:
    """Find products by name: every word typed must start a word of the name ("isp gul")."""

    settings = state().open_db()
    found = catalog.search_products(query, limit, include_inactive=all_)
    if json_:
        print_json([catalog.product_record(p) for p in found])
        return
    if not found:
        info(_("No product matches {query!r}.").format(query=query))
        return
    lang = settings.language
    table(
        (_("Code"), _("Name"), _("Price"), _("Stock"), _("Barcode")),
        (
            (
                p.code,
                p.name,
                format_money(p.price, lang),
                format_quantity(p.stock, p.unit, places=3, language=lang),
                p.barcodes[0] if p.barcodes else "",
            )
            for p in found
        ),
    )
