"""`t`: pick the team every action applies to. Type to filter, Enter to switch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from xconsole.tui.messages import AddTeam, ShowTeam

if TYPE_CHECKING:
    from xconsole.core.session import TeamHandle
    from xconsole.tui.store import TeamStore

ADD_TEAM = "__add_team__"
NO_MATCH = "__no_match__"


class TeamSwitcher(ModalScreen["TeamHandle | str | None"]):
    """Asks the app to show the chosen team (or to add one); dismisses with the choice."""

    DEFAULT_CSS = """
    TeamSwitcher #switcher OptionList { height: auto; max-height: 12; }
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Close", id="switcher.close"),
        Binding("down", "cursor(1)", "Down", show=False, id="switcher.down"),
        Binding("up", "cursor(-1)", "Up", show=False, id="switcher.up"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="switcher", classes="dialog"):
            yield Label("Switch team", classes="dialog-title")
            yield Input(placeholder="Type to filter by name or id", id="filter")
            yield OptionList(id="teams")
            yield Label("Enter switch · ↑↓ move · Esc close", classes="dialog-hint")

    def __init__(self, store: TeamStore) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self._fill("")

    def _fill(self, query: str) -> None:
        store = self.store
        found = self.query(OptionList)
        if not found:  # keys typed while the dialog is still being built (or the app is quitting)
            return
        options = found.first()
        options.clear_options()
        wanted = query.strip().lower()
        for team in store.teams:
            if wanted and wanted not in team.name.lower() and not team.team_id.startswith(wanted):
                continue
            options.add_option(Option(self._label(team), id=team.team_id))
        if store.session is not None and store.session.can_add_teams and (not wanted or "add".startswith(wanted)):
            options.add_option(Option(Text("+ Add a team…", style="italic"), id=ADD_TEAM))
        if not options.option_count:
            options.add_option(Option(Text(f"No team matches {query.strip()!r}", style="dim"), id=NO_MATCH,
                                      disabled=True))
        else:
            current = store.team.team_id if store.team else None
            index = next((i for i in range(options.option_count) if options.get_option_at_index(i).id == current), 0)
            options.highlighted = index if not wanted else 0

    def _label(self, team: TeamHandle) -> Text:
        from xconsole.core.money import format_cents

        data = self.store.data(team.team_id)
        if data is None or (data.snapshot is None and not data.error):
            status = Text("not loaded", style="dim")
        elif data.snapshot is not None:
            status = Text(format_cents(data.snapshot.summary.live_balance) + (" (stale)" if data.stale else ""))
        else:
            status = Text("error", style="red")
        marker = "● " if self.store.is_active(team.team_id) else "  "
        line = Text(marker)
        line.append(f"{team.name:<22.22}", style="bold")
        line.append(f" {team.short_id}  ", style="dim")
        line.append_text(status)
        return line

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self._choose(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self._choose(event.option_index)

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            options.highlighted = ((options.highlighted or 0) + step) % options.option_count

    def _choose(self, index: int | None) -> None:
        options = self.query_one(OptionList)
        if index is None or not options.option_count:
            return
        option_id = options.get_option_at_index(index).id
        if option_id == NO_MATCH:
            return
        if option_id == ADD_TEAM:
            self.app.post_message(AddTeam())
            self.dismiss(ADD_TEAM)
            return
        team = next((t for t in self.store.teams if t.team_id == option_id), None)
        if team is not None:
            self.app.post_message(ShowTeam(team))
        self.dismiss(team)
