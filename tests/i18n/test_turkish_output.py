"""What a Turkish shop reads: Turkish numbers everywhere, and no English code inside a Turkish text.

The store keeps units, tenders, document kinds, roles, customer and card kinds, consent
channels and import fields as English codes; a person sees them through the labels in
``pos_tui.core.kernel.vocabulary``. Two checks: the Turkish catalog holds none of those codes as a word
(values a person types — after ``--option``, in ``pos-admin …``, or quoted — are allowed),
and the messages that used to leak them, rendered in Turkish, hold none either.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from babel.messages.pofile import read_po

from pos_tui.core import kernel, staff
from pos_tui.core.audit.verification import _describe
from pos_tui.core.basket import Cart, PaymentInput, check_quantity
from pos_tui.core.kernel import ValidationError, to_db, to_kurus, vocabulary
from pos_tui.core.staff import users
from pos_tui.core.till import complete_sale
from pos_tui.i18n import DOMAIN, LOCALE_DIR, set_language
from pos_tui.settings import Settings
from pos_tui.store import models as m
from pos_tui.text import fold

Cli = Callable[..., Any]
TR = {"POS_LANG": "tr"}

# Codes whose Turkish word is the same letters (units and abbreviations).
SAME_IN_TURKISH = {"kg", "lt", "m", "rfid", "vkn"}
ENGLISH_CODES = {
    code
    for name in dir(vocabulary)
    if name.endswith("_LABELS")
    for code in getattr(vocabulary, name)
    if code not in SAME_IN_TURKISH
}
# What a person types stays as typed: a placeholder, a quoted value, an option and its value,
# a pos-admin command line, a ``key = value`` of a rules file.
_TYPED = re.compile(
    r"\{[^}]*\}|'[^']*'|\"[^\"]*\"|`[^`]*`|--[\w-]+(?: [\w./-]+)?|pos-admin[^;:()]*|\w+ = \S+",
)


def english_codes(text: str) -> set[str]:
    """The English codes that occur as whole words in ``text`` outside what a person types."""
    return set(re.findall(r"\w+", _TYPED.sub(" ", text))) & ENGLISH_CODES


def test_the_check_knows_the_codes() -> None:
    assert {"piece", "membership", "email", "barcode", "sale", "price", "cash", "retail"} <= ENGLISH_CODES
    assert english_codes("fiyat: price eksi olamaz") == {"price"}
    assert english_codes("'box' şunlardan biri değil: kg, lt, m, piece") == {"piece"}
    assert english_codes("--method cash ya da 'card' olmalı; pos-admin users add AD --role admin") == set()


# Messages where the word is not a code: "admin" is the demo user's name.
NOT_CODES = {"Demo PINs: ayse (cashier) 1111 · mehmet (supervisor) 2222 · admin 9999"}


def test_the_turkish_catalog_holds_no_english_code() -> None:
    with (LOCALE_DIR / "tr" / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        catalog = read_po(f, locale="tr")
    leaks = []
    for message in catalog:
        if not message.id or message.id in NOT_CODES:
            continue
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        for form in forms:
            if found := english_codes(form):
                leaks.append(f"  {message.id!r}: {form!r} has {sorted(found)}")
    assert not leaks, "English codes in Turkish translations (quote what a person types):\n" + "\n".join(leaks)


@pytest.fixture
def turkish_sale(db: object, settings: Settings, now: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sale of 5,356 kg cheese at 455,80 (2.441,26) and 3 breads, paid 2.500,00 cash; a member."""
    monkeypatch.setattr(users, "_HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    staff.add_user("admin", "admin", "9999", now=now, settings=settings)  # `report x` is taken as an admin
    ayse = staff.actor_by_name("ayse", settings=settings)
    cart = Cart()
    for code, name, unit, price, rate, qty in (
        ("3001", "Beyaz Peynir", "kg", "455.80", 10, 5356),
        ("1001", "Ekmek", "piece", "10.00", 1, 3000),
    ):
        p = m.Product.create(
            code=code,
            name=name,
            name_key=fold(name),
            unit=unit,
            price=to_kurus(Decimal(price)),
            kdv_rate=rate,
            updated_at=to_db(now),
        )
        cart = cart.add(
            product_id=p.id, code=code, name=name, unit=unit, kdv_rate=rate, price=Decimal(price), qty_milli=qty
        )
    payment = [PaymentInput("cash", Decimal("2500.00"))]
    complete_sale("T1", ayse, payment, now=now, cart=cart, tz=settings.shop.timezone)


def _run(cli: Cli, *args: str) -> str:
    result = cli(*args, env=TR)
    return result.stdout + result.stderr


def test_reports_receipts_and_members_read_turkish_numbers(turkish_sale: None, cli: Cli, now: datetime) -> None:
    day = now.date().isoformat()
    sales = _run(cli, "report", "sales", "--by", "product", "--from", day)
    # amounts right-aligned in their columns (never cut), the name wraps at its words
    assert re.search(r"3001 │ Beyaz\s.*│\s+5,356 │\s+2\.441,26 │\s+0,00 │\s+2\.441,26", sales), sales
    x = _run(cli, "report", "x")
    assert re.search(r"Nakit\s+│ 2\.471,26", x) and "Brüt" in x, x
    receipt = _run(cli, "receipt", "show", "T1/1")
    assert "5,356 kg x 455,80" in receipt and "%10 2.441,26" in receipt and "2.500,00" in receipt, receipt
    assert "Ekmek" in receipt and "  3 x 10,00" in receipt
    added = _run(cli, "customers", "add", "--name", "Ayşe Yılmaz", "--phone", "0532 123 45 67", "--email", "a@b.tr")
    assert "1 numaralı üye" in added, added
    member = _run(cli, "customers", "show", "#1")
    assert "(barkodlu kart)" in member and "İzin: üyelik" in member and "İzin: SMS" in member, member
    assert "İzin: e-posta" in member and re.search(r"Mağaza kredisi\s+│ 0,00", member)
    consent = _run(cli, "customers", "consent", "1", "--channel", "email", "--grant")
    assert consent.strip() == "1 numaralı üye: e-posta izni verildi.", consent
    for text in (sales, x, receipt, member, consent):
        assert not english_codes(text), text


def test_import_errors_name_fields_and_choices_in_turkish(db: object, cli: Cli, tmp_path: Path) -> None:
    products = tmp_path / "urunler.csv"
    rows = "kod;ad;birim;fiyat;maliyet\nX1;Deneme;kutu;5,00;1,50\nX2;Deneme;adet;-5,00;1,50\n"
    products.write_text(rows, encoding="utf-8")
    out = _run(cli, "import", "products", str(products))
    assert "satır 2, birim: 'kutu' şunlardan biri değil: adet, kg, lt, m" in out, out
    assert "satır 3, fiyat: fiyat eksi olamaz" in out
    assert out.startswith("hata: ")
    customers = tmp_path / "musteriler.csv"
    customers.write_text("kod;ad;tur\nC1;Ali;esnaf\n", encoding="utf-8")
    out2 = _run(cli, "import", "customers", str(customers))
    assert "satır 2, tur: 'esnaf' şunlardan biri değil: perakende, toptan" in out2, out2
    for text in (out, out2):
        assert not english_codes(text), text


def test_core_messages_carry_turkish_numbers_and_words() -> None:
    set_language("tr")
    with pytest.raises(ValidationError) as whole:
        check_quantity(1500, "piece")
    assert "1,5" in str(whole.value) and "1.5" not in str(whole.value)
    assert _describe(7, "sale", "T1-5") == "kayıt 7 (satış T1-5)"
    assert _describe(8, "return", None) == "kayıt 8 (iade -)"
    assert kernel.channel_label("email") == "e-posta" and kernel.field_label("price") == "fiyat"
    assert kernel.unit_label("piece") == "adet" and kernel.card_kind_label("phone") == "telefon numarası"
