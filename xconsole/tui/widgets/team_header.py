"""The header: which team every action applies to, always visible, with badges for the mode."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TeamHeader(Widget):
    """` xconsole │ Lumen Labs · 271a26ca │ SANDBOX READ-ONLY STALE`"""

    team_name: reactive[str] = reactive("no team")
    team_id: reactive[str] = reactive("")
    sandbox: reactive[bool] = reactive(False)
    read_only: reactive[bool] = reactive(False)
    stale: reactive[bool] = reactive(False)
    # Not `loading`: that is Widget's own reactive, which would cover the team name with a spinner.
    busy: reactive[bool] = reactive(False)

    def render(self) -> Text:
        text = Text(" xconsole ", style="bold")
        text.append("│ ", style="dim")
        text.append(self.team_name, style="bold reverse" if self.team_id else "italic")
        if self.team_id:
            text.append(f" · {self.team_id[:8]}", style="dim")
        badges = [("SANDBOX", self.sandbox, "header-sandbox"), ("READ-ONLY", self.read_only, "header-readonly"),
                  ("STALE", self.stale, "header-stale"), ("loading…", self.busy, "header-loading")]
        shown = [(label, cls) for label, on, cls in badges if on]
        if shown:
            text.append(" │", style="dim")
            for label, cls in shown:
                text.append(" ")
                text.append(f" {label} ", style=self.get_component_rich_style(cls))
        return text

    COMPONENT_CLASSES = {"header-sandbox", "header-readonly", "header-stale", "header-loading"}
