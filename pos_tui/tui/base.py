"""Typed access to the running :class:`~pos_tui.tui.app.PosApp` from any widget or screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from pos_tui.tui.app import PosApp


def pos_app(node: DOMNode) -> PosApp:
    """The app ``node`` runs in, typed as :class:`PosApp` (screens read the session from it)."""
    from pos_tui.tui.app import PosApp

    app = node.app
    if not isinstance(app, PosApp):
        raise TypeError(f"{type(node).__name__} must run inside PosApp, not {type(app).__name__}")
    return app
