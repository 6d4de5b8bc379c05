"""The stored form of a cart (``cart_draft.data``): JSON written and read with a memory.

A scan changes one line of a cart that may have a hundred; encoding every line, and decoding
every line of the text read back, on every scan was most of what a scan cost in the core at
100 lines. The codec remembers the JSON of each line object it has written, and for each
draft the text it last wrote or read with the cart that text stands for: an unchanged line is
not encoded again and an unchanged draft is not decoded again.

Only what survives the round trip exactly is remembered: a line, or the rest of a cart, whose
JSON reads back as an equal value that writes the very same JSON. So a remembered cart is
always the cart decoding its text would give, to the digit (``Decimal("5")`` and
``Decimal("5.00")`` are equal but write differently; such a value is simply not remembered).
The text is :meth:`Cart.to_dict` as compact JSON, byte for byte.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Hashable
from typing import Any

from pos_tui.core.basket.cart import Cart, CartLine

_LINES_KEY = '"lines":[]'


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class CartCodec:
    """Encodes carts to the draft text and decodes them back, remembering recent work.

    Safe to share between threads: the memories are guarded by a lock, and what they hold is
    immutable (carts and lines are frozen)."""

    def __init__(self, *, lines: int = 4096, drafts: int = 64) -> None:
        self._lock = threading.Lock()
        self._line_limit = lines
        self._draft_limit = drafts
        # id(line) -> (line, its JSON, whether it round-trips exactly); the line is held so
        # its id cannot be reused while the entry lives.
        self._lines: dict[int, tuple[CartLine, str, bool]] = {}
        # id(cart) -> (cart, its text, whether it round-trips exactly): the carts just encoded.
        self._encoded: dict[int, tuple[Cart, str, bool]] = {}
        # draft key -> (text, cart): what the draft holds, as last written or read.
        self._drafts: dict[Hashable, tuple[str, Cart]] = {}

    def _line(self, line: CartLine) -> tuple[str, bool]:
        hit = self._lines.get(id(line))
        if hit is not None and hit[0] is line:
            return hit[1], hit[2]
        text = _dumps(line.to_dict())
        back = CartLine.from_dict(json.loads(text))
        exact = back == line and _dumps(back.to_dict()) == text
        with self._lock:
            if len(self._lines) >= self._line_limit:
                self._lines.clear()
            self._lines[id(line)] = (line, text, exact)
        return text, exact

    def encode(self, cart: Cart) -> str:
        """``cart`` as the draft's text: ``json.dumps(cart.to_dict())``, compact, not ASCII-escaped."""
        rest = dataclasses.replace(cart, lines=())
        head = _dumps(rest.to_dict())
        back = Cart.from_dict(json.loads(head))
        exact = back == rest and _dumps(back.to_dict()) == head
        parts: list[str] = []
        for line in cart.lines:
            text, line_exact = self._line(line)
            parts.append(text)
            exact = exact and line_exact
        # "version" comes first and is a number, so the first '"lines":[]' is the lines' key.
        data = head.replace(_LINES_KEY, '"lines":[' + ",".join(parts) + "]", 1)
        with self._lock:
            if len(self._encoded) >= self._draft_limit:
                self._encoded.clear()
            self._encoded[id(cart)] = (cart, data, exact)
        return data

    def decode(self, data: str, key: Hashable = None) -> Cart:
        """The cart ``data`` stands for. With ``key`` (a draft's id), the cart last written
        or read under that key is returned without decoding when ``data`` is its text.
        Raises ``ValueError``/``KeyError``/``TypeError`` on text that is not a cart."""
        if key is not None:
            hit = self._drafts.get(key)
            if hit is not None and hit[0] == data:
                return hit[1]
        cart = Cart.from_dict(json.loads(data))
        if key is not None:
            self._keep(key, data, cart)
        return cart

    def written(self, key: Hashable, data: str, cart: Cart) -> None:
        """``data`` (from :meth:`encode` of ``cart``) is now stored under ``key``: the next
        :meth:`decode` of that text under that key gives ``cart`` back without decoding,
        when ``cart`` round-trips exactly (otherwise the key is forgotten)."""
        hit = self._encoded.get(id(cart))
        if hit is not None and hit[0] is cart and hit[1] == data and hit[2]:
            self._keep(key, data, cart)
        else:
            self.forget(key)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._drafts.pop(key, None)

    def _keep(self, key: Hashable, data: str, cart: Cart) -> None:
        with self._lock:
            self._drafts.pop(key, None)
            if len(self._drafts) >= self._draft_limit:
                del self._drafts[next(iter(self._drafts))]
            self._drafts[key] = (data, cart)


CODEC = CartCodec()
