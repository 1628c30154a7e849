"""The `xconsole` click group and its options (`xconsole.cli.main`).

Subcommand modules import their heavy dependencies (httpx, keyring, the sandbox, Textual) inside
the functions that need them, so `xconsole --help` and the first TUI frame stay fast.
"""

from __future__ import annotations

import click
from click.core import ParameterSource

from xconsole import __version__
from xconsole.cli.options import Options, api_url_option
from xconsole.core.paths import API_URL_ENV


class LazyGroup(click.Group):
    """Subcommands imported only when invoked: `xconsole` alone must reach its first frame fast."""

    lazy = {
        "team": ("xconsole.cli.team", "team_group"),
        "balance": ("xconsole.cli.balance", "balance"),
        "buy": ("xconsole.cli.buy", "buy"),
        "autotopup": ("xconsole.cli.autotopup", "autotopup"),
        "changes": ("xconsole.cli.changes", "changes"),
        "check": ("xconsole.cli.check", "check"),
        "doctor": ("xconsole.cli.doctor", "doctor"),
        "export": ("xconsole.cli.export", "export"),
        "history": ("xconsole.cli.history", "history"),
        "invoices": ("xconsole.cli.invoices", "invoices"),
        "metrics": ("xconsole.cli.metrics", "metrics"),
        "usage": ("xconsole.cli.usage", "usage"),
        "watch": ("xconsole.cli.watch", "watch"),
        "sandbox": ("xconsole.cli.sandbox", "sandbox_group"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            import importlib

            module, attr = self.lazy[name]
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)


@click.group(cls=LazyGroup, invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--sandbox", is_flag=True, help="Use the embedded sandbox with demo teams (no account, no keyring).")
@click.option("--fresh", is_flag=True, help="With --sandbox: start from a freshly seeded demo database.")
@click.option("--api-url", envvar=API_URL_ENV, metavar="URL", callback=api_url_option,
              help=f"Management API base URL (env {API_URL_ENV}).")  # (the variable: checked where used)
@click.option("--team", "team", metavar="NAME_OR_ID", help="Start on this team.")
@click.option("--read-only", is_flag=True, help="Disable every write action.")
@click.option("--no-cache", is_flag=True, help="Do not show (or keep) each team's last numbers while loading.")
@click.version_option(__version__, prog_name="xconsole")
@click.pass_context
def main(ctx: click.Context, sandbox: bool, fresh: bool, api_url: str | None, team: str | None, read_only: bool,
         no_cache: bool) -> None:
    """Keyboard-driven console for your xAI teams' billing.

    Without a command, opens the console on your registered teams (or the demo teams with
    --sandbox). Keys live in the OS keyring; XAI_MANAGEMENT_KEY gives a key for one run.
    """
    ctx.obj = Options(sandbox=sandbox, fresh=fresh, api_url=api_url, team=team, read_only=read_only, no_cache=no_cache)
    if fresh and not sandbox:
        raise click.UsageError("--fresh only applies with --sandbox")
    if sandbox and ctx.get_parameter_source("api_url") is ParameterSource.COMMANDLINE:
        # (From the environment it is ignored: that variable is set for the real API's commands.)
        raise click.UsageError("--api-url does not apply with --sandbox: the sandbox runs inside xconsole")
    if ctx.invoked_subcommand is None:
        from xconsole.cli.tui import run_tui

        run_tui(ctx.obj)
