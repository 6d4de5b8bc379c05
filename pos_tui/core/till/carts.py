"""The open cart and the parked carts of a terminal, saved on every change.

Each cashier has at most one *open* cart per terminal (``cart_draft`` row, status ``open``);
the service functions below load it, apply one change from :mod:`pos_tui.core.basket.cart`, save it
and journal what needs journalling, all in one write transaction. Because the row is committed
before the function returns, a ``kill -9`` or a crash never loses a scanned line: after
restart :func:`load_open_cart` gives the cashier the same lines. These commits skip the disk
flush (``write_tx(durable=False)``): a scan then costs no fsync, and only a power cut can
take back the last few cart changes (never a posted sale, which commits durably and with
it everything before it). A cashier who logs out with
a cart in progress finds it again on their next login on that terminal; another cashier
starts with an empty one.

Parked (suspended) carts belong to the terminal: any cashier may resume one, and resuming
parks the cashier's current cart first when it has lines.

Permissions (see :mod:`pos_tui.core.kernel.actors`): voiding a line or lowering a quantity needs
``void``; a typed weight ``manual_weight``; a price change ``price_override``; cancelling
the cart ``cancel_sale``; a discount must be within the cashier's limit. A used manager
override is journalled (kind ``override``) in the same transaction as the action.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pos_tui.core.basket.cart import WEIGHED_UNITS, Cart, CartLine, Discount, SaleAccount
from pos_tui.core.basket.codec import CODEC
from pos_tui.core.catalog.products import ProductInfo, scan
from pos_tui.core.kernel import journal
from pos_tui.core.kernel.actors import Actor, Override, require, require_discount
from pos_tui.core.kernel.clock import SHOP_TZ, from_db, shop_day, to_db
from pos_tui.core.kernel.errors import IntegrityError, NotFound, ValidationError
from pos_tui.core.kernel.money import MILLI, ZERO, qty_to_decimal
from pos_tui.core.kernel.pan import refuse_pan
from pos_tui.core.staff.users import record_override
from pos_tui.i18n import _
from pos_tui.settings import ScaleLabelMask
from pos_tui.store import fast, in_transaction, write_tx
from pos_tui.store import models as m

# The shipped default zone, for callers without settings (tests, scripts). The till and
# pos-admin pass the shop's configured zone (``settings.shop.timezone``) as ``tz``: the shop
# day decides which coupons, promotions and member benefits apply.
OPEN = "open"
PARKED = "parked"


# --------------------------------------------------------------------------- storage


@dataclass(frozen=True, slots=True)
class ParkedCart:
    """What the park/resume list shows for one parked cart."""

    draft_id: int
    cashier_id: int
    cashier: str
    lines: int
    total: Decimal
    customer_id: int | None
    note: str | None
    created_at: datetime
    parked_at: datetime
    account: str | None = None  # the code of the customer account the sale is made to (Ctrl+A)


@dataclass(frozen=True, slots=True)
class _Draft:
    """The stored open cart: its row id and its JSON."""

    id: int
    data: str


def _open_row(terminal: str, cashier_id: int) -> _Draft | None:
    row = fast.select_first(
        m.CartDraft, ("id", "data"), {"terminal": terminal, "status": OPEN, "cashier": cashier_id}, newest=True
    )
    return None if row is None else _Draft(int(row[0]), row[1])


def _decode(draft_id: int, data: str) -> Cart:
    try:
        return CODEC.decode(data, draft_id)
    except (ValueError, KeyError, TypeError) as exc:
        raise IntegrityError(
            _("The saved cart {draft_id} cannot be read: {error}").format(draft_id=draft_id, error=exc)
        ) from exc


def _cart_of(row: _Draft | None) -> Cart:
    return Cart() if row is None else _decode(int(row.id), row.data)


def _store(
    row: _Draft | None, terminal: str, cashier_id: int, cart: Cart, now: datetime, tz: str
) -> tuple[int | None, Cart]:
    """Price ``cart`` (loyalty benefits: promotions, stamps, rewards, tier, coupons) and write it
    as the open cart; a blank cart removes the row. Returns the draft id and the priced cart."""
    if cart.is_blank:
        if row is not None:
            fast.delete_where(m.CartDraft, {"id": row.id})
            CODEC.forget(row.id)
        return None, cart
    # Not strict: a void that takes the receipt below a coupon's minimum is allowed; the coupon
    # stops applying here and complete_sale (strict) names it if it is still on the cart.
    # Imported here, not with this module: loading the open cart (the sale screen's first paint)
    # needs no loyalty; the till loads it in the background right after (tui/app.py, _FOR_LATER).
    from pos_tui.core.loyalty.pricing import price_cart

    cart = price_cart(cart, now=now, tz=tz, strict=False)
    at = to_db(now)
    data = CODEC.encode(cart)
    if row is None:
        draft_id = fast.insert_one(
            m.CartDraft,
            {
                "terminal": terminal,
                "status": OPEN,
                "cashier": cashier_id,
                "data": data,
                "created_at": at,
                "updated_at": at,
            },
        )
    else:
        draft_id = row.id
        fast.update_where(m.CartDraft, {"data": data, "updated_at": at}, {"id": draft_id})
    # Remembered only once written: a failed transaction leaves the row as it was, and the
    # text read back then differs from what was remembered, so it is decoded afresh.
    CODEC.written(draft_id, data, cart)
    return draft_id, cart


def load_open_cart(terminal: str, cashier_id: int) -> Cart:
    """The cashier's open cart on ``terminal`` (an empty cart when there is none). Reads only."""
    return _cart_of(_open_row(terminal, cashier_id))


def save_cart(terminal: str, cashier_id: int, cart: Cart, *, now: datetime, tz: str = SHOP_TZ) -> None:
    """Replace the cashier's open cart with ``cart`` (a blank cart deletes it)."""
    with write_tx(durable=False):
        _store(_open_row(terminal, cashier_id), terminal, cashier_id, cart, now, tz)


def discard_open_cart(terminal: str, cashier_id: int) -> None:
    """Drop the open cart without a trace; only for the sale engine once the cart is posted.
    Inside the sale's transaction it is one more statement of it (a single statement needs
    no savepoint of its own)."""
    where = {"terminal": terminal, "status": OPEN, "cashier": cashier_id}
    if in_transaction():
        fast.delete_where(m.CartDraft, where)
        return
    with write_tx(durable=False):
        fast.delete_where(m.CartDraft, where)


# --------------------------------------------------------------------------- journalling


def _line_payload(line: CartLine) -> dict[str, Any]:
    return {
        "line_no": line.line_no,
        "code": line.code,
        "barcode": line.barcode,
        "name": line.name,
        "qty": str(qty_to_decimal(line.qty_milli)),
        "unit_price": str(line.unit_price),
        "list_price": str(line.list_price),
        "amount": str(line.gross),
    }


def _record_override(
    actor: Actor, used: Override | None, action: str, terminal: str, now: datetime, details: dict[str, Any]
) -> None:
    if used is not None:
        record_override(actor, used, action, terminal=terminal, now=now, details=details)


def _ref(draft_id: int | None) -> str | None:
    return None if draft_id is None else f"cart:{draft_id}"


def _amount_discount_pct(cart: Cart) -> Decimal:
    """The highest equivalent percentage of the cart's *amount* discounts: those grow when the
    line or cart they apply to shrinks, so such changes re-check the discount limit."""
    pct = ZERO
    for line in cart.active_lines:
        if line.discount is not None and line.discount.kind == "amount":
            pct = max(pct, line.discount.percent_on(line.gross))
    if cart.discount is not None and cart.discount.kind == "amount" and not cart.is_empty:
        pct = max(pct, cart.discount.percent_on(cart.discount_base))
    return pct


def _recheck_discounts(actor: Actor, before: Cart, after: Cart, override: Override | None) -> Override | None:
    was, now_pct = _amount_discount_pct(before), _amount_discount_pct(after)
    if now_pct > was:
        return require_discount(actor, now_pct, override)
    return None


# --------------------------------------------------------------------------- services


def _price_label_qty(line_price: Decimal, unit_price: Decimal, unit: str) -> int:
    """The quantity a price-embedded label stands for (stock only; the label's price is charged)."""
    if unit == "piece" or unit_price <= 0:
        return MILLI
    qty = (line_price * MILLI / unit_price).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(int(qty), 1)


def add_item(
    terminal: str,
    actor: Actor,
    code: str,
    qty_milli: int | None = None,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    masks: Sequence[ScaleLabelMask],
    override: Override | None = None,
    scale_weight: bool = False,
) -> Cart:
    """Add what ``code`` (barcode, scale label or PLU) names to the cashier's open cart.

    ``qty_milli`` is the quantity multiplier typed before the scan (``3*``), or the weight of
    an item sold by weight — read from a scale when ``scale_weight`` is true, typed by hand
    otherwise, which needs ``manual_weight``. A scale label carries its own weight or price and
    takes no multiplier. Returns the new cart; its :attr:`Cart.last_line` is the line added to.
    """
    require(actor, "sell")
    result = scan(code, masks)
    product = result.product
    if not product.active:
        raise ValidationError(_("{name} is not for sale (inactive product)").format(name=product.name))
    product = store_priced(product, now, tz)
    fixed: Decimal | None = None
    weighed = False
    used: Override | None = None
    if result.line_price is not None or result.qty_milli is not None:
        if qty_milli is not None:
            raise ValidationError(_("A scale label carries its own quantity; scan it without a multiplier"))
        weighed = True
        if result.line_price is not None:
            fixed = result.line_price
            qty = result.qty_milli or _price_label_qty(result.line_price, product.price, product.unit)
        else:
            qty = int(result.qty_milli or 0)
    elif product.unit in WEIGHED_UNITS:
        if qty_milli is None:
            raise ValidationError(
                _("{name} is sold by weight: weigh it or type its weight first").format(name=product.name)
            )
        qty = qty_milli
        if scale_weight:
            weighed = True
        else:
            used = require(actor, "manual_weight", override)
    else:
        qty = MILLI if qty_milli is None else qty_milli
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        account_price = None
        if fixed is None and cart.account is not None and cart.account.price_list_id is not None:
            found = _account_prices(cart.account, {product.id: product.price}, now, tz)
            account_price = found.get(product.id)
        cart = cart.add_product(
            product, qty, barcode=result.barcode, weighed=weighed, fixed_amount=fixed, account_price=account_price
        )
        _draft, cart = _store(row, terminal, actor.user_id, cart, now, tz)
        last = cart.last_line
        assert last is not None
        _record_override(actor, used, "manual_weight", terminal, now, {"line": _line_payload(last)})
    return cart


def set_quantity(
    terminal: str,
    actor: Actor,
    line_no: int,
    qty_milli: int,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
    reason: str | None = None,
) -> Cart:
    """Change a line's quantity. Lowering it takes items off the receipt, so it needs ``void``
    and is journalled as a ``line_void`` (with ``reason``, default "quantity lowered"; a given
    reason must be words, as for :func:`void_line`)."""
    if reason is not None and reason.strip():
        reason = void_reason(reason)
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        line = cart.active_line(line_no)
        new = cart.set_quantity(line_no, qty_milli)
        lowered = qty_milli < line.qty_milli
        used = require(actor, "void", override) if lowered else None
        if line.unit in WEIGHED_UNITS:
            used = require(actor, "manual_weight", override) or used
        used = _recheck_discounts(actor, cart, new, override) or used
        draft_id, new = _store(row, terminal, actor.user_id, new, now, tz)
        if lowered:
            journal.append(
                "line_void",
                {
                    "cashier": actor.name,
                    "cashier_id": actor.user_id,
                    "supervisor": used.supervisor.name if used else None,
                    "line": _line_payload(line),
                    "qty_from": str(qty_to_decimal(line.qty_milli)),
                    "qty_to": str(qty_to_decimal(qty_milli)),
                    "reason": (reason or "").strip() or _("quantity lowered"),
                },
                terminal=terminal,
                now=now,
                ref=_ref(draft_id),
            )
        _record_override(
            actor,
            used,
            "set_quantity",
            terminal,
            now,
            {"line": _line_payload(line), "qty_to": str(qty_to_decimal(qty_milli))},
        )
    return new


def void_reason(reason: str | None) -> str:
    """The reason a void is journalled with: words, never a bare number.

    The till lists its common reasons by number (1–4) and a digit picks one; a number that
    reaches the service is a slip (``9`` when four reasons are listed, a scan in the wrong
    field) and would put a meaningless reason in the journal, so it is refused here too,
    whichever front end sent it."""
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("A reason is needed"))
    if not any(ch.isalpha() for ch in text):
        raise ValidationError(_("{reason} is not a reason: say why in words").format(reason=text))
    refuse_pan(text)
    return text


def void_line(
    terminal: str,
    actor: Actor,
    line_no: int,
    reason: str,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> Cart:
    """Void a line (it stays on the cart struck out and counts for nothing); needs ``void`` and a
    reason in words (:func:`void_reason`)."""
    reason = void_reason(reason)
    used = require(actor, "void", override)
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        line = cart.active_line(line_no)
        new = cart.void(line_no, reason)
        used = _recheck_discounts(actor, cart, new, override) or used
        draft_id, new = _store(row, terminal, actor.user_id, new, now, tz)
        journal.append(
            "line_void",
            {
                "cashier": actor.name,
                "cashier_id": actor.user_id,
                "supervisor": used.supervisor.name if used else None,
                "line": _line_payload(line),
                "reason": new.line(line_no).void_reason,
            },
            terminal=terminal,
            now=now,
            ref=_ref(draft_id),
        )
        _record_override(actor, used, "void", terminal, now, {"line": _line_payload(line)})
    return new


def _discount_of(kind: str, value: Decimal) -> Discount | None:
    return None if value == 0 else Discount(kind, value)


def discount_line(
    terminal: str,
    actor: Actor,
    line_no: int,
    kind: str,
    value: Decimal,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> Cart:
    """Give a line a ``percent`` or ``amount`` discount (``value`` 0 removes it), within the
    cashier's limit measured as the equivalent percentage of the line."""
    discount = _discount_of(kind, value)
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        line = cart.active_line(line_no)
        new = cart.discount_line(line_no, discount)
        used = None
        if discount is not None:
            pct = discount.percent_on(line.gross)
            used = require_discount(actor, pct, override)
        _draft, new = _store(row, terminal, actor.user_id, new, now, tz)
        if discount is not None:
            _record_override(
                actor,
                used,
                "discount",
                terminal,
                now,
                {"line": _line_payload(line), **discount.to_dict(), "percent": str(pct)},
            )
    return new


def discount_cart(
    terminal: str,
    actor: Actor,
    kind: str,
    value: Decimal,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> Cart:
    """Give the whole cart a discount (``value`` 0 removes it), on top of line discounts and
    within the cashier's limit measured on what the cart costs after them."""
    discount = _discount_of(kind, value)
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        new = cart.discount_cart(discount)
        used = None
        if discount is not None:
            pct = discount.percent_on(cart.discount_base)
            used = require_discount(actor, pct, override)
        _draft, new = _store(row, terminal, actor.user_id, new, now, tz)
        if discount is not None:
            _record_override(
                actor,
                used,
                "discount",
                terminal,
                now,
                {"cart_total": str(cart.discount_base), **discount.to_dict(), "percent": str(pct)},
            )
    return new


def override_price(
    terminal: str,
    actor: Actor,
    line_no: int,
    new_price: Decimal,
    reason: str,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> Cart:
    """Charge ``new_price`` per unit on a line; needs ``price_override``; journalled with the
    old and new price and the reason."""
    used = require(actor, "price_override", override)
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        line = cart.active_line(line_no)
        new = cart.override_price(line_no, new_price, reason)
        used = _recheck_discounts(actor, cart, new, override) or used
        draft_id, new = _store(row, terminal, actor.user_id, new, now, tz)
        changed = new.line(line_no)
        journal.append(
            "price_override",
            {
                "cashier": actor.name,
                "cashier_id": actor.user_id,
                "supervisor": used.supervisor.name if used else None,
                "line": _line_payload(line),
                "old_price": str(line.unit_price),
                "new_price": str(changed.unit_price),
                "reason": changed.price_override_reason,
            },
            terminal=terminal,
            now=now,
            ref=_ref(draft_id),
        )
        _record_override(
            actor,
            used,
            "price_override",
            terminal,
            now,
            {"line": _line_payload(line), "new_price": str(changed.unit_price)},
        )
    return new


def set_customer(terminal: str, actor: Actor, customer_id: int | None, *, now: datetime, tz: str = SHOP_TZ) -> Cart:
    """Attach a customer to the open cart (``None`` detaches)."""
    if customer_id is not None and m.Customer.get_or_none(m.Customer.id == customer_id) is None:
        raise NotFound(_("No customer {customer_id}").format(customer_id=customer_id))
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        new = _cart_of(row).with_customer(customer_id)
        _draft, new = _store(row, terminal, actor.user_id, new, now, tz)
    return new


def store_priced(product: ProductInfo, now: datetime, tz: str = SHOP_TZ) -> ProductInfo:
    """``product`` at its price in this database's store on the shop day (its catalog price when
    the store has no price list or the list says nothing about it): the price the till starts
    from; a sale account's own list still wins (:mod:`pos_tui.core.accounts.prices.stores`)."""
    from pos_tui.core.accounts import prices

    found = prices.store_prices({product.id: product.price}, shop_day(now, tz)).get(product.id)
    return product if found is None or found == product.price else dataclasses.replace(product, price=found)


def _account_prices(account: SaleAccount, catalog: dict[int, Decimal], now: datetime, tz: str) -> dict[int, Decimal]:
    """Product id → the account's list price on the shop day, only for products the list prices."""
    if account.price_list_id is None or not catalog:
        return {}
    from pos_tui.core.accounts import prices

    found = prices.resolve_prices(account.price_list_id, catalog, shop_day(now, tz), catalog)
    return {pid: r.price for pid, r in found.items() if r.from_list}


def sale_account(party: str | int) -> SaleAccount:
    """The customer account ``party`` (id, or what :func:`accounts.find_party` finds: code,
    account card, phone, VKN/TCKN) as a sale's account. Refuses suppliers and closed accounts."""
    from pos_tui.core import accounts

    info = accounts.get_party(party) if isinstance(party, int) else accounts.find_party(party)
    if info is None:
        raise NotFound(_("No account with the code, card or phone {text}").format(text=str(party).strip()[:40]))
    if not info.is_customer:
        raise ValidationError(_("{code} is a supplier account; choose a customer").format(code=info.code))
    if not info.active:
        raise ValidationError(_("The account {code} is closed").format(code=info.code))
    list_id = None
    if info.price_list is not None:
        list_id = int(fast.select_first(m.PriceList, ("id",), {"code": info.price_list})[0])  # type: ignore[index]
    return SaleAccount(info.id, info.code, info.name, info.customer_id, list_id, info.price_list)


def set_account(
    terminal: str,
    actor: Actor,
    party: str | int | None,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> Cart:
    """Make the open sale to the customer account ``party`` (``None`` clears it): the lines are
    re-priced from the account's price list on the shop day (lines scanned later too), lines
    priced by hand keep their price, and the posted sale records the account's customer.
    Clearing the account puts the catalog prices back. Lower prices make an *amount* discount
    a bigger share of its line or cart, so the cashier's discount limit is checked again."""
    require(actor, "sell")
    account = None if party is None else sale_account(party)
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        found: dict[int, Decimal] = {}
        if account is not None:
            catalog = {ln.product_id: ln.list_price for ln in cart.lines if not ln.voided}
            found = _account_prices(account, catalog, now, tz)
        new = cart.with_account(account, found)
        used = _recheck_discounts(actor, cart, new, override)
        draft_id, new = _store(row, terminal, actor.user_id, new, now, tz)
        details = {"cart": _ref(draft_id), "account": None if account is None else account.code}
        _record_override(actor, used, "discount", terminal, now, details)
    return new


def set_member(
    terminal: str,
    actor: Actor,
    member_id: int | None,
    *,
    now: datetime,
    tz: str = SHOP_TZ,
    override: Override | None = None,
) -> Cart:
    """Attach a loyalty member to the open cart (``None`` detaches, with their coupons and
    rewards). A cashier's own member card needs a supervisor's override (journalled)."""
    from pos_tui.core.loyalty import members  # see _store

    with write_tx(durable=False):
        used = None
        if member_id is not None:
            members.get_member(member_id)  # NotFound for an unknown or erased member
            used = members.check_attach(member_id, actor, override)
        row = _open_row(terminal, actor.user_id)
        new = _cart_of(row).with_member(member_id)
        draft_id, new = _store(row, terminal, actor.user_id, new, now, tz)
        if used is not None:
            _record_override(actor, used, "own_card", terminal, now, {"cart": _ref(draft_id), "member": member_id})
    return new


def _change_open(terminal: str, actor: Actor, now: datetime, tz: str, change: Callable[[Cart], Cart]) -> Cart:
    """Apply ``change`` to the cashier's open cart, then price and save it, in one transaction."""
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        _draft, new = _store(row, terminal, actor.user_id, change(_cart_of(row)), now, tz)
    return new


def add_coupon(terminal: str, actor: Actor, code: str, *, now: datetime, tz: str = SHOP_TZ) -> Cart:
    """Apply coupon ``code`` to the open cart; an unusable coupon is refused with the reason."""
    from pos_tui.core.loyalty import coupons  # see _store

    text = coupons.normalise_code(code)
    if not text:
        raise ValidationError(_("Type or scan a coupon code"))

    def add(cart: Cart) -> Cart:
        if text in cart.coupons:
            raise ValidationError(_("Coupon {code} is already on this receipt").format(code=text))
        # Refuse what no later change of the cart can fix (unknown, withdrawn, not yet valid,
        # expired, used up, another member's); a minimum spend not met only keeps it from applying.
        coupons.check_coupon(text, member_id=cart.member_id, day=shop_day(now, tz))
        return cart.with_coupons((*cart.coupons, text))

    return _change_open(terminal, actor, now, tz, add)


def remove_coupon(terminal: str, actor: Actor, code: str, *, now: datetime, tz: str = SHOP_TZ) -> Cart:
    from pos_tui.core.loyalty import coupons  # see _store

    text = coupons.normalise_code(code)
    return _change_open(
        terminal, actor, now, tz, lambda cart: cart.with_coupons(tuple(c for c in cart.coupons if c != text))
    )


def add_reward(terminal: str, actor: Actor, reward: str, *, now: datetime, tz: str = SHOP_TZ) -> Cart:
    """Give the member reward ``reward`` of the rewards catalog (its product must be in the
    cart and the member must have the points; they are redeemed when the sale posts)."""
    from pos_tui.core.loyalty.pricing import quote  # see _store

    def add(cart: Cart) -> Cart:
        if cart.member_id is None:
            raise ValidationError(_("Choose the customer's loyalty card first"))
        new = cart.with_rewards((*cart.rewards, reward))
        # Cart edits price non-strictly; a reward that would not apply now is refused with the reason.
        before = set(quote(cart, now=now, tz=tz).problems)
        fresh = [p for p in quote(new, now=now, tz=tz).problems if p not in before]
        if fresh:
            raise ValidationError("\n".join(fresh))
        return new

    return _change_open(terminal, actor, now, tz, add)


def remove_reward(terminal: str, actor: Actor, reward: str, *, now: datetime, tz: str = SHOP_TZ) -> Cart:
    def remove(cart: Cart) -> Cart:
        rest = list(cart.rewards)
        if reward in rest:
            rest.remove(reward)
        return cart.with_rewards(rest)

    return _change_open(terminal, actor, now, tz, remove)


def cancel_cart(
    terminal: str,
    actor: Actor,
    reason: str,
    *,
    now: datetime,
    override: Override | None = None,
) -> None:
    """Throw the whole cart away: needs ``cancel_sale`` and a reason; journalled (kind
    ``cart_cancel``) with every active line. A cart with nothing on it just disappears."""
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        cart = _cart_of(row)
        if cart.is_empty:
            if row is not None:
                m.CartDraft.delete().where(m.CartDraft.id == row.id).execute()
            return
        text = (reason or "").strip()
        if not text:
            raise ValidationError(_("A reason is needed"))
        refuse_pan(text)
        used = require(actor, "cancel_sale", override)
        totals = cart.totals()
        journal.append(
            "cart_cancel",
            {
                "cashier": actor.name,
                "cashier_id": actor.user_id,
                "supervisor": used.supervisor.name if used else None,
                "lines": [_line_payload(ln) for ln in cart.active_lines],
                "total": str(totals.total),
                "reason": text,
            },
            terminal=terminal,
            now=now,
            ref=_ref(row.id if row else None),
        )
        _record_override(actor, used, "cancel_sale", terminal, now, {"total": str(totals.total)})
        if row is not None:
            m.CartDraft.delete().where(m.CartDraft.id == row.id).execute()


def park_cart(terminal: str, actor: Actor, now: datetime) -> None:
    """Put the open cart aside (the customer went to fetch something); the next one starts empty."""
    with write_tx(durable=False):
        row = _open_row(terminal, actor.user_id)
        if row is None or _cart_of(row).is_empty:
            raise ValidationError(_("There is nothing to park"))
        m.CartDraft.update(status=PARKED, updated_at=to_db(now)).where(m.CartDraft.id == row.id).execute()


def list_parked(terminal: str) -> list[ParkedCart]:
    """The parked carts of ``terminal``, oldest first."""
    D = m.CartDraft
    rows: Any = (
        D.select(D.id, D.cashier, m.User.name, D.data, D.created_at, D.updated_at)
        .join(m.User, on=(D.cashier == m.User.id))
        .where((D.terminal == terminal) & (D.status == PARKED))
        .order_by(D.updated_at, D.id)
        .tuples()
    )
    result = []
    for draft_id, cashier_id, cashier, data, created_at, updated_at in iter(rows):
        cart = _decode(draft_id, data)
        result.append(
            ParkedCart(
                draft_id=draft_id,
                cashier_id=cashier_id,
                cashier=cashier,
                lines=len(cart.active_lines),
                total=cart.total,
                customer_id=cart.customer_id,
                note=cart.note,
                created_at=from_db(created_at),
                parked_at=from_db(updated_at),
                account=None if cart.account is None else cart.account.code,
            )
        )
    return result


def resume_cart(terminal: str, draft_id: int, actor: Actor, now: datetime) -> Cart:
    """Make parked cart ``draft_id`` the cashier's open cart; the current open cart is parked
    first when it has lines (and dropped when it has none)."""
    with write_tx(durable=False):
        parked = m.CartDraft.get_or_none(
            (m.CartDraft.id == draft_id) & (m.CartDraft.terminal == terminal) & (m.CartDraft.status == PARKED)
        )
        if parked is None:
            raise NotFound(
                _("No parked cart {draft_id} on terminal {terminal}").format(draft_id=draft_id, terminal=terminal)
            )
        current = _open_row(terminal, actor.user_id)
        if current is not None:
            if _cart_of(current).is_empty:
                m.CartDraft.delete().where(m.CartDraft.id == current.id).execute()
            else:
                m.CartDraft.update(status=PARKED, updated_at=to_db(now)).where(m.CartDraft.id == current.id).execute()
        m.CartDraft.update(status=OPEN, cashier=actor.user_id, updated_at=to_db(now)).where(
            m.CartDraft.id == parked.id
        ).execute()
        return _decode(int(parked.id), parked.data)
