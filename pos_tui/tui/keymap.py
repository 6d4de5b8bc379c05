"""Key bindings: stable ids, translated labels, and the user's keymap from ``[keymap]``.

Every binding of the app has an ``id`` (``sale.cash``, ``app.logout``...) so a shop can move
it in ``pos.toml``; Textual's :meth:`~textual.app.App.set_keymap` swaps the keys. Binding
labels are English message ids marked with :func:`N_` so the catalog extractor finds them;
:func:`localize_bindings` translates them per widget instance when it is created, because
``BINDINGS`` are evaluated when the class is defined, before the shop's language is known.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

from pos_tui.i18n import _


def N_(message: str) -> str:
    """Mark ``message`` for the translation catalog without translating it now."""
    return message


# Binding ids a shop may rebind, with the default keys (documented in the README and pos.toml).
DEFAULT_KEYS: Mapping[str, str] = {
    "sale.customer": "f2",
    "sale.search": "f3",
    "sale.return": "f4",
    "sale.park": "f5",
    "sale.discount": "f6",
    "sale.quantity": "f7",
    "sale.void_line": "delete",
    "sale.cash": "f8",
    "sale.card": "f9",
    "sale.payment": "f10",
    "sale.menu": "f12",
    "sale.coupon": "ctrl+o",
    "sale.rewards": "ctrl+r",
    "sale.account": "ctrl+a",
    "account.clear": "f4",
    "sale.line_up": "up",
    "sale.line_down": "down",
    "payment.cash": "f8",
    "payment.card": "f9",
    "payment.remove": "delete",
    "payment.complete": "f10",
    "payment.points": "f5",
    "payment.store_credit": "f6",
    "payment.gift_card": "f7",
    "payment.on_account": "f2",
    "payment.invoice": "f4",
    "invoice.lookup": "f2",
    "invoice.drop": "f4",
    "onaccount.account": "f2",
    "accounts.cash": "f8",
    "accounts.card": "f9",
    "accounts.transfer": "f7",
    "customer.enroll": "f2",
    "customer.detach": "f4",
    "customer.points": "f5",
    "points.transfer": "f5",
    "points.donate": "f6",
    "points.adjust": "f7",
    "loyalty.remove": "delete",
    "weigh.zero": "f5",
    "weigh.tare": "f6",
    "receipt.reprint": "f5",
    "receipt.invoice": "f4",
    "receipt.invoice_slip": "f6",
    "receipt.resend": "f7",
    "receipt.return_document": "f8",
    "sale.print_retry": "ctrl+t",
    "giftcard.cash": "f8",
    "giftcard.card": "f9",
    "wallet.cash": "f8",
    "wallet.card": "f9",
    "return.no_receipt": "f6",
    "return.toggle": "f5",
    "return.quantity": "f7",
    "return.method": "f8",
    "return.complete": "f10",
    "count.zone": "f2",
    "count.undo": "f4",
    "count.reload": "f5",
    "count.quantity": "f7",
    "count.review": "f8",
    "count.post_leave": "f5",
    "count.post_zero": "f6",
    "receiving.header": "f2",
    "receiving.search": "f3",
    "receiving.cost": "f5",
    "receiving.discount": "f6",
    "receiving.quantity": "f7",
    "receiving.kdv": "f8",
    "receiving.kdv_included": "f9",
    "receiving.post": "f10",
    "receiving.remove": "delete",
    "receiving.all_margin": "f5",
    "receiving.save_prices": "f10",
    "receiving.return_post": "f10",
    "stock.search": "f3",
    "stock.card": "f5",
    "stock.reports": "f6",
    "reports.list": "f2",
    "reports.filter": "f3,slash,ctrl+f",
    "reports.period": "f4",
    "reports.dates": "f5",
    "reports.option": "f6",
    "reports.sort": "f7",
    "reports.scope": "f8",
    "reports.export": "f9,ctrl+e",
    "reports.details": "f10",
    "reports.decimal_comma": "f6",
    "list.up": "up",
    "list.down": "down",
    "list.page_up": "pageup",
    "list.page_down": "pagedown",
    "dialog.ok": "enter",
    "dialog.yes": "f10",
    "dialog.line": "up",
    "dialog.cart": "down",
    "app.back": "escape",
    "app.logout": "ctrl+q",
    "app.palette": "ctrl+p",
}


# How keys are printed on the keyboard (Textual's own names are ``delete``, ``escape``...).
_KEY_NAMES = {
    "delete": "Del",
    "escape": "Esc",
    "enter": "Enter",
    "space": "Space",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "ctrl": "Ctrl",
    "shift": "Shift",
    "alt": "Alt",
    "up": "↑",
    "down": "↓",
}


def key_display(key: str) -> str:
    """``key`` as printed on the keyboard: ``F8``, ``Del``, ``Ctrl+Q`` (Textual shows ``f8``, ``^q``)."""
    return "+".join(
        _KEY_NAMES.get(part) or (part.upper() if len(part) == 1 or part[1:].isdigit() else part)
        for part in key.split("+")
    )


def key_label(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The key now bound to ``binding_id`` (after the shop's ``keymap``), as the footer shows it,
    for messages that tell the cashier which key to press."""
    return key_display(key_for(binding_id, keymap))


def key_for(binding_id: str, keymap: Mapping[str, str]) -> str:
    """The first key bound to ``binding_id`` once the shop's keymap is applied."""
    return keymap.get(binding_id, DEFAULT_KEYS[binding_id]).split(",")[0].strip()


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """Binding ids in the shop's keymap that no binding has (a typo in ``pos.toml``)."""
    return sorted(set(keymap) - set(DEFAULT_KEYS))


def bind(
    binding_id: str, action: str, description: str, tooltip: str, *, show: bool = True, priority: bool = False
) -> Binding:
    """A binding with its default key from :data:`DEFAULT_KEYS`, an id and a tooltip."""
    return Binding(
        DEFAULT_KEYS[binding_id],
        action,
        description,
        show=show,
        priority=priority,
        tooltip=tooltip,
        id=binding_id,
    )


def localize_bindings(node: DOMNode) -> None:
    """Translate the labels and tooltips of ``node``'s bindings into the active language.

    Works on the instance's own copy of the class bindings, so a language switch takes effect
    for every screen created afterwards.
    """
    merged = type(node)._merged_bindings
    source: Iterable[tuple[str, list[Binding]]] = merged.key_to_bindings.items() if merged else ()
    node._bindings = BindingsMap.from_keys(
        {
            key: [
                replace(
                    b, description=_(b.description) if b.description else "", tooltip=_(b.tooltip) if b.tooltip else ""
                )
                for b in bindings
            ]
            for key, bindings in source
        }
    )
