"""The auto top-up what-if (issue 20 §2): the form's draft settings replayed on the team's last
90 days of usage, and the smallest settings with no rejected hour within a monthly budget.

Who does what, so typing stays instant: the screen hands in the usage (read by the store in a
worker, once per visit) and the draft as the person types. One replay (core.what_if.Replayer)
costs about a millisecond, but it runs in a thread worker all the same, at most once per frame
however fast keys come, so a slow machine never delays a keystroke; an answer for a draft no
longer shown is dropped. The smallest-settings search is a few hundred replays (up to ~0.3 s),
in a thread worker too. Copying the suggestion
into the form is the screen's business (`UseSuggested`): this widget never edits the form and
never saves anything.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, Label, Static

from xconsole.tui.money_field import read_amount

if TYPE_CHECKING:
    from xconsole.core.hourly import HourlyUsage
    from xconsole.core.topup_replay import AutoRule
    from xconsole.core.what_if import Replayer, WhatIf

#: Days of usage replayed.
DAYS = 90
#: Moments listed per kind of blocked top-up before "+N more".
SHOWN_BLOCKS = 3


def _when(moment: Any) -> str:
    from xconsole.core.forecast import when_text

    return when_text(moment)


def _blocked(label: str, moments: list[Any]) -> Text:
    line = Text(f"{label} blocked a top-up: ")
    if not moments:
        return line.append("never", style="green")
    # Day and hour only (UTC, like the rest of the replay), so three fit on one 80-column line.
    line.append(", ".join(f"{m.day} {m:%b %H}:00" for m in moments[:SHOWN_BLOCKS]), style="yellow")
    if len(moments) > SHOWN_BLOCKS:
        line.append(f" (+{len(moments) - SHOWN_BLOCKS} more)", style="yellow")
    return line


class WhatIfPanel(Vertical):
    DEFAULT_CSS = """
    WhatIfPanel {
        height: auto;  /* no margin: on 80×24 its first lines show under the form while typing */
        padding: 0 1;
        border: round $secondary;
        border-title-color: $foreground;
        border-title-style: bold;
        #what-if-figures, #what-if-smallest { height: auto; }
        .budget-row { height: auto; margin-top: 1; }
        .budget-label { width: 34; }  /* lines up with the form's fields above */
        #what-if-budget { width: 16; }
        #what-if-budget-error { width: 1fr; margin-left: 1; }
        #what-if-use { margin-top: 0; }
    }
    """

    class UseSuggested(Message):
        """Copy `rule` into the form (Enter in the budget field, or the button). Nothing is saved."""

        def __init__(self, rule: AutoRule) -> None:
            super().__init__()
            self.rule = rule

    class _Replayed(Message, bubble=False):
        """The thread worker's replay of one draft (and the history prepared for it)."""

        def __init__(self, key: tuple[Any, ...], replayer: Replayer, result: WhatIf, ms: float) -> None:
            super().__init__()
            self.key, self.replayer, self.result, self.ms = key, replayer, result, ms

    class _Found(Message, bubble=False):
        """The thread worker's answer for one (history, limit, budget)."""

        def __init__(self, key: tuple[Any, ...], rule: AutoRule | None) -> None:
            super().__init__()
            self.key = key
            self.rule = rule

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.border_title = f"What if: these settings on the last {DAYS} days"
        self._history: HourlyUsage | None = None
        self._limit = 0
        self._replayer: Replayer | None = None
        self._loading = True
        self._error: str | None = None
        self._console_only = False
        self._draft: AutoRule | None = None
        self._draft_note = ""  # why there is nothing to replay, or that auto top-up is off
        self._replay_due = False
        self._budget: int | None = None  # cents; None: empty or not an amount
        self._budget_prefill: str | None = None  # what `prefill_budget` last put in the field
        self._search_key: tuple[Any, ...] | None = None  # the suggestion shown (or searched) is for this
        self._replay_key: tuple[Any, ...] | None = None  # the draft being replayed
        self._searching = False
        #: The last replay of the draft, its cost in milliseconds (the first after a new history
        #: includes preparing it, ~5 ms), and the suggestion (tests read them).
        self.result: WhatIf | None = None
        self.replay_ms: float | None = None
        self.suggested: AutoRule | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="what-if-figures")
        with Horizontal(classes="budget-row"):
            yield Label("Monthly budget for a suggestion", classes="budget-label")
            yield Input(id="what-if-budget", compact=True, placeholder="$")
            yield Label("", id="what-if-budget-error", classes="field-error")
        yield Static("", id="what-if-smallest")
        yield Button("Copy into the form (u)", id="what-if-use", compact=True, disabled=True)

    def on_mount(self) -> None:
        self._render_figures()
        self._render_smallest()

    # ------------------------------------------------------------------ what the screen hands in

    def show_usage(self, history: HourlyUsage | None, *, limit: int, loading: bool, error: str | None,
                   console_only: bool) -> None:
        """The team's usage (None before the first answer), the invoiced limit in force and how
        the read is going. A new history or limit is prepared once; drafts then replay cheaply."""
        changed = history is not self._history or limit != self._limit
        if not changed and (loading, error, console_only) == (self._loading, self._error, self._console_only):
            return  # the store announces every change of the team's data: most are not ours
        self._loading, self._error, self._console_only = loading, error, console_only
        if changed:
            self._history, self._limit = history, limit
            self._replayer = None  # prepared on the next replay
            self.result = None
            self._search()
        self._schedule_replay()

    def set_draft(self, rule: AutoRule | None, note: str = "") -> None:
        """The form's settings as typed (None: nothing valid to replay, `note` says why)."""
        if rule == self._draft and note == self._draft_note:
            return
        self._draft, self._draft_note = rule, note
        self._schedule_replay()

    @property
    def typed_budget(self) -> str | None:
        """The budget the person typed (None: empty, or the one offered)."""
        value = self.query_one("#what-if-budget", Input).value
        return value if value and value != self._budget_prefill else None

    def reset_budget(self, typed: str | None) -> None:
        """Another team: its typed budget back, or an empty field for `prefill_budget` to offer one."""
        self._budget_prefill = None
        self.query_one("#what-if-budget", Input).value = typed or ""

    def prefill_budget(self, text: str) -> None:
        """Offer `text` as the budget unless the person typed one of their own."""
        box = self.query_one("#what-if-budget", Input)
        if box.value in ("", self._budget_prefill) and box.value != text:
            self._budget_prefill = text
            box.value = text  # Input.Changed reads it like typing

    @property
    def no_suggestion(self) -> str:
        """Why there is nothing to copy, in words."""
        if self._history is None:
            return "The usage is not read yet: no suggestion to copy."
        if self._budget is None:
            return "Type a monthly budget in the what-if first."
        if self._searching:
            return "Still looking for the smallest settings."
        return "No settings within the budget avoid every rejected hour: nothing to copy."

    # ------------------------------------------------------------------ the replay (UI loop, ≤ once a frame)

    def _schedule_replay(self) -> None:
        if not self._replay_due:
            self._replay_due = True
            self.call_after_refresh(self._replay)

    def _replay(self) -> None:
        self._replay_due = False
        history = self._history
        self._replay_key = None
        if history is not None and history.total > 0 and self._draft is not None:
            # The last figures stay until the new ones come (no flicker); `result` says which draft.
            if self.result is not None and self.result.settings is not None and self._replayer is None:
                self.result = None  # a new history: the old figures are for other usage
            self._replay_key = (id(history), self._limit, self._draft)
            self._run_replay(history, self._limit, self._draft, self._replayer, self._replay_key)
        else:
            self.result = None
        self._render_figures()
        self._render_smallest()

    @work(thread=True, group="what-if-replay", exit_on_error=False)
    def _run_replay(self, history: HourlyUsage, limit: int, draft: AutoRule, replayer: Replayer | None,
                    key: tuple[Any, ...]) -> None:
        from xconsole.core.what_if import Replayer

        started = time.perf_counter()
        replayer = replayer or Replayer(history, limit=limit)
        result = replayer.run(draft)
        self.post_message(self._Replayed(key, replayer, result, (time.perf_counter() - started) * 1000))

    @on(_Replayed)
    def _replayed(self, event: _Replayed) -> None:
        if event.key != self._replay_key:
            return  # a draft typed over since
        self._replayer = event.replayer
        self.result = event.result
        self.replay_ms = event.ms
        self._render_figures()
        self._render_smallest()

    def _render_figures(self) -> None:
        self.query_one("#what-if-figures", Static).update(self._figures())

    def _figures(self) -> Text:
        from xconsole.core.money import format_cents

        text = Text()
        if self._console_only:
            text.append("Reads only usage, so it works on this API too: choose settings here, then "
                        "enter them in the xAI console.\n", style="bold")
        history = self._history
        if history is None:
            if self._error and not self._loading:
                return text.append(f"Could not read the usage: {self._error} — r retries", style="red")
            return text.append(f"Reading the last {DAYS} days of usage…", style="dim")
        last = history.end - timedelta(hours=1)
        self.border_title = (f"What if: these settings on {history.start.day} {history.start:%b} – "
                             f"{last.day} {last:%b} ({len(history) // 24} days)")
        if history.total == 0:
            text.append(f"No usage in the last {DAYS} days: nothing to replay (no top-up would have fired).",
                        style="yellow")
        elif self.result is None:
            text.append(self._draft_note or "Type a trigger, amount and monthly maximum to replay them.", style="dim")
        else:
            r = self.result
            text.append(f"{r.top_ups} top-up{'s' if r.top_ups != 1 else ''}", style="bold")
            text.append(", ")
            text.append(format_cents(r.bought), style="bold")
            text.append(" bought" + ("" if r.rejected_hours else ", "))
            if r.rejected_hours:
                text.append(f"\nRequests rejected in {r.rejected_hours:,} hour{'s' if r.rejected_hours != 1 else ''}",
                            style="bold red")
                text.append(f", first {_when(r.first_rejected)}")
            else:
                text.append("no hour with rejected requests", style="green")
            text.append("\n").append_text(_blocked("Monthly maximum", r.monthly_blocks))
            text.append("\n").append_text(_blocked("5-per-24 h rule", r.daily_blocks))
            if self._draft_note:
                text.append(f"\n{self._draft_note}", style="dim")
        notes = []
        if self._limit and history.total:  # spend beyond credit up to it is served, not rejected
            notes.append(f"Replayed with the invoiced billing limit in force, {format_cents(self._limit)}")
        if history.resolution != "hour":  # hourly peaks within a day are not seen: say so
            notes.append("Usage comes per day here, spread evenly over each day's hours")
        if history.partial:
            notes.append("The API capped the usage series: the totals may be low")
        if self._error:
            notes.append(f"Usage from an earlier read: the last one failed ({self._error})")
        for note in notes:
            text.append(f"\n{note}", style="dim")
        return text

    # ------------------------------------------------------------------ the suggestion (thread worker)

    @on(Input.Changed, "#what-if-budget")
    def _budget_changed(self, event: Input.Changed) -> None:
        event.stop()  # the form's own handlers must not take the budget for a setting
        from xconsole.core.billing import MIN_TOP_UP_CENTS
        from xconsole.core.money import MAX_INPUT_CENTS

        self._budget = read_amount(event.value, self.query_one("#what-if-budget-error", Label),
                                   minimum=(MIN_TOP_UP_CENTS, "At least $25.00, the smallest top-up"),
                                   maximum=(MAX_INPUT_CENTS, "Too large"), quiet_when_empty=True)
        self._search()

    @on(Input.Submitted, "#what-if-budget")
    def _budget_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # Enter here copies the suggestion; it never reviews the form
        self._use()

    @on(Button.Pressed, "#what-if-use")
    def _use_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._use()

    def _use(self) -> None:
        if self.suggested is not None:
            self.post_message(self.UseSuggested(self.suggested))
        else:
            self.notify(self.no_suggestion, severity="warning")

    def _search(self) -> None:
        """Look for the smallest settings for the current history, limit and budget, unless the
        suggestion shown is already for them."""
        history, budget = self._history, self._budget
        key = (id(history), self._limit, budget)
        if key == self._search_key:
            return
        self._search_key = key
        self.suggested = None
        self._searching = history is not None and budget is not None and history.total > 0
        if self._searching:
            self._find_smallest(history, budget, self._limit, key)
        self._render_smallest()

    @work(thread=True, exclusive=True, group="what-if-smallest", exit_on_error=False)
    def _find_smallest(self, history: HourlyUsage, budget: int, limit: int, key: tuple[Any, ...]) -> None:
        from xconsole.core.what_if import smallest_settings

        self.post_message(self._Found(key, smallest_settings(history, budget, limit=limit)))

    @on(_Found)
    def _found(self, event: _Found) -> None:
        if event.key != self._search_key:
            return  # for a budget or history no longer shown
        self._searching = False
        self.suggested = event.rule
        self._render_smallest()

    def _render_smallest(self) -> None:
        from xconsole.core.money import format_cents
        from xconsole.core.what_if import describe

        line = Text()
        button = self.query_one("#what-if-use", Button)
        button.disabled = self.suggested is None
        if self._history is None or self._history.total == 0:
            line.append("The smallest settings with no rejected hour show once there is usage.", style="dim")
        elif self._budget is None:
            line.append("Type a monthly budget to find the smallest settings with no rejected hour.", style="dim")
        elif self._searching:
            line.append("Finding the smallest settings with no rejected hour…", style="dim")
        elif self.suggested is None:
            line.append(f"No settings within {format_cents(self._budget)} a month avoid every rejected hour.",
                        style="yellow")
        else:
            line.append("Smallest with no rejected hour:\n", style="bold")
            line.append(f"  {describe(self.suggested)}")
            if self.suggested == self._draft:
                line.append(" (in the form now)", style="green")
        self.query_one("#what-if-smallest", Static).update(line)
