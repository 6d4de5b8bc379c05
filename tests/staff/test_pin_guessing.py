"""PIN guessing (issue 10 §6): a shop-wide count a guesser cannot reset by changing the
terminal id, a guarded count that concurrent tills cannot slip past, escalating locks, rules
for new PINs, the PIN key kept out of the database, and a disabled user's PIN answered like a
wrong one."""

from __future__ import annotations

import sqlite3
import stat
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from pos_tui.core import staff
from pos_tui.core.kernel import Actor, AuthenticationFailed, LockedOut, ValidationError
from pos_tui.settings import PinSettings, SecuritySettings, Settings
from pos_tui.store import models as m
from pos_tui.store import write_tx

REPO = Path(__file__).resolve().parents[2]


def guess(pin: str, terminal: str, at: datetime, settings: Settings) -> str:
    """``"ok"``, ``"wrong"`` (the PIN was checked) or ``"locked"`` (refused unchecked)."""
    try:
        staff.login(pin, terminal=terminal, now=at, settings=settings)
    except LockedOut:
        return "locked"
    except AuthenticationFailed:
        return "wrong"
    return "ok"


# --- 1. rotating the terminal id --------------------------------------------------------------


def test_rotating_terminal_ids_does_not_give_more_guesses(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    security = settings.security
    results = [guess(f"{5000 + i}", f"X{i}", now + timedelta(seconds=i), settings) for i in range(40)]
    # Every new id would start a fresh count of 5; the shop-wide count does not restart: the
    # 10th wrong PIN (checked) locks the shop, and every PIN after it is refused unchecked.
    limit = security.shop_max_failed_logins
    assert results == ["wrong"] * (limit - 1) + ["locked"] * (40 - limit + 1)
    # Now every terminal, old or new, refuses even the right PIN, and says why.
    with pytest.raises(LockedOut, match="locked on every terminal") as locked:
        staff.login("1111", terminal="NEW", now=now + timedelta(seconds=60), settings=settings)
    last_counted = now + timedelta(seconds=security.shop_max_failed_logins - 1)
    assert locked.value.until == last_counted + timedelta(seconds=security.lockout_seconds)


def test_rotating_ids_gets_no_more_than_one_terminal_when_the_limits_match(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    same = replace(settings, security=replace(settings.security, shop_max_failed_logins=5))
    one = [guess("0000", "T1", now + timedelta(seconds=i), same) for i in range(20)]
    m.LoginAttempt.delete().execute()
    rotating = [guess("0000", f"X{i}", now + timedelta(seconds=i), same) for i in range(20)]
    assert rotating.count("wrong") == one.count("wrong") == 4  # the 5th wrong PIN locks
    assert rotating.count("locked") == one.count("locked") == 16


def test_the_shop_lock_is_lifted_by_an_admins_unlock_not_by_a_right_pin(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    for i in range(9):
        assert guess("0000", f"X{i}", now, settings) == "wrong"
    staff.login("2222", terminal="T1", now=now, settings=settings)  # a cashier's right PIN
    assert guess("0000", "X9", now, settings) == "locked"  # the 10th wrong PIN in the window
    done = staff.unlock_terminal("X9", now=now, settings=settings, actor=people["admin"])
    assert done is not None
    assert staff.login("1111", terminal="T2", now=now, settings=settings).name == "ayse"


def test_wrong_pins_outside_the_shop_window_are_forgotten(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    window = settings.security.shop_window_seconds
    for i in range(30):  # 3 wrong PINs on a different terminal every window: typos, not an attack
        assert guess("0000", f"X{i}", now + timedelta(seconds=(i // 3) * window + i), settings) == "wrong"


# --- 2. concurrent tills -------------------------------------------------------------------

# One till: opens the shop, patches the PIN lookup to be slow (as on a loaded till, which
# widens the gap between checking the lock and recording the attempt) and to count the PINs
# it checks, says "ready", waits for "go", then types TRIES wrong PINs and prints how many
# PINs were checked and how many answers said "locked".
TILL = """
import sys, time
from datetime import datetime
from pos_tui.core.kernel import AuthenticationFailed, LockedOut
from pos_tui.core.staff import users
from pos_tui.core import staff
from pos_tui.settings import load_settings
from pos_tui.store import open_database

db, home, config, tries, now = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
settings = load_settings({"POS_HOME": home, "POS_DB": db, "POS_CONFIG": config, "POS_LANG": "en"})
open_database(db)
slow = users._pin_tag
checked = 0
def pin_tag(key, pin):
    global checked
    checked += 1
    time.sleep(0.05)
    return slow(key, pin)
users._pin_tag = pin_tag
print("ready", flush=True)
sys.stdin.readline()
locked = 0
for i in range(tries):
    try:
        staff.login("0000", terminal="T1", now=datetime.fromisoformat(now), settings=settings)
    except LockedOut:
        locked += 1
    except AuthenticationFailed:
        pass
print(checked, locked, flush=True)
"""


def race_wrong_pins(database: str, home: Path, procs: int, tries: int, now: datetime) -> tuple[int, int]:
    """``procs`` tills typing ``tries`` wrong PINs each on T1 at the same moment: how many PINs
    were checked and how many answers said "locked", over all tills."""
    config = str(REPO / "config" / "pos.toml")
    tills = [
        subprocess.Popen(
            [sys.executable, "-c", TILL, database, str(home), config, str(tries), now.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(procs)
    ]
    for till in tills:
        assert till.stdout is not None
        line = till.stdout.readline().strip()
        assert line == "ready", till.communicate()[1]
    for till in tills:
        assert till.stdin is not None
        till.stdin.write("go\n")
        till.stdin.flush()
    checked = locked = 0
    for till in tills:
        out, err = till.communicate(timeout=120)
        assert till.returncode == 0, err
        got, refused = map(int, out.split())
        checked += got
        locked += refused
    return checked, locked


def test_concurrent_tills_cannot_check_more_pins_than_the_limit(
    people: dict[str, Actor], settings: Settings, now: datetime, db_path: Path, tmp_path: Path
) -> None:
    procs, tries = 4, 4
    checked, locked = race_wrong_pins(str(db_path), tmp_path, procs, tries, now)
    # The 5th wrong PIN locks the terminal: 5 PINs are checked, every later one is refused unchecked.
    limit = settings.security.max_failed_logins
    assert (checked, locked) == (limit, procs * tries - limit + 1)
    assert m.LoginAttempt.select().where(m.LoginAttempt.terminal == "T1").count() == procs * tries


@pytest.mark.postgres
def test_concurrent_tills_cannot_check_more_pins_than_the_limit_on_postgres(
    pg_db: object, settings: Settings, now: datetime, tmp_path: Path
) -> None:
    staff.add_user("ayse", "cashier", "1111", now=now, settings=settings)
    params = pg_db.connect_params  # type: ignore[attr-defined]
    url = f"postgresql://{params.get('user')}@{params.get('host')}:{params.get('port')}/{pg_db.database}"  # type: ignore[attr-defined]
    procs, tries = 4, 4
    checked, locked = race_wrong_pins(url, tmp_path, procs, tries, now)
    limit = settings.security.max_failed_logins
    assert (checked, locked) == (limit, procs * tries - limit + 1)


# --- 3. escalation and rules for new PINs ----------------------------------------------------


def lock_for(settings: Settings, at: datetime) -> timedelta:
    """Type wrong PINs on T1 from ``at`` until it locks; how long the lock lasts."""
    for i in range(settings.security.max_failed_logins):
        try:
            staff.login("0000", terminal="T1", now=at + timedelta(seconds=i), settings=settings)
        except LockedOut as exc:
            return exc.until - (at + timedelta(seconds=i))
        except AuthenticationFailed:
            continue
    raise AssertionError("never locked")


def test_repeated_locks_double_up_to_the_cap(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    capped = replace(
        settings,
        security=replace(settings.security, lockout_seconds=300, max_lockout_seconds=1000, shop_max_failed_logins=99),
    )
    at, seen = now, []
    for _round in range(4):
        length = lock_for(capped, at)
        seen.append(int(length.total_seconds()))
        at = at + timedelta(seconds=4) + length
    assert seen == [300, 600, 1000, 1000]
    # A right PIN ends the round: the next lock is the first one again.
    assert staff.login("1111", terminal="T1", now=at, settings=capped).name == "ayse"
    assert int(lock_for(capped, at + timedelta(seconds=1)).total_seconds()) == 300


@pytest.mark.parametrize(
    ("pin", "reason"),
    [
        ("1111", "one digit repeated"),
        ("000000", "one digit repeated"),
        ("1234", "consecutive digits"),
        ("9876", "consecutive digits"),
        ("567890", "consecutive digits"),
        ("1212", "repeated pattern"),
        ("123123", "repeated pattern"),
        ("1122", "repeated pattern"),
        ("1987", "reads as a year"),
        ("2010", "reads as a year"),
        ("12", "4 to 8 digits"),
    ],
)
def test_trivial_pins_are_refused(pin: str, reason: str) -> None:
    problem = staff.pin_problem(pin, PinSettings())
    assert problem is not None and reason in problem


def test_ordinary_pins_pass_and_the_minimum_length_is_the_shops() -> None:
    assert staff.pin_problem("4826", PinSettings()) is None
    assert staff.pin_problem("48261", PinSettings(min_length=6)) == "A PIN here has at least 6 digits"
    assert staff.pin_problem("482613", PinSettings(min_length=6)) is None
    assert staff.pin_problem("1111", PinSettings(refuse_trivial=False)) is None
    assert staff.pin_problem("481975", PinSettings(), birth_year=1975) is not None


def test_the_pin_rules_come_from_the_config(tmp_path: Path) -> None:
    from pos_tui.settings import ConfigError, load_settings

    config = tmp_path / "pos.toml"
    config.write_text("[pins]\nmin_length = 6\nrefuse_trivial = false\n", encoding="utf-8")
    loaded = load_settings({"POS_HOME": str(tmp_path), "POS_CONFIG": str(config)})
    assert loaded.pins == PinSettings(min_length=6, refuse_trivial=False)
    assert loaded.security.shop_max_failed_logins == SecuritySettings().shop_max_failed_logins
    config.write_text("[pins]\nmin_length = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pins\.min_length must be between 4 and 8"):
        load_settings({"POS_HOME": str(tmp_path), "POS_CONFIG": str(config)})


def test_users_add_and_set_pin_refuse_trivial_pins(cli: object) -> None:
    run = cli  # type: ignore[assignment]
    assert run("init").exit_code == 0
    refused = run("users", "add", "ayse", "--role", "cashier", "--pin", "1234")
    assert refused.exit_code == 1 and "consecutive digits" in refused.stderr
    assert run("users", "add", "ayse", "--role", "cashier", "--pin", "4826").exit_code == 0
    again = run("users", "set-pin", "ayse", "--pin", "1111")
    assert again.exit_code == 1 and "one digit repeated" in again.stderr
    assert run("users", "set-pin", "ayse", "--pin", "5937").exit_code == 0


def test_the_minimum_length_applies_to_users_add(cli: object, tmp_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    config = tmp_path / "six.toml"
    config.write_text(
        (REPO / "config" / "pos.toml").read_text(encoding="utf-8").replace("min_length = 4", "min_length = 6"),
        encoding="utf-8",
    )
    env = {"POS_CONFIG": str(config)}
    assert run("init", env=env).exit_code == 0
    short = run("users", "add", "ayse", "--role", "cashier", "--pin", "48261", env=env)
    assert short.exit_code == 1 and "at least 6 digits" in short.stderr
    assert run("users", "add", "ayse", "--role", "cashier", "--pin", "482613", env=env).exit_code == 0


# --- 4. the PIN key outside the database -----------------------------------------------------


def key_files(home: Path) -> list[Path]:
    return sorted(home.glob("pin-*.key"))


def test_the_pin_key_is_a_0600_file_in_the_data_directory_not_in_the_database(
    people: dict[str, Actor], settings: Settings, db_path: Path
) -> None:
    assert m.MetaEntry.get_or_none(m.MetaEntry.key == staff.PIN_KEY) is None
    [key_file] = key_files(settings.home)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key_hex = key_file.read_text(encoding="ascii").strip()
    assert len(bytes.fromhex(key_hex)) == 32
    assert key_file == staff.pin_key_file(settings)
    raw = sqlite3.connect(db_path)
    try:
        dump = "\n".join(raw.iterdump())
    finally:
        raw.close()
    assert key_hex not in dump


def put_key_back_in_the_database(settings: Settings) -> bytes:
    """Turn the shop into one made before the key moved out: key in ``meta_entry``, no file."""
    [key_file] = key_files(settings.home)
    key = bytes.fromhex(key_file.read_text(encoding="ascii"))
    with write_tx():
        m.MetaEntry.delete().where(m.MetaEntry.key == staff.PIN_KEY_ID).execute()
        m.MetaEntry.create(key=staff.PIN_KEY, value=key.hex())
    return key


def test_an_older_databases_key_moves_out_at_the_first_login(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    key = put_key_back_in_the_database(settings)
    key_files(settings.home)[0].unlink()
    assert staff.login("1111", terminal="T1", now=now, settings=settings).name == "ayse"
    assert m.MetaEntry.get_or_none(m.MetaEntry.key == staff.PIN_KEY) is None
    [key_file] = key_files(settings.home)
    assert bytes.fromhex(key_file.read_text(encoding="ascii")) == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert staff.login("2222", terminal="T1", now=now, settings=settings).name == "mehmet"


def test_a_move_interrupted_after_the_file_was_written_loses_nothing(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    put_key_back_in_the_database(settings)  # the file is still there: the crash came before the delete
    assert staff.login("1111", terminal="T1", now=now, settings=settings).name == "ayse"
    assert m.MetaEntry.get_or_none(m.MetaEntry.key == staff.PIN_KEY) is None
    assert len(key_files(settings.home)) == 1


def test_a_lost_key_file_is_said_plainly_and_set_pin_starts_a_new_key(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    key_files(settings.home)[0].unlink()
    with pytest.raises(staff.PinKeyMissing, match="is missing, so no PIN can be checked"):
        staff.login("1111", terminal="T1", now=now, settings=settings)
    with pytest.raises(staff.PinKeyMissing):
        staff.set_pin("ayse", "4826", now=now, settings=settings)
    staff.set_pin("ayse", "4826", now=now, settings=settings, new_key=True)
    assert staff.login("4826", terminal="T1", now=now, settings=settings).name == "ayse"
    assert guess("2222", "T1", now, settings) == "wrong"  # mehmet needs a new PIN too
    staff.set_pin("mehmet", "5937", now=now, settings=settings)
    assert staff.login("5937", terminal="T1", now=now, settings=settings).name == "mehmet"


def test_a_damaged_key_file_is_refused(people: dict[str, Actor], settings: Settings, now: datetime) -> None:
    key_files(settings.home)[0].write_text("00" * 32, encoding="ascii")
    with pytest.raises(Exception, match="damaged or belongs to another database"):
        staff.login("1111", terminal="T1", now=now, settings=settings)


def test_init_makes_the_key_file_and_backup_copies_it_only_when_asked(cli: object, tmp_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    made = run("init")
    assert made.exit_code == 0, made.stderr
    [key_file] = key_files(tmp_path)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert str(key_file) in made.stderr

    plain = tmp_path / "b" / "plain.sqlite3"
    assert run("backup", str(plain)).exit_code == 0
    assert not (plain.parent / "plain.sqlite3.pin-key").exists()
    assert list(plain.parent.iterdir()) == [plain]

    withkey = tmp_path / "b" / "with.sqlite3"
    done = run("backup", str(withkey), "--with-pin-key")
    assert done.exit_code == 0, done.stderr
    copy = withkey.with_name("with.sqlite3.pin-key")
    assert copy.read_bytes() == key_file.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert key_file.name in done.stderr


def test_init_moves_an_older_databases_key_out(cli: object, tmp_path: Path, db_path: Path) -> None:
    run = cli  # type: ignore[assignment]
    assert run("init").exit_code == 0
    [key_file] = key_files(tmp_path)
    key_hex = key_file.read_text(encoding="ascii").strip()
    key_file.unlink()
    raw = sqlite3.connect(db_path)
    with raw:
        raw.execute("DELETE FROM meta_entry WHERE key = 'pin_key_id'")
        raw.execute("INSERT INTO meta_entry (key, value) VALUES ('pin_key', ?)", (key_hex,))
    raw.close()
    assert run("init").exit_code == 0
    assert [f.read_text(encoding="ascii").strip() for f in key_files(tmp_path)] == [key_hex]
    raw = sqlite3.connect(db_path)
    assert raw.execute("SELECT count(*) FROM meta_entry WHERE key = 'pin_key'").fetchone() == (0,)
    raw.close()


def test_a_new_pin_equal_to_no_rule_is_still_unique(
    people: dict[str, Actor], settings: Settings, now: datetime
) -> None:
    with pytest.raises(ValidationError, match="already used"):
        staff.set_pin("mehmet", "1111", now=now, settings=settings)
