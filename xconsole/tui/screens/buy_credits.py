"""`p`: buy prepaid credits. Amount (presets or typed), how to pay, then a confirmation naming
team, amount and payment method. One Idempotency-Key per confirmation."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from xconsole.tui.money_field import read_amount
from xconsole.tui.screens.confirm import ConfirmActionScreen, Outcome, team_line

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.models import PaymentMethod, PrepaidBalanceChange
    from xconsole.core.session import TeamHandle

PRESETS = (2_500, 10_000, 50_000)
BANK = "bank-transfer"


class BuyCreditsScreen(ModalScreen["PrepaidBalanceChange | None"]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="buy.cancel")]

    def __init__(self, team: TeamHandle, client: ManagementClient) -> None:
        super().__init__()
        self.team = team
        self.client = client
        self.methods: list[PaymentMethod] = []
        self.loaded = False
        self.choice: str | None = None  # id of the chosen radio button (sandbox only)
        self.load_error: str | None = None
        self.reconciled = False  # the answer was lost and the purchase was found in the ledger

    def compose(self) -> ComposeResult:
        from xconsole.core.money import format_cents_short

        with Vertical(id="buy", classes="dialog"):
            yield Label(f"Buy credits · {self.team.name}", classes="dialog-title")
            yield Label("Amount (minimum $25)")
            with Horizontal(classes="presets"):
                for cents in PRESETS:
                    yield Button(format_cents_short(cents), id=f"preset-{cents}", compact=True)
                yield Input(placeholder="or type, e.g. 250", id="amount", compact=True)
            yield Label("", id="amount-error", classes="field-error")
            yield Label("Pay with")
            yield Static("Loading payment methods…", id="methods-note", classes="dialog-hint")
            yield Label("", id="buy-status", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review purchase", variant="primary", id="review", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()
        self.load_methods()

    @work(exclusive=True, group="buy-methods", exit_on_error=False)
    async def load_methods(self) -> None:
        from xconsole.core import errors, models
        from xconsole.core.client import console_billing_url

        note = self.query_one("#methods-note", Static)
        try:
            listing = await self.client.list_payment_methods(self.team.team_id)
        except errors.ApiError as exc:
            self.load_error = f"Could not load payment methods: {exc.title}: {exc.message}"
            note.update(self.load_error)
            return
        self.methods = listing.payment_methods
        default = models.default_method(self.methods)
        if not self.client.extensions:
            # The public API always charges the default method: say so rather than offer choices.
            label = default.label() if default else "none on file"
            note.update(f"Charged to the default payment method ({label}). Another card or a bank transfer: "
                        f"in the console, {console_billing_url(self.team.team_id)}")
        else:
            note.update("")
            cards = [m for m in self.methods if m.card_details is not None]
            cards.sort(key=lambda m: m is not default)
            # The default card is preselected; bank transfer only when there is no card.
            self.choice = f"pm-{cards[0].payment_method_id}" if cards else BANK
            buttons = [RadioButton(f"{m.label()}{' (default)' if m is default else ''}", id=f"pm-{m.payment_method_id}",
                                   value=f"pm-{m.payment_method_id}" == self.choice) for m in cards]
            buttons.append(RadioButton("Bank transfer — credits granted after 2–3 business days", id=BANK,
                                       value=self.choice == BANK))
            await self.query_one("#buy", Vertical).mount(RadioSet(*buttons, id="methods"), after=note)
        self.loaded = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button = event.button.id or ""
        if button.startswith("preset-"):
            from xconsole.core.money import format_cents

            self.query_one("#amount", Input).value = format_cents(int(button.removeprefix("preset-")))[1:]
        elif button == "review":
            self.review()
        elif button == "cancel":
            self.dismiss(None)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.choice = event.pressed.id

    def on_input_changed(self, event: Input.Changed) -> None:
        self._amount(event.value, quiet_when_empty=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.review()

    def _amount(self, text: str, *, quiet_when_empty: bool = False) -> int | None:
        from xconsole.core.billing import MIN_TOP_UP_CENTS
        from xconsole.core.money import format_cents

        return read_amount(text, self.query_one("#amount-error", Label), quiet_when_empty=quiet_when_empty,
                           minimum=(MIN_TOP_UP_CENTS, f"Minimum purchase is {format_cents(MIN_TOP_UP_CENTS)}"))

    def _choice(self) -> tuple[str, str | None, bool]:
        """(label, payment method id, bank transfer) of the chosen way to pay."""
        from xconsole.core import models

        if not self.client.extensions:
            default = models.default_method(self.methods)
            return (f"{default.label()} (default payment method)" if default else "the default payment method", None, False)
        if self.choice == BANK:
            return ("Bank transfer (credits granted after 2–3 business days)", None, True)
        pm_id = (self.choice or "").removeprefix("pm-")
        method = next(m for m in self.methods if m.payment_method_id == pm_id)
        return (method.label(), pm_id, False)

    def review(self) -> None:
        from xconsole.core import models
        from xconsole.core.money import format_cents

        cents = self._amount(self.query_one("#amount", Input).value)
        if cents is None:
            self.query_one("#amount", Input).focus()
            return
        if not self.loaded:
            self.query_one("#buy-status", Label).update(
                f"{self.load_error} — nothing can be bought until they load; Esc, then r to refresh."
                if self.load_error else "Still loading payment methods…")
            return
        label, pm_id, bank = self._choice()
        key = str(uuid.uuid4())  # one per confirmation: a repeated send cannot charge twice
        method = (models.PurchaseMethod.BANK_TRANSFER if bank else models.PurchaseMethod.CARD) if self.client.extensions else None

        async def buy() -> PrepaidBalanceChange:
            from xconsole.core import errors
            from xconsole.core.billing import find_new_purchase

            team_id = self.team.team_id
            before = await self.client.get_prepaid_balance(team_id)  # to tell, if the answer is lost
            try:
                return await self.client.top_up(team_id, cents, payment_method_id=pm_id, method=method,
                                                idempotency_key=key)
            except errors.Unavailable:
                # The request may have been charged and only its answer lost: read the ledger to
                # find out. Never send it again.
                try:
                    found = find_new_purchase(before, await self.client.get_prepaid_balance(team_id), cents)
                except errors.ApiError as exc:
                    raise errors.Unavailable(
                        f"No answer to the purchase, and the ledger cannot be read to check it ({exc.message}). "
                        "Nothing was re-sent: refresh (r) and look at the ledger before buying again.") from None
                if found is None:
                    raise errors.Unavailable(
                        "No answer to the purchase and it is not in the ledger: nothing was charged so far and "
                        "nothing was re-sent. Refresh (r) before buying again.") from None
                self.reconciled = True
                return found

        lines = [
            team_line(self.team),
            f"Amount    {format_cents(cents)} of prepaid credits",
            f"Pay with  {label}",
        ]
        self.app.push_screen(ConfirmActionScreen("Confirm purchase", lines, f"Buy {format_cents(cents)}", buy), self._done)

    def _done(self, outcome: Outcome | None) -> None:
        from xconsole.core import errors

        if outcome is None or outcome.cancelled:
            return
        if outcome.error is None:
            if self.reconciled:
                self.app.notify(f"{self.team.name}: the answer to the purchase was lost, but it is in the ledger — "
                                "it went through once; nothing was re-sent.", timeout=10)
            self.dismiss(outcome.result)
            return
        exc = outcome.error
        status = self.query_one("#buy-status", Label)
        if isinstance(exc, errors.Validation) and exc.field in ("amount", None):
            self.query_one("#amount-error", Label).update(exc.message)
        elif isinstance(exc, errors.Unavailable):
            status.update(exc.message)
        elif isinstance(exc, errors.ApiError):
            status.update(f"{exc.title}: {exc.message} — nothing was charged.")
        else:
            status.update(f"{type(exc).__name__}: {exc}")
