"""The last step before anything changes: what, for which team, and one request per confirmation.

The action runs while this dialog stays open with its button disabled, so a double or triple
Enter sends one request. Large purchases and removing the default method also ask for the
team's name to be typed. The outcome (result or error) goes back to the caller, which keeps the
user's input and shows any error next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static


@dataclass
class Outcome:
    result: Any = None
    error: Exception | None = None
    cancelled: bool = False


class ConfirmActionScreen(ModalScreen[Outcome]):
    DEFAULT_CSS = """
    ConfirmActionScreen {
        .confirm-line { margin-bottom: 0; }
        .dialog-buttons { margin-top: 1; }
        #confirm-name { margin-top: 1; }
    }
    """
    BINDINGS = [
        Binding("escape", "back", "Back", id="confirm.back"),
        Binding("enter", "confirm", "Confirm", show=False, id="confirm.enter", priority=True),
    ]

    def __init__(self, title: str, lines: Sequence[str | Text], confirm_label: str,
                 action: Callable[[], Awaitable[Any]], *, type_to_confirm: tuple[str, str] | None = None) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.confirm_label = confirm_label
        self.action_fn = action
        #: The team's name (or ID, when it has no name), when it must be typed before anything is sent.
        self.type_what, self.type_to_confirm = type_to_confirm or ("", None)
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            for line in self.lines:
                yield Static(line, classes="confirm-line")
            if self.type_to_confirm is not None:
                yield Label(f"Type the team's {self.type_what}, {self.type_to_confirm}, to confirm:", id="confirm-name")
                yield Input(id="confirm-typed", compact=True)
            yield Label("", id="confirm-status", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, variant="warning", id="confirm-go", compact=True,
                             disabled=self.type_to_confirm is not None)
                yield Button("Back", id="confirm-back", compact=True)

    def on_mount(self) -> None:
        if self.type_to_confirm is not None:
            self.query_one("#confirm-typed", Input).focus()
        else:
            self.query_one("#confirm-go", Button).focus()

    @property
    def name_typed(self) -> bool:
        if self.type_to_confirm is None:
            return True
        return self.query_one("#confirm-typed", Input).value.strip() == self.type_to_confirm

    @on(Input.Changed, "#confirm-typed")
    def _typed(self) -> None:
        if not self.running:
            self.query_one("#confirm-go", Button).disabled = not self.name_typed

    @on(Button.Pressed, "#confirm-go")
    def _go(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_confirm()

    @on(Button.Pressed, "#confirm-back")
    def _back(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_back()

    def action_back(self) -> None:
        if not self.running:
            self.dismiss(Outcome(cancelled=True))

    def action_confirm(self) -> None:
        if self.running:
            return  # already sent: never twice
        if self.focused is not None and self.focused.id == "confirm-back":
            self.action_back()
            return
        if not self.name_typed:
            self.query_one("#confirm-status", Label).update(
                f"Type {self.type_to_confirm} exactly to confirm; Esc goes back.")
            return
        self.running = True
        self.query_one("#confirm-go", Button).disabled = True
        self.query_one("#confirm-back", Button).disabled = True
        for box in self.query("#confirm-typed").results(Input):
            box.disabled = True
        self.query_one("#confirm-status", Label).update("Sending…")
        self._run()

    @property
    def busy(self) -> bool:
        """Sending: nothing may open over it (the app refuses help and the palette meanwhile)."""
        return self.running

    def progress(self, text: str) -> None:
        """What the running action is doing now (e.g. following a charge in the ledger)."""
        self.query_one("#confirm-status", Label).update(text)

    @work(exclusive=True, group="confirm", exit_on_error=False)
    async def _run(self) -> None:
        try:
            outcome = Outcome(result=await self.action_fn())
        except Exception as exc:  # handed to the caller, which explains it
            outcome = Outcome(error=exc)
        if self.is_attached:
            self.pop_until_active()  # whatever opened over it (a key or keyring dialog) goes first
        self.dismiss(outcome)
