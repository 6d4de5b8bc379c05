"""The vendored GİB files are the ones the README documents, and the validator reports what they find."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from einvoice_support import Shop, consumer_draft, issue

from pos_tui.core import einvoice
from pos_tui.core.einvoice.validation import DATA


def test_the_vendored_files_match_the_checksums_in_their_readme() -> None:
    readme = (DATA / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^([0-9a-f]{64})  (\S+)$", readme, re.M)
    assert len(listed) == 3
    for digest, name in listed:
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest, name


def test_every_finding_is_reported_with_its_line(shop: Shop, tmp_path: Path) -> None:
    xml = einvoice.invoice_xml(issue(shop, consumer_draft(shop.settings)).id).decode()
    broken = xml.replace("<cbc:InvoiceTypeCode>SATIS<", "<cbc:InvoiceTypeCode>SATISX<").replace(
        'unitCode="C62"', 'unitCode="ADET"'
    )
    findings = einvoice.validate(broken.encode())
    rules = {f.rule for f in findings}
    assert any(r.startswith("InvoiceTypeCodeCheck") for r in rules), rules
    assert any("UnitCode" in r for r in rules), rules
    lines = broken.splitlines()
    for f in findings:
        assert f.line is not None and f.source == "schematron"
        assert f.line <= len(lines)


def test_the_xsd_runs_first_and_bad_xml_is_one_finding() -> None:
    (finding,) = einvoice.validate(b"<Invoice><unclosed></Invoice>")
    assert finding.source == "xml"
    findings = einvoice.validate(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    assert findings and all(f.source == "xsd" for f in findings)


def test_the_date_rule_uses_the_shops_day_not_the_machines_time_zone(shop: Shop) -> None:
    """GİB's TimeCheck-1 (no invoice dated after today): with the shop's day given, an invoice dated that
    day passes even where the process's zone is still on the day before, and one dated after it fails."""
    from datetime import timedelta

    xml = einvoice.invoice_xml(issue(shop, consumer_draft(shop.settings)).id)
    day = shop.now.date()
    assert einvoice.validate(xml, today=day) == []
    late = einvoice.validate(xml, today=day - timedelta(days=1))  # every IssueDate (the references' too)
    assert late and all((f.rule, f.source) == ("TimeCheck-1", "schematron") and f.line for f in late)
    future = xml.replace(f"<cbc:IssueDate>{day.isoformat()}<".encode(), b"<cbc:IssueDate>2999-01-01<", 1)
    assert [(f.rule, f.line) for f in einvoice.validate(future, today=day)] == [("TimeCheck-1", late[0].line)]


def test_sums_gib_leaves_unchecked_are_findings_too(shop: Shop) -> None:
    """GİB's schematron accepts an invoice whose totals do not add up; the validator does not."""
    xml = einvoice.invoice_xml(issue(shop, consumer_draft(shop.settings)).id).decode()
    assert einvoice.validate(xml.encode()) == []
    payable = xml.replace('<cbc:PayableAmount currencyID="TRY">128.00<', '<cbc:PayableAmount currencyID="TRY">999.15<')
    (finding,) = einvoice.validate(payable.encode())
    assert (finding.source, finding.rule) == ("hesap", "LegalMonetaryTotal") and "999.15" in finding.message
    price = re.sub(
        r"<cbc:PriceAmount currencyID=\"TRY\">[0-9.]+<", '<cbc:PriceAmount currencyID="TRY">1.00<', xml, count=1
    )
    assert [f.rule for f in einvoice.validate(price.encode())] == ["LineAmount"]
    tax = xml.replace(
        '<cbc:TaxAmount currencyID="TRY">18.00</cbc:TaxAmount>',
        '<cbc:TaxAmount currencyID="TRY">17.00</cbc:TaxAmount>',
        1,
    )
    assert tax != xml
    assert {f.source for f in einvoice.validate(tax.encode())} == {"hesap"}
