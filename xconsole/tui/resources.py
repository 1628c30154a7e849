"""Per-team data that only one screen needs (invoices, billing details), fetched when that screen
looks at it, kept per team like the snapshot, and fetched again after `r` or a write."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from xconsole.tui.state import Resource, TeamData

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.session import TeamHandle
    from xconsole.tui.app import XConsoleApp

Fetch = Callable[["ManagementClient"], Awaitable[Any]]


class ResourceLoads:
    def resource(self: XConsoleApp, team: TeamHandle, name: str) -> Resource:
        data = self.cache.setdefault(team.team_id, TeamData())
        return data.resources.setdefault(name, Resource())

    def fetch_resource(self: XConsoleApp, team: TeamHandle, name: str, fetch: Fetch) -> None:
        """Run `fetch(client)` for `team` in a worker; its answer lands in that team's cache only."""
        res = self.resource(team, name)
        res.loading, res.wanted = True, False
        self._changed(team)

        async def go() -> None:
            from xconsole.core import errors
            from xconsole.core.credentials import KeyringUnavailable

            try:
                client = await self.session.client_for(team)  # type: ignore[union-attr]
                res.value = await fetch(client)
                res.error, res.retry_delay = None, 0.0
            except KeyringUnavailable as exc:
                res.error = exc.message
            except errors.ApiError as exc:
                res.error = f"{exc.title}: {exc.message}"
                if exc.worth_retrying_later:
                    self._retry_resource(team, res)
            finally:
                res.loading = False
                self._changed(team)

        self.run_worker(go(), group=f"{name}:{team.team_id}", exclusive=True, exit_on_error=False)

    def _retry_resource(self: XConsoleApp, team: TeamHandle, res: Resource) -> None:
        from xconsole.tui.app import next_retry_delay

        res.retry_delay = next_retry_delay(res.retry_delay)

        def again() -> None:
            if res.error is not None and not res.loading:
                res.wanted = True
                self._changed(team)  # the screen showing it fetches again; a hidden one when shown

        self.set_timer(res.retry_delay, again)

    def refresh_team(self: XConsoleApp, team: TeamHandle) -> None:
        """After `r` or a write: the snapshot now, every screen's own data when next shown."""
        data = self.cache.get(team.team_id)
        for res in data.resources.values() if data else ():
            res.wanted = True
        self.load_team(team)
