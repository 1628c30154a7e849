"""A DataTable with the keys terminal people expect (j/k/g/G), and one with a `/` text filter."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import ScrollableContainer, Vertical
from textual.message import Message
from textual.widgets import DataTable, Input

if TYPE_CHECKING:
    from textual.widgets.data_table import RowKey


class VimTable(DataTable):
    BINDINGS: ClassVar = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    # At the first row, going further up moves the page the table sits in (Spend's ledger at 80x24):
    # otherwise the card above can only be reached by leaving the table first.
    def _page(self) -> ScrollableContainer | None:
        return next((a for a in self.ancestors if isinstance(a, ScrollableContainer)), None)

    def _up(self, page_move: str, own: Callable[[], None]) -> None:
        """`page_move` (a scroll method's name) on the page when on the first row, else `own`."""
        page = self._page() if self.cursor_row <= 0 else None
        if page is not None:
            getattr(page, page_move)(animate=False)
        else:
            own()

    def action_cursor_up(self) -> None:
        self._up("scroll_up", super().action_cursor_up)

    def action_page_up(self) -> None:
        self._up("scroll_page_up", super().action_page_up)

    def action_scroll_top(self) -> None:
        self._up("scroll_home", super().action_scroll_top)

    def action_scroll_home(self) -> None:
        self._up("scroll_home", super().action_scroll_home)

    @property
    def fully_drawn(self) -> bool:
        """Every row and cell given so far has been measured and laid out. DataTable does that
        when it is next idle, so just after rows are added the columns still have their old widths."""
        return not (self._require_update_dimensions or self._new_rows or self._updated_cells)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        super()._update_dimensions(new_rows)
        # DataTable caches drawn rows by update count, not by column widths: rows drawn before
        # this measuring would come back later (e.g. behind a dialog) at the old, narrower widths.
        self._update_count += 1


class FilterableTable(Vertical):
    """A table with a `/` text filter that stays fast with 10,000 rows.

    Rows are given as keys, a lowercase search text per key and a function drawing a key's
    cells; only the rows scrolled to are drawn, a page at a time, ahead of the cursor (a DataTable
    measures every cell it is given, ~0.5 ms a row: drawing 10,000 on each keystroke would lag).
    """

    DEFAULT_CSS = """
    FilterableTable {
        height: auto;
        padding: 0 1;
        VimTable { height: auto; max-height: 16; }
    }
    """
    PAGE: ClassVar[int] = 60
    AHEAD: ClassVar[int] = 25  # draw the next page when the cursor is this close to the last row

    BINDINGS: ClassVar = [
        Binding("slash", "open_filter", "Filter", id="table.filter", key_display="/"),
        Binding("escape", "close_filter", "Clear filter", show=False, id="table.clear_filter"),
    ]

    class Changed(Message):
        """The rows on offer changed (new data or a new filter)."""

    def __init__(self, columns: Sequence[tuple[str, str]], *, id: str | None = None,  # noqa: A002
                 cell_padding: int = 1) -> None:
        super().__init__(id=id)
        self.columns = columns
        self.cell_padding = cell_padding
        self._keys: Sequence[str] = ()
        self._texts: Mapping[str, str] = {}
        self._draw: Callable[[str], Sequence[Text | str]] = lambda key: ()
        self._matches: list[str] = []
        self._shown = 0
        self.query_text = ""

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter rows (Esc clears)", id="filter", compact=True, classes="hidden")
        # Columns before mounting, not in on_mount: a console quit while this table mounts has
        # already pruned its children when its Mount is handled (seen as NoMatches on exit).
        table = VimTable(cursor_type="row", zebra_stripes=True, cell_padding=self.cell_padding)
        for label, key in self.columns:
            table.add_column(label, key=key)
        yield table

    def set_rows(self, rows: list[tuple[str, list[Text | str]]]) -> None:
        """All rows drawn up front (short tables)."""
        cells = dict(rows)
        self.set_source([key for key, _ in rows], {k: " ".join(str(c) for c in v).lower() for k, v in rows},
                        cells.__getitem__)

    def set_source(self, keys: Sequence[str], texts: Mapping[str, str],
                   draw: Callable[[str], Sequence[Text | str]]) -> None:
        self._keys, self._texts, self._draw = keys, texts, draw
        self._apply()

    def _apply(self) -> None:
        table = self.query_one(VimTable)
        wanted = self.query_text.strip().lower()
        keep, drawn_before = self.cursor_key, self._shown
        self._matches = [k for k in self._keys if wanted in self._texts.get(k, "")] if wanted else list(self._keys)
        table.clear()
        self._shown = 0
        self._draw_more()
        # The highlighted row stays highlighted, unless that means drawing thousands of rows the
        # user never scrolled through (clearing a filter that had picked one from far down).
        row = self._matches.index(keep) if keep is not None and keep in self._matches else None
        if row is not None and row < max(drawn_before, self.PAGE):
            while self._shown <= row:
                self._draw_more()
            table.move_cursor(row=row, animate=False)
        self.post_message(self.Changed())

    def _draw_more(self) -> None:
        batch = self._matches[self._shown:self._shown + self.PAGE]
        table = self.query_one(VimTable)
        for key in batch:
            table.add_row(*self._draw(key), key=key)
        self._shown += len(batch)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self._shown < len(self._matches) and event.cursor_row >= self._shown - self.AHEAD:
            self._draw_more()

    @property
    def cursor_key(self) -> str | None:
        table = self.query_one(VimTable)
        if table.row_count == 0:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @property
    def visible_count(self) -> int:
        """Rows that pass the filter (drawn or not yet)."""
        return len(self._matches)

    @property
    def matching_keys(self) -> list[str]:
        return list(self._matches)

    @property
    def drawn_count(self) -> int:
        return self._shown

    def action_open_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.remove_class("hidden")
        box.focus()
        self._into_view()

    def _into_view(self) -> None:
        """The filter and the rows it leaves at the top of the screen: in a long page (Spend at
        80x24) the table can start near the bottom, and its matches would be below the edge."""
        self.call_after_refresh(self.scroll_visible, animate=False, top=True)

    def action_close_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.value = ""
        box.add_class("hidden")
        self.query_one(VimTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.query_text = event.value
        self._apply()
        if event.value and not event.input.has_class("hidden"):  # not the Esc that closes it
            self._into_view()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(VimTable).focus()
