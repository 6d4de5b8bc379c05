"""Configuration: ``pos.toml`` plus environment, loaded into frozen dataclasses.

Lookup order for the file: ``$POS_CONFIG``, then ``$POS_HOME/pos.toml``, then the
``config/pos.toml`` shipped next to the package (a source checkout), then built-in defaults.
Environment variables override single values: ``POS_HOME``, ``POS_DB``, ``POS_TERMINAL``, ``POS_LANG``.
Nothing here imports Textual, Typer or Peewee, so every layer may read settings.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

APP_NAME = "pos_tui"
REPO_CONFIG = Path(__file__).resolve().parent.parent / "config" / "pos.toml"

ALL_PERMISSIONS = frozenset(
    {
        "sell",
        "return",
        "return_without_receipt",
        "void",
        "cancel_sale",
        "price_override",
        "no_sale",
        "cash_movement",
        "reports",
        "x_report",
        "manual_weight",
        "points_adjust",
        "own_card",
        "admin",
        "receive",
        "stock_adjust",
        "count",
        "count_manage",
        "on_account",
        "credit_limit",
        "collect",
        "accounts",
        "einvoice",
    }
)


class ConfigError(ValueError):
    """The configuration file is unreadable or has a bad value; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class ShopSettings:
    name: str = "pos_tui"
    legal_name: str = ""
    vkn: str = ""
    tax_office: str = ""
    address: str = ""
    phone: str = ""
    currency: str = "TRY"
    language: str = "tr"
    timezone: str = "Europe/Istanbul"
    # on invoices (e-Fatura / e-Arşiv): the address in parts, the registries where the shop has them
    street: str = ""
    district: str = ""  # ilçe
    city: str = ""  # il
    postal_zone: str = ""
    country: str = "Türkiye"
    email: str = ""
    website: str = ""
    mersis: str = ""  # MERSİS no (16 digits)
    trade_registry: str = ""  # ticaret sicil no


@dataclass(frozen=True, slots=True)
class ScaleLabelMask:
    """An in-store EAN-13 layout: ``prefix`` + PLU + value (grams or kuruş) + check digit."""

    prefix: str
    plu_digits: int
    kind: str  # "weight" (grams) or "price" (kuruş)
    value_digits: int


@dataclass(frozen=True, slots=True)
class RoleSettings:
    max_discount_pct: int
    permissions: frozenset[str]


@dataclass(frozen=True, slots=True)
class SecuritySettings:
    """The wrong-PIN lockout (see docs/security.md).

    A terminal locks after ``max_failed_logins`` wrong PINs in a row; the whole shop (every
    terminal, whatever its id) locks after ``shop_max_failed_logins`` wrong PINs within
    ``shop_window_seconds``. A lock lasts ``lockout_seconds``, doubled at each further lock of
    the same scope without a right PIN (or an admin's unlock) in between, up to
    ``max_lockout_seconds``. Attempts older than ``escalation_period_seconds`` are forgotten.
    """

    max_failed_logins: int = 5
    lockout_seconds: int = 300
    scan_burst_ms: int = 50
    shop_max_failed_logins: int = 10
    shop_window_seconds: int = 900
    max_lockout_seconds: int = 86400
    escalation_period_seconds: int = 86400


@dataclass(frozen=True, slots=True)
class PinSettings:
    """What ``pos-admin users add`` / ``users set-pin`` accept as a new PIN: at least
    ``min_length`` digits (4 to 8; 6 recommended) and, with ``refuse_trivial``, no PIN a
    guesser tries first (repeated digits, sequences, years)."""

    min_length: int = 4
    refuse_trivial: bool = True


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    """The mail server ``pos-admin messages send`` uses. The password is never in the file:
    ``password_env`` names the environment variable that holds it. ``ssl``: TLS from the first
    byte (port 465); ``starttls``: upgrade a plain connection (port 587). Empty ``host``: no
    e-mail is sent."""

    host: str = ""
    port: int = 587
    starttls: bool = True
    ssl: bool = False
    username: str = ""
    password_env: str = "POS_SMTP_PASSWORD"
    sender: str = ""
    timeout: int = 30


@dataclass(frozen=True, slots=True)
class DatedLimit:
    """An amount (TL, KDV included) in force from ``since`` (a shop day) until the next one's ``since``."""

    since: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class EInvoiceSettings:
    """e-Fatura and e-Arşiv (docs/einvoice.md). ``series``: terminal -> (e-Fatura series, e-Arşiv series),
    three capital letters or digits each; ``profile``: the e-Fatura scenario (TEMELFATURA or TICARIFATURA);
    ``driver``: ``folder`` (an outbox folder a desktop integrator client reads), ``simulator``, or
    ``module:callable`` returning a provider; ``invoice_limits``: the invoice threshold (fatura düzenleme
    sınırı) by date, above which the till suggests an invoice; ``earsiv_limits``: the e-Arşiv obligation of
    a shop that is not an e-Arşiv user, by date."""

    series: Mapping[str, tuple[str, str]] = field(default_factory=lambda: {"T1": ("FT1", "AT1")})
    profile: str = "TEMELFATURA"
    auto_send: bool = True
    driver: str = "folder"
    outbox: str = ""  # empty: $POS_HOME/einvoice
    max_attempts: int = 8
    retry_seconds: int = 30  # the first retry; each next one waits twice as long
    invoice_limits: tuple[DatedLimit, ...] = ()
    earsiv_limits: tuple[DatedLimit, ...] = ()
    earsiv_user: bool = True

    def limit_on(self, day: date, limits: tuple[DatedLimit, ...] | None = None) -> Decimal | None:
        """The limit in force on ``day`` (the latest ``since`` not after it), or None."""
        best: DatedLimit | None = None
        for item in self.invoice_limits if limits is None else limits:
            if item.since <= day and (best is None or item.since > best.since):
                best = item
        return None if best is None else best.amount


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """Offline sync with the centre (docs/sync.md). ``interval_seconds``: how often the till's
    worker pushes and pulls; ``batch``: outbox records per central transaction; ``waiting_on_close``:
    what closing a shift or taking a Z does while documents wait (``warn`` or ``block``);
    ``offline_*_per_day``: the most one member (gift card) may redeem per shop day on this terminal
    while the centre cannot be reached — points, store credit and gift-card money in kuruş,
    on-account sales in kuruş per account; 0 forbids it offline. ``loyalty_jobs``: this terminal
    is the chain's loyalty terminal — its ``loyalty run`` decides the tiers and queues the
    messages for every member (true on exactly one terminal; docs/sync-tiers.md)."""

    interval_seconds: int = 30
    batch: int = 500
    waiting_on_close: str = "warn"  # warn | block
    offline_points_per_day: int = 1000
    offline_wallet_per_day: int = 50000  # kuruş (500,00 TL)
    offline_gift_card_per_day: int = 100000  # kuruş (1.000,00 TL)
    offline_on_account_per_day: int = 100000  # kuruş (1.000,00 TL)
    loyalty_jobs: bool = False


SERVE_DEVICES = ("none", "one-session")


@dataclass(frozen=True, slots=True)
class ServeSettings:
    """``pos serve``, the till in a browser (docs/browser.md). ``devices``: what the browser sessions get
    of this machine's devices (devices.toml): ``none`` (the default: no session opens a port, a
    printer or the fiscal device) or ``one-session`` (the first session gets them all, the others
    none, until it ends: two sessions never open the same port)."""

    devices: str = "none"


DEFAULT_ROLES: Mapping[str, RoleSettings] = {
    "cashier": RoleSettings(
        10, frozenset({"sell", "return", "void", "cash_movement", "count", "on_account", "collect"})
    ),
    "supervisor": RoleSettings(50, ALL_PERMISSIONS - {"admin"}),
    "admin": RoleSettings(100, ALL_PERMISSIONS),
}

DEFAULT_SCALE_LABELS = (
    ScaleLabelMask("27", 5, "weight", 5),
    ScaleLabelMask("28", 5, "weight", 5),
    ScaleLabelMask("29", 5, "price", 5),
)


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the app reads from configuration. Build with :func:`load_settings`."""

    home: Path
    db_url: str
    terminal_id: str = "T1"
    shop: ShopSettings = field(default_factory=ShopSettings)
    kdv_rates: tuple[int, ...] = (0, 1, 10, 20)
    default_kdv_rate: int = 20
    receipt_header: tuple[str, ...] = ()
    receipt_footer: tuple[str, ...] = ()
    scale_labels: tuple[ScaleLabelMask, ...] = DEFAULT_SCALE_LABELS
    security: SecuritySettings = field(default_factory=SecuritySettings)
    pins: PinSettings = field(default_factory=PinSettings)
    roles: Mapping[str, RoleSettings] = field(default_factory=lambda: dict(DEFAULT_ROLES))
    keymap: Mapping[str, str] = field(default_factory=dict)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    einvoice: EInvoiceSettings = field(default_factory=EInvoiceSettings)
    sync: SyncSettings = field(default_factory=SyncSettings)
    serve: ServeSettings = field(default_factory=ServeSettings)
    source: Path | None = None

    @property
    def language(self) -> str:
        return self.shop.language


def default_home() -> Path:
    """The platform's user data directory (``~/.local/share/pos_tui`` on Linux)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, appauthor=False)


def _config_path(env: Mapping[str, str], home: Path) -> Path | None:
    if env.get("POS_CONFIG"):
        return Path(env["POS_CONFIG"])
    for candidate in (home / "pos.toml", REPO_CONFIG):
        if candidate.is_file():
            return candidate
    return None


def load_settings(env: Mapping[str, str] | None = None, config_file: Path | None = None) -> Settings:
    """Read the config file and environment into :class:`Settings`.

    ``env`` defaults to ``os.environ``; tests pass their own mapping.
    Raises :class:`ConfigError` naming the file and key on any bad value.
    """
    env = os.environ if env is None else env
    home = Path(env["POS_HOME"]) if env.get("POS_HOME") else default_home()
    path = config_file or _config_path(env, home)
    raw: dict[str, Any] = {}
    if path is not None:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: file not found") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    try:
        settings = _parse(raw, home, env, path)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{path or 'built-in defaults'}: {exc}") from exc
    return settings


def _parse(raw: dict[str, Any], home: Path, env: Mapping[str, str], path: Path | None) -> Settings:
    shop_raw = dict(raw.get("shop", {}))
    if env.get("POS_LANG"):
        shop_raw["language"] = env["POS_LANG"]
    shop = ShopSettings(**{k: str(v) for k, v in shop_raw.items()})
    if shop.language not in ("tr", "en"):
        raise ValueError(f"shop.language must be 'tr' or 'en', not {shop.language!r}")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(shop.timezone)
    except Exception as exc:
        raise ValueError(f"shop.timezone: unknown time zone {shop.timezone!r}") from exc

    tax = raw.get("tax", {})
    kdv_rates = tuple(int(r) for r in tax.get("kdv_rates", (0, 1, 10, 20)))
    if not kdv_rates or any(r < 0 or r > 100 for r in kdv_rates):
        raise ValueError("tax.kdv_rates must be a non-empty list of percentages between 0 and 100")
    default_rate = int(tax.get("default_kdv_rate", max(kdv_rates)))
    if default_rate not in kdv_rates:
        raise ValueError(f"tax.default_kdv_rate {default_rate} is not one of tax.kdv_rates {list(kdv_rates)}")

    masks = tuple(_parse_mask(i, m) for i, m in enumerate(raw.get("scale_labels", ()))) or DEFAULT_SCALE_LABELS

    sec = raw.get("security", {})
    security = SecuritySettings(
        max_failed_logins=int(sec.get("max_failed_logins", 5)),
        lockout_seconds=int(sec.get("lockout_seconds", 300)),
        scan_burst_ms=int(sec.get("scan_burst_ms", 50)),
        shop_max_failed_logins=int(sec.get("shop_max_failed_logins", 10)),
        shop_window_seconds=int(sec.get("shop_window_seconds", 900)),
        max_lockout_seconds=int(sec.get("max_lockout_seconds", 86400)),
        escalation_period_seconds=int(sec.get("escalation_period_seconds", 86400)),
    )
    if security.max_failed_logins < 1 or security.lockout_seconds < 0:
        raise ValueError("security.max_failed_logins must be >= 1 and security.lockout_seconds >= 0")
    if security.shop_max_failed_logins < 1 or security.shop_window_seconds < 1:
        raise ValueError("security.shop_max_failed_logins and security.shop_window_seconds must be >= 1")
    if security.max_lockout_seconds < security.lockout_seconds:
        raise ValueError("security.max_lockout_seconds must be >= security.lockout_seconds")
    if security.escalation_period_seconds < 1:
        raise ValueError("security.escalation_period_seconds must be >= 1")

    pins_raw = raw.get("pins", {})
    unknown_pins = set(pins_raw) - {"min_length", "refuse_trivial"}
    if unknown_pins:
        raise ValueError(f"pins: unknown key(s) {sorted(unknown_pins)}; known: ['min_length', 'refuse_trivial']")
    pins = PinSettings(
        min_length=int(pins_raw.get("min_length", 4)),
        refuse_trivial=bool(pins_raw.get("refuse_trivial", True)),
    )
    if not 4 <= pins.min_length <= 8:
        raise ValueError(f"pins.min_length must be between 4 and 8 (a PIN has 4 to 8 digits), not {pins.min_length}")

    roles = dict(DEFAULT_ROLES)
    for name, role in raw.get("roles", {}).items():
        perms = frozenset(role.get("permissions", ()))
        unknown = perms - ALL_PERMISSIONS
        if unknown:
            raise ValueError(f"roles.{name}.permissions: unknown {sorted(unknown)}; known: {sorted(ALL_PERMISSIONS)}")
        pct = int(role.get("max_discount_pct", 0))
        if not 0 <= pct <= 100:
            raise ValueError(f"roles.{name}.max_discount_pct must be between 0 and 100")
        roles[name] = RoleSettings(pct, perms)

    receipt = raw.get("receipt", {})
    db_url = env.get("POS_DB") or str(home / "pos.sqlite3")
    return Settings(
        home=home,
        db_url=db_url,
        terminal_id=env.get("POS_TERMINAL") or str(raw.get("terminal", {}).get("id", "T1")),
        shop=shop,
        kdv_rates=kdv_rates,
        default_kdv_rate=default_rate,
        receipt_header=tuple(str(x) for x in receipt.get("header", ())),
        receipt_footer=tuple(str(x) for x in receipt.get("footer", ())),
        scale_labels=masks,
        security=security,
        pins=pins,
        roles=roles,
        keymap={str(k): str(v) for k, v in raw.get("keymap", {}).items()},
        smtp=_parse_smtp(raw.get("smtp", {})),
        einvoice=_parse_einvoice(raw.get("einvoice", {})),
        sync=_parse_sync(raw.get("sync", {})),
        serve=_parse_serve(raw.get("serve", {})),
        source=path,
    )


def _parse_smtp(raw: Mapping[str, Any]) -> SmtpSettings:
    if "password" in raw:
        raise ValueError(
            "smtp.password: never put the password in the file; set smtp.password_env to the name of "
            "the environment variable that holds it"
        )
    known = set(SmtpSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"smtp: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    smtp = SmtpSettings(
        host=str(raw.get("host", "")),
        port=int(raw.get("port", 465 if raw.get("ssl") else 587)),
        starttls=bool(raw.get("starttls", not raw.get("ssl", False))),
        ssl=bool(raw.get("ssl", False)),
        username=str(raw.get("username", "")),
        password_env=str(raw.get("password_env", "POS_SMTP_PASSWORD")),
        sender=str(raw.get("sender", "")),
        timeout=int(raw.get("timeout", 30)),
    )
    if not 0 < smtp.port < 65536:
        raise ValueError(f"smtp.port must be between 1 and 65535, not {smtp.port}")
    if smtp.ssl and smtp.starttls:
        raise ValueError("smtp: choose ssl (TLS from the start, port 465) or starttls (port 587), not both")
    if smtp.timeout < 1:
        raise ValueError("smtp.timeout must be at least 1 second")
    return smtp


_SERIES_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _parse_sync(raw: Mapping[str, Any]) -> SyncSettings:
    known = set(SyncSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"sync: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    values: dict[str, Any] = {}
    for name in known:
        if name not in raw:
            continue
        value = raw[name]
        if name == "waiting_on_close":
            if value not in ("warn", "block"):
                raise ValueError(f"sync.waiting_on_close must be warn or block, not {value!r}")
        elif name == "loyalty_jobs":
            if not isinstance(value, bool):
                raise ValueError(f"sync.loyalty_jobs must be true or false, not {value!r}")
        elif not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"sync.{name} must be a whole number of at least 0, not {value!r}")
        values[name] = value
    settings = SyncSettings(**values)
    if settings.interval_seconds < 1 or settings.batch < 1:
        raise ValueError("sync.interval_seconds and sync.batch must be at least 1")
    return settings


def _parse_serve(raw: Mapping[str, Any]) -> ServeSettings:
    unknown = set(raw) - set(ServeSettings.__dataclass_fields__)
    if unknown:
        raise ValueError(f"serve: unknown key(s) {sorted(unknown)}; known: ['devices']")
    devices = raw.get("devices", "none")
    if devices not in SERVE_DEVICES:
        raise ValueError(f"serve.devices must be none or one-session, not {devices!r}")
    return ServeSettings(devices=devices)


def _parse_einvoice(raw: Mapping[str, Any]) -> EInvoiceSettings:
    known = set(EInvoiceSettings.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"einvoice: unknown key(s) {sorted(unknown)}; known: {sorted(known)}")
    defaults = EInvoiceSettings()
    series: dict[str, tuple[str, str]] = {}
    for terminal, pair in raw.get("series", {}).items():
        codes = []
        for kind in ("efatura", "earsiv"):
            code = str(pair.get(kind, ""))
            if len(code) != 3 or not set(code) <= _SERIES_CHARS:
                raise ValueError(
                    f"einvoice.series.{terminal}.{kind} must be three capital letters or digits, not {code!r}"
                )
            codes.append(code)
        if codes[0] == codes[1]:
            raise ValueError(
                f"einvoice.series.{terminal}: e-Fatura and e-Arşiv need different series, not both {codes[0]!r}"
            )
        series[str(terminal)] = (codes[0], codes[1])
    used = [code for pair in series.values() for code in pair]
    if len(used) != len(set(used)):
        raise ValueError(f"einvoice.series: each series belongs to one terminal and one kind; repeated in {used}")
    profile = str(raw.get("profile", defaults.profile))
    if profile not in ("TEMELFATURA", "TICARIFATURA"):
        raise ValueError(f"einvoice.profile must be TEMELFATURA or TICARIFATURA, not {profile!r}")
    settings = EInvoiceSettings(
        series=series or defaults.series,
        profile=profile,
        auto_send=bool(raw.get("auto_send", True)),
        driver=str(raw.get("driver", defaults.driver)),
        outbox=str(raw.get("outbox", "")),
        max_attempts=int(raw.get("max_attempts", defaults.max_attempts)),
        retry_seconds=int(raw.get("retry_seconds", defaults.retry_seconds)),
        invoice_limits=_dated_limits("einvoice.invoice_limits", raw.get("invoice_limits", ())),
        earsiv_limits=_dated_limits("einvoice.earsiv_limits", raw.get("earsiv_limits", ())),
        earsiv_user=bool(raw.get("earsiv_user", True)),
    )
    if settings.max_attempts < 1 or settings.retry_seconds < 1:
        raise ValueError("einvoice.max_attempts and einvoice.retry_seconds must be at least 1")
    return settings


def _dated_limits(where: str, items: Any) -> tuple[DatedLimit, ...]:
    out = []
    for i, item in enumerate(items):
        since = item.get("from")
        if not isinstance(since, date) or isinstance(since, datetime):
            raise ValueError(f"{where}[{i}].from must be a date such as 2026-01-01, not {since!r}")
        try:
            amount = Decimal(str(item["amount"]))
        except (KeyError, InvalidOperation):
            raise ValueError(f'{where}[{i}].amount must be an amount such as "9900"') from None
        if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"{where}[{i}].amount must be more than zero with at most two decimals")
        out.append(DatedLimit(since, amount))
    if len({x.since for x in out}) != len(out):
        raise ValueError(f"{where}: two limits from the same day")
    return tuple(sorted(out, key=lambda x: x.since))


def _parse_mask(index: int, m: Mapping[str, Any]) -> ScaleLabelMask:
    where = f"scale_labels[{index}]"
    mask = ScaleLabelMask(
        prefix=str(m["prefix"]),
        plu_digits=int(m.get("plu_digits", 5)),
        kind=str(m.get("kind", "weight")),
        value_digits=int(m.get("value_digits", 5)),
    )
    if mask.kind not in ("weight", "price"):
        raise ValueError(f"{where}.kind must be 'weight' or 'price', not {mask.kind!r}")
    if not mask.prefix.isdigit() or len(mask.prefix) + mask.plu_digits + mask.value_digits != 12:
        raise ValueError(f"{where}: prefix + plu_digits + value_digits must be 12 digits (13 with the check digit)")
    return mask
