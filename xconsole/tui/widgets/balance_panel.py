"""The API spend management card: credits, what is pending, month spend, runway, warnings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from xconsole.core.spend import SpendSnapshot


class BalancePanel(Static):
    def show(self, snap: SpendSnapshot | None) -> None:
        self.set_class(False, "danger")
        if snap is None:
            self.update(Text("Loading…", style="dim"))
            return
        from xconsole.core.billing import WARNING_TEXT, rejects_soon
        from xconsole.core.money import format_cents

        s = snap.summary
        rows = [("Prepaid credits", Text(format_cents(s.live_balance), style="bold"),
                 f"runway {s.runway_text} at the last 7 days' rate" if s.runway_known else "runway unknown"),
                ("Spent this month", Text(format_cents(s.month_spend)),
                 "" if s.beyond_prepaid is None else
                 f"billed at month end: {format_cents(s.beyond_prepaid)}" if s.beyond_prepaid else "all from prepaid credits")]
        if s.pending_purchases:
            rows.append(("Pending purchases", Text(format_cents(s.pending_purchases)), "credited when the payment clears"))
        default = snap.default_method
        if default is not None:
            # Known only because xconsole set it: another admin may have changed it since.
            note = "the default payment method" + ("" if default.is_default else " (as set from here this session)")
            rows.append(("Charged to", Text(default.label()), note))
        elif snap.payment_methods.payment_methods:
            rows.append(("Charged to", Text("default"), "payment method (the API does not name it)"))
        else:
            rows.append(("Charged to", Text("nothing"), "no payment method on file"))
        # Plain padded text, not a rich Table: it renders in a fraction of the time on every repaint.
        width = max(len(value) for _label, value, _note in rows)
        body = Text()
        for label, value, note in rows:
            body.append(f"{label:<18}", style="dim")
            value.pad_left(width - len(value))
            body.append_text(value)
            body.append(f"  {note}\n", style="dim")
        lines: list[Text] = []
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
        for line in lines:
            body.append_text(line)
            body.append("\n")
        if s.unreported_note:
            body.append(s.unreported_note, style="dim")
        body.rstrip()
        self.update(body)
