"""Exports written with the umask (review17b: under ``umask 077`` a receivables export was created
rw-r--r--) and their OS errors in the shop's words."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from rexport_support import REPO, sample_report

from pos_tui.core.kernel import ValidationError
from pos_tui.core.reports import write_report
from pos_tui.core.reports.exporting import writing
from pos_tui.settings import Settings


@pytest.fixture
def umask() -> Iterator[Any]:
    """``umask(mask)`` sets this process's umask until the test ends."""
    old = os.umask(0o022)
    os.umask(old)
    yield os.umask
    os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o077, 0o600), (0o022, 0o644), (0o002, 0o664)])
def test_a_new_export_has_the_umasks_mode(
    settings: Settings, now: datetime, tmp_path: Path, umask: Any, mask: int, mode: int
) -> None:
    umask(mask)
    target = write_report(sample_report(now), tmp_path / "alacak.csv", "csv", settings=settings)
    assert stat.S_IMODE(target.stat().st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["alacak.csv"]  # no temporary file left


def test_an_export_written_again_keeps_its_mode(settings: Settings, now: datetime, tmp_path: Path, umask: Any) -> None:
    target = tmp_path / "rapor.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)
    umask(0o002)
    write_report(sample_report(now), target, "pdf", settings=settings)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640 and target.read_bytes().startswith(b"%PDF")


def test_os_errors_are_worded_in_the_shops_language(
    settings: Settings, now: datetime, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(*args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(ValidationError) as refused:
        write_report(sample_report(now), tmp_path / "r.csv", "csv", settings=settings)
    assert str(refused.value) == f"Cannot write {tmp_path / 'r.csv'}: the disk is full"
    assert list(tmp_path.iterdir()) == []

    def no_room(folder: Path, name: str) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(writing, "_new_file", no_room)
    with pytest.raises(ValidationError, match="the disk is read-only"):
        write_report(sample_report(now), tmp_path / "r.csv", "csv", settings=settings)


@pytest.mark.slow
def test_pos_admin_under_umask_077(tmp_path: Path) -> None:
    """The reviewer's shell proof: ``pos-admin report receivables-aging -o alacak.csv`` under umask 077."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "POS_HOME": str(tmp_path), "POS_LANG": "tr"}
    env.pop("POS_CONFIG", None)
    env.pop("POS_DB", None)
    run = [sys.executable, "-m", "pos_tui.cli.app"]
    subprocess.run([*run, "demo"], env=env, check=True, capture_output=True, timeout=300)
    out = tmp_path / "out"
    out.mkdir()
    done = subprocess.run(
        [
            "sh",
            "-c",
            'umask 077 && exec "$@"',
            "sh",
            *run,
            "report",
            "receivables-aging",
            "--period",
            "month",
            "-o",
            str(out / "alacak.csv"),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE((out / "alacak.csv").stat().st_mode) == 0o600
