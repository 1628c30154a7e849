"""Screen 1, API spend management: credits, usage, invoiced billing, and the prepaid ledger."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from xconsole.tui import format as fmt
from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.widgets.balance_panel import BalancePanel
from xconsole.tui.widgets.console_table import FilterableTable
from xconsole.tui.widgets.usage_panel import UsagePanel

LEDGER_COLUMNS = (("Date", "date"), ("Change", "origin"), ("Status", "status"), ("Amount", "amount"), ("Invoice", "invoice"))


class SpendScreen(TeamScreen):
    MODE = "spend"
    HELP = (
        "The team's prepaid credit and spend. Credits are bought here (by card, or by bank transfer which "
        "takes 2–3 business days), promo codes add credit, and the invoiced billing limit decides what "
        "happens when credits run out: at $0 (the default) API requests are rejected."
    )
    BINDINGS: ClassVar = [
        Binding("p", "app.buy_credits", "Buy credits", id="spend.buy"),
        Binding("o", "app.redeem_promo", "Promo code", id="spend.promo"),
        Binding("l", "app.set_limit", "Limit", show=False, id="spend.limit", tooltip="Invoiced billing limit"),
        Binding("i", "app.request_invoiced", "Invoiced billing", show=False, id="spend.invoiced"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="spend"):
            yield BalancePanel(id="balance")
            yield UsagePanel(id="usage")
            yield Static("", id="invoiced")
            yield Static(Text("Prepaid ledger  (/ filter)", style="bold"), classes="section-title")
            yield FilterableTable(LEDGER_COLUMNS, id="ledger")

    def on_team_data(self) -> None:
        super().on_team_data()
        data = self.xapp.active_data()
        snap = data.snapshot if data else None
        self.query_one(BalancePanel).show(snap)
        self.query_one(UsagePanel).show(snap)
        self.query_one("#invoiced", Static).update(self._invoiced_text(snap))
        ledger = self.query_one(FilterableTable)
        ledger.set_rows(self._ledger_rows(snap) if snap else [])

    @staticmethod
    def _invoiced_text(snap: object) -> Text:
        if snap is None:
            return Text("")
        from xconsole.core.money import format_cents

        limits = snap.limits  # type: ignore[attr-defined]
        invoiced = snap.invoiced  # type: ignore[attr-defined]
        state = invoiced.status.value.lower() if invoiced is not None else "managed in the console"
        text = Text.assemble(("Monthly invoiced billing ", "bold"), state, "   ",
                             ("limit ", "dim"), format_cents(limits.effective_sl.val),
                             ("  (max ", "dim"), format_cents(limits.effective_hard_sl.val), (")", "dim"))
        hint = "l change the limit" if limits.effective_hard_sl.val else "i request invoiced billing"
        text.append(f"   {hint}", style="dim")
        return text

    @staticmethod
    def _ledger_rows(snap: object) -> list[tuple[str, list[Text | str]]]:
        from xconsole.core.money import format_cents

        rows = []
        for index, change in enumerate(snap.ledger.changes):  # type: ignore[attr-defined]
            credit = change.credit_cents
            status = fmt.status(change.topup_status.value if change.topup_status else None)
            style = "red" if change.is_failed else ("yellow" if change.is_pending else ("green" if credit > 0 else ""))
            rows.append((f"row-{index}", [
                fmt.when(change.create_time),
                fmt.origin(change.change_origin.value),
                Text(status, style=style if change.topup_status else "dim"),
                Text(format_cents(credit, sign=True), style=style, justify="right"),
                change.invoice_number or "",
            ]))
        return rows
