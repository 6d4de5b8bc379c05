"""The scan field: where barcodes, scale labels, PLUs and quantity multipliers are typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from textual.geometry import Size
from textual.strip import Strip
from textual.widgets import Input

from pos_tui.core.kernel import ValidationError, parse_quantity
from pos_tui.i18n import _
from pos_tui.tui.messages import ItemScanned

# "3*", "1,5*", "0.250*" — optionally followed by the code in the same entry ("3*8690…").
_MULTIPLIER = re.compile(r"^\s*(\d+(?:[.,]\d{1,3})?)\s*[*×]\s*(.*)$")


def split_multiplier(text: str) -> tuple[str, int | None]:
    """Split ``3*CODE`` / ``1,5*CODE`` / ``3*`` / ``CODE`` into ``(code, qty_milli or None)``.

    The code is empty when the entry is only a multiplier. Raises ValidationError on a bad one.
    """
    match = _MULTIPLIER.match(text)
    if match is None:
        return text.strip(), None
    qty = parse_quantity(match.group(1), _("quantity"))
    if qty <= 0:
        raise ValidationError(_("Type a quantity above zero"))
    return match.group(2).strip(), qty


class TillInput(Input):
    """An input that leaves Del to the screen (void a line, remove a payment): on a till the
    key means "take this off", and the cashier edits with Backspace."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._bindings.key_to_bindings.pop("delete", None)


class ScanInput(TillInput):
    """Enter reads the entry as :class:`ItemScanned`. A multiplier typed alone (``3*`` Enter)
    is kept in :attr:`pending_qty` for the next code; ``3*CODE`` does both at once.

    The entry is read and the field emptied in the Enter key's own handler, so characters a
    scanner sends right behind the Enter start the next code. With ``on_scan`` the entry is
    handled there and then (the sale screen adds the item, and the emptied field and the new
    cart line reach the screen in the same paint); without it :class:`ItemScanned` is posted.
    """

    def __init__(self, *, id: str | None = None, on_scan: Callable[[ItemScanned], None] | None = None) -> None:
        super().__init__(id=id, placeholder=_("Barcode, PLU, or 3* then scan"), select_on_focus=False)
        self.pending_qty: int | None = None
        self.on_scan = on_scan
        self._empty_lines: dict[tuple[str, bool, bool, int], Strip] = {}

    def render_line(self, y: int) -> Strip:
        """As ``Input``'s; the empty field (the placeholder, with or without the cursor), which
        every scan paints, is rendered once per look and then reused."""
        if y != 0 or self.value:
            return super().render_line(y)
        key = (self.placeholder, self.has_focus, self._cursor_visible, self.scrollable_content_region.width)
        strip = self._empty_lines.get(key)
        if strip is None:
            strip = self._empty_lines[key] = super().render_line(y)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._empty_lines.clear()

    def parse(self, text: str) -> tuple[str, int | None]:
        """Split an entry into ``(code, qty_milli)``; raises ValidationError on a bad multiplier.

        Returns an empty code when the entry only set the multiplier.
        """
        code, qty = split_multiplier(text)
        return code, qty if qty is not None else self.pending_qty

    def _watch_value(self, value: str) -> None:
        """As ``Input``'s, without the layout pass its new scroll width asks for on every
        key and every scan (about a millisecond for the whole screen): the field has a fixed
        size, so only its own scrolling depends on the width, and that is set here."""
        self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
        super()._watch_value(value)

    async def action_submit(self) -> None:
        text = self.value
        self.value = ""
        if not text.strip():
            return
        try:
            code, qty = self.parse(text)
        except ValidationError as exc:
            self._scanned(ItemScanned("", None, error=exc.message))
            return
        if not code:
            self.pending_qty = qty
            self._scanned(ItemScanned("", qty))
            return
        self.pending_qty = None
        self._scanned(ItemScanned(code, qty))

    def _scanned(self, event: ItemScanned) -> None:
        if self.on_scan is not None:
            self.on_scan(event)
        else:
            self.post_message(event)
