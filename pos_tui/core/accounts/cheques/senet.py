"""Installment plans of sales on account and their promissory notes (taksit, senet/bono).

A sale on account split into N installments leaves N account entries of kind ``sale`` with
``installment`` 1…N, the same ``sale`` FK (and ``document`` ``sale:<uid>``) and monthly due
dates. :func:`installment_plan` reads them back (cancelled installments left out);
:func:`senet_pdf` prints one promissory note (bono, "senet") per installment in the customary
Turkish form: the promise ("İşbu bononun mukabilinde … tarihinde … ödeyeceğim"), the amount in
figures and in words ("Yalnız … TL … kr"), the borrower's name, tax or identity number and
address, the place and date of issue, the due date and a signature line.

The note's wording is a Turkish legal form (Türk Ticaret Kanunu m. 776 lists what a bono must
say), so it is printed in Turkish whatever the interface language: it is the document, not a
message. Amounts in words: :func:`amount_in_words`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pos_tui.core.accounts.items import open_items
from pos_tui.core.accounts.ledger import SALE
from pos_tui.core.accounts.parties import PartyInfo, get_party
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, shop_day
from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_money
from pos_tui.core.kernel.money import from_kurus, to_kurus
from pos_tui.i18n import _
from pos_tui.store import models as m
from pos_tui.store import reading as store

if TYPE_CHECKING:
    from pos_tui.settings import Settings

_ONES = ("", "bir", "iki", "üç", "dört", "beş", "altı", "yedi", "sekiz", "dokuz")
_TENS = ("", "on", "yirmi", "otuz", "kırk", "elli", "altmış", "yetmiş", "seksen", "doksan")
_SCALES = ("", "bin", "milyon", "milyar", "trilyon", "katrilyon")


def _hundreds(n: int) -> list[str]:
    h, rest = divmod(n, 100)
    t, o = divmod(rest, 10)
    words = []
    if h:
        words += ([] if h == 1 else [_ONES[h]]) + ["yüz"]
    if t:
        words.append(_TENS[t])
    if o:
        words.append(_ONES[o])
    return words


def number_in_words(n: int, *, joined: bool = True) -> str:
    """A whole number in Turkish words: ``1250`` → ``binikiyüzelli`` (``joined=False``: ``bin iki
    yüz elli``). "bir" is left out before yüz and bin (``yüz``, ``bin``), kept before milyon
    (``birmilyon``). Written joined, as on cheques and notes, so nothing can be slipped in."""
    if n < 0:
        raise ValueError("number_in_words takes a number >= 0")
    if n == 0:
        return "sıfır"
    groups = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    if len(groups) > len(_SCALES):
        raise ValueError("number too large to write in words")
    words: list[str] = []
    for scale in range(len(groups) - 1, -1, -1):
        group = groups[scale]
        if not group:
            continue
        if scale == 1 and group == 1:
            words.append("bin")
            continue
        words += _hundreds(group)
        if scale:
            words.append(_SCALES[scale])
    return ("" if joined else " ").join(words)


def amount_in_words(amount: Decimal | int, *, joined: bool = True) -> str:
    """``Decimal("1250.25")`` → ``Yalnız binikiyüzelli TL yirmibeş kr``; whole lira leave the
    kuruş out (``Yalnız yüz TL``). Refuses negative amounts and anything finer than a kuruş."""
    kurus = amount if isinstance(amount, int) else to_kurus(amount)
    if kurus < 0:
        raise ValidationError(_("An amount in words cannot be negative"))
    lira, cents = divmod(kurus, 100)
    text = f"Yalnız {number_in_words(lira, joined=joined)} TL"
    if cents:
        text += f" {number_in_words(cents, joined=joined)} kr"
    return text


# -- the plan ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SaleRef:
    """The sale an installment plan belongs to (``id``/``receipt_no`` None when only the entries'
    ``sale:<uid>`` text names it)."""

    id: int | None
    uid: str
    terminal: str | None
    receipt_no: int | None
    day: date  # the sale's (or first installment's) shop day: the notes' date of issue
    total: Decimal | None


@dataclass(frozen=True, slots=True)
class PlanLine:
    no: int
    due: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Plan:
    party: PartyInfo
    sale: SaleRef
    lines: tuple[PlanLine, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0.00"))

    def as_json(self) -> dict[str, Any]:
        return {
            "party": self.party.code,
            "name": self.party.name,
            "sale": self.sale.uid,
            "terminal": self.sale.terminal,
            "receipt_no": self.sale.receipt_no,
            "date": self.sale.day.isoformat(),
            "total": f"{self.total:.2f}",
            "installments": [
                {"no": line.no, "due": line.due.isoformat(), "amount": f"{line.amount:.2f}"} for line in self.lines
            ],
        }


def _find_sale(text: str) -> tuple[int, str, str, int, datetime, int] | None:
    S = m.Sale
    columns = (S.id, S.uid, S.terminal, S.receipt_no, S.at, S.total)
    for row in store.rows(S.select(*columns).where(S.uid == text)):
        return row  # type: ignore[no-any-return]
    terminal, sep, number = text.rpartition("/")
    if not number.isdigit() or not number.isascii():
        return None
    query = S.select(*columns).where((S.receipt_no == int(number)) & (S.kind == "sale"))
    if sep:
        query = query.where(S.terminal == terminal.strip())
    found = list(store.rows(query.limit(2)))
    if len(found) > 1:
        raise ValidationError(
            _("Receipt {n} exists on several terminals; write it as TERMINAL/{n}, e.g. {example}").format(
                n=number, example=f"{found[0][2]}/{number}"
            )
        )
    return found[0] if found else None


def installment_plan(sale_uid_or_receipt: str, *, tz: str = SHOP_TZ) -> Plan:
    """The installments of one sale on account: by the sale's uid, its receipt number
    (``12``, or ``T1/12`` when several terminals have a 12) or the ``sale:<uid>`` text of its
    entries. Cancelled installments are left out. :class:`NotFound` when it has none."""
    text = str(sale_uid_or_receipt).strip()
    if text.startswith("sale:"):
        text = text[5:]
    if not text:
        raise ValidationError(_("Which sale? Give its uid or receipt number"))
    E = m.AccountEntry
    sale = _find_sale(text)
    where = (E.kind == SALE) & E.installment.is_null(False)
    if sale is not None:
        where &= (E.sale == sale[0]) | (E.document == f"sale:{sale[1]}")
    else:
        where &= E.document == f"sale:{text}"
    found = list(
        store.rows(
            E.select(E.id, E.party, E.installment, E.due, E.amount, E.at).where(where).order_by(E.installment, E.number)
        )
    )
    ids = [r[0] for r in found]
    cancelled = {c for (c,) in store.rows(E.select(E.cancels).where(E.cancels.in_(ids)))} if ids else set()
    rows = [r for r in found if r[0] not in cancelled]
    if not rows:
        raise NotFound(_("Sale {sale} has no installments on account").format(sale=text[:64]))
    parties = {r[1] for r in rows}
    if len(parties) > 1:
        raise ValidationError(_("Sale {sale}'s installments are on several accounts").format(sale=text[:64]))
    party = get_party(int(rows[0][1]))
    if sale is not None:
        ref = SaleRef(sale[0], sale[1], sale[2], sale[3], shop_day(from_db(sale[4]), tz), from_kurus(sale[5]))
    else:
        ref = SaleRef(None, text, None, None, shop_day(from_db(min(r[5] for r in rows)), tz), None)
    # What each installment still owes (a return or a payment since takes its part): a note never
    # states more than the debt; a fully paid installment gets no note.
    still = {i.entry_id: i.open for i in open_items(party.id, tz=tz) if i.open > 0}
    lines = tuple(
        PlanLine(int(no), due if isinstance(due, date) else date.fromisoformat(str(due)), from_kurus(still[entry_id]))
        for entry_id, _party, no, due, _amount, _at in rows
        if entry_id in still
    )
    if not lines:
        raise NotFound(_("Sale {sale}'s installments are all paid").format(sale=text[:64]))
    return Plan(party, ref, lines)


# -- the notes --------------------------------------------------------------------------------


def _sale_label(sale: SaleRef) -> str:
    """The receipt a person finds the sale by (``T1/12``), else the start of its uid."""
    return f"{sale.terminal}/{sale.receipt_no}" if sale.receipt_no is not None else sale.uid[:24]


PROMISE = (
    "İşbu bononun mukabilinde {due} tarihinde {creditor} veya emruhavalesine yukarıda yazılı "
    "{amount} Türk Lirası ({words}) ödeyeceğim. Bedeli malen ahzolunmuştur. Ödenmediği takdirde işbu "
    "bononun tabi olduğu hükümler gereğince yapılacak takip masraflarını ödemeyi kabul ederim. "
    "İhtilaf vukuunda {court} mahkemeleri ve icra daireleri yetkilidir."
)


def _day(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def _fonts() -> tuple[str, str]:
    """Bitstream Vera, shipped inside reportlab, has every Turkish letter (Helvetica has no ş)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(pdfmetrics.__file__).resolve().parent.parent / "fonts"
    names = ("PosSenet", "PosSenetBold")
    for name, file in zip(names, ("Vera.ttf", "VeraBd.ttf"), strict=True):
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    return names


def _place(address: str) -> str:
    """The place of issue: the last part of the shop's address (its town), or a blank to fill in."""
    parts = [p.strip() for p in address.replace("\n", ",").split(",") if p.strip()]
    return parts[-1] if parts else ""


def senet_pdf(plan: Plan, path: Path | str, settings: Settings, *, place: str | None = None) -> Path:
    """Write ``plan`` as promissory notes, two to an A4 page, to ``path`` (the file is replaced
    only when the whole PDF was written). ``place``: the place of issue (default: the town at
    the end of the shop's address)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen.canvas import Canvas

    path = Path(path)
    if not plan.lines:
        raise ValidationError(_("The plan has no installments"))
    if not path.parent.is_dir():
        raise ValidationError(_("No folder {folder} to write the notes to").format(folder=path.parent))
    regular, bold = _fonts()
    shop = settings.shop
    creditor = shop.legal_name or shop.name
    where = place if place is not None else _place(shop.address)
    court = where or "........"
    width, height = A4
    left, right = 18 * mm, width - 18 * mm
    tmp = path.with_name(path.name + ".part")
    canvas = Canvas(str(tmp), pagesize=A4, pageCompression=1)
    canvas.setTitle(f"Senet {_sale_label(plan.sale)}")
    canvas.setAuthor(creditor)
    count = len(plan.lines)
    for i, line in enumerate(plan.lines):
        top = height - 15 * mm if i % 2 == 0 else height / 2 - 8 * mm
        if i and i % 2 == 0:
            canvas.showPage()
        if i % 2 == 1:
            canvas.setDash(3, 3)
            canvas.line(10 * mm, height / 2, width - 10 * mm, height / 2)
            canvas.setDash()
        canvas.rect(left - 4 * mm, top - 118 * mm, right - left + 8 * mm, 124 * mm)
        y = top - 4 * mm
        canvas.setFont(bold, 15)
        canvas.drawString(left, y, "BONO (SENET)")
        canvas.setFont(regular, 10)
        canvas.drawRightString(right, y, f"Taksit {line.no}/{count}   Fiş: {_sale_label(plan.sale)}")
        y -= 10 * mm
        canvas.setFont(bold, 11)
        canvas.drawString(left, y, f"Vade: {_day(line.due)}")
        canvas.drawRightString(right, y, f"Tutar: {format_money(line.amount, 'tr')} TL")
        y -= 6 * mm
        canvas.setFont(regular, 10)
        canvas.drawString(left, y, f"Düzenleme yeri: {where or '................'}")
        canvas.drawRightString(right, y, f"Düzenleme tarihi: {_day(plan.sale.day)}")
        y -= 9 * mm
        promise = PROMISE.format(
            due=_day(line.due),
            creditor=creditor,
            amount=format_money(line.amount, "tr"),
            words=amount_in_words(line.amount),
            court=court,
        )
        for text in simpleSplit(promise, regular, 10, right - left):
            canvas.drawString(left, y, text)
            y -= 5 * mm
        y -= 2 * mm
        canvas.setFont(bold, 10)
        for text in simpleSplit(amount_in_words(line.amount), bold, 10, right - left):
            canvas.drawString(left, y, text)
            y -= 5 * mm
        y -= 4 * mm
        canvas.setFont(bold, 10)
        canvas.drawString(left, y, "Borçlu (Ödeyecek)")
        canvas.drawString(left + 110 * mm, y, "İmza")
        canvas.setFont(regular, 10)
        party = plan.party
        identity = (
            f"VKN: {party.vkn}" if party.vkn else f"TCKN: {party.tckn}" if party.tckn else "VKN/TCKN: ..........."
        )
        if party.tax_office:
            identity += f"   Vergi dairesi: {party.tax_office}"
        details = [f"Adı / Unvanı: {party.name}", identity]
        address = " ".join((party.address or "").split()) or "........................................"
        details += simpleSplit(f"Adresi: {address}", regular, 10, 100 * mm)[:3]
        if party.phone:
            details.append(f"Telefon: {party.phone}")
        for text in details:
            y -= 5 * mm
            canvas.drawString(left, y, text)
        canvas.line(left + 110 * mm, top - 100 * mm, right, top - 100 * mm)
        canvas.setFont(regular, 8)
        canvas.drawString(left, top - 112 * mm, f"Lehtar: {creditor}" + (f"   VKN: {shop.vkn}" if shop.vkn else ""))
    canvas.save()
    tmp.replace(path)
    return path
