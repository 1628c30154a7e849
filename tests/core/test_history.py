"""A team's history (core/history.py): audit events merged with the action journal, newest first,
paged in as a screen scrolls — one audit page per `next_page()`, journal rows released only once
no older-page event can come before them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from xconsole.cli.options import Options
from xconsole.cli.wiring import sandbox_session
from xconsole.core import errors, models
from xconsole.core.history import AUDIT, JOURNAL, HistoryPager, load_history, split_change
from xconsole.core.journal import Journal, JournalEntry, Where
from tests.tui.harness import embedded

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)


class FakeAudit:
    """Audit events at given minutes after T0 (newest first), paged by event id like the real API."""

    def __init__(self, minutes: list[int], fail: Exception | None = None) -> None:
        self.events = [models.AuditEvent(event_time=T0 + timedelta(minutes=m), event_id=f"e{m}",
                                         description=f"Thing {m} was updated from {m - 1} to {m}",
                                         user=models.AuditUser(email=f"user{m}@example.com"))
                       for m in sorted(minutes, reverse=True)]
        self.calls: list[dict] = []
        self.fail = fail

    async def list_audit_events(self, team_id, **kw):
        self.calls.append(kw)
        if self.fail:
            raise self.fail
        start = 0
        if kw.get("page_token"):
            start = next(i for i, e in enumerate(self.events) if e.event_id == kw["page_token"]) + 1
        events = [e for e in self.events[start:]
                  if (kw.get("time_from") is None or e.event_time >= kw["time_from"])]
        page = events[: kw["page_size"]]
        more = len(events) > len(page)
        return models.AuditEventList(events=page, next_page_token=page[-1].event_id if more else None)


def journal_with(tmp_path, minutes: list[int], team_id: str = "team") -> Journal:
    journal = Journal(tmp_path / "journal.jsonl")
    for m in minutes:
        journal.append(JournalEntry(time=T0, server_time=T0 + timedelta(minutes=m, seconds=30), team_id=team_id,
                                    team_name="T", action="LIMIT", what="change the invoiced billing limit",
                                    outcome="done", where=Where("ana", "box", True), before="$1.00", after=f"${m}.00"))
    journal.append(JournalEntry(time=T0, team_id="another team", team_name="U", action="LIMIT", what="x",
                                outcome="done", where=Where("bob", "box", False)))
    return journal


async def test_pages_merge_in_time_order_and_journal_rows_wait_for_their_page(tmp_path):
    audit = FakeAudit([1, 2, 3, 4, 5, 6, 7])
    pager = HistoryPager(audit, "team", journal=journal_with(tmp_path, [0, 3, 6]), page_size=3)  # type: ignore[arg-type]
    first = await pager.next_page()
    # Events 7, 6, 5; the journal row at 6:30 fits among them; the rows at 3:30 and 0:30 must wait.
    assert [(e.source, e.time.minute) for e in first] == [(AUDIT, 7), (JOURNAL, 6), (AUDIT, 6), (AUDIT, 5)]
    assert pager.page_token == "e5" and not pager.done
    second = await pager.next_page()
    assert [(e.source, e.time.minute) for e in second] == [(AUDIT, 4), (JOURNAL, 3), (AUDIT, 3), (AUDIT, 2)]
    third = await pager.next_page()
    assert [(e.source, e.time.minute) for e in third] == [(AUDIT, 1), (JOURNAL, 0)]
    assert pager.done and pager.page_token is None and pager.pages_read == 3
    assert [c.get("page_token") for c in audit.calls] == [None, "e5", "e2"]
    row = first[1]
    assert row.who == "ana@box (ssh)" and (row.before, row.after) == ("$1.00", "$6.00") and row.outcome == "done"
    event = first[0]
    assert event.who == "user7@example.com" and (event.before, event.after) == ("6", "7") and event.event_id == "e7"


async def test_async_iteration_walks_everything_once(tmp_path):
    audit = FakeAudit(list(range(1, 50)))
    pager = HistoryPager(audit, "team", journal=journal_with(tmp_path, [10, 20]), page_size=7)  # type: ignore[arg-type]
    seen = [e async for e in pager]
    assert len(seen) == 49 + 2
    assert [e.time for e in seen] == sorted((e.time for e in seen), reverse=True)
    assert len(audit.calls) == 7


async def test_without_the_audit_permission_the_journal_still_shows(tmp_path):
    audit = FakeAudit([1], fail=errors.PermissionDenied("lacks ListAuditEvents", status=403))
    entries, pager = await load_history(audit, "team", journal=journal_with(tmp_path, [2, 5]))  # type: ignore[arg-type]
    assert [e.source for e in entries] == [JOURNAL, JOURNAL]
    assert isinstance(pager.audit_error, errors.PermissionDenied) and pager.done


async def test_since_and_query_reach_both_sources(tmp_path):
    audit = FakeAudit([1, 2, 3, 4])
    since = T0 + timedelta(minutes=3)
    entries, _ = await load_history(audit, "team", journal=journal_with(tmp_path, [1, 3]), since=since)  # type: ignore[arg-type]
    assert audit.calls[0]["time_from"] == since
    assert [(e.source, e.time.minute) for e in entries] == [(AUDIT, 4), (JOURNAL, 3), (AUDIT, 3)]
    entries, _ = await load_history(FakeAudit([]), "team", journal=journal_with(tmp_path / "q", [1, 3]), query="$3.00")  # type: ignore[arg-type]
    assert [e.after for e in entries] == ["$3.00"]
    entries, _ = await load_history(audit, "team", journal=journal_with(tmp_path / "l", [1, 3]), limit=2)  # type: ignore[arg-type]
    assert len(entries) == 2


@pytest.mark.parametrize(("description", "expected"), [
    ("Invoiced billing limit was updated from $0.00 to $100.00", ("$0.00", "$100.00")),
    ("Default payment method was updated from Visa ··1881 to Mastercard ··5100", ("Visa ··1881", "Mastercard ··5100")),
    ("Auto top-up settings were updated from off to on (below $50.00 buy $100.00, at most $600.00 a month)",
     ("off", "on (below $50.00 buy $100.00, at most $600.00 a month)")),
    ("API key 'ci-runner' was created", (None, None)),
    ("Billing information was updated: name from 'A' to 'B'", (None, None)),
])
def test_before_and_after_are_read_from_the_description(description, expected):
    assert split_change(description) == expected


async def test_on_the_sandbox_every_write_shows_twice_the_event_and_the_person(tmp_path):
    """Through TeamActions, a write is in the audit events (the key's owner) and the journal
    (the person at this machine), side by side."""
    sb = embedded()
    session = sandbox_session(Options(sandbox=True), sb)
    team = next(t for t in session.teams if t.name.startswith("Helix"))
    actions = await session.actions_for(team)
    journal = Journal(tmp_path / "j.jsonl")
    actions.journal = journal
    await actions.set_limit(300_000, before=200_000)
    client = await session.client_for(team)
    pager = HistoryPager(client, team.team_id, journal=journal, page_size=2)
    first = await pager.next_page()
    await session.aclose()
    assert [e.source for e in first[:3]] == [AUDIT, JOURNAL, AUDIT]
    assert first[0].what == "Invoiced billing limit was updated from $2,000.00 to $3,000.00"
    assert first[0].who == "admin@sandbox.example" and (first[0].before, first[0].after) == ("$2,000.00", "$3,000.00")
    assert first[1].who.count("@") == 1 and (first[1].before, first[1].after) == ("$2,000.00", "$3,000.00")
