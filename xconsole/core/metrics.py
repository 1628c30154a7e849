"""Prometheus metrics of every team (design.md 8), with the well-kept `prometheus-client`.

Gauges with labels `team` and `team_id`: credit balance, month spend and invoiced limit in USD,
runway in seconds, when requests will be rejected (the forecast), auto top-up enabled,
`xconsole_team_up` (0 when the key is rejected or the API unreachable: the team's other series
are then absent, not zero) and the last refresh time.
Values are what `balance --json` reports. A figure the API did not report is absent, never 0.

Scrapes never hammer the API: the reads are cached for `min_interval` seconds, concurrent
scrapes share one refresh, and a refresh reads at most MAX_TEAMS_AT_ONCE teams at a time.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector, CollectorRegistry

if TYPE_CHECKING:
    from xconsole.core.session import Session, TeamHandle
    from xconsole.core.spend import TeamSummary

log = logging.getLogger("xconsole.metrics")
MAX_TEAMS_AT_ONCE = 16
DAY_S = 86_400


@dataclass
class TeamReading:
    team: TeamHandle
    snapshot: TeamSummary | None  # None: the team could not be read (key rejected, unreachable)
    read_at: float  # time.time()
    #: When it was last read successfully (this reading, or an earlier one when this one failed):
    #: kept through failures, so "no good read for an hour" can be alerted on.
    last_good: float | None = None


class TeamMetrics(Collector):
    """Collects the last readings; `refresh()` reads every team again when they are older than
    `min_interval` seconds, once for all the scrapes that ask at the same time."""

    def __init__(self, session: Session, teams: list[TeamHandle], *, min_interval: float = 60.0,
                 discover: Callable[[], list[TeamHandle]] | None = None) -> None:
        self.session = session
        self.teams = teams
        #: Lists the teams again before each refresh (a credentials directory a Secret updates).
        self.discover = discover
        self.min_interval = min_interval
        self.readings: list[TeamReading] = []
        self.refreshed_at: float | None = None  # time.monotonic()
        self.refreshes = 0
        self._refreshing: asyncio.Task[None] | None = None

    async def refresh(self, *, force: bool = False) -> None:
        fresh = self.refreshed_at is not None and time.monotonic() - self.refreshed_at < self.min_interval
        if fresh and not force:
            return
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.ensure_future(self._read_all())
        await asyncio.shield(self._refreshing)

    async def _read_all(self) -> None:
        from xconsole.core.actions import describe_error
        from xconsole.core.spend import load_summary

        if self.discover is not None:
            try:
                found = await asyncio.to_thread(self.discover)
            except Exception as exc:  # noqa: BLE001 - a half-written config or a listing error
                log.warning("the teams could not be listed again, keeping the last list: %s", exc)
                found = self.teams
            if not found and self.teams:
                # A directory that lists empty is more likely being replaced than emptied: teams
                # whose series vanished would silence `xconsole_team_up == 0` alerts.
                log.warning("no key files found this time, keeping the last list of %d teams", len(self.teams))
                found = self.teams
            gone = {t.team_id for t in self.teams} - {t.team_id for t in found}
            for team_id in gone:
                await self.session.forget_client(team_id)
            self.teams = found
        gate = asyncio.Semaphore(MAX_TEAMS_AT_ONCE)
        before = {r.team.team_id: r.last_good for r in self.readings}

        async def one(team: TeamHandle) -> TeamReading:
            async with gate:
                try:
                    client = await self.session.client_for(team)
                    snapshot = await load_summary(client, team.team_id)
                except Exception as exc:  # noqa: BLE001 - the team is down (xconsole_team_up 0), the others are read
                    log.warning("%s could not be read: %s", team.name, describe_error(exc))
                    # A rotated key (a Secret updated in place) is read again next time.
                    await self.session.forget_client(team.team_id)
                    snapshot = None
                now = time.time()
                return TeamReading(team, snapshot, now, now if snapshot is not None else before.get(team.team_id))

        self.readings = list(await asyncio.gather(*(one(t) for t in self.teams)))
        self.refreshed_at = time.monotonic()
        self.refreshes += 1

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from xconsole.core.forecast import runway as forecast_runway

        labels = ["team", "team_id"]

        def family(name: str, doc: str, unit: str = "") -> GaugeMetricFamily:
            return GaugeMetricFamily(name, doc, labels=labels, unit=unit)

        up = family("xconsole_team_up", "1 when the team's billing could be read, 0 when its key was rejected or the API unreachable")
        balance = family("xconsole_credit_balance_usd", "Prepaid credit left now, in US dollars (live, from the invoice preview)")
        month = family("xconsole_month_spend_usd", "Spend of the current billing month so far, in US dollars")
        limit = family("xconsole_invoiced_limit_usd", "Invoiced billing limit in force, in US dollars (0: prepaid only)")
        runway = family("xconsole_runway_seconds",
                        "Seconds until API requests are rejected: the forecast's (auto top-up and the limit included; "
                        "at least its 30-day horizon when not within it), else at the last 7 days' rate")
        auto = family("xconsole_auto_top_up_enabled", "1 when auto top-up is enabled (absent where the API cannot say)")
        refreshed = family("xconsole_last_refresh_timestamp_seconds", "When the team was last read successfully (Unix time)")
        rejected = family("xconsole_requests_rejected_timestamp_seconds",
                          "When the forecast says API requests will be rejected (Unix time; absent: not within 30 days)")
        for reading in self.readings:
            values = [reading.team.name, reading.team.team_id]
            snap = reading.snapshot
            up.add_metric(values, 0 if snap is None else 1)
            if reading.last_good is not None:
                refreshed.add_metric(values, reading.last_good)
            if snap is None:
                continue  # down: no figures at all, never zeros
            s = snap.summary
            for gauge, cents in ((balance, s.live_balance), (month, s.month_spend), (limit, s.soft_limit)):
                if cents is not None:
                    gauge.add_metric(values, cents / 100)
            left = forecast_runway(s, snap.forecast)
            if left.known and left.days is not None:
                runway.add_metric(values, left.days * DAY_S)
            if snap.auto_top_up is not None:
                auto.add_metric(values, 1 if snap.auto_top_up.enabled else 0)
            fc = snap.forecast
            if fc is not None and fc.rejected_at is not None:
                # On this machine's clock: the read's time plus what the forecast gives until then
                # (a sandbox on a moved clock still alerts at the right distance).
                rejected.add_metric(values, reading.read_at + (fc.rejected_at - fc.now).total_seconds())
        yield from (up, balance, month, limit, runway, auto, refreshed, rejected)


def registry_for(metrics: TeamMetrics) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(metrics)
    return registry
