"""`p`: buy prepaid credits. Amount (presets or typed), how to pay, then a confirmation naming
team, amount and payment method (and, from $1,000, the team's name typed). One Idempotency-Key
per confirmation; the purchase itself is core's (`TeamActions.buy`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from xconsole.tui.money_field import read_amount
from xconsole.tui.screens.confirm import ConfirmActionScreen, Outcome

if TYPE_CHECKING:
    from xconsole.core.actions import TeamActions
    from xconsole.core.billing import SpendSummary
    from xconsole.core.models import PaymentMethod
    from xconsole.core.purchase import Purchase

PRESETS = (2_500, 10_000, 50_000)
BANK = "bank-transfer"


class BuyCreditsScreen(ModalScreen["Purchase | None"]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="buy.cancel")]

    DEFAULT_CSS = """
    BuyCreditsScreen {
        .presets { height: auto; }
        .presets Button { margin-right: 1; }
        .presets Input { width: 1fr; }
        #methods { height: auto; border: none; padding: 0; }
    }
    """

    def __init__(self, actions: TeamActions, summary: SpendSummary | None = None) -> None:
        super().__init__()
        self.actions = actions
        self.summary = summary  # the team's figures when the dialog opened (None: not read yet)
        self.methods: list[PaymentMethod] = []
        self.loaded = False
        self.choosing = False  # the server lets the buyer choose (the sandbox)
        self.choice: str | None = None  # id of the chosen radio button (sandbox only)
        self.load_error: str | None = None

    def compose(self) -> ComposeResult:
        from xconsole.core.money import format_cents_short

        with Vertical(id="buy", classes="dialog"):
            yield Label(f"Buy credits · {self.actions.team_name}", classes="dialog-title")
            yield Label("Amount (minimum $25)")
            with Horizontal(classes="presets"):
                for cents in PRESETS:
                    yield Button(format_cents_short(cents), id=f"preset-{cents}", compact=True)
                yield Input(placeholder="or type, e.g. 250", id="amount", compact=True)
            yield Label("", id="amount-error", classes="field-error")
            yield Label("Pay with")
            yield Static("Loading payment methods…", id="methods-note", classes="dialog-hint")
            yield Static("", id="buy-status", classes="field-error")  # a long reason wraps, never cut off
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review purchase", variant="primary", id="review", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#amount", Input).focus()
        self.load_methods()

    @work(exclusive=True, group="buy-methods", exit_on_error=False)
    async def load_methods(self) -> None:
        from xconsole.core.actions import describe_error

        note = self.query_one("#methods-note", Static)
        try:
            methods = await self.actions.payment_choices()
        except Exception as exc:  # noqa: BLE001 - said in the dialog; nothing can be bought then
            self.load_error = f"Could not load payment methods: {describe_error(exc)}"
            note.update(self.load_error)
            return
        if methods is None:
            # The public API always charges the team's default method and never says which one it
            # is: say so rather than offer a choice it would ignore.
            url = self.actions.console_url.removeprefix("https://")
            note.update(f"Charged to: the team's default payment method.\nAnother card, or a bank transfer: in the "
                        f"console,\n{url}")
            self.loaded = True
            return
        self.methods = methods
        self.choosing = True
        default = self.actions.known_default(self.methods)
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

    @on(Button.Pressed, ".presets Button")
    def _preset(self, event: Button.Pressed) -> None:
        from xconsole.core.money import format_cents

        self.query_one("#amount", Input).value = format_cents(int((event.button.id or "").removeprefix("preset-")))[1:]

    @on(Button.Pressed, "#review")
    def _review_pressed(self) -> None:
        self.review()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.choice = event.pressed.id

    def on_input_changed(self, event: Input.Changed) -> None:
        self._amount(event.value, quiet_when_empty=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.review()

    def _amount(self, text: str, *, quiet_when_empty: bool = False) -> int | None:
        from xconsole.core.billing import MIN_TOP_UP_CENTS, MIN_TOP_UP_TEXT

        return read_amount(text, self.query_one("#amount-error", Label), quiet_when_empty=quiet_when_empty,
                           minimum=(MIN_TOP_UP_CENTS, MIN_TOP_UP_TEXT))

    def _choice(self) -> tuple[str, str | None, bool]:
        """(label, payment method id, bank transfer) of the chosen way to pay."""
        if not self.choosing:
            return ("the team's default payment method", None, False)
        if self.choice == BANK:
            return ("Bank transfer (credits granted after 2–3 business days)", None, True)
        pm_id = (self.choice or "").removeprefix("pm-")
        method = next(m for m in self.methods if m.payment_method_id == pm_id)
        return (method.label(), pm_id, False)

    def review(self) -> None:
        from xconsole.core.money import format_cents

        cents = self._amount(self.query_one("#amount", Input).value)
        if cents is None:
            self.query_one("#amount", Input).focus()
            return
        if not self.loaded:
            self.query_one("#buy-status", Static).update(
                f"{self.load_error} — nothing can be bought until they load; Esc, then r to refresh."
                if self.load_error else "Still loading payment methods…")
            return
        from xconsole.core.actions import Write

        label, pm_id, bank = self._choice()
        key = str(uuid.uuid4())  # one per confirmation: a repeated send cannot charge twice
        lines = [
            self.actions.team_line(),
            f"Amount    {format_cents(cents)} of prepaid credits",
            f"Pay with  {label}",
        ]
        from xconsole.core.billing import paid_first_note

        s = self.summary
        # (Not for a bank transfer: it is credited in 2–3 business days, perhaps in another month.)
        if s is not None and not bank and (note := paid_first_note(s.live_balance, s.beyond_prepaid, cents)):
            lines.append(f"Pays      {note}")
        large = self.actions.needs_typed_name(Write.BUY, cents=cents)
        confirm = ConfirmActionScreen("Confirm purchase", lines, f"Buy {format_cents(cents)}", lambda: buy(),
                                      type_to_confirm=self.actions.confirm_word if large else None)

        async def buy() -> Purchase:
            return await self.actions.buy(cents, payment_method_id=pm_id, bank_transfer=bank, idempotency_key=key,
                                          method_label=label if pm_id else None,
                                          on_progress=confirm.progress)

        self.app.push_screen(confirm, self._done)

    def _done(self, outcome: Outcome | None) -> None:
        from xconsole.core import errors

        if outcome is None or outcome.cancelled:
            return
        if outcome.error is None:
            self.dismiss(outcome.result)  # the app says what it did (WriteFinished)
            return
        exc = outcome.error
        status = self.query_one("#buy-status", Static)
        if isinstance(exc, errors.Validation) and exc.field in ("amount", None):
            self.query_one("#amount-error", Label).update(exc.message)
        elif isinstance(exc, errors.Unavailable):
            status.update(exc.message)
        elif isinstance(exc, errors.ApiError):
            status.update(f"{exc.title}: {exc.message} — nothing was charged.")
        else:
            from xconsole.core.actions import describe_error

            status.update(f"{describe_error(exc)} — check the ledger (r) before buying again.")
