"""Requests a screen sends up to the app, which owns navigation (which team, which screen)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from xconsole.core.session import TeamHandle


class ShowTeam(Message):
    """Make `team` the active team, and show screen `mode` if given."""

    def __init__(self, team: TeamHandle, mode: str | None = None) -> None:
        super().__init__()
        self.team = team
        self.mode = mode


class AddTeam(Message):
    """Open the Add team dialog."""
