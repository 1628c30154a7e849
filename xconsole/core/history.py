"""A team's history: its audit events merged with this user's action journal, newest first.

Why both: the audit events are the team's record of every change, by anyone, through any tool —
but with a shared management key they name the key's owner, not the person. The journal names
the person (OS user, host, SSH) for the writes sent from this machine, and keeps the ones the
server never confirmed (failed, or no answer). Side by side, a reader sees who raised the limit.

Built for a screen that pages in as you scroll: `HistoryPager.next_page()` fetches one page of
audit events (keeping the `pageToken`) and returns the entries that are now certain to be in
order — the page's events plus the journal rows not older than the page's oldest event; journal
rows older than that wait for the next page. A team with thousands of events costs one request
per page, never one big read. `async for entry in pager` walks everything.

Descriptions are the only meaning the real API gives an event (reference 4: no type field), so
"… was updated from X to Y" is read back into before → after.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from xconsole.core.journal import Journal, JournalEntry

if TYPE_CHECKING:
    from xconsole.core.client import ManagementClient
    from xconsole.core.models import AuditEvent

AUDIT = "audit"
JOURNAL = "journal"
DEFAULT_PAGE_SIZE = 100

_FROM_TO = re.compile(r"\b(?:was|were) updated from (?P<before>.+?) to (?P<after>.+)$")


@dataclass(frozen=True)
class HistoryEntry:
    """One row of the history: when, who, what, before → after, and where it came from."""

    time: datetime
    who: str  # the event's user (email or name), or for a journal row user@host (ssh)
    what: str  # the audit description, or the journal's action in words
    source: str  # AUDIT | JOURNAL
    team_id: str
    before: str | None = None
    after: str | None = None
    event_id: str | None = None  # audit rows
    outcome: str | None = None  # journal rows: done | failed | unknown
    reason: str | None = None  # journal rows: why it failed, or what it amounted to
    amount_cents: int | None = None  # journal rows
    idempotency_key: str | None = None  # journal rows

    def to_json(self) -> dict[str, Any]:
        from xconsole.core.money import format_cents

        return {
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "who": self.who,
            "what": self.what,
            "before": self.before,
            "after": self.after,
            "source": self.source,
            "teamId": self.team_id,
            "eventId": self.event_id,
            "outcome": self.outcome,
            "reason": self.reason,
            "amount": None if self.amount_cents is None else {"cents": self.amount_cents,
                                                              "formatted": format_cents(self.amount_cents)},
            "idempotencyKey": self.idempotency_key,
        }

    def line(self) -> str:
        """One line of text: "2025-06-12 16:30  dev@lumen…  Invoiced billing limit was updated …"."""
        change = ""
        if self.source == JOURNAL and self.after:  # an audit description already says it
            change = f" [{self.before} → {self.after}]" if self.before else f" [{self.after}]"
        outcome = f" — {self.outcome}" if self.outcome and self.outcome != "done" else ""
        return f"{self.time:%Y-%m-%d %H:%M}  {self.who}  {self.what}{change}{outcome}"


def who_of(event: AuditEvent) -> str:
    """The person an audit event names: the email, else the name, else the user id."""
    user = event.user
    if user is None:
        return "(unknown)"
    name = " ".join(p for p in (user.given_name, user.family_name) if p)
    return user.email or name or user.user_id or "(unknown)"


def split_change(description: str) -> tuple[str | None, str | None]:
    """(before, after) from "… was updated from X to Y", else (None, None)."""
    found = _FROM_TO.search(description)
    if not found:
        return None, None
    return found["before"].strip(" '\""), found["after"].strip(" '\"")


def from_event(team_id: str, event: AuditEvent) -> HistoryEntry:
    before, after = split_change(event.description)
    from datetime import timezone

    return HistoryEntry(time=event.event_time or datetime.min.replace(tzinfo=timezone.utc), who=who_of(event),
                        what=event.description, source=AUDIT, team_id=team_id, before=before, after=after,
                        event_id=event.event_id or None)


def from_journal(entry: JournalEntry) -> HistoryEntry:
    what = entry.what[:1].upper() + entry.what[1:]
    return HistoryEntry(time=entry.when, who=entry.where.label(), what=f"{what} (xconsole)", source=JOURNAL,
                        team_id=entry.team_id, before=entry.before, after=entry.after, outcome=entry.outcome,
                        reason=entry.reason, amount_cents=entry.amount_cents, idempotency_key=entry.idempotency_key)


class HistoryPager:
    """Pages of one team's history, newest first, merged in time order across pages.

    `next_page()` returns the next entries (possibly none while the journal waits for older
    events); `done` says when both sources are exhausted. `audit_error` holds why the audit
    events could not be read (a key without the audit permission, the API down): the journal's
    rows are still returned, and the reason is for the screen to show.
    """

    def __init__(self, client: ManagementClient, team_id: str, *, journal: Journal | None = None,
                 since: datetime | None = None, until: datetime | None = None, query: str | None = None,
                 page_size: int = DEFAULT_PAGE_SIZE, include_journal: bool = True) -> None:
        self._client = client
        self.team_id = team_id
        self.since, self.until, self.query = since, until, query
        self.page_size = page_size
        self._token: str | None = None
        self._audit_done = False
        self.audit_error: Exception | None = None
        self.pages_read = 0
        self._source = (journal or Journal()) if include_journal else None
        #: Journal rows not yet handed out, newest first (read, off the event loop, on the first page).
        self._journal: list[HistoryEntry] = []
        self._journal_read = not include_journal

    def _read_journal(self) -> list[HistoryEntry]:
        rows = self._source.entries(self.team_id, since=self.since, until=self.until) if self._source else []
        if self.query:
            words = self.query.lower().split()
            rows = [r for r in rows if all(w in f"{r.what} {r.before} {r.after} {r.reason}".lower() for w in words)]
        return sorted((from_journal(r) for r in rows), key=lambda e: e.time, reverse=True)

    @property
    def done(self) -> bool:
        return self._audit_done and self._journal_read and not self._journal

    @property
    def page_token(self) -> str | None:
        """The token of the next audit page (None before the first page and after the last)."""
        return self._token

    async def next_page(self) -> list[HistoryEntry]:
        """The next entries in time order, newest first (empty once `done`)."""
        import asyncio

        from xconsole.core import errors

        if not self._journal_read:
            self._journal = await asyncio.to_thread(self._read_journal)  # a file read: never on the UI loop
            self._journal_read = True
        if self._audit_done:
            rest, self._journal = self._journal, []
            return rest
        try:
            page = await self._client.list_audit_events(
                self.team_id, page_size=self.page_size, page_token=self._token, query=self.query,
                time_from=self.since, time_to=self.until)
        except errors.ApiError as exc:
            self.audit_error = exc
            self._audit_done = True
            rest, self._journal = self._journal, []
            return rest
        self.pages_read += 1
        events = [from_event(self.team_id, e) for e in page.events]
        self._token = page.next_page_token or None
        if not self._token or not events:
            self._audit_done = True
            self._token = None
            merged = events + self._journal
            self._journal = []
        else:
            oldest = min(e.time for e in events)
            ready = [j for j in self._journal if j.time >= oldest]
            self._journal = [j for j in self._journal if j.time < oldest]
            merged = events + ready
        return sorted(merged, key=lambda e: e.time, reverse=True)  # stable: same-time events keep their order

    def __aiter__(self) -> AsyncIterator[HistoryEntry]:
        return self._walk()

    async def _walk(self) -> AsyncIterator[HistoryEntry]:
        while not self.done:
            for entry in await self.next_page():
                yield entry


async def load_history(client: ManagementClient, team_id: str, *, journal: Journal | None = None,
                       since: datetime | None = None, until: datetime | None = None, query: str | None = None,
                       limit: int | None = None, page_size: int = DEFAULT_PAGE_SIZE) -> tuple[list[HistoryEntry], HistoryPager]:
    """Everything (or the newest `limit` entries) at once, for the CLI; the pager says whether
    the audit events could be read (`pager.audit_error`)."""
    pager = HistoryPager(client, team_id, journal=journal, since=since, until=until, query=query, page_size=page_size)
    found: list[HistoryEntry] = []
    async for entry in pager:
        found.append(entry)
        if limit is not None and len(found) >= limit:
            break
    return found, pager
