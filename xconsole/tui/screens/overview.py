"""Screen 0, overview: every team at once — credits, runway, month spend, invoiced billing limit,
auto top-up and what needs attention. Enter switches to the highlighted team.

Rows come from the same per-team cache the other screens use (every team is fetched in the
background at start); a team that fails shows its error in its row and the others still show.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from xconsole.tui.messages import ShowTeam
from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.store import TeamDataChanged
from xconsole.tui.widgets.console_table import VimTable

if TYPE_CHECKING:
    from xconsole.core.session import TeamHandle
    from xconsole.tui.state import TeamData

COLUMNS = (" Team", " Credits", " Runway", " Month", " Limit", " Auto", " ⚠")


class OverviewScreen(TeamScreen):
    DEFAULT_CSS = """
    OverviewScreen {
        #overview-table { height: auto; max-height: 60%; }
        #overview-notes { height: auto; margin-top: 1; }
    }
    """
    MODE = "overview"
    HELP = (
        "All your teams at once: live credit balance, runway at the last week's spend, this month's spend, "
        "the invoiced billing limit and auto top-up. ⚠ marks a team that needs attention; the list below "
        "says why. Enter switches to the highlighted team; r fetches every team again."
    )
    BINDINGS: ClassVar = [
        Binding("enter", "open_team", "Switch to team", id="overview.open"),
        Binding("r", "refresh_all", "Refresh all", id="overview.refresh"),
    ]

    def compose_body(self) -> ComposeResult:
        yield VimTable(cursor_type="row", id="overview-table", cell_padding=0)
        yield Static("", id="overview-notes")

    def on_mount(self) -> None:
        table = self.query_one("#overview-table", VimTable)
        for label in COLUMNS:
            table.add_column(Text(label, justify="left" if label in (" Team", " ⚠") else "right"))
        super().on_mount()
        self._draw()  # the first frame has the rows at once
        table.focus()

    _draw_planned = False

    @on(TeamDataChanged)
    def _any_team_changed(self, event: TeamDataChanged) -> None:
        # Every team's row is here, not only the active team's.
        if not self.store.is_active(event.team_id) and self.is_current:
            self._plan_draw()

    def on_team_data(self) -> None:
        super().on_team_data()
        self._plan_draw()

    def _plan_draw(self) -> None:
        """One redraw per frame, however many teams answered meanwhile (200 teams load at once)."""
        if not self._draw_planned:
            self._draw_planned = True
            self.call_after_refresh(self._draw)

    def _draw(self) -> None:
        self._draw_planned = False
        store = self.store
        table = self.query_one("#overview-table", VimTable)
        notes = Text()
        teams = store.teams
        keep = self.highlighted_team()
        table.clear()
        for team in teams:
            data = store.data(team.team_id)
            cells, warnings = _row(team, data)
            table.add_row(*cells, key=team.team_id)
            for warning in warnings:
                notes.append(f"{team.name}: ", style="bold")
                notes.append(f"{warning}\n", style="yellow" if not warning.startswith("error") else "red")
        target = keep.team_id if keep else (store.team.team_id if store.team else None)
        if target is not None and any(t.team_id == target for t in teams):
            table.move_cursor(row=table.get_row_index(target), animate=False)
        if not teams:
            notes.append("No teams yet.", style="dim")
        elif not notes.plain:
            notes.append("Nothing needs attention.", style="dim")
        notes.append("\nEnter switch to team · r refresh all", style="dim")
        self.query_one("#overview-notes", Static).update(notes)

    def highlighted_team(self) -> TeamHandle | None:
        table = self.query_one("#overview-table", VimTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((t for t in self.store.teams if t.team_id == key), None)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_team()

    def action_open_team(self) -> None:
        team = self.highlighted_team()
        if team is not None:
            self.post_message(ShowTeam(team, mode="spend"))

    def action_refresh_all(self) -> None:
        for team in self.store.teams:
            self.store.refresh(team)


def _row(team: TeamHandle, data: TeamData | None) -> tuple[list[Text | str], list[str]]:
    """The table cells of one team and its warnings in words."""
    name = f" {team.name[:22]}"
    if data is None or data.snapshot is None:
        if data is not None and data.error:
            return [name, Text(" error", style="bold red"), "", "", "", "", Text(" ⚠", style="red")], [
                f"error — {data.error}"]
        return [name, Text(" loading…", style="dim"), "", "", "", "", ""], []
    from xconsole.core.billing import auto_top_up_label, rejects_soon, team_warnings
    from xconsole.core.money import format_cents

    snap = data.snapshot
    s = snap.summary
    warnings = team_warnings(s, snap.auto_top_up)
    if data.stale:
        warnings.append(f"error — showing older numbers: {data.error}")
    danger = rejects_soon(s, snap.auto_top_up)

    def right(value: str, style: str = "") -> Text:
        return Text(f" {value}", style=style, justify="right")

    return [
        name,
        right(format_cents(s.live_balance), "bold red" if danger else "bold"),
        right(s.runway_text.replace("no recent spend", "—")),
        right(format_cents(s.month_spend)),
        right(format_cents(s.soft_limit)),
        right(auto_top_up_label(snap.auto_top_up)),
        Text(" ⚠", style="bold yellow") if warnings else "",
    ], warnings
