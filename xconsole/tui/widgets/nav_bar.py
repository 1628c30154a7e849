"""The overview and the five team screens, with their number keys and the current one highlighted."""

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
)


class NavBar(Widget):
    current: reactive[str] = reactive("spend")

    COMPONENT_CLASSES = {"nav-current", "nav-key"}

    def render(self) -> Text:
        text = Text()
        for mode, key, label, _title in SCREENS:
            style = self.get_component_rich_style("nav-current") if mode == self.current else None
            text.append(f" {key} ", style=self.get_component_rich_style("nav-key"))
            text.append(f"{label} ", style=style)
            text.append(" ")
        return text
