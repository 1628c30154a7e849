"""`o`: redeem a promo code for the team. Console-only on the public API: then it says where."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.models import PrepaidBalanceChange
    from xconsole.core.session import TeamHandle


class PromoCodeScreen(ModalScreen["PrepaidBalanceChange | None"]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="promo.cancel")]

    def __init__(self, team: TeamHandle, client: ManagementClient) -> None:
        super().__init__()
        self.team = team
        self.client = client

    def compose(self) -> ComposeResult:
        from xconsole.core.client import console_billing_url

        with Vertical(id="promo", classes="dialog"):
            yield Label(f"Redeem a promo code · {self.team.name}", classes="dialog-title")
            if not self.client.extensions:
                yield Static("Promo codes are redeemed in the xAI console, not through the Management API:\n"
                             f"{console_billing_url(self.team.team_id)}", classes="dialog-text")
                yield Button("Close", id="cancel", compact=True)
                return
            yield Static("The credit is added to this team's prepaid balance.", classes="dialog-text")
            yield Input(placeholder="PROMO-CODE", id="code", compact=True, max_length=40)
            yield Label("", id="code-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Redeem", variant="primary", id="redeem", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.client.extensions:
            self.query_one("#code", Input).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "redeem":
            self.redeem_code()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.redeem_code()

    def redeem_code(self) -> None:
        button = self.query_one("#redeem", Button)
        code = self.query_one("#code", Input).value.strip()
        if button.disabled:
            return
        if not code:
            self.query_one("#code-error", Label).update("Enter the code")
            return
        button.disabled = True
        self.query_one("#code-error", Label).update("Checking…")
        self._send(code)

    @work(exclusive=True, group="promo", exit_on_error=False)
    async def _send(self, code: str) -> None:
        from xconsole.core import errors

        try:
            change = await self.client.redeem_promo_code(self.team.team_id, code)
        except errors.ApiError as exc:
            self.query_one("#code-error", Label).update(exc.message)
            self.query_one("#redeem", Button).disabled = False
        else:
            self.dismiss(change)
