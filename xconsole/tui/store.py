"""The TUI's one source of team data: the active team, each team's spend snapshot and the data
single screens need, read by one loader with one retry rule, announced with messages.

Screens render from here and never talk to the API: they ask (`load`, `ensure`, `refresh`) and
repaint on `TeamDataChanged`. Every write goes through `actions(team)` (core.actions); when one
finishes, done or failed, the store refreshes that team and announces `WriteFinished`.

Answers for a team that is no longer active only update that team's entry, so the header and
the numbers on screen always belong to the same team.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message

from xconsole.tui.state import Resource, TeamData

if TYPE_CHECKING:
    from textual.app import App
    from textual.message_pump import MessagePump

    from xconsole.core.actions import TeamActions, Write
    from xconsole.core.numbers_cache import CachedNumbers
    from xconsole.core.session import Session, TeamHandle

log = logging.getLogger("xconsole.tui")

#: Automatic retries after a failed read: 2 s, 4 s, ... up to a minute.
RETRY_FIRST_S = 2.0
RETRY_MAX_S = 60.0
#: The resource name of the spend snapshot (the team's entry itself), and of the others.
SNAPSHOT = "snapshot"
#: Other teams read in the background at a time. All at once, 200 teams' 10 reads each queued in
#: the session's 16-request gate, and a team the person opened waited behind them (15.6 s
#: measured at 100 ms a request, 0.44 s with 3); now behind at most these few teams' reads.
WARM_AT_ONCE = 3
BILLING_INFO = "billing_info"
INVOICES = "invoices"
FIRST_WINDOW = object()  # `invoices(since=...)`: the first, quick period

Fetch = Callable[[Any], Awaitable[Any]]  # (the team's client) -> value


def next_retry_delay(previous: float) -> float:
    """2 s, 4 s, ... up to a minute: the wait before the next background retry."""
    return min(RETRY_MAX_S, previous * 2 if previous else RETRY_FIRST_S)


class TeamDataChanged(Message, bubble=False):
    """A team's data, or which team is active, changed: repaint what shows it."""

    def __init__(self, team_id: str | None) -> None:
        super().__init__()
        self.team_id = team_id


class WriteFinished(Message, bubble=False):
    """A write was done (`outcome`) or failed (`error`); the team is being read again."""

    def __init__(self, team: TeamHandle, write: Write, outcome: Any, error: Exception | None) -> None:
        super().__init__()
        self.team = team
        self.write = write
        self.outcome = outcome
        self.error = error


class TeamUnreachable(Message, bubble=False):
    """The team's key could not be had or was refused ("keyring", "auth"), or opening a write
    failed: the app explains it (a dialog for the active team's key problems)."""

    def __init__(self, team: TeamHandle, kind: str, message: str, error: Exception) -> None:
        super().__init__()
        self.team = team
        self.kind = kind
        self.message = message
        self.error = error


class TeamStore:
    def __init__(self, app: App, *, sandbox: bool = False, read_only: bool = False,
                 starting_team: tuple[str, str] | None = None, keep_numbers: bool = False,
                 remembered: list[CachedNumbers] | None = None) -> None:
        self._app = app
        self.session: Session | None = None
        self.team: TeamHandle | None = None  # the active team
        self.sandbox = sandbox
        #: Teams whose last read came from a server that said it is the sandbox (a served one).
        self.served_by_sandbox: set[str] = set()
        self.read_only = read_only
        #: (name, team id) the session is expected to open on: named in the first frame.
        self.starting_team = starting_team
        #: Each team's last numbers from an earlier run, shown (with their age) until live ones
        #: arrive; kept up to date on disk when `keep_numbers`.
        self.keep_numbers = keep_numbers
        self.remembered: dict[str, CachedNumbers] = {n.team_id: n for n in remembered or []}
        self.cache: dict[str, TeamData] = {}
        self._listeners: list[MessagePump] = []
        self._warm_later: list[TeamHandle] = []  # read once the active team's first read ends
        self._warm_queue: deque[TeamHandle] = deque()  # then these, WARM_AT_ONCE at a time
        self._warming: set[str] = set()  # teams whose background snapshot read may be running

    # ------------------------------------------------------------------ who hears about changes

    def subscribe(self, listener: MessagePump) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: MessagePump) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _announce(self, message_type: type[Message], *args: Any) -> None:
        # One instance per receiver, posted to each (they do not bubble).
        for listener in [self._app, *self._listeners]:
            listener.post_message(message_type(*args))

    def _changed(self, team_id: str | None) -> None:
        self._announce(TeamDataChanged, team_id)

    # ------------------------------------------------------------------ reading the store

    def start(self, session: Session) -> None:
        self.session = session
        self.sandbox = session.sandbox
        self.read_only = session.read_only
        if self.keep_numbers and not session.sandbox:
            self._app.run_worker(self._remember_all(), group="remember-numbers", exit_on_error=False)

    async def _remember_all(self) -> None:
        """Every team's last numbers (the starting team's are in already), read off the UI loop:
        a switch, or the Overview, shows them dated until the live read lands, and keeps showing
        them when the API fails."""
        import asyncio

        from xconsole.core import numbers_cache

        teams = [t.team_id for t in self.teams if t.team_id not in self.remembered]
        found = await asyncio.to_thread(lambda: [n for t in teams if (n := numbers_cache.load(t)) is not None])
        for numbers in found:
            data = self.cache.get(numbers.team_id)
            if numbers.team_id not in self.remembered and (data is None or data.snapshot is None):
                self.remembered[numbers.team_id] = numbers
                self._changed(numbers.team_id)

    @property
    def teams(self) -> list[TeamHandle]:
        return self.session.teams if self.session else []

    def data(self, team_id: str | None = None) -> TeamData | None:
        """The entry of `team_id` (default: the active team), None before its first read."""
        team_id = team_id or (self.team.team_id if self.team else None)
        return self.cache.get(team_id) if team_id else None

    def entry(self, team: TeamHandle) -> TeamData:
        return self.cache.setdefault(team.team_id, TeamData())

    def resource(self, team: TeamHandle, name: str) -> Resource:
        return self.entry(team).resources.setdefault(name, Resource())

    def is_sandbox(self, team_id: str | None) -> bool:
        """`--sandbox`, or the team's server said it is the sandbox (its own answers, never its URL)."""
        return self.sandbox or team_id in self.served_by_sandbox

    def is_active(self, team_id: str | None) -> bool:
        return self.team is not None and self.team.team_id == team_id

    def activate(self, team: TeamHandle) -> None:
        """Make `team` the one every screen shows (its cached data at once); read it afresh
        just after that frame."""
        if self.team is None or self.team.team_id != team.team_id:
            self.team = team
            self._changed(team.team_id)
        self._app.call_after_refresh(self.load, team)

    def show_early(self, numbers: CachedNumbers) -> None:
        """Live balance, month spend and limit ahead of the rest: from the early-read process
        (core/early_read.py) or the team's own read as soon as those two answers are in. Shown
        for their team until its full read lands, never over it."""
        data = self.cache.get(numbers.team_id)
        if data is not None and data.snapshot is not None:
            return
        shown = self.remembered.get(numbers.team_id)
        if shown is not None and shown.live and shown.saved_at >= numbers.saved_at:
            return  # a slower, older answer (the early-read process's) after a fresher one
        self.remembered[numbers.team_id] = numbers
        if numbers.sandbox:
            self.served_by_sandbox.add(numbers.team_id)
        self._changed(numbers.team_id)

    def warm_after_first(self, teams: list[TeamHandle]) -> None:
        """Read `teams` once the active team's next snapshot read has ended (`activate` has
        just asked for it), done or failed."""
        self._warm_later = list(teams)

    def _warm(self) -> None:
        self._warm_queue.extend(self._warm_later)
        self._warm_later = []
        self._warm_next()

    def _warm_next(self) -> None:
        # A team counts while its snapshot read is in flight. Not a counter kept by the read
        # itself: a worker cancelled before it began (a newer read of that team replaced it)
        # never runs its cleanup, and three such would have stopped the warm-up for good.
        self._warming = {team_id for team_id in self._warming if self._snapshot_loading(team_id)}
        while len(self._warming) < WARM_AT_ONCE and self._warm_queue:
            team = self._warm_queue.popleft()
            if team.team_id not in self.cache:  # opened meanwhile: read already
                self._warming.add(team.team_id)
                self.load(team)

    def _snapshot_loading(self, team_id: str) -> bool:
        data = self.cache.get(team_id)  # a team's entry is its snapshot's Resource (see `load`)
        return data is not None and data.loading

    def forget(self, team_id: str) -> None:
        self.cache.pop(team_id, None)

    # ------------------------------------------------------------------ loading

    def load(self, team: TeamHandle) -> None:
        """Read the team's spend snapshot (one load per team at a time)."""
        from xconsole.core.spend import load_spend

        def first_numbers(summary: Any, client: Any) -> None:
            from datetime import datetime, timezone

            from xconsole.core.numbers_cache import CachedNumbers

            self.show_early(CachedNumbers(team.team_id, summary.live_balance, summary.month_spend, summary.soft_limit,
                                          None, datetime.now(timezone.utc), live=True, sandbox=client.sandbox is True))

        self._read(team, self.entry(team), SNAPSHOT,
                   lambda client: load_spend(client, team.team_id, on_numbers=lambda s: first_numbers(s, client)),
                   again=lambda: self.is_active(team.team_id) and self.load(team))

    def ensure(self, team: TeamHandle, name: str, fetch: Fetch, *, force: bool = False) -> Resource:
        """Read `name` with `fetch(client)` unless it is on hand, in flight, or failed and not
        wanted again yet; `force` reads it again anyway (a wider period, say)."""
        res = self.resource(team, name)
        if force or (res.wanted and not res.loading):
            self._read(team, res, name, fetch, again=lambda: self._want(team, res))
        return res

    # The reads single screens need, named so no screen picks an endpoint.

    def billing_info(self, team: TeamHandle) -> Resource:
        return self.ensure(team, BILLING_INFO, lambda client: client.get_billing_info(team.team_id))

    def invoice(self, team: TeamHandle, invoice_id: str, *, force: bool = False) -> Resource:
        """One invoice in full (its lines), kept with the team's data."""
        return self.ensure(team, f"invoice:{invoice_id}", lambda client: client.get_invoice(team.team_id, invoice_id),
                           force=force)

    def invoices(self, team: TeamHandle, since: Any = FIRST_WINDOW) -> Resource:
        """The team's invoices from month `since` (None: all history; FIRST_WINDOW: this month,
        by the server's calendar), read again even when some are on hand."""
        from xconsole.core.invoices import first_window, load_invoices

        def fetch(client: Any) -> Any:
            return load_invoices(client, team.team_id, first_window(client.today()) if since is FIRST_WINDOW else since)

        return self.ensure(team, INVOICES, fetch, force=True)

    def refresh(self, team: TeamHandle) -> None:
        """After `r` or a write: the snapshot now, every screen's own data when next shown."""
        data = self.cache.get(team.team_id)
        for res in data.resources.values() if data else ():
            res.wanted = True
        self.load(team)

    def _want(self, team: TeamHandle, res: Resource) -> None:
        if res.error is not None and not res.loading:
            res.wanted = True
            self._changed(team.team_id)  # the screen showing it reads again; a hidden one when shown

    def _read(self, team: TeamHandle, res: Resource, name: str, fetch: Fetch, *, again: Callable[[], Any]) -> None:
        """The one loader: any failure ends in `res.error` (shown with "r retries"), never in an
        endless "Loading…"; network trouble is retried by itself, 2 s, 4 s, ... a minute."""
        res.loading, res.wanted = True, False
        res.stop_retry()  # this read replaces any planned one: never two retry chains
        res.attempt += 1
        attempt = res.attempt
        self._changed(team.team_id)

        async def read() -> None:
            ended = False  # done or failed; not when cancelled (a newer read, or the app quitting)
            try:
                assert self.session is not None, "no session yet"
                client = await self.session.client_for(team)
                value = await fetch(client)
            except Exception as exc:  # noqa: BLE001 - every failure is shown, none swallowed
                ended = True
                await self._failed(team, res, exc, again)
            else:
                ended = True
                res.loaded(value)
                if client.sandbox is True:
                    self.served_by_sandbox.add(team.team_id)
                else:
                    self.served_by_sandbox.discard(team.team_id)
                if res is self.cache.get(team.team_id):
                    self._keep_numbers(team, value, served_by_sandbox=client.sandbox is True)
            finally:
                if res.attempt == attempt:
                    res.loading = False
                    self._changed(team.team_id)
                # The next background read starts when a snapshot read ends (not when cancelled:
                # replaced by the person's own read of that team, whose end goes on, or quitting).
                if ended and name == SNAPSHOT:
                    if self._warm_later and self.is_active(team.team_id):
                        self._warm()
                    else:
                        self._warm_next()

        self._app.run_worker(read(), group=f"{name}:{team.team_id}", exclusive=True, exit_on_error=False)

    async def _failed(self, team: TeamHandle, res: Resource, exc: Exception, again: Callable[[], Any]) -> None:
        from xconsole.core import errors
        from xconsole.core.actions import describe_error
        from xconsole.core.credentials import KeyringUnavailable

        if isinstance(exc, KeyringUnavailable):
            res.error, res.error_kind = exc.message, "keyring"
        elif isinstance(exc, (errors.AuthError, errors.PermissionDenied)):
            res.error, res.error_kind = describe_error(exc), "auth"
            if self.session is not None:
                await self.session.forget_client(team.team_id)
        elif isinstance(exc, errors.ApiError):
            res.error, res.error_kind = describe_error(exc), "network"
            if exc.worth_retrying_later:
                res.retry_delay = next_retry_delay(res.retry_delay)
                res.stop_retry()
                res.retry_timer = self._app.set_timer(res.retry_delay, again)
        elif hasattr(exc, "format_message"):  # the session's own refusal, in words (a team's api_url in config.toml)
            message = exc.format_message()
            res.error = f"{message[:1].upper()}{message[1:]}. Fix it (`xconsole doctor` shows where), then start xconsole again"
            res.error_kind = "config"
        else:  # a bug or an answer we could not handle: said, logged, and r tries again
            log.exception("reading %s for team %s failed", type(exc).__name__, team.team_id)
            res.error, res.error_kind = f"Could not read this team's data ({describe_error(exc)})", "bug"
        if res.error_kind in ("keyring", "auth"):
            self._announce(TeamUnreachable, team, res.error_kind, res.error, exc)

    def _keep_numbers(self, team: TeamHandle, snapshot: Any, *, served_by_sandbox: bool) -> None:
        """Remember the live numbers for the next start (written off the UI loop); never a
        sandbox's, whose numbers move with its own clock."""
        import asyncio
        from datetime import datetime, timezone

        from xconsole.core import numbers_cache

        self.remembered.pop(team.team_id, None)  # live numbers from now on
        if not self.keep_numbers or served_by_sandbox:
            return
        s = snapshot.summary
        numbers = numbers_cache.CachedNumbers(team.team_id, s.live_balance, s.month_spend, s.soft_limit,
                                              s.runway_days, datetime.now(timezone.utc))
        self._app.run_worker(asyncio.to_thread(numbers_cache.save, numbers), group="keep-numbers",
                             exit_on_error=False)

    # ------------------------------------------------------------------ writes

    async def actions(self, team: TeamHandle) -> TeamActions | None:
        """The team's writes (core.actions), or None after announcing why they cannot be had."""
        from xconsole.core import errors
        from xconsole.core.actions import describe_error
        from xconsole.core.credentials import KeyringUnavailable

        if self.session is None:
            return None
        try:
            return await self.session.actions_for(team, on_finished=lambda *a: self._write_finished(team, *a))
        except KeyringUnavailable as exc:
            self._announce(TeamUnreachable, team, "keyring", exc.message, exc)
        except (errors.AuthError, errors.PermissionDenied) as exc:
            self._announce(TeamUnreachable, team, "auth", describe_error(exc), exc)
        except Exception as exc:  # noqa: BLE001 - said, never swallowed
            self._announce(TeamUnreachable, team, "write", describe_error(exc), exc)
        return None

    def _write_finished(self, team: TeamHandle, write: Write, outcome: Any, error: Exception | None) -> None:
        self.refresh(team)  # whatever happened, show what the server holds now
        self._announce(WriteFinished, team, write, outcome, error)

    async def client(self, team: TeamHandle) -> Any:
        """The team's API client, for a screen's own paged reads that fit no one cached
        `Resource` (history pages, the since-you-last-looked digest); called from workers only."""
        if self.session is None:
            raise RuntimeError("no session yet")
        return await self.session.client_for(team)

    def usage_hours(self, team: TeamHandle, days: int, *, fresh: bool = False) -> Resource:
        """The team's spend per UTC hour over the last `days` days (core.hourly: a few usage
        requests for 90 days). Read when first asked and again only with `fresh` (a screen's new
        visit) or after a failure: `r` and writes mark it wanted, but past usage does not change."""
        from xconsole.core.hourly import read_hourly

        name = f"usage_hours:{days}"
        res = self.resource(team, name)
        if res.value is not None and res.error is None and not fresh:
            return res
        return self.ensure(team, name, lambda client: read_hourly(client, team.team_id, days),
                           force=fresh and not res.loading)
