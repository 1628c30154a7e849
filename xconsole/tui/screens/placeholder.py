"""Team screens whose full content lands with later issues. Each says what it will show and
uses no invented data; the live summary line above it is real."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Static

from xconsole.tui.screens.base import TeamScreen


class PlannedScreen(TeamScreen):
    TITLE_TEXT = ""
    WILL_SHOW: tuple[str, ...] = ()
    ISSUE = 0

    def compose_body(self) -> ComposeResult:
        lines = "\n".join(f"  • {item}" for item in self.WILL_SHOW)
        yield Static(f"[b]{self.TITLE_TEXT}[/b]", classes="screen-title")
        yield Static(
            f"Not built yet (issue #{self.ISSUE}). This screen will show:\n\n{lines}\n\n"
            "Nothing here is simulated: until then, the numbers in the line above are the team's live figures.",
            classes="planned",
        )
