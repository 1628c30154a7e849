"""XConsoleApp: modes for the five team screens, the active team, and loading its data.

Thin on purpose: screens live in tui/screens, widgets in tui/widgets. Every request runs in a
worker; answers for a team that is no longer active only update that team's cache, so the
header and numbers on screen always belong to the same team.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from xconsole.tui.commands import ConsoleCommands
from xconsole.tui.screens.spend import SpendScreen
from xconsole.tui.payment_actions import PaymentActions
from xconsole.tui.resources import ResourceLoads
from xconsole.tui.spend_actions import SpendActions
from xconsole.tui.state import TeamData

if TYPE_CHECKING:
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.numbers_cache import CachedNumbers
    from xconsole.core.session import Session, TeamHandle

#: Automatic retries after a failed refresh: 2 s, 4 s, ... up to a minute.
RETRY_FIRST_S = 2.0
RETRY_MAX_S = 60.0
START_TIME = time.perf_counter()


def next_retry_delay(previous: float) -> float:
    """2 s, 4 s, ... up to a minute: the wait before the next background retry."""
    return min(RETRY_MAX_S, previous * 2 if previous else RETRY_FIRST_S)


def _screen(module: str, name: str) -> Screen:
    import importlib

    return getattr(importlib.import_module(f"xconsole.tui.screens.{module}"), name)()


class XConsoleApp(SpendActions, PaymentActions, ResourceLoads, App[int]):
    CSS_PATH = "xconsole.tcss"
    TITLE = "xconsole"
    COMMANDS: ClassVar = App.COMMANDS | {ConsoleCommands}
    DEFAULT_MODE: ClassVar[str] = "spend"
    # Screens other than the first are imported when first shown.
    MODES: ClassVar = {
        "overview": lambda: _screen("overview", "OverviewScreen"),
        "spend": SpendScreen,
        "auto": lambda: _screen("auto_top_up", "AutoTopUpScreen"),
        "payments": lambda: _screen("payment_methods", "PaymentMethodsScreen"),
        "invoices": lambda: _screen("invoices", "InvoicesScreen"),
        "billing": lambda: _screen("billing_details", "BillingDetailsScreen"),
    }
    BINDINGS: ClassVar = [
        Binding("0", "mode('overview')", "Overview", show=False, id="nav.overview", tooltip="All teams"),
        Binding("1", "mode('spend')", "Spend", show=False, id="nav.spend", tooltip="API spend management"),
        Binding("2", "mode('auto')", "Auto top-up", show=False, id="nav.auto"),
        Binding("3", "mode('payments')", "Payments", show=False, id="nav.payments"),
        Binding("4", "mode('invoices')", "Invoices", show=False, id="nav.invoices"),
        Binding("5", "mode('billing')", "Billing", show=False, id="nav.billing"),
        Binding("t", "switch_team", "Teams", id="team.switch", tooltip="Switch team"),
        Binding("left_square_bracket", "prev_team", "Prev team", show=False, id="team.prev", key_display="["),
        Binding("right_square_bracket", "next_team", "Next team", show=False, id="team.next", key_display="]"),
        Binding("r", "refresh", "Refresh", show=False, id="refresh", tooltip="Fetch this team's data again"),
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    team: reactive[TeamHandle | None] = reactive(None, init=False)
    data_version: reactive[int] = reactive(0, init=False)  # the active team's data changed
    teams_version: reactive[int] = reactive(0, init=False)  # any team's data changed

    def __init__(
        self,
        session_factory: Callable[[], Awaitable[Session]],
        *,
        sandbox: bool = False,
        read_only: bool = False,
        initial_team: str | None = None,
        theme: str | None = None,
        starting_team: tuple[str, str] | None = None,
        keep_numbers: bool = False,
        remembered: list[CachedNumbers] | None = None,
    ) -> None:
        super().__init__()
        self.session_factory = session_factory
        self.session: Session | None = None
        self.sandbox = sandbox
        self.read_only = read_only
        self.initial_team = initial_team
        #: (name, team id) the session is expected to open on: named in the first frame.
        self.starting_team = starting_team
        #: Each team's last numbers from an earlier run, shown (with their age) until live ones
        #: arrive; kept up to date on disk when `keep_numbers`.
        self.keep_numbers = keep_numbers
        self.remembered: dict[str, CachedNumbers] = {n.team_id: n for n in remembered or []}
        self.cache: dict[str, TeamData] = {}
        self.built_modes: set[str] = set()  # team screens mounted so far
        self._announced: set[tuple[str, str]] = set()  # (team, warning) already shown as a toast
        self._instant_switch = False
        self.first_paint_s: float | None = None
        if theme and theme in self.available_themes:
            self.theme = theme

    # ------------------------------------------------------------------ start

    def on_mount(self) -> None:
        # The session (HTTP client, models, keyring, maybe the sandbox) starts after the first
        # frame is on screen, never before it.
        self.call_after_refresh(self._first_painted)

    def _first_painted(self) -> None:
        self.first_paint_s = time.perf_counter() - START_TIME
        self.log.info(f"first paint after {self.first_paint_s * 1000:.0f} ms")
        self.run_worker(self._start_session(), name="start-session", exit_on_error=False)

    async def _start_session(self) -> None:
        try:
            session = await self.session_factory()
        except Exception as exc:  # shown to the user, never swallowed
            from xconsole.tui.screens.startup_error import StartupErrorScreen

            message = exc.format_message() if hasattr(exc, "format_message") else f"{type(exc).__name__}: {exc}"
            self.push_screen(StartupErrorScreen(message))
            return
        self.session = session
        self.sandbox = session.sandbox
        self.read_only = session.read_only
        self.watch(self, "theme", self._remember_theme, init=False)
        if not session.teams:
            if session.can_add_teams:
                self.action_add_team(first_run=True)
            else:
                from xconsole.tui.screens.startup_error import StartupErrorScreen

                self.push_screen(StartupErrorScreen("No teams to show."))
            return
        first = self._initial_team(session)
        self.switch_team(first, remember=False)
        self._prefetch_others(first)

    def _initial_team(self, session: Session) -> TeamHandle:
        try:
            team = session.pick(self.initial_team)
        except LookupError as exc:
            team = session.pick()
            self.notify(f"{exc}; showing {team.name}", severity="warning")  # type: ignore[union-attr]
        return team  # type: ignore[return-value]

    def _prefetch_others(self, first: TeamHandle) -> None:
        """Warm the cache of every other team, so switching paints numbers at once."""
        for team in self.session.teams if self.session else []:
            if team.team_id != first.team_id:
                self.load_team(team)

    # ------------------------------------------------------------------ team switching

    def active_data(self) -> TeamData | None:
        return self.cache.get(self.team.team_id) if self.team else None

    def switch_team(self, team: TeamHandle, *, remember: bool = True) -> None:
        """Show `team` now from cache; refresh it in the background."""
        if self.team is None or self.team.team_id != team.team_id:
            self.team = team
        # Paint the cached numbers first; the refresh's requests start after that frame.
        self.call_after_refresh(self.load_team, team)
        if remember and self.session is not None:
            self.run_worker(self.session.remember(team=team), group="remember", exit_on_error=False)

    def _neighbour(self, step: int) -> None:
        if self.session is None or not self.session.teams or self.team is None:
            return
        teams = self.session.teams
        index = next((i for i, t in enumerate(teams) if t.team_id == self.team.team_id), 0)
        self.switch_team(teams[(index + step) % len(teams)])

    def action_next_team(self) -> None:
        self._neighbour(1)

    def action_prev_team(self) -> None:
        self._neighbour(-1)

    def action_switch_team(self) -> None:
        from xconsole.tui.screens.team_switcher import ADD_TEAM, TeamSwitcher

        if self.session is None:
            self.notify("Still starting…")
            return

        def chosen(result: object) -> None:
            if result == ADD_TEAM:
                self.action_add_team()
            elif result is not None:
                self.switch_team(result)  # type: ignore[arg-type]

        self.push_screen(TeamSwitcher(), chosen)

    def action_add_team(self, first_run: bool = False, name: str = "", team_id: str = "", reason: str = "") -> None:
        from xconsole.tui.screens.add_team import AddTeamScreen

        if self.session is None or not self.session.can_add_teams:
            self.notify("Teams cannot be added here (the sandbox's demo teams are built in).", severity="warning")
            return

        def added(result: object) -> None:
            if result is None:
                return
            self.cache.pop(result.team.team_id, None)  # type: ignore[attr-defined]
            note = " (read-only key: write actions will be refused)" if result.read_only else ""  # type: ignore[attr-defined]
            self.notify(f"Team {result.team.name} saved{note}.")  # type: ignore[attr-defined]
            self.switch_team(result.team)  # type: ignore[attr-defined]

        self.push_screen(AddTeamScreen(first_run=first_run, name=name, team_id=team_id, reason=reason), added)

    # ------------------------------------------------------------------ loading

    def action_refresh(self) -> None:
        if self.team is not None:
            self.refresh_team(self.team)

    def load_team(self, team: TeamHandle) -> None:
        # One load per team at a time; loads of different teams run side by side.
        self.run_worker(self._load(team), group=f"load:{team.team_id}", exclusive=True, exit_on_error=False)

    async def _load(self, team: TeamHandle) -> None:
        from xconsole.core import errors
        from xconsole.core.credentials import KeyringUnavailable
        from xconsole.core.spend import load_spend

        assert self.session is not None
        data = self.cache.setdefault(team.team_id, TeamData())
        data.loading = True
        self._changed(team)
        try:
            client = await self.session.client_for(team)
            snapshot = await load_spend(client, team.team_id)
        except KeyringUnavailable as exc:
            data.error, data.error_kind = exc.message, "keyring"
            if self._is_active(team):
                self.show_keyring_problem(exc)
        except (errors.AuthError, errors.PermissionDenied) as exc:
            data.error, data.error_kind = f"{exc.title}: {exc.message}", "auth"
            await self.session.forget_client(team.team_id)
            if self._is_active(team):
                self._key_rejected(team, f"{exc.title}: {exc}")
        except errors.ApiError as exc:
            data.error, data.error_kind = f"{exc.title}: {exc.message}", "network"
            if exc.worth_retrying_later:
                self._plan_retry(team, data)
        else:
            data.mark_loaded(snapshot)
            self._keep_numbers(team, snapshot, served_by_sandbox=client.sandbox is True)
            if self._is_active(team):
                self._announce(team, snapshot)
        finally:
            data.loading = False
            self._changed(team)

    def _keep_numbers(self, team: TeamHandle, snapshot: object, *, served_by_sandbox: bool) -> None:
        """Remember the live numbers for the next start (written off the UI loop); never a
        sandbox's, whose numbers move with its own clock."""
        import asyncio
        from datetime import datetime, timezone

        from xconsole.core import numbers_cache

        self.remembered.pop(team.team_id, None)  # live numbers from now on
        if not self.keep_numbers or served_by_sandbox:
            return
        s = snapshot.summary  # type: ignore[attr-defined]
        numbers = numbers_cache.CachedNumbers(team.team_id, s.live_balance, s.month_spend, s.soft_limit,
                                              s.runway_days, datetime.now(timezone.utc))
        self.run_worker(asyncio.to_thread(numbers_cache.save, numbers), group="keep-numbers", exit_on_error=False)

    def _announce(self, team: TeamHandle, snapshot: object) -> None:
        """A console warning (80 % of the monthly maximum, 1 of 5 left...) as a toast, once."""
        from xconsole.core.billing import WARNING_TEXT

        auto = getattr(snapshot, "auto_top_up", None)
        for warning in auto.warnings if auto else []:
            if (team.team_id, warning) not in self._announced:
                self._announced.add((team.team_id, warning))
                self.notify(f"{team.name}: {WARNING_TEXT.get(warning, warning)}", severity="warning", timeout=8)

    def _plan_retry(self, team: TeamHandle, data: TeamData) -> None:
        data.retry_delay = next_retry_delay(data.retry_delay)

        def retry() -> None:
            if self._is_active(team) and data.error is not None and not data.loading:
                self.load_team(team)

        self.set_timer(data.retry_delay, retry)

    def _is_active(self, team: TeamHandle) -> bool:
        return self.team is not None and self.team.team_id == team.team_id

    def _changed(self, team: TeamHandle) -> None:
        self.teams_version += 1
        if self._is_active(team):
            self.data_version += 1

    # ------------------------------------------------------------------ problems

    def show_keyring_problem(self, exc: KeyringUnavailable) -> None:
        from xconsole.tui.screens.keyring_unavailable import KeyringUnavailableScreen

        def closed(choice: str | None) -> None:
            if choice == "retry":
                self.action_refresh()

        self.push_screen(KeyringUnavailableScreen(exc.message), closed)

    def _key_rejected(self, team: TeamHandle, message: str) -> None:
        from xconsole.tui.screens.key_rejected import KeyRejectedScreen

        can_replace = self.session is not None and self.session.can_add_teams and team.source == "keyring"

        def closed(replace: bool | None) -> None:
            if replace:
                self.action_add_team(name=team.name, team_id=team.team_id,
                                     reason=f"Enter a new management key for {team.name}.")

        self.push_screen(KeyRejectedScreen(team.name, message, can_replace), closed)

    # ------------------------------------------------------------------ misc actions

    #: Actions that change which team or screen is shown: never while a dialog is open, so a
    #: confirmation can never end up under another team's name.
    NAVIGATION = frozenset({"next_team", "prev_team", "switch_team", "mode", "refresh"})

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        from textual.screen import ModalScreen

        if action in self.NAVIGATION and isinstance(self.screen, ModalScreen):
            return False
        return True

    def action_mode(self, mode: str) -> None:
        if self.current_mode == mode:
            return
        # Textual masks a mode switch by pausing updates for 50 ms, which a screen built on an
        # earlier visit does not need: it is back, with cached data, in the next frame.
        self._instant_switch = mode in self.built_modes
        try:
            self.switch_mode(mode)
        finally:
            self._instant_switch = False

    def delay_update(self, delay: float = 0.05) -> None:
        super().delay_update(0.001 if self._instant_switch else delay)

    def action_help(self) -> None:
        from xconsole.tui.screens.help import HelpScreen
        from xconsole.tui.widgets.nav_bar import SCREENS

        screen = self.screen
        title = next((t for m, _k, _l, t in SCREENS if m == getattr(screen, "MODE", "")), "xconsole")
        keys = [(b.key_display or b.key, b.description) for b in getattr(screen, "BINDINGS", []) if isinstance(b, Binding) and b.id]
        self.push_screen(HelpScreen(title, getattr(screen, "HELP", ""), keys))

    def _remember_theme(self) -> None:
        if self.session is not None:
            self.run_worker(self.session.remember(theme=self.theme), group="remember", exit_on_error=False)

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.aclose()
