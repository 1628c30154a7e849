"""`xconsole check`: a Monitoring Plugins-style check of one, several or all teams (design.md 8).

Exit status 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, the worst team's; the output is the plugin
format (core/check.py). `--on-change` and `--webhook` fire once per change of a team's state
(core/alerts.py); a failing hook is said on stderr and never changes the exit status.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from xconsole.cli.options import Options, emit_json

T = TypeVar("T")


def _parsed(text: str | None, parse: Callable[[str], T], default: T, flag: str) -> T:
    """`parse(text)`, `default` when the flag was not given; a bad value is UNKNOWN (exit 3)."""
    if text is None:
        return default
    try:
        return parse(text)
    except ValueError as exc:  # MoneyError is a ValueError too
        unknown(f"{flag}: {exc}")
        raise  # not reached


class PluginCommand(click.Command):
    """A check that cannot even start (a bad flag) is UNKNOWN, exit 3, as monitoring reads it."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta["xconsole.json"] = "--json" in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            unknown(exc.format_message())
            raise  # not reached


def unknown(message: str) -> None:
    """Say the check could not run, as UNKNOWN (exit 3): a plugin line, or with `--json` the
    document a monitor parses (no teams, the reason in `summary` and `error`)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.meta.get("xconsole.json"):
        from xconsole.core.check import SCHEMA_VERSION

        emit_json({"schemaVersion": SCHEMA_VERSION, "state": "UNKNOWN", "exitStatus": 3, "summary": message,
                   "error": message, "perfdata": "", "teams": []})
    else:
        click.echo(f"XCONSOLE UNKNOWN - {message}")
    raise SystemExit(3)


def _url(text: str | None) -> str | None:
    import httpx

    if text is None:
        return None
    try:
        url = httpx.URL(text)
    except (httpx.InvalidURL, TypeError) as exc:
        unknown(f"--webhook {text!r} is not a URL: {exc}")
    if url.scheme not in ("http", "https") or not url.host:
        unknown(f"--webhook {text!r} is not an http(s) URL")
    return text


@click.command(cls=PluginCommand)
@click.option("--team", "teams", multiple=True, metavar="NAME_OR_ID", help="A team to check (repeatable; default: the last used).")
@click.option("--all", "all_teams", is_flag=True, help="Every team.")
@click.option("--warn-below", metavar="DOLLARS", help="WARNING when credits are below this.")
@click.option("--crit-below", metavar="DOLLARS", help="CRITICAL when credits are below this.")
@click.option("--warn-runway", metavar="DURATION", help="WARNING when requests are rejected within this (default 7d).")
@click.option("--crit-runway", metavar="DURATION", help="CRITICAL when requests are rejected within this (default 1d).")
@click.option("--json", "as_json", is_flag=True, help="One JSON document (schemaVersion 1) instead of plugin output.")
@click.option("--on-change", "command", metavar="COMMAND", help="Run COMMAND (sh -c) when a team's state changes; the change as JSON on stdin.")
@click.option("--webhook", metavar="URL", help="POST the change as JSON to URL when a team's state changes.")
@click.option("--state-file", type=click.Path(dir_okay=False, path_type=Path), help="Where each team's last state is kept (default: the user state dir).")
@click.option("--stateless", is_flag=True, help="No state file: every run reports every team to the hooks.")
@click.option("--anomalies", "anomalies", is_flag=True,
              help="WARNING on unusual spend of the last 7 days (spikes, new models, a busy team gone silent).")
@click.pass_obj
def check(opts: Options, teams: tuple[str, ...], all_teams: bool, warn_below: str | None, crit_below: str | None,
          warn_runway: str | None, crit_runway: str | None, as_json: bool, command: str | None, webhook: str | None,
          state_file: Path | None, stateless: bool, anomalies: bool) -> None:
    """Check teams as Nagios, Icinga, Checkmk or Sensu expect: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN."""
    from xconsole.core import alerts
    from xconsole.core.check import Thresholds, document, plugin_output, worst

    if teams and all_teams:
        unknown("use --team or --all, not both")
    if stateless and state_file is not None:
        unknown("use --state-file or --stateless, not both")
    webhook = _url(webhook)
    from xconsole.core.check import parse_duration
    from xconsole.core.money import parse_amount

    thresholds = Thresholds(
        warn_below=_parsed(warn_below, parse_amount, None, "--warn-below"),
        crit_below=_parsed(crit_below, parse_amount, None, "--crit-below"),
        warn_runway_days=_parsed(warn_runway, parse_duration, 7.0, "--warn-runway"),
        crit_runway_days=_parsed(crit_runway, parse_duration, 1.0, "--crit-runway"))
    try:
        checks = asyncio.run(_run(opts, list(teams), all_teams, thresholds, anomalies))
    except click.ClickException as exc:
        # A check that cannot run at all is UNKNOWN (exit 3), the way a monitoring system reads it.
        unknown(exc.format_message())
    if as_json:
        emit_json(document(checks, thresholds))
    else:
        click.echo(plugin_output(checks, thresholds))
    if command or webhook or state_file is not None:
        path = None if stateless else (state_file or alerts.default_state_file())
        previous = alerts.load_states(path) if path is not None else None
        unsent: set[str] = set()  # teams whose hook failed: their change is reported again next run
        for change, problem in alerts.deliver(alerts.changes(checks, previous), command, webhook):
            unsent.add(change.check.team_id)
            click.echo(f"xconsole: {change.check.name}: {problem}", err=True)
        if path is not None:
            try:
                alerts.save_states(path, [c for c in checks if c.team_id not in unsent], previous or {})
            except OSError as exc:
                click.echo(f"xconsole: the state file {path} could not be written: {exc.strerror}", err=True)
    raise SystemExit(int(worst(checks)))


async def _run(opts: Options, wanted: list[str], all_teams: bool, thresholds: object, anomalies: bool = False) -> list:
    from xconsole.cli.wiring import build_session, select
    from xconsole.core.check import check_teams

    session = await build_session(opts)
    try:
        if all_teams or not wanted:
            handles = select(session, opts.team, all_teams)
        else:
            handles = []
            for name in wanted:
                for handle in select(session, name, False):
                    if handle not in handles:
                        handles.append(handle)
        from xconsole.cli.options import progress

        return await check_teams(session, handles, thresholds, progress(len(handles)),  # type: ignore[arg-type]
                                 anomalies=anomalies)
    finally:
        await session.aclose()
