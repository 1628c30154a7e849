"""Asked when the console is quit with a form changed and not saved (Billing details, Auto
top-up): nothing typed is lost without a word."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class DiscardChangesScreen(ModalScreen[bool]):
    """Dismisses True to quit anyway (the changes are dropped), False to stay."""

    BINDINGS = [Binding("escape", "dismiss(False)", "Stay", id="discard.stay")]

    def __init__(self, forms: list[str]) -> None:
        super().__init__()
        self.forms = forms

    def compose(self) -> ComposeResult:
        with Vertical(id="discard", classes="dialog"):
            yield Label("Quit without saving?", classes="dialog-title")
            yield Static("Changed and not saved: " + "; ".join(self.forms) + ".", classes="dialog-text")
            # (Not "never sent": a save with no clear answer leaves the form changed too.)
            yield Static("Stay to review and save them.", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Stay", variant="primary", id="stay", compact=True)
                yield Button("Quit and drop them", id="quit", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "quit")
