"""The devices at the counter, as the app sees them: one :class:`DeviceHub` per app.

The hub reads ``devices.toml`` once when the app starts (:meth:`DeviceHub.start`), builds the serial
scanner, the card reader and the scale it names, starts their links and turns everything they report into
messages posted to the app (:mod:`pos_tui.tui.messages`): ``DeviceScanned``, ``CardSwiped``,
``WeightChanged`` (a streaming scale collapses to the latest reading) and ``DeviceStatusChanged`` (the latest
per device). A section that does not parse is shown once as a notification, its device shows ``error`` in the
status line, and the app sells without it; nothing here can stop the till.

Where a scan or a card goes (the same for a serial scanner and a keyboard-wedge burst):

- the sale screen (the one :class:`~pos_tui.tui.capabilities.ScanReceiver`) is active → the item is added
  exactly as if its code had been typed and Enter pressed (the pending ``3*`` multiplier applies); a card
  selects the member through ``carts.set_member`` with the usual override flow (a cashier's own card asks for
  a supervisor);
- a screen whose field is *for* codes is active (one that declares
  :class:`~pos_tui.tui.capabilities.ScanTarget`: customer, coupon, gift card, product search, returns,
  receipts) → the code is typed into its focused field and submitted, as a wedge scanner without the hub
  would do;
- any other dialog or screen is open, or a sale is being posted → the scan is **queued** and applied, in
  order, as soon as the sale screen is active again and not posting. It never lands as text in the dialog,
  and it never changes the cart under an open payment dialog (the amount it asked for would be wrong);
- nobody is logged in → the scan is dropped with a warning (it must not be typed into the PIN field).

Keyboard wedges: :meth:`DeviceHub.filter_key` is called by ``PosApp.on_event`` for every key before Textual
dispatches it, and drives :class:`~pos_tui.devices.wedge.BurstDetector`. Keys that turn out to be typing are
replayed in order through ``App.on_event`` (at most ``burst_ms`` late); a burst ending in Enter/Tab becomes a
``DeviceScanned``/``CardSwiped``. With no keyboard scanner or reader configured no key is ever held.

For the printing/fiscal parts: :attr:`DeviceHub.config` is the parsed devices.toml (read it, do not load it
again), :meth:`DeviceHub.publish` shows any device's :class:`DeviceStatus` in the status line (thread-safe),
:meth:`DeviceHub.add_stopper` registers a coroutine run when the app exits.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from textual import events
from textual.app import App
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from pos_tui.core.kernel import ValidationError
from pos_tui.devices.cards import CardReaderConfig, CardUnreadable, SerialCardReader, keyboard_status
from pos_tui.devices.cards import CardSwiped as CardEvent
from pos_tui.devices.config import DevicesConfig, load_devices
from pos_tui.devices.scales import Scale, WeightReading, open_scale
from pos_tui.devices.scanner import DEFAULT_BURST_MS, KeyboardInput, Scanned, ScannerConfig, SerialScanner
from pos_tui.devices.status import DeviceStatus, device_label
from pos_tui.devices.wedge import BurstDetector, Decision
from pos_tui.i18n import _
from pos_tui.tui.capabilities import ScanReceiver, ScanTarget, ShowsWeight
from pos_tui.tui.messages import CardSwiped, DeviceScanned, DeviceStatusChanged, WeightChanged

if TYPE_CHECKING:
    from pos_tui.tui.base import Till

log = logging.getLogger(__name__)

DRAIN_RETRY = 0.1  # seconds between checks whether queued scans can be applied
STATUS_ORDER = ("scanner", "card_reader", "scale", "printer", "drawer", "labels", "fiscal")


class StatusWatcher(Protocol):
    """Something that shows device statuses (the status line)."""

    def show_statuses(self, statuses: dict[str, DeviceStatus]) -> None: ...


class ScaleFactory(Protocol):
    """How the hub gets its scale (``open_scale``, or a test's ``FakeScale``)."""

    def __call__(
        self,
        devices: DevicesConfig,
        *,
        on_reading: Callable[[WeightReading], None],
        on_status: Callable[[DeviceStatus], None],
        clock: Callable[[], float],
    ) -> Scale | None: ...


class SerialReader(Protocol):
    name: str

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


Routed = Scanned | CardEvent


class DeviceHub:
    """Owns the app's input devices: loads the configuration, runs the links, routes what they read.

    ``config``: a parsed devices.toml (tests); None reads it with :func:`load_devices` at start.
    ``make_scale``: builds the scale (default :func:`open_scale`; tests pass a ``FakeScale`` factory).
    ``clock``: the burst detector's and the scale's clock (tests inject one, so nothing depends on real timing).
    """

    def __init__(
        self,
        config: DevicesConfig | None = None,
        *,
        make_scale: ScaleFactory = open_scale,
        clock: Callable[[], float] = time.monotonic,
        default_burst_ms: int | None = None,
    ) -> None:
        self.config = config
        self._make_scale = make_scale
        self._clock = clock
        self._default_burst_ms = default_burst_ms
        self.app: Till | None = None
        self.scale: Scale | None = None
        self.readers: list[SerialReader] = []
        self.keyboard: KeyboardInput | None = None
        self.detector: BurstDetector | None = None
        self.statuses: dict[str, DeviceStatus] = {}
        self.problems: list[str] = []
        self._watchers: list[StatusWatcher] = []
        self._held: deque[events.Key] = deque()
        self._timer: Timer | None = None
        self._queue: deque[Routed] = deque()
        self._drain_timer: Timer | None = None
        self._stoppers: list[Callable[[], Awaitable[None]]] = []
        self._started = False

    # -- life cycle -------------------------------------------------------------------------------------------

    async def start(self, app: Till) -> None:
        """Read the configuration, build and start the devices (idempotent). Never raises for a device."""
        if self._started:
            return
        self._started = True
        self.app = app
        if self.config is None:
            try:
                self.config = load_devices()
            except ValidationError as exc:
                self._problem("", exc.message)
                self.config = DevicesConfig(path=None, sections={})
        config = self.config
        burst_default = self._default_burst_ms or app.settings.security.scan_burst_ms or DEFAULT_BURST_MS
        scanner = self._parse("scanner", lambda: ScannerConfig.from_devices(config))
        reader = self._parse("card_reader", lambda: CardReaderConfig.from_devices(config))
        if scanner is not None and scanner.driver == "serial":
            self.readers.append(
                SerialScanner(scanner, on_event=self._on_event, on_status=self._on_status, clock=self._clock)
            )
        if reader is not None and reader.driver == "serial":
            self.readers.append(
                SerialCardReader(reader, on_event=self._on_event, on_status=self._on_status, clock=self._clock)
            )
        keyboard_scanner = scanner if scanner is not None and scanner.driver == "keyboard" else None
        keyboard_reader = reader if reader is not None and reader.driver == "keyboard" else None
        if keyboard_scanner is not None or keyboard_reader is not None:
            burst = (
                (keyboard_scanner.burst_ms if keyboard_scanner else None)
                or (keyboard_reader.burst_ms if keyboard_reader else None)
                or burst_default
            )
            self.keyboard = KeyboardInput(scanner=keyboard_scanner, card_reader=keyboard_reader, burst_ms=burst)
            self.detector = self.keyboard.detector()
            for status in self.keyboard.statuses():
                self._on_status(status)
        try:
            self.scale = self._make_scale(
                config, on_reading=self._on_reading, on_status=self._on_status, clock=self._clock
            )
        except ValidationError as exc:
            self._problem("scale", exc.message)
        app.screen_change_signal.subscribe(app, self._screen_changed)
        for device in (*self.readers, self.scale):
            if device is None:
                continue
            try:
                await device.start()
            except Exception as exc:  # a driver bug must not stop the till
                log.exception("%s: start failed", getattr(device, "name", device))
                self._problem(getattr(device, "name", "scale"), str(exc))
        for problem in self.problems:
            app.notify(problem, title=_("Device settings"), severity="error", timeout=30)

    async def stop(self) -> None:
        """Stop every device (the app is exiting); errors are logged, never raised."""
        if self._timer is not None:
            self._timer.stop()
        for device in (*self.readers, self.scale):
            if device is None:
                continue
            try:
                await device.stop()
            except Exception:
                log.exception("%s: stop failed", getattr(device, "name", device))
        for stopper in self._stoppers:
            try:
                await stopper()
            except Exception:
                log.exception("device stopper failed")

    def add_stopper(self, stopper: Callable[[], Awaitable[None]]) -> None:
        """Run ``stopper()`` when the app exits (a printer queue, the fiscal device)."""
        self._stoppers.append(stopper)

    def _parse(self, name: str, parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except ValidationError as exc:
            self._problem(name, exc.message)
            return None

    def _problem(self, name: str, message: str) -> None:
        """A device that cannot be used: said once (notification) and shown as ``error`` in the status line."""
        self.problems.append(message)
        if name:
            text = _("{device}: not used: {reason}").format(device=device_label(name), reason=message)
            self._store(DeviceStatus(name, "error", text, since=self._clock()))

    # -- statuses ---------------------------------------------------------------------------------------------

    def publish(self, status: DeviceStatus) -> None:
        """Show ``status`` in the status line (any device; callable from any thread)."""
        if self.app is None:
            self.statuses[status.name] = status
            return
        self.app.post_message(DeviceStatusChanged(status))

    def status_changed(self, status: DeviceStatus) -> None:
        """A ``DeviceStatusChanged`` reached the app: keep it and show it."""
        self._store(status)

    def _store(self, status: DeviceStatus) -> None:
        self.statuses[status.name] = status
        for watcher in list(self._watchers):
            watcher.show_statuses(self.statuses)

    def watch(self, watcher: StatusWatcher) -> None:
        """``watcher.show_statuses`` is called now and on every change (until :meth:`unwatch`)."""
        self._watchers.append(watcher)
        watcher.show_statuses(self.statuses)

    def unwatch(self, watcher: StatusWatcher) -> None:
        if watcher in self._watchers:
            self._watchers.remove(watcher)

    @property
    def configured(self) -> list[DeviceStatus]:
        """The statuses the status line shows (devices that exist), in a fixed order."""
        known = [self.statuses[n] for n in STATUS_ORDER if n in self.statuses]
        other = [s for n, s in sorted(self.statuses.items()) if n not in STATUS_ORDER]
        return [s for s in (*known, *other) if s.state != "none"]

    # -- device callbacks (on the event loop) -------------------------------------------------------------------

    def _on_status(self, status: DeviceStatus) -> None:
        self.publish(status)

    def _on_reading(self, reading: WeightReading) -> None:
        if self.app is not None:
            self.app.post_message(WeightChanged(reading))

    def _on_event(self, event: object) -> None:
        if self.app is None:
            return
        if isinstance(event, Scanned):
            self.app.post_message(DeviceScanned(event.code, event.source))
        elif isinstance(event, CardEvent):
            self.app.post_message(CardSwiped(event.card, event.kind, event.raw))
        elif isinstance(event, CardUnreadable):
            self.app.post_message(CardSwiped("", "", event.raw, error=event.message))

    # -- messages (PosApp hands them over) ----------------------------------------------------------------------

    def handle(self, message: Any) -> None:
        """Act on one device message that reached the app."""
        if isinstance(message, DeviceStatusChanged):
            self.status_changed(message.status)
        elif isinstance(message, WeightChanged):
            screen = self._app.screen
            if isinstance(screen, ShowsWeight):
                screen.show_reading(message.reading)
        elif isinstance(message, DeviceScanned):
            self.route(Scanned(message.code, message.source))
        elif isinstance(message, CardSwiped):
            if message.error:
                self._show_error(message.error)
            else:
                self.route(CardEvent(message.card, message.kind, message.raw))

    @property
    def _app(self) -> Till:
        assert self.app is not None, "the hub is not started"
        return self.app

    # -- routing scans and cards --------------------------------------------------------------------------------

    def sale_screen(self) -> ScanReceiver | None:
        """The screen scans are for (the sale screen) in the stack, under any dialogs; None when nobody is selling."""
        for screen in reversed(self._app.screen_stack):
            if isinstance(screen, ScanReceiver):
                return screen
        return None

    @staticmethod
    def takes_scans(screen: Screen[Any]) -> bool:
        """Whether ``screen``'s focused field is where a scanned code belongs (it declares :class:`ScanTarget`)."""
        return isinstance(screen, ScanTarget)

    def route(self, item: Routed) -> None:
        """Deliver a scan or a card (see the module docstring for where it goes)."""
        app = self._app
        sale = self.sale_screen()
        if sale is None:
            app.notify(_("Log in to sell: {what} was not used").format(what=self._what(item)), severity="warning")
            return
        top = app.screen
        if top is not sale and isinstance(item, Scanned) and self.takes_scans(top) and self._type_into(top, item.code):
            return
        if top is sale and not sale.posting and not self._queue:
            self.apply(sale, item)
            return
        self._queue.append(item)
        app.notify(_("{what} waits: it is applied when the sale screen is back").format(what=self._what(item)))
        self._schedule_drain(DRAIN_RETRY)

    def _what(self, item: Routed) -> str:
        if isinstance(item, Scanned):
            return _("Scan {code}").format(code=item.code)
        return _("Card …{end}").format(end=item.card[-4:])

    @property
    def queued(self) -> tuple[Routed, ...]:
        """Scans and cards waiting for the sale screen, oldest first."""
        return tuple(self._queue)

    def apply(self, sale: ScanReceiver, item: Routed) -> None:
        """Put one scan or card on the sale now, through the sale screen's own paths."""
        if isinstance(item, Scanned):
            sale.take_scan(item.code)
        else:
            sale.take_card(item.card)

    def _type_into(self, screen: Screen[Any], code: str) -> bool:
        """Type ``code`` into ``screen``'s focused field and submit it, as a wedge scanner would."""
        focused = screen.focused
        if not isinstance(focused, Input):
            return False
        focused.value = code
        focused.cursor_position = len(code)
        self._app.call_later(focused.action_submit)
        return True

    def _show_error(self, message: str) -> None:
        sale = self.sale_screen()
        if sale is not None and self._app.screen is sale:
            sale.show_error(message)
        else:
            self._app.notify(message, severity="error")

    def _screen_changed(self, _screen: Screen[Any]) -> None:
        if self._queue:
            # Later, not now: the closing dialog's callback (post the sale, attach a member) runs first.
            self._schedule_drain(0.05)

    def _schedule_drain(self, delay: float) -> None:
        if self._drain_timer is None:
            self._drain_timer = self._app.set_timer(delay, self.drain)

    def drain(self) -> None:
        """Apply queued scans and cards when the sale screen is active and not posting (else check again soon)."""
        self._drain_timer = None
        if not self._queue:
            return
        sale = self.sale_screen()
        if sale is None:  # logged out meanwhile: the scans belonged to that cashier's sale
            self._queue.clear()
            return
        if self._app.screen is not sale or sale.posting:
            self._schedule_drain(DRAIN_RETRY)
            return
        while self._queue and self._app.screen is sale and not sale.posting:
            self.apply(sale, self._queue.popleft())
        if self._queue:
            self._schedule_drain(DRAIN_RETRY)

    # -- keyboard wedges ----------------------------------------------------------------------------------------

    async def filter_key(self, event: events.Key) -> bool:
        """Called for every key before dispatch; True when the hub took it (held, or part of a scan)."""
        detector = self.detector
        if detector is None:
            return False
        key = event.character if event.is_printable and event.character else event.key
        self._held.append(event)
        decision = detector.feed(key, self._clock())
        if decision.passthrough:
            self._held.pop()
            return False
        await self._settle(decision)
        return True

    async def _settle(self, decision: Decision) -> None:
        released = [self._held.popleft() for _key in decision.release]
        burst: list[events.Key] = []
        if decision.scan is not None:
            burst = [self._held.popleft() for _key in range(len(decision.scan) + 1)]
        for event in released:
            await self._replay(event)
        if decision.scan is not None:
            await self._burst(decision.scan, burst)
        self._arm_timer()

    async def _replay(self, event: events.Key) -> None:
        """Hand a held key on as Textual would have (bindings, then the focused widget)."""
        await App.on_event(self._app, event)

    def _arm_timer(self) -> None:
        detector = self.detector
        if detector is not None and detector.pending and self._timer is None:
            self._timer = self._app.set_timer(detector.burst + 0.002, self._expire)

    async def _expire(self) -> None:
        """The timer: release keys that were typing (the detector decides on the injected clock)."""
        self._timer = None
        detector = self.detector
        if detector is None:
            return
        decision = detector.expire(self._clock())
        if decision.release:
            await self._settle(decision)
        else:
            self._arm_timer()

    async def _burst(self, text: str, keys: list[events.Key]) -> None:
        """A scanner's burst: a code or a card for the sale, or typing for a field that wants codes."""
        app = self._app
        sale = self.sale_screen()
        if sale is not None and app.screen is not sale and self.takes_scans(app.screen):
            for event in keys:
                await self._replay(event)
            return
        if sale is None:
            app.notify(_("Log in to sell: the scan was not used"), severity="warning")
            return
        keyboard = self.keyboard
        assert keyboard is not None
        try:
            found = keyboard.classify(text)
        except ValidationError as exc:
            self._show_error(exc.message)
            return
        if found is None:
            return
        name = "card_reader" if isinstance(found, CardEvent) else "scanner"
        current = self.statuses.get(name) or keyboard_status(name)
        value = found.code if isinstance(found, Scanned) else f"{found.kind} …{found.card[-4:]}"
        self._store(current.with_value(value))
        if isinstance(found, Scanned):
            app.post_message(DeviceScanned(found.code, found.source))
        else:
            app.post_message(CardSwiped(found.card, found.kind, found.raw))
