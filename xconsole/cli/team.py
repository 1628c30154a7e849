"""`xconsole team add|list|remove|rename`: the registry of teams, keys in the OS keyring."""

from __future__ import annotations

import asyncio
import sys

import click

from xconsole.cli.options import Fail, Options, api_url_option, emit_json
from xconsole.core.config import ConfigError
from xconsole.core.teams import TeamError, TeamRegistry


def _no_sandbox(opts: Options) -> None:
    if opts.sandbox:
        raise Fail("team commands manage your registered teams; the sandbox's demo teams are built in")


def _load() -> TeamRegistry:
    try:
        return TeamRegistry.load()
    except ConfigError as exc:
        raise Fail(str(exc)) from None


def _save(registry: TeamRegistry) -> None:
    try:
        registry.save()
    except ConfigError as exc:
        raise Fail(str(exc)) from None


def _read_key(key_stdin: bool) -> str:
    from xconsole.core.credentials import clean_key

    if key_stdin:
        raw = sys.stdin.read()
    elif sys.stdin.isatty():
        raw = click.prompt("Management key (input hidden)", hide_input=True, err=True)
    else:
        raise Fail("No terminal to ask for the key: pipe it in with --key-stdin")
    try:
        return clean_key(raw)
    except ValueError as exc:
        raise Fail(str(exc)) from None


@click.group("team")
@click.pass_obj
def team_group(opts: Options) -> None:
    """Register the teams you manage (keys go to the OS keyring, never to a file)."""
    _no_sandbox(opts)


@team_group.command("add")
@click.argument("name")
@click.option("--key-stdin", is_flag=True, help="Read the management key from standard input.")
@click.option("--team-id", metavar="UUID", help="Team id (required for organisation-scoped keys).")
@click.option("--api-url", metavar="URL", callback=api_url_option, help="Management API base URL for this team.")
@click.pass_obj
def add(opts: Options, name: str, key_stdin: bool, team_id: str | None, api_url: str | None) -> None:
    """Validate a management key, store it in the keyring and register the team as NAME."""
    import dataclasses

    from xconsole.cli.wiring import api_url_for, registry_session
    from xconsole.core import errors
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.session import AddedTeam

    # This command's own --api-url wins over the group's (or XCONSOLE_API_URL), for the key check
    # as for the registration; checked before a key is asked for.
    url = api_url or opts.api_url
    opts = dataclasses.replace(opts, api_url=url)
    api_url_for(opts)
    session = registry_session(opts)
    store = session.keystore
    try:
        backend = store.ensure_usable()  # type: ignore[attr-defined]
    except KeyringUnavailable as exc:
        raise Fail(str(exc)) from None
    key = _read_key(key_stdin)

    async def run() -> AddedTeam:
        try:
            return await session.add_team(name, key, team_id, url)
        finally:
            await session.aclose()

    try:
        added = asyncio.run(run())
    except (TeamError, ValueError) as exc:
        raise Fail(str(exc)) from None
    except errors.Validation as exc:
        if exc.field == "team_id" and not team_id:
            raise Fail("This is an organisation-scoped management key: add --team-id <team UUID>") from None
        raise Fail(str(exc)) from None
    except errors.ApiError as exc:
        where = url or "the Management API"
        if exc.worth_retrying_later or isinstance(exc, errors.NotFound):
            # Unreachable, busy, unreadable, or no such path there (a wrong URL): the key was not judged.
            hint = " Is the API URL right?" if isinstance(exc, errors.NotFound) else ""
            raise Fail(f"Could not check the key with {where} ({exc.title}): {exc}.{hint} Nothing was registered.") from None
        raise Fail(f"Key not accepted by {where}: {exc.title}: {exc}") from None
    except KeyringUnavailable as exc:
        raise Fail(f"{exc} Nothing was registered.") from None
    except ConfigError as exc:
        raise Fail(f"{exc} (nothing was registered)") from None
    verb = "Added" if added.created else "Replaced the key of"
    team = added.team
    click.echo(f'{verb} team "{team.name}" ({team.team_id}); key {team.key_hint} stored in the keyring ({backend.name}).')
    if not added.created:
        # The key names its team: a second name for it would be a second registration of one team.
        if name.strip() != team.name:
            click.echo(f'This key is the key of "{team.name}", registered already: the name "{name.strip()}" was not '
                       f'used (`xconsole team rename "{team.name}" NEW` renames it).')
        if (added.previous_url or None) != (team.api_url or None):
            click.echo(f"Its API URL changed: {added.previous_url or 'the default'} → {team.api_url or 'the default'}.")
    if added.read_only:
        click.echo("Note: this key can read billing but not change it; write actions will be refused.")


@team_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout.")
def list_teams(as_json: bool) -> None:
    """Registered teams with their masked key hints (never the keys)."""
    registry = _load()
    last = registry.config.settings.last_team
    rows = [
        {"name": t.name, "teamId": t.team_id, "keyHint": t.key_hint, "apiUrl": t.api_url,
         "lastUsed": t.last_used.isoformat() if t.last_used else None, "active": t.team_id == last}
        for t in registry.teams
    ]
    if as_json:
        emit_json({"teams": rows})
        return
    if not rows:
        click.echo("No teams registered. Add one: xconsole team add NAME")
        return
    click.echo(f"  {'NAME':<22} {'TEAM ID':<36} {'KEY':<10}")
    for row in rows:
        click.echo(f"{'*' if row['active'] else ' '} {row['name']:<22} {row['teamId']:<36} {row['keyHint']:<10}"
                   + (f" {row['apiUrl']}" if row["apiUrl"] else ""))


@team_group.command("remove")
@click.argument("name_or_id")
def remove(name_or_id: str) -> None:
    """Forget a team and delete its key from the keyring."""
    from xconsole.core.credentials import KeyringKeyStore, KeyringUnavailable

    registry = _load()
    try:
        team = registry.get(name_or_id)
    except TeamError as exc:
        raise Fail(str(exc)) from None
    try:
        deleted = KeyringKeyStore().delete_sync(team.team_id)
    except KeyringUnavailable as exc:
        raise Fail(f"Could not delete the key of {team.name}: {exc} Nothing was removed.") from None
    registry.remove(team.team_id)
    _save(registry)
    click.echo(f'Removed team "{team.name}"' + ("" if deleted else " (there was no key in the keyring)") + ".")


@team_group.command("rename")
@click.argument("old")
@click.argument("new")
def rename(old: str, new: str) -> None:
    """Rename a registered team."""
    registry = _load()
    try:
        team = registry.rename(old, new)
    except TeamError as exc:
        raise Fail(str(exc)) from None
    _save(registry)
    click.echo(f'Renamed to "{team.name}".')
