"""XConsoleApp: navigation (which screen, which team), starting the session, and saying what
happened (notifications and the key or keyring dialogs).

Data lives in the store (tui/store.py), writes in core.actions through it, and each screen owns
its own actions: this file knows no endpoint and no form.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from xconsole.tui.commands import ConsoleCommands
from xconsole.tui.messages import AddTeam, ShowTeam
from xconsole.tui.screens.spend import SpendScreen
from xconsole.tui.store import TeamDataChanged, TeamStore, TeamUnreachable, WriteFinished

if TYPE_CHECKING:
    from textual.timer import Timer

    from xconsole.core.early_read import EarlyRead
    from xconsole.core.changes import TeamChanges
    from xconsole.core.numbers_cache import CachedNumbers
    from xconsole.core.session import Session, TeamHandle

START_TIME = time.perf_counter()


def _screen(module: str, name: str) -> Screen:
    import importlib

    return getattr(importlib.import_module(f"xconsole.tui.screens.{module}"), name)()


class XConsoleApp(App[int]):
    CSS_PATH = "xconsole.tcss"
    TITLE = "xconsole"
    COMMANDS: ClassVar = App.COMMANDS | {ConsoleCommands}
    #: The first screen: Textual's default screen for the default mode (`get_default_screen`), not a
    #: MODES entry, which Textual would follow with a full CSS re-parse of the app (~12 ms of the
    #: first frame, measured: a new mode's screen starts "out of date"); registered as a mode once
    #: the app runs (`on_mount`), so `1` switches back to it.
    DEFAULT_MODE: ClassVar[str] = "spend"
    # Screens other than the first are imported when first shown.
    MODES: ClassVar = {
        "overview": lambda: _screen("overview", "OverviewScreen"),
        "auto": lambda: _screen("auto_top_up", "AutoTopUpScreen"),
        "payments": lambda: _screen("payment_methods", "PaymentMethodsScreen"),
        "invoices": lambda: _screen("invoices", "InvoicesScreen"),
        "billing": lambda: _screen("billing_details", "BillingDetailsScreen"),
        "history": lambda: _screen("history", "HistoryScreen"),
    }
    BINDINGS: ClassVar = [
        Binding("0", "mode('overview')", "Overview", show=False, id="nav.overview",
                tooltip="All teams: balances, runway and warnings side by side"),
        Binding("1", "mode('spend')", "Spend", show=False, id="nav.spend", tooltip="API spend management"),
        Binding("2", "mode('auto')", "Auto top-up", show=False, id="nav.auto"),
        Binding("3", "mode('payments')", "Payments", show=False, id="nav.payments", tooltip="Payment methods"),
        Binding("4", "mode('invoices')", "Invoices", show=False, id="nav.invoices"),
        Binding("5", "mode('billing')", "Billing", show=False, id="nav.billing", tooltip="Billing details"),
        Binding("6", "mode('history')", "History", show=False, id="nav.history",
                tooltip="History: what changed and who did it"),
        Binding("t", "switch_team", "Teams", id="team.switch", tooltip="Team switcher (type to filter, Enter to switch)"),
        Binding("left_square_bracket", "prev_team", "Prev team", show=False, id="team.prev", key_display="[",
                tooltip="Previous team"),
        Binding("right_square_bracket", "next_team", "Next team", show=False, id="team.next", key_display="]",
                tooltip="Next team"),
        Binding("r", "refresh", "Refresh", show=False, id="refresh", tooltip="Fetch this team's data again"),
        Binding("question_mark,f1", "help", "Help", id="help", key_display="?", tooltip="Help for this screen"),
        Binding("q", "quit", "Quit", id="quit", tooltip="Quit (ctrl+q works everywhere)"),
    ]

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
        changes_digest: bool = True,
        early_read: EarlyRead | None = None,
    ) -> None:
        super().__init__()
        self.session_factory = session_factory
        self.initial_team = initial_team
        self.store = TeamStore(self, sandbox=sandbox, read_only=read_only, starting_team=starting_team,
                               keep_numbers=keep_numbers, remembered=remembered)
        self.built_modes: dict[str, Screen] = {}  # team screens mounted so far, by mode
        #: Every notification shown, oldest first (message, severity): what a person was told.
        self.notices: list[tuple[str, str]] = []
        self._announced: set[tuple[str, str]] = set()  # (team, warning) already shown as a toast
        self._instant_switch = False
        self.first_paint_s: float | None = None
        self._after_first_frame: list[Callable[[], object]] = []
        #: The starting team's numbers, read by a second process while this one starts.
        self.early_read = early_read
        #: Look for what changed since the last look once the first team's numbers are in (None:
        #: not yet; the team id once started). Also with --read-only: it only reads, and an
        #: auditor wants it most.
        self.changes_digest = changes_digest
        self.looked_at: str | None = None
        self.pending_digest: TeamChanges | None = None  # waiting for the dialog on screen to close
        self._digest_timer: Timer | None = None
        if theme and theme in self.available_themes:
            self.theme = theme

    # ------------------------------------------------------------------ public state

    @property
    def session(self) -> Session | None:
        return self.store.session

    @property
    def team(self) -> TeamHandle | None:
        """The active team."""
        return self.store.team

    def notify(self, message: str, *, title: str = "", severity: str = "information",  # type: ignore[override]
               timeout: float | None = None, markup: bool = True) -> None:
        self.notices.append((message, severity))
        del self.notices[:-50]
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ start

    def after_first_frame(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first frame is on the terminal (at once if it is)."""
        if self.first_paint_s is None:
            self._after_first_frame.append(callback)
        else:
            callback()

    def on_load(self) -> None:
        # The early-read process has usually answered before the first frame is drawn: taken
        # from the start, its numbers are in that frame, not the next one.
        self.read_early(self.early_read)

    def get_default_screen(self) -> Screen:
        return SpendScreen()

    def on_mount(self) -> None:
        self.add_mode(self.DEFAULT_MODE, SpendScreen)

    def on_ready(self) -> None:
        # Textual's Ready: the first frame has been written. The session (HTTP client, models,
        # keyring, maybe the sandbox) starts now, never before it; then what waited for it.
        self._first_painted()
        waiting, self._after_first_frame = self._after_first_frame, []
        for callback in waiting:
            callback()

    def _first_painted(self) -> None:
        self.first_paint_s = time.perf_counter() - START_TIME
        self.log.info(f"first paint after {self.first_paint_s * 1000:.0f} ms")
        self.run_worker(self._start_session(), name="start-session", exit_on_error=False)

    def read_early(self, early: EarlyRead | None) -> None:
        """Show what `early` reads, when it answers."""
        if early is not None:
            self.early_read = early
            self.run_worker(self._early_numbers(early), name="early-read", exit_on_error=False)

    async def _early_numbers(self, early: EarlyRead) -> None:
        try:
            numbers = await early.numbers()
            if numbers is not None:
                self.store.show_early(numbers)
        finally:
            early.stop()  # it has answered (or failed): reap it, after the numbers are passed on

    async def _start_session(self) -> None:
        from xconsole.tui.screens.startup_error import StartupErrorScreen

        try:
            await self._open_session()
        except Exception as exc:  # shown to the user, never swallowed: no endless "starting…"
            message = exc.format_message() if hasattr(exc, "format_message") else f"{type(exc).__name__}: {exc}"

            def closed(again: bool | None) -> None:
                if again:
                    self.run_worker(self._start_session(), name="start-session", exit_on_error=False)

            self.push_screen(StartupErrorScreen(message, retry=getattr(exc, "retryable", False)), closed)

    async def _open_session(self) -> None:
        from xconsole.tui.screens.startup_error import StartupErrorScreen

        session = await self.session_factory()
        self.store.start(session)
        self.watch(self, "theme", self._remember_theme, init=False)
        if not session.teams:
            if session.can_add_teams:
                self.action_add_team(first_run=True)
            else:
                self.push_screen(StartupErrorScreen("No teams to show."))
            return
        first = self._initial_team(session)
        self.switch_team(first, remember=False)
        # Every other team's numbers too, so switching paints at once; but only once the first
        # team's own read is done: its numbers come first, not in a crowd of reads.
        self.store.warm_after_first([team for team in session.teams if team.team_id != first.team_id])

    def _initial_team(self, session: Session) -> TeamHandle:
        try:
            team = session.pick(self.initial_team)
        except LookupError as exc:
            team = session.pick()
            self.notify(f"{exc}; showing {team.name}", severity="warning")  # type: ignore[union-attr]
        return team  # type: ignore[return-value]

    # ------------------------------------------------------------------ team switching

    def switch_team(self, team: TeamHandle, *, remember: bool = True) -> None:
        """Show `team` now from cache; refresh it in the background."""
        self.store.activate(team)
        if remember and self.session is not None:
            self.run_worker(self.session.remember(team=team), group="remember", exit_on_error=False)

    @on(ShowTeam)
    def _show_team(self, event: ShowTeam) -> None:
        if self._dialog_open():
            return
        self.switch_team(event.team)
        if event.mode:
            self.action_mode(event.mode)

    def still_starting(self) -> bool:
        """True, after saying so, while the session is not in yet: a key pressed then is heard,
        not refused (the first frame already names the team and may show its numbers)."""
        if self.session is not None:
            return False
        self.notify("Still starting…")
        return True

    def _neighbour(self, step: int) -> None:
        teams = self.store.teams
        if not self._dialog_open() and self.still_starting():
            return
        if not teams or self.team is None or self._dialog_open():
            return
        index = next((i for i, t in enumerate(teams) if t.team_id == self.team.team_id), 0)
        self.switch_team(teams[(index + step) % len(teams)])

    def action_next_team(self) -> None:
        self._neighbour(1)

    def action_prev_team(self) -> None:
        self._neighbour(-1)

    def action_switch_team(self) -> None:
        from xconsole.tui.screens.team_switcher import TeamSwitcher

        if self.still_starting():
            return
        if not self._dialog_open():
            self.push_screen(TeamSwitcher(self.store))

    @on(AddTeam)
    def _add_team_asked(self) -> None:
        self.action_add_team()

    def action_add_team(self, first_run: bool = False, name: str = "", team_id: str = "", reason: str = "") -> None:
        from xconsole.tui.screens.add_team import AddTeamScreen

        if self.session is None or not self.session.can_add_teams:
            self.notify("Teams cannot be added here (the sandbox's demo teams are built in).", severity="warning")
            return

        def added(result: object) -> None:
            if result is None:
                return
            self.store.forget(result.team.team_id)  # type: ignore[attr-defined]
            self.switch_team(result.team)  # type: ignore[attr-defined]

        self.push_screen(AddTeamScreen(self.store, first_run=first_run, name=name, team_id=team_id, reason=reason), added)

    def action_refresh(self) -> None:
        if not self._dialog_open() and self.still_starting():
            return
        if self.team is not None and not self._dialog_open():
            self.store.refresh(self.team)

    # ------------------------------------------------------------------ what the store says

    @on(TeamDataChanged)
    def _announce_warnings(self, event: TeamDataChanged) -> None:
        """A console warning (80 % of the monthly maximum, 1 of 5 left...) as a toast, once."""
        data = self.store.data(event.team_id)
        if self.team is None or not self.store.is_active(event.team_id) or data is None or data.snapshot is None:
            return
        # Only now: with a snapshot, billing and its pydantic models are loaded. Imported before
        # that check, it loaded them on the UI loop when the early numbers came, and painting
        # them waited ~120 ms (measured).
        from xconsole.core.billing import WARNING_TEXT
        auto = data.snapshot.auto_top_up
        for warning in auto.warnings if auto else []:
            if (self.team.team_id, warning) not in self._announced:
                self._announced.add((self.team.team_id, warning))
                self.notify(f"{self.team.name}: {WARNING_TEXT.get(warning, warning)}", severity="warning", timeout=8)

    # ------------------------------------------------------------------ since you last looked

    FIRST_LOOK = "First look at {team}: from now on xconsole lists what changed since you last looked."

    @on(TeamDataChanged)
    def _look_for_changes(self, event: TeamDataChanged) -> None:
        """Once, when the team the console opened on has its first numbers: what changed since
        this user last looked, read in a worker (never before the first frame, never on the UI loop)."""
        team = self.team
        data = self.store.data(event.team_id)
        if (not self.changes_digest or self.looked_at is not None or team is None
                or not self.store.is_active(event.team_id) or data is None or data.snapshot is None):
            return
        self.looked_at = team.team_id
        self.run_worker(self._look(team), name="changes-digest", group="changes-digest", exit_on_error=False)

    async def _look(self, team: TeamHandle) -> None:
        import asyncio

        from xconsole.core.actions import describe_error
        from xconsole.core.changes import what_changed

        try:
            client = await self.store.client(team)
            result = await what_changed(client, team.team_id, team.name, save=False)
            if result.baseline or not result.changed:
                # Nothing to read and dismiss: this look is the last look now. The first one says so, once.
                await asyncio.to_thread(result.save)
        except Exception as exc:  # noqa: BLE001 - a courtesy on start: said quietly, the screens show the data
            self.log.warning(f"what changed since the last look: {exc!r}")
            self.notify(f"{team.name}: could not check what changed since you last looked ({describe_error(exc)})",
                        severity="warning", timeout=8)
            return
        if result.baseline:
            self.notify(self.FIRST_LOOK.format(team=team.name), timeout=8)
        elif result.changed:
            self.pending_digest = result
            self._offer_digest()

    def _offer_digest(self) -> None:
        """Show the digest now, or as soon as no dialog is open (checked twice a second: a
        dialog's closing sends the app no message)."""
        from xconsole.tui.screens.changes_digest import OPEN_HISTORY, ChangesDigest

        result = self.pending_digest
        if result is None:
            return
        if self._dialog_open():
            if self._digest_timer is None:
                self._digest_timer = self.set_interval(0.5, self._offer_digest, name="digest-waits-for-dialog")
            return
        if self._digest_timer is not None:
            self._digest_timer.stop()
            self._digest_timer = None
        self.pending_digest = None
        if not self.store.is_active(result.team_id):
            return  # the person moved on to another team: not saved, so the next start shows it

        def closed(choice: str | None) -> None:
            self.run_worker(self._seen(result), group="changes-seen", exit_on_error=False)
            if choice == OPEN_HISTORY:
                self.action_mode("history")

        self.push_screen(ChangesDigest(result), closed)

    async def _seen(self, result: TeamChanges) -> None:
        """The digest was read: this look becomes the last look (a small file write, off the UI loop)."""
        import asyncio

        try:
            await asyncio.to_thread(result.save)
        except OSError as exc:
            self.notify(f"Could not remember this look ({exc}); the same changes will be shown next time.",
                        severity="warning", timeout=10)

    @on(WriteFinished)
    def _say_what_was_done(self, event: WriteFinished) -> None:
        # A failure is shown by the dialog or screen that asked, next to what it concerns.
        if event.outcome is not None:
            severity = event.outcome.severity
            self.notify(f"{event.team.name}: {event.outcome.message()}", severity=severity,
                        timeout=5 if severity == "information" else 10)

    @on(TeamUnreachable)
    def _explain_unreachable(self, event: TeamUnreachable) -> None:
        if event.kind == "keyring":
            self.show_keyring_problem(event.message, key_file=event.team.source == "credentials")
        elif event.kind == "auth" and self.store.is_active(event.team.team_id):
            from xconsole.core.errors import MissingKey

            self._key_rejected(event.team, event.message, missing=isinstance(event.error, MissingKey))
        elif event.kind == "write":
            self.notify(f"{event.team.name}: {event.message}", severity="error", timeout=10)

    def show_keyring_problem(self, message: str, *, key_file: bool = False) -> None:
        from xconsole.tui.screens.keyring_unavailable import KeyringUnavailableScreen

        if isinstance(self.screen, KeyringUnavailableScreen):
            return  # one explanation at a time

        def closed(choice: str | None) -> None:
            if choice == "retry":
                self.action_refresh()

        self.push_screen(KeyringUnavailableScreen(message, key_file=key_file), closed)

    def _key_rejected(self, team: TeamHandle, message: str, *, missing: bool = False) -> None:
        from xconsole.tui.screens.key_rejected import KeyRejectedScreen

        can_replace = self.session is not None and self.session.can_add_teams and team.source == "keyring"

        def closed(replace: bool | None) -> None:
            if replace:
                self.action_add_team(name=team.name, team_id=team.team_id,
                                     reason=f"Enter a new management key for {team.name}.")

        self.push_screen(KeyRejectedScreen(team.name, message, can_replace, missing=missing), closed)

    # ------------------------------------------------------------------ misc actions

    #: Actions that change which team or screen is shown: never while a dialog is open, so a
    #: confirmation can never end up under another team's name.
    NAVIGATION = frozenset({"next_team", "prev_team", "switch_team", "mode", "refresh"})

    async def action_quit(self) -> None:
        """Quit; with a form changed and not saved, ask first (q, ctrl+q and the palette)."""
        from xconsole.tui.screens.discard_changes import DiscardChangesScreen

        if any(getattr(screen, "busy", False) for screen in self.screen_stack):
            # A confirmed write is in flight: quitting now would cancel it with its outcome unknown.
            self.notify("Sending… quit once xAI has answered (the outcome is shown here).", severity="warning")
            return
        unsaved = [what for screen in self.built_modes.values() if (what := getattr(screen, "unsaved", None))]
        if not unsaved:
            self.exit()
        elif not isinstance(self.screen, DiscardChangesScreen):
            self.push_screen(DiscardChangesScreen(unsaved), lambda leave: self.exit() if leave else None)

    def _dialog_open(self) -> bool:
        """A dialog is open: navigation waits, whichever way it was asked for (key, palette,
        message), so a confirmation never ends up under another team's name."""
        from textual.screen import ModalScreen

        return isinstance(self.screen, ModalScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.NAVIGATION and self._dialog_open():
            return False
        # While a dialog sends (a confirmed write), nothing opens over it: its answer closes it.
        if action in ("help", "command_palette") and getattr(self.screen, "busy", False):
            return False
        if action == "quit":  # on the "quit without saving?" dialog its buttons answer, not q again
            from xconsole.tui.screens.discard_changes import DiscardChangesScreen

            return not isinstance(self.screen, DiscardChangesScreen)
        return True

    def action_mode(self, mode: str) -> None:
        if self.current_mode == mode or self._dialog_open():
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

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # "App: Quit" comes from our bindings (tui/commands.py): Textual's own would be a second one.
        return (command for command in super().get_system_commands(screen) if command.title != "Quit")

    def action_help(self) -> None:
        from xconsole.tui.keys import help_rows, screen_title
        from xconsole.tui.screens.help import HelpScreen

        screen = self.screen
        self.push_screen(HelpScreen(screen_title(screen), getattr(screen, "HELP", ""), help_rows(self, screen)))

    def _remember_theme(self) -> None:
        if self.session is not None:
            self.run_worker(self.session.remember(theme=self.theme), group="remember", exit_on_error=False)

    async def on_unmount(self) -> None:
        if self.session is not None:
            await self.session.aclose()
