"""Screen 6, history: what changed and who did it. The team's audit events merged with this
user's action journal (core.history), newest first, in one table: time, who, what, before → after.

The list pages in as you scroll: one audit page per request, fetched in a worker when the cursor
or the scroll position comes near the last row, and appended (never a rebuild), so a team with
thousands of events costs nothing until someone scrolls to them. `/` filters by words, which the
API searches (a new pager with the query); the journal is filtered the same way locally. Enter
shows one entry in full. A failed audit read is said, and the journal's rows are still shown.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, ClassVar

from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.widgets.console_table import VimTable

if TYPE_CHECKING:
    from xconsole.core.history import HistoryEntry, HistoryPager
    from xconsole.core.session import TeamHandle

#: The store resource whose `wanted` flag says "read again" (`r`, or a write just finished).
RESOURCE = "history"
PAGE_SIZE = 100
AHEAD = 30  # fetch the next page when the cursor or the view is this close to the last row
FILTER_DELAY_S = 0.35  # typing pauses this long before the query is sent
COLUMNS = (("time", "Time (UTC)"), ("who", " Who"), ("what", " What"), ("change", " Before → after"))
OUTCOME_STYLE = {"failed": "red", "unknown": "yellow"}


#: From this many columns on, before → after has a column of its own; narrower, it follows the
#: description (an 80-column terminal cannot give four columns room enough to read).
WIDE = 110


def column_widths(width: int) -> dict[str, int]:
    """Fixed widths filling `width` (the table's inner width): the description gets the rest."""
    if width >= WIDE:
        return {"time": 16, "who": 25, "what": width - 16 - 25 - 32, "change": 32}
    # The change column stays, one blank cell wide: a 0-wide cell breaks DataTable's row heights.
    who = 15 if width < 90 else 22
    return {"time": 16, "who": who, "what": max(20, width - 16 - who - 1), "change": 1}


def cells(entry: HistoryEntry, wide: bool) -> list[Text | Padding]:
    """A row: time, who, what, before → after (in its own column when `wide`, else after the
    description; an audit description says "…was updated from X to Y" itself)."""
    what = entry.what
    change = f"{entry.before} → {entry.after}" if entry.before and entry.after else (entry.after or "")
    from_to = what.rfind(" from ") if entry.source == "audit" and entry.before is not None else -1
    if wide and from_to > 0:
        what = what[:from_to]  # the last column says it
    elif from_to > 0:
        # Narrow: "Invoiced billing limit was updated from $1 to $2" as "Invoiced billing limit: $1 → $2".
        subject = re.sub(r" (?:was|were) updated$", "", what[:from_to])
        what = f"{subject}: {change}"
    elif not wide and change:
        what += f": {change}"  # a journal row: its before → after is not in the words
    style = ""
    if entry.outcome and entry.outcome != "done":
        what += f" — {entry.outcome}"
        style = OUTCOME_STYLE.get(entry.outcome, "")

    def cell(text: str, cell_style: str = "", wrap: bool = False) -> Text | Padding:
        if wrap and text:  # indented as a block, so a wrapped line starts under the first one
            return Padding(Text(text, style=cell_style, overflow="fold"), (0, 0, 0, 1))
        return Text(f" {text}", style=cell_style, no_wrap=True, overflow="ellipsis")

    # The description and the change wrap (a row grows a line) rather than lose the "after".
    return [Text(f"{entry.time:%Y-%m-%d %H:%M}", style="dim"),
            cell(entry.who, "cyan" if entry.source == "journal" else ""),
            cell(what, style, wrap=True), cell(change if wide else "", wrap=True)]


def inner_width(screen_width: int) -> int:
    """The table's width for its cells: the body's padding and the vertical scrollbar taken off."""
    return max(screen_width - 4, 60)


class HistoryScreen(TeamScreen):
    DEFAULT_CSS = """
    HistoryScreen {
        #history-filter { margin-bottom: 1; }
        #history-table { height: 1fr; }
        #history-status { height: auto; max-height: 3; padding: 0 1; }
    }
    """
    MODE = "history"
    HELP = (
        "What changed in the team's billing and who did it: the team's audit events (every change, by "
        "anyone, through any tool) merged with this machine's xconsole journal (which names the person "
        "behind a shared management key, and keeps writes that failed or got no answer), newest first. "
        "Journal rows are shown with their author in cyan. Older entries load as you scroll. Times are UTC."
    )
    BINDINGS: ClassVar = [
        Binding("slash", "filter", "Filter", id="history.filter", key_display="/",
                tooltip="Filter by words in the description (the API searches the audit events)"),
        Binding("escape", "clear_filter", "Clear filter", show=False, id="history.clear_filter"),
        Binding("enter", "open_entry", "Open", show=False, id="history.open", tooltip="Show the highlighted entry in full"),
        Binding("c", "copy_id", "Copy id", show=False, id="history.copy",
                tooltip="Copy the highlighted entry's event id (or a journal row's idempotency key)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[HistoryEntry] = []  # row i of the table is entries[i]
        self.filter_text = ""  # the filter the rows were read with
        self.pager: HistoryPager | None = None
        self.error: str | None = None  # why the list could not be read (the audit error is the pager's)
        self.fetching = False
        self._team_id: str | None = None  # the team the rows belong to
        self._generation = 0  # bumps on every reset: an older page's answer is dropped
        self._filter_timer: Any = None
        self._widths: dict[str, int] = {}

    def compose_body(self) -> ComposeResult:
        yield Input(placeholder="filter: words in the description (Enter: done, Esc: clear)", id="history-filter",
                    compact=True, classes="hidden")
        yield VimTable(id="history-table", cursor_type="row", zebra_stripes=True, cell_padding=0)
        yield Static("", id="history-status")

    @property
    def table(self) -> VimTable:
        return self.query_one("#history-table", VimTable)

    def on_mount(self) -> None:
        table = self.table
        self._widths = column_widths(inner_width(self.size.width))
        for key, label in COLUMNS:
            table.add_column(label, key=key, width=self._widths[key])
        self.watch(table, "scroll_y", self._scrolled, init=False)
        super().on_mount()
        table.focus()

    @property
    def wide(self) -> bool:
        return self._widths.get("change", 0) > 1

    def on_resize(self) -> None:
        # Columns follow the terminal's width, changed in place: thousands of rows are not re-added.
        widths = column_widths(inner_width(self.size.width))
        if widths == self._widths:
            return
        was_wide = self.wide
        self._widths = widths
        table = self.table
        for key, width in widths.items():
            table.columns[key].width = width  # type: ignore[index]
        if self.wide != was_wide:  # before → after moves between its column and the description
            for index, entry in enumerate(self.entries):
                _time, _who, what, change = cells(entry, self.wide)
                table.update_cell(str(index), "what", what)
                table.update_cell(str(index), "change", change)
        # Re-measure the virtual width and every row's height (rows wrap) when next idle.
        for row in table.rows.values():
            row.height = 0  # 0: "not measured yet" to DataTable, which then measures it at the new width
        table._clear_caches()
        table._new_rows.update(table.rows)
        table._require_update_dimensions = True
        table.refresh()

    # ------------------------------------------------------------------ data in

    def on_team_data(self) -> None:
        super().on_team_data()
        store = self.store
        team = store.team
        if team is None or store.session is None:
            self._show_status()
            return
        res = store.resource(team, RESOURCE)
        # Another team, `r`, or a write just finished (the store marks the resource wanted): from the newest again.
        if team.team_id != self._team_id or res.wanted:
            res.wanted = False
            self._reset(team)

    def _reset(self, team: TeamHandle) -> None:
        self._generation += 1
        self._team_id = team.team_id
        self.entries = []
        self.pager = None
        self.error = None
        self.fetching = False
        self.table.clear()
        self._fetch_more()

    def _fetch_more(self) -> None:
        team = self.team
        if self.fetching or team is None or team.team_id != self._team_id or (self.pager is not None and self.pager.done):
            self._show_status()
            return
        self.fetching = True
        self._show_status()
        self.run_worker(self._fetch(team, self._generation, self.filter_text), group="history-page", exit_on_error=False)

    async def _fetch(self, team: TeamHandle, generation: int, query: str) -> None:
        """One page (the first one makes the pager); an answer for an older reset is dropped."""
        from xconsole.core.actions import describe_error
        from xconsole.core.history import HistoryPager

        try:
            pager = self.pager
            if pager is None:
                client = await self.store.client(team)
                pager = HistoryPager(client, team.team_id, query=query or None, page_size=PAGE_SIZE)
            found = await pager.next_page()
        except Exception as exc:  # noqa: BLE001 - said on the screen, r retries
            if generation == self._generation:
                self.fetching = False
                self.error = describe_error(exc)
                self._show_status()
            return
        if generation != self._generation:
            return  # another team or filter since: its own read is under way
        self.pager = pager
        self.fetching = False
        self.error = None
        self._append(found)

    def _append(self, found: list[HistoryEntry]) -> None:
        table = self.table
        start = len(self.entries)
        self.entries += found
        for offset, entry in enumerate(found):
            table.add_row(*cells(entry, self.wide), key=str(start + offset), height=None)
        self._show_status()
        if self._near_end():
            self._fetch_more()  # the rows so far do not fill the view, or the cursor is already close

    def _near_end(self) -> bool:
        table = self.table
        rows = table.row_count
        if self.pager is None or self.pager.done:
            return False
        view_end = int(table.scroll_y) + table.scrollable_content_region.height
        return rows - max(table.cursor_row, view_end) < AHEAD

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if self._near_end():
            self._fetch_more()

    def _scrolled(self) -> None:
        if self._near_end():
            self._fetch_more()

    def _show_status(self) -> None:
        text = Text()
        count = len(self.entries)
        filtered = f" matching “{self.filter_text}”" if self.filter_text else ""
        pager = self.pager
        if self.store.team is None or (pager is None and self.fetching):
            text.append("Loading history…", style="dim")
        elif pager is not None:
            if count == 0 and pager.done:
                # Where nothing was found: not "the audit events" when they could not be read (said below).
                where = "this machine's journal" if pager.audit_error is not None else \
                    "the audit events or this machine's journal"
                text.append(f"Nothing{filtered} in {where}." if self.filter_text else f"No history yet: nothing in {where}.",
                            style="dim")
            else:
                text.append(f"{count:,} entr{'y' if count == 1 else 'ies'}{filtered}, newest first")
                text.append(" · loading older…" if self.fetching else " · all loaded" if pager.done else
                            " · scroll for older", style="dim")
            if pager.audit_error is not None:
                from xconsole.core.actions import describe_error

                text.append(f"\nThe audit events could not be read ({describe_error(pager.audit_error)}): "
                            "showing this machine's journal only.", style="yellow")
        if self.error:
            text.append(("\n" if text else "") + f"{self.error} — r retries", style="red")
        self.query_one("#history-status", Static).update(text)

    # ------------------------------------------------------------------ filter

    def action_filter(self) -> None:
        box = self.query_one("#history-filter", Input)
        box.remove_class("hidden")
        box.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#history-filter", Input)
        if box.has_class("hidden") and not self.filter_text:
            return
        with box.prevent(Input.Changed):
            box.value = ""
        box.add_class("hidden")
        self.table.focus()
        self._apply_filter("")

    @on(Input.Changed, "#history-filter")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(FILTER_DELAY_S, lambda: self._apply_filter(value))

    @on(Input.Submitted, "#history-filter")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_filter(event.value)
        if not event.value.strip():
            event.input.add_class("hidden")
        self.table.focus()

    def _apply_filter(self, text: str) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_timer = None
        query = " ".join(text.split())
        team = self.team
        if query == self.filter_text or team is None:
            return
        self.filter_text = query
        self._reset(team)

    # ------------------------------------------------------------------ one entry

    def selected(self) -> HistoryEntry | None:
        table = self.table
        if table.row_count == 0:
            return None
        row = table.cursor_row
        return self.entries[row] if 0 <= row < len(self.entries) else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_entry()

    def action_open_entry(self) -> None:
        entry = self.selected()
        if entry is not None:
            self.app.push_screen(HistoryEntryScreen(entry))

    def action_copy_id(self) -> None:
        entry = self.selected()
        ident = entry and (entry.event_id or entry.idempotency_key)
        if not ident:
            self.notify("Select an entry with an id first.")
            return
        self.app.copy_to_clipboard(ident)
        self.notify(f"Copied {ident}")


class HistoryEntryScreen(ModalScreen[None]):
    """One history entry in full: every field the audit event or the journal row has."""

    BINDINGS: ClassVar = [
        Binding("escape,enter,q", "dismiss", "Close", id="entry.close"),
        Binding("c", "copy_id", "Copy id", id="entry.copy", tooltip="Copy the event id or idempotency key"),
    ]

    def __init__(self, entry: HistoryEntry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        from xconsole.core.money import format_cents

        e = self.entry
        rows: list[tuple[str, str]] = [
            ("When", e.time.strftime("%Y-%m-%d %H:%M:%S UTC")),
            ("Who", e.who),
            ("What", e.what),
            ("Before", e.before or ""),
            ("After", e.after or ""),
            ("Source", "audit event (the team's record)" if e.source == "audit" else
             "journal (written by xconsole on this machine)"),
            ("Outcome", e.outcome or ""),
            ("Reason", e.reason or ""),
            ("Amount", format_cents(e.amount_cents) if e.amount_cents is not None else ""),
            ("Event id", e.event_id or ""),
            ("Idempotency key", e.idempotency_key or ""),
        ]
        fields = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
        fields.add_column(style="dim", no_wrap=True)
        fields.add_column(overflow="fold")  # ids and long descriptions wrap, never cut
        for name, value in rows:
            if value:
                fields.add_row(name, value)
        with Vertical(id="history-entry", classes="dialog"):
            yield Label("History entry", classes="dialog-title")
            yield Static(fields, id="entry-fields", classes="dialog-text")
            yield Label("Esc/Enter close · c copy id", classes="dialog-hint")

    def action_copy_id(self) -> None:
        ident = self.entry.event_id or self.entry.idempotency_key
        if ident:
            self.app.copy_to_clipboard(ident)
            self.notify(f"Copied {ident}")
