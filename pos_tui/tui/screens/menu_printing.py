"""The F12 menu's printing entries: waiting jobs, shelf labels and the fiscal device's Z report.

They open dialogs (the label output, the Z confirmation), so they live with the screens, above
:mod:`pos_tui.tui.printing`, which talks to the printer and the fiscal device and opens none. Their
workers run through the till's core calls, so a failure lands on the sale screen's message line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pos_tui.core.kernel import PosError, ValidationError
from pos_tui.devices.errors import DeviceError
from pos_tui.i18n import _
from pos_tui.tui.printing import fiscal_z_text, print_job, retry, station_of, write_labels_pdf

if TYPE_CHECKING:
    from pos_tui.tui.screens.base import PosScreen


def shelf_labels(screen: PosScreen) -> None:
    """The menu's "Print shelf labels for products changed today": count them, ask PDF or receipt printer, make them."""
    from pos_tui.core.catalog import select_products
    from pos_tui.core.kernel import shop_day
    from pos_tui.tui.dialogs.prompts import ChoiceDialog

    app = screen.app
    station = station_of(app)
    session = screen.session
    settings = session.settings
    tz = settings.shop.timezone
    now = session.now()
    today = shop_day(now, tz)

    def chosen(labels: list[Any], how: str | None) -> None:
        if how is None:
            return
        if how == "printer":
            from pos_tui.devices.labels_escpos import label_printables

            for job in label_printables(labels, width=station.width, language=settings.language):
                station.submit(job)
            screen.show_note(_("{n} shelf labels sent to the receipt printer").format(n=len(labels)))
            return

        def write() -> None:
            try:
                path, pages = write_labels_pdf(station, labels, settings, now)
            except OSError as exc:  # the disk is full, the folder is not writable: said as it is
                raise PosError(str(exc)) from exc
            note = _("Wrote {n} labels on {pages} pages to {path}").format(n=len(labels), pages=pages, path=path)
            app.call_from_thread(screen.show_note, note)

        screen.show_note(_("Making the label sheets…"))
        print_job(screen, write, _("Shelf labels"))

    def counted(labels: list[Any]) -> None:
        choices = [("pdf", _("PDF sheets (A4) under {home}").format(home=settings.home / "labels"))]
        if station.queue is not None:
            choices.append(("printer", _("Receipt printer, one label per cut")))
        title = _("{n} shelf labels").format(n=len(labels))
        app.push_screen(ChoiceDialog(title, choices), lambda how: chosen(labels, how))

    def select() -> None:
        try:
            labels = select_products(changed_since=today, as_of=today, tz=tz)
        except ValidationError:
            app.call_from_thread(screen.show_note, _("No product changed today"))
            return
        app.call_from_thread(counted, labels)

    print_job(screen, select, _("Shelf labels"))


def fiscal_z(screen: PosScreen) -> None:
    """The menu's "Fiscal device Z report": the device's own Z, e.g. after it failed with the shop's Z."""
    from pos_tui.tui.dialogs.views import ConfirmDialog

    app = screen.app
    station = station_of(app)
    if station.fiscal is None:
        screen.show_error(_("No fiscal device is configured"))
        return
    session = screen.session

    def work() -> None:
        try:
            report = station.fiscal_z(session.now())
        except DeviceError as exc:
            raise PosError(exc.message) from exc
        app.call_from_thread(screen.show_note, fiscal_z_text(report))

    def confirmed(yes: bool | None) -> None:
        if yes:
            print_job(screen, work, _("Fiscal Z"))

    app.push_screen(
        ConfirmDialog(_("Fiscal device Z report"), _("Close the fiscal device's day? This cannot be undone.")),
        confirmed,
    )


__all__ = ["fiscal_z", "retry", "shelf_labels"]
