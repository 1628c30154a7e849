"""One hour-by-hour engine for prepaid credit, pending purchases, auto top-up and the invoiced limit.

The forecast runs it on projected usage, the auto top-up what-if on past usage: the rules live
here once, written to do what the sandbox's simulation does (xconsole/sandbox/simulation.py), and
a test compares the two on the same spend series. Per step [t, t_end):

1. Spend: the step's demand is served from prepaid credit first, then billed beyond prepaid up to
   the invoiced billing limit ($0 by default). What does not fit is rejected (the console's
   "requests are rejected when credits run out and the limit is reached").
2. At t_end: a new month starts a new cycle (the beyond-prepaid spend is invoiced, so the limit's
   headroom is whole again, and the monthly auto top-up count restarts); pending purchases
   (bank transfers) due by t_end are credited.
3. At t_end, auto top-up: while credit is below the threshold, buy `amount` — unless 5 top-ups
   were attempted in the last 24 h, or `used this month + amount` would pass the monthly maximum.
   Credit added while spend is beyond prepaid first covers that spend (the sandbox's ledger does
   the same: prepaid credit is always used first).

Steps are whole hours on the caller's grid and never cross a month boundary (the caller splits).
Money is integer cents; times are datetimes at the edges and epoch seconds inside the loop, which
runs in about a millisecond for 90 days so the what-if can re-run as a user types.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from xconsole.core.billing import MAX_AUTO_TOP_UPS_PER_24H

DAY_S = 24 * 3600


class Cause(str, enum.Enum):
    """What stops requests (why spend was refused)."""

    CREDITS_OUT = "credits-out"  # prepaid credit used up and the invoiced billing limit is $0
    MONTHLY_MAX = "monthly-max"  # auto top-up blocked: the monthly maximum is reached
    DAILY_LIMIT = "daily-limit"  # auto top-up blocked: 5 top-ups in the last 24 h
    INVOICED_LIMIT = "invoiced-limit"  # credit used up and the invoiced billing limit reached


@dataclass(frozen=True)
class AutoRule:
    """Auto top-up settings in cents (the rule, not the server's wire model)."""

    threshold: int
    amount: int
    monthly_max: int


@dataclass(frozen=True)
class Step:
    start: datetime
    end: datetime
    demand: int  # cents of usage wanted in [start, end)


@dataclass
class Account:
    """The state the replay starts from (and ends in)."""

    credits: int  # live prepaid credit, cents
    beyond: int = 0  # spend this cycle beyond prepaid credit, cents
    limit: int = 0  # invoiced billing limit in force, cents ($0: prepaid only)
    used_this_month: int = 0  # credit bought by auto top-up since the month began
    recent_top_ups: list[datetime] = field(default_factory=list)  # auto top-up attempts, last 24 h
    pending: list[tuple[datetime, int]] = field(default_factory=list)  # (credited at, cents)
    last_top_up: datetime | None = None  # the latest auto top-up this month (when a maximum was reached)


@dataclass(frozen=True)
class TopUp:
    at: datetime
    cents: int


@dataclass(frozen=True)
class Block:
    """The first blocked auto top-up of an episode (until the next top-up or month)."""

    at: datetime
    cause: Cause  # MONTHLY_MAX or DAILY_LIMIT


@dataclass(frozen=True)
class Rejection:
    """A step in which some requests were refused."""

    start: datetime
    end: datetime
    at: datetime  # the moment within the step the headroom ran out (spend assumed even)
    wanted: int
    served: int
    cause: Cause
    cause_at: datetime  # e.g. when the monthly maximum was reached


@dataclass
class Replay:
    top_ups: list[TopUp]
    blocks: list[Block]
    rejections: list[Rejection]
    served: list[int]  # cents served per step
    credited: int  # pending purchases credited during the replay
    end: Account

    @property
    def bought(self) -> int:
        return sum(t.cents for t in self.top_ups)

    @property
    def first_rejection(self) -> Rejection | None:
        return self.rejections[0] if self.rejections else None


def _epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def _from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc)


def _month_starts(step: Step) -> bool:
    end = step.end.astimezone(timezone.utc)
    return end.day == 1 and end.hour == 0 and end.minute == 0 and end.second == 0 and end.microsecond == 0


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_US = timedelta(microseconds=1)


def to_us(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (a float timestamp rounds them)."""
    return (moment - _EPOCH) // _US


def from_us(us: int) -> datetime:
    return _EPOCH + us * _US


class Timeline:
    """Steps prepared once (epoch seconds, month-start flags) for replaying many settings fast."""

    def __init__(self, steps: Sequence[Step]) -> None:
        self._steps: list[Step] | None = list(steps)
        self._edges_us: tuple[list[int], list[int]] | None = None
        self.starts = [_epoch(s.start) for s in self._steps]
        self.ends = [_epoch(s.end) for s in self._steps]
        self.new_month = [_month_starts(s) for s in self._steps]
        self.demands = [s.demand for s in self._steps]

    @classmethod
    def of_us(cls, starts_us: list[int], ends_us: list[int], demands: list[int], new_month: list[bool]) -> Timeline:
        """From step edges in epoch microseconds: no datetime per step until `steps` is asked for
        (a forecast asks only when requests would be rejected)."""
        line = cls.__new__(cls)
        line._steps, line._edges_us = None, (starts_us, ends_us)
        line.starts = [us // 1_000_000 for us in starts_us]
        line.ends = [us // 1_000_000 for us in ends_us]
        line.new_month, line.demands = new_month, demands
        return line

    @property
    def steps(self) -> list[Step]:
        if self._steps is None:
            self._steps = [self.step(i) for i in range(len(self))]
        return self._steps

    def step(self, i: int) -> Step:
        if self._steps is not None:
            return self._steps[i]
        assert self._edges_us is not None
        return Step(from_us(self._edges_us[0][i]), from_us(self._edges_us[1][i]), self.demands[i])

    def __len__(self) -> int:
        return len(self.demands)


def replay(steps: Sequence[Step] | Timeline, account: Account, rule: AutoRule | None) -> Replay:
    """Run the rules over `steps` from `account`; `rule` None means no auto top-up."""
    line = steps if isinstance(steps, Timeline) else Timeline(steps)
    credits, beyond, limit = account.credits, account.beyond, account.limit
    used = account.used_this_month
    recent = deque(sorted(_epoch(t) for t in account.recent_top_ups))
    pending = sorted((_epoch(at), cents) for at, cents in account.pending)
    threshold = amount = monthly = 0
    if rule is not None:
        threshold, amount, monthly = rule.threshold, rule.amount, rule.monthly_max
    top_ups: list[TopUp] = []
    blocks: list[Block] = []
    rejections: list[Rejection] = []
    served_out: list[int] = []
    credited = 0
    # The block in force (cause, since) and when the last top-up fired: what a rejection is blamed on.
    blocked: tuple[Cause, int] | None = None
    last_fire: int | None = _epoch(account.last_top_up) if account.last_top_up is not None else None
    for i, demand in enumerate(line.demands):
        # 1. spend
        # A balance below zero (usage reported ahead of the credit) buys nothing: no negative spend.
        available = credits if credits > 0 else 0
        headroom = available + (limit - beyond if limit > beyond else 0)
        served = demand if demand <= headroom else headroom
        from_credit = served if served <= available else available
        credits -= from_credit
        beyond += served - from_credit
        served_out.append(served)
        if served < demand:
            if blocked is not None:
                cause, since = blocked
                cause_at = (last_fire if cause is Cause.MONTHLY_MAX and last_fire is not None else since)
            else:
                cause = Cause.INVOICED_LIMIT if limit > 0 else Cause.CREDITS_OUT
                cause_at = None
            step = line.step(i)
            s0, s1 = line.starts[i], line.ends[i]
            at = _from_epoch(s0 + (s1 - s0) * (served / demand if demand else 0))
            rejections.append(Rejection(step.start, step.end, at, demand, served, cause,
                                        _from_epoch(cause_at) if cause_at is not None else at))
        end_s = line.ends[i]
        # 2. a new cycle, pending purchases
        if line.new_month[i]:
            beyond = 0
            used = 0
            if blocked is not None and blocked[0] is Cause.MONTHLY_MAX:
                blocked = None
        while pending and pending[0][0] <= end_s:
            cents = pending.pop(0)[1]
            credited += cents
            absorbed = cents if cents <= beyond else beyond
            beyond -= absorbed
            credits += cents - absorbed
        # 3. auto top-up
        if rule is None:
            continue
        while recent and recent[0] <= end_s - DAY_S:
            recent.popleft()
        if credits >= threshold:
            blocked = None  # nothing is due: no block in force
            continue
        for _ in range(MAX_AUTO_TOP_UPS_PER_24H + 1):
            if credits >= threshold:
                break
            if len(recent) >= MAX_AUTO_TOP_UPS_PER_24H:
                why = Cause.DAILY_LIMIT
            elif used + amount > monthly:
                why = Cause.MONTHLY_MAX
            else:
                why = None
            if why is not None:
                if blocked is None or blocked[0] is not why:
                    blocked = (why, end_s)
                    blocks.append(Block(line.step(i).end, why))
                break
            recent.append(end_s)
            used += amount
            absorbed = amount if amount <= beyond else beyond
            beyond -= absorbed
            credits += amount - absorbed
            top_ups.append(TopUp(line.step(i).end, amount))
            last_fire = end_s
            blocked = None
    end = Account(credits=credits, beyond=beyond, limit=limit, used_this_month=used,
                  recent_top_ups=[_from_epoch(s) for s in recent],
                  pending=[(_from_epoch(s), c) for s, c in pending],
                  last_top_up=_from_epoch(last_fire) if last_fire is not None else None)
    return Replay(top_ups, blocks, rejections, served_out, credited, end)


def hourly_steps(start: datetime, demands: Sequence[int]) -> list[Step]:
    """Steps of one hour from `start` (on the hour, so month starts fall on step ends)."""
    hour = timedelta(hours=1)
    return [Step(start + i * hour, start + (i + 1) * hour, d) for i, d in enumerate(demands)]
