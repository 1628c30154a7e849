"""Shown when the OS keyring, or a key file of a credentials directory, cannot be used: what is
wrong, and the ways out."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

FIXES = """\
Ways out:

  1. Run `xconsole doctor` in a shell: it names the keyring backend and the fix.
  2. On an SSH host, start a Secret Service for the session:
       dbus-run-session -- $SHELL
       echo -n '<password>' | gnome-keyring-daemon --unlock --components=secrets
  3. Skip the keyring for one run:
       XAI_MANAGEMENT_KEY=<key> xconsole
  4. Try the console without a key: xconsole --sandbox"""


class KeyringUnavailableScreen(ModalScreen[str]):
    """Dismisses with "retry" or "close"."""

    BINDINGS = [Binding("escape", "dismiss('close')", "Close", id="keyring.close")]

    def __init__(self, reason: str, *, key_file: bool = False) -> None:
        super().__init__()
        self.reason = reason
        #: The key comes from a credentials directory: the reason says how to fix the file, and
        #: the keyring's ways out do not apply.
        self.key_file = key_file

    def compose(self) -> ComposeResult:
        with Vertical(id="keyring", classes="dialog"):
            yield Label("A key file cannot be used" if self.key_file else "The OS keyring is not usable",
                        classes="dialog-title")
            yield Static(self.reason, classes="dialog-text error-text")
            if not self.key_file:
                yield Static(Text(FIXES), classes="dialog-text")  # Text keeps the indentation
            with Horizontal(classes="dialog-buttons"):
                yield Button("Retry", variant="primary", id="retry", compact=True)
                yield Button("Close", id="close", compact=True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id or "close")
