"""Receipts, information slips, X/Z reports and no-sale slips as :class:`Printable` values.

The words and figures a customer takes home are laid out here, once, for a paper width in
characters (32, 42 or 48 on the usual 58/80 mm rolls); the ESC/POS driver in
``pos_tui.devices.printer`` only styles and encodes the lines, and the TUI shows the same lines
as the on-screen preview. Everything here is pure except :func:`points_summary`,
:func:`loyalty_news` and :func:`load_receipt`, which read what the posting wrote (points, the
next-order coupons a sale issued, the tier it moved its member up to: the sale document does
not carry them).

Paper rules kept here rather than in the driver:

- amounts read ``1.234,50`` (the shop's language) and the totals carry "TL": receipt printers
  have no ₺ in their code pages (the driver also turns any stray ₺ into "TL");
- without a fiscal device the slip says, in Turkish whatever the UI language (it is the legal
  wording), :data:`NO_FISCAL_VALUE`;
- a reprint is marked as a copy, and a return is titled as a return;
- a next-order coupon the sale issued is printed with its **whole code** (the slip is the
  customer's coupon; a bearer coupon has no other record the customer holds), on reprints too,
  where a coupon withdrawn since (its receipt returned) is said to be withdrawn;
- the receipt ends with a CODE128 barcode of ``TERMINAL/NUMBER``, exactly what the returns
  screen accepts, so a return starts with a scan.
"""

from __future__ import annotations

import textwrap
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pos_tui.core.kernel.clock import SHOP_TZ, local
from pos_tui.core.kernel.formatting import format_decimal, format_money, format_quantity
from pos_tui.core.kernel.money import MILLI, ZERO, from_kurus
from pos_tui.core.kernel.printable import Align, Printable, PrintLine, columns
from pos_tui.core.kernel.vocabulary import method_label
from pos_tui.core.till import documents
from pos_tui.i18n import _
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.store import reading as store

if TYPE_CHECKING:
    from pos_tui.core.loyalty.coupons import CouponInfo

NO_FISCAL_VALUE = "BİLGİ FİŞİDİR — MALİ DEĞERİ YOKTUR"
"""The legal notice on every slip printed without a fiscal device (never translated)."""

CURRENCY = "TL"
WIDTHS = range(24, 81)
"""Paper widths (characters per line) a layout is made for; narrower paper cannot hold a total."""


@dataclass(frozen=True, slots=True)
class PointsSummary:
    """What a member's receipt says about points. ``balance``/``pending`` are the member's
    points right after the sale; they are left out (``None``) on reprints, where today's
    balance would not be the one of that day."""

    earned: int = 0
    spent: int = 0
    balance: int | None = None
    pending: int | None = None


@dataclass(frozen=True, slots=True)
class LoyaltyNews:
    """What a receipt tells the customer beyond points: the next-order coupons a sale issued
    (:func:`pos_tui.core.loyalty.coupons_issued_by`) or a return withdrew, and the name of the
    tier a sale moved the member up to (``tier_qualification.count_current_receipt``, or a paid
    membership)."""

    coupons: tuple[CouponInfo, ...] = ()
    new_tier: str | None = None


@dataclass(frozen=True, slots=True)
class ReceiptData:
    """A posted document with what its receipt needs beyond the document itself."""

    document: dict[str, Any]
    points: PointsSummary | None = None
    original: str | None = None  # "T1/41": the sale a return gives back
    news: LoyaltyNews | None = None


# --------------------------------------------------------------------------- layout helpers


class _Sheet:
    """Collects the lines of one job laid out for ``width`` characters."""

    def __init__(self, width: int, lang: str) -> None:
        if width not in WIDTHS:
            raise _width_error(width)
        self.width = width
        self.lang = lang
        self.lines: list[PrintLine] = []

    def money(self, amount: Decimal, *, currency: bool = False) -> str:
        text = format_money(amount, self.lang)
        return f"{text} {CURRENCY}" if currency else text

    def text(self, text: str, *, align: Align = "left", bold: bool = False, double: bool = False) -> None:
        """``text`` wrapped to the line (half as many characters when ``double``)."""
        room = self.width // 2 if double else self.width
        for part in _wrap(_printable(text), room):
            self.lines.append(PrintLine(part, align=align, bold=bold, double=double))

    def centered(self, lines: Iterable[str], *, bold: bool = False) -> None:
        for line in lines:
            if line:
                self.text(line, align="center", bold=bold)

    def row(self, left: str, right: str, *, bold: bool = False) -> None:
        self.lines.append(PrintLine(columns(_printable(left), _printable(right), self.width), bold=bold))

    def total(self, label: str, amount: str) -> None:
        """A total in double size when it fits in half the width, else bold."""
        if len(label) + len(amount) + 1 <= self.width // 2:
            self.lines.append(PrintLine(columns(label, amount, self.width // 2), bold=True, double=True))
        else:
            self.row(label, amount, bold=True)

    def rule(self, char: str = "-") -> None:
        self.lines.append(PrintLine(char * self.width))

    def blank(self) -> None:
        self.lines.append(PrintLine(""))

    def notice(self) -> None:
        """The no-fiscal-value notice, double and bold, split at its dash then by words."""
        head, tail = NO_FISCAL_VALUE.split(" — ")
        for part in (head + " —", tail):
            self.text(part, align="center", bold=True, double=True)

    def barcode(self, value: str) -> None:
        self.lines.append(PrintLine(value, align="center", barcode=value, symbology="CODE128"))


def _width_error(width: int) -> Exception:
    from pos_tui.core.kernel.errors import ValidationError

    return ValidationError(
        _("The paper width must be {low} to {high} characters, not {width}").format(
            low=WIDTHS.start, high=WIDTHS.stop - 1, width=width
        )
    )


def _printable(text: str) -> str:
    """Control characters (a tab or newline in a product name) would break the layout: spaces."""
    return "".join(c if c.isprintable() else " " for c in text)


def _wrap(text: str, room: int) -> list[str]:
    return textwrap.wrap(text, room, break_long_words=True, break_on_hyphens=False) or [""]


def _when(at: datetime, settings: Settings) -> str:
    return local(at, settings.shop.timezone).strftime("%d.%m.%Y %H:%M")


def _shop_header(sheet: _Sheet, settings: Settings) -> None:
    shop = settings.shop
    sheet.text(shop.legal_name or shop.name, align="center", bold=True)
    tax_id = _("Tax office {office}, tax no {vkn}").format(office=shop.tax_office, vkn=shop.vkn) if shop.vkn else ""
    sheet.centered((shop.address, tax_id, *settings.receipt_header))


def _quantity(qty: str, unit: str, lang: str) -> str:
    return format_quantity(int(Decimal(qty) * MILLI), unit, language=lang)


def mask_card(card: str) -> str:
    """A member card (or phone number) on paper: only its last four characters."""
    return "*" * max(len(card) - 4, 0) + card[-4:]


def receipt_label(document: Mapping[str, Any]) -> str:
    """``TERMINAL/NUMBER`` of a document: what the returns screen and ``pos-admin receipt`` accept."""
    return f"{document['terminal']}/{document['receipt_no']}"


def pays_cash(document: Mapping[str, Any]) -> bool:
    """True when cash changed hands (paid, given back as change or refunded): the drawer opens."""
    return any(p["method"] == "cash" for p in document.get("payments", ()))


# --------------------------------------------------------------------------- receipts


def receipt_for(
    document: Mapping[str, Any],
    settings: Settings,
    *,
    width: int,
    fiscal: bool,
    copy: bool = False,
    points: PointsSummary | None = None,
    original: str | None = None,
    news: LoyaltyNews | None = None,
) -> Printable:
    """The customer's slip of a posted sale or return (the :func:`pos_tui.core.till.documents.sale_document`
    dict). ``fiscal``: a fiscal device prints the legal receipt, so this slip carries no notice;
    without one it says :data:`NO_FISCAL_VALUE`. ``copy``: a reprint (marked, and the drawer
    stays shut). ``points``: from :func:`points_summary` (not in the document). ``original``:
    ``TERMINAL/NUMBER`` of the sale a return gives back (the document only has its id).
    ``news``: from :func:`loyalty_news` (the tier reached, the next-order coupons issued).

    The job kicks the drawer when cash changed hands, never on a copy."""
    sheet = _Sheet(width, settings.language)
    is_return = document["type"] == "return"
    _shop_header(sheet, settings)
    if not fiscal:
        sheet.notice()
    if copy:
        sheet.text(_("COPY"), align="center", bold=True, double=True)
    sheet.rule()
    sheet.text(_("RETURN") if is_return else _("SALE"), align="center", bold=True)
    at = datetime.fromisoformat(document["at"])
    sheet.row("{label}: {no}".format(label=_("Receipt no"), no=receipt_label(document)), _when(at, settings))
    sheet.row(
        "{label}: {name}".format(label=_("Cashier"), name=document.get("cashier") or ""),
        "{label}: {terminal}".format(label=_("Terminal"), terminal=document["terminal"]),
    )
    if document.get("fiscal"):  # the fiscal device's confirmation (fiscal mode): its receipt and Z number
        record = document["fiscal"]
        sheet.row(
            _("Fiscal no {no} / Z no {z}").format(no=record["no"], z=record["z"]), str(record.get("device") or "")
        )
    if is_return:
        sheet.text(_("Return of receipt {receipt}").format(receipt=original or document.get("return_of") or ""))
    sheet.rule()
    _lines(sheet, document)
    sheet.rule()
    _totals(sheet, document)
    _kdv(sheet, {str(rate): row for rate, row in document.get("kdv", {}).items()})
    sheet.rule()
    _payments(sheet, document)
    _on_account(sheet, document, is_return=is_return)
    if document.get("member"):
        sheet.rule()
        _member(sheet, document["member"], points)
    if news is not None:
        _news(sheet, news)
    sheet.blank()
    sheet.barcode(receipt_label(document))
    if settings.receipt_footer:
        sheet.blank()
        sheet.centered(settings.receipt_footer)
    if not fiscal:
        sheet.blank()
        sheet.notice()
    title = (_("Return {receipt}") if is_return else _("Receipt {receipt}")).format(receipt=receipt_label(document))
    return Printable(title, tuple(sheet.lines), cut=True, kick=pays_cash(document) and not copy)


def _lines(sheet: _Sheet, document: Mapping[str, Any]) -> None:
    benefits: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for b in document.get("benefits", ()):
        benefits[int(b["line_no"])].append(b)
    for ln in document["lines"]:
        total = sheet.money(Decimal(ln["total"]) + Decimal(ln["discount"]))
        sheet.row(ln["name"], "%{rate} {total}".format(rate=ln["kdv_rate"], total=total))
        if Decimal(ln["qty"]) != 1 or ln["unit"] != "piece":
            sheet.text(
                "  {qty} x {price}".format(
                    qty=_quantity(ln["qty"], ln["unit"], sheet.lang), price=sheet.money(Decimal(ln["unit_price"]))
                )
            )
        loyalty = benefits.get(int(ln["line_no"]), [])
        other = Decimal(ln["discount"]) - sum((Decimal(b["amount"]) for b in loyalty), ZERO)
        if other:
            sheet.row("  " + _("Discount"), sheet.money(-other))
        for b in loyalty:
            points = format_decimal(int(b["points"]), language=sheet.lang) if b.get("points") else None
            _benefit(sheet, b["label"] or b["code"], points, sheet.money(-Decimal(b["amount"])))


SHORTENED = "."
"""What ends a benefit's name cut to fit its line (receipt code pages have no ellipsis; a dot is
how Turkish abbreviates, "indirim" → "indir.")."""

MIN_NAME = 8
"""A benefit's name is shortened to fit its points note on its line only down to this many
characters; on narrower paper the note goes on a line of its own."""


def _benefit(sheet: _Sheet, name: str, points: str | None, amount: str) -> None:
    """A loyalty benefit of a line, indented, its amount on the right: ``  Name (200 points)
    -100,00``. The points note is never cut: when the line is too short the *name* is
    shortened (ending in :data:`SHORTENED`), and when even that leaves too little of the name,
    the whole name goes on its own line(s) and the note and amount on the line under it."""
    name = _printable(name).strip()
    if points is None:
        sheet.row("  " + name, amount)
        return
    template = _("{label} ({points} points)")
    room = sheet.width - len(amount) - 1 - 2  # the indent, one space before the amount
    whole = template.format(label=name, points=points)
    if len(whole) <= room:
        sheet.row("  " + whole, amount)
        return
    note = template.format(label="", points=points)  # " (200 points)": the template without the name
    fits = room - len(note) - len(SHORTENED)
    if "{label}" in template and fits >= MIN_NAME:
        short = name[:fits].rstrip() + SHORTENED
        sheet.row("  " + template.format(label=short, points=points), amount)
        return
    for part in _wrap(name, sheet.width - 2):
        sheet.lines.append(PrintLine("  " + part))
    sheet.row("    " + note.strip(), amount)


def _totals(sheet: _Sheet, document: Mapping[str, Any]) -> None:
    if Decimal(document["discount"]):
        sheet.row(_("Subtotal"), sheet.money(Decimal(document["subtotal"])))
        sheet.row(_("Discount"), sheet.money(-Decimal(document["discount"])))
    sheet.total(_("TOTAL"), sheet.money(Decimal(document["total"]), currency=True))


def _kdv(sheet: _Sheet, by_rate: Mapping[str, Any]) -> None:
    """Base and tax per KDV rate, as the tax office reads a slip."""
    if not by_rate:
        return
    rows = [
        ("%" + rate, sheet.money(Decimal(str(_field(row, "base")))), sheet.money(Decimal(str(_field(row, "kdv")))))
        for rate, row in sorted(by_rate.items(), key=lambda kv: int(kv[0]))
    ]
    head = (_("KDV"), _("Base"), _("Tax"))
    wide_b = max(len(head[1]), *(len(r[1]) for r in rows))
    wide_c = max(len(head[2]), *(len(r[2]) for r in rows))
    for a, b, c in (head, *rows):
        sheet.row(a, f"{b:>{wide_b}} {c:>{wide_c}}")


def _field(row: Any, name: str) -> Any:
    return row[name] if isinstance(row, Mapping) else getattr(row, name)


def _payments(sheet: _Sheet, document: Mapping[str, Any]) -> None:
    for p in document["payments"]:
        label = method_label(p["method"]) + (f" ({p['reference']})" if p.get("reference") else "")
        sheet.row(label, sheet.money(Decimal(p["amount"])))
        if p.get("tendered") and p.get("change") and Decimal(p["change"]):
            sheet.row("  " + _("Given"), sheet.money(Decimal(p["tendered"])))
            sheet.row("  " + _("Change"), sheet.money(Decimal(p["change"]), currency=True), bold=True)


def _on_account(sheet: _Sheet, document: Mapping[str, Any], *, is_return: bool) -> None:
    """Whose account a payment on account went on (the receipt names the code only), and on a
    sale the line the customer signs: a veresiye slip is the shop's proof of the debt."""
    from pos_tui.core.accounts import get_party
    from pos_tui.core.kernel.errors import NotFound

    codes = [p["reference"] for p in document["payments"] if p["method"] == "on_account" and p.get("reference")]
    for code in dict.fromkeys(codes):
        try:
            party = get_party(code)
        except NotFound:
            continue
        sheet.rule()
        sheet.text(_("Account: {code} {name}").format(code=party.code, name=party.name))
        if not is_return:
            _installments(sheet, str(document["id"]), party.id)
            sheet.blank()
            sheet.row(_("Signature"), "_" * max(8, min(20, sheet.width - 12)))


def _installments(sheet: _Sheet, uid: str, party_id: int) -> None:
    """``Installments: 1) 05.01.2027 533,20 …`` under the account line of a sale paid in
    installments: each due date and amount (a line each), from the sale's entries on the account."""
    E, S = m.AccountEntry, m.Sale
    query = (
        E.select(E.installment, E.due, E.amount)
        .join(S, on=(E.sale == S.id))
        .where((S.uid == uid) & (E.party == party_id) & (E.kind == "sale") & E.installment.is_null(False))
        .order_by(E.installment)
    )
    rows = [(int(n), due, int(amount)) for n, due, amount in store.rows(query)]
    if not rows:
        return
    sheet.text(_("Installments:"))
    for n, due, amount in rows:
        sheet.row("  {n}) {due}".format(n=n, due=due.strftime("%d.%m.%Y")), sheet.money(from_kurus(amount)))


def _member(sheet: _Sheet, card: str, points: PointsSummary | None) -> None:
    sheet.row(_("Member"), mask_card(card))
    if points is None:
        return
    if points.earned:
        sheet.row(_("Points earned"), str(points.earned))
    if points.spent:
        sheet.row(_("Points spent"), str(points.spent))
    if points.balance is not None:
        sheet.row(_("Points balance"), str(points.balance))
    if points.pending:
        sheet.row(_("Points pending"), str(points.pending))


def _news(sheet: _Sheet, news: LoyaltyNews) -> None:
    """``Tebrikler, Altın üye oldunuz!`` and each next-order coupon: its rule's name, then what
    it is worth with its whole code, days and minimum (a withdrawn one says so instead)."""
    from pos_tui.core.loyalty import coupon_terms

    if not news.new_tier and not news.coupons:
        return
    sheet.rule()
    if news.new_tier:
        sheet.text(_("Congratulations, you are now a {tier} member!").format(tier=news.new_tier), bold=True)
    for coupon in news.coupons:
        if coupon.note:
            sheet.text(coupon.note, bold=True)
        if coupon.active:
            sheet.text(_("On your next visit: {terms}").format(terms=coupon_terms(coupon, sheet.lang)))
        else:
            sheet.text(_("Coupon {code} was withdrawn: its receipt was returned").format(code=coupon.code))


# --------------------------------------------------------------------------- reading what posting wrote


def points_summary(document: Mapping[str, Any], *, as_of: date | None = None, tz: str = "") -> PointsSummary | None:
    """The points of a member's document as posting wrote them: ``earned`` from its
    ``sale_loyalty`` row, ``spent`` from the ledger's ``redeem`` entries of the sale (points
    tender and rewards). ``as_of`` (the shop day of the sale, for the first print) adds the
    member's available and pending balance at the end of that day; reprints leave it out.
    ``None`` when the document has no member."""
    if not document.get("member"):
        return None
    from peewee import fn

    from pos_tui.core.loyalty import ledger
    from pos_tui.store import fast
    from pos_tui.store import models as m

    sale = fast.select_first(m.Sale, ("id", "member"), {"uid": document["id"]})
    if sale is None or sale[1] is None:
        return None
    sale_id, member_id = int(sale[0]), int(sale[1])
    earned = 0
    spent = 0
    if document["type"] == "sale":
        row = fast.select_first(m.SaleLoyalty, ("points",), {"sale": sale_id})
        earned = int(row[0]) if row is not None else 0
        E = m.PointsEntry
        spent = -int(
            E.select(fn.COALESCE(fn.SUM(E.points), 0)).where((E.sale == sale_id) & (E.kind == "redeem")).scalar() or 0
        )
    if as_of is None:
        return PointsSummary(earned, spent)
    bal = ledger.balance(member_id, as_of=as_of, tz=tz or SHOP_TZ)
    return PointsSummary(earned, spent, bal.available, bal.pending)


def loyalty_news(document: Mapping[str, Any]) -> LoyaltyNews | None:
    """What posting wrote about a document beyond points (:class:`LoyaltyNews`): for a sale, the
    next-order coupons it issued and the tier it moved its member up to (a ``tier_change`` row
    naming the sale, to a tier ranking above the one before); for a return, the coupons of its
    receipt it withdrew. ``None`` when there is nothing to say. Reprints read it the same way (a
    sale's coupon withdrawn since says so)."""
    from pos_tui.core.loyalty import coupons_issued_by, next_order, rules, tiers

    if document.get("type") == "return":
        if not document.get("return_of"):
            return None
        withdrawn = tuple(next_order.coupons_withdrawn_by(str(document["id"]), str(document["return_of"])))
        return LoyaltyNews(withdrawn) if withdrawn else None
    if document.get("type") != "sale":
        return None

    issued = tuple(coupons_issued_by(str(document["id"])))
    new_tier = None
    if document.get("member"):
        T, S = m.TierChange, m.Sale
        query = (
            T.select(T.from_code, T.to_code)
            .join(S, on=(T.sale == S.id))
            .where((S.uid == str(document["id"])) & T.to_code.is_null(False))
            .order_by(T.id)
        )
        changes = list(store.rows(query))
        if changes:
            program = rules.active_program()
            before, after = changes[0][0], changes[-1][1]
            if tiers.rank(program, after) > tiers.rank(program, before):
                tier = program.tier(after)
                new_tier = tier.name if tier is not None else str(after)
    if not issued and new_tier is None:
        return None
    return LoyaltyNews(issued, new_tier)


def find_document(ref: str, *, terminal: str, tz: str) -> dict[str, Any]:
    """A posted document by ``NUMBER`` (on ``terminal``), ``TERMINAL/NUMBER`` (what the receipt's
    barcode holds) or its id (uid). Raises ``NotFound``."""

    text = ref.strip()
    term, _sep, number = text.rpartition("/")
    if number.isdigit():
        return documents.find_sale(int(number), (term or terminal).strip(), tz)
    return documents.get_sale(text, tz)


def load_receipt(ref: str, *, terminal: str, tz: str, as_of: date | None = None) -> ReceiptData:
    """Everything :func:`receipt_for` needs for the document ``ref`` (see :func:`find_document`).
    ``as_of``: the shop day to print the member's balance for (first print only)."""
    document = find_document(ref, terminal=terminal, tz=tz)
    original = None
    if document["type"] == "return" and document.get("return_of"):
        original = receipt_label(documents.get_sale(document["return_of"], tz))
    return ReceiptData(document, points_summary(document, as_of=as_of, tz=tz), original, loyalty_news(document))


def receipt_of(data: ReceiptData, settings: Settings, *, width: int, fiscal: bool, copy: bool) -> Printable:
    """:func:`receipt_for` of a :class:`ReceiptData`."""
    return receipt_for(
        data.document,
        settings,
        width=width,
        fiscal=fiscal,
        copy=copy,
        points=data.points,
        original=data.original,
        news=data.news,
    )


# --------------------------------------------------------------------------- reports and slips


def _report_head(sheet: _Sheet, settings: Settings, title: str, fiscal: bool) -> None:
    _shop_header(sheet, settings)
    if not fiscal:
        sheet.notice()
    sheet.rule()
    sheet.text(title, align="center", bold=True, double=True)


def _document_totals(sheet: _Sheet, totals: Any) -> None:
    sheet.row(_("Sales"), str(totals.sales_count))
    sheet.row(_("Returns"), str(totals.returns_count))
    sheet.row(_("Gross sales"), sheet.money(totals.gross))
    sheet.row(_("Returned"), sheet.money(-totals.returns))
    sheet.row(_("Net"), sheet.money(totals.net, currency=True), bold=True)
    for method, amount in totals.by_payment.items():
        sheet.row("  " + method_label(method), sheet.money(amount))
    sheet.rule()
    _kdv(sheet, {str(rate): row for rate, row in totals.by_kdv.items()})


def _account_money(sheet: _Sheet, report: Any) -> None:
    """Collections on customers' accounts and payments to suppliers by method, when any (not
    turnover: they are in no document total)."""
    collections = getattr(report, "collections", None) or {}
    payments = getattr(report, "supplier_payments", None) or {}
    if not collections and not payments:
        return
    sheet.rule()
    sheet.text(_("Accounts"), bold=True)
    for method, amount in collections.items():
        sheet.row(_("Collection") + " " + method_label(method), sheet.money(amount))
    for method, amount in payments.items():
        sheet.row(_("Paid to suppliers") + " " + method_label(method), sheet.money(-amount))


def _journal_head(sheet: _Sheet, report: Any) -> None:
    """The journal's head (``ENTRY:HASH``) as an anchor kept outside the database: typed back
    into ``pos-admin audit verify --anchor`` it proves the chain still holds that entry."""
    head = getattr(report, "journal_head", None)
    if head is not None:
        sheet.rule()
        sheet.row(_("Journal head"), str(head))


def x_report_for(report: Any, settings: Settings, *, width: int, fiscal: bool = False) -> Printable:
    """The open shift's X report (:class:`pos_tui.core.cash.shifts.XReport`): drawer figures and the
    shift's documents so far. Nothing is written; it can be printed any number of times."""
    sheet = _Sheet(width, settings.language)
    shift = report.shift
    _report_head(sheet, settings, _("X report"), fiscal)
    sheet.row(_("Terminal"), shift.terminal)
    sheet.row(_("Shift"), f"#{shift.id}")
    sheet.row(_("Opened"), _when(shift.opened_at, settings))
    sheet.row("", shift.opened_by)
    sheet.row(_("Printed"), _when(report.at, settings))
    sheet.rule()
    sheet.row(_("Opening float"), sheet.money(report.opening_float))
    sheet.row(_("Cash sales"), sheet.money(report.cash_sales))
    sheet.row(_("Cash refunds"), sheet.money(-report.cash_refunds))
    sheet.row(_("Paid in"), sheet.money(report.paid_in))
    sheet.row(_("Paid out"), sheet.money(-report.paid_out))
    if report.gift_cards:
        sheet.row(_("Gift card"), sheet.money(report.gift_cards))
    if getattr(report, "store_credit", None):
        sheet.row(_("Store credit"), sheet.money(report.store_credit))
    if getattr(report, "collections", None) or getattr(report, "supplier_payments", None):
        sheet.row(_("Cash collections"), sheet.money(report.cash_collections))
        sheet.row(_("Cash paid to suppliers"), sheet.money(-report.cash_supplier_payments))
    sheet.row(_("No-sale openings"), str(report.no_sales))
    sheet.row(_("Expected in drawer"), sheet.money(report.expected_cash, currency=True), bold=True)
    sheet.rule()
    _document_totals(sheet, report.totals)
    _account_money(sheet, report)
    _journal_head(sheet, report)
    return Printable(_("X report"), tuple(sheet.lines))


def z_report_for(report: Any, settings: Settings, *, width: int, fiscal: bool = False) -> Printable:
    """A Z closure (:class:`pos_tui.core.cash.closures.ZReport`); a preview (``pos-admin report x``)
    is titled as an X report, since nothing was closed."""
    sheet = _Sheet(width, settings.language)
    title = _("X report") if report.preview else _("Z report")
    _report_head(sheet, settings, title, fiscal)
    sheet.row(_("Z number"), str(report.z_no), bold=True)
    sheet.row(_("Terminal"), report.terminal)
    sheet.row(_("Closed") if not report.preview else _("Printed"), _when(report.at, settings))
    if report.user:
        sheet.row("", report.user)
    if report.totals.from_at is not None:
        sheet.row(_("From"), _when(report.totals.from_at, settings))
    if report.totals.to_at is not None:
        sheet.row(_("To"), _when(report.totals.to_at, settings))
    sheet.rule()
    _document_totals(sheet, report.totals)
    sheet.rule()
    sheet.row(_("Grand total"), sheet.money(report.grand_total, currency=True), bold=True)
    _account_money(sheet, report)
    _journal_head(sheet, report)
    return Printable(title, tuple(sheet.lines))


def no_sale_for(movement: Any, settings: Settings, *, width: int, slip: bool = True) -> Printable:
    """Open the drawer without a sale (:func:`pos_tui.core.cash.shifts.no_sale` recorded it). With
    ``slip`` a short slip says who opened it, when and why (for the shift's paper trail);
    without, the job is the drawer kick alone (no paper, no cut)."""
    if not slip:
        return Printable(_("Open drawer"), (), cut=False, kick=True)
    sheet = _Sheet(width, settings.language)
    sheet.text(settings.shop.legal_name or settings.shop.name, align="center", bold=True)
    sheet.text(_("NO SALE"), align="center", bold=True, double=True)
    sheet.row(_("Terminal"), movement.terminal)
    sheet.row(_("Cashier"), movement.user)
    sheet.row(_("Printed"), _when(movement.at, settings))
    if movement.reason:
        sheet.text(movement.reason)
    return Printable(_("Open drawer"), tuple(sheet.lines), cut=True, kick=True)


def as_text(job: Printable) -> str:
    """The job as plain text lines (the CLI's ``receipt show``, logs): double lines spaced out
    so they take the width they take on paper, barcodes as their value in brackets."""
    out: list[str] = []
    width = max((len(line.text) * (2 if line.double else 1) for line in job.lines), default=0)
    for line in job.lines:
        text = f"[{line.barcode}]" if line.barcode is not None else line.text
        if line.double:
            text = " ".join(text)
        if line.align == "center":
            text = text.center(width).rstrip()
        elif line.align == "right":
            text = text.rjust(width)
        out.append(text)
    return "\n".join(out)


__all__ = [
    "CURRENCY",
    "NO_FISCAL_VALUE",
    "LoyaltyNews",
    "PointsSummary",
    "ReceiptData",
    "as_text",
    "find_document",
    "load_receipt",
    "loyalty_news",
    "mask_card",
    "no_sale_for",
    "pays_cash",
    "points_summary",
    "receipt_for",
    "receipt_label",
    "receipt_of",
    "x_report_for",
    "z_report_for",
]
