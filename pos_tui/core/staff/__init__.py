"""Staff: users, PIN login with lockout, and manager overrides (who may do what is in
:mod:`pos_tui.core.kernel.actors`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pos_tui.core.kernel.lazy import front_door

# public name -> the module of this package that defines it (a module's own name: the module itself)
_EXPORTS = {
    "PIN_KEY": "users",
    "shop_lock_state": "users",
    "pin_problem": "users",
    "pin_key_path": "users",
    "pin_key_file": "users",
    "load_pin_key": "users",
    "PinKeyMissing": "users",
    "PIN_KEY_ID": "users",
    "actor_by_name": "users",
    "actor_of": "users",
    "add_user": "users",
    "authorize_override": "users",
    "disable_user": "users",
    "first_admin": "users",
    "known_terminals": "users",
    "list_users": "users",
    "lock_state": "users",
    "login": "users",
    "record_override": "users",
    "set_pin": "users",
    "terminal_known": "users",
    "unlock_terminal": "users",
}

__all__ = [
    "PIN_KEY",
    "PIN_KEY_ID",
    "PinKeyMissing",
    "actor_by_name",
    "actor_of",
    "add_user",
    "authorize_override",
    "disable_user",
    "first_admin",
    "known_terminals",
    "list_users",
    "load_pin_key",
    "lock_state",
    "login",
    "pin_key_file",
    "pin_key_path",
    "pin_problem",
    "record_override",
    "set_pin",
    "shop_lock_state",
    "terminal_known",
    "unlock_terminal",
]
if not TYPE_CHECKING:  # type checkers read the imports below instead, and flag a misspelt name
    __getattr__, __dir__ = front_door(__name__, _EXPORTS)

if TYPE_CHECKING:
    from pos_tui.core.staff.users import (
        PIN_KEY,
        PIN_KEY_ID,
        PinKeyMissing,
        actor_by_name,
        actor_of,
        add_user,
        authorize_override,
        disable_user,
        first_admin,
        known_terminals,
        list_users,
        load_pin_key,
        lock_state,
        login,
        pin_key_file,
        pin_key_path,
        pin_problem,
        record_override,
        set_pin,
        shop_lock_state,
        terminal_known,
        unlock_terminal,
    )
