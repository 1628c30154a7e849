"""Building the Session every command and the TUI use: the one place that picks a transport,
an API URL and a key store.

Four sources, in this order: the embedded sandbox (`--sandbox`), the `XAI_MANAGEMENT_KEY`
environment variable (one run, team from the validation endpoint), a credentials directory
(services: `team-<team_id>` key files, core/credentials_dir.py), the registry plus keyring.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from xconsole.cli.run_options import Options
from xconsole.core import errors
from xconsole.core.client import DEFAULT_API_URL, ManagementClient
from xconsole.core.config import ConfigError, data_dir
from xconsole.core.credentials import KeyringKeyStore, KeyStore, MemoryKeyStore, env_key
from xconsole.core.secrets import mask_key
from xconsole.core.session import Session, TeamHandle
from xconsole.core.teams import TeamRegistry, unnamed

if TYPE_CHECKING:
    from xconsole.core.actions import TeamActions
    from xconsole.core.credentials_dir import DirectoryKeyStore

T = TypeVar("T")


def _fail(message: str, *, retryable: bool = False) -> Exception:
    """The CLI's Fail (a click error), imported only when something fails: the console builds
    its session here too, and click is not needed for that (~20 ms and ~1 MB, measured)."""
    from xconsole.cli.options import Fail

    return Fail(message, retryable=retryable)


def sandbox_db_path() -> Path:
    return data_dir() / "sandbox.db"


def api_url_for(opts: Options, team_api_url: str | None = None) -> str:
    """The URL a team's client uses. --api-url was checked by click; the environment variable
    and a team's api_url in config.toml are checked here, where they are used."""
    from xconsole.core.endpoints import api_url_problem
    from xconsole.core.paths import API_URL_ENV

    url = opts.api_url or team_api_url or DEFAULT_API_URL
    problem = api_url_problem(url)
    if problem:
        where = f"{API_URL_ENV} (or --api-url)" if opts.api_url else "the team's api_url in config.toml"
        raise _fail(f"{where}: {problem}")
    return url


def load_registry() -> TeamRegistry:
    try:
        return TeamRegistry.load()
    except ConfigError as exc:
        raise _fail(str(exc)) from None


def sandbox_session(opts: Options, embedded: object | None = None) -> Session:
    """Demo teams of the embedded sandbox, keys in memory: no keyring, no config written."""
    from xconsole.sandbox.embedded import BASE_URL, open_embedded

    sandbox = embedded or open_embedded(sandbox_db_path(), fresh=opts.fresh)
    keys = {t.team_id: t.management_key for t in sandbox.teams}  # type: ignore[attr-defined]
    teams = [TeamHandle(t.name, t.team_id, "sandbox", mask_key(t.management_key)) for t in sandbox.teams]  # type: ignore[attr-defined]

    def make_client(key: str, _url: str | None) -> ManagementClient:
        return ManagementClient(key, BASE_URL, transport=sandbox.transport, sandbox=True)  # type: ignore[attr-defined]

    return Session(teams, MemoryKeyStore(keys), make_client, sandbox=True, read_only=opts.read_only)


class _ClientMaker:
    """The session's clients: one bound on requests in flight and one pool of connections for
    all its teams (core.client.SharedConnections); `close` ends the pool with the session."""

    def __init__(self, opts: Options) -> None:
        import urllib.request

        from xconsole.core.client import MAX_IN_FLIGHT, SharedConnections

        self._opts = opts
        self._gate = asyncio.Semaphore(MAX_IN_FLIGHT)
        # httpx applies HTTP(S)_PROXY, ALL_PROXY and NO_PROXY only to a client without a transport
        # of its own: with a proxy set, each client keeps its own pool, routed as httpx routes it.
        self._connections = None if urllib.request.getproxies() else SharedConnections()

    def __call__(self, key: str, team_url: str | None) -> ManagementClient:
        # Never a sandbox by URL: the client learns it from the server's own answers (design.md 1).
        return ManagementClient(key, api_url_for(self._opts, team_url), gate=self._gate, transport=self._connections)

    async def close(self) -> None:
        if self._connections is not None:
            await self._connections.close()


def _client_maker(opts: Options) -> _ClientMaker:
    return _ClientMaker(opts)


async def env_session(opts: Options, key: str) -> Session:
    make_client = _client_maker(opts)
    try:
        async with make_client(key, None) as client:
            try:
                info = await client.validate_key()
            except errors.ApiError as exc:
                if exc.worth_retrying_later or isinstance(exc, errors.NotFound):
                    # Unreachable, busy, unreadable, or no such path there (a wrong URL): the key was not judged.
                    hint = " Is the API URL right?" if isinstance(exc, errors.NotFound) else ""
                    raise _fail(f"Could not check XAI_MANAGEMENT_KEY ({exc.title}): {exc}.{hint}",
                                retryable=exc.worth_retrying_later) from None
                raise _fail(f"XAI_MANAGEMENT_KEY was not accepted: {exc}") from None
        team_id = info.discovered_team_id or _explicit_team_id(opts)
    except BaseException:
        await make_client.close()  # no session will close it
        raise
    registry = load_registry()
    entry = registry.find(team_id)
    team = TeamHandle(entry.name if entry else unnamed(team_id), team_id, "env", mask_key(key))
    return Session([team], MemoryKeyStore(), make_client, read_only=opts.read_only, env_key=key,
                   type_name_from=registry.config.settings.type_team_name_from * 100)


def directory_session(opts: Options, directory: Path) -> Session:
    """The teams with a key file in the credentials directory; names from the registry when
    they are registered there too. No keyring is touched."""
    from xconsole.core.credentials_dir import DirectoryKeyStore

    store = DirectoryKeyStore(directory)
    registry = load_registry()
    teams = directory_teams(store, registry)
    if not teams:
        raise _fail(f"No key files (team-<team id>) in the credentials directory {directory}")
    return Session(teams, store, _client_maker(opts), read_only=opts.read_only,
                   type_name_from=registry.config.settings.type_team_name_from * 100)


def directory_teams(store: DirectoryKeyStore, registry: TeamRegistry | None = None) -> list[TeamHandle]:
    """A handle per key file, named from the registry when the team is registered there too. Read
    again by long-running services: a key file added to a Secret appears without a restart."""
    registry = registry or load_registry()
    teams = []
    for team_id in store.team_ids():
        entry = registry.find(team_id)
        teams.append(TeamHandle(entry.name if entry else unnamed(team_id), team_id, "credentials", "",
                                entry.api_url if entry else None))
    return teams


def registry_session(opts: Options) -> Session:
    registry = load_registry()
    teams = [TeamHandle(t.name, t.team_id, "keyring", t.key_hint, t.api_url) for t in registry.teams]
    if opts.keyring_in_child:
        from xconsole.core.keyring_process import ProcessKeyStore

        keystore: KeyStore = ProcessKeyStore(may_prompt=opts.keyring_may_prompt)
    else:
        keystore = KeyringKeyStore(may_prompt=opts.keyring_may_prompt)
    return Session(teams, keystore, _client_maker(opts), read_only=opts.read_only, registry=registry,
                   api_url=opts.api_url)


def _explicit_team_id(opts: Options) -> str:
    """An organisation-scoped key names no team: the user does, with `--team <team id>`."""
    from xconsole.core.teams import TeamError, check_team_id

    if not opts.team:
        raise _fail("XAI_MANAGEMENT_KEY is organisation-scoped, so it names no team: "
                   "add --team <team id> (a UUID, shown in the console's URL)")
    try:
        return check_team_id(opts.team)
    except TeamError as exc:
        raise _fail(f"XAI_MANAGEMENT_KEY is organisation-scoped: --team must be the team's id. {exc}") from None


async def build_session(opts: Options) -> Session:
    if opts.sandbox:
        # Opening (and on first run seeding) the database is blocking work: keep it off the loop.
        return await asyncio.to_thread(sandbox_session, opts)
    from xconsole.core.credentials_dir import credentials_directory

    key = env_key()
    if key:
        return await env_session(opts, key)
    directory = credentials_directory()
    if directory is not None:
        return directory_session(opts, directory)
    return registry_session(opts)


def select(session: Session, wanted: str | None, all_teams: bool) -> list[TeamHandle]:
    if not session.teams:
        raise _fail("No teams registered: add one with `xconsole team add NAME`, or try `xconsole --sandbox`")
    if all_teams:
        return list(session.teams)
    try:
        team = session.pick(wanted)
    except LookupError as exc:
        raise _fail(str(exc)) from None
    return [team] if team is not None else []


async def run_for_team(opts: Options, wanted: str | None, fetch: Callable[[ManagementClient, TeamHandle], Awaitable[T]]) -> tuple[TeamHandle, T]:
    """`fetch(client, team)` for one team, with its errors as one line on stderr (exit 1)."""

    async def use(session: Session, team: TeamHandle) -> T:
        return await fetch(await session.client_for(team), team)

    return await _in_session(opts, wanted, use)


async def act_for_team(opts: Options, wanted: str | None, act: Callable[[TeamActions, TeamHandle], Awaitable[T]]) -> tuple[TeamHandle, T]:
    """`act(actions, team)` for one team's writes (core.actions, read-only mode and the typed-name
    threshold from the session), with its errors as one line on stderr (exit 1)."""

    async def use(session: Session, team: TeamHandle) -> T:
        return await act(await session.actions_for(team), team)

    return await _in_session(opts, wanted, use, write=True)


async def _in_session(opts: Options, wanted: str | None, use: Callable[[Session, TeamHandle], Awaitable[T]], *,
                      write: bool = False) -> tuple[TeamHandle, T]:
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.errors import ApiError

    session = await build_session(opts)
    try:
        if write:  # only a team named in full, or the only one
            try:
                team = session.pick_to_write(wanted or opts.team)
            except LookupError as exc:
                raise _fail(str(exc)) from None
        else:
            team = select(session, wanted or opts.team, False)[0]
        try:
            return team, await use(session, team)
        except KeyringUnavailable as exc:
            raise _fail(str(exc)) from None
        except ApiError as exc:
            raise _fail(f"{team.name}: {exc.title}: {exc}") from None
    finally:
        await session.aclose()
