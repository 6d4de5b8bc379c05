"""What an invoice is made of, before it has a number: plain values that the sources build from posted
documents (:mod:`.sources`), that :mod:`.figures` turns into the invoice's net amounts and that
:mod:`.ubl` writes as UBL-TR 1.2.1.

Amounts on a draft are **KDV-inclusive integer kuruş**, like everything the till posts: a line carries
what it cost before its discounts (``gross``), its discounts and what was charged (``total``). The
invoice's net figures (prices without KDV, allowances, line extension amounts) are derived from those,
so that the invoice's totals equal the posted document's to the kuruş (docs/einvoice.md, "Amounts").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

# Scenarios (cbc:ProfileID). e-Fatura: the buyer is in GİB's registered-user list; e-Arşiv: anybody else.
TEMELFATURA = "TEMELFATURA"
TICARIFATURA = "TICARIFATURA"
EARSIVFATURA = "EARSIVFATURA"
PROFILES = (TEMELFATURA, TICARIFATURA, EARSIVFATURA)
EFATURA_PROFILES = (TEMELFATURA, TICARIFATURA)

# Invoice types (cbc:InvoiceTypeCode)
SATIS = "SATIS"
IADE = "IADE"
ISTISNA = "ISTISNA"
TEVKIFAT = "TEVKIFAT"
TYPES = (SATIS, IADE, ISTISNA, TEVKIFAT)

# Where an invoice comes from (``einvoice.source``)
FROM_SALE = "sale"  # one posted sale
FROM_SALES = "sales"  # several posted sales of one account (a periodic invoice)
FROM_WHOLESALE = "wholesale"  # a standalone wholesale invoice (accounts area), posts its own account entry
FROM_SUPPLIER_RETURN = "supplier_return"  # goods returned to a supplier (stock area): IADE to the supplier
SOURCES = (FROM_SALE, FROM_SALES, FROM_WHOLESALE, FROM_SUPPLIER_RETURN)

# Statuses (the last event decides; docs/einvoice.md "Statuses")
DRAFT = "draft"  # issued and stored, not handed to the integrator yet (auto_send off)
QUEUED = "queued"  # waiting for the sender
SENT = "sent"  # the integrator took it; no final answer yet
ACCEPTED = "accepted"
REJECTED = "rejected"
CANCELLED = "cancelled"
STATUSES = (DRAFT, QUEUED, SENT, ACCEPTED, REJECTED, CANCELLED)

KDV_TAX_CODE = "0015"
# Our units -> UN/ECE Recommendation 20 codes (GİB's UnitCodeList)
UNIT_CODES = {"piece": "C62", "kg": "KGM", "lt": "LTR", "m": "MTR"}

# The identifier GİB lets an e-Arşiv invoice carry for a final consumer who gives no TCKN
# (docs/einvoice-rules.md, "Final consumer identifiers").
ANONYMOUS_TCKN = "11111111111"

# The exemption a KDV subtotal of 0 carries when nothing more specific applies: GİB's 351, "KDV - İstisna
# Olmayan Diğer" (docs/einvoice-rules.md §7, §11.4). A 0 % line of a SATIS invoice gets it, and so does the
# subtotal of a rate whose KDV rounded to 0 (a 0,01 TL item at 1 %): GİB's TaxExemptionReasonCheck-1 wants
# a reason on every document-level KDV subtotal of 0.
NOT_EXEMPT_CODE = "351"
NOT_EXEMPT_REASON = "KDV - İstisna Olmayan Diğer"


@dataclass(frozen=True, slots=True)
class InvoiceParty:
    """The supplier or the customer party. ``identifier`` is a VKN (10 digits, a company) or a TCKN (11
    digits, a person: ``name`` is then "First Last"; the last word is the family name)."""

    identifier: str
    name: str
    tax_office: str = ""
    street: str = ""
    district: str = ""  # ilçe (cbc:CitySubdivisionName)
    city: str = ""  # il (cbc:CityName)
    postal_zone: str = ""
    country: str = "Türkiye"
    phone: str = ""
    email: str = ""
    mersis: str = ""  # MERSİS no (16 digits), when the company has one
    trade_registry: str = ""  # ticaret sicil no
    alias: str = ""  # the e-Fatura mailbox (urn:mail:…pk@…) of a registered buyer

    @property
    def is_person(self) -> bool:
        return len(self.identifier) == 11


@dataclass(frozen=True, slots=True)
class Discount:
    """A discount on a line (KDV-inclusive kuruş) and why: "İndirim", "Sepet indirimi payı", "Sadakat: …"."""

    reason: str
    amount: int


@dataclass(frozen=True, slots=True)
class InvoiceLineDraft:
    """One invoice line. ``gross`` (before discounts) − Σ ``discounts`` == ``total``, all KDV-inclusive
    kuruş; ``qty`` in milli-units of ``unit`` (piece | kg | lt | m)."""

    line_no: int
    code: str
    name: str
    unit: str
    qty: int
    gross: int
    total: int
    kdv_rate: int
    discounts: tuple[Discount, ...] = ()
    exemption_code: str = ""  # 0 % KDV: GİB's reason code (e.g. 351), with ``exemption_reason``
    exemption_reason: str = ""
    withholding_code: str = ""  # TEVKIFAT: GİB's code (e.g. 623) …
    withholding_percent: int = 0  # … and the share of the KDV withheld (90 for 9/10)
    barcode: str | None = None


@dataclass(frozen=True, slots=True)
class KdvGroup:
    """The KDV of one rate on the posted document (``sale_kdv``): base + kdv == what the lines of that rate
    cost. When a draft gives these, the invoice takes them as they are, so its KDV equals the sale's."""

    rate: int
    base: int
    kdv: int


@dataclass(frozen=True, slots=True)
class FiscalSlip:
    """The ÖKC receipt a sale was printed on (``sale_fiscal``), referenced as OKCBF."""

    number: int
    at: datetime
    z_no: int
    device: str


@dataclass(frozen=True, slots=True)
class BillingReference:
    """The invoice an IADE invoice returns goods of (the supplier's, or ours)."""

    number: str
    issue_date: date


@dataclass(frozen=True, slots=True)
class InvoiceDraft:
    """Everything an invoice says except its number, ETTN and issue moment (:func:`.issuing.issue_invoice`
    adds those). ``sale_ids`` are the posted sales it invoices (several for a periodic invoice);
    ``fiscal_slips`` their ÖKC receipts; ``kdv`` the posted KDV rows (summed over the sales), or empty
    to compute them from the lines."""

    source: str
    type: str
    supplier: InvoiceParty
    customer: InvoiceParty
    lines: tuple[InvoiceLineDraft, ...]
    kdv: tuple[KdvGroup, ...] = ()
    sale_ids: tuple[int, ...] = ()
    stock_document_id: int | None = None
    party_id: int | None = None
    fiscal_slips: tuple[FiscalSlip, ...] = ()
    billing_reference: BillingReference | None = None
    notes: tuple[str, ...] = ()
    payments: tuple[tuple[str, int], ...] = ()  # (method, kuruş) as paid on the sales: shown as notes
    order_reference: str = ""  # the receipt(s) or document the invoice was made from, for people
    currency: str = "TRY"
    profile: str = ""  # empty: routing decides (e-Fatura profile from settings, or EARSIVFATURA)


@dataclass(frozen=True, slots=True)
class LineFigures:
    """A line's net (KDV-exclusive) figures, as the UBL carries them: ``price`` × qty − ``allowance`` ==
    ``extension`` (to the kuruş); ``extension`` + ``kdv`` == the line's KDV-inclusive total."""

    line_no: int
    price: Decimal  # unit price without KDV, before discounts (up to 8 decimals)
    before: Decimal  # price × quantity, to the kuruş
    allowance: Decimal
    extension: Decimal
    kdv: Decimal
    withholding: Decimal = Decimal(0)


@dataclass(frozen=True, slots=True)
class InvoiceFigures:
    """The invoice's totals (Decimal TL): line_extension == Σ line extensions; tax_exclusive == line_extension
    (discounts are on the lines); tax_inclusive == tax_exclusive + kdv == the posted document's total;
    payable == tax_inclusive − withholding."""

    lines: tuple[LineFigures, ...]
    kdv: tuple[KdvGroup, ...]
    line_extension: Decimal
    allowance_total: Decimal
    tax_exclusive: Decimal
    kdv_total: Decimal
    withholding_total: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    withholding: tuple[tuple[str, int, int, int], ...] = field(default=())  # (code, percent, base kdv, withheld)
