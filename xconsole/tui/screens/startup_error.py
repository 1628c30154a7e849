"""Shown when the console cannot start its session (bad config, rejected environment key...)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class StartupErrorScreen(ModalScreen[bool]):
    """Dismissed with True when the person asks to try again (offered when the failure may pass:
    a server unreachable or busy)."""

    BINDINGS = [
        Binding("escape,q", "app.quit", "Quit", id="startup.quit"),
        Binding("r", "retry", "Try again", id="startup.retry"),
    ]

    def __init__(self, message: str, *, retry: bool = False) -> None:
        super().__init__()
        self.message = message
        self.retry = retry

    def compose(self) -> ComposeResult:
        with Vertical(id="startup-error", classes="dialog"):
            yield Label("xconsole could not start", classes="dialog-title")
            yield Static(self.message, classes="dialog-text error-text")
            yield Static("Run `xconsole doctor` for a full check of this machine.", classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                if self.retry:
                    yield Button("Try again", variant="primary", id="retry", compact=True)
                yield Button("Quit", variant="default" if self.retry else "primary", id="quit", compact=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.retry if action == "retry" else True

    def action_retry(self) -> None:
        self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "retry":
            self.action_retry()
        else:
            self.app.exit(return_code=1)
