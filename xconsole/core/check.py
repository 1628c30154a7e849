"""`xconsole check`: each team's state as Nagios, Icinga, Checkmk and Sensu read it.

States: OK 0, WARNING 1, CRITICAL 2, UNKNOWN 3; across teams the worst wins, in the order
CRITICAL > WARNING > UNKNOWN > OK (design.md 8). Conditions, per team:
- credits below `--warn-below` / `--crit-below` (only when given);
- requests rejected now, or within the runway thresholds (default CRITICAL within 1 day,
  WARNING within 7), by today's runway — unless a working auto top-up keeps the team going (the
  one rule of `billing.rejects_soon`); a runway the API's figures cannot give is UNKNOWN;
- a failed charge attempt on an invoice of the last 30 days (WARNING);
- the default card expiring before the month-end charge (WARNING; only where the default is known);
- the auto top-up warnings: 80 % of the monthly maximum used, the 5-per-24 h allowance (WARNING);
- a key rejected, forbidden, or the team unreachable: UNKNOWN for that team, the others checked;
- with `--anomalies` only (one more usage read per team): each unusual spend of the last
  ANOMALY_DAYS days (core.anomalies) is a WARNING reason.

Output is the plugin format: `XCONSOLE <STATE> - <summary> | <perfdata>`, then one line per team.
"""

from __future__ import annotations

import asyncio
import enum
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from xconsole.core.money import format_cents

if TYPE_CHECKING:
    from xconsole.core.models import InvoiceSummary
    from xconsole.core.session import Session, TeamHandle
    from xconsole.core.spend import TeamSummary

SCHEMA_VERSION = 1
#: A failed charge this recent makes a team WARNING.
FAILED_CHARGE_DAYS = 30
#: Teams read at once: a check of 200 teams never has more requests than this in flight.
MAX_TEAMS_AT_ONCE = 16
#: `--anomalies`: unusual spend this recent (today included) makes a team WARNING.
ANOMALY_DAYS = 7


class State(enum.IntEnum):
    OK = 0
    WARNING = 1
    CRITICAL = 2
    UNKNOWN = 3

    @property
    def rank(self) -> int:
        """How bad, for "the worst wins": CRITICAL > WARNING > UNKNOWN > OK."""
        return {State.OK: 0, State.UNKNOWN: 1, State.WARNING: 2, State.CRITICAL: 3}[self]


@dataclass(frozen=True)
class Thresholds:
    warn_below: int | None = None  # cents
    crit_below: int | None = None  # cents
    warn_runway_days: float = 7.0
    crit_runway_days: float = 1.0


@dataclass
class TeamCheck:
    name: str
    team_id: str
    state: State = State.OK
    reasons: list[str] = field(default_factory=list)
    balance: int | None = None
    month_spend: int | None = None
    invoiced_limit: int | None = None
    runway_days: float | None = None  # core.forecast.runway: the figure every surface gives
    runway_known: bool = False
    runway_at_least: bool = False  # a floor: nothing rejected within the horizon (the lean read never sees auto top-ups)
    reachable: bool = True
    forecast: dict[str, Any] | None = None  # core.forecast.Forecast.to_json(); None: no forecast

    @property
    def rejected_at(self) -> datetime | None:
        """When the forecast says requests will be rejected (None: not within its horizon, or no forecast)."""
        at = (self.forecast or {}).get("rejectedAt")
        return datetime.fromisoformat(at.replace("Z", "+00:00")) if at else None

    def raise_to(self, state: State, reason: str) -> None:
        self.reasons.append(reason)
        if state.rank > self.state.rank:
            self.state = state

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name, "teamId": self.team_id, "state": self.state.name, "exitStatus": int(self.state),
            "reasons": list(self.reasons), "reachable": self.reachable,
            "balance": _money(self.balance), "monthSpend": _money(self.month_spend),
            "invoicedLimit": _money(self.invoiced_limit),
            "runwayDays": None if self.runway_days is None else round(self.runway_days, 2),
            "runwayKnown": self.runway_known,
            "runwayAtLeast": self.runway_at_least,
            "forecast": self.forecast,
        }


def _money(cents: int | None) -> dict[str, Any]:
    return {"cents": cents, "formatted": format_cents(cents)}


def parse_duration(text: str) -> float:
    """A duration in days: "7d", "36h", "90m", "1.5" (days). ValueError with a readable message."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dhm]?)\s*", text or "")
    if not match:
        raise ValueError(f"{text!r} is not a duration: use e.g. 7d, 36h or 90m")
    value, unit = float(match.group(1)), match.group(2) or "d"
    return value / {"d": 1, "h": 24, "m": 1440}[unit]


def worst(checks: list[TeamCheck]) -> State:
    return max((c.state for c in checks), key=lambda s: s.rank, default=State.UNKNOWN)


def evaluate(team: TeamHandle, snap: TeamSummary, invoices: list[InvoiceSummary] | None,
             thresholds: Thresholds, now: datetime | None = None) -> TeamCheck:
    """The state of one team from its snapshot (and its recent invoices, when they could be read)."""
    from xconsole.core.billing import WARNING_TEXT, auto_top_up_keeps_going, card_ends, format_runway
    from xconsole.core.invoices import failed_attempts

    from xconsole.core.forecast import runway

    s = snap.summary
    left = runway(s, snap.forecast, thresholds.warn_runway_days)  # the figure the state below is judged on
    check = TeamCheck(team.name, team.team_id, balance=s.live_balance, month_spend=s.month_spend,
                      invoiced_limit=s.soft_limit, runway_days=left.days, runway_known=left.known,
                      runway_at_least=left.at_least)
    # Credits below the thresholds; a balance the API did not report never passes as fine.
    if thresholds.crit_below is not None or thresholds.warn_below is not None:
        if s.live_balance is None:
            check.raise_to(State.UNKNOWN, "the API did not report the credit balance")
        elif thresholds.crit_below is not None and s.live_balance < thresholds.crit_below:
            check.raise_to(State.CRITICAL, f"credits {format_cents(s.live_balance)} below {format_cents(thresholds.crit_below)}")
        elif thresholds.warn_below is not None and s.live_balance < thresholds.warn_below:
            check.raise_to(State.WARNING, f"credits {format_cents(s.live_balance)} below {format_cents(thresholds.warn_below)}")
    # Requests rejected now or soon: the forecast (auto top-up, its monthly maximum and 5 per 24 h,
    # the invoiced limit) when there is one; else credits and what is left of the limit at the
    # last 7 days' rate.
    auto = snap.auto_top_up
    fc = snap.forecast
    check.forecast = fc.to_json() if fc is not None else None
    keeps_going = auto_top_up_keeps_going(auto)
    if s.soft_limit is not None and s.live_balance is not None and s.live_balance <= 0 and s.limit_remaining == 0 \
            and not keeps_going:
        check.raise_to(State.CRITICAL, "requests are rejected now: no credits left and the invoiced billing "
                                       "limit reached" if s.soft_limit else
                                       "requests are rejected now: no credits left and a $0 invoiced billing limit")
    elif (s.soft_limit is not None and fc is not None and fc.known and s.runway_known
          and (fc.rejected_at is not None or thresholds.warn_runway_days <= fc.horizon_days)):
        # (A threshold beyond the forecast's horizon with nothing rejected within it is judged
        # by the 7-day rate below: the forecast cannot say "in 50 days".)
        if fc.rejected_at is not None:
            days = fc.until_rejected().days or 0.0  # type: ignore[union-attr]
            why = f"requests rejected in {format_runway(days)} (from {fc.reason()})"
            if days < thresholds.crit_runway_days:
                check.raise_to(State.CRITICAL, why)
            elif days < thresholds.warn_runway_days:
                check.raise_to(State.WARNING, why)
    elif s.soft_limit is not None and not keeps_going:
        if not s.runway_known:
            check.raise_to(State.UNKNOWN, "runway unknown: " + (s.unreported_note or "usage could not be read"))
        elif s.runway_days is not None and s.runway_days < thresholds.crit_runway_days:
            check.raise_to(State.CRITICAL, f"requests rejected in {format_runway(s.runway_days)}")
        elif s.runway_days is not None and s.runway_days < thresholds.warn_runway_days:
            check.raise_to(State.WARNING, f"requests rejected in {format_runway(s.runway_days)}")
    # A failed charge of the last 30 days.
    moment = now or datetime.now(timezone.utc)
    since = moment - timedelta(days=FAILED_CHARGE_DAYS)
    def recent(moment_: datetime | None) -> bool:
        if moment_ is None:
            return True
        return (moment_ if moment_.tzinfo else moment_.replace(tzinfo=timezone.utc)) >= since

    failed = [i for i in invoices or () if failed_attempts(i) and recent(i.create_time)]
    if failed:
        numbers = ", ".join(i.invoice_number or i.invoice_id[:12] for i in failed[:3])
        check.raise_to(State.WARNING, f"a charge failed in the last {FAILED_CHARGE_DAYS} days (invoice {numbers})")
    # The default card expiring before the month-end charge (only where the default is known).
    expires = card_ends(snap.default_method) if snap.default_method else None
    if expires is not None:
        card = snap.default_method.card_details  # type: ignore[union-attr]
        month_end = date(snap.today.year + (snap.today.month == 12), snap.today.month % 12 + 1, 1)
        if expires <= month_end:
            check.raise_to(State.WARNING, f"the default card {snap.default_method.label()} expires "
                                          f"{card.exp_month:02d}/{card.exp_year % 100:02d}, before the month-end charge")
    # The console's auto top-up warnings (the sandbox reports them; the real API has no auto top-up read).
    for warning in auto.warnings if auto else ():
        check.raise_to(State.WARNING, WARNING_TEXT.get(warning, warning))
    return check


def unreachable(team: TeamHandle, why: str) -> TeamCheck:
    check = TeamCheck(team.name, team.team_id, reachable=False)
    check.raise_to(State.UNKNOWN, why)
    return check


async def check_team(session: Session, team: TeamHandle, thresholds: Thresholds, *, anomalies: bool = False) -> TeamCheck:
    """Read one team and judge it; any failure, ours included, is UNKNOWN for this team only."""
    from xconsole.core.actions import describe_error

    try:
        return await _check_team(session, team, thresholds, anomalies=anomalies)
    except Exception as exc:  # noqa: BLE001 - one team's surprise never stops the others' check
        return unreachable(team, f"could not be judged: {describe_error(exc)}")


async def _check_team(session: Session, team: TeamHandle, thresholds: Thresholds, *, anomalies: bool = False) -> TeamCheck:
    from xconsole.core import errors
    from xconsole.core.actions import describe_error
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.invoices import InvoiceFilter, load_invoices, months_back
    from xconsole.core.spend import load_summary, read_default_method

    try:
        client = await session.client_for(team)
        snap = await load_summary(client, team.team_id)
    except KeyringUnavailable as exc:
        return unreachable(team, f"key unavailable: {exc.message}")
    except errors.MissingKey as exc:
        return unreachable(team, f"no key stored: {exc.message}")
    except (errors.AuthError, errors.PermissionDenied) as exc:
        return unreachable(team, f"key {'rejected' if isinstance(exc, errors.AuthError) else 'forbidden'}: {exc.message}")
    except Exception as exc:  # noqa: BLE001 - unreachable or unreadable: UNKNOWN, the others go on
        return unreachable(team, f"team unreachable: {describe_error(exc)}")
    # After the summary: by then the server has said whether it is the sandbox, the one API that
    # says which card is the default (read_default_method: no read where it cannot be known).
    invoices, default = await asyncio.gather(
        load_invoices(client, team.team_id, months_back(snap.today, 1)), read_default_method(client, team.team_id),
        return_exceptions=True)
    for result in (invoices, default):
        if isinstance(result, BaseException) and not isinstance(result, errors.ApiError):
            raise result
    if not isinstance(default, BaseException):
        snap = replace(snap, default_method=default)
    # A failed read leaves its condition unjudged; the rest are.
    check = evaluate(team, snap, None if isinstance(invoices, BaseException) else invoices.select(InvoiceFilter()),
                     thresholds)
    if isinstance(invoices, BaseException):
        check.reasons.append("invoices could not be read: failed charges not checked")
    if isinstance(default, BaseException):
        check.reasons.append("payment methods could not be read: the default card's expiry not checked")
    if anomalies:
        await _add_anomalies(check, client, team.team_id)
    return check


async def _add_anomalies(check: TeamCheck, client: Any, team_id: str) -> None:
    """`--anomalies`: each unusual spend of the last ANOMALY_DAYS days is a WARNING reason; a
    failed read is said, never a state of its own (the other conditions stand)."""
    from xconsole.core import errors
    from xconsole.core.anomalies import load_anomalies

    try:
        report = await load_anomalies(client, team_id, ANOMALY_DAYS)
    except errors.ApiError as exc:
        check.reasons.append(f"usage could not be read: unusual spend not checked ({exc.message})")
        return
    for anomaly in report.anomalies:
        check.raise_to(State.WARNING, f"unusual spend: {anomaly.reason}")
    if report.incomplete:
        check.reasons.append("unusual spend may be incomplete: the API capped the number of series")


async def check_teams(session: Session, teams: list[TeamHandle], thresholds: Thresholds,
                      on_done: Callable[[], object] | None = None, *, anomalies: bool = False) -> list[TeamCheck]:
    gate = asyncio.Semaphore(MAX_TEAMS_AT_ONCE)

    async def one(team: TeamHandle) -> TeamCheck:
        async with gate:
            checked = await check_team(session, team, thresholds, anomalies=anomalies)
        if on_done is not None:
            on_done()
        return checked

    return list(await asyncio.gather(*(one(t) for t in teams)))


# ---------------------------------------------------------------------------------- output

def perf_label(name: str) -> str:
    """A team name as a perfdata label: ASCII lowercase, words joined by "_" ("Équipe" → "equipe")."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "team"


def perf_labels(checks: list[TeamCheck]) -> dict[str, str]:
    """One label per team id, never shared: names that read alike ("Acme Inc", "acme-inc", or two
    names with no ASCII letters) get the start of their team id appended."""
    base = {c.team_id: perf_label(c.name) for c in checks}
    taken = Counter(base.values())
    labels = {team_id: f"{label}_{team_id[:8]}" if taken[label] > 1 or label == "team" else label
              for team_id, label in base.items()}
    seen: set[str] = set()
    for team_id, label in labels.items():  # a name that reads like another's suffixed label
        unique, n = label, 2
        while unique in seen:
            unique, n = f"{label}_{n}", n + 1
        labels[team_id] = unique
        seen.add(unique)
    return labels


def _number(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def perfdata_by_team(checks: list[TeamCheck], thresholds: Thresholds) -> list[str]:
    """Each team's perfdata items ("" when it has no figure), in the order of `checks`."""
    def bound(cents: int | None) -> str:
        return "" if cents is None else f"{_number(cents / 100)}:"

    labels = perf_labels(checks)
    teams = []
    for check in checks:
        label, parts = labels[check.team_id], []
        if check.balance is not None:
            parts.append(f"'{label}_credits'={check.balance / 100:.2f};{bound(thresholds.warn_below)};"
                         f"{bound(thresholds.crit_below)};0;")
        if check.runway_known and check.runway_days is not None:
            parts.append(f"'{label}_runway_days'={_number(round(check.runway_days, 2))};"
                         f"{_number(thresholds.warn_runway_days)}:;{_number(thresholds.crit_runway_days)}:;0;")
        teams.append(" ".join(parts))
    return teams


def perfdata(checks: list[TeamCheck], thresholds: Thresholds) -> str:
    """`'<team>_credits'=84.55;100:;50:;0; '<team>_runway_days'=3.2;7:;1:;0;` (plugin range
    grammar: `100:` alerts below 100). Unknown figures are left out, never written as 0."""
    return " ".join(p for p in perfdata_by_team(checks, thresholds) if p)


def summary(checks: list[TeamCheck]) -> str:
    bad = [c for c in checks if c.state is not State.OK]
    if not checks:
        return "no team to check"
    if not bad:
        return f"{len(checks)} team{'s' if len(checks) != 1 else ''} OK"
    first = max(bad, key=lambda c: c.state.rank)
    more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
    return f"{len(bad)} of {len(checks)} teams need attention: {first.name} {first.state.name}: {first.reasons[0]}{more}"


def _plain(text: str) -> str:
    """No "|" outside the perfdata separator: a team named "A|B" must not split the output."""
    return text.replace("|", "/")


#: Nagios Core reads at most 8 KB of a plugin's output; what is beyond is silently cut.
PLUGIN_OUTPUT_MAX_BYTES = 8192


def _size(text: str) -> int:
    return len(text.encode())


def plugin_output(checks: list[TeamCheck], thresholds: Thresholds, limit: int = PLUGIN_OUTPUT_MAX_BYTES) -> str:
    """The plugin output, within `limit` bytes. When every team does not fit (a few hundred
    teams), the worst teams come first, perfdata takes at most half, and the output says how many
    teams it left out (`--json` lists every team)."""
    state = worst(checks)
    head = f"XCONSOLE {state.name} - {_plain(summary(checks))}"

    def team_line(check: TeamCheck) -> str:
        return _plain(f"{check.state.name} {check.name}: {'; '.join(check.reasons) or 'nothing to report'}")

    data = perfdata(checks, thresholds)
    lines = [f"{head} | {data}" if data else head, *map(team_line, checks)]
    if _size("\n".join(lines)) <= limit:
        return "\n".join(lines)
    ordered = sorted(checks, key=lambda c: -c.state.rank)  # stable: the worst first, else as given
    items = [p for p in perfdata_by_team(ordered, thresholds) if p]
    kept: list[str] = []
    for item in items:
        if _size(" ".join([*kept, item])) > limit // 2:
            break
        kept.append(item)
    if len(kept) < len(items):
        head += f" (perfdata of {len(kept)} of {len(items)} teams)"
    lines = [f"{head} | {' '.join(kept)}" if kept else head]
    def left_out(rest: list[TeamCheck]) -> str:
        counts = Counter(c.state.name for c in rest)
        return (f"... {len(rest)} more teams ({', '.join(f'{n} {s}' for s, n in counts.items())}): "
                "xconsole check --json lists every team")

    # Room for the line saying what was left out, at its longest (every team and every state).
    room = limit - _size(lines[0]) - _size(left_out(ordered)) - 2
    for index, check in enumerate(ordered):
        line = team_line(check)
        if _size(line) + 1 > room:
            lines.append(left_out(ordered[index:]))
            break
        lines.append(line)
        room -= _size(line) + 1
    return "\n".join(lines)


def document(checks: list[TeamCheck], thresholds: Thresholds) -> dict[str, Any]:
    """The `--json` document (schemaVersion 1)."""
    state = worst(checks)
    return {"schemaVersion": SCHEMA_VERSION, "state": state.name, "exitStatus": int(state),
            "summary": summary(checks), "perfdata": perfdata(checks, thresholds),
            "thresholds": {"warnBelow": _money(thresholds.warn_below), "critBelow": _money(thresholds.crit_below),
                           "warnRunwayDays": thresholds.warn_runway_days, "critRunwayDays": thresholds.crit_runway_days},
            "teams": [c.to_json() for c in checks]}
