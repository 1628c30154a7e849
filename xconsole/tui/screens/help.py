"""`?` / F1: what the current screen is for, and its keys (read from the bindings, tui/keys.py)."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen {
        .help-keys { color: $foreground; }
    }
    """
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close", id="help.close")]

    def __init__(self, title: str, text: str, keys: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.text = text
        self.keys = keys

    def compose(self) -> ComposeResult:
        keys = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 2))
        keys.add_column(no_wrap=True)
        keys.add_column()  # a long description wraps under itself, not under the key
        for key, what in self.keys:
            keys.add_row(key, what)
        with VerticalScroll(id="help", classes="dialog tall"):
            yield Label(f"Help: {self.title_text}", classes="dialog-title")
            if self.text:
                yield Static(self.text, classes="dialog-text")
            yield Static(keys, classes="dialog-text help-keys")
            yield Static("Every billing change applies to the whole team shown in the header.", classes="dialog-hint")
            yield Label("Esc close", classes="dialog-hint")
