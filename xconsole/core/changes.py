"""Since you last looked: per team, what changed in its billing since this user last looked, and
who made each change when the audit events (or this user's journal) say so.

Why: several admins share a team, and billing changes affect all of them. Opening the console
(or a cron job running `xconsole changes --exit-code`) should say "the limit went from $2,000 to
$3,000 (dev@…), a new invoice, an auto top-up failed" instead of leaving each person to compare
numbers from memory.

How: each look reads the team's billing state — invoices, ledger, invoiced billing limit,
payment methods and the default, billing details, auto top-up settings — into a snapshot, and
compares it with the snapshot kept from the last look (one JSON file per team in the user state
dir, mode 0600, written atomically; ids, statuses, amounts and labels only, never a key or a
card number). The first look only records a baseline and says so. A part that cannot be read
this time (the real API has no auto top-up read: `NotSupportedByApi`; a failed request) is
reported as not readable and its last snapshot is kept, so nothing is reported twice or lost.

Authors: the audit events since the last look are matched to changes by what their English
descriptions say (reference 4: no event types) and, for ledger entries, by amount and time; the
journal's rows name the local person behind xconsole's own writes.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xconsole.core.money import format_cents

if TYPE_CHECKING:
    from xconsole.core import models
    from xconsole.core.client import ManagementClient
    from xconsole.core.journal import Journal, JournalEntry

VERSION = 1
#: Invoices and ledger entries are compared over this window back from each look: older ones are
#: either already seen or not news.
WINDOW = timedelta(days=92)
#: Audit events and journal rows this long before the last look still count (clocks differ).
SLACK = timedelta(minutes=2)
MAX_AUDIT_PAGES = 20

# Kinds of change, for the digest's grouping and for --json.
INVOICE = "invoice"
FAILED_CHARGE = "failed-charge"
LEDGER = "ledger"
LIMIT = "invoiced-limit"
DEFAULT_METHOD = "default-payment-method"
PAYMENT_METHOD = "payment-method"
BILLING_DETAILS = "billing-details"
AUTO_TOP_UP = "auto-top-up"

#: Parts of a snapshot, with their names in "not readable" notes.
PARTS = {"invoices": "invoices", "ledger": "ledger", "limit": "invoiced billing limit",
         "methods": "payment methods", "billing": "billing details", "autoTopUp": "auto top-up settings"}


@dataclass(frozen=True)
class Change:
    """One thing that changed, in words, with before → after and its author where known."""

    kind: str
    what: str
    before: str | None = None
    after: str | None = None
    time: datetime | None = None  # when it happened, where the data says
    amount_cents: int | None = None
    who: str | None = None  # the audit event's user
    who_local: str | None = None  # the journal's user@host (ssh): who sent it from this machine
    event_id: str | None = None
    #: What the change must look like in an audit description to be this change's event.
    hints: tuple[str, ...] = field(default=(), compare=False, repr=False)
    actions: tuple[str, ...] = field(default=(), compare=False, repr=False)  # journal actions that make it

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "what": self.what, "before": self.before, "after": self.after,
            "time": _iso(self.time) if self.time else None,
            "amount": None if self.amount_cents is None else {"cents": self.amount_cents,
                                                              "formatted": format_cents(self.amount_cents)},
            "who": self.who, "whoLocal": self.who_local, "eventId": self.event_id,
        }

    def line(self) -> str:
        change = f": {self.before} → {self.after}" if self.before is not None and self.after is not None else ""
        by = [b for b in (self.who, f"via xconsole by {self.who_local}" if self.who_local else None) if b]
        return f"{self.what}{change}{' (' + ', '.join(by) + ')' if by else ''}"


@dataclass
class TeamChanges:
    """What one look found for one team. `save()` (or `SeenStore.save`) makes it the last look."""

    team_id: str
    team_name: str
    baseline: bool  # first look: the state was recorded, nothing is listed
    changes: list[Change]
    since: datetime | None  # when this user last looked (None on the first look)
    unreadable: dict[str, str]  # part -> why it could not be read ("not readable")
    snapshot: dict[str, Any]
    audit_error: str | None = None  # why authors could not be looked up
    saved: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    def save(self, store: SeenStore | None = None) -> None:
        """Make this look the last look (once; later calls do nothing)."""
        if not self.saved:
            (store or SeenStore()).save(self.snapshot)
            self.saved = True

    def summary(self) -> str:
        if self.baseline:
            return (f"{self.team_name}: first look — recorded the current billing state as the baseline; "
                    "changes from now on will be listed.")
        if not self.changes:
            return f"{self.team_name}: nothing changed since you last looked ({_iso(self.since) if self.since else '?'})."
        return f"{self.team_name}: {len(self.changes)} change{'s' if len(self.changes) != 1 else ''} since you last looked."

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.team_name, "teamId": self.team_id, "baseline": self.baseline,
            "since": _iso(self.since) if self.since else None, "changed": self.changed,
            "changes": [c.to_json() for c in self.changes],
            "notReadable": [{"part": PARTS.get(k, k), "why": v} for k, v in self.unreadable.items()],
            "auditError": self.audit_error,
        }


# --------------------------------------------------------------------------- the kept snapshots


class SeenStore:
    """What this user last saw, one file per team (`last-seen/<team id>.json`, mode 0600)."""

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory

    @property
    def directory(self) -> Path:
        if self._directory is not None:
            return self._directory
        from platformdirs import user_state_dir

        return Path(user_state_dir("xconsole")) / "last-seen"

    def path(self, team_id: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", team_id).strip(".") or "team"
        return self.directory / f"{safe}.json"

    def load(self, team_id: str) -> dict[str, Any] | None:
        try:
            raw = json.loads(self.path(team_id).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(raw, dict) or raw.get("version") != VERSION or raw.get("teamId") != team_id:
            return None
        return raw

    def save(self, snapshot: dict[str, Any]) -> None:
        """Atomically (temp file + rename) with mode 0600, in a 0700 directory."""
        path = self.path(snapshot["teamId"])
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".seen-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(snapshot, handle, ensure_ascii=False, sort_keys=True)
            os.chmod(temp, 0o600)
            os.replace(temp, path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise


# --------------------------------------------------------------------------- reading the state


async def read_state(client: ManagementClient, team_id: str,
                     now: Callable[[], datetime] | None = None) -> tuple[dict[str, Any], dict[str, str]]:
    """The team's billing state as snapshot parts, and the parts that could not be read (why).

    The limit is read first, alone: its answer's Date header gives the server's "now" (the
    sandbox may run on a moved clock), from which the invoice and ledger window is counted.
    """
    from xconsole.core import errors, models

    clock = now or (lambda: datetime.now(timezone.utc))
    start = clock() - WINDOW  # replaced below once the server's clock is known

    async def invoices() -> dict[str, Any]:
        found = await client.list_invoice_summaries(team_id, since=(start.year, start.month))
        _all_known("invoices", [i.invoice_status for i in found])
        return {"from": f"{start.year:04d}-{start.month:02d}", "items": {
            i.invoice_id: {"number": i.invoice_number or i.invoice_id, "status": i.status, "total": i.total or 0,
                           "time": _iso(i.create_time) if i.create_time else None,
                           "kind": "monthly" if i.monthly is not None else "prepaid"}
            for i in found if i.invoice_id}}

    async def ledger() -> dict[str, Any]:
        balance = await client.get_prepaid_balance(team_id)
        # An unreadable origin would even change a row's key (origin, time, amount): every row "new".
        _all_known("ledger", [v for c in balance.changes for v in (c.change_origin, c.topup_status)])
        items = {}
        for c in balance.changes:
            moment = c.create_time or c.create_ts
            if c.change_origin is models.ChangeOrigin.SPEND or moment is None or moment < start:
                continue
            items[_ledger_key(c)] = {"origin": c.change_origin.value, "status": c.topup_status.value if c.topup_status else None,
                                     "credit": c.credit_cents, "time": _iso(moment), "invoice": c.invoice_number}
        return {"from": _iso(start), "items": items}

    async def limit() -> dict[str, Any]:
        limits = await client.get_spending_limits(team_id)
        soft = limits.soft_sl.val if limits.soft_sl is not None else limits.limit_cents
        return {"cents": soft}

    async def methods() -> dict[str, Any]:
        listed = (await client.list_payment_methods(team_id)).payment_methods
        default = models.default_method(listed, client.known_defaults.get(team_id))
        return {"items": {m.payment_method_id: m.label() for m in listed},
                "default": None if default is None else {"id": default.payment_method_id, "label": default.label()}}

    async def billing() -> dict[str, Any]:
        return (await client.get_billing_info(team_id)).model_dump(mode="json", by_alias=True)

    async def auto_top_up() -> dict[str, Any]:
        auto = await client.get_auto_top_up(team_id)
        return {"enabled": auto.enabled, "threshold": auto.threshold.val, "amount": auto.amount.val,
                "monthlyLimit": auto.monthly_limit.val}

    first = await asyncio.gather(limit(), return_exceptions=True)
    start = (client.server_date or clock()) - WINDOW
    readers: dict[str, Callable[[], Any]] = {"invoices": invoices, "ledger": ledger,
                                             "methods": methods, "billing": billing, "autoTopUp": auto_top_up}
    results = await asyncio.gather(*(read() for read in readers.values()), return_exceptions=True)
    parts: dict[str, Any] = {}
    unreadable: dict[str, str] = {}
    failed: list[errors.ApiError] = []
    for name, result in zip(["limit", *readers], [*first, *results], strict=True):
        if isinstance(result, errors.NotSupportedByApi):
            unreadable[name] = "not readable: the Management API does not expose it (console only)"
        elif isinstance(result, errors.ApiError):
            unreadable[name] = f"not readable: {result.title}: {result}"
            failed.append(result)
        elif isinstance(result, BaseException):
            raise result
        else:
            parts[name] = result
    if not parts and failed:
        # Nothing read is not "nothing changed" (a cron job's exit 0), nor a first look's baseline.
        raise failed[0]
    if "methods" in parts and parts["methods"]["default"] is None and parts["methods"]["items"]:
        unreadable["default"] = "not readable: the Management API does not say which payment method is the default"
    return parts, unreadable


def _ledger_key(change: models.PrepaidBalanceChange) -> str:
    """Ledger rows carry no id: origin, time and amount tell them apart (status may change)."""
    moment = change.create_time or change.create_ts
    return f"{change.change_origin.value}|{_iso(moment) if moment else '?'}|{change.credit_cents}"


# --------------------------------------------------------------------------- comparing


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """The changes from the `old` snapshot parts to the `new` ones (parts missing on either side
    are skipped: not readable now, or not recorded then)."""
    found: list[Change] = []
    if "invoices" in old and "invoices" in new:
        found += _invoice_changes(old["invoices"], new["invoices"])
    if "ledger" in old and "ledger" in new:
        found += _ledger_changes(old["ledger"], new["ledger"])
    if "limit" in old and "limit" in new and old["limit"]["cents"] != new["limit"]["cents"]:
        before, after = old["limit"]["cents"], new["limit"]["cents"]
        found.append(Change(LIMIT, "Invoiced billing limit changed", format_cents(before), format_cents(after),
                            hints=("limit",), actions=("LIMIT",)))
    if "methods" in old and "methods" in new:
        found += _method_changes(old["methods"], new["methods"])
    if "billing" in old and "billing" in new and old["billing"] != new["billing"]:
        found.append(_billing_change(old["billing"], new["billing"]))
    if "autoTopUp" in old and "autoTopUp" in new and old["autoTopUp"] != new["autoTopUp"]:
        found.append(Change(AUTO_TOP_UP, "Auto top-up settings changed", _auto_words(old["autoTopUp"]),
                            _auto_words(new["autoTopUp"]), hints=("auto top-up settings",), actions=("AUTO_TOP_UP",)))
    return found


def _invoice_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    found = []
    for invoice_id, item in sorted(new["items"].items(), key=lambda kv: kv[1]["time"] or ""):
        seen = old["items"].get(invoice_id)
        total = format_cents(item["total"])
        moment = _parse(item["time"]) if item["time"] else None
        failed = item["status"] == "FAILED"
        if seen is None:
            if (item["time"] or "")[:7] < old["from"]:
                continue  # older than what the last look covered: not news
            if failed:
                found.append(Change(FAILED_CHARGE, f"Invoice {item['number']} ({total}) could not be charged",
                                    time=moment, amount_cents=item["total"]))
            else:
                found.append(Change(INVOICE, f"New {item['kind']} invoice {item['number']}: {total} "
                                    f"({item['status'].lower().replace('_', ' ')})", time=moment, amount_cents=item["total"]))
        elif seen["status"] != item["status"]:
            kind = FAILED_CHARGE if failed else INVOICE
            found.append(Change(kind, f"Invoice {item['number']} ({total}) status changed", seen["status"], item["status"],
                                time=moment, amount_cents=item["total"]))
    return found


_ORIGIN_WORDS = {"PURCHASE": "Purchase", "AUTO_PURCHASE": "Auto top-up", "MANUAL": "Promo credit", "REFUND": "Refund"}
_STATUS_WORDS = {"SUCCEEDED": "credits granted", "TO_CHARGE": "pending", "TO_GENERATE_INVOICE": "pending",
                 "FAILED_TO_CHARGE": "could not be charged", "FAILED_TO_GENERATE_INVOICE": "invoice could not be generated"}
_ORIGIN_HINTS = {"PURCHASE": ("purchase",), "AUTO_PURCHASE": ("auto top-up of",), "MANUAL": ("promo code",),
                 "REFUND": ("refund",)}
_ORIGIN_ACTIONS = {"PURCHASE": ("BUY",), "MANUAL": ("PROMO",)}


def _ledger_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    found = []
    since = _parse(old["from"])
    for key, item in sorted(new["items"].items(), key=lambda kv: kv[1]["time"]):
        seen = old["items"].get(key)
        moment = _parse(item["time"])
        credit = item["credit"]
        amount = format_cents(credit) if credit is not None else "an unreported amount"
        words = _ORIGIN_WORDS.get(item["origin"], item["origin"].title())
        status = _STATUS_WORDS.get(item["status"] or "", (item["status"] or "").lower() or None)
        failed = (item["status"] or "").startswith("FAILED")
        hints = tuple(h + "|" + amount for h in _ORIGIN_HINTS.get(item["origin"], ()))
        actions = _ORIGIN_ACTIONS.get(item["origin"], ())
        if seen is None:
            if moment < since:
                continue
            found.append(Change(FAILED_CHARGE if failed else LEDGER, f"{words} of {amount}{': ' + status if status else ''}",
                                time=moment, amount_cents=credit, hints=hints, actions=actions))
        elif seen["status"] != item["status"]:
            found.append(Change(FAILED_CHARGE if failed else LEDGER, f"{words} of {amount} from {item['time'][:10]}",
                                _STATUS_WORDS.get(seen["status"] or "", seen["status"]), status, time=moment,
                                amount_cents=credit, hints=("bank transfer|" + amount, *hints)))
    return found


def _method_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    found = []
    for pm_id, label in new["items"].items():
        if pm_id not in old["items"]:
            found.append(Change(PAYMENT_METHOD, f"Payment method {label} added", hints=("payment method " + label + "|created",),
                                actions=("ADD_CARD",)))
    for pm_id, label in old["items"].items():
        if pm_id not in new["items"]:
            found.append(Change(PAYMENT_METHOD, f"Payment method {label} removed", hints=("payment method " + label + "|deleted",),
                                actions=("REMOVE_METHOD",)))
    before, after = old.get("default"), new.get("default")
    if before and after and before["id"] != after["id"]:
        found.append(Change(DEFAULT_METHOD, "Default payment method changed", before["label"], after["label"],
                            hints=("default payment method|" + after["label"], "default payment method"),
                            actions=("MAKE_DEFAULT", "REMOVE_METHOD")))
    return found


def _billing_change(old: dict[str, Any], new: dict[str, Any]) -> Change:
    changed = [name for name in ("name", "email", "address", "taxIdType", "taxNumber") if old.get(name) != new.get(name)]
    labels = {"taxIdType": "tax id type", "taxNumber": "tax number"}
    what = "Billing details changed (" + ", ".join(labels.get(n, n) for n in changed) + ")"
    before = after = None
    if changed == ["name"] or changed == ["email"]:
        before, after = old.get(changed[0]) or "", new.get(changed[0]) or ""
    return Change(BILLING_DETAILS, what, before, after, hints=("billing information",), actions=("BILLING_DETAILS",))


def _auto_words(settings: dict[str, Any]) -> str:
    if not settings.get("enabled"):
        return "off"
    return (f"on (below {format_cents(settings['threshold'])} buy {format_cents(settings['amount'])}, "
            f"at most {format_cents(settings['monthlyLimit'])} a month)")


# --------------------------------------------------------------------------- authors


async def recent_events(client: ManagementClient, team_id: str, since: datetime) -> list[models.AuditEvent]:
    """The team's audit events from `since` on, newest first (at most MAX_AUDIT_PAGES pages)."""
    events: list[models.AuditEvent] = []
    token = None
    for _ in range(MAX_AUDIT_PAGES):
        page = await client.list_audit_events(team_id, page_size=200, page_token=token, time_from=since)
        events += page.events
        token = page.next_page_token
        if not token or not page.events:
            break
    return events


def _matches(change: Change, description: str) -> int:
    """How well an audit description fits a change: 0 no, higher better. A hint "a|b" needs
    both words; an earlier hint is a better fit."""
    text = description.lower()
    for rank, hint in enumerate(change.hints):
        if all(part.lower() in text for part in hint.split("|")):
            if change.after and change.after.lower() in text:
                return 100 - rank
            return 50 - rank
    return 0


def attribute(changes: list[Change], events: list[models.AuditEvent], journal_rows: list[JournalEntry]) -> list[Change]:
    """Each change with the author of its best-fitting audit event and journal row (each used once)."""
    from dataclasses import replace

    from xconsole.core.history import who_of

    used_events: set[int] = set()
    used_rows: set[int] = set()
    out = []
    for change in changes:
        best, best_score = None, 0
        for index, event in enumerate(events):
            if index in used_events or not change.hints:
                continue
            score = _matches(change, event.description)
            if score and change.time and event.event_time:
                score -= min(40, abs((event.event_time - change.time).total_seconds()) / 3600)  # closer in time wins
            if score > best_score:
                best, best_score = index, score
        if best is not None:
            used_events.add(best)
            event = events[best]
            change = replace(change, who=who_of(event), event_id=event.event_id or None, time=change.time or event.event_time)
        out.append(change)
    # Journal rows: every change's exact amount first, then the looser rule, so no change's
    # fallback takes a row whose own change comes later in the list.
    rows_of: dict[int, int] = {}
    for exact in (True, False):
        for index, change in enumerate(out):
            if index not in rows_of and (row := _journal_row(change, journal_rows, used_rows, exact=exact)) is not None:
                rows_of[index] = row
    return [replace(c, who_local=journal_rows[rows_of[i]].where.label()) if i in rows_of else c for i, c in enumerate(out)]


def _journal_row(change: Change, rows: list[JournalEntry], used: set[int], *, exact: bool = True) -> int | None:
    """The journal row (done or unknown) of an action that makes this change, nearest in time;
    `exact`: only a row of the change's very amount."""
    # A refused write changed nothing, except a purchase whose charge failed: that is the change.
    candidates = [i for i, r in enumerate(rows) if i not in used and r.action in change.actions
                  and (r.outcome != "failed" or change.kind == FAILED_CHARGE)]
    if change.after is not None:
        # Only a row that set this very value: a change made elsewhere is never given to us.
        candidates = [i for i in candidates if rows[i].after and change.after in rows[i].after]
    if change.amount_cents is not None:
        # The same amount; failing that, a purchase may show as less than was bought (part of it
        # paid usage first), never as more: someone else's larger top-up is never given to us.
        # A row with no amount is a write whose answer was lost (a promo code): it may be this one.
        candidates = [i for i in candidates if rows[i].amount_cents == change.amount_cents] if exact else [
            i for i in candidates if rows[i].amount_cents is None or abs(change.amount_cents) <= rows[i].amount_cents]
    elif not exact:
        return None  # nothing looser to try: its one pass was the exact one
    if not candidates:
        return None
    moment = change.time
    chosen = (min(candidates, key=lambda i: abs((rows[i].when - moment).total_seconds())) if moment is not None
              else max(candidates, key=lambda i: rows[i].when))
    used.add(chosen)
    return chosen


# --------------------------------------------------------------------------- one look


async def what_changed(client: ManagementClient, team_id: str, team_name: str, *, store: SeenStore | None = None,
                       journal: Journal | None = None, save: bool = True,
                       now: Callable[[], datetime] | None = None) -> TeamChanges:
    """Read the team's state, compare it with this user's last look, name the authors.

    With `save` (the CLI) this look becomes the last look at once; the TUI may pass
    `save=False` and call `result.save(store)` (a small file write) when the digest is dismissed.
    """
    from xconsole.core import errors
    from xconsole.core.journal import Journal

    store = store or SeenStore()
    clock = now or (lambda: datetime.now(timezone.utc))
    previous = await asyncio.to_thread(store.load, team_id)  # files: never on the UI loop
    parts, unreadable = await read_state(client, team_id, clock)
    server_now = client.server_date or clock()
    looked = clock()
    kept = dict(previous["parts"]) if previous else {}
    snapshot = {"version": VERSION, "teamId": team_id, "teamName": team_name, "lookedAt": _iso(looked),
                "serverTime": _iso(server_now), "parts": {**kept, **parts}}
    if previous is None:
        result = TeamChanges(team_id, team_name, True, [], None, unreadable, snapshot)
    else:
        changes = compare(previous["parts"], parts)
        since = _parse(previous["lookedAt"])
        audit_error = None
        if changes:
            start = _parse(previous.get("serverTime") or previous["lookedAt"]) - SLACK
            try:
                events = await recent_events(client, team_id, start)
            except errors.ApiError as exc:
                events, audit_error = [], f"{exc.title}: {exc}"
            rows = await asyncio.to_thread((journal or Journal()).entries, team_id, since=start)
            changes = attribute(changes, events, rows)
        result = TeamChanges(team_id, team_name, False, changes, since, unreadable, snapshot, audit_error)
    if save:
        await asyncio.to_thread(result.save, store)
    return result


def _all_known(part: str, values: list[Any]) -> None:
    """Raise when a status or origin is one this version cannot read (a value new on the server,
    or a garbled answer: the models map it to UNKNOWN). The part is then "not readable" this time
    and its last look is kept, as for a failed read: a passing fault is never PAID → UNKNOWN and
    back, and a status new on the server is said, not hidden behind the old one."""
    from xconsole.core import errors

    if any(getattr(v, "value", None) == "UNKNOWN" for v in values):
        raise errors.ProtocolError(f"the {part} hold a status this version of xconsole cannot read")


def _iso(moment: datetime) -> str:
    utc = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return utc.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _parse(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
