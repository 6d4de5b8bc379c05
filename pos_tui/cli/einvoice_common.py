"""What the ``pos-admin einvoice`` commands share: the actor, the error wrapper that says which ``--user``
is needed when a permission is missing, an output file checked before anything is recorded, an operating
system's error in the shop's language, and the buyer's e-mail checked.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from pos_tui.cli import common
from pos_tui.i18n import _

if TYPE_CHECKING:
    pass

P = ParamSpec("P")
R = TypeVar("R")

# name@domain.tld: something before the @, a domain with a dot and no spaces
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")


def os_reason(exc: OSError) -> str:
    """Why ``exc`` happened, in the shop's language (:func:`pos_tui.core.kernel.os_error_text`)."""
    from pos_tui.core.kernel import os_error_text

    return os_error_text(exc)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """:func:`pos_tui.cli.common.handle_errors` (which also words a missing permission for the command line),
    and: an operating system error names the file and says why in the shop's language."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from pos_tui.core.kernel import ValidationError

        try:
            return func(*args, **kwargs)
        except OSError as exc:
            if exc.errno is None:
                raise
            where = exc.filename if exc.filename is not None else "?"
            raise ValidationError(_("{path}: {reason}").format(path=where, reason=os_reason(exc))) from None

    return common.handle_errors(wrapper)


def check_output(path: Path) -> Path:
    """Refuse ``path`` as a file to write unless its folder exists and can be written and it is not a folder:
    checked before anything is recorded, so that a bad ``--output`` leaves nothing behind."""
    from pos_tui.core.kernel import ValidationError

    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ValidationError(_("{path} is a folder: give a file name to write to").format(path=path))
    if not folder.is_dir():
        raise ValidationError(_("No folder {folder} to write {path} to").format(folder=folder, path=path))
    if not os.access(folder, os.W_OK | os.X_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ValidationError(_("{path} cannot be written: permission denied").format(path=path))
    return path


def check_email(email: str | None) -> str:
    """The buyer's e-mail, trimmed (empty: none); ``x@y`` and other addresses without a domain are refused."""
    from pos_tui.core.kernel import ValidationError

    text = (email or "").strip()
    if text and not _EMAIL.fullmatch(text):
        raise ValidationError(
            _("--email {email!r} is not an e-mail address: write it as name@example.com").format(email=text[:60])
        )
    return text
