"""The invoice's net figures from a draft's KDV-inclusive lines, consistent to the kuruş with the posted
document (docs/einvoice.md, "Amounts").

The rule, per KDV rate: the posted KDV row (base, kdv) is taken as it is; its base is spread over the
lines of that rate in proportion to what they cost (largest remainder, :func:`allocate`), so the lines'
extension amounts add up to the row's base exactly and each line's KDV is its total minus its extension.
A line's discount (KDV-inclusive on the receipt) becomes a net allowance, ``round(discount × 100 /
(100 + rate))``; the price is the net amount before the allowance divided by the quantity, with up to
eight decimals, so that price × quantity − allowance == extension to the kuruş. All discounts sit on the
lines (a receipt discount was already spread over them when the sale was posted), so the document has
no allowance of its own: tax-exclusive == Σ extensions, tax-inclusive == the posted total.

Withholding (TEVKIFAT): per (code, percent) the withheld amount is ``round(Σ KDV of its lines ×
percent / 100)``, and the payable amount is tax-inclusive − withheld.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from pos_tui.core.einvoice.model import InvoiceDraft, InvoiceFigures, KdvGroup, LineFigures
from pos_tui.core.kernel.money import CENT, ZERO, allocate, from_kurus, split_kdv, to_kurus

PRICE_PLACES = Decimal("0.00000001")


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def kdv_groups(draft: InvoiceDraft) -> tuple[KdvGroup, ...]:
    """The draft's KDV rows, or (for a draft without posted rows) the rows the till would post: per rate,
    the split of what the lines of that rate cost. Checks that the rows and the lines agree."""
    by_rate: dict[int, int] = defaultdict(int)
    for line in draft.lines:
        by_rate[line.kdv_rate] += line.total
    if not draft.kdv:
        rows = []
        for rate, total in sorted(by_rate.items()):
            base, kdv = split_kdv(from_kurus(total), rate)
            rows.append(KdvGroup(rate, to_kurus(base), to_kurus(kdv)))
        return tuple(rows)
    given = {g.rate: g for g in draft.kdv}
    if set(given) != set(by_rate) or any(given[r].base + given[r].kdv != t for r, t in by_rate.items()):
        raise ValueError(f"the KDV rows {draft.kdv} do not add up to the lines' totals per rate {dict(by_rate)}")
    return tuple(sorted(draft.kdv, key=lambda g: g.rate))


def compute(draft: InvoiceDraft) -> InvoiceFigures:
    """The net figures of every line and the invoice's totals (see the module's docstring)."""
    groups = kdv_groups(draft)
    extension: dict[int, Decimal] = {}
    for group in groups:
        lines = [ln for ln in draft.lines if ln.kdv_rate == group.rate]
        shares = allocate(from_kurus(group.base), [from_kurus(ln.total) for ln in lines])
        extension.update({ln.line_no: share for ln, share in zip(lines, shares, strict=True)})
    withheld_by: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    line_kdv: dict[int, Decimal] = {}
    for ln in draft.lines:
        line_kdv[ln.line_no] = from_kurus(ln.total) - extension[ln.line_no]
        if ln.withholding_code:
            withheld_by[(ln.withholding_code, ln.withholding_percent)] += line_kdv[ln.line_no]
    withholding = []
    line_withheld: dict[int, Decimal] = {}
    for (code, percent), base in sorted(withheld_by.items()):
        amount = _round(base * percent / 100)
        withholding.append((code, percent, to_kurus(base), to_kurus(amount)))
        members = [ln for ln in draft.lines if (ln.withholding_code, ln.withholding_percent) == (code, percent)]
        parts = allocate(amount, [max(line_kdv[ln.line_no], ZERO) for ln in members])
        line_withheld.update({ln.line_no: part for ln, part in zip(members, parts, strict=True)})
    out: list[LineFigures] = []
    for ln in draft.lines:
        ext = extension[ln.line_no]
        discount = from_kurus(ln.gross - ln.total)
        allowance = _round(discount * 100 / (100 + ln.kdv_rate))
        before = ext + allowance
        qty = Decimal(ln.qty) / 1000
        price = (before / qty).quantize(PRICE_PLACES, rounding=ROUND_HALF_UP) if qty else ZERO
        out.append(
            LineFigures(
                ln.line_no, price, before, allowance, ext, line_kdv[ln.line_no], line_withheld.get(ln.line_no, ZERO)
            )
        )
    line_extension = sum((f.extension for f in out), ZERO)
    kdv_total = from_kurus(sum(g.kdv for g in groups))
    withholding_total = from_kurus(sum(w[3] for w in withholding))
    tax_inclusive = line_extension + kdv_total
    return InvoiceFigures(
        lines=tuple(out),
        kdv=groups,
        line_extension=line_extension,
        allowance_total=sum((f.allowance for f in out), ZERO),
        tax_exclusive=line_extension,
        kdv_total=kdv_total,
        withholding_total=withholding_total,
        tax_inclusive=tax_inclusive,
        payable=tax_inclusive - withholding_total,
        withholding=tuple(withholding),
    )
