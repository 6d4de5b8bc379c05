"""``pos-admin points``: a member's points, and the operations on them (issue 16): transfer to
another member (with the giver's consent), donation to one of the program's charities, and a
manager's adjustment. Each is journalled; see docs/loyalty.md "Points operations"."""

from __future__ import annotations

from pos_tui.cli.common import make_typer

app = make_typer("points", "Members' points: show, transfer, donate to a charity, adjust.")
