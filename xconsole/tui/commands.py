"""Command palette (ctrl+p): every action, namespaced like posting's ("Team:", "Go:", ...)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

from xconsole.tui.widgets.nav_bar import SCREENS

if TYPE_CHECKING:
    from xconsole.tui.app import XConsoleApp


class ConsoleCommands(Provider):
    def _commands(self) -> list[tuple[str, Callable[[], object], str]]:
        app: XConsoleApp = self.app  # type: ignore[assignment]
        commands: list[tuple[str, Callable[[], object], str]] = []
        for mode, key, _label, title in SCREENS:
            commands.append((f"Go: {title}", partial(app.action_mode, mode), f"Key {key}"))
        if app.session is not None:
            for team in app.session.teams:
                commands.append((f"Team: switch to {team.name}", partial(app.switch_team, team), f"{team.team_id}"))
            if app.session.can_add_teams:
                commands.append(("Team: add a team…", app.action_add_team, "Validate a management key and register it"))
        commands += [
            ("Spend: buy credits", app.action_buy_credits, "Key p on the Spend screen"),
            ("Spend: redeem a promo code", app.action_redeem_promo, "Key o on the Spend screen"),
            ("Spend: change the invoiced billing limit", app.action_set_limit, "Key l on the Spend screen"),
            ("Spend: request monthly invoiced billing", app.action_request_invoiced, "Key i on the Spend screen"),
        ]
        # The keys of the screen the palette was opened on (copy, export, make default...).
        screen = self.screen
        section = next((label for mode, _k, label, _t in SCREENS if mode == getattr(screen, "MODE", "")), "Screen")
        for binding in getattr(screen, "BINDINGS", []):
            if isinstance(binding, Binding) and binding.id and binding.description:
                target = app if binding.action.startswith("app.") else screen
                action = binding.action.removeprefix("app.")
                commands.append((f"{section}: {binding.description}", partial(app.run_action, action, target),
                                 f"Key {binding.key_display or binding.key}"))
        commands += [
            ("Team: open the switcher", app.action_switch_team, "Key t"),
            ("Team: next", app.action_next_team, "Key ]"),
            ("Team: previous", app.action_prev_team, "Key ["),
            ("Refresh this team", app.action_refresh, "Key r"),
            ("Help for this screen", app.action_help, "Key ? or F1"),
        ]
        return commands

    async def discover(self) -> Hits:
        for text, callback, help_text in self._commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
