"""The frame every team screen shares: header, screen bar, live summary, body, footer.

A screen reads the active team's cached data from the app and repaints when the app says the
active team or its data changed; it never fetches anything itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer

from xconsole.tui.widgets.nav_bar import NavBar
from xconsole.tui.widgets.team_header import TeamHeader
from xconsole.tui.widgets.team_summary import TeamSummary

if TYPE_CHECKING:
    from xconsole.tui.app import XConsoleApp


class TeamScreen(Screen):
    #: The mode name this screen is shown under (see NavBar.SCREENS).
    MODE: ClassVar[str] = ""
    #: Markdown shown by `?` for this screen.
    HELP: ClassVar[str] = ""

    @property
    def xapp(self) -> XConsoleApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        name, team_id = self._shown_team()
        app = self.xapp
        yield TeamHeader(id="header", team_name=name, team_id=team_id, sandbox=app.sandbox, read_only=app.read_only)
        yield NavBar(id="nav")
        summary = TeamSummary(id="summary")
        summary.show(app.active_data(), app.remembered.get(team_id))
        yield summary
        with Vertical(id="body"):
            yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.xapp.built_modes.add(self.MODE)
        self.query_one(NavBar).current = self.MODE
        self.watch(self.app, "team", self.on_team_data, init=False)
        self.watch(self.app, "data_version", self.on_team_data, init=False)
        self.on_team_data()

    def on_screen_resume(self) -> None:
        self.on_team_data()

    def on_team_data(self) -> None:
        """Repaint header and summary from the app's cache; subclasses extend it for their body."""
        app = self.xapp
        team = app.team
        data = app.active_data()
        header = self.query_one(TeamHeader)
        header.team_name, header.team_id = self._shown_team()
        header.sandbox = app.sandbox
        header.read_only = app.read_only
        header.stale = bool(data and data.stale)
        header.busy = bool(data and data.loading)
        self.query_one(TeamSummary).show(data, app.remembered.get(header.team_id))

    def _shown_team(self) -> tuple[str, str]:
        """(name, id) for the header: the active team, or before the session exists the team it
        is expected to open on, so the first frame already names it."""
        app = self.xapp
        if app.team is not None:
            return app.team.name, app.team.team_id
        if app.session is None and app.starting_team is not None:
            return app.starting_team
        return ("starting…" if app.session is None else "no team"), ""
