"""What every write action of the app shares: refuse in read-only mode, get the team's client
off the UI loop, and confirm-then-send with a notification and a refresh of that team."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.session import TeamHandle
    from xconsole.tui.app import XConsoleApp


class WriteActions:
    def _write_target(self: XConsoleApp, what: str) -> TeamHandle | None:
        if self.team is None or self.session is None:
            self.notify("No team yet.", severity="warning")
            return None
        if self.read_only:
            self.notify(f"Read-only mode: {what} is disabled (started with --read-only).", severity="warning")
            return None
        return self.team

    async def _client(self: XConsoleApp, team: TeamHandle) -> ManagementClient | None:
        from xconsole.core import errors
        from xconsole.core.credentials import KeyringUnavailable

        try:
            return await self.session.client_for(team)  # type: ignore[union-attr]
        except KeyringUnavailable as exc:
            self.show_keyring_problem(exc)
        except errors.ApiError as exc:
            self.notify(f"{exc.title}: {exc.message}", severity="error")
        return None

    def _with_client(self: XConsoleApp, what: str, run: Callable[[TeamHandle, ManagementClient], Any]) -> None:
        """`run(team, client)` for the active team, unless read-only or no client can be had."""
        team = self._write_target(what)
        if team is None:
            return

        async def go() -> None:
            client = await self._client(team)
            if client is not None:
                run(team, client)

        self.run_worker(go(), group="open-dialog", exclusive=True, exit_on_error=False)

    def _confirm_write(self: XConsoleApp, team: TeamHandle, title: str, lines: list[str], label: str,
                       action: Callable[[], Awaitable[Any]], success: str) -> None:
        from xconsole.tui.screens.confirm import ConfirmActionScreen, team_line

        def done(outcome: Any) -> None:
            if outcome is None or outcome.cancelled:
                return
            if outcome.error is not None:
                message = getattr(outcome.error, "message", str(outcome.error))
                self.notify(f"{title}: not done — {message}", severity="error", timeout=10)
            else:
                self.notify(success)
            self.refresh_team(team)

        self.push_screen(ConfirmActionScreen(title, [team_line(team), *lines], label, action), done)
