"""`l`: the invoiced billing limit (the API's soft spending limit), with the hard limit it may
not exceed. Prepaid credits are always used first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from xconsole.tui.money_field import read_amount
from xconsole.tui.screens.confirm import ConfirmActionScreen, Outcome

if TYPE_CHECKING:
    from xconsole.core.actions import LimitSet, TeamActions
    from xconsole.core.billing import SpendSummary
    from xconsole.core.models import SpendingLimits

EXPLAIN = ("Prepaid credits are used first. Beyond them, usage up to this limit is charged to the default "
           "payment method at month end; at the limit, API requests are rejected until it is raised. "
           "$0 means prepaid only.")


class SpendingLimitScreen(ModalScreen["LimitSet | None"]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="limit.cancel")]

    def __init__(self, actions: TeamActions, limits: SpendingLimits, summary: SpendSummary | None = None) -> None:
        super().__init__()
        self.actions = actions
        self.limits = limits
        self.summary = summary  # the team's figures when the dialog opened

    def compose(self) -> ComposeResult:
        from xconsole.core.money import format_cents

        current, hard = self.limits.limit_cents, self.limits.ceiling_cents
        with Vertical(id="limit", classes="dialog"):
            yield Label(f"Invoiced billing limit · {self.actions.team_name}", classes="dialog-title")
            yield Static(f"Now {format_cents(current)} · highest allowed {format_cents(hard)}", classes="dialog-text")
            yield Static(EXPLAIN, classes="dialog-text dialog-hint")
            if hard is None:
                yield Static("The API did not report the highest limit allowed; xAI checks the new limit when it is sent.",
                             classes="dialog-text dialog-hint")
            if hard == 0:
                yield Static("Monthly invoiced billing is not enabled for this team, so the limit stays $0. "
                             "Request invoiced billing first (i).", classes="dialog-text error-text")
            yield Input(placeholder="new limit, e.g. 1,000", id="limit-amount", compact=True)
            yield Label("", id="limit-error", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Review", variant="primary", id="review", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#limit-amount", Input).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._value(event.value, quiet_when_empty=True)

    @on(Input.Submitted)
    @on(Button.Pressed, "#review")
    def _review(self) -> None:
        self.review()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _rejected_at_once(self, cents: int) -> list[Text]:
        """The warning when the new limit is already used up: no credits, and this month's usage
        beyond them at or over it."""
        from xconsole.core.money import format_cents

        s = self.summary
        if s is None or s.live_balance != 0 or s.beyond_prepaid is None or s.beyond_prepaid < cents:
            return []
        return [Text(f"⚠ Requests  rejected at once: no credits left, and this month's usage beyond them "
                     f"({format_cents(s.beyond_prepaid)}) {'is over' if s.beyond_prepaid > cents else 'reaches'} "
                     "the new limit", style="bold red")]

    def _value(self, text: str, *, quiet_when_empty: bool = False) -> int | None:
        from xconsole.core.money import format_cents

        hard = self.limits.ceiling_cents
        return read_amount(text, self.query_one("#limit-error", Label), quiet_when_empty=quiet_when_empty,
                           maximum=None if hard is None else (hard, f"At most {format_cents(hard)} (the team's hard limit)"))

    def review(self) -> None:
        from xconsole.core.money import format_cents

        cents = self._value(self.query_one("#limit-amount", Input).value)
        if cents is None:
            return

        lines = [
            self.actions.team_line(),
            f"Limit     {format_cents(self.limits.limit_cents)} → {format_cents(cents)}",
            "Billing   usage beyond prepaid credits, charged at month end",
            *self._rejected_at_once(cents),
        ]
        self.app.push_screen(ConfirmActionScreen("Confirm invoiced billing limit", lines, "Set limit",
                                                lambda: self.actions.set_limit(cents, before=self.limits.limit_cents)), self._done)

    def _done(self, outcome: Outcome | None) -> None:
        from xconsole.core import errors

        if outcome is None or outcome.cancelled:
            return
        if outcome.error is None:
            self.dismiss(outcome.result)
        elif isinstance(outcome.error, errors.Validation):  # refused: about the amount typed here
            self.query_one("#limit-error", Label).update(outcome.error.message)
        else:
            # Never a bare server message: say whether the limit may have changed.
            from xconsole.core.actions import describe_write_error

            self.query_one("#limit-error", Label).update(describe_write_error(outcome.error))
