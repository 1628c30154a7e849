"""Screen 0, overview: every team at once — credits, when requests will be rejected (the
forecast, soonest first), month spend, invoiced billing limit, auto top-up, 14 days of spend and
what needs attention. Enter switches to the highlighted team.

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
    from xconsole.core.numbers_cache import CachedNumbers
    from xconsole.core.session import TeamHandle
    from xconsole.tui.state import TeamData

COLUMNS = (" Team", " Credits", " Rejected in", " Month", " Limit", " Auto", " 14 days", " ⚠")
SPARK_DAYS = 14
#: The team column gives way first on a narrow terminal (80 columns keep every other column).
NAME_MIN, NAME_MAX, OTHER_COLUMNS = 12, 22, 70


class OverviewScreen(TeamScreen):
    DEFAULT_CSS = """
    OverviewScreen {
        #overview-table { height: auto; max-height: 60%; }
        #overview-notes { height: auto; margin-top: 1; }
    }
    """
    MODE = "overview"
    HELP = (
        "All your teams at once, the soonest to have its API requests rejected first: live credit balance, "
        "when the forecast says requests will be rejected (auto top-up, its monthly maximum and the invoiced "
        "limit included; — : not within 30 days), this month's spend, the invoiced billing limit, auto top-up "
        "(its trigger, \"off\", or \"console\" where the Management API cannot read it) and the last 14 days "
        "of spend. ⚠ marks a team that needs attention; the list below says why. "
        "Enter switches to the highlighted team; r fetches every team again."
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

    def on_screen_resume(self) -> None:
        super().on_screen_resume()
        # Only the active team's failed read is retried by itself (and later and later): every
        # failed one is read again when this screen, which shows them all, is shown (a server
        # that came back, without r). A read replaces any retry planned for it.
        for team in self.store.teams:
            data = self.store.data(team.team_id)
            if data is not None and data.error and not data.loading:
                self.store.load(team)

    _draw_planned = False

    @on(TeamDataChanged)
    def _any_team_changed(self, event: TeamDataChanged) -> None:
        # Every team's row is here, not only the active team's.
        if not self.store.is_active(event.team_id) and self.is_current:
            self._plan_draw()

    def on_team_data(self) -> None:
        super().on_team_data()
        self._plan_draw()

    def on_resize(self) -> None:
        self._plan_draw()  # the team column's width follows the terminal's

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
        width = max(NAME_MIN, min(NAME_MAX, self.size.width - OTHER_COLUMNS))
        for team in sorted(teams, key=lambda t: _soonest(store.data(t.team_id))):
            data = store.data(team.team_id)
            cells, warnings = _row(team, data, width, store.remembered.get(team.team_id))
            table.add_row(*cells, key=team.team_id)
            for warning in warnings:
                notes.append(f"{team.name}: ", style="bold")
                notes.append(f"{warning}\n", style="yellow" if not warning.startswith("error") else "red")
        target = keep.team_id if keep else (store.team.team_id if store.team else None)
        if target is not None and any(t.team_id == target for t in teams):
            table.move_cursor(row=table.get_row_index(target), animate=False)
        reading = sum(1 for t in teams if (d := store.data(t.team_id)) is None or (d.snapshot is None and not d.error))
        if not teams:
            notes.append("Starting…" if store.session is None else "No teams yet.", style="dim")
        elif reading:
            # Not "nothing needs attention" while a team's numbers are still unknown.
            notes.append(f"Reading {reading} of {len(teams)} team{'s' if len(teams) != 1 else ''}…", style="dim")
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


def _soonest(data: TeamData | None) -> tuple[int, float, int]:
    """Sort key: teams the forecast rejects first (soonest first, one whose rejection is only the
    earliest it can come by its time too: it may be the most urgent; on a tie, after a sure one),
    then the others, then teams without numbers; the sort is stable, so ties keep the registry's
    order."""
    fc = data.snapshot.forecast if data is not None and data.snapshot is not None else None
    if fc is not None and fc.rejected_at is not None:
        return 0, fc.rejected_at.timestamp(), int(fc.earliest_only)
    return (1 if data is not None and data.snapshot is not None else 2), 0.0, 0


def _rejected_in(snap: object) -> str:
    fc = getattr(snap, "forecast", None)
    if fc is None or not fc.known:
        return "unknown"
    rejection = fc.until_rejected()  # "3+ days" when auto top-ups were seen but not counted
    return "—" if rejection is None else rejection.text


def _row(team: TeamHandle, data: TeamData | None, name_width: int = NAME_MAX,
         saved: CachedNumbers | None = None) -> tuple[list[Text | str], list[str]]:
    """The table cells of one team and its warnings in words; `saved`: its last numbers, shown
    dimmed until its read lands (or when it fails)."""
    name = f" {team.name if len(team.name) <= name_width else team.name[:name_width - 1] + '…'}"
    if (data is None or data.snapshot is None) and saved is not None:
        from xconsole.core.money import format_cents

        failed = data is not None and bool(data.error) and not data.loading
        when = f"{'read' if saved.live else 'saved'} {saved.age()}"
        def dim(cents: int | None) -> Text:
            return Text(f" {format_cents(cents)}", style="dim", justify="right")

        cells: list[Text | str] = [name, dim(saved.live_balance), Text(f" {when}", style="dim"), dim(saved.month_spend),
                                   dim(saved.soft_limit), "", "", Text(" ⚠", style="red") if failed else ""]
        return cells, [f"error — showing numbers {when}: {data.error}"] if failed and data else []
    if data is None or data.snapshot is None:
        if data is not None and data.error:
            return [name, Text(" error", style="bold red"), "", "", "", "", "", Text(" ⚠", style="red")], [
                f"error — {data.error}"]
        return [name, Text(" loading…", style="dim"), "", "", "", "", "", ""], []
    from xconsole.core.billing import auto_top_up_label, rejects_soon, team_warnings
    from xconsole.core.money import format_cents

    snap = data.snapshot
    s = snap.summary
    warnings = team_warnings(s, snap.auto_top_up, snap.unpaid)
    if data.stale:
        warnings.append(f"error — showing older numbers: {data.error}")
    danger = rejects_soon(s, snap.auto_top_up)
    from xconsole.tui.format import sparkline

    spend = [cents for _day, cents in snap.daily[:-1]][-SPARK_DAYS:]  # whole days, today left out

    def right(value: str, style: str = "") -> Text:
        return Text(f" {value}", style=style, justify="right")

    return [
        name,
        right(format_cents(s.live_balance), "bold red" if danger else "bold"),
        right(_rejected_in(snap), "bold red" if danger else ""),
        right(format_cents(s.month_spend)),
        right(format_cents(s.soft_limit)),
        right(auto_top_up_label(snap.auto_top_up)),
        Text(f" {sparkline(spend)}", style="cyan") if spend else "",
        Text(" ⚠", style="bold yellow") if warnings else "",
    ], warnings
