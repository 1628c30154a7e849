"""Command palette (ctrl+p): every binding, namespaced like posting's ("Go:", "Team:", "Spend:"),
plus a "Team: switch to …" line per team. Built from the bindings (tui/keys.py), so a key and its
palette line can never disagree.

A team screen's action is offered from anywhere: chosen on another screen, it goes to that
screen first and runs there (the screen owns its actions).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import ModalScreen

from xconsole.tui.keys import dialog_name, documented, key_text, section
from xconsole.tui.messages import AddTeam, ShowTeam
from xconsole.tui.widgets.nav_bar import SCREENS

if TYPE_CHECKING:
    from textual.screen import Screen

#: Where each team screen's class lives, to read its bindings without building it.
SCREEN_CLASSES = {
    "overview": ("overview", "OverviewScreen"),
    "spend": ("spend", "SpendScreen"),
    "auto": ("auto_top_up", "AutoTopUpScreen"),
    "payments": ("payment_methods", "PaymentMethodsScreen"),
    "invoices": ("invoices", "InvoicesScreen"),
    "billing": ("billing_details", "BillingDetailsScreen"),
    "history": ("history", "HistoryScreen"),
}

SCREEN_KEYS = {mode: key for mode, key, _label, _title in SCREENS}

Command = tuple[str, Callable[[], object], str]


def _screen_class(mode: str) -> type[Screen]:
    module, name = SCREEN_CLASSES[mode]
    return getattr(importlib.import_module(f"xconsole.tui.screens.{module}"), name)


class ConsoleCommands(Provider):
    def commands(self) -> list[Command]:
        """(title, run, help) of every command on offer here, each once."""
        app: Any = self.app
        store = app.store
        commands: list[Command] = []
        here = self.screen
        if isinstance(here, ModalScreen):
            # Over a dialog: only its own keys. Going elsewhere waits until it is closed.
            return [(f"{dialog_name(here)}: {b.description}",
                     partial(self._run_here, here, b.action), f"Key {key_text(b)}")
                    for b in documented(getattr(here, "BINDINGS", ()))]
        for binding in documented(app.BINDINGS):
            prefix = "Go" if binding.id.startswith("nav.") else "Team" if binding.id.startswith("team.") else "App"
            commands.append((f"{prefix}: {binding.tooltip or binding.description}",
                             partial(app.run_action, binding.action), f"Key {key_text(binding)}"))
        for team in store.teams:
            commands.append((f"Team: switch to {team.name}", partial(app.post_message, ShowTeam(team)), team.team_id))
        if store.session is not None and store.session.can_add_teams:
            commands.append(("Team: add a team…", partial(app.post_message, AddTeam()),
                             "Validate a management key and register it"))
        # This screen's keys, then every team screen's, each once.
        seen: set[tuple[str, str]] = set()
        for binding in documented(getattr(here, "BINDINGS", ())):
            seen.add((getattr(here, "MODE", ""), binding.action))
            commands.append((f"{section(here)}: {binding.description}", partial(self._run_here, here, binding.action),
                             f"Key {key_text(binding)}"))
        if store.team is not None:
            for mode in SCREEN_CLASSES:
                cls = _screen_class(mode)
                for binding in documented(cls.BINDINGS):
                    if (mode, binding.action) not in seen:
                        seen.add((mode, binding.action))
                        commands.append((f"{section(cls)}: {binding.description}",
                                         partial(self._run_on, mode, binding.action),
                                         f"Key {key_text(binding)} on screen {SCREEN_KEYS[mode]}"))
        return commands

    def _run_here(self, screen: Screen, action: str) -> None:
        target = self.app if action.startswith("app.") else screen
        self.app.call_later(self._run, action.removeprefix("app."), target)

    def _run_on(self, mode: str, action: str) -> None:
        app: Any = self.app
        app.action_mode(mode)
        # The screen exists once the switch is done: run the action on it then.
        app.call_after_refresh(lambda: self._run(action, app.screen))

    async def _run(self, action: str, target: Any) -> None:
        """Run `action`, or say why it cannot run: a greyed key is silent, a chosen command is not."""
        why = target.unavailable(action) if hasattr(target, "unavailable") else None
        if why:
            self.app.notify(why, severity="warning")
        else:
            await self.app.run_action(action, target)

    async def discover(self) -> Hits:
        for text, callback, help_text in self.commands():
            yield DiscoveryHit(text, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, callback, help_text in self.commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), callback, help=help_text)
