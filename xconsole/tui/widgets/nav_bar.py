"""The overview and the team screens, with their number keys and the current one highlighted."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

SCREENS = (
    ("overview", "0", "Overview", "Overview of all teams"),
    ("spend", "1", "Spend", "API spend management"),
    ("auto", "2", "Auto top-up", "Auto top-up"),
    ("payments", "3", "Payments", "Payment methods"),
    ("invoices", "4", "Invoices", "Invoices"),
    ("billing", "5", "Billing", "Billing details"),
    ("history", "6", "History", "History: what changed and who did it"),
)
#: Labels for terminals too narrow even for the tight spacing (under ~75 columns).
SHORT = {"overview": "All", "auto": "Auto", "payments": "Pay", "invoices": "Inv", "billing": "Bill", "history": "Hist"}


class NavBar(Widget):
    current: reactive[str] = reactive("spend")

    COMPONENT_CLASSES = {"nav-current", "nav-key"}

    def render(self) -> Text:
        # Seven screens do not fit 80 columns with the roomy spacing: tighten it, then shorten
        # the labels, rather than cut the last screens off.
        width = self.size.width
        for tight, short in ((False, False), (True, False), (True, True)):
            text = self._line(tight, short)
            if text.cell_len <= width:
                return text
        return text

    def _line(self, tight: bool, short: bool) -> Text:
        """Roomy: " 1 Spend  2 Auto top-up "; tight: " 1 Spend 2 Auto top-up " (the current
        label is highlighted with a space either side in both)."""
        text = Text(" " if tight else "", no_wrap=True, overflow="crop")
        key_style = self.get_component_rich_style("nav-key")
        for mode, key, label, _title in SCREENS:
            style = self.get_component_rich_style("nav-current") if mode == self.current else None
            shown = SHORT.get(mode, label) if short else label
            if tight:
                text.append(key, style=key_style)
                text.append(f" {shown} ", style=style)
            else:
                text.append(f" {key} ", style=key_style)
                text.append(f"{shown} ", style=style)
                text.append(" ")
        return text
