"""Add a team: name, management key (masked), optional team id, API URL (empty: the default). The
key is validated against the API before anything is stored; the API's answer appears next to the
field it is about."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from xconsole.core.secrets import looks_like_key

if TYPE_CHECKING:
    from xconsole.core.session import AddedTeam
    from xconsole.tui.store import TeamStore


class AddTeamScreen(ModalScreen["AddedTeam | None"]):
    DEFAULT_CSS = """
    AddTeamScreen #add-team {
        Input { margin: 0 0 0 1; width: 1fr; }
        Label { height: auto; }
        /* a long reason wraps inside the dialog, never cut at its edge */
        #status { width: 100%; }
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="add_team.cancel")]

    def __init__(self, store: TeamStore, *, first_run: bool = False, name: str = "", team_id: str = "",
                 reason: str = "") -> None:
        super().__init__()
        self.store = store
        self.first_run = first_run
        self.initial_name = name
        self.initial_team_id = team_id
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="add-team", classes="dialog"):
            yield Label("Welcome: add your first team" if self.first_run else "Add a team", classes="dialog-title")
            intro = self.reason or (
                "Paste a management key (console → Settings → Management Keys). "
                "It is checked now and kept in the OS keyring, never in a file."
            )
            yield Static(intro, classes="dialog-text")
            yield Label("Team name (your label)")
            yield Input(self.initial_name, placeholder="e.g. Production", id="name", max_length=40, compact=True)
            yield Label("", id="name-error", classes="field-error")
            yield Label("Management key")
            yield Input(placeholder="xai-…", password=True, id="key", compact=True)
            yield Label("", id="key-error", classes="field-error")
            yield Label("Team id (only for organisation-scoped keys)")
            yield Input(self.initial_team_id, placeholder="optional UUID", id="team_id", compact=True)
            yield Label("", id="team_id-error", classes="field-error")
            yield from self._api_url_field()
            yield Label("", id="status")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Validate and save", variant="primary", id="save", compact=True)
                yield Button("Quit" if self.first_run else "Cancel", id="cancel", compact=True)

    def _api_url_field(self) -> ComposeResult:
        from xconsole.core.endpoints import DEFAULT_API_URL

        forced = self.store.session.api_url if self.store.session is not None else None
        if forced:  # --api-url or XCONSOLE_API_URL: every team is read there this run, so checked there
            yield Label("API URL (this run's --api-url or XCONSOLE_API_URL)")
            yield Input(forced.rstrip("/"), id="api_url", compact=True, disabled=True)
        else:
            # A new key for a registered team is checked where that team lives, not at the default.
            known = next((t.api_url for t in self.store.teams if t.team_id == self.initial_team_id), None)
            yield Label("API URL (empty: the default)")
            yield Input(known or "", placeholder=DEFAULT_API_URL, id="api_url", compact=True)
        yield Label("", id="api_url-error", classes="field-error")

    def on_mount(self) -> None:
        self.query_one("#key" if self.initial_name else "#name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        order = ["name", "key", "team_id", "api_url"]
        index = order.index(event.input.id or "name")
        if index < 2 and not self.query_one(f"#{order[index + 1]}", Input).value and event.input.id != "key":
            self.query_one(f"#{order[index + 1]}", Input).focus()
        else:
            self.submit()

    @on(Button.Pressed, "#save")
    def _save(self) -> None:
        self.submit()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        if self.first_run:
            self.app.exit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        if self.first_run:  # Esc would quit the console and lose what was typed: the Quit button does
            self.notify("Quit leaves without adding a team (Esc does not).", timeout=5)
        else:
            self.dismiss(None)

    def _errors(self, **messages: str) -> None:
        for field in ("name", "key", "team_id", "api_url"):
            self.query_one(f"#{field}-error", Label).update(messages.get(field, ""))

    def submit(self) -> None:
        save = self.query_one("#save", Button)
        if save.disabled:
            return  # a request is in flight: one at a time
        name = self.query_one("#name", Input).value
        key = self.query_one("#key", Input).value
        team_id = self.query_one("#team_id", Input).value.strip() or None
        api_url = self.query_one("#api_url", Input).value.strip() or None
        problems = {}
        if looks_like_key(name):  # pasted in the wrong field: off the screen at once
            self.query_one("#name", Input).value = name = ""
            problems["name"] = "That was a management key: cleared. It goes in the key field below."
        elif not name.strip():
            problems["name"] = "Enter a name for this team"
        if not key.strip():
            problems["key"] = "Paste the team's management key"
        if api_url is not None and looks_like_key(api_url):
            self.query_one("#api_url", Input).value = api_url = ""
            problems["api_url"] = "That was a management key: cleared. It goes in the key field above."
        elif api_url is not None:
            from xconsole.core.endpoints import api_url_problem

            problem = api_url_problem(api_url)
            if problem:
                problems["api_url"] = problem[:1].upper() + problem[1:]
        self._errors(**problems)
        if problems:
            self.query_one("#status", Label).update("")  # an earlier answer is not this one's
            return
        save.disabled = True
        self.query_one("#status", Label).update("Checking the key with the Management API…")
        self.validate_and_save(name, key, team_id, api_url)

    @work(exclusive=True, group="add-team", exit_on_error=False)
    async def validate_and_save(self, name: str, key: str, team_id: str | None, api_url: str | None = None) -> None:
        from xconsole.core import errors
        from xconsole.core.credentials import KeyringUnavailable
        from xconsole.core.teams import TeamError

        status = self.query_one("#status", Label)
        try:
            added = await self.store.session.add_team(name, key, team_id, api_url)  # type: ignore[union-attr]
        except TeamError as exc:
            self._fail(status, name=str(exc)) if "name" in str(exc).lower() else self._fail(status, team_id=str(exc))
        except ValueError as exc:
            self._fail(status, key=str(exc))
        except KeyringUnavailable as exc:
            self._fail(status)
            status.update("The key was accepted but cannot be stored: the keyring is unavailable.")
            self.app.show_keyring_problem(exc.message)  # type: ignore[attr-defined]
        except errors.Validation as exc:
            self._fail(status, **({"team_id": exc.message} if exc.field == "team_id" else {"key": exc.message}))
        except (errors.AuthError, errors.PermissionDenied) as exc:
            self._fail(status, key=f"{exc.title}: {exc.message}")
        except errors.ApiError as exc:
            # The key was not judged: the server could not be reached or had no such path (a
            # wrong API URL, or an unknown team id).
            self._fail(status)
            editable = not self.query_one("#api_url", Input).disabled
            unreached = exc.worth_retrying_later or isinstance(exc, errors.NotFound)
            status.update(f"{exc.title}: {exc} — your input is kept; try again."
                          + (" Check the API URL above." if unreached and editable else ""))
        except Exception as exc:  # noqa: BLE001 - said, never an endless "Checking…"
            from xconsole.core.actions import describe_error

            self._fail(status)
            status.update(f"{describe_error(exc)} — your input is kept; try again.")
        else:
            self.query_one("#key", Input).value = ""  # the key leaves the form once stored
            self.notify(saved_text(added, name), timeout=10 if not added.created else 5)
            self.dismiss(added)

    @on(Input.Changed, "#api_url")
    def _url_changed(self, event: Input.Changed) -> None:
        # A key pasted here leaves the screen at once, not when the form is sent.
        if looks_like_key(event.value):
            event.input.value = ""
            self._errors(api_url="That was a management key: cleared. It goes in the key field above.")

    def _fail(self, status: Label, **messages: str) -> None:
        self._errors(**messages)
        status.update("")
        self.query_one("#save", Button).disabled = False


def saved_text(added: AddedTeam, typed_name: str) -> str:
    """What adding did, as `xconsole team add` says it: a key of a registered team replaces that
    team's key, under its name (not the one typed), and may move it to another API URL."""
    team = added.team
    if added.created:
        parts = [f"Team {team.name} saved"]
    else:
        parts = [f"Replaced the key of team {team.name}"]
        if typed_name.strip() != team.name:
            parts.append(f"the key is {team.name}'s, registered already: the name {typed_name.strip()!r} was not used")
        if (added.previous_url or None) != (team.api_url or None):
            parts.append(f"its API URL changed: {added.previous_url or 'the default'} → {team.api_url or 'the default'}")
    if added.read_only:
        parts.append("read-only key: write actions will be refused")
    return "; ".join(parts) + "."
