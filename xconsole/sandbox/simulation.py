"""Time moves in the sandbox: usage accrues, cycles close, bank transfers settle, auto top-ups fire.

Everything here runs inside a write transaction and walks time forward in steps of at most an
hour (never across a month boundary), so rules keyed on time — 5 auto top-ups per 24 h, the
monthly maximum, cycle close, 3 business days for a transfer — happen in the order they would.

Usage is kept per UTC hour (`usage_hours`), like the real API's `TIME_UNIT_HOUR` answers, and
rolled up per UTC day (`usage`) in the same write, so a day is always the sum of its hours and
the cycle's running total stays one small indexed read per step. A team's spend follows a week
(`HOUR_WEIGHTS` × `WEEKDAY_WEIGHTS`): busy UTC working hours, quiet nights, quieter weekends.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from xconsole.core import billing, models
from xconsole.sandbox.catalogue import CATALOGUE, MICROS_PER_CENT, PREPAID_LINE, split, units_for

STEP = timedelta(hours=1)
HOUR = timedelta(hours=1)
#: Each UTC hour's share of a team's hourly rate, per mille (they average 1000): quiet nights,
#: busiest where European and US working hours overlap. Hours 00–14 add up to exactly 15 × 1000,
#: so the demo seeded at 15:00 (tests, screenshots) spends today what a flat rate would, to the
#: micro-dollar: its balances and month spend did not move when hours got a shape.
HOUR_WEIGHTS = (400, 350, 330, 330, 350, 420, 600, 900, 1350, 1500, 1650, 1700, 1650, 1750, 1720,
                1700, 1600, 1400, 1100, 900, 750, 620, 520, 410)
#: Each weekday's share of the rate, per mille, Monday first: weekends at 55 %, as the seed's
#: history has always had them.
WEEKDAY_WEIGHTS = (1000, 1000, 1000, 1000, 1000, 550, 550)
WEIGHT_UNIT = 1000
#: A piece's weight is microseconds × hour weight × day weight: this turns it back into hours at 1.0.
_WEIGHT_PER_HOUR = 3_600_000_000 * WEIGHT_UNIT * WEIGHT_UNIT
#: Makes audit event ids unique yet repeatable from run to run (same order, same ids).
#: After a long pause (a persisted demo database opened weeks later) only this much is simulated.
MAX_CATCH_UP = timedelta(days=62)


def ts(moment: datetime) -> str:
    """Fixed-width RFC 3339 with microseconds, so stored times compare as strings."""
    utc = moment.astimezone(timezone.utc)
    return f"{utc.year:04d}" + utc.strftime("-%m-%dT%H:%M:%S.%fZ")  # %Y does not pad years < 1000


def parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def hour_key(moment: datetime) -> str:
    """The `usage_hours` key of the UTC hour holding `moment`: "YYYY-MM-DDTHH" (sorts as time)."""
    utc = moment.astimezone(timezone.utc)
    # Not strftime: seeding calls this ~10,000 times a team-year and formatting ints is faster.
    return f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}"


def month_start(moment: datetime) -> datetime:
    return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month(moment: datetime) -> datetime:
    start = month_start(moment)
    return (start + timedelta(days=32)).replace(day=1)


def invoice_number(seed: str) -> str:
    digits = str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:12].rjust(12, "0")
    return "-".join(digits[i : i + 3] for i in range(0, 12, 3))


def invoice_id(seed: str) -> str:
    return base64.b64encode(f"xconsole-{seed}".encode()).decode()


@dataclass(frozen=True)
class CycleState:
    """The current billing cycle of a team at one instant (reference 1.3 semantics)."""

    year: int
    month: int
    prepaid: int  # credit the cycle draws against (cents, positive here)
    spend: int  # usage this cycle (cents)
    lines: list[dict]  # wire invoice lines of the cycle so far
    spend_micros: int  # exact usage this cycle (micro-dollars); spend == spend_micros // 10_000

    @property
    def used(self) -> int:
        return min(self.spend, self.prepaid)

    @property
    def live(self) -> int:
        return self.prepaid - self.used

    @property
    def beyond(self) -> int:
        return self.spend - self.used


# --------------------------------------------------------------------------- reads


def team_row(conn: sqlite3.Connection, team_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM teams WHERE team_id = ?", (team_id,)).fetchone()


def credits_granted(conn: sqlite3.Connection, team_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE team_id = ? AND origin != 'SPEND'"
        " AND (status IS NULL OR status = 'SUCCEEDED')",
        (team_id,),
    ).fetchone()
    return int(row[0])


def posted_spend(conn: sqlite3.Connection, team_id: str) -> int:
    row = conn.execute(
        "SELECT COALESCE(SUM(amount), 0) FROM ledger WHERE team_id = ? AND origin = 'SPEND'", (team_id,)
    ).fetchone()
    return int(row[0])


def usage_lines(conn: sqlite3.Connection, team_id: str, first_day: str, last_day: str) -> tuple[list[dict], int]:
    """Wire invoice lines for usage on days in [first_day, last_day] (inclusive, YYYY-MM-DD), and
    the exact usage in micro-dollars.

    Line amounts are whole cents that add up to floor(total): floored per line, the leftover
    cents going to the lines with the largest fractions. So a spend cap in micro-dollars is also
    exact in cents: credit runs out at $0.00, not at a few cents.
    Read from the daily rollup: a cycle's total is a month of days, not of hours, at every step.
    """
    rows = conn.execute(
        "SELECT line, SUM(micros) AS micros FROM usage WHERE team_id = ? AND day >= ? AND day <= ?"
        " GROUP BY line ORDER BY line",
        (team_id, first_day, last_day),
    ).fetchall()
    total_micros = sum(row["micros"] for row in rows)
    cents = [row["micros"] // MICROS_PER_CENT for row in rows]
    leftover = total_micros // MICROS_PER_CENT - sum(cents)
    by_fraction = sorted(range(len(rows)), key=lambda i: (-(rows[i]["micros"] % MICROS_PER_CENT), i))
    for i in by_fraction[:leftover]:
        cents[i] += 1
    lines = []
    for row, amount in zip(rows, cents, strict=True):
        if amount <= 0:
            continue
        item = CATALOGUE[row["line"]]
        lines.append(
            {
                "clusterName": "us-east-1",
                "description": item.description,
                "unitType": item.unit_type,
                "unitPrice": str(item.unit_price),
                "numUnits": str(units_for(item, amount)),
                "amount": str(amount),
            }
        )
    return lines, total_micros


def cycle_state(conn: sqlite3.Connection, team_id: str, at: datetime) -> CycleState:
    start = month_start(at)
    lines, micros = usage_lines(conn, team_id, f"{start:%Y-%m-%d}", f"{at:%Y-%m-%d}")
    prepaid = max(0, credits_granted(conn, team_id) - posted_spend(conn, team_id))
    spend = sum(int(line["amount"]) for line in lines)
    return CycleState(year=at.year, month=at.month, prepaid=prepaid, spend=spend, lines=lines, spend_micros=micros)


def soft_limit_in_force(team: sqlite3.Row) -> int:
    return min(team["soft_limit"] or 0, team["hard_limit"])


def auto_counters(conn: sqlite3.Connection, team_id: str, at: datetime) -> tuple[int, int]:
    """(credits bought by auto top-up this month, auto top-up attempts in the last 24 h)."""
    used = conn.execute(
        "SELECT COALESCE(-SUM(amount), 0) FROM ledger WHERE team_id = ? AND origin = 'AUTO_PURCHASE'"
        " AND status = 'SUCCEEDED' AND create_time >= ?",
        (team_id, ts(month_start(at))),
    ).fetchone()[0]
    recent = conn.execute(
        "SELECT COUNT(*) FROM ledger WHERE team_id = ? AND origin = 'AUTO_PURCHASE' AND create_time > ?",
        (team_id, ts(at - timedelta(hours=24))),
    ).fetchone()[0]
    return int(used), int(recent)


def auto_settings(team: sqlite3.Row) -> models.AutoTopUpSettings:
    return models.AutoTopUpSettings(
        enabled=bool(team["auto_enabled"]),
        threshold=models.Cent.of(team["auto_threshold"]),
        amount=models.Cent.of(team["auto_amount"]),
        monthly_limit=models.Cent.of(team["auto_monthly_limit"]),
    )


def default_payment_method(conn: sqlite3.Connection, team_id: str) -> sqlite3.Row | None:
    return conn.execute(
        "SELECT * FROM payment_methods WHERE team_id = ? ORDER BY is_default DESC, added_ts LIMIT 1", (team_id,)
    ).fetchone()


def card_usable(pm: sqlite3.Row, at: datetime) -> bool:
    return pm["payment_type"] == "card" and (pm["exp_year"], pm["exp_month"]) >= (at.year, at.month)


#: Who a write is recorded as when no caller is known (the seed, direct service calls).
DEFAULT_ACTOR = "admin@sandbox.example"
#: The service itself: auto top-ups and settled bank transfers happen without a person.
SYSTEM_ACTORS = {"auto-top-up@x.ai": ("xAI", "Auto top-up"), "billing@x.ai": ("xAI", "Billing")}


def actor_for_key(key_name: str) -> str:
    """The user a management key's writes are recorded as: "xconsole-admin" -> admin@sandbox.example."""
    return f"{key_name.removeprefix('xconsole-') or 'admin'}@sandbox.example"


def audit_user(email: str) -> models.AuditUser:
    """The real event's `user` block for an actor's email (ids stable: derived from the email)."""
    given, family = SYSTEM_ACTORS.get(email, ("Sandbox", email.split("@")[0].replace("-", " ").title()))
    return models.AuditUser(user_id=str(uuid.uuid5(uuid.NAMESPACE_URL, email)), email=email, given_name=given,
                            family_name=family)


def audit(conn: sqlite3.Connection, team_id: str, at: datetime, description: str, who: str = DEFAULT_ACTOR) -> None:
    """Record one audit event, worded like the real service's ("… was created", "… was updated
    from X to Y"): descriptions are all the real API gives, so they carry the before and after."""
    # Numbered from the table itself, inside the write transaction: unique even when two
    # processes share the database (a per-process counter collided), and the same on every seed.
    sequence = conn.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM audit_events").fetchone()[0]
    conn.execute(
        "INSERT INTO audit_events (event_id, team_id, event_time, description, user_email) VALUES (?, ?, ?, ?, ?)",
        (str(uuid.uuid5(uuid.NAMESPACE_URL, f"{team_id}/{ts(at)}/{sequence}")), team_id, ts(at), description, who),
    )


# --------------------------------------------------------------------------- writes used by operations


def billing_info_json(conn: sqlite3.Connection, team_id: str) -> str:
    return conn.execute("SELECT billing_info FROM teams WHERE team_id = ?", (team_id,)).fetchone()[0]


def create_prepaid_invoice(
    conn: sqlite3.Connection, ledger_id: int, team_id: str, cents: int, pm_id: str | None, at: datetime, paid: bool
) -> tuple[str, str]:
    seed = f"{team_id}/prepaid/{ledger_id}"
    inv_id, number = invoice_id(seed), invoice_number(seed)
    line = {
        "clusterName": "",
        "description": PREPAID_LINE.description,
        "unitType": PREPAID_LINE.unit_type,
        "unitPrice": str(PREPAID_LINE.unit_price),
        "numUnits": str(cents),
        "amount": str(cents),
    }
    attempts = [{"ticket": 0, "successful": paid, "paymentMethodId": pm_id or ""}]
    conn.execute(
        "INSERT INTO invoices (invoice_id, team_id, invoice_number, kind, create_time, status, subtotal, tax,"
        " total, lines, attempts, issued_to) VALUES (?, ?, ?, 'prepaid', ?, ?, ?, 0, ?, ?, ?, ?)",
        (
            inv_id, team_id, number, ts(at), "PAID" if paid else "FAILED", cents, cents,
            json.dumps([line]), json.dumps(attempts), billing_info_json(conn, team_id),
        ),
    )
    conn.execute("UPDATE ledger SET invoice_id = ?, invoice_number = ? WHERE id = ?", (inv_id, number, ledger_id))
    return inv_id, number


def charge(
    conn: sqlite3.Connection,
    team_id: str,
    origin: str,
    cents: int,
    pm: sqlite3.Row | None,
    at: datetime,
    *,
    bank_transfer: bool = False,
    idempotency_key: str | None = None,
) -> int:
    """Record a purchase of `cents` of credit and its outcome; returns the ledger row id.

    Cards settle at once (or fail when expired); bank transfers stay TO_CHARGE until
    `settle_time`, BANK_TRANSFER_BUSINESS_DAYS business days later.
    """
    if bank_transfer:
        status, settle = "TO_CHARGE", ts(billing.add_business_days(at, billing.BANK_TRANSFER_BUSINESS_DAYS))
    elif pm is not None and card_usable(pm, at):
        status, settle = "SUCCEEDED", None
    else:
        status, settle = "FAILED_TO_CHARGE", None
    cursor = conn.execute(
        "INSERT INTO ledger (team_id, origin, status, amount, create_time, settle_time, method, payment_method_id,"
        " processor, idempotency_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'STRIPE', ?)",
        (
            team_id, origin, status, -cents, ts(at), settle, "BANK_TRANSFER" if bank_transfer else "CARD",
            pm["payment_method_id"] if pm is not None else None, idempotency_key,
        ),
    )
    ledger_id = int(cursor.lastrowid)
    if status == "SUCCEEDED":
        create_prepaid_invoice(conn, ledger_id, team_id, cents, pm["payment_method_id"], at, paid=True)
    return ledger_id


# --------------------------------------------------------------------------- time passing


def advance(
    conn: sqlite3.Connection,
    team_id: str,
    until: datetime,
    *,
    step: timedelta = STEP,
    before_step: Callable[[sqlite3.Connection, datetime], None] | None = None,
    catch_up: timedelta | None = MAX_CATCH_UP,
    weekly: bool = True,
) -> None:
    """Simulate `team_id` from its `accrued_until` up to `until`.

    `before_step` lets the seed play a person (buying credits, changing the rate) as time passes.
    `weekly=False` leaves out the weekday weights: for a seed whose `before_step` already sets
    each day's rate with its weekend dip (the hours of a day are shaped either way).
    """
    team = team_row(conn, team_id)
    if team is None:
        return
    t = parse_ts(team["accrued_until"])
    if until <= t:
        return
    if catch_up is not None and until - t > catch_up:
        t = until - catch_up
    weights = [item.weight for item in CATALOGUE]
    mix = json.loads(team["mix"] or "[]")
    if mix:
        weights = [w * m for w, m in zip(weights, mix, strict=True)]
    rate = team["spend_rate_micros_per_hour"]
    while t < until:
        if before_step is not None:
            before_step(conn, t)
            rate = team_row(conn, team_id)["spend_rate_micros_per_hour"]
        end = min(until, t + step, next_month(t))
        if rate > 0:
            _accrue(conn, team, t, end, rate, weights, weekly)
        t = end
        if t == month_start(t):
            close_cycle(conn, team_id, t - timedelta(microseconds=1), closed_at=t)
        settle_transfers(conn, team_id, t)
        maybe_auto_top_up(conn, team_id, t)
        team = team_row(conn, team_id)
    conn.execute("UPDATE teams SET accrued_until = ? WHERE team_id = ?", (ts(until), team_id))


def demand_micros(rate: int, start: datetime, end: datetime, *, weekly: bool = True) -> int:
    """What a team at `rate` (micro-dollars per hour at weight 1.0) would spend over [start, end)
    if nothing refused it: the hour and weekday weights applied to each hour it touches."""
    return _demand(rate, hour_pieces(start, end, weekly))


def _demand(rate: int, pieces: list[tuple[datetime, int]]) -> int:
    return rate * sum(weight for _hour, weight in pieces) // _WEIGHT_PER_HOUR


def hour_pieces(start: datetime, end: datetime, weekly: bool = True) -> list[tuple[datetime, int]]:
    """The UTC hours [start, end) touches, each weighted by the microseconds of it inside the span
    × its hour weight × its weekday weight (a live step from 15:23 spans two hours)."""
    out = []
    hour = start.astimezone(timezone.utc).replace(minute=0, second=0, microsecond=0)
    while hour < end:
        inside = (min(end, hour + HOUR) - max(start, hour)) // timedelta(microseconds=1)
        day_weight = WEEKDAY_WEIGHTS[hour.weekday()] if weekly else WEIGHT_UNIT
        out.append((hour, inside * HOUR_WEIGHTS[hour.hour] * day_weight))
        hour += HOUR
    return out


def _accrue(conn: sqlite3.Connection, team: sqlite3.Row, start: datetime, end: datetime, rate: int,
            weights: list[int], weekly: bool) -> None:
    pieces = hour_pieces(start, end, weekly)
    micros = _demand(rate, pieces)
    if micros <= 0:
        return
    # Requests are rejected once prepaid credit is gone and the invoiced billing limit is reached:
    # spend can never go past that headroom (the console's "$0 limit" rule).
    state = cycle_state(conn, team["team_id"], start)
    cap_micros = (state.prepaid + soft_limit_in_force(team)) * MICROS_PER_CENT
    allowed = min(micros, cap_micros - state.spend_micros)
    if allowed <= 0:
        return
    # Refused from the moment the headroom is gone: the earliest hours get what was allowed.
    per_hour = _earliest(split(micros, [weight for _hour, weight in pieces]), allowed)
    # Lines first, as before hours had a shape: a day's amount per line is what it always was.
    record_usage(conn, team["team_id"], [hour for hour, _weight in pieces], per_hour, split(allowed, weights))


def _earliest(parts: list[int], allowed: int) -> list[int]:
    """`parts` cut to add up to at most `allowed`, taking from the first ones."""
    out = []
    for part in parts:
        take = min(part, allowed)
        out.append(take)
        allowed -= take
    return out


def record_usage(conn: sqlite3.Connection, team_id: str, hours: list[datetime], per_hour: list[int],
                 per_line: list[int]) -> None:
    """Store each line's amount spread over `hours` in proportion to `per_hour`, and add the same
    amounts to the daily rollup in the same write: a day is always exactly the sum of its hours."""
    keys = [hour_key(hour) for hour in hours]
    columns = [_spread(amount, per_hour) for amount in per_line]
    insert_hour_rows(conn, _rows(team_id, keys, columns))
    days: dict[str, range] = {}  # the hours are consecutive: each day is a slice of them
    for slot, key in enumerate(keys):
        days[key[:10]] = range(days[key[:10]].start if key[:10] in days else slot, slot + 1)
    conn.executemany(
        "INSERT INTO usage (team_id, day, line, micros) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (team_id, day, line) DO UPDATE SET micros = micros + excluded.micros",
        [(team_id, day, line, micros) for day, span in days.items()
         for line, column in enumerate(columns) if (micros := sum(column[span.start:span.stop]))],
    )


def hour_rows(team_id: str, hours: list[datetime], per_hour: list[int], per_line: list[int]) -> list[tuple]:
    """`usage_hours` rows (team_id, hour key, micros of line 0, line 1, …): each line's amount
    spread over `hours` in proportion to `per_hour`, exactly (no micro-dollar lost)."""
    return _rows(team_id, [hour_key(hour) for hour in hours], [_spread(amount, per_hour) for amount in per_line])


def _rows(team_id: str, keys: list[str], columns: list[list[int]]) -> list[tuple]:
    return [(team_id, key, *parts) for key, *parts in zip(keys, *columns, strict=True) if any(parts)]


def insert_hour_rows(conn: sqlite3.Connection, rows: list[tuple]) -> None:
    """Add `hour_rows` to `usage_hours` (adding to an hour that already has usage)."""
    if not rows:
        return
    lines = len(rows[0]) - 2
    columns = ", ".join(f"line{i}" for i in range(lines))
    added = ", ".join(f"line{i} = line{i} + excluded.line{i}" for i in range(lines))
    conn.executemany(
        f"INSERT INTO usage_hours (team_id, hour, {columns}) VALUES (?, ?{', ?' * lines})"
        f" ON CONFLICT (team_id, hour) DO UPDATE SET {added}",
        rows,
    )


def _spread(amount: int, weights: list[int]) -> list[int]:
    """`amount` in parts proportional to `weights`, rounded cumulatively: they add up to `amount`."""
    total = sum(weights)
    if amount <= 0:
        return [0] * len(weights)
    if total <= 0:  # nothing to weigh by: all in the first, never lost
        return [amount] + [0] * (len(weights) - 1)
    out, running, before = [], 0, 0
    for weight in weights:
        running += weight
        upto = amount * running // total
        out.append(upto - before)
        before = upto
    return out


def close_cycle(conn: sqlite3.Connection, team_id: str, last_instant: datetime, closed_at: datetime) -> None:
    """Post the month's SPEND row and issue its monthly invoice (once).

    The invoice lists all of the month's usage; what prepaid credit covered is its
    `prepaidTokensToSpend`, and subtotal/total are what is left to charge, so
    sum(lines) == subtotal + prepaidTokensToSpend [C].
    """
    year, month = last_instant.year, last_instant.month
    exists = conn.execute(
        "SELECT 1 FROM invoices WHERE team_id = ? AND kind = 'monthly' AND cycle_year = ? AND cycle_month = ?",
        (team_id, year, month),
    ).fetchone()
    if exists:
        return
    state = cycle_state(conn, team_id, last_instant)
    if state.used:
        conn.execute(
            "INSERT INTO ledger (team_id, origin, amount, create_time, spend_year, spend_month)"
            " VALUES (?, 'SPEND', ?, ?, ?, ?)",
            (team_id, state.used, ts(closed_at + timedelta(minutes=5)), year, month),
        )
    total = state.beyond
    attempts: list[dict] = []
    status = "WILL_NEVER_BE_CHARGED"  # fully covered by prepaid credit: nothing to charge [C]
    if total > 0:
        pm = default_payment_method(conn, team_id)
        paid = pm is not None and card_usable(pm, closed_at)
        status = "PAID" if paid else "FAILED"
        attempts.append({"ticket": 0, "successful": paid, "paymentMethodId": pm["payment_method_id"] if pm else ""})
    seed = f"{team_id}/monthly/{year}-{month}"
    conn.execute(
        "INSERT INTO invoices (invoice_id, team_id, invoice_number, kind, create_time, status, cycle_year,"
        " cycle_month, subtotal, tax, total, prepaid_used, lines, attempts, issued_to)"
        " VALUES (?, ?, ?, 'monthly', ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?)",
        (
            invoice_id(seed), team_id, invoice_number(seed), ts(closed_at + timedelta(hours=4)), status,
            year, month, total, total, state.used, json.dumps(state.lines), json.dumps(attempts),
            billing_info_json(conn, team_id),
        ),
    )


def settle_transfers(conn: sqlite3.Connection, team_id: str, at: datetime) -> None:
    rows = conn.execute(
        "SELECT * FROM ledger WHERE team_id = ? AND status = 'TO_CHARGE' AND settle_time <= ?", (team_id, ts(at))
    ).fetchall()
    for row in rows:
        conn.execute("UPDATE ledger SET status = 'SUCCEEDED' WHERE id = ?", (row["id"],))
        create_prepaid_invoice(conn, row["id"], team_id, -row["amount"], row["payment_method_id"], parse_ts(row["settle_time"]), paid=True)
        audit(conn, team_id, at, f"Bank transfer of ${-row['amount'] / 100:,.2f} was received: credits granted", "billing@x.ai")


def maybe_auto_top_up(conn: sqlite3.Connection, team_id: str, at: datetime) -> None:
    team = team_row(conn, team_id)
    if not team["auto_enabled"]:
        return
    settings = auto_settings(team)
    reason = None
    # One more round than the daily limit, so the refused sixth is recorded as the reason.
    for _ in range(billing.MAX_AUTO_TOP_UPS_PER_24H + 1):
        if cycle_state(conn, team_id, at).live >= settings.threshold.val:
            break
        used, recent = auto_counters(conn, team_id, at)
        reason = billing.auto_top_up_blocked_reason(settings, used, recent)
        if reason:
            break
        pm = default_payment_method(conn, team_id)
        ledger_id = charge(conn, team_id, "AUTO_PURCHASE", settings.amount.val, pm, at)
        ok = conn.execute("SELECT status FROM ledger WHERE id = ?", (ledger_id,)).fetchone()[0] == "SUCCEEDED"
        audit(conn, team_id, at, f"Auto top-up of ${settings.amount.val / 100:,.2f} was "
              f"{'charged' if ok else 'declined: the card could not be charged'}", "auto-top-up@x.ai")
        if not ok:
            reason = "The default payment method could not be charged"
            break
    conn.execute("UPDATE teams SET auto_blocked_reason = ? WHERE team_id = ?", (reason, team_id))
