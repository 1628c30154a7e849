"""The searchable country list of the billing form: type part of a name or code, Enter picks."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option


class CountryPicker(ModalScreen[str | None]):
    DEFAULT_CSS = """
    CountryPicker {
        #country-picker OptionList { height: auto; max-height: 12; }
    }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Back", id="country.back"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, current: str = "") -> None:
        super().__init__()
        self.current = current.upper()

    def compose(self) -> ComposeResult:
        with Vertical(id="country-picker", classes="dialog"):
            yield Label("Country of the billing address", classes="dialog-title")
            yield Input(placeholder="type a name or code, e.g. germany or DE", id="country-filter")
            yield OptionList(id="country-list")
            yield Label("↑/↓ move · Enter choose · Esc back", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#country-filter", Input).focus()

    def _fill(self, query: str) -> None:
        from xconsole.core.billing_info import countries

        wanted = query.strip().lower()
        options = [Option(f"{code}  {name}", id=code) for code, name in countries().items()
                   if not wanted or wanted == code.lower() or wanted in name.lower()]
        # An exact code first: typing "de" should offer Germany before "Bangladesh".
        options.sort(key=lambda o: o.id.lower() != wanted)
        listing = self.query_one("#country-list", OptionList)
        listing.clear_options()
        listing.add_options(options)
        if options:
            index = next((i for i, o in enumerate(options) if o.id == self.current and not wanted), 0)
            listing.highlighted = index

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def action_move(self, step: int) -> None:
        listing = self.query_one("#country-list", OptionList)
        if listing.option_count:
            listing.highlighted = max(0, min(listing.option_count - 1, (listing.highlighted or 0) + step))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        listing = self.query_one("#country-list", OptionList)
        if listing.highlighted is not None and listing.option_count:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
