"""The counting screen (sayım): scan → +1 on the product's line, as fast as the sale screen.

Reached from F12 → Stock → Stock count: choose an open count (or open a new one, which needs
``count_manage``), say the zone (shelf, aisle; may be empty), then scan. Every entry is one
count event written on the UI thread in one short transaction, like a scan at the till, and
its line — the product's total over every terminal counting the same session — is painted
there and then (:func:`~pos_tui.tui.widgets.paint.paint_now`). ``5*`` then a scan counts five;
``1,250*`` then a weighed product's code counts 1,250 kg; a scale label counts its weight; F7
asks for a quantity for the next scan. F4 undoes your last entry, F2 changes the zone, F5 reads
the totals again (other terminals' scans), F8 reviews the count and posts it (``count_manage``;
a supervisor's PIN otherwise), with the explicit choice for uncounted products. A blind count's
expected quantities never appear on this screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Label, Static

from pos_tui.core.kernel import (
    MILLI,
    Actor,
    Override,
    PosError,
    format_decimal,
    format_money,
    format_quantity,
    from_kurus,
)
from pos_tui.core.stock import counting
from pos_tui.i18n import _, ngettext
from pos_tui.tui.base import pos_app
from pos_tui.tui.calls import CoreCall
from pos_tui.tui.capabilities import ScanReceiver
from pos_tui.tui.dialogs.counting_dialogs import CountReviewDialog, CountTextDialog
from pos_tui.tui.dialogs.prompts import ChoiceDialog, QuantityDialog
from pos_tui.tui.dialogs.views import ConfirmDialog
from pos_tui.tui.keymap import N_, bind
from pos_tui.tui.messages import ItemScanned
from pos_tui.tui.screens.base import PosScreen
from pos_tui.tui.widgets.keybar import KeyBar
from pos_tui.tui.widgets.paint import paint_now
from pos_tui.tui.widgets.scan_input import ScanInput, split_multiplier

SHOWN_LINES = 40  # rows kept for the list (the screen shows what fits, newest on top)


@dataclass
class CountReviewed(Message):
    review: Any


@dataclass
class CountPosted(Message):
    result: Any


@dataclass
class _Line:
    product_id: int
    code: str
    name: str
    unit: str
    counted: int
    expected: int | None


class _CountRows:
    """The counted products as a table of fixed columns: code (14), product (the rest), counted
    (12, right), expected (12, right; absent in a blind count), one space of padding each side
    of every cell, the header in bold, too long a cell cut with "…" — what ``rich.table.Table(
    box=None, padding=(0, 1), show_edge=False, expand=True)`` draws, cell for cell, laid out by
    hand: the Rich table measures and pads every cell on every paint, which made a scan's paint
    take several milliseconds longer than the sale screen's (benchmarks/bench_count_tui.py)."""

    FIXED = (14, None, 12, 12)  # None: the product column takes the width left
    RIGHT = (False, False, True, True)

    def __init__(self, head: list[str], rows: list[list[str]]) -> None:
        self.head = head
        self.rows = rows

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(options.max_width, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        fixed = self.FIXED[: len(self.head)]
        rest = options.max_width - sum(w + 2 for w in fixed if w is not None) - 2
        widths = [max(rest, 1) if w is None else w for w in fixed]
        right = self.RIGHT[: len(self.head)]

        def line(cells: list[str], style: str) -> Text:
            out = Text(style=style, no_wrap=True, end="")
            for cell, width, flush_right in zip(cells, widths, right, strict=True):
                text = Text(cell)
                text.truncate(width, overflow="ellipsis")
                text.align("right" if flush_right else "left", width)
                out.append(" ")
                out.append_text(text)
                out.append(" ")
            return out

        yield Text("\n", no_wrap=True, end="").join([line(self.head, "bold"), *(line(r, "") for r in self.rows)])


def post_question(review: Any, choice: str, *, blind: bool, language: str) -> str:
    """What posting ``review`` with ``choice`` ("leave"/"zero") does, in words and numbers."""
    moved = [ln for ln in review.lines if ln.variance]
    n = format_decimal(len(moved), language=language)
    if blind:  # no variances for a blind count's counter: how many were counted, not how many differ
        first = ngettext(
            "{n} counted product will be posted.", "{n} counted products will be posted.", len(review.lines)
        ).format(n=format_decimal(len(review.lines), language=language))
    else:
        first = ngettext(
            "{n} product gets a count movement (variance {value}).",
            "{n} products get a count movement (variance {value}).",
            len(moved),
        ).format(n=n, value=format_money(from_kurus(sum(ln.variance_value for ln in moved)), language))
    uncounted = len(review.uncounted)
    u = format_decimal(uncounted, language=language)
    if choice == "zero" and uncounted:
        if blind:
            second = ngettext(
                "{u} uncounted product with stock will be set to ZERO.",
                "{u} uncounted products with stock will be set to ZERO.",
                uncounted,
            ).format(u=u)
        else:
            second = ngettext(
                "{u} uncounted product with stock will be set to ZERO (stock value {value}).",
                "{u} uncounted products with stock will be set to ZERO (stock value {value}).",
                uncounted,
            ).format(u=u, value=format_money(from_kurus(review.uncounted_value), language))
    elif uncounted:
        second = ngettext(
            "{u} uncounted product with stock stays as it is.",
            "{u} uncounted products with stock stay as they are.",
            uncounted,
        ).format(u=u)
    else:
        second = _("No product with stock is left uncounted.")
    return "\n".join((first, second, _("Post the count?")))


class CountingScreen(PosScreen, ScanReceiver):
    """The counted products (newest on top) with their totals, the running totals, the scan field."""

    AUTO_FOCUS = "#scan"
    DEFAULT_CSS = """
    CountingScreen #count-head { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    CountingScreen #count-lines { height: 1fr; padding: 0 1; }
    CountingScreen #count-totals { height: 1; padding: 0 1; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        bind("count.zone", "zone", N_("Zone"), N_("Change the zone (shelf, aisle) being counted")),
        bind("count.undo", "undo", N_("Undo"), N_("Undo your last entry")),
        bind("count.reload", "reload", N_("Refresh"), N_("Read the totals of every terminal again")),
        bind("count.quantity", "quantity", N_("Qty"), N_("Type the quantity for the next scan")),
        bind("count.review", "review", N_("Review/Post"), N_("Review the variances and post the count")),
        bind("app.back", "leave", N_("Back"), N_("Leave the counting screen")),
    ]

    def __init__(self, info: counting.CountInfo, zone: str | None, *, first_code: str | None = None) -> None:
        super().__init__()
        self.info = info
        self.zone = zone
        self.first_code = first_code  # scanned into the zone prompt: counted as the first entry
        self.posting = False
        self.lines: dict[int, _Line] = {}
        self.order: list[int] = []  # product ids, the most recently counted first
        self.pieces = 0  # milli-units of piece products counted (kept up to date, not summed per scan)
        self.entries = 0  # entries made on this screen
        self.last = ""

    def compose(self) -> ComposeResult:
        yield Static(self._head(), id="count-head")
        yield Static("", id="count-lines")
        yield Static("", id="count-totals")
        with Horizontal(id="scan-row"):
            yield Label("", id="multiplier")
            yield ScanInput(id="scan", on_scan=self.scanned)
        yield Static("", id="message")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        # as the sale screen does: a full collection later would walk every line read here
        self.call_after_refresh(pos_app(self).settle_heap)
        if self.first_code:
            code, self.first_code = self.first_code, None
            self.count_code(code, None)

    # -- what is shown ---------------------------------------------------------------------------

    def _head(self) -> str:
        info = self.info
        parts = [
            _("Count {id}: {name}").format(id=info.id, name=info.name),
            info.location,
            _("Zone: {zone}").format(zone=self.zone or "-"),
        ]
        if info.blind:
            parts.append(_("blind"))
        return " · ".join(parts)

    def reload(self) -> None:
        """Read every product's total from the database (a screen joining a session, F5)."""
        try:
            rows = counting.counted_lines(self.info.id, blind=self.info.blind, limit=None)
        except PosError as exc:
            self.show_error(exc.message)
            return
        self.lines = {r.product_id: _Line(r.product_id, r.code, r.name, r.unit, r.counted, r.expected) for r in rows}
        self.order = [r.product_id for r in rows]
        self.pieces = sum(ln.counted for ln in self.lines.values() if ln.unit == "piece")
        self.show_lines()

    def show_lines(self) -> None:
        """The list, newest on top: only the rows that fit, laid out by :class:`_CountRows`."""
        lang = self.language
        blind = self.info.blind
        head = [_("Code"), _("Product"), _("Counted")] + ([] if blind else [_("Expected")])
        shown = self.query_one("#count-lines", Static)
        fits = shown.content_size.height - 1  # below the header row; unknown (0) before the first layout
        rows = []
        for pid in self.order[: fits if fits > 0 else SHOWN_LINES]:
            ln = self.lines[pid]
            row = [ln.code, ln.name, format_quantity(ln.counted, ln.unit, language=lang)]
            if not blind:
                row.append("" if ln.expected is None else format_quantity(ln.expected, ln.unit, language=lang))
            rows.append(row)
        shown.update(_CountRows(head, rows), layout=False)  # its size is fixed (1fr): no layout
        self._show_totals()

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_lines)  # as many rows as the new size holds

    def _show_totals(self) -> None:
        lang = self.language
        text = _("Products: {n} · Pieces: {pieces} · Entries here: {entries}").format(
            n=format_decimal(len(self.lines), language=lang),
            pieces=format_quantity(self.pieces, language=lang),
            entries=format_decimal(self.entries, language=lang),
        )
        if self.last:
            text += " · " + self.last
        totals = Text(text, no_wrap=True, overflow="ellipsis")
        self.query_one("#count-totals", Static).update(totals, layout=False)  # one line, full width

    def counted(self, result: counting.EventResult) -> None:
        """An entry was recorded (or undone): its product's line goes on top with the new total."""
        line = _Line(result.product_id, result.code, result.name, result.unit, result.counted, result.expected)
        before = self.lines.get(result.product_id)
        if before is not None and result.product_id in self.order:
            self.order.remove(result.product_id)
        if result.undoes is None or result.counted:
            self.lines[result.product_id] = line
            self.order.insert(0, result.product_id)
        else:
            self.lines.pop(result.product_id, None)
        if result.unit == "piece":  # the product's new total replaces its old one (another terminal's scans too)
            self.pieces += line.counted - (before.counted if before is not None else 0)
        sign = "+" if result.qty >= 0 else "−"
        self.last = _("{name} {sign}{qty} → {total}").format(
            name=result.name,
            sign=sign,
            qty=format_quantity(abs(result.qty), result.unit, language=self.language),
            total=format_quantity(result.counted, result.unit, language=self.language),
        )
        self.show_lines()

    # -- scanning --------------------------------------------------------------------------------

    def scanned(self, event: ItemScanned) -> None:
        """The scan field's entry, handled there and then and painted at once (as the sale screen)."""
        self._scanned_entry(event)
        paint_now(self)

    def _scanned_entry(self, event: ItemScanned) -> None:
        if not self.scan_entry(event):
            return
        if self.posting:
            self.show_error(_("Wait: the count is being posted"))
            return
        self.count_code(event.code, event.qty_milli)

    def count_code(self, code: str, qty: int | None) -> None:
        session = self.session
        actor = session.require_actor()
        uid = counting.new_uid()  # made once: a retry with a supervisor's PIN is the same entry
        masks = session.settings.scale_labels

        def record(override: Override | None) -> counting.EventResult:
            return counting.record_scan(
                self.info.id,
                code,
                uid=uid,
                actor=actor,
                now=session.now(),
                terminal=session.terminal,
                masks=masks,
                qty=qty,
                zone=self.zone,
                override=override,
            )

        def done(result: counting.EventResult) -> None:
            self.entries += 1
            self.clear_message()
            self.counted(result)

        pos_app(self).with_override(record, done, self.failed)

    def take_scan(self, code: str) -> None:
        self.scanned(ItemScanned(code, self._take_multiplier()))

    def take_card(self, card: str) -> None:
        self.show_error(_("A card is not counted; scan the product's barcode"))

    def _take_multiplier(self) -> int | None:
        scan = self.query_one(ScanInput)
        qty, scan.pending_qty = scan.pending_qty, None
        try:
            code, typed = split_multiplier(scan.value)
        except PosError:
            code, typed = scan.value, None
        if not code and typed is not None:
            qty = typed
            scan.value = ""
        self.query_one("#multiplier", Label).update("")
        return qty

    # -- keys ------------------------------------------------------------------------------------

    def action_undo(self) -> None:
        session = self.session
        actor = session.require_actor()
        uid = counting.new_uid()

        def undo(override: Override | None) -> counting.EventResult:
            return counting.undo_event(
                self.info.id, uid=uid, actor=actor, now=session.now(), terminal=session.terminal, override=override
            )

        def done(result: counting.EventResult) -> None:
            self.counted(result)
            self.show_note(_("Undone: {last}").format(last=self.last))

        pos_app(self).with_override(undo, done, self.failed)
        paint_now(self)

    def action_zone(self) -> None:
        def chosen(zone: str | None) -> None:
            if zone is None:
                return
            if is_product_code(zone, self.session.settings.scale_labels):
                self.count_code(zone, None)  # a scan, not a zone: counted; the zone stays
                return
            self.zone = zone or None
            self.query_one("#count-head", Static).update(self._head())

        self.app.push_screen(
            CountTextDialog(
                _("Zone"), _("Zone being counted (shelf, aisle); empty for none"), initial=self.zone or "", limit=32
            ),
            chosen,
        )

    def action_reload(self) -> None:
        self.reload()
        self.show_note(_("Totals read again"))

    def action_quantity(self) -> None:
        def chosen(qty: int | None) -> None:
            if qty is None:
                return
            self.query_one(ScanInput).pending_qty = qty
            unit = "kg" if qty % MILLI else "piece"
            self.query_one("#multiplier", Label).update(f"{format_quantity(qty, unit, language=self.language)} ×")

        self.app.push_screen(
            QuantityDialog(_("Quantity"), _("Quantity for the next scan (1,250 for a weight)")), chosen
        )

    def action_review(self) -> None:
        actor = self.session.require_actor()
        session_id = self.info.id
        pos_app(self).call_core(
            CoreCall(
                run=lambda _override: counting.review_count(session_id, actor=actor),
                reply=CountReviewed,
                target=self,
                description="count review",
                group="count",
            )
        )

    @on(CountReviewed)
    def _reviewed(self, event: CountReviewed) -> None:
        review = event.review

        def chosen(choice: str | None) -> None:
            if choice in counting.UNCOUNTED_CHOICES:
                self.confirm_post(review, choice)

        self.app.push_screen(CountReviewDialog(review, blind=self.info.blind, language=self.language), chosen)

    def confirm_post(self, review: Any, choice: str) -> None:
        """Say exactly what posting will do, then post only on an explicit yes (F10; Enter is no)."""
        question = post_question(review, choice, blind=self.info.blind, language=self.language)

        def answered(yes: bool | None) -> None:
            if yes:
                self.post(choice)
            else:
                self.show_note(_("Not posted"))

        title = _("Post count {id}").format(id=self.info.id)
        self.app.push_screen(ConfirmDialog(title, question, default_no=True), answered)

    def post(self, uncounted: str) -> None:
        session = self.session
        actor = session.require_actor()
        session_id = self.info.id
        self.posting = True
        self.show_note(_("Posting the count…"))

        def run(override: Override | None) -> counting.PostResult:
            return counting.post_count(
                session_id,
                uncounted="zero" if uncounted == "zero" else "leave",
                actor=actor,
                now=session.now(),
                terminal=session.terminal,
                override=override,
            )

        pos_app(self).call_core(
            CoreCall(run=run, reply=CountPosted, target=self, description="count post", group="count")
        )

    @on(CountPosted)
    def _posted(self, event: CountPosted) -> None:
        result = event.result
        self.posting = False
        lang = self.language
        if result.zeroed:
            extra = _("{n} uncounted products set to zero").format(n=format_decimal(result.zeroed, language=lang))
        else:
            extra = _("{n} uncounted products left as they are").format(n=format_decimal(result.left, language=lang))
        self.show_note(
            _("Count {id} posted: {n} movements; {extra}. Esc: back").format(
                id=self.info.id, n=format_decimal(result.movements, language=lang), extra=extra
            )
        )
        self.info = counting.get_count(self.info.id)
        self.query_one("#count-head", Static).update(self._head() + " · " + counting.status_label(self.info.status))

    def failed(self, error: PosError) -> None:
        self.posting = False
        super().failed(error)

    def action_leave(self) -> None:
        """Back to the sale screen; in counting mode (no sale screen under it) back to the PIN."""
        if self.posting:
            self.show_error(_("Wait: the count is being posted"))
            return
        app = pos_app(self)
        selling = any(isinstance(s, ScanReceiver) and s is not self for s in app.screen_stack)
        self.dismiss()
        if not selling:
            app.action_logout()


def _gave_up(screen: PosScreen) -> None:
    """Esc before counting: in counting mode (no sale screen in the stack) back to the PIN."""
    app = pos_app(screen)
    if not any(isinstance(s, ScanReceiver) for s in app.screen_stack):
        app.action_logout()


def is_product_code(text: str, masks: Any) -> bool:
    """Whether ``text`` is what the counting screen would count (:func:`counting.resolve`: a
    product's barcode or code, active or not, or a scale label)."""
    try:
        counting.resolve(text, masks)
    except PosError:
        return False
    return True


def _choose_zone(screen: PosScreen, info: counting.CountInfo) -> None:
    def chosen(zone: str | None) -> None:
        if zone is None:
            _gave_up(screen)
        elif is_product_code(zone, screen.session.settings.scale_labels):
            # a scan into the zone prompt: no zone, and the scan is the count's first entry
            screen.app.push_screen(CountingScreen(info, None, first_code=zone))
        else:
            screen.app.push_screen(CountingScreen(info, zone or None))

    screen.app.push_screen(
        CountTextDialog(
            _("Zone"), _("Zone you count (shelf, aisle); empty for none, or scan to start without one"), limit=32
        ),
        chosen,
    )


def _open_new(screen: PosScreen) -> None:
    session = screen.session
    actor = session.require_actor()

    def named(name: str | None) -> None:
        if not name:
            _gave_up(screen)
            return

        def open_(override: Override | None) -> counting.CountInfo:
            return counting.open_count(
                name, actor=actor, now=session.now(), terminal=session.terminal, override=override
            )

        def refused(error: PosError) -> None:
            screen.failed(error)
            _gave_up(screen)

        pos_app(screen).with_override(open_, lambda info: _choose_zone(screen, info), refused)

    screen.app.push_screen(
        CountTextDialog(_("New stock count"), _("Name of the count (e.g. Year end, Aisle 4)"), required=True), named
    )


def counting_mode(actor: Actor) -> bool:
    """Whether ``actor`` logs in straight to counting: they may count but not sell (a stock
    clerk, a temporary counter at year end). The app calls :func:`open_counting` on the login
    screen for them instead of opening a shift and the sale screen; leaving the counting screen
    then logs them out."""
    return actor.can("count") and not actor.can("sell")


def open_counting(screen: PosScreen) -> None:
    """F12 → Stock → Stock count: choose an open count (or open a new one), a zone, then count."""
    try:
        sessions = counting.list_counts(counting.OPEN)
    except PosError as exc:
        screen.show_error(exc.message)
        return
    by_id = {str(c.id): c for c in sessions[:9]}
    choices = [
        (key, f"{c.id} · {c.name} · {c.location}" + (" · " + _("blind") if c.blind else "")) for key, c in by_id.items()
    ]
    choices.append(("new", _("Open a new count…")))

    def chosen(key: str | None) -> None:
        if key is None:
            _gave_up(screen)
            return
        if key == "new":
            _open_new(screen)
        else:
            _choose_zone(screen, by_id[key])

    screen.app.push_screen(ChoiceDialog(_("Stock count"), choices, _("Which count?")), chosen)
