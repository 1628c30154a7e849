"""Shown when a team's stored key is refused (401/403), or none is stored: say so, offer to enter a new one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class KeyRejectedScreen(ModalScreen[bool]):
    """Dismisses True to enter a new key."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Close", id="rejected.close")]

    def __init__(self, team_name: str, message: str, can_replace: bool, *, missing: bool = False) -> None:
        super().__init__()
        self.team_name = team_name
        self.message = message
        self.can_replace = can_replace
        self.missing = missing  # no key stored: nothing was sent, nothing refused

    def compose(self) -> ComposeResult:
        with Vertical(id="rejected", classes="dialog"):
            yield Label(f"No key is stored for {self.team_name}" if self.missing else
                        f"The key for {self.team_name} was refused", classes="dialog-title")
            yield Static(self.message, classes="dialog-text error-text")
            yield Static(
                ("" if self.missing else "It may have been revoked, expired or lack billing permissions. ")
                + ("Enter a new management key for this team?" if self.can_replace else
                   "Set XAI_MANAGEMENT_KEY to a valid key and start again."),
                classes="dialog-text",
            )
            with Horizontal(classes="dialog-buttons"):
                if self.can_replace:
                    yield Button("Enter a new key", variant="primary", id="replace", compact=True)
                yield Button("Close", id="close", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "replace")
