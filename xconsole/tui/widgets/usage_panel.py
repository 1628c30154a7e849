"""Spend per day for 30 days (a sparkline) and this month's spend per model (bars)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Sparkline, Static

if TYPE_CHECKING:
    from xconsole.core.spend import SpendSnapshot

BAR_WIDTH = 22


class UsagePanel(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("", id="usage-caption")
        yield Sparkline([], id="usage-chart")
        yield Static("", id="usage-models")

    def show(self, snap: SpendSnapshot | None) -> None:
        from xconsole.core.money import format_cents

        caption = self.query_one("#usage-caption", Static)
        chart = self.query_one("#usage-chart", Sparkline)
        models = self.query_one("#usage-models", Static)
        if snap is None:
            caption.update("")
            chart.data = []
            models.update("")
            return
        values = [cents for _day, cents in snap.daily]
        total = sum(values)
        peak_day, peak = max(snap.daily, key=lambda item: item[1]) if snap.daily else (None, 0)
        first = snap.daily[0][0] if snap.daily else None
        caption.update(Text.assemble(
            ("Spend per day", "bold"), f"  {first:%b %d} – today: {format_cents(total)}",
            (f"   peak {format_cents(peak)} on {peak_day:%b %d}" if peak_day and peak else "", "dim"),
        ))
        chart.data = [v / 100 for v in values]
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True, max_width=34, overflow="ellipsis")
        table.add_column(justify="right")
        table.add_column()
        top = snap.by_model[:6]
        largest = top[0][1] if top else 0
        for label, cents in top:
            filled = round(BAR_WIDTH * cents / largest) if largest else 0
            table.add_row(label, format_cents(cents), Text("█" * filled, style="cyan"))
        if not top:
            table.add_row(Text("No usage this month yet.", style="dim"), "", "")
        heading = Text("This month by model", style="bold")
        outer = Table.grid()
        outer.add_row(heading)
        outer.add_row(table)
        models.update(outer)
