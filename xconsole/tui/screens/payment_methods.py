"""Screen 3, payment methods: cards and bank accounts, the default, expiry warnings, and each
method's billing details. The screen owns its writes (make default, add, remove): adding and
removing are console-only on the public API, and removing the default asks for its successor
and for the team's name to be typed."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.widgets.console_table import VimTable

if TYPE_CHECKING:
    from xconsole.core.actions import TeamActions
    from xconsole.core.models import PaymentMethod
    from xconsole.core.session import TeamHandle

#: Expiring cards are flagged this many days ahead.
EXPIRY_WARNING_DAYS = 60
#: The styles `expiry` gives a card that has expired or soon will: its charges would be declined.
FLAGGED = ("bold red", "bold yellow")


def expiry(method: PaymentMethod, today: date) -> tuple[str, str]:
    """(text, style) of a card's expiry: red when expired, yellow within 60 days."""
    from xconsole.core.billing import card_ends

    card, last_day = method.card_details, card_ends(method)
    if card is None or last_day is None:
        return ("—", "dim")
    text = f"{card.exp_month:02d}/{card.exp_year % 100:02d}"
    if last_day <= today:
        return (f"{text} expired", "bold red")
    if (last_day - today).days <= EXPIRY_WARNING_DAYS:
        return (f"{text} soon", "bold yellow")
    return (text, "")


def expiry_warning(method: PaymentMethod, today: date) -> Text | None:
    """The line a confirmation shows when `method`, about to become the default, has expired or
    soon will: its charges would be declined."""
    shown, style = expiry(method, today)
    if style not in FLAGGED:
        return None
    return Text(f"⚠ Expiry    {shown}: " + ("charges to it are declined; update the card or choose another"
                if shown.endswith("expired") else "charges after that are declined; update the card before then"),
                style=style)


def choice_label(method: PaymentMethod, today: date) -> Text:
    """A method as offered for the new default: an expired or expiring card says so."""
    shown, style = expiry(method, today)
    label = Text(method.label())
    if style in FLAGGED:
        label.append(f"  {shown}", style=style)
    return label


#: Below this many columns the details panel goes under the table.
NARROW = 100


class PaymentMethodsScreen(TeamScreen):
    DEFAULT_CSS = """
    PaymentMethodsScreen {
        #payments { height: 1fr; }
        #payments-left { width: 1fr; height: 1fr; }
        #methods-table { height: auto; max-height: 12; }
        #payments-pending { height: auto; margin-top: 1; }
        #payments-details {
            width: 34;  /* an e-mail address of ~30 characters on one line */
            height: auto;
            border: round $primary-darken-2;
            padding: 0 1;
            margin-left: 1;
        }
        /* Under 100 columns the details go below the table: beside it, they cut its last column. */
        #payments.-narrow { layout: vertical; overflow-y: auto; }
        #payments.-narrow #payments-left { height: auto; }
        #payments.-narrow #payments-details { width: 1fr; margin-left: 0; margin-top: 1; }
    }
    """
    MODE = "payments"
    HELP = (
        "Saved payment methods of the team. Purchases, auto top-ups and month-end invoices charge the "
        "default. The last payment method on file cannot be removed. Card numbers are sent once to the "
        "API and never kept, logged or shown."
    )
    BINDINGS: ClassVar = [
        Binding("d", "set_default_method", "Make default", id="payments.default",
                tooltip="Make the highlighted method the default"),
        Binding("a", "add_card", "Add card", id="payments.add", tooltip="Add a card"),
        Binding("x", "remove_method", "Remove", id="payments.remove", tooltip="Remove the highlighted method"),
        Binding("c", "copy_verification", "Copy link", show=False, id="payments.copy",
                tooltip="Copy the bank account verification link"),
    ]
    WRITE_ACTIONS = frozenset({"set_default_method", "add_card", "remove_method"})

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="payments"):
            with Vertical(id="payments-left"):
                yield VimTable(cursor_type="row", id="methods-table")
                yield Static("", id="payments-pending")
            yield Static("", id="payments-details")

    def on_resize(self) -> None:
        self.query_one("#payments").set_class(self.size.width < NARROW, "-narrow")

    def on_mount(self) -> None:
        table = self.query_one("#methods-table", VimTable)
        for label, key in (("", "default"), ("Method", "method"), ("Expires", "expiry"), ("Added", "added")):
            table.add_column(label, key=key)
        super().on_mount()

    def selected(self) -> PaymentMethod | None:
        data = self.data
        table = self.query_one("#methods-table", VimTable)
        if data is None or data.snapshot is None or table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((m for m in data.snapshot.payment_methods.payment_methods if m.payment_method_id == key), None)

    def on_team_data(self) -> None:
        super().on_team_data()
        data = self.data
        table = self.query_one("#methods-table", VimTable)
        pending = self.query_one("#payments-pending", Static)
        if data is None or data.snapshot is None:
            table.clear()
            pending.update(self.loading_text())
            return
        listing = data.snapshot.payment_methods
        default = data.snapshot.default_method
        today = data.snapshot.today
        previous = self.selected()
        table.clear()
        for method in listing.payment_methods:
            text, style = expiry(method, today)
            table.add_row(
                Text("●", style="bold green") if method is default else "",
                method.label(),
                Text(text, style=style),
                method.added_ts.strftime("%Y-%m-%d") if method.added_ts else "",
                key=method.payment_method_id,
            )
        if previous is not None and previous.payment_method_id in {m.payment_method_id for m in listing.payment_methods}:
            table.move_cursor(row=table.get_row_index(previous.payment_method_id))
        notes = Text()
        if not listing.payment_methods:
            notes.append("No payment method on file.\n", style="yellow")
        elif default is None:
            notes.append("The API does not report which method is the default; d makes one the default.\n",
                         style="yellow")
        if listing.pending_payment_method is not None:
            notes.append("Bank account waiting for verification:\n", style="bold")
            notes.append(listing.pending_payment_method.ach_microdeposit_hosted_verification_url + "\n")
            notes.append("c copies the link\n", style="dim")
        # The keys' hint only for keys that work here (read-only mode: none does).
        notes.append("● default" + ("" if self.unavailable("add_card") else "  d make default  a add  x remove"), style="dim")
        pending.update(notes)
        self._show_details()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_details()

    def _show_details(self) -> None:
        method = self.selected()
        panel = self.query_one("#payments-details", Static)
        if method is None:
            panel.update("")
            return
        text = Text(method.label() + "\n", style="bold")
        if method.card_details:
            text.append(f"{method.card_details.brand.title()} card ending {method.card_details.last4}\n")
        if method.us_bank_account_details:
            bank = method.us_bank_account_details
            text.append(f"US bank account ending {bank.last4}\nrouting {bank.routing_number}\n")
            if bank.blocked and bank.blocked.block_reason:
                text.append(f"blocked: {bank.blocked.block_reason}\n", style="red")
        info = method.billing_info
        if info is not None:
            text.append("\nBilling details\n", style="bold")
            address = info.address
            lines = [info.name, info.email, address.line1, address.line2,
                     " ".join(p for p in (address.postal_code, address.city, address.state) if p), address.country]
            for line in lines:
                if line:
                    text.append(line + "\n")
        panel.update(text)

    # ------------------------------------------------------------------ actions

    def _selected_or_say(self) -> PaymentMethod | None:
        method = self.selected()
        if method is None:
            self.notify("Select a payment method first.", severity="warning")
        return method

    def action_set_default_method(self) -> None:
        from xconsole.core.actions import Write

        method = self._selected_or_say()
        snap = self.data.snapshot if self.data else None
        if method is None or snap is None:
            return
        if snap.default_method is method:
            self.notify(f"{method.label()} is already the default.")  # known, never guessed
            return
        previous = snap.default_method  # None when the API does not say: the journal then leaves "before" out
        lines: list[str | Text] = [f"Default   {method.label()}", "Charges   purchases, auto top-ups and month-end invoices"]
        warning = expiry_warning(method, snap.today)
        if warning is not None:
            lines.append(warning)
        self.confirm_write(Write.MAKE_DEFAULT, "Make default", lines, "Make default",
                           lambda actions: actions.make_default(method, before=previous))

    def action_add_card(self) -> None:
        from xconsole.core.actions import Write
        from xconsole.tui.screens.add_card import AddCardScreen

        snap = self.data.snapshot if self.data else None
        if snap is None:
            self.notify("Payment methods are still loading.", severity="warning")
            return
        self.open_write(Write.ADD_CARD, lambda actions: AddCardScreen(actions, snap.today))

    def action_remove_method(self) -> None:
        method = self._selected_or_say()
        snap = self.data.snapshot if self.data else None
        if method is not None and snap is not None:
            self._remove(self.team, method, snap.payment_methods.payment_methods, snap.default_method, snap.today)

    @work(group="write", exclusive=True, exit_on_error=False)
    async def _remove(self, team: TeamHandle | None, method: PaymentMethod, methods: list[PaymentMethod],
                      default: PaymentMethod | None, today: date) -> None:
        """Say first whether removing is possible here; for the default, ask which method takes
        its place; then confirm (the default's removal with the team's name typed)."""
        from xconsole.core.actions import Write
        from xconsole.tui.screens.choose_method import ChooseMethodScreen

        try:
            actions = await self.writer(Write.REMOVE_METHOD, team)
        except Exception as exc:  # noqa: BLE001 - one handler: said, never lost
            self._write_failed(Write.REMOVE_METHOD.value, exc)
            return
        if actions is None:
            return
        if len(methods) <= 1:
            self.notify("The last payment method on file cannot be removed.", severity="warning")
            return
        if method is not default:
            self._confirm_remove(actions, method, methods, None, today)
            return

        def successor_chosen(successor: PaymentMethod | None) -> None:
            if successor is not None:
                self._confirm_remove(actions, method, methods, successor, today)

        others = [m for m in methods if m.payment_method_id != method.payment_method_id]
        self.app.push_screen(
            ChooseMethodScreen("Remove the default payment method",
                               f"{method.label()} is the default. Which method becomes the default?",
                               others, [choice_label(m, today) for m in others]),
            successor_chosen)

    def _confirm_remove(self, actions: TeamActions, method: PaymentMethod, methods: list[PaymentMethod],
                        successor: PaymentMethod | None, today: date) -> None:
        from xconsole.core.actions import Write

        lines: list[str | Text] = [f"Remove    {method.label()}"]
        if successor is not None:
            lines.append(f"Default   {successor.label()} (instead of the removed one)")
            warning = expiry_warning(successor, today)
            if warning is not None:
                lines.append(warning)
        self.confirm_write(Write.REMOVE_METHOD, "Remove payment method", lines, "Remove",
                           lambda actions: actions.remove_method(method, methods, successor),
                           type_name=successor is not None, actions=actions)

    def action_copy_verification(self) -> None:
        data = self.data
        pending = data.snapshot.payment_methods.pending_payment_method if data and data.snapshot else None
        if pending is None:
            self.notify("No verification link for this team.")
            return
        self.app.copy_to_clipboard(pending.ach_microdeposit_hosted_verification_url)
        self.notify("Copied the verification link.")
