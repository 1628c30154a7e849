"""Demo data: believable teams with 13 months of history, generated deterministically.

History is not drawn by hand: each team is created 13 months before `now` and the simulation
itself runs forward (a day at a time) while a small policy plays the team's admin — buying
credits, paying by bank transfer once, redeeming a promo code — so ledgers, invoices, usage and
auto top-ups are consistent with the same rules the live sandbox enforces. Same seed and same
`now`, same numbers.

Each day's usage lands in its UTC hours with the simulation's hour weights (quiet nights, busy
working hours), so hourly usage reads have a real hour-of-week shape to fit: the demo teams'
days keep their weekday/weekend dip, trend and noise from the policy below; the extra teams spend
at a steady rate under the live sandbox's whole weekly shape.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from xconsole.sandbox import keys as key_acls
from xconsole.sandbox import simulation as sim
from xconsole.sandbox.store import Store

HISTORY_MONTHS = 13
SEED_STEP = timedelta(days=1)
LARGE_TEAM_INVOICES = 10_000


@dataclass
class DemoTeam:
    name: str
    slug: str
    dollars_per_day: float
    billing: dict
    mix: list[int] = field(default_factory=list)
    invoiced: str = "DISABLED"
    hard_limit: int = 0
    soft_limit: int | None = None
    auto: tuple[int, int, int] | None = None  # threshold, amount, monthly limit (cents)


def _billing(name: str, email: str, line1: str, city: str, state: str, postal: str, country: str,
             tax_type: str = "", tax_number: str = "") -> dict:
    return {
        "name": name, "email": email,
        "address": {"line1": line1, "line2": "", "city": city, "state": state, "postalCode": postal, "country": country},
        "taxIdType": tax_type, "taxNumber": tax_number,
    }


DEMO_TEAMS = (
    DemoTeam(
        "Lumen Labs", "lumen", 17.0,
        _billing("Lumen Labs LLC", "ap@lumenlabs.example", "500 Howard St", "San Francisco", "CA", "94105", "US", "us_ein", "84-1234567"),
        mix=[1, 1, 2, 2, 1, 1, 1, 1], auto=(5_000, 10_000, 60_000),
    ),
    DemoTeam(
        "Orbit Robotics", "orbit", 3.2,
        _billing("Orbit Robotics GmbH", "finance@orbit.example", "Torstrasse 49", "Berlin", "", "10119", "DE", "eu_vat", "DE123456789"),
        mix=[1, 1, 1, 1, 3, 3, 0, 1],
    ),
    DemoTeam(
        "Helix Health", "helix", 58.0,
        _billing("Helix Health Inc.", "billing@helixhealth.example", "1 Kendall Sq", "Cambridge", "MA", "02139", "US"),
        mix=[3, 3, 1, 1, 1, 1, 2, 2], invoiced="ENABLED", hard_limit=500_000, soft_limit=200_000,
    ),
)

PROMO_CODES = (("WELCOME25", 2_500, 365), ("GROK100", 10_000, None), ("SPRING10", 1_000, 365), ("EXPIRED2024", 2_000, -300))


def team_id_for(seed: int, slug: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f"{slug}.seed{seed}.sandbox.xconsole"))


def management_key_for(seed: int, slug: str, role: str = "admin") -> str:
    digest = hashlib.sha256(f"xconsole-sandbox/{seed}/{slug}/{role}".encode()).hexdigest()
    return f"xai-sbx-{digest[:40]}"


def seed_demo(store: Store, now: datetime, *, seed: int = 0, large: bool = False, teams: int = 0) -> None:
    """Fill an empty store with the demo teams (and the 10,000-invoice team when `large`), plus
    plain extra teams up to `teams` in all (admins of many teams: `sandbox serve --teams 200`)."""
    with store.tx() as conn:
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('seed', ?), ('seeded_at', ?)", (str(seed), sim.ts(now)))
        for code, credit, days in PROMO_CODES:
            expires = sim.ts(now + timedelta(days=days)) if days is not None else None
            conn.execute("INSERT INTO promo_codes (code, credit, expires) VALUES (?, ?, ?)", (code, credit, expires))
        for position, team in enumerate(DEMO_TEAMS):
            _seed_team(conn, team, position, now, seed)
        if large:
            _seed_large_team(conn, now, seed, position=len(DEMO_TEAMS))
        for index in range(1, max(0, teams - len(DEMO_TEAMS)) + 1):
            _seed_extra_team(conn, index, now, seed, position=len(DEMO_TEAMS) + 1 + index)


def _insert_team(conn: sqlite3.Connection, team: DemoTeam, team_id: str, position: int, start: datetime, seed: int) -> None:
    threshold, amount, limit = team.auto or (0, 0, 0)
    conn.execute(
        "INSERT INTO teams (team_id, name, position, billing_info, invoiced_billing, hard_limit, soft_limit, auto_enabled,"
        " auto_threshold, auto_amount, auto_monthly_limit, spend_rate_micros_per_hour, mix, accrued_until)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (team_id, team.name, position, json.dumps(team.billing), team.invoiced, team.hard_limit, team.soft_limit,
         int(team.auto is not None), threshold, amount, limit, int(team.dollars_per_day * 1_000_000 / 24),
         json.dumps(team.mix), sim.ts(start)),
    )
    for role, acls in (("admin", key_acls.ALL_ACLS), ("viewer", key_acls.READ_ONLY_ACLS)):
        conn.execute(
            "INSERT INTO management_keys (secret, api_key_id, team_id, name, acls, create_time) VALUES (?, ?, ?, ?, ?, ?)",
            (management_key_for(seed, team.slug, role), str(uuid.uuid5(uuid.NAMESPACE_URL, f"{team_id}/{role}")), team_id,
             f"xconsole-{role}", json.dumps(acls), sim.ts(start)),
        )


def _add_card(conn: sqlite3.Connection, team_id: str, brand: str, last4: str, exp: tuple[int, int], added: datetime,
              *, default: bool) -> sqlite3.Row:
    pm_id = "pm_" + hashlib.sha256(f"{team_id}/{last4}".encode()).hexdigest()[:20]
    if default:
        conn.execute("UPDATE payment_methods SET is_default = 0 WHERE team_id = ?", (team_id,))
    conn.execute(
        "INSERT INTO payment_methods (payment_method_id, team_id, payment_type, brand, last4, exp_month, exp_year,"
        " is_default, added_ts, billing_info) VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?, ?)",
        (pm_id, team_id, brand, last4, exp[1], exp[0], int(default), sim.ts(added), sim.billing_info_json(conn, team_id)),
    )
    return conn.execute("SELECT * FROM payment_methods WHERE payment_method_id = ?", (pm_id,)).fetchone()


def _add_bank(conn: sqlite3.Connection, team_id: str, bank: str, last4: str, added: datetime) -> None:
    conn.execute(
        "INSERT INTO payment_methods (payment_method_id, team_id, payment_type, bank_name, routing_number, last4,"
        " is_default, added_ts, billing_info) VALUES (?, ?, 'us_bank_account', ?, '110000000', ?, 0, ?, ?)",
        ("pm_" + hashlib.sha256(f"{team_id}/bank/{last4}".encode()).hexdigest()[:20], team_id, bank, last4,
         sim.ts(added), sim.billing_info_json(conn, team_id)),
    )


def _seed_team(conn: sqlite3.Connection, team: DemoTeam, position: int, now: datetime, seed: int) -> None:
    rng = random.Random(f"{seed}/{team.slug}")
    team_id = team_id_for(seed, team.slug)
    start = sim.month_start(now)
    for _ in range(HISTORY_MONTHS):
        start = sim.month_start(start - timedelta(days=1))
    _insert_team(conn, team, team_id, position, start, seed)
    base_rate = int(team.dollars_per_day * 1_000_000 / 24)
    policy = _POLICIES[team.slug](conn, team_id, start, now, rng)

    def before_step(conn: sqlite3.Connection, t: datetime) -> None:
        # Weekdays busier than weekends, and a gentle upward trend over the year.
        trend = 0.75 + 0.25 * (t - start).days / (now - start).days
        weekday = 1.0 if t.weekday() < 5 else 0.55
        noise = rng.uniform(0.8, 1.2)
        conn.execute("UPDATE teams SET spend_rate_micros_per_hour = ? WHERE team_id = ?",
                     (int(base_rate * trend * weekday * noise), team_id))
        policy(t)

    # Simulate whole days in the past, then the last partial day at the live hourly step. The
    # days' rates carry their weekend dip already (above): the simulation only shapes their hours.
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sim.advance(conn, team_id, today, step=SEED_STEP, before_step=before_step, catch_up=None, weekly=False)
    if team.slug != "orbit":
        conn.execute("UPDATE teams SET spend_rate_micros_per_hour = ? WHERE team_id = ?", (base_rate, team_id))
    sim.advance(conn, team_id, now)
    _seed_api_keys(conn, team_id, start, rng)


def _demand_until(rate: int, t: datetime, now: datetime) -> int:
    """Micro-dollars a team at `rate` spends from `t` to `now` as `_seed_team` simulates it: whole
    days without the weekday weights (the policy sets each day's rate), today as the live sandbox."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return sim.demand_micros(rate, t, today, weekly=False) + sim.demand_micros(rate, today, now)


def _live(conn: sqlite3.Connection, team_id: str, t: datetime) -> int:
    return sim.cycle_state(conn, team_id, t).live


def _lumen(conn: sqlite3.Connection, team_id: str, start: datetime, now: datetime, rng: random.Random) -> Callable[[datetime], None]:
    card = _add_card(conn, team_id, "visa", "4242", (2029, 8), start, default=True)
    # A second card that expires within 60 days of `now`: the UI must flag it.
    soon = sim.next_month(now)
    _add_card(conn, team_id, "mastercard", "4444", (soon.year, soon.month), start + timedelta(days=40), default=False)
    sim.charge(conn, team_id, "PURCHASE", 30_000, card, start)
    done: set[str] = set()

    def policy(t: datetime) -> None:
        if "transfer" not in done and t >= now - timedelta(days=190):
            done.add("transfer")
            sim.charge(conn, team_id, "PURCHASE", 50_000, None, t, bank_transfer=True)
        if "promo" not in done and t >= now - timedelta(days=240):
            done.add("promo")
            conn.execute("INSERT INTO promo_redemptions (code, team_id, redeemed_at) VALUES ('SPRING10', ?, ?)", (team_id, sim.ts(t)))
            conn.execute("INSERT INTO ledger (team_id, origin, amount, create_time, processor) VALUES (?, 'MANUAL', -1000, ?, 'MANUAL')", (team_id, sim.ts(t)))
            sim.audit(conn, team_id, t, "Promo code SPRING10 was redeemed: $10.00 in credits")

    return policy


def _orbit(conn: sqlite3.Connection, team_id: str, start: datetime, now: datetime, rng: random.Random) -> Callable[[datetime], None]:
    card = _add_card(conn, team_id, "amex", "0005", (2028, 3), start, default=True)
    conn.execute("INSERT INTO pending_payment_methods (team_id, verification_url) VALUES (?, ?)",
                 (team_id, f"https://payments.sandbox.example/verify/{team_id[:8]}"))
    sim.charge(conn, team_id, "PURCHASE", 5_000, card, start)
    # 50 days: long enough that the last purchase is always at least the $25 minimum.
    last_buy = (now - timedelta(days=50)).replace(hour=0, minute=0, second=0, microsecond=0)
    final_rate = int(2.8 * 1_000_000 / 24)
    done: set[str] = set()

    def policy(t: datetime) -> None:
        if t < last_buy and _live(conn, team_id, t) < 800:
            sim.charge(conn, team_id, "PURCHASE", rng.choice((2_500, 5_000, 5_000, 10_000)), card, t)
        if "refund" not in done and t >= now - timedelta(days=120):
            done.add("refund")
            conn.execute("INSERT INTO ledger (team_id, origin, amount, create_time, processor) VALUES (?, 'REFUND', -500, ?, 'STRIPE')", (team_id, sim.ts(t)))
        if t >= last_buy:
            # A steady last stretch and one last purchase sized to leave about $4 now: the
            # demo's nearly-out team, whose requests are rejected when credit runs out ($0 limit).
            conn.execute("UPDATE teams SET spend_rate_micros_per_hour = ? WHERE team_id = ?", (final_rate, team_id))
            if "final" not in done:
                done.add("final")
                need = _demand_until(final_rate, t, now) // 10_000 + 400 - _live(conn, team_id, t)
                sim.charge(conn, team_id, "PURCHASE", max(2_500, (need + 99) // 100 * 100), card, t)

    return policy


def _helix(conn: sqlite3.Connection, team_id: str, start: datetime, now: datetime, rng: random.Random) -> Callable[[datetime], None]:
    # The old default card expired last month, so last month's invoice failed to charge; the admin
    # then added a new default card. The failed invoice stays failed (never regenerated).
    expired = sim.month_start(now) - timedelta(days=1)
    card = _add_card(conn, team_id, "visa", "1881", (expired.year, expired.month), start, default=True)
    _add_bank(conn, team_id, "Chase", "6789", start + timedelta(days=20))
    sim.charge(conn, team_id, "PURCHASE", 100_000, card, start)
    done: set[str] = set()
    replaced_at = min(now - timedelta(hours=1), sim.month_start(now) + timedelta(days=2))

    def policy(t: datetime) -> None:
        if "new-card" not in done and t >= replaced_at:
            done.add("new-card")
            _add_card(conn, team_id, "mastercard", "5100", (2028, 11), t, default=True)
            sim.audit(conn, team_id, t, "Payment method Mastercard ··5100 was created")
            sim.audit(conn, team_id, t, "Default payment method was updated from Visa ··1881 to Mastercard ··5100")

    return policy


_POLICIES = {"lumen": _lumen, "orbit": _orbit, "helix": _helix}


def _seed_api_keys(conn: sqlite3.Connection, team_id: str, start: datetime, rng: random.Random) -> None:
    for index, (name, acls) in enumerate(
        (("production", ["api-key:endpoint:*", "api-key:model:*"]),
         ("ci-runner", ["api-key:endpoint:chat", "api-key:model:grok-4-fast-non-reasoning"]),
         ("notebook", ["api-key:endpoint:chat", "api-key:model:grok-code-fast-1"]))
    ):
        created = start + timedelta(days=3 + index * 40)
        key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{team_id}/apikey/{name}"))
        secret = "xai-" + hashlib.sha256(f"{key_id}/inference".encode()).hexdigest()[:48]
        conn.execute(
            "INSERT INTO api_keys (api_key_id, team_id, secret, name, user_id, acls, qps, qpm, tpm, disabled, create_time,"
            " modify_time) VALUES (?, ?, ?, ?, 'sandbox-admin', ?, ?, ?, ?, ?, ?, ?)",
            (key_id, team_id, secret, name, json.dumps(acls), 5 if index else None, 100 if index else None,
             200_000 if index == 1 else None, int(index == 2), sim.ts(created), sim.ts(created)),
        )
        sim.audit(conn, team_id, created, f"API key '{name}' was created")


#: Days of history an extra team gets: enough for a 7-day runway and a month's spend, quick to seed.
EXTRA_TEAM_DAYS = 35


def _seed_extra_team(conn: sqlite3.Connection, index: int, now: datetime, seed: int, position: int) -> None:
    """One of many plain teams: a card, a first purchase, a steady spend; some with auto top-up."""
    rng = random.Random(f"{seed}/extra/{index}")
    auto = (5_000, 10_000, 100_000) if index % 3 == 0 else None
    team = DemoTeam(f"Extra Team {index:03d}", f"extra{index:03d}", round(rng.uniform(1.0, 40.0), 2),
                    _billing(f"Extra Team {index:03d} Inc.", f"billing@extra{index:03d}.example", f"{index} Main St",
                             "Springfield", "IL", "62701", "US"),
                    mix=[rng.randint(0, 3) for _ in range(8)], auto=auto)
    team_id = team_id_for(seed, team.slug)
    start = (now - timedelta(days=EXTRA_TEAM_DAYS)).replace(hour=0, minute=0, second=0, microsecond=0)
    _insert_team(conn, team, team_id, position, start, seed)
    card = _add_card(conn, team_id, "visa", f"{4000 + index % 6000:04d}", (2030, 1 + index % 12), start, default=True)
    # Enough credit for a runway from a few days to a few months at its rate.
    days = rng.choice((4, 12, 40, 90, 150))
    sim.charge(conn, team_id, "PURCHASE", max(2_500, int(team.dollars_per_day * (EXTRA_TEAM_DAYS + days)) * 100), card, start)
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sim.advance(conn, team_id, today, step=SEED_STEP, catch_up=None)
    sim.advance(conn, team_id, now)


def _seed_large_team(conn: sqlite3.Connection, now: datetime, seed: int, position: int) -> None:
    """A team with 10,000 prepaid invoices, for benchmarks of the Invoices screen."""
    team = DemoTeam("Megacorp (10k invoices)", "megacorp", 0.0,
                    _billing("Megacorp Ltd", "ap@megacorp.example", "1 Canada Sq", "London", "", "E14 5AB", "GB"))
    team_id = team_id_for(seed, team.slug)
    start = now - timedelta(days=400)
    _insert_team(conn, team, team_id, position, start, seed)
    card = _add_card(conn, team_id, "visa", "4242", (2030, 1), start, default=True)
    span = (now - start).total_seconds()
    info = sim.billing_info_json(conn, team_id)
    rng = random.Random(f"{seed}/megacorp")
    ledger, invoices = [], []
    for n in range(LARGE_TEAM_INVOICES):
        at = start + timedelta(seconds=span * n / LARGE_TEAM_INVOICES)
        cents = rng.choice((2_500, 5_000, 10_000, 25_000))
        inv_seed = f"{team_id}/prepaid/bulk/{n}"
        inv_id, number = sim.invoice_id(inv_seed), sim.invoice_number(inv_seed)
        line = {"clusterName": "", "description": "API credits purchase", "unitType": "Prepaid credits",
                "unitPrice": "100000000", "numUnits": str(cents), "amount": str(cents)}
        status = "FAILED" if n % 97 == 0 else "PAID"
        attempts = [{"ticket": 0, "successful": status == "PAID", "paymentMethodId": card["payment_method_id"]}]
        invoices.append((inv_id, team_id, number, sim.ts(at), status, cents, cents, json.dumps([line]), json.dumps(attempts), info))
        ledger.append((team_id, "PURCHASE", "SUCCEEDED" if status == "PAID" else "FAILED_TO_CHARGE", -cents, sim.ts(at),
                       "CARD", card["payment_method_id"], inv_id, number))
    conn.executemany(
        "INSERT INTO invoices (invoice_id, team_id, invoice_number, kind, create_time, status, subtotal, tax, total, lines,"
        " attempts, issued_to) VALUES (?, ?, ?, 'prepaid', ?, ?, ?, 0, ?, ?, ?, ?)",
        invoices,
    )
    conn.executemany(
        "INSERT INTO ledger (team_id, origin, status, amount, create_time, method, payment_method_id, invoice_id,"
        " invoice_number, processor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'STRIPE')",
        ledger,
    )
    # No usage: this team exists to stress invoice listing.
    conn.execute("UPDATE teams SET accrued_until = ? WHERE team_id = ?", (sim.ts(now), team_id))
