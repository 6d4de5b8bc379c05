"""Demo data: a small Turkish market ready to sell (``pos-admin demo``, the README's Quickstart).

``fixtures/`` holds the data as ordinary import files, so the demo also shows what an
import looks like: suppliers (English headers), products (English headers, weighed items
with PLU codes for scale labels, packaged ones with EAN-13 barcodes), customers (Turkish
headers, ``;`` separated, phones in every common spelling). The demo team is ayse
(cashier, PIN 1111), mehmet (supervisor, 2222) and admin (admin, 9999).

It is a loyalty demo too: the shipped program (``config/loyalty.toml``) is applied, and the six
retail customers are members (their rows say ``Üye: evet``; the two wholesale customers, on
account with landline numbers, are not). Each new member starts with a few points from past
visits, a journalled adjustment by admin dated some days before ``now``, so F2 with a demo
phone (e.g. 0532 412 33 21) finds a member with a balance.

It has stock to look at too: a depot (``DEPO``) beside the shop floor, a goods receipt of tea
from the tea supplier into the depot, half of it sent on to the shop floor and
received, and a kilo and a half of tomatoes written off as waste; so F12 → Stock and
``pos-admin stock card 1003`` show a history. These are made once. The file leaves a few products
under their minimum stock (milk, eggs, sunflower oil, washing-up liquid: the reorder list), two
seasonal ones on the shelf that never sell (charcoal, sun cream: idle stock), and prices every
product above its cost without KDV (cigarettes at a thin margin, as in Turkey).

And it keeps accounts (cari): a wholesale price list ``TOPTAN`` (10 % off the catalogue, a few
fixed prices), the two wholesale customers, a neighbour who buys on credit (veresiye) and three
suppliers as accounts (``fixtures/demo_accounts.csv``, Turkish headers), opening balances (one of
them overdue), a collection, a cheque in the portfolio, and two agenda entries (a weekly order
and a note); the tea receipt above is on the tea supplier's account. These are made once.

And e-invoices: GİB's registered-user list (``fixtures/demo_einvoice_users.csv``: Güneş Lokantası, the
tea supplier and Marmara Gıda are e-Fatura users) and a wholesale e-Fatura to Güneş Lokantası (tea and
tomatoes at the ``TOPTAN`` prices), on its account; made once.

And a past: eight weeks of sales on the shop's second till ``T2`` (this terminal's X report and
next Z stay empty), with an opening stock for what they sell, members' receipts, a few returns,
a Z every evening and a stock count three days ago (tobacco and deli, posted by mehmet with a few
differences), so every sales, margin, stock, KDV and loyalty report shows figures
(:mod:`pos_tui.core.interchange.demo_history`); made once, only into a database without sales.
Into a new database (no products, no sales) the suppliers and products are imported when that past
begins (:func:`~pos_tui.core.interchange.demo_history.history_start`), so the shop is stocked all
through it and a stock report of a past period has figures.
Members' receipts in it earn points through the engine; the "points from past visits" above are
what brings each member's available points to :data:`DEMO_POINTS` (so the README's balances hold).

Loading is idempotent: imports upsert by code, users are added only when missing, the program
is applied once, and members who already have points get no more. Running it again resets the
demo products' stock to the file's levels (with stock movements).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from pos_tui.core.interchange.demo_history import history_start, post_sales_history
from pos_tui.core.interchange.imports import ImportReport, import_customers, import_products, import_suppliers
from pos_tui.core.kernel.clock import zone
from pos_tui.core.kernel.money import to_kurus
from pos_tui.core.loyalty import ledger, rules
from pos_tui.core.staff import users as staff
from pos_tui.core.stock import moves, receiving
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
LOYALTY_RULES = FIXTURES.parent / "config" / "loyalty.toml"
DEMO_USERS = (("ayse", "cashier", "1111"), ("mehmet", "supervisor", "2222"), ("admin", "admin", "9999"))
# Points from past visits of the demo members, by customer code: (points, days before ``now``).
DEMO_POINTS = {
    "M0001": (120, 40),
    "M0002": (45, 21),
    "M0003": (310, 60),
    "M0004": (80, 33),
    "M0005": (15, 18),
    "M0006": (200, 27),
}


@dataclass(frozen=True, slots=True)
class DemoReport:
    suppliers: ImportReport
    products: ImportReport
    customers: ImportReport
    users_added: tuple[str, ...]
    members_given_points: int = 0
    stock_documents: int = 0
    account_entries: int = 0
    invoices: int = 0
    sales_history: int = 0  # receipts and returns of the past weeks on the second till

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
        if self.members_given_points:
            parts.append(_("Loyalty members with points: {n}").format(n=self.members_given_points))
        if self.stock_documents:
            parts.append(_("Stock documents: {n}").format(n=self.stock_documents))
        if self.account_entries:
            parts.append(_("Account entries: {n}").format(n=self.account_entries))
        if self.invoices:
            parts.append(_("e-Invoices: {n}").format(n=self.invoices))
        if self.sales_history:
            parts.append(_("Past receipts and returns: {n}").format(n=self.sales_history))
        return "; ".join(parts)


def load_demo(
    settings: Settings, now: datetime, *, fixtures: Path = FIXTURES, loyalty_rules: Path = LOYALTY_RULES
) -> DemoReport:
    """Load the demo suppliers, products, customers (six of them loyalty members), users,
    loyalty program, stock, accounts, e-invoices and sales history into the open database; new
    members get points from past visits (what their history receipts did not earn them)."""
    # a new database gets its catalogue (and the file's stock) when its past begins: stocked all through
    fresh = not m.Product.select().exists() and not m.Sale.select().exists()
    stocked = history_start(now, settings.shop.timezone) if fresh else now
    suppliers = import_suppliers(fixtures / "demo_suppliers.csv", now=stocked, settings=settings)
    products = import_products(fixtures / "demo_products.csv", now=stocked, settings=settings)
    customers = import_customers(fixtures / "demo_customers.csv", now=now, settings=settings)
    existing = {user.name for user in m.User.select(m.User.name)}
    added = []
    for name, role, pin in DEMO_USERS:
        if name not in existing:
            staff.add_user(name, role, pin, now=now, settings=settings)
            added.append(name)
    rules.apply_rules(loyalty_rules.read_text(encoding="utf-8"), source=loyalty_rules.name, now=now)
    new_members = _members_without_points()
    _account_setup(settings, now, fixtures)  # before the receipt: the tea supplier's terms set its due date
    documents = _stock_history(settings, now)
    entries = _accounts(settings, now)
    invoices = _einvoices(settings, now, fixtures)
    sales = post_sales_history(settings, now, targets={code: points for code, (points, _days) in DEMO_POINTS.items()})
    given = _past_points(settings, now, new_members)
    return DemoReport(suppliers, products, customers, tuple(added), given, documents, entries, invoices, sales)


def _stock_history(settings: Settings, now: datetime) -> int:
    """The depot, a goods receipt into it, a transfer to the shop floor and a waste write-off,
    once (a database with stock documents already keeps its own); returns how many were made."""
    if m.StockDocument.select().exists():
        return 0
    admin = staff.actor_by_name("admin", settings=settings)
    terminal = settings.terminal_id
    if not any(loc.code == "DEPO" for loc in moves.list_locations()):
        moves.add_location("DEPO", _("Depot"), terminal=terminal, now=now, user="admin")
    lines = [
        receiving.ReceiptLineInput("1003", 24_000, Decimal("198.50")),
        receiving.ReceiptLineInput("1004", 24_000, Decimal("104.00"), discount=Decimal("48.00")),
    ]
    receiving.post_receipt(
        receiving.ReceiptInput(
            supplier="TED-RCD",
            lines=lines,
            document="RCD-2026-0412",
            date=now.astimezone(zone(settings.shop.timezone)).date(),
            location="DEPO",
        ),
        actor=admin,
        now=now,
        terminal=terminal,
        kdv_rates=settings.kdv_rates,
        tz=settings.shop.timezone,
    )
    sent = moves.send_transfer(
        "DEPO",
        "MAGAZA",
        [("1003", 12_000), ("1004", 12_000)],
        actor=admin,
        terminal=terminal,
        now=now,
    )
    moves.receive_transfer(sent.number, actor=admin, terminal=terminal, now=now)
    moves.adjust("1", -1_500, "waste", actor=admin, terminal=terminal, now=now, note=_("Demo shop: bruised tomatoes"))
    return 4


def _members_without_points() -> dict[int, str]:
    """The demo members (member id -> customer code) who have no points yet: the ones
    :func:`_past_points` brings to their :data:`DEMO_POINTS` (a member with points keeps them)."""
    Me, C = m.Member, m.Customer
    query: Any = (
        Me.select(Me.id, C.code)
        .join(C, on=(Me.customer == C.id))
        .where(C.code.in_(list(DEMO_POINTS)) & Me.anonymized_at.is_null())
        .order_by(Me.id)
        .tuples()
    )
    held: Any = m.PointsEntry.select(m.PointsEntry.member).distinct().tuples()
    with_points = {int(member_id) for (member_id,) in held}
    return {int(member_id): str(code) for member_id, code in query if int(member_id) not in with_points}


def _past_points(settings: Settings, now: datetime, members: dict[int, str]) -> int:
    """Give each of ``members`` (who had no points before this load) the points that bring what
    they have available at ``now`` to their :data:`DEMO_POINTS`, as admin's journalled adjustment
    dated that many days ago: what the receipts of the sales history earned them, plus these
    "points from past visits", is the balance the README lists. Returns how many members got points."""
    admin = staff.actor_by_name("admin", settings=settings)
    expiry = rules.active_program().points.expiry
    tz = settings.shop.timezone
    today = now.astimezone(zone(tz)).date()
    given = 0
    for member_id, code in members.items():
        points, days = DEMO_POINTS[code]
        missing = points - ledger.balance(member_id, as_of=today, tz=tz).available
        if missing <= 0:
            continue
        ledger.adjust(
            member_id,
            missing,
            _("Demo shop: points from past visits"),
            actor=admin,
            now=now - timedelta(days=days),
            terminal=settings.terminal_id,
            expiry=expiry,
            tz=tz,
        )
        given += 1
    return given


# Opening balances of the demo accounts: (code, TRY (> 0: they owe the shop), days before ``now``).
DEMO_OPENINGS = (("C0001", "4250.00", 45), ("M0003", "320.00", 20), ("TED-ETU", "-12800.00", 10))


def _account_setup(settings: Settings, now: datetime, fixtures: Path) -> None:
    """The price list ``TOPTAN`` (once) and the accounts of ``fixtures/demo_accounts.csv`` (upserted)."""
    from pos_tui.core import accounts

    admin = staff.actor_by_name("admin", settings=settings)
    today = now.astimezone(zone(settings.shop.timezone)).date()
    prices = accounts.prices
    if not any(p.code == "TOPTAN" for p in prices.list_price_lists()):
        prices.add_price_list("TOPTAN", _("Wholesale"), actor=admin, now=now)
        for product, price, percent in ((None, None, "10"), ("1003", "185.00", None), ("1004", "95.00", None)):
            prices.set_price(
                "TOPTAN",
                prices.PriceInput(
                    product,
                    price=None if price is None else Decimal(price),
                    percent_off=None if percent is None else Decimal(percent),
                ),
                actor=admin,
                now=now,
                day=today,
            )
    accounts.import_parties(fixtures / "demo_accounts.csv", now=now)


def _accounts(settings: Settings, now: datetime) -> int:
    """Opening balances, a collection, a cheque and two agenda entries, once (a database with an
    opening balance keeps its own); returns the entries made."""
    from pos_tui.core import accounts, agenda

    if m.AccountEntry.select().where(m.AccountEntry.kind == accounts.OPENING).exists():
        return 0
    admin = staff.actor_by_name("admin", settings=settings)
    terminal, tz = settings.terminal_id, settings.shop.timezone
    today = now.astimezone(zone(tz)).date()
    made = 0
    for code, amount, days in DEMO_OPENINGS:
        accounts.post_opening(
            code,
            to_kurus(Decimal(amount)),
            day=today - timedelta(days=days),
            actor=admin,
            terminal=terminal,
            now=now,
            tz=tz,
        )
        made += 1
    accounts.payments.collect(
        accounts.payments.CollectionInput("M0003", Decimal("100.00"), "transfer", note=_("Demo shop: bank transfer")),
        actor=admin,
        terminal=terminal,
        now=now,
        tz=tz,
    )
    cheques = accounts.cheques
    cheques.receive_cheque(
        cheques.ChequeInput(
            party="C0001",
            amount=Decimal("3000.00"),
            due=today + timedelta(days=20),
            drawer="Güneş Lokantası",
            bank="Ziraat Bankası",
            branch="Kadıköy",
            serial="ZR-0042117",
            issue_date=today,
        ),
        actor=admin,
        terminal=terminal,
        now=now,
        tz=tz,
    )
    made += 2
    morning = datetime.combine(today + timedelta(days=1), time(9), tzinfo=zone(tz))
    agenda.add_entry(
        agenda.AgendaInput(
            _("Weekly order: Marmara Gıda"),
            text=_("Check the shelves and send the order by noon"),
            due=morning,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            link="party:TED-MGT",
        ),
        actor=admin,
        now=now,
        tz=tz,
    )
    agenda.add_entry(
        agenda.AgendaInput(_("Call Kafe Işık about the new price list"), due=morning, kind="note", link="party:C0002"),
        actor=admin,
        now=now,
        tz=tz,
    )
    return made


def _einvoices(settings: Settings, now: datetime, fixtures: Path) -> int:
    """GİB's registered-user list (a few of the demo accounts are e-Fatura users) and a wholesale e-Fatura
    to Güneş Lokantası, once (a database with a registered-user list keeps its own); returns the invoices
    issued. The database is marked as the demo's: its invoices only ever reach the integrator simulator."""
    from pos_tui.core import einvoice
    from pos_tui.store import fast

    if fast.select_first(m.MetaEntry, ("value",), {"key": einvoice.providers.DEMO_MARK}) is None:
        fast.insert_many(m.MetaEntry, ("key", "value"), [(einvoice.providers.DEMO_MARK, "1")])
    if m.EInvoiceUser.select().exists():
        return 0
    einvoice.import_users(fixtures / "demo_einvoice_users.csv", now=now, tz=settings.shop.timezone)
    admin = staff.actor_by_name("admin", settings=settings)
    einvoice.issue_wholesale(
        "C0001",
        [einvoice.WholesaleLine("1003", 10_000), einvoice.WholesaleLine("1", 12_500)],
        actor=admin,
        terminal=settings.terminal_id,
        now=now,
        settings=settings,
        note=_("Demo shop: weekly delivery"),
    )
    return 1
