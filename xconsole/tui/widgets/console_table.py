"""A DataTable with the keys terminal people expect (j/k/g/G) and a `/` text filter."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input


class VimTable(DataTable):
    BINDINGS: ClassVar = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]


class FilterableTable(Vertical):
    """Rows are kept whole; the filter hides the ones whose text does not contain the query."""

    BINDINGS: ClassVar = [
        Binding("slash", "open_filter", "Filter", id="table.filter", key_display="/"),
        Binding("escape", "close_filter", "Clear filter", show=False, id="table.clear_filter"),
    ]

    def __init__(self, columns: Sequence[tuple[str, str]], *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.columns = columns
        self._rows: list[tuple[str, list[Text | str]]] = []
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter rows (Esc clears)", id="filter", compact=True, classes="hidden")
        yield VimTable(cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(VimTable)
        for label, key in self.columns:
            table.add_column(label, key=key)

    def set_rows(self, rows: list[tuple[str, list[Text | str]]]) -> None:
        self._rows = rows
        self._apply()

    def _apply(self) -> None:
        table = self.query_one(VimTable)
        wanted = self.query_text.lower()
        table.clear()
        for key, cells in self._rows:
            if wanted and wanted not in " ".join(str(c) for c in cells).lower():
                continue
            table.add_row(*cells, key=key)

    @property
    def visible_count(self) -> int:
        return self.query_one(VimTable).row_count

    def action_open_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("hidden")
        box.focus()

    def action_close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.add_class("hidden")
        self.query_one(VimTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._apply()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(VimTable).focus()
