"""The ``pos`` application: PIN login, the open-shift prompt and the sale screen.

Core calls that may be slow (PIN hashing, posting a sale, reports) run in thread workers
started by :meth:`PosApp.call_core`; each posts its result as a message to the screen that
asked, and every failure comes back through the one ``Worker.StateChanged`` handler here:
a :class:`~pos_tui.core.errors.PermissionDenied` opens the manager PIN dialog and repeats
the call with the supervisor's override, any other :class:`~pos_tui.core.errors.PosError`
is shown on the asking screen's error line. Quick cart changes run on the UI thread through
:meth:`PosApp.with_override`, which follows the same rules.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from textual import events, on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.worker import Worker, WorkerState, get_current_worker

from pos_tui.core.actors import Actor, Override
from pos_tui.core.clock import utcnow
from pos_tui.core.errors import PermissionDenied, PosError
from pos_tui.i18n import _, set_language
from pos_tui.settings import Settings
from pos_tui.tui.keymap import N_, bind, key_for, localize_bindings, unknown_ids
from pos_tui.tui.messages import CardSwiped, CoreFailed, DeviceScanned, DeviceStatusChanged, WeightChanged
from pos_tui.tui.session import Session

if TYPE_CHECKING:
    from pos_tui.tui.devices import DeviceHub
    from pos_tui.tui.printing import PrintStation

T = TypeVar("T")

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


@dataclass(frozen=True)
class CoreCall(Generic[T]):
    """One call into ``core`` to run off the UI thread.

    ``run`` receives the manager override (None the first time) and returns the result;
    ``reply`` turns the result into the message posted to ``target``. ``overridable`` says
    whether a PermissionDenied may be lifted by a supervisor's PIN.
    """

    run: Callable[[Override | None], T]
    reply: Callable[[T], Message]
    target: MessagePump
    description: str
    group: str = "core"
    overridable: bool = True


class PosApp(App[None]):
    """The till. ``PosApp(settings, clock=lambda: NOW)`` in tests gives a fixed time."""

    # Absolute, so subclasses defined elsewhere (benchmarks, tests) find it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "pos_tui"
    # The palette only finds products (SaleScreen.COMMANDS); no theme or quit commands on a till.
    COMMANDS: ClassVar[set[Any]] = set()

    BINDINGS: ClassVar[list[BindingType]] = [
        bind("app.logout", "logout", N_("Log out"), N_("Log out; the open cart stays saved"), priority=True),
        bind(
            "app.palette",
            "command_palette",
            N_("Products"),
            N_("Find a product by name and add it"),
            show=False,
            priority=True,
        ),
    ]

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utcnow,
        demo: bool = False,
        devices: DeviceHub | None = None,
    ) -> None:
        set_language(settings.language)
        super().__init__()
        self.session = Session(settings, clock)
        self.demo = demo
        self.title = settings.shop.name
        self._calls: dict[Worker[Any], tuple[CoreCall[Any], Override | None]] = {}
        self._devices = devices
        self.printing: PrintStation | None = None  # the print queue and fiscal device, made at start (tests set one)
        localize_bindings(self)

    def get_key_display(self, binding: Binding) -> str:
        """Keys as printed on the keyboard: ``F8``, ``Del``, ``Ctrl+Q`` (Textual shows ``f8``, ``^q``)."""
        if binding.key_display:
            return binding.key_display
        return "+".join(
            _KEY_NAMES.get(part) or (part.upper() if len(part) == 1 or part[1:].isdigit() else part)
            for part in binding.key.split("+")
        )

    def key_label(self, binding_id: str) -> str:
        """The key now bound to ``binding_id`` (after the shop's keymap), as shown in the footer,
        for messages that tell the cashier which key to press."""
        return self.get_key_display(Binding(key_for(binding_id, self.settings.keymap), ""))

    @property
    def settings(self) -> Settings:
        return self.session.settings

    def get_default_screen(self) -> Screen[Any]:
        from pos_tui.tui.screens.login import LoginScreen

        return LoginScreen()

    @property
    def devices(self) -> DeviceHub:
        """Scanners, card readers and the scale (:mod:`pos_tui.tui.devices`). Imported on first use and
        started after the first paint, so the login screen is up as fast as without devices."""
        if self._devices is None:
            from pos_tui.tui.devices import DeviceHub

            self._devices = DeviceHub()
        return self._devices

    async def _start_devices(self) -> None:
        await self.devices.start(self)
        from pos_tui.tui.printing import PrintStation

        if self.printing is None:
            self.printing = PrintStation()
        await self.printing.start(self)  # after the hub: it reads the hub's devices.toml and publishes to it

    async def on_unmount(self) -> None:
        if self._devices is not None:
            await self._devices.stop()

    async def on_event(self, event: events.Event) -> None:
        """Keys meet the device hub before Textual dispatches them: a keyboard-wedge scanner's burst
        becomes a scan whatever has focus; typing is handed on unchanged (see DeviceHub.filter_key)."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and self._devices is not None
            and await self._devices.filter_key(event)
        ):
            return
        await super().on_event(event)

    @on(DeviceScanned)
    @on(CardSwiped)
    @on(WeightChanged)
    @on(DeviceStatusChanged)
    def _device_message(self, message: Message) -> None:
        self.devices.handle(message)

    def on_mount(self) -> None:
        self.call_after_refresh(self._start_devices)
        keymap = dict(self.settings.keymap)
        if keymap:
            self.set_keymap(keymap)
            unknown = unknown_ids(keymap)
            if unknown:
                self.notify(
                    _("Unknown key binding ids in [keymap]: {ids}").format(ids=", ".join(unknown)),
                    severity="warning",
                    timeout=10,
                )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Log out only when someone is logged in (the login screen's own key quits)."""
        if action == "logout":
            return self.session.actor is not None
        return True

    def action_command_palette(self) -> None:
        """Ctrl+P: the product palette, on the sale screen only."""
        from pos_tui.tui.screens.sale import SaleScreen

        if isinstance(self.screen, SaleScreen):
            super().action_command_palette()

    # -- core calls ---------------------------------------------------------------------------

    def call_core(self, call: CoreCall[T], override: Override | None = None) -> Worker[T]:
        """Run ``call`` in a thread worker; the result is posted to ``call.target``."""

        def work() -> T:
            result = call.run(override)
            if not get_current_worker().is_cancelled:
                call.target.post_message(call.reply(result))
            return result

        worker: Worker[T] = self.run_worker(
            work,
            name=call.description,
            group=call.group,
            description=call.description,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        self._calls[worker] = (call, override)
        return worker

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        entry = self._calls.pop(event.worker, None)
        if event.state != WorkerState.ERROR or entry is None:
            return
        call, override = entry
        error = event.worker.error
        if isinstance(error, PermissionDenied) and call.overridable and override is None:
            self.ask_override(
                error,
                lambda granted: self.call_core(call, granted),
                lambda: call.target.post_message(CoreFailed(error)),
            )
        elif isinstance(error, PosError):
            call.target.post_message(CoreFailed(error))
        else:
            self.log.error(f"{call.description} failed", error)
            call.target.post_message(CoreFailed(PosError(_("Unexpected error: {error}").format(error=error))))

    def with_override(
        self,
        action: Callable[[Override | None], T],
        done: Callable[[T], None],
        failed: Callable[[PosError], None],
        *,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Run a quick core ``action`` on the UI thread; on PermissionDenied ask a supervisor
        and run it again with their override. ``done`` gets the result, ``failed`` any error.
        ``discount_pct`` is the discount being given, so the supervisor's limit is checked too."""
        try:
            result = action(None)
        except PermissionDenied as exc:
            denied = exc  # the name ``exc`` is unbound once the except block ends
            self.ask_override(
                denied,
                lambda granted: self._retry(action, granted, done, failed),
                lambda: failed(denied),
                discount_pct=discount_pct,
            )
        except PosError as exc:
            failed(exc)
        else:
            done(result)

    def _retry(
        self,
        action: Callable[[Override | None], T],
        override: Override,
        done: Callable[[T], None],
        failed: Callable[[PosError], None],
    ) -> None:
        try:
            result = action(override)
        except PosError as exc:
            failed(exc)
        else:
            done(result)

    def ask_override(
        self,
        error: PermissionDenied,
        then: Callable[[Override], object],
        cancelled: Callable[[], object],
        *,
        discount_pct: Decimal | None = None,
    ) -> None:
        """Open the manager PIN dialog for ``error``; call ``then`` with the override when a
        supervisor grants it, ``cancelled`` when the cashier gives up (Esc)."""
        from pos_tui.tui.dialogs.manager import ManagerPinDialog

        def granted(override: Override | None) -> None:
            if override is None:
                cancelled()
            else:
                then(override)

        self.push_screen(ManagerPinDialog(error, discount_pct), granted)

    # -- session ------------------------------------------------------------------------------

    def start_session(self, actor: Actor, shift: Any) -> None:
        """A PIN was accepted: open a shift first when none is open, then the sale screen."""
        self.session.actor = actor
        self.session.shift = shift
        if shift is not None:
            self._open_sale()
            return
        from pos_tui.tui.dialogs.shift import OpenShiftDialog

        def opened(new_shift: Any) -> None:
            if new_shift is None:
                self.action_logout()
            else:
                self.session.shift = new_shift
                self._open_sale()

        self.push_screen(OpenShiftDialog(self.session.language), opened)

    def _open_sale(self) -> None:
        from pos_tui.tui.screens.sale import SaleScreen

        self.push_screen(SaleScreen())
        self.call_after_refresh(self.settle_heap)

    def settle_heap(self) -> None:
        """Collect garbage once, then move every object alive now (modules, the screens,
        the styles: most of the heap) out of the garbage collector's sight.

        A full collection otherwise walks that whole heap every few hundred scans and stalls
        the screen for 30-60 ms in the middle of a paint; after this it only walks what was
        made since. Called when the sale screen is up, where the till spends its day; what
        an earlier call froze is thawed first, so the screens a logout left behind are freed."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def action_logout(self) -> None:
        """Log the cashier out and go back to the PIN; the open cart stays saved."""
        from pos_tui.tui.screens.login import LoginScreen

        if self.session.actor is None:
            return
        self.session.actor = None
        self.session.shift = None
        login = self.screen_stack[0]
        if isinstance(login, LoginScreen):
            login.reset()
            login.pop_until_active()
