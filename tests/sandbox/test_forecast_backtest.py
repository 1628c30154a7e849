"""Backtest of the forecast on the sandbox's generated history (issue 20, section 1).

One sandbox on a frozen clock with the demo teams plus 12 generated ones. Three demo teams get
settings that make them run out within the month (every other team keeps its seeded settings):
Lumen a low monthly auto top-up maximum, Helix a lower invoiced billing limit; Orbit and some
generated teams run out of prepaid credit on their own. Then, at every cut-off (every 12 h for 8
days), each team's forecast is made through the client, exactly as the app makes it; the clock
walks on an hour at a time for 30 days past the last cut-off, and the hour in which the
simulation really refused spend (its spend fell short of its rate) is compared with the forecast.

The figures are printed (`-s`) and bounded below; the proof test reuses the bound.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx

from tests.sandbox_helpers import BASE, _no_sleep
from xconsole.core.client import ManagementClient
from xconsole.core.forecast import HORIZON_DAYS
from xconsole.core.spend import load_spend
from xconsole.sandbox.app import frozen_app
from xconsole.sandbox.clock import FROZEN_NOW
from xconsole.sandbox.simulation import demand_micros, parse_ts

#: Bounds the backtest asserts (hours between the forecast and the simulated rejection). The
#: sandbox keeps usage per hour and spends live with the same hour-of-day and weekend shape as
#: its seeded history, so the model fits real hours; what is left is the history's trend and
#: day-to-day noise, largest on Lumen's monthly-maximum cut-offs (measured with hourly usage:
#: median 0.13 h, max 24.3 h, at most 12 % of the lead time). The bounds date from when the
#: sandbox gave days only (max 52 h, 29 %) and are kept as they were.
MEDIAN_ERROR_BOUND_H = 6.0
MAX_ERROR_BOUND_H = 60.0
MAX_RELATIVE_ERROR = 0.35  # of the time from the cut-off to the rejection
#: Teams with a flat history that simply run out of credit (Orbit, the generated teams): the
#: proof test (test_forecast_proof.py) checks the sandbox on each side of this margin.
CREDITS_OUT_ERROR_BOUND_H = 1.0
CUTOFF_EVERY = timedelta(hours=12)
CUTOFFS = 16
HOUR = timedelta(hours=1)


@dataclass
class Outcome:
    team: str
    cutoff: datetime
    forecast: datetime | None
    cause: str | None
    actual: datetime | None

    @property
    def relative_error(self) -> float | None:
        if self.error_h is None or self.actual is None:
            return None
        lead_h = max(1.0, (self.actual - self.cutoff).total_seconds() / 3600)
        return abs(self.error_h) / lead_h

    @property
    def error_h(self) -> float | None:
        if self.forecast is None or self.actual is None:
            return None
        return (self.forecast - self.actual).total_seconds() / 3600


class World:
    """The sandbox, a client per team, and the simulation's real spend per team and hour."""

    def __init__(self, extra_teams: int = 12) -> None:
        self.app = frozen_app(teams=3 + extra_teams)
        self.transport = httpx.ASGITransport(app=self.app)
        self.http = httpx.AsyncClient(transport=self.transport, base_url=BASE)
        self.clients: dict[str, ManagementClient] = {}
        self.ids: dict[str, str] = {}
        self.store = self.app.state.sandbox.store
        self.onsets: dict[str, list[datetime]] = {}  # when the simulation began refusing spend
        self._refusing: dict[str, bool] = {}
        self._last: dict[str, int] = {}

    async def start(self) -> World:
        for team in (await self.http.get("/sandbox/teams")).json()["teams"]:
            name = team["name"]
            self.ids[name] = team["teamId"]
            self.clients[name] = ManagementClient(team["managementKey"], BASE, transport=self.transport,
                                                  sandbox=True, sleep=_no_sleep)
        self._last = self._spent()
        return self

    async def close(self) -> None:
        for client in self.clients.values():
            await client.aclose()
        await self.http.aclose()

    async def now(self) -> datetime:
        return parse_ts((await self.http.get("/sandbox/clock")).json()["now"])

    def _spent(self) -> dict[str, int]:
        """Micro-dollars ever spent per team (read-only look into the sandbox's own store)."""
        with self.store.tx() as conn:
            rows = conn.execute(
                "SELECT t.name, COALESCE(SUM(u.micros), 0) FROM teams t LEFT JOIN usage u ON u.team_id = t.team_id"
                " GROUP BY t.team_id").fetchall()
        return {name: int(micros) for name, micros in rows}

    def _rates(self) -> dict[str, int]:
        with self.store.tx() as conn:
            return {n: r for n, r in conn.execute("SELECT name, spend_rate_micros_per_hour FROM teams")}

    async def hour(self) -> None:
        """Advance one hour and note, per team, whether the simulation refused spend in it."""
        start = await self.now()
        await self.http.post("/sandbox/clock", json={"advanceSeconds": 3600})
        spent, rates = self._spent(), self._rates()
        for name, total in spent.items():
            # What the team would have spent in this hour of the week had nothing refused it.
            demand = demand_micros(rates[name], start, start + HOUR)
            got = total - self._last.get(name, 0)
            refusing = demand > 0 and got < demand
            if refusing and not self._refusing.get(name):
                # Spend accrues evenly within the sandbox's hour: it ran out after got/demand of it.
                self.onsets.setdefault(name, []).append(start + HOUR * (got / demand))
            self._refusing[name] = refusing
        self._last = spent

    def refusing(self, name: str) -> bool:
        return self._refusing.get(name, False)


async def scenario(world: World) -> None:
    """Settings that make the shaped demo teams run out within the month, through the API."""
    from xconsole.core import models

    lumen, helix = world.clients["Lumen Labs"], world.clients["Helix Health"]
    await lumen.set_auto_top_up(world.ids["Lumen Labs"], models.AutoTopUpSettings(
        enabled=True, threshold=models.Cent.of(2_000), amount=models.Cent.of(2_500), monthly_limit=models.Cent.of(30_000)))
    await helix.set_soft_spending_limit(world.ids["Helix Health"], 130_000)


async def run_backtest(world: World) -> list[Outcome]:
    await scenario(world)
    pending: list[Outcome] = []
    for index in range(CUTOFFS):
        cutoff = await world.now()
        for name, client in world.clients.items():
            if world.refusing(name):
                continue  # already being refused: nothing to forecast
            snap = await load_spend(client, world.ids[name])  # the forecast comes with it, as in the app
            result = snap.forecast
            assert result is not None, snap.forecast_error
            pending.append(Outcome(name, cutoff, result.rejected_at, result.cause.value if result.cause else None, None))
        if index < CUTOFFS - 1:
            for _ in range(int(CUTOFF_EVERY / HOUR)):
                await world.hour()
    last = await world.now()
    while await world.now() < last + timedelta(days=HORIZON_DAYS, hours=2):
        await world.hour()
    for outcome in pending:
        horizon = outcome.cutoff + timedelta(days=HORIZON_DAYS)
        outcome.actual = next((t for t in world.onsets.get(outcome.team, []) if outcome.cutoff <= t < horizon), None)
    return pending


def report(outcomes: list[Outcome]) -> dict[str, float | int]:
    errors = [abs(o.error_h) for o in outcomes if o.error_h is not None]
    bias = [o.error_h for o in outcomes if o.error_h is not None]
    misses = [o for o in outcomes if o.forecast is None and o.actual is not None]
    alarms = [o for o in outcomes if o.forecast is not None and o.actual is None]
    figures = {
        "forecasts": len(outcomes),
        "compared": len(errors),
        "teams_compared": len({o.team for o in outcomes if o.error_h is not None}),
        "median_abs_error_h": round(statistics.median(errors), 2) if errors else 0.0,
        "p90_abs_error_h": round(sorted(errors)[int(0.9 * (len(errors) - 1))], 2) if errors else 0.0,
        "max_abs_error_h": round(max(errors), 2) if errors else 0.0,
        "mean_signed_error_h": round(statistics.mean(bias), 2) if bias else 0.0,
        "max_relative_error": round(max((o.relative_error for o in outcomes if o.relative_error is not None), default=0.0), 3),
        "lead_days_max": round(max(((o.actual - o.cutoff).total_seconds() / 86400 for o in outcomes
                                    if o.error_h is not None and o.actual), default=0.0), 1),
        "missed": len(misses),
        "false_alarms": len(alarms),
        "agree_not_rejected": sum(1 for o in outcomes if o.forecast is None and o.actual is None),
    }
    print("\nforecast backtest:", figures)
    for cause in sorted({o.cause for o in outcomes if o.cause}):
        errs = [abs(o.error_h) for o in outcomes if o.cause == cause and o.error_h is not None]
        if errs:
            figures[f"{cause}_max_h"] = round(max(errs), 2)
            print(f"  {cause}: n={len(errs)} median={statistics.median(errs):.2f} h max={max(errs):.2f} h")
    for o in misses + alarms:
        print(f"  disagreement: {o.team} cut-off {o.cutoff:%d %b %H:%M} forecast {o.forecast} actual {o.actual}")
    return figures


def _near_horizon(o: Outcome) -> bool:
    """A disagreement only about whether it happens just inside or just outside the 30 days."""
    moment = o.forecast or o.actual
    return moment is not None and abs((moment - (o.cutoff + timedelta(days=HORIZON_DAYS))).total_seconds()) < 2 * 86400


async def test_forecast_backtest_on_the_sandbox_history():
    world = await World().start()
    try:
        assert await world.now() == FROZEN_NOW
        outcomes = await run_backtest(world)
    finally:
        await world.close()
    figures = report(outcomes)
    assert figures["compared"] >= 40 and figures["teams_compared"] >= 5, figures
    assert figures["median_abs_error_h"] <= MEDIAN_ERROR_BOUND_H, figures
    assert figures["max_abs_error_h"] <= MAX_ERROR_BOUND_H, figures
    assert figures["max_relative_error"] <= MAX_RELATIVE_ERROR, figures
    assert figures["credits-out_max_h"] <= CREDITS_OUT_ERROR_BOUND_H, figures
    assert {"credits-out", "monthly-max", "invoiced-limit"} <= {o.cause for o in outcomes if o.error_h is not None}
    # Whether requests are rejected within 30 days at all: no disagreement but at the edge.
    assert all(_near_horizon(o) for o in outcomes if (o.forecast is None) != (o.actual is None)), figures
