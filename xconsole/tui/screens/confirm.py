"""The last step before anything changes: what, for which team, and one request per confirmation.

The action runs while this dialog stays open with its button disabled, so a double or triple
Enter sends one request. The outcome (result or error) goes back to the caller, which keeps the
user's input and shows any error next to the field it concerns.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


def team_line(team: Any) -> str:
    """The first line of every confirmation: which team, and that it is everyone's."""
    return f"Team      {team.name} ({team.short_id}) — applies to every user of this team"


@dataclass
class Outcome:
    result: Any = None
    error: Exception | None = None
    cancelled: bool = False


class ConfirmActionScreen(ModalScreen[Outcome]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="confirm.back"),
        Binding("enter", "confirm", "Confirm", show=False, id="confirm.enter", priority=True),
    ]

    def __init__(self, title: str, lines: Sequence[str | Text], confirm_label: str,
                 action: Callable[[], Awaitable[Any]]) -> None:
        super().__init__()
        self.title_text = title
        self.lines = lines
        self.confirm_label = confirm_label
        self.action_fn = action
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            for line in self.lines:
                yield Static(line, classes="confirm-line")
            yield Label("", id="confirm-status", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self.confirm_label, variant="warning", id="confirm-go", compact=True)
                yield Button("Back", id="confirm-back", compact=True)

    def on_mount(self) -> None:
        self.query_one("#confirm-go", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "confirm-go":
            self.action_confirm()
        else:
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
        self.running = True
        self.query_one("#confirm-go", Button).disabled = True
        self.query_one("#confirm-back", Button).disabled = True
        self.query_one("#confirm-status", Label).update("Sending…")
        self._run()

    def progress(self, text: str) -> None:
        """What the running action is doing now (e.g. following a charge in the ledger)."""
        self.query_one("#confirm-status", Label).update(text)

    @work(exclusive=True, group="confirm", exit_on_error=False)
    async def _run(self) -> None:
        try:
            result = await self.action_fn()
        except Exception as exc:  # handed to the caller, which explains it
            self.dismiss(Outcome(error=exc))
        else:
            self.dismiss(Outcome(result=result))
