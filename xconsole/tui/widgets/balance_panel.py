"""The API spend management card: credits, what is pending, month spend, runway, warnings."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import Static

if TYPE_CHECKING:
    from xconsole.core.spend import SpendSnapshot

#: Width of the label column (longest label + at least one space).
LABEL_WIDTH = 18
#: A note narrower than this next to its value goes on a line of its own instead.
MIN_NOTE_WIDTH = 16


class BalancePanel(Static):
    DEFAULT_CSS = """
    BalancePanel {
        height: auto;
        padding: 0 1;
        border: round $primary-darken-2;
        &.danger {
            border: round $error;
            color: $error;
        }
    }
    """

    _snap: SpendSnapshot | None = None
    _drawn_width: int | None = None

    def on_resize(self, event: events.Resize) -> None:
        # Notes are wrapped to the width (see _rows): draw again when it changes.
        if self._snap is not None and self.content_size.width != self._drawn_width:
            self.show(self._snap)

    def show(self, snap: SpendSnapshot | None, waiting: Text | None = None) -> None:
        """The card for `snap`; without one, `waiting` (loading, or why the read failed)."""
        self._snap = snap
        self.set_class(False, "danger")
        if snap is None:
            self.update(waiting or Text("Loading…", style="dim"))
            return
        from xconsole.core.billing import UNPAID_UNKNOWN, WARNING_TEXT, rejects_soon, unpaid_text
        from xconsole.core.money import format_cents

        s = snap.summary
        runway = self._runway_note(snap)
        rows = [("Prepaid credits", Text(format_cents(s.live_balance), style="bold"), runway),
                ("Spent this month", Text(format_cents(s.month_spend)),
                 "" if s.beyond_prepaid is None else
                 f"billed at month end: {format_cents(s.beyond_prepaid)}" if s.beyond_prepaid else "all from prepaid credits")]
        if s.pending_purchases:
            rows.append(("Pending purchases", Text(format_cents(s.pending_purchases)), "credited when the payment clears"))
        forecast_line = self._forecast(snap, rows)
        default = snap.default_method
        if default is not None:
            # Known only because xconsole set it: another admin may have changed it since.
            note = "the default payment method" + ("" if default.is_default else " (as set from here this session)")
            rows.append(("Charged to", Text(default.label()), note))
        elif snap.payment_methods.payment_methods:
            rows.append(("Charged to", Text("default"), "payment method (the API does not name it)"))
        else:
            rows.append(("Charged to", Text("nothing"), "no payment method on file"))
        self._drawn_width = self.content_size.width
        body = self._rows(rows, self._drawn_width)
        lines: list[Text] = [forecast_line] if forecast_line else []
        auto = snap.auto_top_up
        topped_up = auto is not None and auto.enabled and not auto.blocked_reason
        if topped_up:
            lines.append(Text(f"Auto top-up on: buys {format_cents(auto.amount.val)} below {format_cents(auto.threshold.val)}",
                              style="dim"))
        if rejects_soon(s, auto):
            self.set_class(True, "danger")
            lines.append(Text("⚠ Invoiced billing limit is $0: API requests will be rejected when credits run out.",
                              style="bold"))
        elif s.soft_limit and s.limit_remaining == 0:
            self.set_class(True, "danger")
            lines.append(Text("⚠ Invoiced billing limit reached: API requests are rejected until it is raised.", style="bold"))
        for warning in auto.warnings if auto else []:
            lines.append(Text(f"⚠ {WARNING_TEXT.get(warning, warning)}"))
        for invoice in snap.unpaid or ():
            lines.append(Text(f"⚠ {unpaid_text(invoice)}: see Invoices (4)", style="bold red"))
        if snap.unpaid is None:
            lines.append(Text(f"{UNPAID_UNKNOWN} (r reads again)", style="dim"))
        for line in lines:
            body.append_text(line)
            body.append("\n")
        if s.unreported_note:
            body.append(s.unreported_note, style="dim")
        body.rstrip()
        self.update(body)

    @staticmethod
    def _runway_note(snap: SpendSnapshot) -> str:
        """The credits row's runway: one figure per screen. The forecast, when known, is the
        runway (the summary's, and its own line here, with auto top-up, the limit and its monthly
        reset); this row then says only what the credits alone last without auto top-up."""
        s = snap.summary
        auto = bool(snap.auto_top_up and snap.auto_top_up.enabled)
        if not s.runway_known:
            return "runway unknown"  # the usage card says why (its read failed)
        if not snap.daily:
            return "runway unknown: no usage rows"  # not "no spend": the usage card says so too
        if s.runway_days is None:
            return "no spend in the last 7 days"
        forecast = snap.forecast is not None and snap.forecast.known
        if forecast and not auto:
            return ""
        # (One line at 80 columns: with auto top-up on, the rate's basis gives way to that.)
        basis = "without auto top-up" if auto else "at the last 7 days' rate"
        return f"runway {s.runway_text} {basis}"

    @staticmethod
    def _forecast(snap: SpendSnapshot, rows: list[tuple[str, Text, str]]) -> Text | None:
        """The forecast (core.forecast): the month's projected spend as a row, and when requests
        will be rejected, and why, as a line of its own."""
        from xconsole.core.money import format_cents

        fc = snap.forecast
        if fc is None or not fc.known:
            return None
        note = f"projected at ~{format_cents(fc.rate_per_day)} a day"
        if fc.top_ups:
            count = len(fc.top_ups)
            note += f", {count} auto top-up{'s' if count != 1 else ''} ({format_cents(sum(t.cents for t in fc.top_ups))})"
        rows.append(("Month-end spend", Text(format_cents(fc.month_spend)), note))
        line = Text(f"Forecast: {fc.summary()}", style="bold" if fc.rejected_at is not None else "dim")
        return line

    @staticmethod
    def _rows(rows: list[tuple[str, Text, str]], width: int) -> Text:
        """Label, right-aligned value and note per row, the notes in one column.

        Plain padded text, not a rich Table: it renders in a fraction of the time on every repaint.
        Every gap is whitespace at the END of a span, never at the start of the next one: SVG
        renderers (librsvg, which draws the PNG screenshots) and text extractors drop a <text>'s
        leading whitespace, which glued "Visa ··4242the default payment method" and lost the
        alignment. A note too long for the width wraps within its column (a hanging indent), not
        back under the labels where its last word would read as a label; `width` 0 means not laid
        out yet (no wrapping).
        """
        label_width = max(LABEL_WIDTH, max(len(label) for label, _value, _note in rows) + 1)
        value_width = max(value.cell_len for _label, value, _note in rows)
        note_column = label_width + value_width + 2
        room = width - note_column if width else 0
        body = Text()
        for label, value, note in rows:
            # The value is right-aligned by padding the (dim) label, not the value.
            body.append(f"{label:<{label_width}}" + " " * (value_width - value.cell_len), style="dim")
            body.append_text(value)
            body.append("  ")
            if not note:
                body.append("\n")
            elif not width or len(note) <= room:
                body.append(note + "\n", style="dim")
            elif room >= MIN_NOTE_WIDTH:
                first, *rest = textwrap.wrap(note, room)
                body.append(first + "\n", style="dim")
                for part in rest:
                    body.append(" " * note_column)
                    body.append(part + "\n", style="dim")
            else:  # too narrow for a column of notes: the note on its own line, indented
                body.append("\n")
                for part in textwrap.wrap(note, max(MIN_NOTE_WIDTH, width - 2)):
                    body.append("  ")
                    body.append(part + "\n", style="dim")
        return body
