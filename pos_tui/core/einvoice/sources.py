"""Invoice drafts from posted sales, and invoicing them (docs/einvoice.md, "From a sale").

A sale's invoice says exactly what the posted sale says: its lines (quantity, what each cost before and
after its discounts, KDV rate), its KDV rows as posted, its ÖKC receipt (OKCBF) and how it was paid (as
notes). Discounts on a line are named: the loyalty benefits on it (``sale_benefit``: promotion, reward,
coupon…) and the rest ("İndirim": the line's own discount and its share of a receipt discount). Points,
store credit and gift cards used as **payment** do not change the invoice: the KDV was computed (and the
ÖKC printed it) on the full amount; they are means of payment like cash, shown in a note.

Several sales of one account make a periodic invoice: their lines one after the other (each named with
its receipt), their KDV rows summed per rate, every ÖKC receipt referenced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from pos_tui import store
from pos_tui.core import accounts
from pos_tui.core.einvoice.issuing import IssuedInvoice, issue_invoice
from pos_tui.core.einvoice.model import (
    FROM_SALE,
    FROM_SALES,
    NOT_EXEMPT_CODE,
    NOT_EXEMPT_REASON,
    SATIS,
    Discount,
    FiscalSlip,
    InvoiceDraft,
    InvoiceLineDraft,
    InvoiceParty,
    KdvGroup,
)
from pos_tui.core.einvoice.routing import route_party
from pos_tui.core.kernel.actors import Actor, require
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, local
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.i18n import _
from pos_tui.settings import Settings, ShopSettings
from pos_tui.store import models as m

# How each payment method is named on an invoice (always Turkish: the invoice is a Turkish document)
PAYMENT_NAMES = {
    "cash": "Nakit",
    "card": "Kredi/banka kartı",
    "points": "Sadakat puanı",
    "store_credit": "Cüzdan (mağaza kredisi)",
    "gift_card": "Hediye kartı",
    "gift_card_new": "Yeni hediye kartı",
    "on_account": "Açık hesap (cari)",
}
DISCOUNT_NAME = "İndirim"
# The exemption a 0 % KDV line of a SATIS invoice carries when the product gives none: GİB's 351,
# "KDV - İstisna Olmayan Diğer" (docs/einvoice-rules.md).
DEFAULT_ZERO_RATE_CODE = NOT_EXEMPT_CODE
DEFAULT_ZERO_RATE_REASON = NOT_EXEMPT_REASON


def shop_party(shop: ShopSettings) -> InvoiceParty:
    """The shop as the invoice's supplier (pos.toml ``[shop]``)."""
    if not shop.vkn.strip():
        raise ValidationError(_("The shop's VKN is not set: add vkn to [shop] in pos.toml"))
    return InvoiceParty(
        identifier=shop.vkn.strip(),
        name=shop.legal_name or shop.name,
        tax_office=shop.tax_office,
        street=shop.street or shop.address,
        district=shop.district,
        city=shop.city,
        postal_zone=shop.postal_zone,
        country=shop.country,
        phone=shop.phone,
        email=shop.email,
        mersis=shop.mersis,
        trade_registry=shop.trade_registry,
    )


def split_address(address: str | None) -> tuple[str, str, str]:
    """(street, district, city) from one line written the Turkish way: ``Moda Cad. 1, Kadıköy / İstanbul``."""
    text = " ".join((address or "").split())
    if "/" not in text:
        return text, "", ""
    head, _sep, city = text.rpartition("/")
    street, _sep, district = head.rpartition(",")
    return street.strip(" ,"), district.strip(), city.strip()


def party_customer(party: accounts.PartyInfo) -> InvoiceParty:
    """An account (cari) as the invoice's customer; it needs a VKN or TCKN."""
    identifier = party.tax_id
    if not identifier:
        raise ValidationError(
            _("The account {code} has no VKN or TCKN; add it before invoicing (pos-admin accounts update)").format(
                code=party.code
            )
        )
    street, district, city = split_address(party.address)
    return InvoiceParty(
        identifier=identifier,
        name=party.name,
        tax_office=party.tax_office or "",
        street=street,
        district=district,
        city=city,
        phone=party.phone or "",
        email=party.email or "",
    )


def _heads(sale_ids: Sequence[int]) -> list[tuple[Any, ...]]:
    S = m.Sale
    rows = list(
        store.rows(
            S.select(S.id, S.kind, S.terminal, S.receipt_no, S.at, S.customer, S.total).where(S.id.in_(list(sale_ids)))
        )
    )
    found = {int(r[0]) for r in rows}
    missing = [i for i in sale_ids if i not in found]
    if missing:
        raise NotFound(_("No sale with id {id}").format(id=missing[0]))
    order = {sid: i for i, sid in enumerate(sale_ids)}
    return sorted(rows, key=lambda r: order[int(r[0])])


def sale_id_of(ref: str | int, *, terminal: str) -> int:
    """A sale by id (``12``), receipt (``T1/12`` or ``12`` with ``terminal``' series when no sale has that id)
    or uid."""
    text = str(ref).strip()
    S = m.Sale
    if "/" in text:
        term, _sep, number = text.partition("/")
        if number.isdigit():
            row = next(
                store.rows(S.select(S.id).where((S.terminal == term.strip().upper()) & (S.receipt_no == int(number)))),
                None,
            )
            if row is not None:
                return int(row[0])
        raise NotFound(_("No receipt {ref}").format(ref=text[:40]))
    if text.isdigit():
        row = next(store.rows(S.select(S.id).where(S.id == int(text))), None)
        if row is None:
            row = next(store.rows(S.select(S.id).where((S.terminal == terminal) & (S.receipt_no == int(text)))), None)
        if row is not None:
            return int(row[0])
    else:
        row = next(store.rows(S.select(S.id).where(S.uid == text)), None)
        if row is not None:
            return int(row[0])
    raise NotFound(_("No sale or receipt {ref}").format(ref=text[:40]))


def draft_from_sales(
    sale_ids: Sequence[int],
    *,
    customer: InvoiceParty,
    supplier: InvoiceParty,
    party_id: int | None = None,
    tz: str = SHOP_TZ,
) -> InvoiceDraft:
    """The SATIS draft of one posted sale, or of several (a periodic invoice)."""
    if not sale_ids:
        raise ValidationError(_("Choose at least one sale to invoice"))
    if len(set(sale_ids)) != len(sale_ids):
        raise ValidationError(_("A sale is listed twice"))
    heads = _heads(sale_ids)
    for _sid, kind, terminal, receipt_no, *_rest in heads:
        if kind != "sale":
            raise ValidationError(
                _(
                    "Receipt {terminal}/{receipt_no} is a return: a return gets a return document, not an invoice"
                ).format(terminal=terminal, receipt_no=receipt_no)
            )
    S, L, B, K, P, F = m.Sale, m.SaleLine, m.SaleBenefit, m.SaleKdv, m.Payment, m.SaleFiscal
    returned = list(store.rows(S.select(S.return_of).where(S.return_of.in_(list(sale_ids))).limit(1)))
    if returned:
        head = next(h for h in heads if h[0] == returned[0][0])
        raise ValidationError(
            _(
                "Goods of receipt {terminal}/{receipt_no} were already returned: invoice a sale before any return"
                " (the return then gets its own document)"
            ).format(terminal=head[2], receipt_no=head[3])
        )
    benefits: dict[tuple[int, int], list[tuple[str, int]]] = defaultdict(list)
    for sale, line_no, label, amount in store.rows(
        B.select(B.sale, B.line_no, B.label, B.amount).where(B.sale.in_(list(sale_ids)))
    ):
        benefits[(int(sale), int(line_no))].append((str(label), int(amount)))
    lines: list[InvoiceLineDraft] = []
    several = len(heads) > 1
    receipt_of = {int(h[0]): f"{h[2]}/{h[3]}" for h in heads}
    line_query = (
        L.select(L.sale, L.line_no, L.code, L.barcode, L.name, L.unit, L.qty, L.discount, L.total, L.kdv_rate)
        .where(L.sale.in_(list(sale_ids)))
        .order_by(L.sale, L.line_no)
    )
    by_sale: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in store.rows(line_query):
        by_sale[int(row[0])].append(row)
    for sid in sale_ids:
        for sale, line_no, code, barcode, name, unit, qty, discount, total, rate in by_sale[sid]:
            named = benefits.get((int(sale), int(line_no)), [])
            rest = int(discount) - sum(a for _l, a in named)
            parts = [Discount(label, a) for label, a in named if a]
            if rest:
                parts.insert(0, Discount(DISCOUNT_NAME, rest))
            lines.append(
                InvoiceLineDraft(
                    line_no=len(lines) + 1,
                    code=str(code),
                    name=f"{name} ({receipt_of[sid]})" if several else str(name),
                    unit=str(unit),
                    qty=int(qty),
                    gross=int(total) + int(discount),
                    total=int(total),
                    kdv_rate=int(rate),
                    discounts=tuple(parts),
                    exemption_code=DEFAULT_ZERO_RATE_CODE if int(rate) == 0 else "",
                    exemption_reason=DEFAULT_ZERO_RATE_REASON if int(rate) == 0 else "",
                    barcode=barcode or None,
                )
            )
    kdv: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for rate, base, tax in store.rows(K.select(K.rate, K.base, K.kdv).where(K.sale.in_(list(sale_ids)))):
        kdv[int(rate)][0] += int(base)
        kdv[int(rate)][1] += int(tax)
    paid: dict[str, int] = defaultdict(int)
    for method, amount in store.rows(P.select(P.method, P.amount).where(P.sale.in_(list(sale_ids)))):
        paid[str(method)] += int(amount)
    slips = tuple(
        FiscalSlip(int(no), local(from_db(at), tz), int(z), str(device))
        for no, at, z, device in store.rows(
            F.select(F.fiscal_no, F.at, F.z_no, F.device).where(F.sale.in_(list(sale_ids))).order_by(F.at)
        )
    )
    receipts = ", ".join(receipt_of[s] for s in sale_ids)
    return InvoiceDraft(
        source=FROM_SALES if several else FROM_SALE,
        type=SATIS,
        supplier=supplier,
        customer=customer,
        lines=tuple(lines),
        kdv=tuple(KdvGroup(rate, b, t) for rate, (b, t) in sorted(kdv.items())),
        sale_ids=tuple(sale_ids),
        party_id=party_id,
        fiscal_slips=slips,
        notes=(f"Fiş: {receipts}",),
        payments=tuple((PAYMENT_NAMES.get(method, method), amount) for method, amount in sorted(paid.items())),
        order_reference=receipts,
    )


def _customer_of(
    sale_ids: Sequence[int], customer: InvoiceParty | None, account: str | None
) -> tuple[InvoiceParty, int | None]:
    if customer is not None and account:
        raise ValidationError(_("Give the buyer's VKN/TCKN or an account, not both"))
    if account:
        party = accounts.get_party(account)
        return party_customer(party), party.id
    if customer is not None:
        return customer, None
    heads = _heads(sale_ids)
    customers = {h[5] for h in heads}
    if len(customers) == 1 and None not in customers:
        party_id = accounts.party_of_customer(int(next(iter(customers))))
        if party_id is not None:
            party = accounts.get_party(party_id)
            if party.tax_id:
                return party_customer(party), party.id
    raise ValidationError(_("Whom is the invoice for? Give the buyer's VKN or TCKN, or an account code"))


def invoice_sales(
    refs: Sequence[str | int],
    *,
    actor: Actor,
    terminal: str,
    now: datetime,
    settings: Settings,
    customer: InvoiceParty | None = None,
    account: str | None = None,
    live: Callable[[str], Any] | None = None,
) -> IssuedInvoice:
    """Invoice posted sales (one, or several of one account) to ``customer`` (typed at the till or given to
    ``einvoice issue --customer``), to ``account``'s party, or to the account the sale was made to; routed by
    the buyer's registration (:func:`.routing.route`)."""
    require(actor, "sell" if len(refs) == 1 else "einvoice")
    tz = settings.shop.timezone
    sale_ids = [sale_id_of(r, terminal=terminal) for r in refs]
    buyer, party_id = _customer_of(sale_ids, customer, account)
    if len(sale_ids) > 1 and party_id is None:
        raise ValidationError(_("A periodic invoice of several sales is for one account: give its code"))
    buyer, where = route_party(buyer, now=now, settings=settings, live=live)
    draft = draft_from_sales(sale_ids, customer=buyer, supplier=shop_party(settings.shop), party_id=party_id, tz=tz)
    return issue_invoice(
        draft,
        actor=actor,
        terminal=terminal,
        now=now,
        settings=settings.einvoice,
        profile=where.profile,
        alias=where.alias,
        tz=tz,
    )
