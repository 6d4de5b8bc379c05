"""Which provider ``[einvoice] driver`` names (docs/einvoice-send.md, "Providers")."""

from __future__ import annotations

import importlib
from pathlib import Path

from pos_tui.core.einvoice.providers.base import EInvoiceProvider
from pos_tui.core.einvoice.providers.folder import FolderProvider
from pos_tui.core.einvoice.providers.simulator import SimulatorProvider, parse_options
from pos_tui.core.kernel.clock import SHOP_TZ
from pos_tui.core.kernel.errors import ValidationError
from pos_tui.i18n import _
from pos_tui.settings import EInvoiceSettings
from pos_tui.store import fast
from pos_tui.store import models as m

FOLDER = "folder"
SIMULATOR = "simulator"
# A database the demo shop was loaded into (``pos --demo``, ``pos-admin demo``) carries this mark in
# ``meta_entry``: its invoices go to the simulator in ``$POS_HOME/demo-einvoice``, whatever the driver
# says, from the till and from ``pos-admin`` alike, and never into the shop's real outbox.
DEMO_MARK = "demo_shop"
DEMO_OUTBOX = "demo-einvoice"
DEMO_OPTIONS = "later=1"


def outbox_path(settings: EInvoiceSettings, home: Path) -> Path:
    """``[einvoice] outbox`` (relative to ``home``), or ``home/einvoice``."""
    if not settings.outbox:
        return Path(home) / "einvoice"
    path = Path(settings.outbox).expanduser()
    return path if path.is_absolute() else Path(home) / path


def is_demo_database() -> bool:
    """Whether the open database holds the demo shop (:data:`DEMO_MARK`); False with no database open."""
    try:
        return fast.select_first(m.MetaEntry, ("value",), {"key": DEMO_MARK}) is not None
    except RuntimeError:  # no database open (a provider loaded on its own)
        return False


def load_provider(settings: EInvoiceSettings, home: Path, tz: str = SHOP_TZ) -> EInvoiceProvider:
    """``folder``, ``simulator`` (``simulator:KEY=VALUE,…`` for its knobs) or ``package.module:factory``,
    where ``factory(settings)`` returns the provider (a shop's own integrator client). The demo shop's
    database always gets the simulator (:data:`DEMO_MARK`). ``tz``: the shop's zone, for the times
    in the files the folder driver writes."""
    if is_demo_database():
        return SimulatorProvider(Path(home) / DEMO_OUTBOX, **parse_options(DEMO_OPTIONS))
    driver = settings.driver.strip()
    outbox = outbox_path(settings, home)
    if driver == FOLDER:
        return FolderProvider(outbox, tz)
    name, sep, rest = driver.partition(":")
    if name == SIMULATOR:
        return SimulatorProvider(outbox, **parse_options(rest))
    if not sep or not name or not rest.isidentifier():
        raise ValidationError(
            _("einvoice.driver: {driver!r} is not folder, simulator or package.module:factory").format(driver=driver)
        )
    try:
        module = importlib.import_module(name)
        factory = getattr(module, rest)
    except (ImportError, AttributeError) as exc:
        raise ValidationError(
            _("einvoice.driver: cannot load {driver!r}: {reason}").format(driver=driver, reason=exc)
        ) from exc
    provider = factory(settings)
    if not isinstance(provider, EInvoiceProvider):
        raise ValidationError(
            _("einvoice.driver: {driver!r} gave no provider (it needs send, status, cancel and lookup_user)").format(
                driver=driver
            )
        )
    return provider
