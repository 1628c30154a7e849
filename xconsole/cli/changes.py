"""`xconsole changes`: what changed in each team's billing since you last looked (core/changes.py).

Each run is a look: it lists what changed since the previous run for the same user, then records
the current state. The first run for a team records a baseline and says so. `--exit-code` exits 1
when something changed (for cron: `xconsole changes --all --exit-code || mail …`) and 0 when
nothing did; a team that cannot be read at all is an error (exit 1, said on stderr) either way.
"""

from __future__ import annotations

import asyncio
from typing import Any

import click

from xconsole.cli.options import Fail, Options, emit_json, progress


async def _look(opts: Options, team: str | None, all_teams: bool) -> list[tuple[Any, Any, str | None]]:
    """Per team: (handle, TeamChanges or None, error)."""
    from xconsole.cli.wiring import build_session, select
    from xconsole.core.changes import SeenStore, what_changed
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.errors import ApiError

    session = await build_session(opts)
    teams = select(session, team or (None if all_teams else opts.team), all_teams)
    store = SeenStore()
    tick = progress(len(teams))

    async def one(handle: Any) -> tuple[Any, Any, str | None]:
        try:
            client = await session.client_for(handle)
            return handle, await what_changed(client, handle.team_id, handle.name, store=store), None
        except KeyringUnavailable as exc:
            return handle, None, str(exc)
        except ApiError as exc:
            return handle, None, f"{exc.title}: {exc}"
        finally:
            if tick is not None:
                tick()

    try:
        return list(await asyncio.gather(*(one(t) for t in teams)))
    finally:
        await session.aclose()


@click.command()
@click.option("--team", "team", metavar="NAME_OR_ID", help="Team to look at (default: the last used).")
@click.option("--all", "all_teams", is_flag=True, help="Every team.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout (money as cents + text).")
@click.option("--exit-code", "exit_code", is_flag=True,
              help="Exit 1 when something changed, 0 when nothing did (cron). A team that cannot be read is exit 1 always.")
@click.pass_obj
def changes(opts: Options, team: str | None, all_teams: bool, as_json: bool, exit_code: bool) -> None:
    """What changed since you last looked: invoices, failed charges, ledger, limit, payment methods, details."""
    if team and all_teams:
        raise click.UsageError("Use --team or --all, not both")
    looks = asyncio.run(_look(opts, team, all_teams))
    if as_json:
        emit_json({"teams": [
            {"name": h.name, "teamId": h.team_id, "error": error} if result is None else {**result.to_json(), "error": None}
            for h, result, error in looks]})
    else:
        for handle, result, error in looks:
            if result is None:
                continue
            click.echo(result.summary())
            for change in result.changes:
                click.echo(f"  - {change.line()}")
            for part, why in result.unreadable.items():
                if not result.baseline or part in ("autoTopUp", "default"):
                    click.echo(f"  ({_part(part)}: {why})")
            if result.audit_error and result.changes:
                click.echo(f"  (authors unknown: the audit events could not be read: {result.audit_error})")
    if len(looks) == 1 and looks[0][1] is None:
        raise Fail(f"{looks[0][0].name}: {looks[0][2]}")  # said once
    for handle, _result, error in looks:
        if error:
            click.echo(f"xconsole: {handle.name}: {error}", err=True)
    if all(result is None for _h, result, _e in looks):
        raise Fail("No team could be read")
    if any(result is None for _h, result, _e in looks):
        raise SystemExit(1)  # a team not read may have changed: never "nothing changed" (said above)
    if exit_code and any(result is not None and result.changed for _h, result, _e in looks):
        raise SystemExit(1)


def _part(name: str) -> str:
    from xconsole.core.changes import PARTS

    return {"default": "default payment method"}.get(name, PARTS.get(name, name))
