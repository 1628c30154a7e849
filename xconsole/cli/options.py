"""Global options and the common ways a command fails."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from xconsole.cli.run_options import Options as Options  # re-exported: every command's options


EXIT_API = 1
EXIT_THRESHOLD = 3


class Fail(click.ClickException):
    """A one-line error on stderr and exit status 1 (API or usage problem)."""

    exit_code = EXIT_API

    def __init__(self, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        #: The server was unreachable or busy: trying again later may work (the console offers to).
        self.retryable = retryable

    def show(self, file: Any = None) -> None:
        click.echo(f"xconsole: {self.format_message()}", err=True)


def api_url_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback of every --api-url: a URL given on the command line that cannot be the API is
    refused before any key is read. From the environment (XCONSOLE_API_URL) it is checked where it
    is used (cli/wiring.py `api_url_for`): --sandbox, `team list` or `doctor` do not use it."""
    from click.core import ParameterSource

    from xconsole.core.endpoints import api_url_problem

    if value and ctx.get_parameter_source(param.name or "") is ParameterSource.COMMANDLINE:
        problem = api_url_problem(value)
        if problem:
            raise click.BadParameter(problem, ctx=ctx, param=param)
    return value


def output_format(command: Any) -> Any:
    """The `--json` / `--csv` pair of a listing command, given to it as `fmt` ("json", "csv" or
    None). Both at once is refused (two flags on one destination, click lets the last win unsaid)."""
    import functools

    @functools.wraps(command)
    def with_format(*args: Any, as_json: bool, as_csv: bool, **kwargs: Any) -> Any:
        if as_json and as_csv:
            raise click.UsageError("Use --json or --csv, not both")
        return command(*args, fmt="json" if as_json else "csv" if as_csv else None, **kwargs)

    with_format = click.option("--csv", "as_csv", is_flag=True, help="CSV with a header row on stdout.")(with_format)
    return click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")(with_format)


def money(cents: int | None) -> dict[str, Any]:
    """Money in --json output: integer cents plus the formatted string; an amount the server did
    not report is `{"cents": null, "formatted": "—"}`, never 0."""
    from xconsole.core.money import format_cents

    return {"cents": cents, "formatted": format_cents(cents)}


def progress(total: int, what: str = "teams") -> Any:
    """A counter for long runs ("reading teams 45/200…") on stderr, only when it is a terminal and
    there are many teams; None otherwise. Call it with the number done; it clears itself at the end."""
    if total < 20 or not sys.stderr.isatty():
        return None
    done = 0

    def tick(_n: int = 1) -> None:
        nonlocal done
        done += 1
        end = "\r\x1b[K" if done >= total else ""
        sys.stderr.write(f"\rreading {what} {done}/{total}…{end}")
        sys.stderr.flush()

    return tick


def emit_json(document: Any) -> None:
    # One write: json.dump writes each token (47,000 writes for 200 teams' balances).
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
