"""Issuing and validating invoices (issue 14 §6): ``--sales`` (1,000) sales are posted through the till
(random carts of 1–8 lines over twelve products: four KDV rates, weighed goods, line and receipt discounts,
every tenth paid partly on account), then each is invoiced with :func:`einvoice.invoice_sales` to a
consumer (e-Arşiv): routing, the draft from the posted rows, the figures, the UBL-TR XML, GİB's XSD and
schematron, the gapless number, the rows, the journal and the sender's queue, in one transaction.

Measured, per invoice (mean and percentiles, ms), against baselines measured in the same run on the same
sales:

- ``issue``: ``invoice_sales`` of one sale, the whole thing;
- baseline ``xml alone``: the same sale's draft, figures and XML (``draft_from_sales`` + ``compute`` +
  ``build``), no validation, nothing stored — so the ratio shows what validating and storing add;
- ``validate``: :func:`einvoice.validate` (XSD + schematron) of each issued XML, against the baseline
  ``XSD alone`` (lxml's schema check of the same XML): the ratio is the schematron's share;
- the total for ``--sales`` invoices against posting the same sales (``complete_sale``).

No target: the issue names no number. The load average is recorded before and after.

    python3 -m benchmarks.bench_einvoice [--sales 1000] [--quick] [--quiet]
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.common import percentiles, save, verdict

REPO = Path(__file__).resolve().parents[1]
TCKN = "10000000146"
PRODUCTS = [  # code, name, unit, price, KDV rate
    ("E01", "Ekmek", "piece", "10.00", 1),
    ("E02", "Süt 1 L", "piece", "32.50", 1),
    ("E03", "Beyaz Peynir", "kg", "280.00", 1),
    ("E04", "Zeytin", "kg", "195.90", 1),
    ("E05", "Lokum 250 g", "piece", "45.00", 10),
    ("E06", "Kolonya", "piece", "89.90", 20),
    ("E07", "Çay 500 g", "piece", "120.00", 20),
    ("E08", "Deterjan", "piece", "85.00", 20),
    ("E09", "Kitap", "piece", "150.00", 0),
    ("E10", "Gazete", "piece", "15.00", 0),
    ("E11", "Şampuan", "piece", "119.90", 20),
    ("E12", "Fındık", "kg", "640.00", 1),
]


def _moment() -> datetime:
    """Two days ago at noon in Istanbul: GİB's schematron refuses an invoice dated after today."""
    return (datetime.now(UTC) - timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)


def setup(path: Path) -> tuple[Any, Any, Any]:
    from pos_tui.core import accounts, catalog, staff
    from pos_tui.settings import load_settings
    from pos_tui.store import models as m
    from pos_tui.store import open_database

    open_database(path)
    settings = load_settings(
        {"POS_DB": str(path), "POS_HOME": str(path.parent), "POS_CONFIG": str(REPO / "config" / "pos.toml")}
    )
    now = _moment()
    user = m.User.create(name="admin", role="admin", pin_tag="bench", pin_hash="x", created_at=now.replace(tzinfo=None))
    actor = staff.actor_of(user, settings)
    catalog.upsert_products(
        [
            catalog.ProductInput(code=c, name=n, unit=u, price=Decimal(p), kdv_rate=r, stock=10**6)
            for c, n, u, p, r in PRODUCTS
        ],
        now=now,
        kdv_rates=settings.kdv_rates,
    )
    accounts.add_party(
        accounts.PartyInput(
            code="BAKKAL",
            name="Köşe Bakkalı Ltd.",
            kind="customer",
            vkn="1234567890",
            tax_office="Kadıköy",
            terms_days=30,
            credit_limit=Decimal("100000000"),
        ),
        now=now,
    )
    return settings, actor, now


def post_sales(count: int, actor: Any, now: datetime, settings: Any) -> tuple[list[int], float]:
    from pos_tui.core import catalog
    from pos_tui.core.basket import Cart, Discount, PaymentInput
    from pos_tui.core.till import complete_sale

    rng = random.Random(14)
    products = [catalog.get_product(c) for c, *_rest in PRODUCTS]
    ids: list[int] = []
    start = time.perf_counter()
    for i in range(count):
        cart = Cart()
        for _n in range(rng.randint(1, 8)):
            p = rng.choice(products)
            milli = rng.randint(100, 2500) if p.unit == "kg" else rng.randint(1, 4) * 1000
            cart = cart.add_product(p, milli, merge=False)
            if rng.random() < 0.2:
                cart = cart.discount_line(len(cart.lines), Discount("percent", Decimal(rng.choice([5, 10, 15]))))
        if rng.random() < 0.15:
            cart = cart.discount_cart(Discount("percent", Decimal(rng.choice([3, 5, 10]))))
        total = cart.total
        if i % 10 == 9 and total > 1:
            part = (total / 2).quantize(Decimal("0.01"))
            payments = [
                PaymentInput("on_account", part, details={"account": "BAKKAL"}),
                PaymentInput("cash", total - part),
            ]
        else:
            payments = [PaymentInput("cash", total)]
        sale = complete_sale("T1", actor, payments, now=now, cart=cart, tz=settings.shop.timezone)
        ids.append(sale.sale_id)
    return ids, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sales", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="30 sales: a smoke run")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.sales = 30
    load_before = os.getloadavg()

    from lxml import etree

    from pos_tui.core import einvoice
    from pos_tui.core.einvoice import validation
    from pos_tui.store import close_database

    with tempfile.TemporaryDirectory() as tmp:
        settings, actor, now = setup(Path(tmp) / "einvoice.sqlite3")
        sale_ids, posting_s = post_sales(args.sales, actor, now, settings)
        buyer = einvoice.InvoiceParty(TCKN, "Ayşe Yılmaz", district="Kadıköy", city="İstanbul")
        supplier = einvoice.shop_party(settings.shop)

        def xml_alone(sale_id: int) -> bytes:
            draft = einvoice.draft_from_sales([sale_id], customer=buyer, supplier=supplier)
            figures = einvoice.compute(draft)
            return einvoice.build(
                draft,
                figures,
                number=f"ZZZ{now.year}{sale_id:09d}",
                uuid=str(uuid.uuid4()),
                profile=einvoice.EARSIVFATURA,
                issued_at=now,
            )

        # both engines built once (compiling the schematron takes about half a second), as a running till has
        assert not einvoice.validate(xml_alone(sale_ids[0]))
        # baseline first (it writes nothing), then ours; each sale once
        gc.collect()
        base: list[float] = []
        for sid in sale_ids:
            t = time.perf_counter()
            xml_alone(sid)
            base.append(time.perf_counter() - t)
        gc.collect()
        ours: list[float] = []
        issued = []
        for sid in sale_ids:
            t = time.perf_counter()
            inv = einvoice.invoice_sales([sid], actor=actor, terminal="T1", now=now, settings=settings, customer=buyer)
            ours.append(time.perf_counter() - t)
            issued.append(inv.id)
        xmls = [einvoice.invoice_xml(i) for i in issued]
        schema = etree.XMLSchema(file=str(validation.XSD))  # GİB's XSD, as validate() loads it
        validate_s: list[float] = []
        xsd_s: list[float] = []
        for xml in xmls:
            t = time.perf_counter()
            findings = einvoice.validate(xml)
            validate_s.append(time.perf_counter() - t)
            assert not findings, findings[:3]
            t = time.perf_counter()
            schema.validate(etree.fromstring(xml))
            xsd_s.append(time.perf_counter() - t)
        close_database()

    issue_p, base_p = percentiles(ours), percentiles(base)
    val_p, xsd_p = percentiles(validate_s), percentiles(xsd_s)
    total_s = sum(ours)
    n = f"{args.sales:,}"
    save(
        "einvoice",
        {
            "sizes": {"sales": args.sales},
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "issue": issue_p,
            "xml_alone": base_p,
            "validate": val_p,
            "xsd_alone": xsd_p,
            "posting_sales_s": round(posting_s, 3),
            "issuing_invoices_s": round(total_s, 3),
            "summary": [
                verdict(
                    "e-invoice issue (route, draft, XML, XSD + schematron, store, journal), per invoice",
                    "ms",
                    issue_p["mean_ms"],
                    baseline=base_p["mean_ms"],
                    baseline_name="the XML alone (draft + figures + UBL)",
                ),
                verdict(
                    "e-invoice validation (GİB XSD + schematron), per invoice",
                    "ms",
                    val_p["mean_ms"],
                    baseline=xsd_p["mean_ms"],
                    baseline_name="XSD alone",
                ),
                verdict(
                    f"e-invoice issue of {n} sales, total",
                    "s",
                    round(total_s, 3),
                    baseline=round(posting_s, 3),
                    baseline_name=f"posting the {n} sales",
                ),
            ],
        },
        quiet=args.quiet,
    )


if __name__ == "__main__":
    main()
