"""The integrator interface (özel entegratör): the :class:`EInvoiceProvider` protocol, what goes out
(:class:`Outgoing`) and comes back (:class:`Receipt`, :class:`Answer`), its two failures
(:class:`ProviderUnavailable`: try again; :class:`ProviderRefused`: a final no), and the shipped drivers:
the folder driver for desktop integrator clients and the simulator. docs/einvoice-send.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "ANSWERS": "base",
    "Answer": "base",
    "DEMO_MARK": "loading",
    "DEMO_OUTBOX": "loading",
    "EInvoiceProvider": "base",
    "FolderProvider": "folder",
    "Outgoing": "base",
    "ProviderError": "base",
    "ProviderRefused": "base",
    "ProviderUnavailable": "base",
    "Receipt": "base",
    "RegisteredUser": "base",
    "SimulatorProvider": "simulator",
    "UNKNOWN": "base",
    "is_demo_database": "loading",
    "load_provider": "loading",
    "manifest": "folder",
    "outbox_path": "loading",
}

__all__ = [
    "ANSWERS",
    "DEMO_MARK",
    "DEMO_OUTBOX",
    "UNKNOWN",
    "Answer",
    "EInvoiceProvider",
    "FolderProvider",
    "Outgoing",
    "ProviderError",
    "ProviderRefused",
    "ProviderUnavailable",
    "Receipt",
    "RegisteredUser",
    "SimulatorProvider",
    "is_demo_database",
    "load_provider",
    "manifest",
    "outbox_path",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.einvoice.providers.base import (
        ANSWERS,
        UNKNOWN,
        Answer,
        EInvoiceProvider,
        Outgoing,
        ProviderError,
        ProviderRefused,
        ProviderUnavailable,
        Receipt,
        RegisteredUser,
    )
    from pos_tui.core.einvoice.providers.folder import FolderProvider, manifest
    from pos_tui.core.einvoice.providers.loading import (
        DEMO_MARK,
        DEMO_OUTBOX,
        is_demo_database,
        load_provider,
        outbox_path,
    )
    from pos_tui.core.einvoice.providers.simulator import SimulatorProvider
