"""Typed access to the running till from any widget, dialog or screen, without importing the app.

:class:`Till` names what the lower layers may use of the app (the session, the core calls, the
devices and the print station, key labels); :class:`~pos_tui.tui.app.PosApp` is the till. Widgets,
dialogs and screens type against :class:`Till` and reach it with :func:`pos_app`, so the layering
widgets < dialogs < screens < app holds (import-linter checks it, see ``pyproject.toml``).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import App
from textual.dom import DOMNode

from pos_tui.core.kernel import Actor, Override, PermissionDenied, PosError
from pos_tui.settings import Settings
from pos_tui.tui.keymap import key_label
from pos_tui.tui.session import Session

if TYPE_CHECKING:
    from textual.worker import Worker

    from pos_tui.tui.calls import CoreCall, CoreCalls
    from pos_tui.tui.devices import DeviceHub
    from pos_tui.tui.printing import PrintStation

T = TypeVar("T")


class Till(App[None]):
    """The running till as widgets, dialogs and screens see it; :class:`~pos_tui.tui.app.PosApp`
    implements it (the session and the core calls are made there, the devices on first use)."""

    session: Session
    calls: CoreCalls
    printing: PrintStation | None
    demo: bool

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def devices(self) -> DeviceHub:
        """Scanners, card readers and the scale (:mod:`pos_tui.tui.devices`)."""
        raise NotImplementedError

    def key_label(self, binding_id: str) -> str:
        """The key now bound to ``binding_id`` (after the shop's keymap), for messages that name it."""
        return key_label(binding_id, self.settings.keymap)

    def call_core(self, call: CoreCall[T], override: Override | None = None) -> Worker[T]:
        """Run ``call`` in a thread worker (:meth:`pos_tui.tui.calls.CoreCalls.call_core`)."""
        return self.calls.call_core(call, override)

    def with_override(
        self,
        action: Callable[[Override | None], T],
        done: Callable[[T], None],
        failed: Callable[[PosError], None],
        *,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Run a quick core action on the UI thread (:meth:`pos_tui.tui.calls.CoreCalls.with_override`)."""
        self.calls.with_override(action, done, failed, discount_pct=discount_pct)

    def ask_override(
        self,
        error: PermissionDenied,
        then: Callable[[Override], object],
        cancelled: Callable[[], object],
        *,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Ask a supervisor to approve (:meth:`pos_tui.tui.calls.CoreCalls.ask_override`)."""
        self.calls.ask_override(error, then, cancelled, discount_pct=discount_pct)

    def settle_heap(self) -> None:
        """Collect garbage once and freeze what is alive, when a scanning screen is up
        (:meth:`pos_tui.tui.app.PosApp.settle_heap`)."""

    def refresh_einvoice(self) -> None:
        """Count the e-invoices waiting for the sender again, in a worker; the status line shows the count
        (:meth:`pos_tui.tui.app.PosApp.refresh_einvoice`)."""

    def einvoice_status(self, *, short: bool = False) -> str:
        """What the status line says about the e-invoice queue ("" when nothing waits; ``short``: without
        the age)."""
        return ""

    def refresh_sync(self, *, sale: bool = False) -> None:
        """Read the sync state again (after a ``sale``: and push it shortly), in a worker
        (:meth:`pos_tui.tui.app.PosApp.refresh_sync`)."""

    def sync_then(self, then: Callable[[], object]) -> None:
        """Run a sync pass now (after the one under way, if any), then ``then`` on the UI thread
        (:meth:`pos_tui.tui.app.PosApp.sync_then`)."""
        then()

    def sync_state(self) -> Any:
        """The last sync state read (:class:`pos_tui.core.sync.SyncStatus`); None when this till joined no
        centre."""
        return None

    def checking_pin(self, checking: bool) -> None:
        """A PIN is being checked (``checking``), or its answer is on screen."""

    def start_session(self, actor: Actor, shift: Any) -> None:
        """A PIN was accepted: open a shift when none is open, then the sale screen."""
        raise NotImplementedError

    def action_logout(self) -> None:
        """Log the cashier out and go back to the PIN."""
        raise NotImplementedError


def pos_app(node: DOMNode) -> Till:
    """The till ``node`` runs in (screens read the session from it, and run core calls through it)."""
    app = node.app
    if not isinstance(app, Till):
        raise TypeError(f"{type(node).__name__} must run inside PosApp, not {type(app).__name__}")
    return app
