"""GİB's exemption and withholding codes as data: the same lists as the vendored schematron, and their parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pos_tui.core import einvoice
from pos_tui.core.einvoice import trade_codes
from pos_tui.core.kernel import ValidationError

SCHEMATRON = Path(einvoice.__file__).resolve().parents[2] / "data" / "ubltr" / "schematron" / "efatura.sch"


def _list(name: str) -> set[str]:
    found = re.search(rf'<let name="{name}" value="\'([^\']*)\'"', SCHEMATRON.read_text(encoding="utf-8"))
    assert found, name
    return {c for c in found.group(1).split(",") if c}


def test_the_code_lists_are_the_schematrons() -> None:
    istisna = _list("istisnaTaxExemptionReasonCodeType") & _list("TaxExemptionReasonCodeType")
    assert istisna - {"308", "339"} == einvoice.ISTISNA_VALID
    assert "351" not in einvoice.ISTISNA_VALID and {"301", "350"} <= einvoice.ISTISNA_VALID
    assert set(einvoice.ISTISNA_CODES) <= einvoice.ISTISNA_VALID
    codes = _list("WithholdingTaxType")
    assert set(einvoice.WITHHOLDING_PERCENTS) == codes
    pairs = {f"{code}{p}" for code, percents in einvoice.WITHHOLDING_PERCENTS.items() for p in percents}
    assert pairs == {p for p in _list("WithholdingTaxTypeWithPercent") if p[:3] in codes}
    assert set(einvoice.WITHHOLDING_NAMES) <= codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [("624:20", ("624", 20)), ("602:9/10", ("602", 90)), (" 601 : 4/10 ", ("601", 40)), ("805:10/10", ("805", 100))],
)
def test_withholding_is_written_as_code_and_percent_or_fraction(text: str, expected: tuple[str, int]) -> None:
    assert einvoice.parse_withholding(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [("624", "CODE:PERCENT"), ("624:x", "CODE:PERCENT"), ("624:90", "allows 20 %"), ("650:20", "601–627"),
     ("602:1/3", "CODE:PERCENT")],
)  # fmt: skip
def test_bad_withholding_is_refused_with_its_reason(text: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        einvoice.parse_withholding(text)


def test_names_go_with_the_codes() -> None:
    assert einvoice.exemption_name("301") == "301 - 11/1-a Mal ihracatı"
    assert einvoice.exemption_name("215") == "215 - KDV istisnası"
    assert einvoice.withholding_name("624") == "624 - Yük taşımacılığı hizmeti"
    assert einvoice.withholding_name("805") == "805 - Tam tevkifat"
    assert trade_codes.check_istisna(" 350 ") == "350"
