"""One invoice (Enter on the Invoices screen): every line, the totals, the charge attempts with
the payment method used, and the billing details it was issued to. Also this month's preview (v).

The list holds invoices without their lines; the full invoice is read here by id
(`invoiceIds.invoiceIds`) by the store, for the team the screen was opened for.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from xconsole.tui.store import TeamDataChanged, TeamStore

if TYPE_CHECKING:
    from xconsole.core.models import BillingInfo, InvoiceBundle, InvoiceLine, InvoicePreview, InvoiceSummary
    from xconsole.core.session import TeamHandle
    from xconsole.tui.state import Resource


def lines_table(lines: list[InvoiceLine]) -> Table | Text:
    from xconsole.core.money import format_cents

    if not lines:
        return Text("No lines.", style="dim")
    table = Table(box=None, pad_edge=False, expand=True, header_style="bold")
    # One row per line even at 80 columns: long names end in "…" rather than wrapping.
    table.add_column("Description", ratio=3, no_wrap=True, overflow="ellipsis")
    table.add_column("Unit type", ratio=2, no_wrap=True, overflow="ellipsis")
    table.add_column("Units", justify="right")
    table.add_column("Unit price", justify="right")
    table.add_column("Amount", justify="right")
    for line in lines:
        # The unit price's unit is disputed (reference, open question 3): shown as sent.
        table.add_row(line.description or "—", line.unit_type, f"{line.num_units:,}", f"{line.unit_price:,}",
                      format_cents(line.amount))
    return table


def address_text(info: BillingInfo | None) -> Text:
    if info is None:
        return Text("The API does not return the address an invoice was issued to; the PDF in the xAI "
                    "console shows it.", style="dim")
    a = info.address
    parts = [info.name, info.email, a.line1, a.line2, " ".join(p for p in (a.postal_code, a.city, a.state) if p),
             a.country, f"Tax ID {info.tax_id_type} {info.tax_number}" if info.tax_number else ""]
    return Text("\n".join(p for p in parts if p) or "No billing details were on file.")


class InvoiceDetailScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q", "dismiss", "Close", id="detail.close"),
        Binding("c", "copy_number", "Copy number", id="detail.copy"),
        Binding("e", "export", "Export lines", id="detail.export"),
        Binding("r", "retry", "Read again", show=False, id="detail.retry"),
    ]
    DEFAULT_CSS = """
    InvoiceDetailScreen {
        #detail-head, #detail-totals, #detail-lines { margin-bottom: 1; }
    }
    """

    @property
    def store(self) -> TeamStore:
        return self.app.store  # type: ignore[attr-defined]

    def __init__(self, team: TeamHandle, invoice: InvoiceSummary | None, labels: dict[str, str], *,
                 preview: InvoicePreview | None = None) -> None:
        super().__init__()
        self.team = team
        self.summary = invoice
        self.labels = labels
        self.preview = preview
        self.bundle: InvoiceBundle | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="invoice-detail", classes="dialog wide"):
            yield Label(self._title(), classes="dialog-title")
            yield Static("", id="detail-head")
            yield Static(Text("Loading lines…", style="dim") if self.preview is None else "", id="detail-lines")
            yield Static("", id="detail-totals")
            yield Static("", id="detail-attempts")
            yield Label(("" if self.preview is not None else "c copy number · ") + "e export lines · Esc close",
                        classes="dialog-hint")

    def _title(self) -> str:
        if self.preview is not None:
            cycle = self.preview.billing_cycle
            return f"{self.team.name}: {cycle.year:04d}-{cycle.month:02d} so far (month-end invoice preview)"
        number = self.summary.invoice_number if self.summary else ""
        return f"{self.team.name}: invoice {number}"

    def on_mount(self) -> None:
        if self.preview is not None:
            self._show_preview(self.preview)
        else:
            self._load()

    @property
    def _resource(self) -> str:
        return f"invoice:{self.summary.invoice_id if self.summary else ''}"

    def on_unmount(self) -> None:
        self.store.unsubscribe(self)

    def action_retry(self) -> None:
        if self.preview is None:
            self._load(force=True)

    def _load(self, *, force: bool = False) -> None:
        """The full invoice, read by the store for the team it was opened for (kept with that
        team's data, so reopening it is instant and `r` there reads it again)."""
        assert self.summary is not None
        self.store.subscribe(self)
        res = self.store.invoice(self.team, self.summary.invoice_id, force=force)
        self._show_read(res)

    @on(TeamDataChanged)
    def _team_data(self, event: TeamDataChanged) -> None:
        if event.team_id == self.team.team_id and self.preview is None:
            self._show_read(self.store.resource(self.team, self._resource))

    def _show_read(self, res: Resource) -> None:
        if res.value is not None and res.value is not self.bundle:
            self.bundle = res.value
            self._show_invoice(res.value)
        elif res.value is None and res.error and not res.loading:
            self.query_one("#detail-lines", Static).update(
                Text(f"Could not read this invoice: {res.error} — r tries again.", style="red"))
        elif res.value is None:
            self.query_one("#detail-lines", Static).update(Text("Loading lines…", style="dim"))

    def _show_invoice(self, bundle: InvoiceBundle) -> None:
        from xconsole.core.invoices import STATUS_LABEL, attempt_lines
        from xconsole.core.money import format_cents

        status = bundle.invoice_status.value
        created = bundle.create_time.strftime("%Y-%m-%d %H:%M UTC") if bundle.create_time else "—"
        head = Text.assemble(("Kind ", "dim"), bundle.kind, ("   Period ", "dim"), bundle.period,
                             ("   Created ", "dim"), created, ("   Status ", "dim"),
                             (STATUS_LABEL.get(status, status), "bold red" if status == "FAILED" else "bold"))
        self.query_one("#detail-head", Static).update(head)
        self.query_one("#detail-lines", Static).update(lines_table(bundle.lines))
        totals = Text.assemble(("Subtotal ", "dim"), format_cents(bundle.subtotal), ("   Tax ", "dim"),
                               format_cents(bundle.tax), ("   Total ", "dim"), (format_cents(bundle.total), "bold"))
        if bundle.monthly is not None and bundle.monthly.prepaid_tokens_to_spend.val:
            totals.append(f"\nPrepaid credit used this cycle {format_cents(bundle.monthly.prepaid_tokens_to_spend.val)}",
                          style="dim")
        self.query_one("#detail-totals", Static).update(totals)
        attempts = Text()
        note = self._unpaid_note(bundle)
        if note:
            attempts.append(f"{note}\n\n", style="bold red")
        attempts.append("Charge attempts\n", style="bold")
        attempts.append("\n".join(attempt_lines(bundle.charger_attempts, self.labels)) or "none (nothing to charge)")
        attempts.append("\n\nIssued to\n", style="bold")
        attempts.append_text(address_text(bundle.issued_to))
        self.query_one("#detail-attempts", Static).update(attempts)

    def _unpaid_note(self, bundle: InvoiceBundle) -> str | None:
        from xconsole.core.console import console_billing_url
        from xconsole.core.invoices import unpaid_note

        data = self.store.data(self.team.team_id)
        snap = data.snapshot if data else None
        methods = snap.payment_methods.payment_methods if snap else []
        today = snap.today if snap else date.today()
        return unpaid_note(bundle, methods, today, console_billing_url(self.team.team_id))

    def _show_preview(self, preview: InvoicePreview) -> None:
        from xconsole.core.money import format_cents

        core = preview.core_invoice
        self.query_one("#detail-head", Static).update(Text(
            "Usage of the current billing cycle so far; the invoice is issued at month end.", style="dim"))
        self.query_one("#detail-lines", Static).update(lines_table(core.lines))
        covered = -core.prepaid_credits_used.val
        self.query_one("#detail-totals", Static).update(Text.assemble(
            ("Spent so far ", "dim"), (format_cents(preview.month_to_date_spend_cents), "bold"),
            ("\nPrepaid credit covers ", "dim"), format_cents(covered),
            ("\nBilled at month end ", "dim"), format_cents(preview.beyond_prepaid_cents),
            ("   (before tax ", "dim"), format_cents(core.amount_before_vat), (", tax ", "dim"),
            format_cents(core.vat_cost), (")", "dim")))

    # ------------------------------------------------------------------ actions

    def action_copy_number(self) -> None:
        number = self.summary.invoice_number if self.summary else ""
        if number:
            self.app.copy_to_clipboard(number)
            self.app.notify(f"Copied invoice number {number}")
        elif self.preview is not None:
            self.app.notify("This month's preview has no invoice number yet: the invoice is issued at month end.")
        else:
            self.app.notify("This invoice has no number to copy.", severity="warning")

    def action_export(self) -> None:
        from xconsole.core import export
        from xconsole.tui.screens.export_dialog import ExportScreen

        if self.preview is not None:
            cycle = self.preview.billing_cycle
            number, lines = f"preview-{cycle.year:04d}-{cycle.month:02d}", self.preview.core_invoice.lines
        elif self.bundle is not None:
            number, lines = self.bundle.invoice_number, self.bundle.lines
        else:
            self.app.notify("The lines are still loading.")
            return
        records = export.line_records(number, lines)
        self.app.push_screen(ExportScreen(self.team, f"{len(records)} line{'' if len(records) == 1 else 's'} of {number}", f"invoice-{number}",
                                          records, export.LINE_FIELDS, "lines"))
