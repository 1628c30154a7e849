"""`?` / F1: the keys, and what the current screen is for."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from xconsole.tui.help_text import GLOBAL_KEYS


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, text: str, screen_keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.screen_keys = screen_keys

    def compose(self) -> ComposeResult:
        keys = "\n".join(f"  {key:<9} {what}" for key, what in [*self.screen_keys, *GLOBAL_KEYS])
        with VerticalScroll(id="help", classes="dialog"):
            yield Label(f"Help: {self.title_text}", classes="dialog-title")
            if self.text:
                yield Static(self.text, classes="dialog-text")
            yield Static(Text(keys), classes="dialog-text help-keys")
            yield Static("Every billing change applies to the whole team shown in the header.", classes="dialog-hint")
            yield Label("Esc close", classes="dialog-hint")
