"""`a` on Payment methods (sandbox only): add a card. The number is checked as it is typed (Luhn,
brand, grouping), sent once, then wiped from the form; it is never logged or kept."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label

if TYPE_CHECKING:
    from datetime import date

    from xconsole.core.actions import CardAdded, TeamActions

FIELDS = ("number", "expiry", "cvc")


class AddCardScreen(ModalScreen["CardAdded | None"]):
    DEFAULT_CSS = """
    AddCardScreen {
        .field-row { height: auto; }
        .card-half { width: 1fr; height: auto; }
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="card.cancel")]

    busy = False  # the card is on its way: the dialog waits for the answer

    def action_cancel(self) -> None:
        if not self.busy:
            self.dismiss(None)

    def __init__(self, actions: TeamActions, today: date) -> None:
        super().__init__()
        self.actions = actions
        self.today = today

    def compose(self) -> ComposeResult:
        with Vertical(id="add-card", classes="dialog"):
            yield Label(f"Add a card · {self.actions.team_name}", classes="dialog-title")
            yield Label("Card number")
            yield Input(placeholder="digits, spaces allowed", id="card-number", compact=True, max_length=23)
            yield Label("", id="card-number-error", classes="field-error")
            with Horizontal(classes="field-row"):
                with Vertical(classes="card-half"):
                    yield Label("Expiry (MM/YY)")
                    yield Input(placeholder="12/29", id="card-expiry", compact=True, max_length=7)
                    yield Label("", id="card-expiry-error", classes="field-error")
                with Vertical(classes="card-half"):
                    yield Label("Security code")
                    yield Input(placeholder="123", id="card-cvc", compact=True, password=True, max_length=4)
                    yield Label("", id="card-cvc-error", classes="field-error")
            yield Label("Name on card (optional)")
            yield Input(id="card-name", compact=True, max_length=80)
            yield Label("", id="card-status", classes="field-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Add card", variant="primary", id="card-add", compact=True)
                yield Button("Cancel", id="card-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#card-number", Input).focus()

    def _expiry(self) -> tuple[int, int] | None:
        raw = self.query_one("#card-expiry", Input).value.replace(" ", "")
        month, _, year = raw.partition("/")
        if not (month.isdigit() and year.isdigit()):
            return None
        y = int(year)
        return int(month), (2000 + y if y < 100 else y)

    def _check(self, *, final: bool = False) -> dict[str, str]:
        from xconsole.core.cards import brand, card_problems, digits_only, group

        number = self.query_one("#card-number", Input).value
        cvc = self.query_one("#card-cvc", Input).value
        exp = self._expiry()
        problems = card_problems(number, exp[0] if exp else 0, exp[1] if exp else 0, cvc, self.today)
        shown = {
            "number": problems.get("number", ""),
            "expiry": "Use MM/YY, e.g. 12/29" if exp is None else problems.get("expMonth") or problems.get("expYear", ""),
            "cvc": problems.get("cvc", ""),
        }
        values = {"number": digits_only(number), "expiry": self.query_one("#card-expiry", Input).value, "cvc": cvc}
        for field in FIELDS:
            # While typing, a field that is still empty is not an error yet.
            message = shown[field] if final or values[field] else ""
            if field == "number" and not message and values["number"]:
                message = f"{(brand(number) or 'card').title()} · {group(number)}"
                self.query_one("#card-number-error", Label).set_class(False, "field-error")
            elif field == "number":
                self.query_one("#card-number-error", Label).set_class(True, "field-error")
            self.query_one(f"#card-{field}-error", Label).update(message)
        return {f: m for f, m in shown.items() if m}

    def on_input_changed(self, event: Input.Changed) -> None:
        self._check()

    @on(Input.Submitted)
    @on(Button.Pressed, "#card-add")
    def _submit(self) -> None:
        self.submit()

    @on(Button.Pressed, "#card-cancel")
    def _cancel(self) -> None:
        self.action_cancel()

    def submit(self) -> None:
        from xconsole.core import models

        button = self.query_one("#card-add", Button)
        if button.disabled:
            return
        if self._check(final=True):
            return  # nothing is sent while a field is wrong
        exp = self._expiry()
        assert exp is not None
        card = models.CardInput(
            number=self.query_one("#card-number", Input).value.replace(" ", ""),
            exp_month=exp[0], exp_year=exp[1], cvc=self.query_one("#card-cvc", Input).value,
            name=self.query_one("#card-name", Input).value.strip(),
        )
        # The form forgets the secret parts as soon as they are handed over.
        self.query_one("#card-number", Input).value = ""
        self.query_one("#card-cvc", Input).value = ""
        button.disabled = True
        self.busy = True
        self.query_one("#card-cancel", Button).disabled = True
        self.query_one("#card-status", Label).update("Adding…")
        self._send(card)

    def _send_failed(self, status: str) -> None:
        self.query_one("#card-status", Label).update(status)
        self.busy = False
        self.query_one("#card-add", Button).disabled = False
        self.query_one("#card-cancel", Button).disabled = False

    @work(exclusive=True, group="add-card", exit_on_error=False)
    async def _send(self, card: object) -> None:
        from xconsole.core import errors
        from xconsole.core.actions import describe_write_error

        try:
            added = await self.actions.add_card(card)  # type: ignore[arg-type]
        except errors.Validation as exc:
            field = (exc.field or "").removeprefix("card.")
            target = {"number": "number", "expMonth": "expiry", "expYear": "expiry", "cvc": "cvc"}.get(field)
            self._send_failed(f"{exc.message} — enter the number again to retry" if target == "number" else exc.message)
            if target:
                self.query_one(f"#card-{target}-error", Label).update(exc.message)
        except Exception as exc:  # noqa: BLE001 - said in the dialog, never lost
            # No clear answer: it may have been added; the team is read again before any retry.
            self._send_failed(describe_write_error(exc))
        else:
            self.dismiss(added)
