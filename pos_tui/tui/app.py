"""The ``pos`` application: PIN login, the open-shift prompt and the sale screen.

Core calls that may be slow (PIN hashing, posting a sale, reports) run in thread workers
started by :meth:`PosApp.call_core` (:mod:`pos_tui.tui.calls`); each posts its result as a
message to the screen that asked, and every failure comes back through the one
``Worker.StateChanged`` handler here: a :class:`~pos_tui.core.kernel.errors.PermissionDenied` opens
the manager PIN dialog and repeats the call with the supervisor's override, any other error
is shown on the asking screen's error line. Quick cart changes run on the UI thread through
:meth:`PosApp.with_override`, which follows the same rules.
"""

from __future__ import annotations

import gc
import importlib
import threading
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker

from pos_tui.core.kernel import Actor, Override, PermissionDenied, PosError, utcnow
from pos_tui.i18n import _, set_language
from pos_tui.settings import Settings
from pos_tui.tui.base import Till
from pos_tui.tui.calls import CoreCalls
from pos_tui.tui.keymap import N_, bind, key_display, localize_bindings, unknown_ids
from pos_tui.tui.messages import CardSwiped, DeviceScanned, DeviceStatusChanged, WeightChanged
from pos_tui.tui.session import Session

if TYPE_CHECKING:
    from pos_tui.tui.devices import DeviceHub
    from pos_tui.tui.printing import PrintStation


# What follows the first paint, in the order the cashier needs it: the PIN check, the sale screen
# with the cart it shows (and the core it drives), then the devices and the print station (started
# as soon as their modules are in: a scanner is no use before the sale screen), then the
# open-shift prompt and the payment. About a third of a second of imports, done in a thread while
# the cashier types the PIN; a cashier who types it at once waits for the first ones only. Core
# areas load lazily, so a public name of each is touched through its front door: that loads the
# module behind it.
_FOR_THE_SALE = (
    ("pos_tui.core.staff", "login"),
    ("pos_tui.core.cash", "current_shift"),
    ("pos_tui.tui.screens.sale", None),
    ("pos_tui.core.till", "load_open_cart"),
)
_FOR_THE_DEVICES = (("pos_tui.tui.devices", None), ("pos_tui.tui.printing", None))
EINVOICE_TICK_SECONDS = 60  # how often the e-invoice queue is worked and counted
SYNC_AFTER_SALE_SECONDS = 2.0  # a completed sale goes to the centre this soon after (when online)
SYNC_WAIT_SECONDS = 60.0  # the longest a pass asked for waits for the one under way

_FOR_LATER = (("pos_tui.tui.dialogs.shift", None), ("pos_tui.core.till", "complete_sale"))


def _load(modules: tuple[tuple[str, str | None], ...]) -> None:
    for module, name in modules:
        loaded = importlib.import_module(module)
        if name is not None:
            getattr(loaded, name)


def _approval_dialog(error: PermissionDenied, discount_pct: Decimal | None) -> Screen[Override]:
    """The supervisor-approval dialog (imported when first needed: most sales never ask)."""
    from pos_tui.tui.dialogs.manager import ManagerPinDialog

    return ManagerPinDialog(error, discount_pct)


class PosApp(Till):
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
        self.calls = CoreCalls(self, _approval_dialog)
        self._devices = devices
        self.printing: PrintStation | None = None  # the print queue and fiscal device, made at start (tests set one)
        self._pin_settled = threading.Event()  # clear while a PIN is checked and its screen not yet up
        self._pin_settled.set()
        self._sync_busy = threading.Lock()  # one sync pass at a time
        localize_bindings(self)

    def get_key_display(self, binding: Binding) -> str:
        """Keys as printed on the keyboard: ``F8``, ``Del``, ``Ctrl+Q`` (Textual shows ``f8``, ``^q``)."""
        if binding.key_display:
            return binding.key_display
        return key_display(binding.key)

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
        self.call_after_refresh(self.run_worker, self._warm_up, thread=True, group="warm-up", exit_on_error=False)
        self.run_worker(
            self._await_integrity,
            thread=True,
            group="integrity",
            description="database integrity check",
            exit_on_error=False,
        )
        self._einvoice_text = self._einvoice_short = ""
        self.set_interval(EINVOICE_TICK_SECONDS, self._einvoice_tick, name="einvoice")
        self.call_after_refresh(self._einvoice_tick)
        self.call_after_refresh(self._sync_tick)
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

    def _warm_up(self) -> None:
        """Import what follows the first screen and start the devices (a thread worker, started
        after the first paint). Python's import lock makes this safe against the UI thread
        importing the same module at the same moment."""
        try:
            _load(_FOR_THE_SALE)
            self._pin_settled.wait(3)  # a PIN typed at once: its screen first, then the devices
            _load(_FOR_THE_DEVICES)
        finally:
            self.call_from_thread(self.call_later, self._start_devices)
        _load(_FOR_LATER)

    def _await_integrity(self) -> None:
        """Wait for the background ``quick_check`` started with the database (``pos``) and,
        when the file is damaged, say so at once, naming the file and the last good backup.
        Until it has passed, posting waits for it; on a damaged file every write is refused."""
        from pos_tui.store.db import gate

        try:
            gate.require(wait=True)
        except PosError as exc:
            self.call_from_thread(self.notify, exc.message, severity="error", timeout=24 * 3600)

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

    # -- e-invoices ---------------------------------------------------------------------------

    def _einvoice_tick(self) -> None:
        """Every EINVOICE_TICK_SECONDS, and after each invoice: the e-invoice work of the till, in a
        thread worker (never on the UI thread: the sender talks to the network or a folder), then the
        status line's count. THE place the background sender plugs in: :meth:`_einvoice_work`."""
        self.run_worker(
            self._einvoice_work,
            thread=True,
            group="einvoice",
            exclusive=True,
            description="e-invoice queue",
            exit_on_error=False,
        )

    def _einvoice_work(self) -> None:
        """(worker thread) Send what is due to the integrator (the background sender: retries with backoff,
        one ETTN never sent as two invoices), then count the queue for the status line."""
        from pos_tui.tui.invoicing import count_queue, send_due

        try:
            send_due(self.settings, self.session.now())
        except Exception as exc:  # an unloadable driver, a closed database: the count still shows what waits
            self.log.warning("e-invoice sender", exc)
        try:
            summary = count_queue(self.session.now())
        except Exception as exc:  # a closed or damaged database: the count waits for the next tick
            self.log.warning("e-invoice queue not counted", exc)
            return
        self.call_from_thread(self._einvoice_counted, summary)

    def _einvoice_counted(self, summary: Any) -> None:
        from pos_tui.tui.invoicing import summary_text
        from pos_tui.tui.widgets.status import StatusLine

        text = summary_text(summary)
        if text != self._einvoice_text:
            self._einvoice_text = text
            self._einvoice_short = summary_text(summary, short=True)
            for screen in self.screen_stack:  # the one under a dialog too: it shows again when the dialog closes
                for line in screen.query(StatusLine):
                    line.refresh_status()

    def refresh_einvoice(self) -> None:
        """Count the queue again now (after an invoice was issued or resent)."""
        self._einvoice_tick()

    def einvoice_status(self, *, short: bool = False) -> str:
        """What the status line says of the invoices waiting (``short``: without the age), or ""."""
        if short:
            return getattr(self, "_einvoice_short", "")
        return getattr(self, "_einvoice_text", "")

    # -- sync with the centre ----------------------------------------------------------------

    _sync_state: Any = None  # the last SyncStatus read (None: not read yet, or this till joined no centre)
    _sync_timer: Any = None
    _sync_after_sale: Any = None
    _sync_again = False

    def _sync_tick(self, *, run: bool = True) -> None:
        """Every ``[sync] interval_seconds`` once this till is known to have joined a centre, and after a
        sale: one sync pass (push, then pull) in a thread worker, then the status line's state. The
        first tick, at start, only finds out whether the till joined: a till that did not gets no timer
        and no worker after it. ``run`` False: only read the state again (two local reads)."""
        self.run_worker(
            lambda: self._sync_work(run=run),
            thread=True,
            group="sync",
            description="sync with the centre",
            exit_on_error=False,
        )

    def _sync_work(self, *, run: bool, wait: bool = False) -> None:
        """(worker thread) One pass when joined; a pass already under way takes this request over
        (it runs once more when it ends), so two passes never run at once; with ``wait`` this one
        waits for it and runs after it. An unreachable centre is no failure here: the pass records it
        and the status line says "offline"."""
        from pos_tui.core import sync

        if not self._sync_busy.acquire(blocking=wait, timeout=SYNC_WAIT_SECONDS if wait else -1):
            self._sync_again = self._sync_again or run
            return
        try:
            while True:
                self._sync_again = False
                try:
                    current = sync.status.status(self.session.now())
                    if current.joined and run and (wait or self._sync_state is not None):  # the first tick looks
                        sync.run_once(self.session.now(), self.settings)
                        current = sync.status.status(self.session.now())
                except Exception as exc:  # a locked or closed database, a bug: the next tick tries again
                    self.log.warning("sync pass", exc)
                    return
                self.call_from_thread(self._sync_read, current)
                if not self._sync_again:
                    return
                run = True
        finally:
            self._sync_busy.release()

    def _sync_read(self, current: Any) -> None:
        from pos_tui.tui.widgets.status import StatusLine

        first = self._sync_state is None
        if not current.joined:
            self._sync_state = None
            return
        self._sync_state = current
        if self._sync_timer is None:
            self._sync_timer = self.set_interval(self.settings.sync.interval_seconds, self._sync_tick, name="sync")
        if first:
            self._sync_tick()  # the first pass, now that the till is known to have joined
        for screen in self.screen_stack:
            for line in screen.query(StatusLine):
                line.refresh_status()

    def refresh_sync(self, *, sale: bool = False) -> None:
        """Read the sync state again now; after a ``sale``, run a pass shortly (online) so the sale
        reaches the centre within seconds. Offline the interval's pass retries: a sale does not wait
        for another connection timeout."""
        current = self._sync_state
        if current is None:
            return
        if sale and current.online is not False:
            if self._sync_after_sale is not None:
                self._sync_after_sale.stop()
            self._sync_after_sale = self.set_timer(SYNC_AFTER_SALE_SECONDS, self._sync_tick, name="sync-after-sale")
        self._sync_tick(run=False)

    def sync_then(self, then: Callable[[], object]) -> None:
        """Run a sync pass now (after the one under way, if any) in a worker, then ``then`` on the UI
        thread, whatever the pass met (closing a shift or taking a Z sends what waits first)."""

        def work() -> None:
            try:
                self._sync_work(run=True, wait=True)
            finally:
                self.call_from_thread(then)

        self.run_worker(work, thread=True, group="sync", description="sync before closing", exit_on_error=False)

    def sync_state(self) -> Any:
        """The last sync state read (:class:`pos_tui.core.sync.SyncStatus`), None when this till joined no
        centre (the status line then shows nothing of it)."""
        return self._sync_state

    # -- core calls ---------------------------------------------------------------------------

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one worker-failure path (:meth:`pos_tui.tui.calls.CoreCalls.finished`)."""
        self.calls.finished(event)

    # -- session ------------------------------------------------------------------------------

    def checking_pin(self, checking: bool) -> None:
        """A PIN is being checked (``checking``), or its answer is on screen: the warm-up holds the
        device start back meanwhile, so the screen the cashier waits for comes first."""
        if checking:
            self._pin_settled.clear()
        else:
            self.call_after_refresh(self._pin_settled.set)

    def start_session(self, actor: Actor, shift: Any) -> None:
        """A PIN was accepted: open a shift first when none is open, then the sale screen. A user
        who may count but not sell (a stock clerk) goes to the stock counts instead."""
        from pos_tui.tui.screens.base import PosScreen
        from pos_tui.tui.screens.counting import counting_mode, open_counting

        self.session.actor = actor
        if counting_mode(actor) and isinstance(self.screen, PosScreen):  # the login screen
            open_counting(self.screen)
            self.checking_pin(False)
            self._agenda_at_login()
            return
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
        self.checking_pin(False)

    def _open_sale(self) -> None:
        from pos_tui.tui.screens.sale import SaleScreen

        self.push_screen(SaleScreen())
        self.call_after_refresh(self.settle_heap)
        self.checking_pin(False)
        self._agenda_at_login()

    def _agenda_at_login(self) -> None:
        """The user's overdue and today's agenda entries over the screen they start on (if any)."""
        from pos_tui.tui.screens.agenda import show_at_login
        from pos_tui.tui.screens.base import PosScreen

        screen = self.screen
        if isinstance(screen, PosScreen):
            show_at_login(screen)

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
