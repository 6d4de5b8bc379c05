"""Validation of a UBL-TR invoice with GİB's own rules, locally: the UBL 2.1 XSDs of GİB's e-Fatura package
(lxml) and GİB's e-Fatura schematron (XPath 2.0: run as the compiled XSLT with Saxon, ``saxonche``), with
the ``type`` parameter ``efatura`` or ``earchive`` by the invoice's ProfileID. The files are a documented
copy under ``pos_tui/data/ubltr`` (README there: where they come from, their checksums and licences).

Both engines are built once per process (compiling the schematron takes about half a second) and are not
thread-safe: :func:`validate` holds a lock.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from pos_tui.core.einvoice.model import EARSIVFATURA
from pos_tui.core.kernel.clock import local, utcnow

DATA = Path(__file__).resolve().parent.parent.parent / "data" / "ubltr"
XSD = DATA / "xsd" / "maindoc" / "UBL-Invoice-2.1.xsd"
SCHEMATRON = DATA / "schematron" / "efatura.xsl"
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"

_LOCK = threading.Lock()
TIME_CHECK = "TimeCheck-1"


@dataclass(frozen=True, slots=True)
class Finding:
    """One finding: ``source`` xsd | schematron | xml; ``rule`` the schematron rule id or the XSD error type;
    ``message`` as GİB's rule (or libxml2) words it; ``line`` in the XML when known; ``location`` an XPath."""

    source: str
    rule: str
    message: str
    line: int | None = None
    location: str | None = None

    def text(self) -> str:
        where = f"satır {self.line}: " if self.line else ""
        return f"{where}[{self.source} {self.rule}] {self.message}"


@cache
def _schema() -> Any:
    from lxml import etree

    return etree.XMLSchema(file=str(XSD))


class _Schematron:
    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.processor = PySaxonProcessor(license=False)
        compiler = self.processor.new_xslt30_processor()
        self.executable = compiler.compile_stylesheet(stylesheet_file=str(SCHEMATRON))
        self.type: str | None = None

    def report(self, xml: bytes, type_: str) -> bytes:
        if type_ != self.type:
            self.executable.set_parameter("type", self.processor.make_string_value(type_))
            self.type = type_
        node = self.processor.parse_xml(xml_text=xml.decode("utf-8"))
        return self.executable.transform_to_string(xdm_node=node).encode("utf-8")


@cache
def _schematron() -> _Schematron:
    return _Schematron()


def warm_up() -> None:
    """Load GİB's XSD and compile its schematron now (about half a second, once per process), so that the
    first invoice does not wait for it: the till calls it in a worker when the invoice dialog opens."""
    with _LOCK:
        _schema()
        _schematron()


def validate(xml: bytes, *, today: date | None = None) -> list[Finding]:
    """Every finding of GİB's XSD and schematron on ``xml`` (empty: valid), and of the sums GİB's rules
    leave unchecked (source ``hesap``: :func:`_arithmetic`). XML that does not parse gives one ``xml``
    finding; the schematron and the sums run only on what the XSD accepts (they assume its structure), so an
    XSD failure lists the XSD's findings alone.

    ``today``: the shop's day by the real clock (:func:`shop_today`). GİB's ``TimeCheck-1`` (no date after
    today) asks Saxon for ``current-date()``, which follows the process's time zone: on a machine kept on
    UTC an Istanbul evening is still yesterday and every invoice dated today would be refused. With
    ``today`` given, that one rule is checked here against it instead (same id, same message)."""
    from lxml import etree

    try:
        tree = etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return [Finding("xml", "syntax", str(exc.msg), exc.lineno)]
    with _LOCK:
        schema = _schema()
        if not schema.validate(tree):
            return [
                Finding("xsd", e.type_name.lower(), e.message, e.line or None, e.path or None) for e in schema.error_log
            ]
        profile = (tree.findtext(CBC + "ProfileID") or "").strip()
        report = _schematron().report(xml, "earchive" if profile == EARSIVFATURA else "efatura")
    svrl = etree.fromstring(report)
    out: list[Finding] = _arithmetic(tree)
    if today is not None:
        out += _time_check(tree, today)
    for kind in ("failed-assert", "successful-report"):
        for node in svrl.iter(SVRL + kind):
            if today is not None and node.get("id") == TIME_CHECK:
                continue
            text = node.find(SVRL + "text")
            message = " ".join("".join(text.itertext()).split()) if text is not None else ""
            location = node.get("location")
            out.append(
                Finding(
                    "schematron",
                    node.get("id") or node.get("test") or kind,
                    message,
                    _line(tree, location, message),
                    location,
                )
            )
    return out


CAC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2}"
CENT = Decimal("0.01")


def _amount(node: Any, path: str) -> Decimal | None:
    text = node.findtext(path)
    if text is None:
        return None
    try:
        return Decimal(text.strip())
    except InvalidOperation:
        return None  # the XSD reports a malformed amount


def _sum(nodes: Any, path: str) -> Decimal:
    return sum((_amount(n, path) or Decimal(0) for n in nodes), Decimal(0))


def _arithmetic(tree: Any) -> list[Finding]:
    """The sums GİB's schematron does not check but an invoice must get right (integrators and the buyer's
    accounting do check them): each line's quantity × price − allowances + charges = its amount; each KDV
    subtotal's taxable amount × percent = its tax (within a kuruş); the totals add up: Σ lines = line
    extension, − document allowances + charges = tax exclusive, + taxes = tax inclusive, − withheld +
    rounding = payable. Amounts are compared to the kuruş (a difference of 0,01 is rounding)."""
    out: list[Finding] = []

    def check(
        rule: str, node: Any, expected: Decimal, found: Decimal | None, what: str, tolerance: Decimal = CENT
    ) -> None:
        if found is not None and abs(expected.quantize(CENT, ROUND_HALF_UP) - found) > tolerance:
            out.append(
                Finding(
                    "hesap",
                    rule,
                    f"{what}: yazılan {found}, hesaplanan {expected.quantize(CENT, ROUND_HALF_UP)}",
                    node.sourceline,
                )
            )

    lines = tree.findall(CAC + "InvoiceLine")
    for line in lines:
        qty, price = _amount(line, CBC + "InvoicedQuantity"), _amount(line, CAC + "Price/" + CBC + "PriceAmount")
        if qty is None or price is None:
            continue
        allowances = charges = Decimal(0)
        for ac in line.findall(CAC + "AllowanceCharge"):
            value = _amount(ac, CBC + "Amount") or Decimal(0)
            if (ac.findtext(CBC + "ChargeIndicator") or "").strip() == "true":
                charges += value
            else:
                allowances += value
        check(
            "LineAmount",
            line,
            qty * price - allowances + charges,
            _amount(line, CBC + "LineExtensionAmount"),
            f"Satır {line.findtext(CBC + 'ID')}: miktar × birim fiyat − indirim + artırım satır tutarını vermiyor",
        )
    # A subtotal's tax is the KDV as posted: one rounded amount per sale and rate (a periodic invoice
    # adds several), each within half a kuruş × (1 + rate) of its base × rate; so a subtotal may be off
    # by up to a kuruş per sale, and a sale has at least one line at that rate.
    at_rate: dict[Decimal, int] = {}
    for line in lines:
        rate = _amount(line, CAC + "TaxTotal/" + CAC + "TaxSubtotal/" + CBC + "Percent")
        if rate is not None:
            at_rate[rate] = at_rate.get(rate, 0) + 1
    taxes = Decimal(0)
    for total in tree.findall(CAC + "TaxTotal"):
        subtotals = total.findall(CAC + "TaxSubtotal")
        for sub in subtotals:
            base, percent = _amount(sub, CBC + "TaxableAmount"), _amount(sub, CBC + "Percent")
            if base is not None and percent is not None:
                check(
                    "TaxSubtotal",
                    sub,
                    base * percent / 100,
                    _amount(sub, CBC + "TaxAmount"),
                    f"%{percent} vergi: matrah × oran vergi tutarını vermiyor",
                    CENT * max(1, at_rate.get(percent, 1)),
                )
        check(
            "TaxTotal",
            total,
            _sum(subtotals, CBC + "TaxAmount"),
            _amount(total, CBC + "TaxAmount"),
            "Vergi toplamı alt toplamların toplamı değil",
        )
        taxes += _amount(total, CBC + "TaxAmount") or Decimal(0)
    withheld = _sum(tree.findall(CAC + "WithholdingTaxTotal"), CBC + "TaxAmount")
    legal = tree.find(CAC + "LegalMonetaryTotal")
    if legal is None:
        return out
    extension = _amount(legal, CBC + "LineExtensionAmount")
    check(
        "LegalMonetaryTotal",
        legal,
        _sum(lines, CBC + "LineExtensionAmount"),
        extension,
        "Mal/hizmet toplam tutarı satır tutarlarının toplamı değil",
    )
    doc_allowance = doc_charge = Decimal(0)
    for ac in tree.findall(CAC + "AllowanceCharge"):
        value = _amount(ac, CBC + "Amount") or Decimal(0)
        if (ac.findtext(CBC + "ChargeIndicator") or "").strip() == "true":
            doc_charge += value
        else:
            doc_allowance += value
    allowance = _amount(legal, CBC + "AllowanceTotalAmount")
    charge = _amount(legal, CBC + "ChargeTotalAmount")
    check("LegalMonetaryTotal", legal, doc_allowance, allowance, "Toplam iskonto belge iskontolarının toplamı değil")
    exclusive = _amount(legal, CBC + "TaxExclusiveAmount")
    if extension is not None:
        check(
            "LegalMonetaryTotal",
            legal,
            extension - (allowance or 0) + (charge or 0),
            exclusive,
            "Vergi hariç tutar: mal/hizmet toplamı − iskonto + artırım değil",
        )
    inclusive = _amount(legal, CBC + "TaxInclusiveAmount")
    if exclusive is not None:
        check(
            "LegalMonetaryTotal",
            legal,
            exclusive + taxes,
            inclusive,
            "Vergiler dahil tutar: vergi hariç tutar + vergiler değil",
        )
    if inclusive is not None:
        rounding = _amount(legal, CBC + "PayableRoundingAmount") or Decimal(0)
        check(
            "LegalMonetaryTotal",
            legal,
            inclusive - withheld + rounding,
            _amount(legal, CBC + "PayableAmount"),
            "Ödenecek tutar: vergiler dahil tutar − tevkifat + yuvarlama değil",
        )
    return out


def shop_today(tz: str) -> date:
    """Today in the shop's time zone, by the real clock (GİB compares invoice dates with the real day)."""
    return local(utcnow(), tz).date()


def _time_check(tree: Any, today: date) -> list[Finding]:
    out = []
    for node in tree.iter(CBC + "IssueDate"):
        try:
            day = date.fromisoformat((node.text or "").strip())
        except ValueError:
            continue  # TarihBicimi-1 reports it
        if day > today:
            message = (
                f"Geçersiz cbc:IssueDate değeri : '{node.text}' cbc:IssueDate alanı günün tarihinden ileri bir "
                "tarih olamaz"
            )
            out.append(Finding("schematron", TIME_CHECK, message, node.sourceline, None))
    return out


def _line(tree: Any, location: str | None, message: str = "") -> int | None:
    """The source line of a schematron location (an XPath with Q{ns} steps), when it can be found. Many of
    GİB's rules have the whole invoice as their context (``InvoiceIDCheck``, ``InvoiceTypeCodeCheck``…): for
    those the line of the element the message names (``cbc:ID``), when the invoice has it, says more."""
    if not location:
        return None
    # Turn each step "Q{ns}Name[1]" into a local-name() test lxml's XPath 1.0 understands.
    steps = []
    for step in location.split("/"):
        if not step:
            continue
        if step.startswith("@"):  # an attribute: its element's line
            break
        m = re.fullmatch(r"(?:Q\{[^}]*\})?([\w.-]+)(\[\d+\])?", step)
        if not m:
            return None
        steps.append(f"*[local-name()='{m.group(1)}']{m.group(2) or ''}")
    try:
        found = tree.getroottree().xpath("/" + "/".join(steps))
    except Exception:
        return None
    if not found:
        return None
    node = found[0]
    if node.getparent() is None:  # the invoice itself
        named = re.search(r"\b(?:cbc|cac):([A-Za-z]+)", message)
        child = tree.find(f"{{*}}{named.group(1)}") if named else None
        if child is not None:
            return int(child.sourceline)
    return int(node.sourceline)
