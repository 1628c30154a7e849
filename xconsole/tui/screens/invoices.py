"""Screen 4, invoices: this month's preview, then prepaid and monthly invoices newest first, with
year/kind/status filters, `/`, a detail view (Enter), copy (c) and export (e).

Long histories are read by period (core.invoices): this month first, then back to
January of last year, and older years only when the year filter asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Select, Static

from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.widgets.console_table import FilterableTable, VimTable
from xconsole.tui.store import INVOICES

if TYPE_CHECKING:
    from xconsole.core.invoices import InvoiceFilter, InvoiceListing, Month
    from xconsole.core.models import InvoiceSummary

# One space between columns instead of DataTable's two, so all eight fit in 80 columns.
COLUMNS = ((" Number", "number"), (" Kind", "kind"), (" Period", "period"), (" Status", "status"),
           (Text(" Subtotal", justify="right"), "subtotal"), (Text(" Tax", justify="right"), "tax"),
           (Text(" Total", justify="right"), "total"), (Text(" Tries", justify="right"), "tries"))
STATUS_STYLE = {"PAID": "green", "PENDING": "yellow", "FAILED": "bold red", "WILL_NEVER_BE_CHARGED": "dim"}
RECENT, ALL = "recent", "all"
RESOURCE = INVOICES


class InvoicesScreen(TeamScreen):
    DEFAULT_CSS = """
    InvoicesScreen {
        #invoice-preview { height: auto; margin-bottom: 1; }
        #invoice-filters { height: 1; margin-bottom: 1; }
        #invoice-filters Select { width: 18; margin-right: 2; }
        #invoices { height: 1fr; padding: 0; }
        #invoices VimTable { height: 1fr; max-height: 100%; }
        /* an error next to the count wraps instead of being cut */
        #invoice-status { height: auto; max-height: 3; }
    }
    """
    MODE = "invoices"
    HELP = (
        "Prepaid and monthly invoices of the team, newest first. The line at the top is this month's "
        "invoice so far. Enter opens an invoice: its lines, charge attempts and the billing address it was "
        "issued to. Invoices are never regenerated: an address change shows on new invoices only."
    )
    BINDINGS: ClassVar = [
        Binding("enter", "open_invoice", "Open", id="invoices.open", show=False,
                tooltip="Open the highlighted invoice: lines, charge attempts, address"),
        Binding("c", "copy_number", "Copy number", id="invoices.copy", show=False),
        Binding("e", "export", "Export", id="invoices.export", tooltip="Export the invoices shown (CSV or JSON)"),
        Binding("v", "preview", "This month", id="invoices.preview", tooltip="This month's invoice so far"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._drawn: tuple[str, Any, Any] | None = None  # (team, listing, filter) on screen

    def compose_body(self) -> ComposeResult:
        yield Static("", id="invoice-preview")
        with Horizontal(id="invoice-filters"):
            yield Select(self._year_options(), id="filter-year", allow_blank=False, value=RECENT, compact=True)
            yield Select([("All kinds", ""), ("Prepaid", "prepaid"), ("Monthly", "monthly")],
                         id="filter-kind", allow_blank=False, value="", compact=True)
            yield Select([("All statuses", ""), ("Paid", "PAID"), ("Pending", "PENDING"), ("Failed", "FAILED"),
                          ("Not charged", "WILL_NEVER_BE_CHARGED")],
                         id="filter-status", allow_blank=False, value="", compact=True)
        yield FilterableTable(COLUMNS, id="invoices", cell_padding=0)
        yield Static("", id="invoice-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#invoices VimTable", VimTable).focus()

    def _year_options(self) -> list[tuple[str, Any]]:
        from datetime import date

        data = self.data
        year = data.snapshot.today.year if data and data.snapshot else date.today().year
        return [("Recent", RECENT)] + [(str(y), y) for y in range(year, year - 5, -1)] + [("All years", ALL)]

    # ------------------------------------------------------------------ what to show

    def current_filter(self) -> InvoiceFilter:
        from xconsole.core.invoices import InvoiceFilter

        year = self.query_one("#filter-year", Select).value
        kind = self.query_one("#filter-kind", Select).value
        status = self.query_one("#filter-status", Select).value
        return InvoiceFilter(year=year if isinstance(year, int) else None, kind=kind or None, status=status or None)

    def _needed(self, today: Any) -> Month | None:
        """The oldest month the year filter needs (None: all history)."""
        from xconsole.core.invoices import second_window

        year = self.query_one("#filter-year", Select).value
        if year == ALL:
            return None
        if isinstance(year, int):
            return min((year, 1), second_window(today))
        return second_window(today)

    def listing(self) -> InvoiceListing | None:
        team = self.team
        return self.store.resource(team, RESOURCE).value if team else None

    def on_team_data(self) -> None:
        super().on_team_data()
        store = self.store
        team = store.team
        if team is None or store.session is None:
            self._status(Text("Loading…", style="dim"))
            return
        res = store.resource(team, RESOURCE)
        self._fetch_if_needed(team, res)
        data = self.data
        self._show_preview(data.snapshot if data else None)
        self._draw(team.team_id, res.value)
        self._show_status(res)

    def _fetch_if_needed(self, team: Any, res: Any) -> None:
        from xconsole.tui.store import FIRST_WINDOW

        if res.loading or (res.error is not None and not res.wanted):
            return
        listing: InvoiceListing | None = res.value
        if listing is None or res.wanted:
            # First visit: a quick read of this month; `r`: the same period again.
            self.store.invoices(team, listing.since if listing is not None else FIRST_WINDOW)
            return
        data = self.data
        today = data.snapshot.today if data and data.snapshot else None
        if today is None:
            return
        needed = self._needed(today)
        if not listing.covers(needed):
            self.store.invoices(team, needed)

    def _draw(self, team_id: str, listing: InvoiceListing | None) -> None:
        table = self.query_one("#invoices", FilterableTable)
        wanted = self.current_filter()
        key = (team_id, listing, wanted)
        if key == self._drawn:
            return
        self._drawn = key
        if listing is None:
            table.set_source([], {}, lambda _k: ())
            return
        chosen = listing.select(wanted)
        table.set_source([i.invoice_id for i in chosen], listing.texts, lambda k: _cells(listing.get(k)))

    def on_filterable_table_changed(self, event: FilterableTable.Changed) -> None:
        team = self.team
        if team is not None:
            self._show_status(self.store.resource(team, RESOURCE))

    @on(Select.Changed, "#invoice-filters Select")
    def _filter_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.on_team_data()

    def _show_status(self, res: Any) -> None:
        listing: InvoiceListing | None = res.value
        table = self.query_one("#invoices", FilterableTable)
        text = Text()
        if listing is None and (res.loading or res.error is None):
            text.append("Loading invoices…", style="dim")
        elif listing is None:
            pass  # the error below says why there is no list
        else:
            period = f"since {listing.since[0]:04d}-{listing.since[1]:02d}" if listing.since else "all history"
            count = table.visible_count
            text.append(f"{count:,} of {len(listing):,} invoices ({period})")
            if count == 0 and len(listing):
                text.append(" — no invoice matches these filters", style="yellow")
            elif not len(listing):
                text.append(" — no invoices in this period yet", style="dim")
            if res.loading:
                text.append(" · loading more…", style="dim")
        if res.error:
            text.append(f"  {res.error} — r retries", style="red")
        self._status(text)

    def _status(self, text: Text) -> None:
        self.query_one("#invoice-status", Static).update(text)

    def _show_preview(self, snap: Any) -> None:
        from xconsole.core.money import format_cents

        panel = self.query_one("#invoice-preview", Static)
        if snap is None:  # loading, or why it failed (and that it is being read again)
            failed = self.data is not None and bool(self.data.error)
            panel.update(self.loading_text() if failed else Text("This month: loading…", style="dim"))
            return
        preview = snap.preview
        cycle = preview.billing_cycle
        covered = -preview.core_invoice.prepaid_credits_used.val
        text = Text.assemble((f"{cycle.year:04d}-{cycle.month:02d} so far ", "bold"),
                             f"{format_cents(preview.month_to_date_spend_cents)}  ",
                             ("credits cover ", "dim"), f"{format_cents(covered)}  ",
                             ("at month end ", "dim"), format_cents(preview.beyond_prepaid_cents))
        panel.update(text)

    # ------------------------------------------------------------------ actions

    def selected(self) -> InvoiceSummary | None:
        listing = self.listing()
        key = self.query_one("#invoices", FilterableTable).cursor_key
        return listing.get(key) if listing and key else None

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open_invoice()

    def action_open_invoice(self) -> None:
        from xconsole.tui.screens.invoice_detail import InvoiceDetailScreen

        invoice = self.selected()
        team = self.team
        if invoice is None or team is None:
            return
        self.app.push_screen(InvoiceDetailScreen(team, invoice, self._method_labels()))

    def action_preview(self) -> None:
        from xconsole.tui.screens.invoice_detail import InvoiceDetailScreen

        data = self.data
        if self.team is None or data is None or data.snapshot is None:
            return
        self.app.push_screen(InvoiceDetailScreen(self.team, None, {}, preview=data.snapshot.preview))

    def _method_labels(self) -> dict[str, str]:
        from xconsole.core.invoices import method_labels

        data = self.data
        return method_labels(data.snapshot.payment_methods.payment_methods) if data and data.snapshot else {}

    def action_copy_number(self) -> None:
        invoice = self.selected()
        if invoice is None or not invoice.invoice_number:
            self.notify("Select an invoice first.")
            return
        self.app.copy_to_clipboard(invoice.invoice_number)
        self.notify(f"Copied invoice number {invoice.invoice_number}")

    def action_export(self) -> None:
        from xconsole.core import export
        from xconsole.tui.screens.export_dialog import ExportScreen

        listing = self.listing()
        team = self.team
        table = self.query_one("#invoices", FilterableTable)
        if listing is None or team is None:
            return
        keys = table.matching_keys
        if not keys:
            self.notify("No invoices to export with these filters.", severity="warning")
            return
        records = [export.invoice_record(listing.get(k)) for k in keys]  # type: ignore[arg-type]
        self.app.push_screen(ExportScreen(team, f"{len(records):,} invoice{'' if len(records) == 1 else 's'}", "invoices", records,
                                          export.INVOICE_FIELDS, "invoices"))


def _cells(invoice: InvoiceSummary | None) -> list[Text | str]:
    from xconsole.core.invoices import STATUS_LABEL, failed_attempts
    from xconsole.core.money import format_cents

    if invoice is None:
        return ["", "", "", "", "", "", "", ""]
    status = invoice.status
    return [
        f" {invoice.invoice_number or invoice.invoice_id[:12]}",
        f" {invoice.kind}",
        f" {invoice.period}",
        Text(f" {STATUS_LABEL.get(status, status.lower())}", style=STATUS_STYLE.get(status, "")),
        Text(f" {format_cents(invoice.subtotal or 0)}", justify="right"),
        Text(f" {format_cents(invoice.tax or 0)}", justify="right"),
        Text(f" {format_cents(invoice.total or 0)}", justify="right", style="bold"),
        # The count; red when a charge attempt failed (the detail says which and with what).
        Text(f" {invoice.attempts or '—'}", justify="right", style="bold red" if failed_attempts(invoice) else ""),
    ]
