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
        yield TeamHeader(id="header")
        yield NavBar(id="nav")
        yield TeamSummary(id="summary")
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
        if team is None and app.session is None and app.starting_team is not None:
            header.team_name, header.team_id = app.starting_team  # the first frame names the team
        else:
            header.team_name = team.name if team else ("starting…" if app.session is None else "no team")
            header.team_id = team.team_id if team else ""
        header.sandbox = app.sandbox
        header.read_only = app.read_only
        header.stale = bool(data and data.stale)
        header.busy = bool(data and data.loading)
        shown_id = team.team_id if team else (app.starting_team[1] if app.starting_team else "")
        self.query_one(TeamSummary).show(data, app.remembered.get(shown_id))
