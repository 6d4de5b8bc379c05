"""Demo data: a small Turkish market ready to sell (``pos-admin demo``, the README's Quickstart).

``fixtures/`` holds the data as ordinary import files, so the demo also shows what an
import looks like: suppliers (English headers), products (English headers, weighed items
with PLU codes for scale labels, packaged ones with EAN-13 barcodes), customers (Turkish
headers, ``;`` separated, phones in every common spelling). The demo team is ayse
(cashier, PIN 1111), mehmet (supervisor, 2222) and admin (admin, 9999).

Loading is idempotent: imports upsert by code, users are added only when missing. Running it
again resets the demo products' stock to the file's levels (with stock movements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pos_tui.core import staff
from pos_tui.core.imports import ImportReport, import_customers, import_products, import_suppliers
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"
DEMO_USERS = (("ayse", "cashier", "1111"), ("mehmet", "supervisor", "2222"), ("admin", "admin", "9999"))


@dataclass(frozen=True, slots=True)
class DemoReport:
    suppliers: ImportReport
    products: ImportReport
    customers: ImportReport
    users_added: tuple[str, ...]

    def __str__(self) -> str:
        parts = [
            _("{what}: {n} ({new} new, {changed} updated)").format(
                what=label, n=report.rows, new=report.created, changed=report.updated
            )
            for label, report in (
                (_("Products"), self.products),
                (_("Customers"), self.customers),
                (_("Suppliers"), self.suppliers),
            )
        ]
        if self.users_added:
            parts.append(_("Users added: {names}").format(names=", ".join(self.users_added)))
        return "; ".join(parts)


def load_demo(settings: Settings, now: datetime, *, fixtures: Path = FIXTURES) -> DemoReport:
    """Load the demo suppliers, products, customers and users into the open database."""
    suppliers = import_suppliers(fixtures / "demo_suppliers.csv", now=now, settings=settings)
    products = import_products(fixtures / "demo_products.csv", now=now, settings=settings)
    customers = import_customers(fixtures / "demo_customers.csv", now=now, settings=settings)
    existing = {user.name for user in m.User.select(m.User.name)}
    added = []
    for name, role, pin in DEMO_USERS:
        if name not in existing:
            staff.add_user(name, role, pin, now=now, settings=settings)
            added.append(name)
    return DemoReport(suppliers, products, customers, tuple(added))
