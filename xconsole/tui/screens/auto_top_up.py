"""Screen 2, auto top-up: how much of the month's and the day's allowance is used (first, so it
shows on an 80×24 terminal), the console's warnings, the form (trigger, amount, monthly maximum)
with what it will do, the what-if (the draft replayed on the last 90 days of usage, and the
smallest settings with no rejected hour within a budget), and the last auto top-ups. It all
scrolls as one column: Tab reaches every field and button, PageUp/PageDown the rest.

On the real API auto top-up is console-only: the form becomes a draft that is never sent, and
the what-if still works because it reads only usage."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Static, Switch

from xconsole.tui import format as fmt
from xconsole.tui.money_field import read_amount
from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.store import WriteFinished
from xconsole.tui.widgets.what_if_panel import DAYS, WhatIfPanel

if TYPE_CHECKING:
    from xconsole.core.models import AutoTopUp, AutoTopUpSettings
    from xconsole.core.spend import SpendSnapshot
    from xconsole.core.topup_replay import AutoRule

FIELDS = (("threshold", "Trigger when credits drop below"), ("amount", "Buy this much (minimum $25)"),
          ("monthlyLimit", "At most this much a month"))
BAR = 24


def _append_auto_purchases(text: Text, snap: object, count: int) -> None:
    """The newest AUTO_PURCHASE rows of the ledger, one line each."""
    from xconsole.core.money import format_cents

    autos = [c for c in snap.ledger.changes if c.change_origin.value == "AUTO_PURCHASE"][:count]  # type: ignore[attr-defined]
    for change in autos:
        text.append(f"  {fmt.when(change.create_time)}  {format_cents(change.credit_cents, sign=True):>10}  "
                    f"{fmt.status(change.topup_status.value if change.topup_status else None)}\n")
    if not autos:
        text.append("  none yet\n", style="dim")


class AutoTopUpScreen(TeamScreen):
    DEFAULT_CSS = """
    AutoTopUpScreen {
        #auto { height: 1fr; }
        #auto-usage { height: auto; padding: 0 1; margin-bottom: 1; }
        /* One row per field, its error beside it: on 80×24 the whole form fits under the usage. */
        #auto-form { height: auto; border: round $primary-darken-2; padding: 0 1; }
        .switch-row, .field-row { height: auto; }
        .switch-row Switch { width: auto; height: 1; border: none; padding: 0; margin-right: 1; }
        .switch-row Switch:focus { background-tint: $foreground 10%; }
        .field-label { width: 34; }
        .field-row Input { width: 16; }
        .field-row .field-error { width: 1fr; margin-left: 1; }
        .form-buttons { height: auto; }
        .form-buttons Button { margin-right: 2; }
        #auto-status, #auto-console { margin-top: 1; padding: 0 1; height: auto; }
    }
    /* Console-only (the real API): the form is a draft for the what-if, never saved from here. */
    AutoTopUpScreen.-console-only {
        .switch-row, #auto-charges, .form-buttons { display: none; }
    }
    /* --read-only: settings can be tried in the what-if, never saved. */
    AutoTopUpScreen.-read-only .form-buttons { display: none; }
    """
    MODE = "auto"
    HELP = (
        "Auto top-up buys credits when the balance drops below the trigger: at least $25 a time, at most "
        "the monthly maximum, and never more than 5 times in 24 hours. Warnings appear at 80 % of the "
        "monthly maximum and when only 1 of the 5 daily top-ups is left. It can be disabled at any time.\n\n"
        f"What if: as you type, the settings are replayed on the team's last {DAYS} days of usage, hour by "
        "hour, with the console's rules: how many top-ups, how much bought, the hours when requests would "
        "have been rejected, and when the monthly maximum or the 5-per-24 h rule blocked a top-up. The "
        "replay starts at the trigger balance with nothing used, and only auto top-up buys credit. Type a "
        "monthly budget to get the smallest settings with no rejected hour; u (or Enter in the budget) "
        "copies them into the form — nothing is saved until you review and save. It reads only usage, so "
        "on the real API, where auto top-up is set in the xAI console, it helps choose what to enter there."
    )
    BINDINGS: ClassVar = [
        Binding("c", "copy_console_url", "Copy console URL", show=False, id="auto.copy"),
        # "(space toggles)" holds wherever the focus is, except in a text field (a space is text there).
        Binding("space", "toggle_enabled", "Toggle auto top-up", show=False, id="auto.toggle"),
        Binding("u", "use_suggested", "Use suggested", id="auto.use_suggested",
                tooltip="Copy the what-if's smallest settings with no rejected hour into the form (nothing is saved)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        #: (team, data generation) the form shows; generation None: a console-only draft.
        self._filled_for: tuple[str, int | None] | None = None
        self._filled: dict[str, object] = {}  # widget id -> value the form was filled with
        self._filled_name = ""  # the team the form was filled for (the active one may have changed since)
        self._usage_read: set[str] = set()  # teams whose usage was read on this visit of the screen
        #: team id -> (team name, form values): settings typed and not saved, kept while another
        #: team is shown and given back when it is shown again (named if the console is quit).
        self._drafts: dict[str, tuple[str, dict[str, object]]] = {}
        #: team id -> form values: a console-only team's what-if draft (nothing to save), the same way.
        self._console_drafts: dict[str, dict[str, object]] = {}
        #: team id -> the what-if budget typed for it (each team's own, like its settings).
        self._budgets: dict[str, str] = {}

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="auto"):
            yield Static("", id="auto-usage")
            yield Static("", id="auto-console", classes="hidden")
            with Vertical(id="auto-form"):
                with Horizontal(classes="switch-row"):
                    yield Switch(id="auto-enabled")
                    yield Label("Auto top-up enabled", id="auto-enabled-label")
                for field, label in FIELDS:
                    with Horizontal(classes="field-row"):
                        yield Label(label, classes="field-label")
                        yield Input(id=f"auto-{field}", compact=True, placeholder="$")
                        yield Label("", id=f"auto-{field}-error", classes="field-error")
                yield Static("", id="auto-charges", classes="dialog-hint")
                yield Static("", id="auto-explain", classes="dialog-hint")
                with Horizontal(classes="form-buttons"):
                    yield Button("Review and save", variant="primary", id="auto-save", compact=True)
                    yield Button("Disable", id="auto-disable", compact=True)
                    yield Button("Undo changes", id="auto-reset", compact=True)
            yield WhatIfPanel(id="what-if")
            yield Static("", id="auto-status")

    # ------------------------------------------------------------------ data in

    def on_team_data(self) -> None:
        super().on_team_data()
        data = self.data
        snap = data.snapshot if data else None
        console_only = snap is not None and snap.auto_top_up is None
        self.set_class(console_only, "-console-only")
        self.query_one("#auto-console", Static).set_class(not console_only, "hidden")
        self.query_one("#auto-form").display = snap is not None
        self.query_one("#auto-form").border_title = "Settings to try (set in the xAI console)" if console_only else None
        self.query_one("#auto-usage").display = not console_only and snap is not None
        self.query_one(WhatIfPanel).display = snap is not None
        if snap is None:
            self.query_one("#auto-status", Static).update(self.loading_text())
            return
        team_id = self.team.team_id  # type: ignore[union-attr]
        arriving = self._filled_for is None or self._filled_for[0] != team_id
        if arriving and self._filled_for is not None:
            self._keep_draft(self._filled_for)
        if arriving:
            self.query_one(WhatIfPanel).reset_budget(self._budgets.pop(team_id, None))
        self._show_what_if(snap, console_only)
        if console_only:
            self._show_console_only(snap)
            if arriving:
                self._fill_draft(self._console_drafts.pop(team_id, None))
            self._filled_for = (team_id, None)
            return
        read_only = self.store.read_only
        self.set_class(read_only, "-read-only")
        if read_only:
            self.query_one("#auto-form").border_title = "Settings to try (read-only mode: nothing is saved)"
        # Off on the server: nothing to disable (the button says so by being greyed, not by a toast).
        self.query_one("#auto-disable", Button).disabled = not snap.auto_top_up.enabled  # type: ignore[union-attr]
        # Keep what the person is typing; refill when the team changes or after a save.
        default = snap.default_method
        self.query_one("#auto-charges", Static).update(
            f"Charges the default payment method: {default.label()}" if default else
            "Charges the team's default payment method" if snap.payment_methods.payment_methods else
            "No payment method on file: auto top-ups cannot be charged until one is added")
        if arriving or not self.dirty:
            self._fill(snap.auto_top_up)
            draft = self._drafts.pop(team_id, None) if arriving else None
            if draft is not None:
                self._show_values(draft[1])
        self._filled_for = (team_id, data.generation)  # type: ignore[union-attr]
        self._show_status(snap)

    def _show_what_if(self, snap: SpendSnapshot, console_only: bool) -> None:
        """Hand the team's usage to the what-if, reading it once per team per visit (90 days cost a
        few requests, made by the store in a worker); the replay limit is the invoiced one in force."""
        from xconsole.core.money import format_cents

        team = self.team
        if team is None:
            return
        fresh = team.team_id not in self._usage_read
        self._usage_read.add(team.team_id)
        res = self.store.usage_hours(team, DAYS, fresh=fresh)
        panel = self.query_one(WhatIfPanel)
        panel.show_usage(res.value, limit=snap.limits.limit_cents or 0, loading=res.loading, error=res.error,
                         console_only=console_only)
        if snap.auto_top_up is not None and snap.auto_top_up.monthly_limit.val:
            panel.prefill_budget(format_cents(snap.auto_top_up.monthly_limit.val)[1:])

    def on_screen_suspend(self) -> None:
        # A dialog over this screen (confirm, help, team switcher) is not leaving it; another screen is.
        if self.app.current_mode != self.MODE:
            self._usage_read.clear()

    def _keep_draft(self, shown: tuple[str, int | None]) -> None:
        """Before another team fills the form: keep what was typed for the team it showed."""
        team_id, generation = shown
        budget = self.query_one(WhatIfPanel).typed_budget
        if budget:
            self._budgets[team_id] = budget
        if generation is None:
            if any(self._values()[f"auto-{field}"] for field, _label in FIELDS):
                self._console_drafts[team_id] = self._values()
        elif self.dirty:
            self._drafts[team_id] = (self._filled_name, self._values())

    def _fill_draft(self, kept: dict[str, object] | None) -> None:
        """The console-only draft: what was typed for this team before, else empty (the team's
        settings are unknown to the API)."""
        self._filled = {}
        for field, _label in FIELDS:
            self.query_one(f"#auto-{field}", Input).value = str(kept[f"auto-{field}"]) if kept else ""
        self._validate()

    def _fill(self, auto: AutoTopUp) -> None:
        from xconsole.core.money import format_cents

        self._filled = {"auto-enabled": auto.enabled}
        self._filled_name = self.team.name if self.team is not None else ""
        self.query_one("#auto-enabled", Switch).value = auto.enabled
        for field, cents in (("threshold", auto.threshold.val), ("amount", auto.amount.val),
                             ("monthlyLimit", auto.monthly_limit.val)):
            value = format_cents(cents)[1:] if cents or auto.enabled else ""
            self._filled[f"auto-{field}"] = value
            self.query_one(f"#auto-{field}", Input).value = value
        self._validate()

    def _show_values(self, values: dict[str, object]) -> None:
        self.query_one("#auto-enabled", Switch).value = bool(values["auto-enabled"])
        for field, _label in FIELDS:
            self.query_one(f"#auto-{field}", Input).value = str(values[f"auto-{field}"])
        self._validate()

    @property
    def unsaved(self) -> str | None:
        """What quitting now would drop, for the app's question (None: nothing)."""
        if self.store.read_only:
            return None  # only tried in the what-if: nothing could have been saved
        names = ([self._filled_name] if self.dirty else []) + [name for name, _values in self._drafts.values()]
        return f"Auto top-up settings of {', '.join(names)}" if names else None

    @property
    def dirty(self) -> bool:
        """The person changed something the server has not seen (programmatic fills do not count)."""
        return bool(self._filled) and self._values() != self._filled

    def _values(self) -> dict[str, object]:
        """What the form shows, by widget id (as `_filled` keeps it)."""
        current: dict[str, object] = {"auto-enabled": self.query_one("#auto-enabled", Switch).value}
        current.update({f"auto-{f}": self.query_one(f"#auto-{f}", Input).value for f, _ in FIELDS})
        return current

    def _show_console_only(self, snap: object) -> None:
        from xconsole.core.console import console_billing_url

        url = console_billing_url(self.team.team_id)  # type: ignore[union-attr]
        text = Text.assemble(("Auto top-up is managed in the xAI console", "bold"),
                             " — the Management API has no endpoint for it.\n", url, ("   (c copies it)", "dim"))
        self.query_one("#auto-console", Static).update(text)
        status = Text()
        status.append("Auto purchases in the ledger\n", style="bold")
        _append_auto_purchases(status, snap, 8)
        self.query_one("#auto-status", Static).update(status)

    def _show_status(self, snap: object) -> None:
        from xconsole.core.billing import MAX_AUTO_TOP_UPS_PER_24H, WARNING_TEXT
        from xconsole.core.money import format_cents

        auto = snap.auto_top_up  # type: ignore[attr-defined]
        limit, used = auto.monthly_limit.val, auto.used_this_month.val
        filled = min(BAR, round(BAR * used / limit)) if limit else 0
        share = f"{used * 100 // limit}%" if limit else "no maximum set"
        usage = Text.assemble(("This month  ", "bold"), ("█" * filled, "cyan"), ("░" * (BAR - filled) + " ", "dim"),
                              f"{format_cents(used)} of {format_cents(limit)} ({share})\n",
                              ("Last 24 h   ", "bold"), f"{auto.top_ups_last24h} of {MAX_AUTO_TOP_UPS_PER_24H} top-ups")
        shown = [WARNING_TEXT.get(w, w) for w in auto.warnings]
        for text in shown:
            usage.append(f"\n⚠ {text}", style="bold yellow")
        if auto.blocked_reason in shown:  # said already: only say that it blocked a top-up
            usage.append(" — The last due top-up did not happen.", style="bold red")
        elif auto.blocked_reason:
            usage.append(f"\n⚠ The last due top-up did not happen: {auto.blocked_reason}", style="bold red")
        self.query_one("#auto-usage", Static).update(usage)
        text = Text()
        text.append("Last auto top-ups\n", style="bold")
        _append_auto_purchases(text, snap, 5)
        self.query_one("#auto-status", Static).update(text)

    # ------------------------------------------------------------------ editing

    def on_input_changed(self, event: Input.Changed) -> None:
        self._validate()

    def on_switch_changed(self, event: Switch.Changed) -> None:
        self._validate()

    @on(Input.Submitted)
    @on(Button.Pressed, "#auto-save")
    def _review(self) -> None:
        self.review()

    @on(Button.Pressed, "#auto-disable")
    def _disable(self) -> None:
        self.disable()

    @on(Button.Pressed, "#auto-reset")
    def _reset(self) -> None:
        data = self.data
        if data and data.snapshot and data.snapshot.auto_top_up:
            self._fill(data.snapshot.auto_top_up)

    def _settings(self, *, quiet_when_empty: bool) -> AutoTopUpSettings | None:
        """The form's values, with every problem shown next to its field; None if any."""
        from xconsole.core import billing, models

        draft = self.has_class("-console-only")
        values: dict[str, int] = {}
        ok = True
        for field, _label in FIELDS:
            cents = read_amount(self.query_one(f"#auto-{field}", Input).value, self.query_one(f"#auto-{field}-error", Label),
                                quiet_when_empty=quiet_when_empty)
            if cents is None:
                ok = False
            else:
                values[field] = cents
        if not ok:
            return None
        settings = models.AutoTopUpSettings(
            enabled=draft or self.query_one("#auto-enabled", Switch).value, threshold=models.Cent.of(values["threshold"]),
            amount=models.Cent.of(values["amount"]), monthly_limit=models.Cent.of(values["monthlyLimit"]),
        )
        problems = billing.validate_auto_top_up(settings)
        for field, message in problems.items():
            self.query_one(f"#auto-{field}-error", Label).update(message)
        return None if problems else settings

    def _validate(self, *, saving: bool = False) -> AutoTopUpSettings | None:
        """The form's settings (None: not valid), every problem said next to its field. An empty
        field is only a problem once it is needed: auto top-up switched on, or a save asked for
        (a draft for the what-if never complains about one)."""
        from xconsole.core.billing import describe_auto_top_up

        on = self.query_one("#auto-enabled", Switch).value
        console_only = self.has_class("-console-only")
        # In words too: a one-row switch shows its state by colour only.
        self.query_one("#auto-enabled-label", Label).update(f"Auto top-up {'on' if on else 'off'} (space toggles)")
        settings = self._settings(quiet_when_empty=console_only or not (on or saving))
        blank = self._blank()
        explain = self.query_one("#auto-explain", Static)
        if console_only:
            explain.update("Type settings to replay them on the team's usage below; enter the ones you choose "
                           "in the xAI console. Nothing is sent from here.")
        elif settings:
            explain.update(describe_auto_top_up(settings))
        elif blank and not (on or saving):
            explain.update("Auto top-up is off. To set it up, switch it on (space) and enter the three amounts.")
        elif self._marked():
            explain.update("Fix the fields marked above.")
        else:  # some left empty, not needed yet
            explain.update("Enter all three amounts, or leave them all empty.")
        self._draft_to_what_if(settings, blank)
        return settings

    def _blank(self) -> bool:
        """No amount typed in any field."""
        return all(not self.query_one(f"#auto-{f}", Input).value.strip() for f, _ in FIELDS)

    def _marked(self) -> bool:
        """Some field says what is wrong with it."""
        return any(str(self.query_one(f"#auto-{field}-error", Label).render()).strip() for field, _label in FIELDS)

    def _draft_to_what_if(self, settings: AutoTopUpSettings | None, blank: bool) -> None:
        from xconsole.core.topup_replay import AutoRule

        panel = self.query_one(WhatIfPanel)
        if settings is None or settings.amount.val == 0:  # invalid, or the all-zero "never set" form
            panel.set_draft(None, "Type a trigger, amount and monthly maximum to replay them." if blank or settings
                            else "Fix the fields marked above to replay them." if self._marked()
                            else "Enter all three amounts to replay them.")
            return
        rule = AutoRule(settings.threshold.val, settings.amount.val, settings.monthly_limit.val)
        panel.set_draft(rule, "" if settings.enabled else "Auto top-up is off: these figures are for the values "
                        "above, had it been on.")

    def review(self) -> None:
        data = self.data
        if data is not None and data.snapshot is not None and data.snapshot.auto_top_up is None:
            self._say_console_only()
            return
        blank = self._blank()
        if blank and not self.query_one("#auto-enabled", Switch).value and data and data.snapshot:
            # Switched off with no amounts: that is Disable, or nothing at all.
            if data.snapshot.auto_top_up.enabled:  # type: ignore[union-attr]
                self.disable()
            else:
                self.notify("Auto top-up is off: nothing to save. To set it up, switch it on (space) "
                            "and enter the three amounts.")
            return
        settings = self._validate(saving=True)
        if settings is None or data is None or data.snapshot is None or data.snapshot.auto_top_up is None:
            return
        self._confirm(settings, data.snapshot.auto_top_up, "Save auto top-up")

    def disable(self) -> None:
        data = self.data
        if data is None or data.snapshot is None or data.snapshot.auto_top_up is None:
            return
        current = data.snapshot.auto_top_up
        if not current.enabled:
            self.notify("Auto top-up is already disabled.")
            return
        from xconsole.core import models

        off = models.AutoTopUpSettings(enabled=False, threshold=current.threshold, amount=current.amount,
                                       monthly_limit=current.monthly_limit)
        self._confirm(off, current, "Disable auto top-up")

    def _confirm(self, settings: AutoTopUpSettings, current: AutoTopUp, title: str) -> None:
        from xconsole.core.money import format_cents

        changes = []
        if settings.enabled != current.enabled:
            changes.append(f"Enabled   {'yes' if current.enabled else 'no'} → {'yes' if settings.enabled else 'no'}")
        for label, old, new in (("Trigger", current.threshold.val, settings.threshold.val),
                                ("Amount", current.amount.val, settings.amount.val),
                                ("Monthly", current.monthly_limit.val, settings.monthly_limit.val)):
            if old != new:
                changes.append(f"{label:<9} {format_cents(old)} → {format_cents(new)}")
        if not changes:
            self.notify("Nothing changed.")
            return
        buys_now = self._buys_at_once(settings)
        if buys_now:
            changes.append(Text(buys_now, style="bold yellow"))
        from xconsole.core.actions import Write

        self.confirm_write(Write.AUTO_TOP_UP, title, changes, title.split()[0],
                           lambda actions: actions.save_auto_top_up(settings, before=current), on_error=self._field_error)

    def _buys_at_once(self, settings: AutoTopUpSettings) -> str:
        """Saving a trigger above today's credits buys at once: money moves on this confirm, so
        the dialog says how much, on what, or what stops it."""
        from xconsole.core.billing import card_ends, credits_after_buying, top_ups_on_saving
        from xconsole.core.money import format_cents

        data = self.data
        snap = data.snapshot if data else None
        if not settings.enabled or snap is None or snap.auto_top_up is None:
            return ""
        trigger = format_cents(settings.threshold.val)
        credits = snap.summary.live_balance
        if credits is None:
            return (f"The credit balance is unknown here: if it is under the {trigger} trigger, saving buys "
                    f"{format_cents(settings.amount.val)} or more at once.")
        if credits >= settings.threshold.val:
            return ""
        auto = snap.auto_top_up
        beyond = snap.summary.beyond_prepaid or 0
        count, blocked = top_ups_on_saving(settings, credits, auto.used_this_month.val, auto.top_ups_last24h, beyond)
        read = " (when last read)" if data.stale else ""  # type: ignore[union-attr]
        said = f"Credits are {format_cents(credits)}{read}, under the {trigger} trigger: "
        if beyond:
            said = (f"Credits are {format_cents(credits)}{read}, under the {trigger} trigger, and new credits pay "
                    f"this month's {format_cents(beyond)} of usage beyond prepaid credits first: ")
        method = snap.default_method
        if count == 0:
            return said + f"no top-up can be made now: {blocked}."
        if method is None and snap.payment_methods.payment_methods:
            card = ", charged to the default payment method"
        elif method is None:
            return said + "saving would buy at once, but there is no payment method to charge."
        elif (ends := card_ends(method)) is not None and ends <= snap.today:
            return said + f"saving would buy at once, but the default card {method.label()} has expired: it would be declined."
        else:
            card = f", charged to {method.label()}"
        amount = settings.amount.val
        bought = format_cents(amount) if count == 1 else f"{count} × {format_cents(amount)} = {format_cents(count * amount)}"
        after = ""
        if beyond:
            after = f" (credits after them: {format_cents(credits_after_buying(credits, beyond, count * amount))})"
        elif snap.summary.beyond_prepaid is None and credits == 0:
            # Unreported: new credit may pay this month's usage first, and more top-ups follow.
            after = (" (or more: this month's usage beyond prepaid credits was not reported, and new credits "
                     "pay it first)")
        return (said + f"saving buys {bought} at once{card}{after}"
                + (f"; then: {blocked}." if blocked else "."))

    def _field_error(self, exc: Exception) -> bool:
        """An error about one field is shown under it (the input stays as typed)."""
        from xconsole.core import errors

        target = (getattr(exc, "field", None) or "").removeprefix("autoTopUp.")
        if isinstance(exc, errors.ApiError) and target in {f for f, _ in FIELDS}:
            self.query_one(f"#auto-{target}-error", Label).update(exc.message)
            return True
        return False

    @on(WriteFinished)
    def _saved(self, event: WriteFinished) -> None:
        from xconsole.core.actions import Write

        if event.write is Write.AUTO_TOP_UP and event.outcome is not None and self.store.is_active(event.team.team_id):
            # Saved: nothing unsaved now, and the next answer refills the form with what the server holds.
            self._filled = self._values()

    def unavailable(self, action: str) -> str | None:
        if action == "toggle_enabled" and self.has_class("-console-only"):
            team = self.team.name if self.team else "this team"
            return (f"{team}: auto top-up is switched on or off in the xAI console (the Management API cannot). "
                    "The form here tries settings in the what-if.")
        return super().unavailable(action)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_enabled" and not self.unavailable(action):
            # Nothing focused, the switch, or the form's page: never on a button (Disable, Use
            # suggested), whose own key space would seem to be, while nothing is sent.
            return self.focused is None or self.focused is self.query_one("#auto") or isinstance(self.focused, Switch)
        return super().check_action(action, parameters)

    def action_toggle_enabled(self) -> None:
        switch = self.query_one("#auto-enabled", Switch)
        if not self.has_class("-console-only") and self.query_one("#auto-form").display and not switch.disabled:
            switch.toggle()

    # ------------------------------------------------------------------ the what-if's suggestion

    def action_use_suggested(self) -> None:
        panel = self.query_one(WhatIfPanel)
        if panel.suggested is None:
            self.notify(panel.no_suggestion, severity="warning")
        else:
            self._use_suggested(panel.suggested)

    @on(WhatIfPanel.UseSuggested)
    def _suggested_chosen(self, event: WhatIfPanel.UseSuggested) -> None:
        self._use_suggested(event.rule)

    def _use_suggested(self, rule: AutoRule) -> None:
        """Copy `rule` into the form, switched on. Only the form changes: saving stays the review
        and confirm of "Review and save" (a person choosing, never this key)."""
        from xconsole.core.money import format_cents

        if self.data is None or self.data.snapshot is None:
            return
        console_only = self.has_class("-console-only")
        if not console_only:
            self.query_one("#auto-enabled", Switch).value = True
        for field, cents in (("threshold", rule.threshold), ("amount", rule.amount), ("monthlyLimit", rule.monthly_max)):
            self.query_one(f"#auto-{field}", Input).value = format_cents(cents)[1:]
        self._validate()
        if console_only:
            from xconsole.core.console import console_billing_url

            self.notify(f"Copied into the draft. Enter them in the xAI console: {console_billing_url(self.team.team_id)}",  # type: ignore[union-attr]
                        timeout=10)
        else:
            self.notify("Copied into the form, not saved: Review and save when ready.")

    def _say_console_only(self) -> None:
        from xconsole.core.console import console_billing_url

        if self.team is not None:
            self.notify(f"Auto top-up is set in the xAI console, not through the API: "
                        f"{console_billing_url(self.team.team_id)} (c copies it)", severity="warning", timeout=10)

    def action_copy_console_url(self) -> None:
        from xconsole.core.console import console_billing_url

        if self.team is not None:
            url = console_billing_url(self.team.team_id)
            self.app.copy_to_clipboard(url)
            self.notify(f"Copied {url}")
