"""NPS survey imports of hostile files (issue 10, section 4): a file or row error, never a
traceback, never some answers imported."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from jobs_support import TZ, Cli

from pos_tui.core.kernel import ImportRejected
from pos_tui.core.loyalty import nps
from pos_tui.store import models as m

HOSTILE_NPS: dict[str, tuple[str, bytes, str]] = {
    "100,000 nested [": ("a.json", b"[" * 100_000, "nested too deeply"),
    "5,000-digit score": ("a.json", b'[{"score": ' + b"9" * 5000 + b"}]", "digits"),
    "5,000-digit score text": ("a.csv", b"score\n" + b"9" * 5000 + b"\n", "whole number"),
    "lone surrogate member": ("a.json", b'[{"score": 5, "member": "a\\ud800b"}]', "U+D800"),
    "lone surrogate key": ("a.json", b'[{"score": 5, "x\\ud800": 1}]', "unknown column"),
    "nested score": ("a.json", b'[{"score": [[5]]}]', "single value"),
    "NaN score": ("a.json", b'[{"score": NaN}]', "NaN"),
    "Arabic-Indic score": ("a.csv", "score\n١٠\n".encode(), "whole number"),
    "score with an underscore": ("a.csv", b"score\n1_0\n", "whole number"),
    "ESC in a receipt": ("a.csv", b"score,receipt\n5,a\x1b[2Jb\n", "U+001B"),
    "cell over 131,072 characters": ("a.csv", b'score,member\n5,"' + b"x" * 140_000 + b'"\n', "too long"),
    "year 1 in the shop's zone": ("a.csv", b"score,at\n5,0001-01-01\n", "at"),
}


@pytest.mark.parametrize("case", list(HOSTILE_NPS))
def test_hostile_survey_files_are_refused(case: str, db: object, now: datetime, tmp_path: Path) -> None:
    name, data, words = HOSTILE_NPS[case]
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ImportRejected) as caught:
        nps.import_nps(path, now=now, tz=TZ)
    assert words in str(caught.value)
    assert "\x1b" not in str(caught.value)
    assert m.NpsResponse.select().count() == 0


def test_pos_admin_nps_import_exits_1_without_a_traceback(db: object, cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b"[" * 100_000)
    result = cli("nps", "import", str(path))
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "nested too deeply" in result.stderr and "Traceback" not in result.output
