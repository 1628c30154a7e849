"""One line of live numbers for the active team: balance, month spend, limit, runway."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widget import Widget

from xconsole.tui.state import TeamData

if TYPE_CHECKING:
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
            self._rejection(data.snapshot.forecast) or ("Runway", s.runway_text),
        ]
        for name, value in parts:
            text.append(f"{name} ", style=label)
            red = danger and name == "Credits"
            text.append(value, style=self.get_component_rich_style("summary-danger") if red else "bold")
            text.append("   ")
        text.rstrip()
        if data.stale:
            text.append(f"\nShowing older data: {data.error}", style=self.get_component_rich_style("summary-error"))
        return text

    @staticmethod
    def _rejection(fc: object) -> tuple[str, str] | None:
        """("Rejected", when) from the forecast (auto top-up and the limit included), else None."""
        from xconsole.core.forecast import Forecast, when_text

        if not isinstance(fc, Forecast) or not fc.known:
            return None
        if fc.rejected_at is None:
            return "Runway", f"{fc.horizon_days}+ days"  # auto top-up and the limit included
        return "Rejected", when_text(fc.rejected_at, fc.now)

    def _remembered(self, numbers: CachedNumbers, label: object, *, failed: bool = False) -> Text:
        """Last run's numbers, dimmed and dated, until the live ones arrive; or this start's
        early read, live, with the rest still coming (no pydantic needed). `failed`: the read
        that was to follow them failed, so they are only dated."""
        from xconsole.core.money import format_cents

        text = Text()
        for name, cents in (("Credits", numbers.live_balance), ("Month", numbers.month_spend), ("Limit", numbers.soft_limit)):
            text.append(f"{name} ", style=label)
            text.append(format_cents(cents), style="bold" if numbers.live else "dim bold")
            text.append("   ")
        if failed:
            note = f"{'read' if numbers.live else 'saved'} {numbers.age()}"
        else:
            note = "reading the rest…" if numbers.live else f"saved {numbers.age()} · refreshing…"
        text.append(note, style="italic dim")
        return text
