"""Pick a payment method from a list (the new default when the default is being removed)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from rich.text import Text

    from xconsole.core.models import PaymentMethod


class ChooseMethodScreen(ModalScreen["PaymentMethod | None"]):
    DEFAULT_CSS = """
    ChooseMethodScreen {
        #choose-method OptionList { height: auto; max-height: 8; }
    }
    """
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel", id="choose.cancel")]

    def __init__(self, title: str, question: str, methods: list[PaymentMethod], labels: list[Text]) -> None:
        super().__init__()
        self.title_text = title
        self.question = question
        self.methods = methods
        self.labels = labels  # one per method: its name, and its expiry when that matters

    def compose(self) -> ComposeResult:
        with Vertical(id="choose-method", classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Label(self.question, classes="dialog-text")
            yield OptionList(*[Option(label, id=m.payment_method_id) for m, label in zip(self.methods, self.labels)],
                             id="choices")
            yield Label("Enter choose · Esc cancel", classes="dialog-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(next(m for m in self.methods if m.payment_method_id == event.option.id))
