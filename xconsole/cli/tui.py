"""Starting the console. Until the TUI lands, this shows the real balances of the teams."""

from __future__ import annotations

from xconsole.cli.options import Options


def run_tui(opts: Options) -> None:
    import click

    from xconsole.cli.balance import balance

    click.get_current_context().invoke(balance, all_teams=True)
