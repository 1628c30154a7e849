"""The "since you last looked" digest shown on start (core.changes): what changed in the team's
billing since this user last looked, each change with who made it when the audit events or
this machine's journal say so.

The app opens it only when something changed (never an empty one) and never over another
dialog; closing it (Enter or Escape) makes this look the last look, so the same changes are
not shown again. `6` closes it and opens the History screen, where the same changes are listed
among everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

if TYPE_CHECKING:
    from xconsole.core.changes import Change, TeamChanges

#: Dismissed with this when the person asked for the History screen.
OPEN_HISTORY = "history"


def change_text(change: Change) -> Text:
    """ "• Invoiced billing limit changed: $0.00 → $1,500.00" and, dimmer, who made it and when."""
    text = Text("• ")
    text.append(change.what)
    if change.before is not None and change.after is not None:
        text.append(f": {change.before} → {change.after}", style="bold")
    by = [b for b in (change.who, f"via xconsole by {change.who_local}" if change.who_local else None) if b]
    when = f"{change.time:%Y-%m-%d %H:%M} UTC" if change.time else ""
    if by or when:
        text.append("\n  " + " · ".join([*by, when] if when else by), style="dim")
    return text


class ChangesDigest(ModalScreen[str | None]):
    DEFAULT_CSS = """
    ChangesDigest {
        #digest-changes { height: auto; max-height: 14; margin-bottom: 1; }
        #digest-changes Static { margin-bottom: 0; }
    }
    """
    #: The list has the keys: ↓, PgDn and End scroll a long one (Enter and Esc still close).
    AUTO_FOCUS = "#digest-changes"
    BINDINGS: ClassVar = [
        Binding("escape,enter", "dismiss(None)", "Close", id="digest.close",
                tooltip="Close; these changes will not be shown again"),
        Binding("6", "dismiss('history')", "History", id="digest.history",
                tooltip="Close and open the History screen"),
        # It opens by itself at start, over a footer that says "q Quit": q must do that here too.
        Binding("q", "app.quit", "Quit", id="digest.quit", tooltip="Quit xconsole"),
    ]

    def __init__(self, result: TeamChanges) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        from xconsole.core.changes import PARTS

        result = self.result
        count = len(result.changes)
        since = f" since {result.since:%Y-%m-%d %H:%M} UTC" if result.since else ""
        with VerticalScroll(id="digest", classes="dialog"):
            yield Label(f"Since you last looked · {result.team_name}", classes="dialog-title")
            yield Static(f"{count} change{'s' if count != 1 else ''}{since}:", classes="dialog-text")
            with VerticalScroll(id="digest-changes"):
                for change in result.changes:
                    yield Static(change_text(change), classes="digest-change")
            notes = Text(style="dim")
            if result.audit_error:
                notes.append(f"Authors unknown: the audit events could not be read ({result.audit_error}).\n")
            for part, why in result.unreadable.items():
                name = {"default": "default payment method"}.get(part, PARTS.get(part, part))
                notes.append(f"{name[:1].upper()}{name[1:]}: {why}.\n")
            if notes.plain:
                notes.rstrip()
                yield Static(notes, id="digest-notes", classes="dialog-text")
            yield Label("Enter/Esc close (not shown again) · 6 history", classes="dialog-hint")
