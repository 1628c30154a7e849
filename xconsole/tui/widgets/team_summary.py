"""One line of live numbers for the active team: balance, month spend, limit, runway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget

from xconsole.tui.state import TeamData

if TYPE_CHECKING:
    from xconsole.core.billing import SpendSummary
    from xconsole.core.forecast import Forecast
    from xconsole.core.numbers_cache import CachedNumbers


class TeamSummary(Widget):
    """Shows cached numbers at once on a team switch; says plainly when they are stale or missing."""

    COMPONENT_CLASSES = {"summary-label", "summary-danger", "summary-error"}

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.data: TeamData | None = None
        self.remembered: CachedNumbers | None = None

    def show(self, data: TeamData | None, remembered: CachedNumbers | None = None) -> None:
        self.data = data
        self.remembered = remembered
        if self.is_attached:
            self.refresh(layout=True)  # one line, or two with a stale note

    def render(self) -> Text:
        data = self.data
        label = self.get_component_rich_style("summary-label")
        if data is None or data.snapshot is None:
            if data is not None and data.error:
                error = Text(data.error, style=self.get_component_rich_style("summary-error"))
                if self.remembered is not None:
                    # As when a refresh fails later: the numbers on hand stay, dated, over why
                    # (still "refreshing…" while the read retries).
                    return Text.assemble(self._remembered(self.remembered, label, failed=not data.loading), "\n", error)
                return error
            if self.remembered is not None:
                return self._remembered(self.remembered, label)
            return Text("Loading this team's billing…", style=label)
        # Imported here, not at the top: the first frame has no numbers and must not wait for
        # pydantic; by the time a snapshot exists these modules are loaded.
        from xconsole.core.billing import rejects_soon
        from xconsole.core.money import format_cents

        s = data.snapshot.summary
        danger = rejects_soon(s, data.snapshot.auto_top_up)
        text = Text()
        parts = [
            ("Credits", format_cents(s.live_balance)),
            ("Month", format_cents(s.month_spend)),
            ("Limit", format_cents(s.soft_limit)),
            self._rejection(s, data.snapshot.forecast),
        ]
        gap = self._gap(sum(len(name) + 1 + len(value) for name, value in parts), len(parts) - 1)
        for name, value in parts:
            text.append(f"{name} ", style=label)
            red = danger and name == "Credits"
            text.append(value, style=self.get_component_rich_style("summary-danger") if red else "bold")
            text.append(gap)
        text.rstrip()
        if data.stale:
            text.append(f"\nShowing older data: {data.error}", style=self.get_component_rich_style("summary-error"))
        return text

    @staticmethod
    def _rejection(summary: SpendSummary, fc: Forecast | None) -> tuple[str, str]:
        """("Rejected", when) from the forecast (auto top-up and the limit included), else
        ("Runway", the figure every other surface gives: core.forecast.runway)."""
        from xconsole.core.forecast import runway, when_text

        left = runway(summary, fc)
        if left.known and fc is not None and fc.known and fc.rejected_at is not None and summary.runway_known:
            # Auto top-ups seen but not counted (real API): only the earliest it can come.
            return "Rejected", ("≥ " if fc.earliest_only else "") + when_text(fc.rejected_at, fc.now)
        return "Runway", left.text

    def _remembered(self, numbers: CachedNumbers, label: object, *, failed: bool = False) -> Text:
        """Last run's numbers, dimmed and dated, until the live ones arrive; or this start's
        early read, live, with the rest still coming (no pydantic needed). `failed`: the read
        that was to follow them failed, so they are only dated."""
        from xconsole.core.money import format_cents

        age = numbers.age()
        if failed:
            notes = [f"{'read' if numbers.live else 'saved'} {age}", age]
        elif numbers.live:
            notes = ["reading the rest…", "reading…"]
        else:
            notes = [f"saved {age} · refreshing…", f"{age} · refreshing…", f"{age}…"]
        figures = [(name, format_cents(cents)) for name, cents in
                   (("Credits", numbers.live_balance), ("Month", numbers.month_spend), ("Limit", numbers.soft_limit))]
        filled = sum(len(name) + 1 + len(value) for name, value in figures)
        # The longest note that keeps the line on one line (large amounts at 80 columns).
        note = next((n for n in notes if filled + len(n) + 2 * len(figures) <= self._width()), notes[-1])
        gap = self._gap(filled + len(note), len(figures))
        text = Text()
        for name, value in figures:
            text.append(f"{name} ", style=label)
            text.append(value, style="bold" if numbers.live else "dim bold")
            text.append(gap)
        text.append(note, style="italic dim")
        return text

    def _gap(self, filled: int, gaps: int) -> str:
        """Three spaces between figures, fewer when that is what keeps the line on one line (80
        columns with large amounts and a note)."""
        return next((" " * n for n in (3, 2) if filled + n * gaps <= self._width()), " ")

    def _width(self) -> int:
        return self.content_size.width or 10_000  # not laid out yet: as wide as it needs
