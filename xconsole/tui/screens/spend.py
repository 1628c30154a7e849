"""Screen 1, API spend management: credits, usage, invoiced billing, and the prepaid ledger."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Static

from xconsole.tui import format as fmt
from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.widgets.after_first_frame import AfterFirstFrame

# The body's widgets (panels, the ledger's table) are imported when the body is built, after the
# first frame: the console's first screen does not wait for them (~10 ms, measured).

LEDGER_COLUMNS = (("Date", "date"), ("Change", "origin"), ("Status", "status"), ("Amount", "amount"), ("Invoice", "invoice"))


class SpendBody(VerticalScroll):
    """The lazily mounted part of the screen: fills itself in once it exists."""

    def on_mount(self) -> None:
        self.call_after_refresh(self.screen.on_team_data)  # type: ignore[attr-defined]


class SpendScreen(TeamScreen):
    DEFAULT_CSS = """
    SpendScreen {
        #spend { height: 1fr; }
        #invoiced-row { margin: 1 1 0 1; height: auto; }
        #invoiced { width: 1fr; height: auto; }
        /* the key hint keeps its own column: it never splits across lines */
        #invoiced-hint { width: auto; margin-left: 3; color: $text-muted; }
        .section-title { margin: 1 1 0 1; }
    }
    """
    MODE = "spend"
    HELP = (
        "The team's prepaid credit and spend. Credits are bought here (by card, or by bank transfer which "
        "takes 2–3 business days), promo codes add credit, and the invoiced billing limit decides what "
        "happens when credits run out: at $0 (the default) API requests are rejected."
    )
    BINDINGS: ClassVar = [
        Binding("p", "buy_credits", "Buy credits", id="spend.buy", tooltip="Buy prepaid credits (card or bank transfer)"),
        Binding("o", "redeem_promo", "Promo code", id="spend.promo", tooltip="Redeem a promo code"),
        Binding("l", "set_limit", "Limit", id="spend.limit", tooltip="Change the invoiced billing limit"),
        Binding("i", "request_invoiced", "Invoiced billing", show=False, id="spend.invoiced",
                tooltip="Request monthly invoiced billing"),
        Binding("slash", "filter_ledger", "Filter ledger", show=False, id="spend.filter", key_display="/"),
    ]
    WRITE_ACTIONS = frozenset({"buy_credits", "redeem_promo", "set_limit", "request_invoiced"})

    # ------------------------------------------------------------------ actions (each names its team)

    def action_buy_credits(self) -> None:
        from xconsole.core.actions import Write
        from xconsole.tui.screens.buy_credits import BuyCreditsScreen

        snap = self.data.snapshot if self.data else None
        self.open_write(Write.BUY, lambda actions: BuyCreditsScreen(actions, snap.summary if snap else None))

    def action_redeem_promo(self) -> None:
        from xconsole.core.actions import Write
        from xconsole.tui.screens.promo_code import PromoCodeScreen

        self.open_write(Write.PROMO, PromoCodeScreen)

    def action_set_limit(self) -> None:
        from xconsole.core.actions import Write
        from xconsole.tui.screens.spending_limit import SpendingLimitScreen

        snap = self.data.snapshot if self.data else None
        if snap is None:
            self.notify("Limits are still loading.", severity="warning")
            return
        self.open_write(Write.LIMIT, lambda actions: SpendingLimitScreen(actions, snap.limits, snap.summary))

    def action_request_invoiced(self) -> None:
        from xconsole.core.actions import Write
        from xconsole.core.console import console_billing_url
        from xconsole.core.models import InvoicedBillingState
        from xconsole.core.money import format_cents

        snap = self.data.snapshot if self.data else None
        if self.team is None or snap is None:
            if not self.app.still_starting():  # type: ignore[attr-defined]
                self.notify("Invoiced billing is still loading.")
            return
        if snap.invoiced is None and snap.limits.ceiling_cents:
            # The real API has no invoiced-billing read, but a limit allowed above $0 is that billing on.
            self.notify(f"Monthly invoiced billing is on for {self.team.name}: its limit may go up to "
                        f"{format_cents(snap.limits.ceiling_cents)} (l changes it).")
            return
        if snap.invoiced is None:
            self.notify("Monthly invoiced billing is arranged with xAI sales (sales@x.ai) or from the console: "
                        f"{console_billing_url(self.team.team_id)}", timeout=10)
            return
        if snap.invoiced.status is not InvoicedBillingState.DISABLED:
            self.notify(f"Monthly invoiced billing is already {snap.invoiced.status.value.lower()} for {self.team.name}.")
            return
        self.confirm_write(
            Write.REQUEST_INVOICED, "Request invoiced billing",
            ["Request   monthly invoiced billing; xAI sales gets in touch, nothing changes until it is enabled"],
            "Send request", lambda actions: actions.request_invoiced())

    def action_filter_ledger(self) -> None:
        from xconsole.tui.widgets.console_table import FilterableTable

        for ledger in self.query(FilterableTable):
            ledger.scroll_visible()
            ledger.action_open_filter()

    def compose_body(self) -> ComposeResult:
        # Built once the first frame (header, team name, numbers) is on the terminal.
        yield AfterFirstFrame(self._body)

    @staticmethod
    def _body() -> SpendBody:
        from xconsole.tui.widgets.balance_panel import BalancePanel
        from xconsole.tui.widgets.console_table import FilterableTable
        from xconsole.tui.widgets.usage_panel import UsagePanel

        return SpendBody(
            BalancePanel(id="balance"),
            UsagePanel(id="usage"),
            Horizontal(Static("", id="invoiced"), Static("", id="invoiced-hint"), id="invoiced-row"),
            Static(Text("Prepaid ledger  (/ filter)", style="bold"), classes="section-title"),
            FilterableTable(LEDGER_COLUMNS, id="ledger"),
            id="spend",
        )


    _shown: tuple[object, ...] | None = None

    def on_team_data(self) -> None:
        super().on_team_data()
        data = self.data
        snap = data.snapshot if data else None
        # Rebuild the panels and the ledger only when the data itself changed (not for a loading
        # flag, and not when coming back to this screen with the same answer on hand).
        # By id, not type: the body's classes are imported after the first frame (`_body`).
        # Without a snapshot, whether it is loading or failed (and why) is what the card shows.
        waiting = None if snap is not None else (data.error, data.loading) if data else ("", True)
        shown = (self.team.team_id if self.team else None, data.generation if data else -1, len(self.query("#ledger")),
                 waiting)
        if shown == self._shown:
            return
        self._shown = shown
        for balance in self.query("#balance"):
            balance.show(snap, self.loading_text())  # type: ignore[attr-defined]
        for usage in self.query("#usage"):
            usage.show(snap)  # type: ignore[attr-defined]
        for invoiced in self.query("#invoiced").results(Static):
            status, hint = self._invoiced_text(snap)
            invoiced.update(status)
            # A key hint only for a key that works here (read-only mode: none does).
            hinted = "request_invoiced" if hint.startswith("i ") else "set_limit"
            self.query_one("#invoiced-hint", Static).update("" if self.unavailable(hinted) else hint)
        for ledger in self.query("#ledger"):
            ledger.set_rows(self._ledger_rows(snap) if snap else [])  # type: ignore[attr-defined]

    @staticmethod
    def _invoiced_text(snap: object) -> tuple[Text, str]:
        """The invoiced billing line, and the key that changes it."""
        if snap is None:
            return Text(""), ""
        from xconsole.core.models import InvoicedBillingState
        from xconsole.core.money import format_cents

        limits = snap.limits  # type: ignore[attr-defined]
        invoiced = snap.invoiced  # type: ignore[attr-defined]
        state = invoiced.status.value.lower() if invoiced is not None else "managed in the console"
        if limits.ceiling_cents == 0 and not limits.limit_cents:
            # No limit can be set yet: "$0.00 (max $0.00)" would only crowd an 80-column line.
            # (A hard limit of $0 is a team without invoiced billing, whatever the API can say of it.)
            shown = state if invoiced is not None else "not enabled"
            text = Text.assemble(("Invoiced billing ", "bold"), f"{shown}: ", ("prepaid only", "dim"))
            asked = invoiced is not None and invoiced.status is not InvoicedBillingState.DISABLED  # requested: i says so
            return text, "" if asked else "i request invoiced billing"
        # Spaces end a piece rather than start the next: a screenshot's renderer drops leading ones.
        text = Text.assemble(("Monthly invoiced billing ", "bold"), f"{state}   ",
                             ("limit ", "dim"), f"{format_cents(limits.limit_cents)}  ",
                             ("(max ", "dim"), format_cents(limits.ceiling_cents), (")", "dim"))
        return text, "l change the limit"

    @staticmethod
    def _ledger_rows(snap: object) -> list[tuple[str, list[Text | str]]]:
        from xconsole.core.money import format_cents

        rows = []
        for index, change in enumerate(snap.ledger.changes):  # type: ignore[attr-defined]
            credit = change.credit_cents
            status = fmt.status(change.topup_status.value if change.topup_status else None)
            style = "red" if change.is_failed else ("yellow" if change.is_pending else ("green" if (credit or 0) > 0 else ""))
            rows.append((f"row-{index}", [
                fmt.when(change.create_time),
                fmt.origin(change.change_origin.value),
                Text(status, style=style if change.topup_status else "dim"),
                Text(format_cents(credit, sign=True), style=style, justify="right"),
                change.invoice_number or "",
            ]))
        return rows
