"""Spend per day for 30 days (columns from a zero baseline) and this month's spend per model (bars)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

if TYPE_CHECKING:
    from xconsole.core.spend import SpendSnapshot

BAR_WIDTH = 22
CHART_ROWS = 3
BLOCKS = " ▁▂▃▄▅▆▇█"


def column_chart(values: list[int], rows: int = CHART_ROWS, column_width: int = 2) -> Text:
    """Bars from a zero baseline (unlike a sparkline, a steady spend does not look like a spike)."""
    peak = max(values, default=0)
    levels = [round(v * rows * 8 / peak) if peak else 0 for v in values]
    text = Text(no_wrap=True)
    for row in range(rows - 1, -1, -1):
        for level in levels:
            fill = max(0, min(8, level - row * 8))
            text.append(BLOCKS[fill] * column_width, style="cyan")
        if row:
            text.append("\n")
    return text


#: Reasons listed under the chart; more are counted.
MAX_REASONS = 2


def anomaly_marks(snap: SpendSnapshot, column_width: int = 2) -> Text | None:
    """An axis with a "▲" under each chart column with unusual spend, then the latest reasons,
    one line each (None: nothing unusual, or it could not be read)."""
    report = snap.anomalies
    days = [day for day, _c in snap.daily]
    found = [a for a in report.anomalies if a.day in days] if report is not None else []
    if not found:
        return None
    flagged = {a.day for a in found}
    text = Text(no_wrap=True, overflow="ellipsis")
    for day in days:  # an axis, not spaces: a span's leading whitespace is lost in SVG/PNG
        if day in flagged:
            text.append("▲", style="bold yellow")
            text.append("─" * (column_width - 1), style="dim")
        else:
            text.append("─" * column_width, style="dim")
    latest = sorted(found, key=lambda a: a.day, reverse=True)
    for index, anomaly in enumerate(latest[:MAX_REASONS]):
        more = len(latest) - MAX_REASONS if index == MAX_REASONS - 1 and len(latest) > MAX_REASONS else 0
        text.append("\n")
        text.append("Unusual: ", style="bold yellow")
        text.append(anomaly.reason + (f" (+{more} more)" if more else ""))
    if report is not None and report.incomplete:
        text.append("  (may be incomplete)", style="dim")
    return text


class UsagePanel(Vertical):
    DEFAULT_CSS = """
    UsagePanel {
        height: auto;
        margin-top: 1;
        padding: 0 1;
        & > #usage-chart {
            height: 3;  /* CHART_ROWS */
            margin: 0 0 1 0;
            overflow-x: hidden;
        }
        & > #usage-anomalies {
            display: none;
            height: auto;
            margin: 0 0 1 0;
        }
        &.-anomalies > #usage-chart { margin: 0; }
        &.-anomalies > #usage-anomalies { display: block; }
    }
    """

    def compose(self) -> ComposeResult:
        yield Static("", id="usage-caption")
        yield Static("", id="usage-chart")
        yield Static("", id="usage-anomalies")
        yield Static("", id="usage-models")

    def show(self, snap: SpendSnapshot | None) -> None:
        from xconsole.core.money import format_cents

        caption = self.query_one("#usage-caption", Static)
        chart = self.query_one("#usage-chart", Static)
        models = self.query_one("#usage-models", Static)
        marks = anomaly_marks(snap) if snap is not None and snap.daily and not snap.usage_error else None
        self.query_one("#usage-anomalies", Static).update(marks or "")
        self.set_class(marks is not None, "-anomalies")
        if snap is None:
            caption.update("")
            chart.update("")
            models.update("")
            return
        if snap.usage_error or not snap.daily:
            # Usage alone failed (or said nothing): the balance, limit and ledger still stand.
            why = f"unavailable — {snap.usage_error}" if snap.usage_error else "no usage reported"
            # Gaps end a span (see BalancePanel._rows): a span's leading whitespace is lost in SVG/PNG.
            caption.update(Text.assemble(("Spend per day   ", "bold"), (why, "yellow" if snap.usage_error else "dim")))
            chart.update("")
            spent = snap.summary.month_spend
            if snap.usage_error:
                models.update(Text("This month by model: —", style="dim"))
            elif spent:  # the invoice says money was spent: "no usage yet" would contradict it
                models.update(Text(f"This month by model: the usage answer has no rows, though the invoice so far "
                                   f"shows {format_cents(spent)} — r reads it again", style="yellow"))
            else:
                models.update(Text("No usage this month yet.", style="dim"))
            return
        values = [cents for _day, cents in snap.daily]
        total = sum(values)
        peak_day, peak = max(snap.daily, key=lambda item: item[1]) if snap.daily else (None, 0)
        first = snap.daily[0][0] if snap.daily else None
        peak_text = f"peak {format_cents(peak)} on {peak_day:%b %d}" if peak_day and peak else ""
        caption.update(Text.assemble(
            ("Spend per day   ", "bold"), f"{first:%b %d} – today: {format_cents(total)}" + ("   " if peak_text else ""),
            (peak_text, "dim"),
        ))
        chart.update(column_chart(values))
        top = snap.by_model[:6]
        largest = top[0][1] if top else 0
        names = [label if len(label) <= 32 else label[:31] + "…" for label, _c in top]
        name_width = max((len(n) for n in names), default=0)
        amounts = [format_cents(cents) for _l, cents in top]
        amount_width = max((len(a) for a in amounts), default=0)
        text = Text()
        text.append("This month by model\n", style="bold")  # the heading only, not the rows
        for name, amount, (_label, cents) in zip(names, amounts, top, strict=True):
            filled = round(BAR_WIDTH * cents / largest) if largest else 0
            text.append(f"{name:<{name_width}} {amount:>{amount_width}} ")
            text.append("█" * filled + "\n", style="cyan")
        if not top:
            text.append("No usage this month yet.", style="dim")
        text.rstrip()
        models.update(text)
