"""Export (e): rows to a CSV or JSON file of the user's choosing, in the current directory by
default. An existing file is only replaced after a second, explicit "Overwrite"."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

if TYPE_CHECKING:
    from collections.abc import Sequence

    from xconsole.core.session import TeamHandle


class ExportScreen(ModalScreen[Path | None]):
    DEFAULT_CSS = """
    ExportScreen {
        #export RadioSet { width: 100%; layout: horizontal; border: none; margin-bottom: 1; }
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Back", id="export.back")]

    def __init__(self, team: TeamHandle, what: str, stem: str, records: Sequence[dict[str, Any]],
                 fields: Sequence[str], json_key: str) -> None:
        super().__init__()
        self.team = team
        self.what = what
        self.stem = stem
        self.records = records
        self.fields = fields
        self.json_key = json_key
        self.fmt = "csv"
        self.confirm_overwrite: Path | None = None  # the path the user agreed to replace
        self.writing = False

    def _default(self, fmt: str) -> str:
        from xconsole.core.export import default_name

        return default_name(self.team.name, self.stem, fmt, date.today().isoformat())

    def compose(self) -> ComposeResult:
        with Vertical(id="export", classes="dialog"):
            yield Label(f"Export {self.what} of {self.team.name}", classes="dialog-title")
            with RadioSet(id="export-format"):
                yield RadioButton("CSV", value=True, id="fmt-csv")
                yield RadioButton("JSON", id="fmt-json")
            yield Label("File (relative to the current directory)")
            yield Input(self._default("csv"), id="export-path")
            yield Label("Money is written as integer cents plus a formatted column.", classes="dialog-hint")
            yield Label("", id="export-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="export-save", compact=True)
                yield Button("Back", id="export-back", compact=True)

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        new = "json" if event.pressed.id == "fmt-json" else "csv"
        box = self.query_one("#export-path", Input)
        if box.value == self._default(self.fmt):  # untouched: follow the format
            box.value = self._default(new)
        elif box.value.endswith(f".{self.fmt}"):
            box.value = box.value[: -len(self.fmt)] + new
        self.fmt = new

    def on_input_changed(self, event: Input.Changed) -> None:
        self.confirm_overwrite = None
        self.query_one("#export-save", Button).label = "Save"
        self.query_one("#export-error", Label).update("")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.save()

    @on(Button.Pressed, "#export-save")
    def _save_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.save()

    @on(Button.Pressed, "#export-back")
    def _cancel_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.writing:
            self.dismiss(None)

    def save(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Label)
        if not text:
            error.update("Enter a file name.")
            return
        if self.writing:
            return
        self.writing = True
        self._write(Path(text).expanduser())

    @work(exclusive=True, exit_on_error=False)
    async def _write(self, path: Path) -> None:
        from xconsole.core.export import render, write_file

        error = self.query_one("#export-error", Label)
        overwrite = self.confirm_overwrite is not None and self.confirm_overwrite == path
        body = render(self.records, self.fields, self.fmt, key=self.json_key)
        try:
            # Disk work off the UI loop: a slow or network filesystem must not freeze the app.
            written = await asyncio.to_thread(write_file, path, body, overwrite=overwrite)
        except FileExistsError:
            self.confirm_overwrite = path
            error.update(f"{path} exists. Press Overwrite to replace it, or change the name.")
            self.query_one("#export-save", Button).label = "Overwrite"
        except OSError as exc:
            error.update(f"Could not write {path}: {exc.strerror or exc}")
        else:
            self.app.notify(f"Saved {self.what} to {written}")
            self.dismiss(written)
        finally:
            self.writing = False
