"""``pos-admin``: the Typer admin CLI. One module per command group; never imports textual."""
