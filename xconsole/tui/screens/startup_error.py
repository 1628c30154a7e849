"""Shown when the console cannot start its session (bad config, rejected environment key...)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class StartupErrorScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "app.quit", "Quit", id="startup.quit")]

    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(id="startup-error", classes="dialog"):
            yield Label("xconsole could not start", classes="dialog-title")
            yield Static(self.message, classes="dialog-text error-text")
            yield Static("Run `xconsole doctor` for a full check of this machine.", classes="dialog-text")
            yield Button("Quit", variant="primary", id="quit", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.app.exit(return_code=1)
