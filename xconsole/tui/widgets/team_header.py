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

    def __init__(self, *, team_name: str = "no team", team_id: str = "", sandbox: bool = False,
                 read_only: bool = False, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        # Set before mounting (no watchers, no refresh), so the very first frame names the team.
        self.set_reactive(TeamHeader.team_name, team_name)
        self.set_reactive(TeamHeader.team_id, team_id)
        self.set_reactive(TeamHeader.sandbox, sandbox)
        self.set_reactive(TeamHeader.read_only, read_only)

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
