"""The cart being rung up: pure values and arithmetic, no I/O.

A :class:`Cart` is immutable; every change (:meth:`Cart.add`, :meth:`Cart.void`...) returns a
new cart, so the service layer (:mod:`pos_tui.core.till.carts`) can compute the new state, save it
and journal the change in one transaction, and a failed check leaves the old cart untouched.
``to_dict``/``from_dict`` give the JSON stored in ``cart_draft.data``.

Arithmetic (the only rounding happens once per line, see :mod:`pos_tui.core.kernel.money`):

1. line gross = ``line_amount(unit_price, qty)``; for a price-embedded scale label the label's
   price *is* the gross (``fixed_amount``) and the quantity is derived for stock only;
2. line discount: a percentage of the gross (rounded half-up) or an amount, never more than
   the gross;
3. loyalty benefits (:class:`Benefit`: promotions, stamp and reward items, the tier's basket
   discount, coupons) are amounts on single lines computed by the loyalty engine from the
   lines after step 2; each is capped at what its line still costs;
4. the cart discount (percentage of, or amount off, the sum after line discounts) is spread
   over the active lines in proportion to what they still cost, with
   :func:`~pos_tui.core.kernel.money.allocate`, so the line nets sum exactly to the total and no line
   goes below zero;
5. KDV: each line's net is split into base + KDV; the per-rate breakdown splits the *sum* of
   the nets of each rate, so over all rates base + KDV equals the total to the kuruş (the
   per-line KDV of one rate may differ from the rate's KDV by rounding; receipts and the Z
   use the per-rate figures).

Account prices: a sale may be made to a customer account (:class:`SaleAccount`, chosen at the
till) whose price list gives some products another price. Such a line keeps the catalog price as
``list_price`` and carries the list's price as ``account_price``, which is also its
``unit_price`` (what is charged); :meth:`Cart.with_account` re-prices every line that is not
voided, not priced by hand (an override keeps its price) and not priced by a scale label, and
clearing the account puts the catalog prices back.

Voided lines stay in the cart (the receipt of the session shows them struck out and the
journal records them) but count for nothing. Line numbers are stable for the life of the
cart; the posted receipt numbers its lines 1..n.

Merging: adding a product that is the same as the *last* line — same product and barcode,
not weighed, not from a price label, catalog price, no discount, not voided — increases that
line's quantity instead of adding a line. That is what a Turkish till does when the same
item is scanned twice in a row; the same item scanned later gets its own line, so the
receipt keeps the order the customer saw.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from pos_tui.core.kernel.errors import NotFound, ValidationError
from pos_tui.core.kernel.formatting import format_money, format_percent, format_quantity
from pos_tui.core.kernel.money import (
    CENT,
    MILLI,
    ZERO,
    allocate,
    line_amount,
    money,
    percent_of,
    qty_to_decimal,
    split_kdv,
)
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.i18n import _

DISCOUNT_KINDS = ("percent", "amount")
WEIGHED_UNITS = ("kg",)
# Nothing a shop sells comes in more than 99,999 units on one line; a bigger number is almost
# always a barcode typed or scanned into the quantity field.
MAX_QTY_MILLI = 99_999 * MILLI
FORMAT_VERSION = 1


def check_quantity(qty_milli: int, unit: str) -> None:
    """A line quantity must be positive, sane, and whole for items sold by the piece."""
    if qty_milli <= 0:
        raise ValidationError(_("Quantity must be more than zero"))
    if qty_milli > MAX_QTY_MILLI:
        raise ValidationError(
            _("Quantity {qty} is too large (at most {limit})").format(
                qty=format_quantity(qty_milli), limit=format_quantity(MAX_QTY_MILLI)
            )
        )
    if unit == "piece" and qty_milli % MILLI:
        raise ValidationError(
            _("Items sold by the piece need a whole quantity, not {qty}").format(qty=format_quantity(qty_milli))
        )


def _check_price(price: Decimal, what: str) -> Decimal:
    value = money(price)
    if value < 0:
        raise ValidationError(_("{what} cannot be negative").format(what=what))
    return value


@dataclass(frozen=True, slots=True)
class Discount:
    """A line or cart discount: ``percent`` (0 < value ≤ 100, two decimals) or ``amount`` in lira."""

    kind: str
    value: Decimal

    def __post_init__(self) -> None:
        if self.kind not in DISCOUNT_KINDS:
            raise ValidationError(_("Unknown discount kind {kind!r}").format(kind=self.kind))
        value = money(self.value)
        if value <= 0:
            raise ValidationError(_("A discount must be more than zero"))
        if self.kind == "percent" and value > 100:
            raise ValidationError(_("A discount cannot be more than 100%"))
        object.__setattr__(self, "value", value)

    def amount_on(self, base: Decimal) -> Decimal:
        """The discount in lira on ``base``; an amount is capped at the base (nothing goes negative)."""
        if base <= 0:
            return ZERO
        if self.kind == "percent":
            return min(percent_of(base, self.value), base)
        return min(self.value, base)

    def percent_on(self, base: Decimal) -> Decimal:
        """The equivalent percentage on ``base``, for the cashier's discount limit."""
        if self.kind == "percent":
            return self.value
        if base <= 0:
            return Decimal(100)
        return (self.value * 100 / base).quantize(CENT, rounding=ROUND_HALF_UP)

    def describe(self, language: str | None = None) -> str:
        if self.kind == "percent":
            return format_percent(self.value, language)
        return format_money(self.value, language)

    def to_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "value": str(self.value)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Discount:
        return cls(str(data["kind"]), Decimal(str(data["value"])))


class Sellable(Protocol):
    """What the cart needs of a catalog product (e.g. :class:`pos_tui.core.catalog.products.ProductInfo`)."""

    @property
    def id(self) -> int: ...
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def kdv_rate(self) -> int: ...
    @property
    def price(self) -> Decimal: ...


@dataclass(frozen=True, slots=True)
class Benefit:
    """A loyalty discount of ``amount`` on line ``line_no``, printed as its own receipt line.

    ``kind`` is promotion | stamp | reward | tier | coupon; ``code`` names the rule, stamp
    card, reward or coupon; ``points`` is what a reward costs (redeemed when the sale posts).
    The loyalty engine computes benefits from the lines (``pos_tui.core.loyalty.pricing``);
    the cart only subtracts them."""

    line_no: int
    amount: Decimal
    kind: str
    code: str
    label: str
    points: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "line_no": self.line_no,
            "amount": str(self.amount),
            "kind": self.kind,
            "code": self.code,
            "label": self.label,
            "points": self.points,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Benefit:
        return cls(
            int(data["line_no"]),
            money(str(data["amount"])),
            str(data["kind"]),
            str(data["code"]),
            str(data["label"]),
            int(data.get("points", 0)),
        )


@dataclass(frozen=True, slots=True)
class CartLine:
    """One line of the cart. ``unit_price`` is what is charged, ``list_price`` the catalog price
    when the line was rung up; they differ after a price override (with its reason) or when the
    sale's account price list priced the line (``account_price``, then equal to ``unit_price``)."""

    line_no: int
    product_id: int
    code: str
    name: str
    unit: str
    kdv_rate: int
    qty_milli: int
    unit_price: Decimal
    list_price: Decimal
    barcode: str | None = None
    price_override_reason: str | None = None
    discount: Discount | None = None
    voided: bool = False
    void_reason: str | None = None
    weighed: bool = False
    fixed_amount: Decimal | None = None
    account_price: Decimal | None = None

    @property
    def account_priced(self) -> bool:
        """True when the line is charged its account's price-list price (not its catalog price)."""
        return self.account_price is not None and not self.price_overridden and self.fixed_amount is None

    @property
    def gross(self) -> Decimal:
        """What the line costs before discounts."""
        if self.fixed_amount is not None:
            return self.fixed_amount
        return line_amount(self.unit_price, self.qty_milli)

    @property
    def line_discount(self) -> Decimal:
        return self.discount.amount_on(self.gross) if self.discount else ZERO

    @property
    def price_overridden(self) -> bool:
        return self.price_override_reason is not None

    @property
    def qty(self) -> Decimal:
        return qty_to_decimal(self.qty_milli)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "line_no": self.line_no,
            "product_id": self.product_id,
            "code": self.code,
            "barcode": self.barcode,
            "name": self.name,
            "unit": self.unit,
            "kdv_rate": self.kdv_rate,
            "qty_milli": self.qty_milli,
            "unit_price": str(self.unit_price),
            "list_price": str(self.list_price),
            "price_override_reason": self.price_override_reason,
            "discount": self.discount.to_dict() if self.discount else None,
            "voided": self.voided,
            "void_reason": self.void_reason,
            "weighed": self.weighed,
            "fixed_amount": None if self.fixed_amount is None else str(self.fixed_amount),
        }
        if self.account_price is not None:  # only then: drafts of other sales read as before
            data["account_price"] = str(self.account_price)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CartLine:
        fixed = data.get("fixed_amount")
        account = data.get("account_price")
        disc = data.get("discount")
        return cls(
            line_no=int(data["line_no"]),
            product_id=int(data["product_id"]),
            code=str(data["code"]),
            barcode=data.get("barcode"),
            name=str(data["name"]),
            unit=str(data["unit"]),
            kdv_rate=int(data["kdv_rate"]),
            qty_milli=int(data["qty_milli"]),
            unit_price=money(str(data["unit_price"])),
            list_price=money(str(data["list_price"])),
            price_override_reason=data.get("price_override_reason"),
            discount=Discount.from_dict(disc) if disc else None,
            voided=bool(data.get("voided", False)),
            void_reason=data.get("void_reason"),
            weighed=bool(data.get("weighed", False)),
            fixed_amount=None if fixed is None else money(str(fixed)),
            account_price=None if account is None else money(str(account)),
        )


@dataclass(frozen=True, slots=True)
class SaleAccount:
    """The customer account a sale is made to (chosen at the till): the party, the customer row
    the posted sale records (``Sale.customer``) and the price list that prices the lines."""

    party_id: int
    code: str
    name: str
    customer_id: int | None = None
    price_list_id: int | None = None
    price_list: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "party_id": self.party_id,
            "code": self.code,
            "name": self.name,
            "customer_id": self.customer_id,
            "price_list_id": self.price_list_id,
            "price_list": self.price_list,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SaleAccount:
        customer, list_id = data.get("customer_id"), data.get("price_list_id")
        return cls(
            int(data["party_id"]),
            str(data["code"]),
            str(data["name"]),
            None if customer is None else int(customer),
            None if list_id is None else int(list_id),
            data.get("price_list"),
        )


@dataclass(frozen=True, slots=True)
class LineTotals:
    """The money of one active line after all discounts."""

    line_no: int
    gross: Decimal
    line_discount: Decimal
    cart_discount: Decimal
    net: Decimal
    kdv_rate: int
    base: Decimal
    kdv: Decimal
    benefit: Decimal = ZERO

    @property
    def discount(self) -> Decimal:
        return self.line_discount + self.benefit + self.cart_discount


@dataclass(frozen=True, slots=True)
class KdvRow:
    """Base and KDV of one rate; ``base + kdv`` is what the lines of this rate cost."""

    rate: int
    base: Decimal
    kdv: Decimal

    @property
    def gross(self) -> Decimal:
        return self.base + self.kdv


@dataclass(frozen=True, slots=True)
class CartTotals:
    """Totals of the active lines. ``subtotal - discount == total == sum(line nets) ==
    sum(base + kdv over kdv rows)``, exactly."""

    lines: tuple[LineTotals, ...]
    subtotal: Decimal
    line_discount: Decimal
    cart_discount: Decimal
    total: Decimal
    kdv: tuple[KdvRow, ...]
    benefit: Decimal = ZERO

    @property
    def discount(self) -> Decimal:
        return self.line_discount + self.benefit + self.cart_discount

    @property
    def kdv_total(self) -> Decimal:
        return sum((row.kdv for row in self.kdv), ZERO)

    def line(self, line_no: int) -> LineTotals:
        for lt in self.lines:
            if lt.line_no == line_no:
                return lt
        raise NotFound(_("No active line {line_no} in the cart").format(line_no=line_no))


def benefit_amounts(lines: Sequence[CartLine], benefits: Sequence[Benefit]) -> dict[int, Decimal]:
    """What the benefits take off each active line, capped at what the line costs after its
    own discount (benefits on a voided or missing line count for nothing)."""
    room = {ln.line_no: ln.gross - ln.line_discount for ln in lines if not ln.voided}
    taken: dict[int, Decimal] = {}
    for b in benefits:
        if b.line_no in room:
            amount = min(b.amount, room[b.line_no] - taken.get(b.line_no, ZERO))
            taken[b.line_no] = taken.get(b.line_no, ZERO) + max(amount, ZERO)
    return taken


# id(line) -> (line, gross, line discount, its totals when no benefit and no share of a cart
# discount apply to it). A cart's totals are computed on every scan and every line but the
# new one is the same object as before; lines are immutable, and the line is held so its id
# cannot be reused while the entry lives.
_FIGURES: dict[int, tuple[CartLine, Decimal, Decimal, LineTotals]] = {}
_FIGURES_LIMIT = 4096


def _figures(ln: CartLine) -> tuple[CartLine, Decimal, Decimal, LineTotals]:
    hit = _FIGURES.get(id(ln))
    if hit is not None and hit[0] is ln:
        return hit
    gross, disc = ln.gross, ln.line_discount
    net = gross - disc - ZERO - ZERO  # as compute_totals: no benefit, no cart-discount share
    base, kdv = split_kdv(net, ln.kdv_rate)
    entry = (ln, gross, disc, LineTotals(ln.line_no, gross, disc, ZERO, net, ln.kdv_rate, base, kdv, ZERO))
    if len(_FIGURES) >= _FIGURES_LIMIT:
        _FIGURES.clear()
    _FIGURES[id(ln)] = entry
    return entry


def compute_totals(
    lines: Sequence[CartLine], discount: Discount | None, benefits: Sequence[Benefit] = ()
) -> CartTotals:
    """The cart arithmetic described in the module docstring. A line that neither a benefit
    nor a cart discount touches has the same totals object as in the last cart it was in."""
    active = [ln for ln in lines if not ln.voided]
    figures = [_figures(ln) for ln in active]
    gross = [f[1] for f in figures]
    line_disc = [f[2] for f in figures]
    by_benefit = benefit_amounts(active, benefits) if benefits else {}
    benefit = [by_benefit.get(ln.line_no, ZERO) for ln in active]
    after = [g - d - b for g, d, b in zip(gross, line_disc, benefit, strict=True)]
    before_cart = sum(after, ZERO)
    cart_disc = discount.amount_on(before_cart) if discount else ZERO
    shares = allocate(cart_disc, after) if active else []
    per_line: list[LineTotals] = []
    by_rate: dict[int, Decimal] = {}
    for f, b, a, s in zip(figures, benefit, after, shares, strict=True):
        ln = f[0]
        if not b and not s:
            lt = f[3]
        else:
            base, kdv = split_kdv(a - s, ln.kdv_rate)
            lt = LineTotals(ln.line_no, f[1], f[2], s, a - s, ln.kdv_rate, base, kdv, b)
        per_line.append(lt)
        by_rate[ln.kdv_rate] = by_rate.get(ln.kdv_rate, ZERO) + lt.net
    rows = tuple(KdvRow(rate, *split_kdv(amount, rate)) for rate, amount in sorted(by_rate.items()))
    subtotal = sum(gross, ZERO)
    total_line_disc = sum(line_disc, ZERO)
    total_benefit = sum(benefit, ZERO)
    return CartTotals(
        lines=tuple(per_line),
        subtotal=subtotal,
        line_discount=total_line_disc,
        cart_discount=cart_disc,
        total=subtotal - total_line_disc - total_benefit - cart_disc,
        kdv=rows,
        benefit=total_benefit,
    )


@dataclass(frozen=True, slots=True)
class Cart:
    """The lines being sold, an optional cart discount, customer and note; for a loyalty
    member also the member, the coupon codes and rewards the cashier entered, and the
    benefits the loyalty engine computed from all of that."""

    lines: tuple[CartLine, ...] = ()
    discount: Discount | None = None
    customer_id: int | None = None
    note: str | None = None
    member_id: int | None = None
    coupons: tuple[str, ...] = ()
    rewards: tuple[str, ...] = ()
    benefits: tuple[Benefit, ...] = ()
    account: SaleAccount | None = None

    # ----------------------------------------------------------------- queries
    @property
    def active_lines(self) -> tuple[CartLine, ...]:
        return tuple(ln for ln in self.lines if not ln.voided)

    @property
    def is_empty(self) -> bool:
        """True when nothing is left to sell (no lines, or every line voided)."""
        return not self.active_lines

    @property
    def is_blank(self) -> bool:
        """True when there is nothing at all worth keeping (not even a voided line or a customer)."""
        return (
            not self.lines
            and self.discount is None
            and self.customer_id is None
            and not self.note
            and self.member_id is None
            and not self.coupons
            and not self.rewards
            and self.account is None
        )

    @property
    def last_line(self) -> CartLine | None:
        """The line the last scan went to (new or merged): the one the screen highlights."""
        return self.lines[-1] if self.lines else None

    def line(self, line_no: int) -> CartLine:
        for ln in self.lines:
            if ln.line_no == line_no:
                return ln
        raise NotFound(_("No line {line_no} in the cart").format(line_no=line_no))

    def active_line(self, line_no: int) -> CartLine:
        ln = self.line(line_no)
        if ln.voided:
            raise ValidationError(_("Line {line_no} is voided").format(line_no=line_no))
        return ln

    def totals(self) -> CartTotals:
        return compute_totals(self.lines, self.discount, self.benefits)

    @property
    def total(self) -> Decimal:
        return self.totals().total

    # ----------------------------------------------------------------- changes
    def _replace_line(self, new: CartLine) -> Cart:
        return dataclasses.replace(self, lines=tuple(new if ln.line_no == new.line_no else ln for ln in self.lines))

    def add(
        self,
        *,
        product_id: int,
        code: str,
        name: str,
        unit: str,
        kdv_rate: int,
        price: Decimal,
        qty_milli: int = MILLI,
        barcode: str | None = None,
        weighed: bool = False,
        fixed_amount: Decimal | None = None,
        merge: bool = True,
        account_price: Decimal | None = None,
    ) -> Cart:
        """Add ``qty_milli`` of a product at its catalog ``price`` (charged ``account_price``
        when the sale's account price list gives one), merging into the last line when it is
        the same plain item (see the module docstring) unless ``merge`` is false."""
        price = _check_price(price, _("The price"))
        if fixed_amount is not None:
            account_price = None  # a scale label's price is what is charged
        if account_price is not None:
            account_price = _check_price(account_price, _("The price"))
        charged = price if account_price is None else account_price
        check_quantity(qty_milli, unit)
        if fixed_amount is not None:
            fixed_amount = _check_price(fixed_amount, _("The label price"))
        last = self.last_line
        if (
            merge
            and last is not None
            and not weighed
            and fixed_amount is None
            and not last.voided
            and not last.weighed
            and last.fixed_amount is None
            and last.discount is None
            and not last.price_overridden
            and last.product_id == product_id
            and last.barcode == barcode
            and last.unit_price == charged
            and last.list_price == price
        ):
            merged = last.qty_milli + qty_milli
            check_quantity(merged, unit)
            return self._replace_line(dataclasses.replace(last, qty_milli=merged))
        line_no = max((ln.line_no for ln in self.lines), default=0) + 1
        line = CartLine(
            line_no=line_no,
            product_id=product_id,
            code=code,
            barcode=barcode,
            name=name,
            unit=unit,
            kdv_rate=kdv_rate,
            qty_milli=qty_milli,
            unit_price=charged,
            list_price=price,
            weighed=weighed,
            fixed_amount=fixed_amount,
            account_price=account_price,
        )
        return dataclasses.replace(self, lines=(*self.lines, line))

    def add_product(self, product: Sellable, qty_milli: int = MILLI, **options: Any) -> Cart:
        """:meth:`add` for a catalog product at its catalog price; ``options`` are add's
        ``barcode``, ``weighed``, ``fixed_amount`` and ``merge``."""
        return self.add(
            product_id=product.id,
            code=product.code,
            name=product.name,
            unit=product.unit,
            kdv_rate=product.kdv_rate,
            price=product.price,
            qty_milli=qty_milli,
            **options,
        )

    def set_quantity(self, line_no: int, qty_milli: int) -> Cart:
        """Change a line's quantity. Weighed lines and price labels keep what the scale said."""
        ln = self.active_line(line_no)
        if ln.weighed or ln.fixed_amount is not None:
            raise ValidationError(
                _("The quantity of a weighed line comes from the scale; void line {line_no} and weigh again").format(
                    line_no=line_no
                )
            )
        check_quantity(qty_milli, ln.unit)
        return self._replace_line(dataclasses.replace(ln, qty_milli=qty_milli))

    def void(self, line_no: int, reason: str) -> Cart:
        ln = self.active_line(line_no)
        reason = _require_reason(reason)
        return self._replace_line(dataclasses.replace(ln, voided=True, void_reason=reason))

    def discount_line(self, line_no: int, discount: Discount | None) -> Cart:
        """Set (or with ``None`` remove) a line discount; an amount may not exceed the line."""
        ln = self.active_line(line_no)
        if discount is not None and discount.kind == "amount" and discount.value > ln.gross:
            raise ValidationError(
                _("A discount of {amount} is more than line {line_no} costs ({gross})").format(
                    amount=format_money(discount.value), line_no=line_no, gross=format_money(ln.gross)
                )
            )
        return self._replace_line(dataclasses.replace(ln, discount=discount))

    def discount_cart(self, discount: Discount | None) -> Cart:
        """Set (or with ``None`` remove) the cart discount, taken after the line discounts."""
        if discount is not None:
            if self.is_empty:
                raise ValidationError(_("The cart is empty"))
            base = self.discount_base
            if discount.kind == "amount" and discount.value > base:
                raise ValidationError(
                    _("A discount of {amount} is more than the cart costs ({base})").format(
                        amount=format_money(discount.value), base=format_money(base)
                    )
                )
        return dataclasses.replace(self, discount=discount)

    @property
    def discount_base(self) -> Decimal:
        """What the active lines cost after line discounts: the base of the cart discount."""
        return sum((ln.gross - ln.line_discount for ln in self.active_lines), ZERO)

    def override_price(self, line_no: int, new_price: Decimal, reason: str) -> Cart:
        """Charge ``new_price`` per unit on a line; the catalog price stays as ``list_price``."""
        ln = self.active_line(line_no)
        if ln.fixed_amount is not None:
            raise ValidationError(
                _("Line {line_no} is priced by its scale label; give a discount instead").format(line_no=line_no)
            )
        price = _check_price(new_price, _("The price"))
        reason = _require_reason(reason)
        return self._replace_line(dataclasses.replace(ln, unit_price=price, price_override_reason=reason))

    def with_customer(self, customer_id: int | None) -> Cart:
        return dataclasses.replace(self, customer_id=customer_id)

    def with_account(self, account: SaleAccount | None, prices: Mapping[int, Decimal] | None = None) -> Cart:
        """Make the sale to ``account`` (``None``: to nobody) and re-price the lines: a line the
        account's list prices (``prices``: product id → price, only products the list names) is
        charged that price; every other line its catalog price. Voided lines, lines priced by
        hand and scale labels keep their price. The customer row goes with the account."""
        prices = prices or {}
        lines = []
        for ln in self.lines:
            if ln.voided or ln.price_overridden or ln.fixed_amount is not None:
                lines.append(ln)
                continue
            found = prices.get(ln.product_id) if account is not None else None
            unit = ln.list_price if found is None else found
            if unit != ln.unit_price or found != ln.account_price:
                ln = dataclasses.replace(ln, unit_price=unit, account_price=found)
            lines.append(ln)
        customer = self.customer_id
        if self.account is not None and customer == self.account.customer_id:
            customer = None  # the account's customer leaves with it
        if account is not None and account.customer_id is not None:
            customer = account.customer_id
        return dataclasses.replace(self, lines=tuple(lines), account=account, customer_id=customer)

    def with_note(self, note: str | None) -> Cart:
        refuse_pan(note)
        return dataclasses.replace(self, note=(note or "").strip() or None)

    def with_member(self, member_id: int | None) -> Cart:
        """Attach a loyalty member (``None`` detaches; their coupons and rewards go with them)."""
        if member_id is None:
            return dataclasses.replace(self, member_id=None, coupons=(), rewards=(), benefits=())
        return dataclasses.replace(self, member_id=member_id)

    def with_coupons(self, coupons: Sequence[str]) -> Cart:
        return dataclasses.replace(self, coupons=tuple(coupons))

    def with_rewards(self, rewards: Sequence[str]) -> Cart:
        return dataclasses.replace(self, rewards=tuple(rewards))

    def with_benefits(self, benefits: Sequence[Benefit]) -> Cart:
        return dataclasses.replace(self, benefits=tuple(benefits))

    # ----------------------------------------------------------------- JSON
    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": FORMAT_VERSION,
            "lines": [ln.to_dict() for ln in self.lines],
            "discount": self.discount.to_dict() if self.discount else None,
            "customer_id": self.customer_id,
            "note": self.note,
            "member_id": self.member_id,
            "coupons": list(self.coupons),
            "rewards": list(self.rewards),
            "benefits": [b.to_dict() for b in self.benefits],
        }
        if self.account is not None:  # only then: drafts without an account read as before
            data["account"] = self.account.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Cart:
        """Rebuild a cart written by :meth:`to_dict`. Raises ValueError on a version it does not know."""
        version = int(data.get("version", FORMAT_VERSION))
        if version != FORMAT_VERSION:
            raise ValueError(f"cart format version {version} is not supported (expected {FORMAT_VERSION})")
        disc = data.get("discount")
        customer = data.get("customer_id")
        return cls(
            lines=tuple(CartLine.from_dict(x) for x in data.get("lines", ())),
            discount=Discount.from_dict(disc) if disc else None,
            customer_id=None if customer is None else int(customer),
            note=data.get("note"),
            member_id=None if data.get("member_id") is None else int(data["member_id"]),
            coupons=tuple(str(c) for c in data.get("coupons", ())),
            rewards=tuple(str(r) for r in data.get("rewards", ())),
            benefits=tuple(Benefit.from_dict(b) for b in data.get("benefits", ())),
            account=SaleAccount.from_dict(data["account"]) if data.get("account") else None,
        )


def _require_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("A reason is needed"))
    refuse_pan(text)
    return text
