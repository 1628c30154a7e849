"""The frame every team screen shares (header, screen bar, live summary, body, footer) and the
one way a screen writes.

A screen renders the active team's data from the store (tui/store.py) and repaints on
`TeamDataChanged`; it asks the store for data it alone needs (`store.ensure`). It owns its
actions: a key runs the screen's action, which gets the team's `TeamActions` from the store and
opens a dialog with it, or confirms and sends (`confirm_write`). What a finished write did is
said by the app (`WriteFinished`); a failure is shown here, next to what it concerns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.screen import Screen
from textual.widgets import Input

from xconsole.tui.store import TeamDataChanged, TeamStore
from xconsole.tui.widgets.console_footer import ConsoleFooter
from xconsole.tui.widgets.nav_bar import NavBar
from xconsole.tui.widgets.team_header import TeamHeader
from xconsole.tui.widgets.team_summary import TeamSummary

if TYPE_CHECKING:
    from textual.screen import ModalScreen

    from xconsole.core.actions import TeamActions, Write
    from xconsole.core.session import TeamHandle
    from xconsole.tui.state import TeamData


class TeamScreen(Screen):
    DEFAULT_CSS = """
    TeamScreen #body { height: 1fr; padding: 1 1 0 1; }
    """
    #: The mode name this screen is shown under (see NavBar.SCREENS).
    MODE: ClassVar[str] = ""
    #: Shown by `?` for this screen.
    HELP: ClassVar[str] = ""
    #: This screen's actions that send a write: greyed in the footer in read-only mode.
    WRITE_ACTIONS: ClassVar[frozenset[str]] = frozenset()
    BINDINGS: ClassVar = [
        # A text field takes every printable key: Esc leaves it so the screen's keys (1–6, t, q…) work.
        Binding("escape", "leave_field", "Leave the field", show=False, id="screen.leave_field", key_display="Esc",
                tooltip="Leave the text field, so the screen's keys work again"),
    ]

    @property
    def store(self) -> TeamStore:
        return self.app.store  # type: ignore[attr-defined]

    @property
    def team(self) -> TeamHandle | None:
        return self.store.team

    @property
    def data(self) -> TeamData | None:
        return self.store.data()

    def compose(self) -> ComposeResult:
        name, team_id = self._shown_team()
        store = self.store
        yield TeamHeader(id="header", team_name=name, team_id=team_id, sandbox=store.sandbox, read_only=store.read_only)
        yield NavBar(id="nav")
        summary = TeamSummary(id="summary")
        summary.show(store.data(), store.remembered.get(team_id))
        yield summary
        with Vertical(id="body"):
            yield from self.compose_body()
        yield ConsoleFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.app.built_modes[self.MODE] = self  # type: ignore[attr-defined]
        self.query_one(NavBar).current = self.MODE
        self.store.subscribe(self)
        self.on_team_data()

    def on_unmount(self) -> None:
        self.store.unsubscribe(self)

    def on_screen_resume(self) -> None:
        self.on_team_data()

    @on(TeamDataChanged)
    def _team_data_changed(self, event: TeamDataChanged) -> None:
        # The team shown: the active one, or before the session the one it is expected to open on
        # (whose early numbers may arrive first).
        if event.team_id is not None and event.team_id != self._shown_team()[1]:
            return
        if not self.is_current:
            return  # repainted when shown again (on_screen_resume)
        self.on_team_data()

    def on_team_data(self) -> None:
        """Repaint header and summary from the store; subclasses extend it for their body."""
        store = self.store
        data = store.data()
        header = self.query_one(TeamHeader)
        header.team_name, header.team_id = self._shown_team()
        header.sandbox = store.is_sandbox(header.team_id)
        header.read_only = store.read_only
        header.stale = bool(data and data.stale)
        header.busy = bool(data and data.loading)
        self.query_one(TeamSummary).show(data, store.remembered.get(header.team_id))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A screen that overrides this must return super().check_action(...) for other actions.
        if action == "leave_field":
            return isinstance(self.focused, Input)  # otherwise Esc goes on to whoever else wants it
        return None if self.unavailable(action) else True  # None: shown greyed in the footer

    def on_key(self, event: events.Key) -> None:
        # A greyed key says why instead of nothing (a text field has already taken its letters).
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            why = self.unavailable(binding.action)
            if why:
                event.stop()
                self.notify(why, severity="warning")
                return

    def unavailable(self, action: str) -> str | None:
        """Why `action` cannot be used here now, or None. Such an action is greyed in the footer,
        and the palette says this instead of running it."""
        if action in self.WRITE_ACTIONS and self.store.read_only:
            return "Read-only mode (started with --read-only): nothing can be changed."
        return None

    def action_leave_field(self) -> None:
        field = self.focused
        if not isinstance(field, Input):
            return
        # To the field's scrolling container, so PageUp/PageDown still scroll the form.
        box = next((a for a in field.ancestors if isinstance(a, ScrollableContainer) and a.focusable), None)
        if box is not None:
            box.focus(scroll_visible=False)
        else:
            self.set_focus(None)

    def _shown_team(self) -> tuple[str, str]:
        """(name, id) for the header: the active team, or before the session exists the team it
        is expected to open on, so the first frame already names it."""
        store = self.store
        if store.team is not None:
            return store.team.name, store.team.team_id
        if store.session is None and store.starting_team is not None:
            return store.starting_team
        return ("starting…" if store.session is None else "no team"), ""

    def loading_text(self, what: str = "") -> Text:
        """What a body shows before its data: loading, or why it cannot load (r retries)."""
        data = self.data
        if data is not None and data.error:
            if data.loading:  # a retry (automatic or r) in flight: the failure stays said meanwhile
                return Text(f"Reading again… the last read failed: {data.error}", style="yellow")
            return Text(f"{data.error} — r retries", style="red")
        return Text(f"Loading{' ' + what if what else ''}…", style="dim")

    # ------------------------------------------------------------------ writing

    async def writer(self, write: Write, team: TeamHandle | None) -> TeamActions | None:
        """`team`'s actions for `write`, or None after saying why it cannot be done (no team,
        read-only, console-only on this server, the key cannot be had, or the team shown is no
        longer the one the key was pressed for: then nothing is sent)."""
        if team is None:
            if not self.app.still_starting():  # type: ignore[attr-defined]
                self.notify("No team yet.", severity="warning")
            return None
        if not self._still_shown(team):
            return None
        actions = await self.store.actions(team)
        if actions is None:
            return None  # the store said why (keyring, key refused)
        problem = await actions.unavailable(write)
        if problem:
            self.notify(problem, severity="warning", timeout=10)
            return None
        return actions if self._still_shown(team) else None

    def _still_shown(self, team: TeamHandle) -> bool:
        if self.store.is_active(team.team_id):
            return True
        self.notify(f"The team shown changed: nothing was sent for {team.name}.", severity="warning")
        return False

    def open_write(self, write: Write, dialog: Callable[[TeamActions], ModalScreen[Any]]) -> None:
        """A dialog for `write` on the team shown now (buy, promo, limit, add card)."""
        self._open_write(write, dialog, self.team)  # the team of the key press, not of a later frame

    @work(group="write", exclusive=True, exit_on_error=False)
    async def _open_write(self, write: Write, dialog: Callable[[TeamActions], ModalScreen[Any]],
                          team: TeamHandle | None) -> None:
        try:
            actions = await self.writer(write, team)
            if actions is not None:
                self.app.push_screen(dialog(actions))
        except Exception as exc:  # noqa: BLE001 - one handler: said, never lost
            self._write_failed(write.value, exc)

    def confirm_write(self, write: Write, title: str, lines: Sequence[str | Text], label: str,
                      send: Callable[[TeamActions], Awaitable[Any]], *,
                      on_error: Callable[[Exception], bool] | None = None, type_name: bool = False,
                      actions: TeamActions | None = None) -> None:
        """Confirm (naming the team shown now), then `send(actions)` once. A failure goes to
        `on_error` (True: shown next to its field) or else to a notification."""
        self._confirm_write(write, title, lines, label, send, on_error, type_name, self.team, actions)

    @work(group="write", exclusive=True, exit_on_error=False)
    async def _confirm_write(self, write: Write, title: str, lines: Sequence[str | Text], label: str,
                             send: Callable[[TeamActions], Awaitable[Any]],
                             on_error: Callable[[Exception], bool] | None, type_name: bool,
                             team: TeamHandle | None, actions: TeamActions | None) -> None:
        from xconsole.tui.screens.confirm import ConfirmActionScreen, Outcome

        def confirmed(outcome: Outcome | None) -> None:
            if outcome is not None and outcome.error is not None and not (on_error and on_error(outcome.error)):
                self._write_failed(title, outcome.error)

        try:
            if actions is None or team is None or actions.team_id != team.team_id:
                actions = await self.writer(write, team)
            if actions is not None and self.store.is_active(actions.team_id):
                # The worker ends here; the dialog runs the write and hands back its outcome.
                self.app.push_screen(ConfirmActionScreen(
                    title, [actions.team_line(), *lines], label, lambda: send(actions),
                    type_to_confirm=actions.confirm_word if type_name else None), confirmed)
        except Exception as exc:  # noqa: BLE001
            self._write_failed(title, exc)

    def _write_failed(self, what: str, exc: BaseException) -> None:
        from xconsole.core.actions import describe_write_error

        self.notify(f"{what[:1].upper()}{what[1:]}: {describe_write_error(exc)}", severity="error", timeout=10)
