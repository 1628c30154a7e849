"""Which teams a command acts on, and a ManagementClient for each.

Three sources, in this order: the embedded sandbox (`--sandbox`), the `XAI_MANAGEMENT_KEY`
environment variable (one run, team from the validation endpoint), the registry plus keyring.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from xconsole.cli.options import Fail, Options
from xconsole.core import errors
from xconsole.core.client import DEFAULT_API_URL, ManagementClient
from xconsole.core.config import data_dir
from xconsole.core.credentials import KeyringKeyStore, KeyringUnavailable, env_key
from xconsole.core.teams import TeamError, TeamRegistry


@dataclass
class Target:
    name: str
    team_id: str
    source: str  # "sandbox" | "env" | "keyring"
    make_client: Callable[[], ManagementClient] | None = None
    error: str | None = None  # why no client could be made (the others still run)
    _client: ManagementClient | None = field(default=None, repr=False)

    def client(self) -> ManagementClient:
        if self._client is None:
            assert self.make_client is not None
            self._client = self.make_client()
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()


def sandbox_db_path() -> Path:
    return data_dir() / "sandbox.db"


def sandbox_targets(opts: Options) -> list[Target]:
    from xconsole.sandbox.embedded import BASE_URL, open_embedded

    embedded = open_embedded(sandbox_db_path(), fresh=opts.fresh)

    def maker(key: str) -> Callable[[], ManagementClient]:
        return lambda: ManagementClient(key, BASE_URL, transport=embedded.transport, extensions=True)

    return [Target(t.name, t.team_id, "sandbox", maker(t.management_key)) for t in embedded.teams]


def api_url_for(opts: Options, team_api_url: str | None = None) -> str:
    return opts.api_url or team_api_url or DEFAULT_API_URL


async def env_target(opts: Options, key: str) -> Target:
    url = api_url_for(opts)
    client = ManagementClient(key, url, extensions=_extensions_for(url))
    try:
        team_id = await client.discover_team_id()
    except errors.ApiError as exc:
        await client.aclose()
        raise Fail(f"XAI_MANAGEMENT_KEY: {exc}") from None
    registry = _registry()
    entry = registry.find(team_id)
    target = Target(entry.name if entry else f"team {team_id[:8]}", team_id, "env", lambda: client)
    return target


def _extensions_for(url: str) -> bool:
    """Console-only routes exist only on the sandbox; a custom URL may be a served sandbox.

    The client learns the rest from the sandbox header: a 404 without it means console-only.
    """
    return url.rstrip("/") != DEFAULT_API_URL


def _registry() -> TeamRegistry:
    from xconsole.core.config import ConfigError

    try:
        return TeamRegistry.load()
    except ConfigError as exc:
        raise Fail(str(exc)) from None


def registry_targets(opts: Options, wanted: str | None, all_teams: bool) -> list[Target]:
    registry = _registry()
    if not registry.teams:
        raise Fail("No teams registered: add one with `xconsole team add NAME`, or try `xconsole --sandbox`")
    try:
        chosen = list(registry.teams) if all_teams else [registry.initial(wanted or opts.team)]
    except TeamError as exc:
        raise Fail(str(exc)) from None
    store = KeyringKeyStore()
    targets = []
    for entry in chosen:
        assert entry is not None
        target = Target(entry.name, entry.team_id, "keyring")
        try:
            key = store.get_sync(entry.team_id)
        except KeyringUnavailable as exc:
            target.error = str(exc)
        else:
            if key is None:
                target.error = f"No key in the keyring for {entry.name}: run `xconsole team add {entry.name}` again"
            else:
                url = api_url_for(opts, entry.api_url)
                target.make_client = (lambda k, u: lambda: ManagementClient(k, u, extensions=_extensions_for(u)))(key, url)
        targets.append(target)
    return targets


async def resolve(opts: Options, wanted: str | None = None, all_teams: bool = False) -> list[Target]:
    if opts.sandbox:
        targets = sandbox_targets(opts)
        if all_teams:
            return targets
        pick = wanted or opts.team
        if not pick:
            return targets[:1]
        lowered = pick.lower()
        found = [t for t in targets if t.name.lower() == lowered or t.team_id.startswith(lowered) or t.name.lower().startswith(lowered)]
        if not found:
            raise Fail(f"No demo team {pick!r} (demo teams: {', '.join(t.name for t in targets)})")
        return found[:1]
    key = env_key()
    if key:
        return [await env_target(opts, key)]
    return registry_targets(opts, wanted, all_teams)
