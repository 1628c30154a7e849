"""A console session: the teams on offer, their keys and API clients, and adding a team.

The TUI talks to this object only (reads through `client_for`, every write through
`actions_for`). The CLI builds it (over the registry and keyring, the
`XAI_MANAGEMENT_KEY` variable, or the embedded sandbox) and hands in a `make_client` function, so
the TUI never builds a URL, never chooses a transport and never touches the keyring itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from xconsole.core import errors
from xconsole.core.actions import TYPE_NAME_FROM_CENTS, Finished, TeamActions
from xconsole.core.client import ManagementClient
from xconsole.core.credentials import KeyStore, clean_key
from xconsole.core.secrets import mask_key
from xconsole.core.teams import TeamRegistry, check_name, check_team_id

WRITE_ACL = "team-token:endpoint:BillingWrite"


@dataclass(frozen=True)
class TeamHandle:
    name: str
    team_id: str
    source: str  # "sandbox" | "keyring" | "env"
    key_hint: str = ""
    api_url: str | None = None

    @property
    def short_id(self) -> str:
        return self.team_id[:8]


@dataclass(frozen=True)
class AddedTeam:
    team: TeamHandle
    created: bool  # False when the team was registered already and only its key changed
    read_only: bool  # the key lacks BillingWrite
    previous_url: str | None = None  # a registered team's API URL before (its key changed)


#: Builds a client for a key and an optional per-team API URL (the CLI decides transport and URL).
ClientMaker = Callable[[str, str | None], ManagementClient]


class Session:
    def __init__(
        self,
        teams: list[TeamHandle],
        keystore: KeyStore,
        make_client: ClientMaker,
        *,
        sandbox: bool = False,
        read_only: bool = False,
        registry: TeamRegistry | None = None,
        env_key: str | None = None,
        type_name_from: int | None = None,
        api_url: str | None = None,
    ) -> None:
        self.teams = list(teams)
        #: The URL every team is read at this run (--api-url or XCONSOLE_API_URL), over each
        #: team's own: a team added now is checked there, and registered with it.
        self.api_url = api_url
        self.keystore = keystore
        self.make_client = make_client
        self.sandbox = sandbox
        self.read_only = read_only
        self.registry = registry
        self._env_key = env_key
        if type_name_from is None and registry is not None:
            type_name_from = registry.config.settings.type_team_name_from * 100
        #: Purchases from this many cents on are confirmed by typing the team's name.
        self.type_name_from = TYPE_NAME_FROM_CENTS if type_name_from is None else type_name_from
        self._clients: dict[str, ManagementClient] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def can_add_teams(self) -> bool:
        return self.registry is not None

    def find(self, name_or_id: str) -> TeamHandle | None:
        """Exact name or id, else the one team a prefix names (one rule with `first_team`)."""
        from xconsole.core import first_team

        found = first_team.find([(t.name, t.team_id) for t in self.teams], name_or_id)
        return next((t for t in self.teams if (t.name, t.team_id) == found), None)

    def pick(self, wanted: str | None = None) -> TeamHandle | None:
        """The team to act on: the one asked for, else the last used, else the first.

        Raises LookupError when `wanted` names no team.
        """
        if wanted:
            found = self.find(wanted)
            if found is None:
                raise LookupError(f"No team {wanted!r} (known: {', '.join(t.name for t in self.teams) or 'none'})")
            return found
        if self.registry is not None:
            entry = self.registry.initial()
            found = self.find(entry.team_id) if entry else None
            if found is not None:
                return found
        return self.teams[0] if self.teams else None

    def pick_to_write(self, wanted: str | None) -> TeamHandle:
        """The team a write goes to: named in full (its name or its first words, its ID, or the
        8-character short ID shown everywhere), or the only team there is. Never the last used or
        the first letters of a name: money must not move for a team the person did not name.
        Raises LookupError."""
        names = ", ".join(t.name for t in self.teams) or "none"
        if not wanted:
            if len(self.teams) == 1:
                return self.teams[0]
            raise LookupError(f"{len(self.teams)} teams ({names}): name the one to act on with --team")
        key = wanted.strip().lower()
        exact = [t for t in self.teams if t.name.lower() == key or t.team_id == key]
        found = exact or [t for t in self.teams if t.name.lower().startswith(key + " ")
                          or (len(key) >= 8 and t.team_id.startswith(key))]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise LookupError(f"{wanted!r} names {len(found)} teams ({', '.join(t.name for t in found)}): "
                              "use the team's full name or ID")
        near = self.find(wanted)
        if near is not None:
            raise LookupError(f"{wanted!r} is only part of {near.name}'s name: a write needs the team's "
                              "name (whole words) or ID")
        raise LookupError(f"No team {wanted!r} (known: {names})")

    async def client_for(self, team: TeamHandle) -> ManagementClient:
        """The team's client; the first call reads its key (keyring: off-thread, with a timeout)."""
        lock = self._locks.setdefault(team.team_id, asyncio.Lock())
        async with lock:
            client = self._clients.get(team.team_id)
            if client is None:
                key = self._env_key if team.source == "env" else await self.keystore.get(team.team_id)
                if not key:
                    raise errors.MissingKey(f"the keyring holds no key for {team.name}: add the team again with its management key")
                client = self.make_client(key, team.api_url)
                self._clients[team.team_id] = client
            return client

    async def actions_for(self, team: TeamHandle, on_finished: Finished | None = None) -> TeamActions:
        """The team's writes (core.actions), over its client; `on_finished` hears every one."""
        client = await self.client_for(team)
        return TeamActions(client, team.team_id, team.name, read_only=self.read_only,
                           type_name_from=self.type_name_from, on_finished=on_finished)

    async def forget_client(self, team_id: str) -> None:
        """Drop a cached client (its key was replaced or rejected)."""
        client = self._clients.pop(team_id, None)
        if client is not None:
            await client.aclose()

    async def add_team(self, name: str, raw_key: str, team_id: str | None = None, api_url: str | None = None) -> AddedTeam:
        """Validate the key (one billing read), store it, register the team.

        Raises ValueError for bad input, errors.ApiError from the API, KeyringUnavailable from the
        store. Nothing is stored unless the key was accepted.
        """
        if self.registry is None:
            raise ValueError("The sandbox's demo teams are built in; teams cannot be added here")
        name = check_name(name)
        key = clean_key(raw_key)
        wanted = check_team_id(team_id) if team_id else None
        api_url = api_url.strip().rstrip("/") or None if api_url else None  # one spelling, whoever adds it
        async with self.make_client(key, api_url) as client:
            info = await client.validate_key()
            found = info.discovered_team_id
            if found and wanted and found != wanted:
                raise errors.Validation(f"This key belongs to team {found}, not {wanted}", field="team_id")
            chosen = wanted or found
            if not chosen:
                raise errors.Validation("Organisation-scoped key: enter the team id too", field="team_id")
            await client.get_spending_limits(chosen)
        before = self.registry.config.model_copy(deep=True)
        registered = self.registry.find(chosen)
        previous_url = registered.api_url if registered is not None else None
        try:
            entry, created = self.registry.add(name, chosen, mask_key(key), api_url)
            await self.keystore.set(chosen, key)
            await asyncio.to_thread(self.registry.save)
        except BaseException:
            self.registry.config = before  # nothing half-registered
            raise
        await self.forget_client(chosen)
        handle = TeamHandle(entry.name, chosen, "keyring", entry.key_hint, entry.api_url)
        self.teams = [t for t in self.teams if t.team_id != chosen] + [handle]
        return AddedTeam(handle, created, read_only=bool(info.acls) and WRITE_ACL not in info.acls,
                         previous_url=previous_url)

    async def remember(self, team: TeamHandle | None = None, theme: str | None = None) -> None:
        """Persist the last used team and the theme (registry sessions only; off the UI thread)."""
        if self.registry is None:
            return
        if team is not None:
            entry = self.registry.find(team.team_id)
            if entry is not None:
                self.registry.touch(entry)
        if theme is not None:
            self.registry.config.settings.theme = theme
        await asyncio.to_thread(self.registry.save)

    async def aclose(self) -> None:
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()
        close_maker = getattr(self.make_client, "close", None)  # a maker may share connections
        if close_maker is not None:
            await close_maker()
