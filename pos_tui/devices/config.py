"""``devices.toml``: which devices this till has and how to reach them.

Lookup: the ``path`` argument, else ``$POS_DEVICES``, else ``devices.toml`` next to the ``pos.toml`` in use
(the directory of ``$POS_CONFIG``, else ``$POS_HOME``), else the ``config/devices.toml`` shipped with a source
checkout (every device commented out), else no file at all. No file, a missing section or ``driver = "none"``
all mean the same thing: this till has no such device, and the app sells without it.

Each device kind parses its own section (``ScaleConfig.parse(section, where)``) with :class:`Section`, so every
bad value fails the same way: a :class:`~pos_tui.core.kernel.errors.ValidationError` naming the file, the line, the
section, the key and why (``devices.toml [scale].decimals (line 14): must be between 0 and 4, not 7``).
Nothing here opens a port: loading the configuration is cheap and safe at start-up and in ``pos-admin``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pos_tui.core.kernel import ValidationError
from pos_tui.i18n import _
from pos_tui.settings import REPO_CONFIG, default_home

DEVICES_FILE = "devices.toml"
REPO_DEVICES = REPO_CONFIG.parent / DEVICES_FILE

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_\-]+)\s*=""")


class DeviceSection(Mapping[str, Any]):
    """One ``[name]`` table of devices.toml: a read-only mapping that also knows where it came from.

    ``where`` ("/etc/pos/devices.toml [scale]") and :meth:`line_of` let :class:`Section` put the file and line in
    every error. Plain dicts work too (tests, defaults); they just have no line numbers.
    """

    def __init__(self, data: Mapping[str, Any], where: str, lines: Mapping[str, int] | None = None) -> None:
        self._data = dict(data)
        self.where = where
        self._lines = dict(lines or {})

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"DeviceSection({self.where!r}, {self._data!r})"

    def line_of(self, key: str) -> int | None:
        """The line of ``key`` in the file, when known."""
        return self._lines.get(key)


@dataclass(frozen=True)
class DevicesConfig:
    """The parsed devices.toml. ``sections`` maps a device name ("scale") to its table."""

    path: Path | None
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def section(self, name: str) -> Mapping[str, Any] | None:
        """The ``[name]`` table, or None when this till has no such device (no section, or ``driver = "none"``)."""
        found = self.sections.get(name)
        if found is None or str(found.get("driver", "")).strip().lower() == "none":
            return None
        return found

    def where(self, name: str) -> str:
        """How errors name the section: ``<file> [name]``."""
        return f"{self.path or DEVICES_FILE} [{name}]"

    @property
    def names(self) -> tuple[str, ...]:
        """Every section in the file (configured or ``driver = "none"``), in file order."""
        return tuple(self.sections)


def devices_path(env: Mapping[str, str] | None = None) -> Path | None:
    """Which devices.toml :func:`load_devices` reads (None: no file, so no devices)."""
    env = os.environ if env is None else env
    if env.get("POS_DEVICES"):
        return Path(env["POS_DEVICES"])
    if env.get("POS_CONFIG"):
        candidates = [Path(env["POS_CONFIG"]).parent / DEVICES_FILE]
    else:
        home = Path(env["POS_HOME"]) if env.get("POS_HOME") else default_home()
        candidates = [home / DEVICES_FILE]
    candidates.append(REPO_DEVICES)
    return next((c for c in candidates if c.is_file()), None)


def load_devices(path: Path | None = None, *, env: Mapping[str, str] | None = None) -> DevicesConfig:
    """Read devices.toml (see the module docstring for where it is looked up).

    Raises ValidationError for a file that is named (argument or ``$POS_DEVICES``) but missing, for bad TOML
    (with tomllib's line and column) and for a top-level value that is not a ``[section]`` table. Values inside
    a section are checked by the device kind that reads it.
    """
    if path is None:
        path = devices_path(env)
    if path is None:
        return DevicesConfig(path=None, sections={})
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ValidationError(_("{file}: file not found").format(file=path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(_("{file}: cannot be read: {reason}").format(file=path, reason=exc)) from exc
    return parse_devices(text, path)


def parse_devices(text: str, path: Path | None = None) -> DevicesConfig:
    """Parse devices.toml text (``path`` only names the file in errors)."""
    name = str(path or DEVICES_FILE)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(_("{file}: not valid TOML: {reason}").format(file=name, reason=exc)) from exc
    lines = _key_lines(text)
    sections: dict[str, Mapping[str, Any]] = {}
    for key, value in raw.items():
        if not isinstance(value, dict):
            line = lines.get(("", key))
            raise ValidationError(
                _("{file}{line}: {key} must be a [{key}] section, not a single value").format(
                    file=name, line=f":{line}" if line else "", key=key
                )
            )
        where = f"{name} [{key}]"
        own = {k: n for (s, k), n in lines.items() if s == key}
        sections[key] = DeviceSection(value, where, own)
    return DevicesConfig(path=path, sections=sections)


def _key_lines(text: str) -> dict[tuple[str, str], int]:
    """(top-level section, key) → 1-based line, for error messages (first occurrence wins)."""
    found: dict[tuple[str, str], int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if (header := _HEADER.match(line)) is not None:
            current = header.group(1).split(".")[0].strip().strip("\"'")
            found.setdefault(("", current), number)
            continue
        if (key := _KEY.match(line)) is not None:
            found.setdefault((current, key.group(1).strip("\"'")), number)
    return found


class Section:
    """Typed reads of one section with uniform, specific errors.

    ``Section(section, where).integer("decimals", 3, low=0, high=4)`` returns the value or raises
    ``ValidationError("devices.toml [scale].decimals (line 14): must be between 0 and 4, not 7")``.
    """

    def __init__(self, data: Mapping[str, Any], where: str | None = None) -> None:
        self.data = data
        self.where = where if where is not None else str(getattr(data, "where", DEVICES_FILE))

    def error(self, key: str, reason: str) -> ValidationError:
        """A ValidationError for ``key`` (empty: the section itself) saying ``reason``."""
        line_of = getattr(self.data, "line_of", None)
        line = line_of(key) if (line_of is not None and key) else None
        place = f"{self.where}.{key}" if key else self.where
        if line is not None:
            place = _("{place} (line {line})").format(place=place, line=line)
        return ValidationError(f"{place}: {reason}")

    def require_known(self, keys: Iterable[str]) -> None:
        """Refuse keys this device kind does not read: a typo ("baud") must not be silently ignored."""
        known = set(keys)
        for key in self.data:
            if key not in known:
                raise self.error(key, _("unknown setting; known: {known}").format(known=", ".join(sorted(known))))

    def has(self, key: str) -> bool:
        return key in self.data

    def text(
        self, key: str, default: str | None = None, *, choices: Sequence[str] | None = None, allow_empty: bool = True
    ) -> str:
        """A string value (required when ``default`` is None)."""
        value = self._get(key, default)
        if not isinstance(value, str):
            raise self.error(key, _("must be text in quotes, not {value!r}").format(value=value))
        if not allow_empty and not value.strip():
            raise self.error(key, _("must not be empty"))
        if choices is not None and value not in choices:
            raise self.error(
                key, _("must be one of {choices}, not {value!r}").format(choices=", ".join(choices), value=value)
            )
        return value

    def integer(
        self,
        key: str,
        default: int | None = None,
        *,
        low: int | None = None,
        high: int | None = None,
        choices: Sequence[int] | None = None,
    ) -> int:
        """A whole number (required when ``default`` is None), optionally within ``low``..``high``."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, _("must be a whole number, not {value!r}").format(value=value))
        self._check_range(key, value, low, high)
        if choices is not None and value not in choices:
            raise self.error(
                key,
                _("must be one of {choices}, not {value}").format(
                    choices=", ".join(str(c) for c in choices), value=value
                ),
            )
        return value

    def seconds(self, key: str, default: float | None = None, *, low: float = 0.0, high: float | None = None) -> float:
        """A duration in seconds (whole or decimal), within ``low``..``high``."""
        value = self._get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(key, _("must be a number of seconds, not {value!r}").format(value=value))
        self._check_range(key, value, low, high)
        return float(value)

    def flag(self, key: str, default: bool) -> bool:
        """A true/false value."""
        value = self._get(key, default)
        if not isinstance(value, bool):
            raise self.error(key, _("must be true or false, not {value!r}").format(value=value))
        return value

    def texts(self, key: str, default: Sequence[str]) -> tuple[str, ...]:
        """A list of strings (a single string counts as a list of one)."""
        value = self._get(key, list(default))
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(key, _("must be a list of texts in quotes, not {value!r}").format(value=value))
        return tuple(value)

    def integers(
        self, key: str, default: Sequence[int], *, low: int | None = None, high: int | None = None
    ) -> tuple[int, ...]:
        """A list of whole numbers (a single number counts as a list of one)."""
        value = self._get(key, list(default))
        if isinstance(value, int) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            raise self.error(key, _("must be a list of whole numbers, not {value!r}").format(value=value))
        for v in value:
            self._check_range(key, v, low, high)
        return tuple(value)

    def _get(self, key: str, default: Any) -> Any:
        if key in self.data:
            return self.data[key]
        if default is None:
            raise self.error(key, _("is required"))
        return default

    def _check_range(self, key: str, value: float, low: float | None, high: float | None) -> None:
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                reason = _("must be between {low} and {high}, not {value}")
            elif low is not None:
                reason = _("must be at least {low}, not {value}")
            else:
                reason = _("must be at most {high}, not {value}")
            raise self.error(key, reason.format(low=low, high=high, value=value))
