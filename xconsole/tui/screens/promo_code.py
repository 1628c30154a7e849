"""`o`: redeem a promo code for the team (opened only where the server supports it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from xconsole.core.actions import PromoRedeemed, TeamActions


class PromoCodeScreen(ModalScreen["PromoRedeemed | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="promo.cancel")]

    def __init__(self, actions: TeamActions) -> None:
        super().__init__()
        self.actions = actions
        self.busy = False  # the code is on its way: the dialog waits for the answer

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def compose(self) -> ComposeResult:
        with Vertical(id="promo", classes="dialog"):
            yield Label(f"Redeem a promo code · {self.actions.team_name}", classes="dialog-title")
            yield Static("The credit is added to this team's prepaid balance.", classes="dialog-text")
            yield Input(placeholder="PROMO-CODE", id="code", compact=True, max_length=40)
            yield Label("", id="code-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Redeem", variant="primary", id="redeem", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#code", Input).focus()

    @on(Button.Pressed, "#redeem")
    @on(Input.Submitted, "#code")
    def redeem_code(self) -> None:
        button = self.query_one("#redeem", Button)
        code = self.query_one("#code", Input).value.strip()
        if button.disabled:
            return
        if not code:
            self.query_one("#code-error", Label).update("Enter the code")
            return
        button.disabled = True
        self.busy = True
        self.query_one("#cancel", Button).disabled = True
        self.query_one("#code-error", Label).update("Checking…")
        self._send(code)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    @work(exclusive=True, group="promo", exit_on_error=False)
    async def _send(self, code: str) -> None:
        from xconsole.core import errors
        from xconsole.core.actions import describe_write_error

        try:
            redeemed = await self.actions.redeem_promo(code)
        except Exception as exc:  # noqa: BLE001 - shown next to the code, which stays as typed
            self.busy = False
            # A refused code in the server's words; anything else says whether it may have been redeemed.
            self.query_one("#code-error", Label).update(exc.message if isinstance(exc, errors.Validation)
                                                        else describe_write_error(exc))
            self.query_one("#redeem", Button).disabled = False
            self.query_one("#cancel", Button).disabled = False
        else:
            self.dismiss(redeemed)
