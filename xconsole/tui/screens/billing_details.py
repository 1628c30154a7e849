"""Screen 5, billing details: the name, email, address and tax ID that appear on invoices.

Validated as you type (core.billing_info, the same rules the sandbox enforces). Saving says
first that invoices already issued are never regenerated, and names the team it applies to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from xconsole.tui.screens.base import TeamScreen
from xconsole.tui.store import BILLING_INFO, WriteFinished

if TYPE_CHECKING:
    from xconsole.core.models import BillingInfo

RESOURCE = BILLING_INFO
NOT_REGENERATED = ("Invoices already issued are never regenerated: only invoices issued from now on "
                   "show these details.")
TEXT_FIELDS = ("name", "email", "line1", "line2", "city", "state", "postal_code", "country", "tax_number")


class BillingDetailsScreen(TeamScreen):
    DEFAULT_CSS = """
    BillingDetailsScreen {
        #billing { height: 1fr; }
        #billing-state { height: auto; margin-bottom: 1; }
        #billing-form {
            height: auto;
            max-width: 90;
            border: round $primary-darken-2;
            padding: 0 1;
            .field-row { height: auto; }
            .field-label { width: 16; }
            Input, Select { width: 1fr; max-width: 50; }
            #bill-country { width: 6; }
        }
        #bill-country-list { margin: 0 1; }
        #billing-note { margin-top: 1; }
    }
    """
    MODE = "billing"
    HELP = (
        "The name, email, address and tax information printed on the team's invoices. Enter them "
        "carefully: invoices are not regenerated, so a change shows on new invoices only. Tax "
        "information is optional."
    )
    BINDINGS: ClassVar = []

    def __init__(self) -> None:
        super().__init__()
        self._filled_for: tuple[str, int] | None = None  # (team, answer) the form was filled from
        self._filled: dict[str, str] = {}  # the values the form was filled with
        self._filled_name = ""  # the team the form was filled for
        #: team id -> (team name, values typed): a draft kept when another team is shown, given
        #: back when that team is shown again (and named if the console is quit meanwhile).
        self._drafts: dict[str, tuple[str, dict[str, str]]] = {}

    def compose_body(self) -> ComposeResult:
        from xconsole.core.billing_info import FIELDS, TAX_ID_TYPES

        with VerticalScroll(id="billing"):
            yield Static("", id="billing-state")
            with Vertical(id="billing-form"):
                for field, _wire, label in FIELDS:
                    with Horizontal(classes="field-row"):
                        yield Label(label, classes="field-label")
                        if field == "tax_id_type":
                            options = [("No tax ID", "")] + [(f"{k}  {v}", k) for k, v in TAX_ID_TYPES.items()]
                            yield Select(options, id="bill-tax_id_type", allow_blank=False, value="", compact=True)
                        elif field == "country":
                            yield Input(id="bill-country", compact=True, max_length=2, placeholder="US")
                            yield Button("List…", id="bill-country-list", compact=True)
                            yield Label("", id="bill-country-name", classes="dialog-hint")
                        else:
                            yield Input(id=f"bill-{field}", compact=True)
                    yield Label("", id=f"bill-{field}-error", classes="field-error hidden")
                yield Static(NOT_REGENERATED, classes="dialog-hint", id="billing-note")
                with Horizontal(classes="dialog-buttons"):
                    yield Button("Review and save", variant="primary", id="bill-save", compact=True)
                    yield Button("Undo changes", id="bill-reset", compact=True)

    # ------------------------------------------------------------------ data in

    def on_team_data(self) -> None:
        super().on_team_data()
        store = self.store
        team = store.team
        state = self.query_one("#billing-state", Static)
        form = self.query_one("#billing-form")
        if team is None or store.session is None:
            form.display = False
            state.update(Text("Loading…", style="dim"))
            return
        res = store.billing_info(team)
        info: BillingInfo | None = res.value
        form.display = info is not None
        text = Text()
        if info is None:
            text.append("Loading billing details…" if res.loading or not res.error else "", style="dim")
        if res.error:
            text.append(f"{res.error} — r retries", style="red")
        if store.read_only:
            text.append("Read-only mode: the details can be read, not changed.", style="yellow")
        state.update(text)
        state.display = bool(text.plain)
        form.disabled = store.read_only  # readable, not editable: nothing typed that cannot be saved
        # Keep what the person is typing; refill for another team, or a new answer on an untouched form.
        source = (team.team_id, id(info))
        if info is not None and source != self._filled_for and (
                self._filled_for is None or self._filled_for[0] != team.team_id or not self.dirty):
            if self._filled_for is not None and self._filled_for[0] != team.team_id and self.dirty:
                self._drafts[self._filled_for[0]] = (self._filled_name, self.values())
            self._fill(info)
            self._filled_for, self._filled_name = source, team.name
            draft = self._drafts.pop(team.team_id, None)
            if draft is not None:
                self._show_values(draft[1])
                self._validate()

    def _fill(self, info: BillingInfo) -> None:
        from xconsole.core.billing_info import flatten

        self._show_values(flatten(info))
        self._filled = self.values()
        self._validate()

    def _show_values(self, values: dict[str, str]) -> None:
        from xconsole.core.billing_info import TAX_ID_TYPES

        select = self.query_one("#bill-tax_id_type", Select)
        kind = values["tax_id_type"]
        if kind and kind not in TAX_ID_TYPES:
            # A type we do not list is the server's truth (or a draft's, typed where it was): on offer.
            options = [("No tax ID", ""), (kind, kind)] + [(f"{k}  {v}", k) for k, v in TAX_ID_TYPES.items()]
            select.set_options(options)
        select.value = kind
        for field in TEXT_FIELDS:
            self.query_one(f"#bill-{field}", Input).value = values[field]

    def values(self) -> dict[str, str]:
        values = {field: self.query_one(f"#bill-{field}", Input).value for field in TEXT_FIELDS}
        kind = self.query_one("#bill-tax_id_type", Select).value
        values["tax_id_type"] = kind if isinstance(kind, str) else ""
        return values

    @property
    def dirty(self) -> bool:
        return bool(self._filled) and self.values() != self._filled

    @property
    def unsaved(self) -> str | None:
        """What quitting now would drop, for the app's question (None: nothing)."""
        names = ([self._filled_name] if self.dirty else []) + [name for name, _values in self._drafts.values()]
        return f"Billing details of {', '.join(names)}" if names else None

    # ------------------------------------------------------------------ editing

    def _validate(self) -> BillingInfo | None:
        from xconsole.core.billing_info import FIELDS, build, country_name, problems

        info = build(self.values())
        found = problems(info)
        for field, _wire, _label in FIELDS:
            self._show_error(field, found.get(field, ""))
        code = info.address.country
        self.query_one("#bill-country-name", Label).update(country_name(code) or "" if code else "")
        return None if found else info

    def _show_error(self, field: str, message: str) -> None:
        label = self.query_one(f"#bill-{field}-error", Label)
        label.update(message)
        label.set_class(not message, "hidden")

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "bill-country" and event.value != event.value.upper():
            event.input.value = event.value.upper()
            return
        self._validate()

    def on_select_changed(self, event: Select.Changed) -> None:
        self._validate()

    @on(Input.Submitted)
    @on(Button.Pressed, "#bill-save")
    def _review(self) -> None:
        self.review()

    @on(Button.Pressed, "#bill-reset")
    def _reset(self) -> None:
        team = self.team
        info = self.store.resource(team, RESOURCE).value if team else None
        if info is not None:
            self._fill(info)

    @on(Button.Pressed, "#bill-country-list")
    def _pick_country(self) -> None:
        from xconsole.tui.screens.country_picker import CountryPicker

        box = self.query_one("#bill-country", Input)

        def chosen(code: str | None) -> None:
            if code:
                box.value = code
            box.focus()

        self.app.push_screen(CountryPicker(box.value), chosen)

    # ------------------------------------------------------------------ saving

    def review(self) -> None:
        from xconsole.core.billing_info import changes

        from xconsole.core.actions import Write

        team = self.team
        current = self.store.resource(team, RESOURCE).value if team else None
        info = self._validate()
        if info is None or current is None:
            if info is None:
                self.notify("Fix the fields marked in red first.", severity="warning")
            return
        diff = changes(current, info)
        if not diff:
            self.notify("Nothing changed.")
            return
        lines: list[str | Text] = [f"{label:<14} {old or '—'} → {new or '—'}" for label, old, new in diff]
        lines.append(Text(NOT_REGENERATED, style="bold yellow"))
        self.confirm_write(Write.BILLING_DETAILS, "Save billing details", lines, "Save",
                           lambda actions: actions.save_billing_details(info, before=current),
                           on_error=self._field_error)

    def _field_error(self, exc: Exception) -> bool:
        """An error about one field is shown under it; the user's input stays as typed."""
        from xconsole.core import errors
        from xconsole.core.billing_info import form_field

        field = form_field(getattr(exc, "field", None))
        if isinstance(exc, errors.ApiError) and field is not None:
            self._show_error(field, exc.message)
            return True
        return False

    @on(WriteFinished)
    def _saved(self, event: WriteFinished) -> None:
        from xconsole.core.actions import Write

        if event.write is Write.BILLING_DETAILS and event.outcome is not None and self.store.is_active(event.team.team_id):
            # Saved: nothing unsaved now, and the next answer refills the form with what the server holds.
            self._filled = self.values()
