"""The scan field: where barcodes, scale labels, PLUs and quantity multipliers are typed."""

from __future__ import annotations

import re
from typing import Any

from textual import on
from textual.widgets import Input

from pos_tui.core.errors import ValidationError
from pos_tui.core.money import parse_quantity
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
    """Enter posts :class:`ItemScanned`. A multiplier typed alone (``3*`` Enter) is kept in
    :attr:`pending_qty` for the next code; ``3*CODE`` does both at once.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, placeholder=_("Barcode, PLU, or 3* then scan"), select_on_focus=False)
        self.pending_qty: int | None = None

    def parse(self, text: str) -> tuple[str, int | None]:
        """Split an entry into ``(code, qty_milli)``; raises ValidationError on a bad multiplier.

        Returns an empty code when the entry only set the multiplier.
        """
        code, qty = split_multiplier(text)
        return code, qty if qty is not None else self.pending_qty

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        self.value = ""
        if not text.strip():
            return
        try:
            code, qty = self.parse(text)
        except ValidationError as exc:
            self.post_message(ItemScanned("", None, error=exc.message))
            return
        if not code:
            self.pending_qty = qty
            self.post_message(ItemScanned("", qty))
            return
        self.pending_qty = None
        self.post_message(ItemScanned(code, qty))
