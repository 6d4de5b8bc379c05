"""An amount in Turkish words, as invoices write it: ``Yalnız: BinİkiYüzOtuzDört Türk Lirası ElliAltı Kuruş``.

Turkish writes "yüz" and "bin" without "bir" in front (100 = yüz, 1000 = bin, but 1.000.000 = bir milyon);
invoices run the words together with capitals so that nothing can be squeezed in between.
"""

from __future__ import annotations

from decimal import Decimal

_ONES = ("", "Bir", "İki", "Üç", "Dört", "Beş", "Altı", "Yedi", "Sekiz", "Dokuz")
_TENS = ("", "On", "Yirmi", "Otuz", "Kırk", "Elli", "Altmış", "Yetmiş", "Seksen", "Doksan")
_GROUPS = ("", "Bin", "Milyon", "Milyar", "Trilyon", "Katrilyon")


def _hundreds(n: int) -> str:
    h, rest = divmod(n, 100)
    t, o = divmod(rest, 10)
    head = "" if h == 0 else ("Yüz" if h == 1 else _ONES[h] + "Yüz")
    return head + _TENS[t] + _ONES[o]


def number_words(n: int) -> str:
    """``n`` ≥ 0 in words: 0 → Sıfır, 1000 → Bin, 1001 → BinBir, 2_000_000 → İkiMilyon."""
    if n < 0:
        raise ValueError("negative amounts have no words on an invoice")
    if n == 0:
        return "Sıfır"
    parts: list[str] = []
    group = 0
    while n:
        n, chunk = divmod(n, 1000)
        if chunk:
            if group >= len(_GROUPS):
                raise ValueError("amount too large to write in words")
            words = "" if group == 1 and chunk == 1 else _hundreds(chunk)
            parts.append(words + _GROUPS[group])
        group += 1
    return "".join(reversed(parts))


def amount_words(amount: Decimal, currency: str = "TRY") -> str:
    """``Yalnız: … Türk Lirası … Kuruş`` (no kuruş part when it is zero)."""
    kurus = int((amount * 100).to_integral_value())
    lira, cents = divmod(kurus, 100)
    unit, sub = ("Türk Lirası", "Kuruş") if currency == "TRY" else (currency, "/100")
    text = f"Yalnız: {number_words(lira)} {unit}"
    if cents:
        text += f" {number_words(cents)} {sub}"
    return text
