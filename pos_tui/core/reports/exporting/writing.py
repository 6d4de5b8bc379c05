"""One entry to every export format: :func:`report_bytes` makes a report's file in memory and
:func:`write_report` writes it to disk whole or not at all (a temporary file in the same folder,
renamed over the target once complete, so a reader never sees half a file and a failed export
leaves the old file as it was)."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

from pos_tui.core.kernel.errors import ValidationError, os_error_text
from pos_tui.core.reports.model import Report
from pos_tui.i18n import _
from pos_tui.settings import Settings

EXPORT_FORMATS: tuple[str, ...] = ("json", "csv", "xlsx", "pdf")
"""The file formats of :func:`report_bytes` (``--format``'s choices besides ``table``); each one's
file name extension is its name."""


def report_bytes(report: Report, fmt: str, *, settings: Settings, decimal_comma: bool = False) -> bytes:
    """``report`` as a file of format ``fmt`` (one of :data:`EXPORT_FORMATS`).

    JSON is :meth:`Report.as_json` in the shop's zone (UTF-8, indented); ``decimal_comma`` applies to
    CSV only (docs/reports.md "Exports")."""
    if fmt == "json":
        text = json.dumps(report.as_json(settings.shop.timezone), ensure_ascii=False, indent=2) + "\n"
        return text.encode("utf-8")
    if fmt == "csv":
        from pos_tui.core.reports.exporting.csv_format import csv_bytes

        return csv_bytes(report, decimal_comma=decimal_comma)
    if fmt == "xlsx":
        from pos_tui.core.reports.exporting.xlsx_format import xlsx_bytes

        return xlsx_bytes(report, settings=settings)
    if fmt == "pdf":
        from pos_tui.core.reports.exporting.pdf_format import pdf_bytes

        return pdf_bytes(report, settings=settings)
    raise ValidationError(
        _("No export format {format}; choose one of {choices}").format(
            format=repr(fmt), choices=", ".join(EXPORT_FORMATS)
        )
    )


def write_report(
    report: Report, path: Path | str, fmt: str, *, settings: Settings, decimal_comma: bool = False
) -> Path:
    """Write ``report`` as ``fmt`` to ``path`` and return the path written.

    The file is made in memory first, then written to a temporary file beside ``path`` and renamed
    over it: an error (a missing folder, no permission, a full disk) leaves nothing half-written
    and is refused with a message that names the folder or file."""
    target = Path(path).expanduser()
    data = report_bytes(report, fmt, settings=settings, decimal_comma=decimal_comma)
    folder = target.parent
    if target.is_dir():
        raise ValidationError(_("{path} is a folder; give a file name to write the report to").format(path=target))
    if not folder.is_dir():
        raise ValidationError(_("No folder {folder} to write the report to").format(folder=folder))
    try:
        handle, temporary = _new_file(folder, target.name)
    except PermissionError as exc:
        raise ValidationError(_("No permission to write in the folder {folder}").format(folder=folder)) from exc
    except OSError as exc:
        raise ValidationError(_("Cannot write {path}: {error}").format(path=target, error=os_error_text(exc))) from exc
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if target.exists():  # a file written again keeps its permissions; a new one has the umask's
            os.chmod(temporary, target.stat().st_mode & 0o777)
        os.replace(temporary, target)
    except PermissionError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ValidationError(_("No permission to write {path}").format(path=target)) from exc
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise ValidationError(_("Cannot write {path}: {error}").format(path=target, error=os_error_text(exc))) from exc
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def _new_file(folder: Path, name: str) -> tuple[int, str]:
    """A new, empty temporary file beside ``name`` in ``folder``, open for writing: created with mode
    0o666 less the umask, as any file this user makes (``tempfile.mkstemp`` makes it 0o600, and a
    fixed mode would ignore a shop's ``umask 077`` for files of customers' debts)."""
    for _attempt in range(100):
        path = folder / f".{name}.{secrets.token_hex(4)}.part"
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666), str(path)
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {name} in {folder}")
