"""SQLite state of the sandbox: schema, connection and transactions. All money in integer cents
(usage in integer micro-dollars so slow accrual never loses fractions of a cent).

The schema version is SQLite's `user_version`. Databases from before it (version 0) kept usage
per day only; opening one adds the hourly table and fills it from the days (see `_migrate`).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

from xconsole.sandbox import simulation as sim
from xconsole.sandbox.catalogue import CATALOGUE

#: The per-line columns of `usage_hours`, in catalogue order.
LINE_COLUMNS = tuple(f"line{i}" for i in range(len(CATALOGUE)))

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE IF NOT EXISTS teams (
    team_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    position INTEGER NOT NULL,
    billing_info TEXT NOT NULL,            -- BillingInfo wire JSON
    invoiced_billing TEXT NOT NULL DEFAULT 'DISABLED',
    hard_limit INTEGER NOT NULL DEFAULT 0, -- hardSlAuto, cents
    soft_limit INTEGER,                    -- softSl, cents; NULL = never set ($0)
    auto_enabled INTEGER NOT NULL DEFAULT 0,
    auto_threshold INTEGER NOT NULL DEFAULT 0,
    auto_amount INTEGER NOT NULL DEFAULT 0,
    auto_monthly_limit INTEGER NOT NULL DEFAULT 0,
    auto_blocked_reason TEXT,
    spend_rate_micros_per_hour INTEGER NOT NULL DEFAULT 0,
    mix TEXT NOT NULL DEFAULT '[]',        -- JSON multipliers on catalogue weights
    accrued_until TEXT NOT NULL            -- RFC 3339: usage is simulated up to here
);

CREATE TABLE IF NOT EXISTS management_keys (
    secret TEXT PRIMARY KEY,
    api_key_id TEXT NOT NULL,
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    name TEXT NOT NULL,
    acls TEXT NOT NULL,                    -- JSON list
    scope TEXT NOT NULL DEFAULT 'SCOPE_TEAM',
    create_time TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS payment_methods (
    payment_method_id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    payment_type TEXT NOT NULL,            -- card | us_bank_account
    brand TEXT NOT NULL DEFAULT '',
    bank_name TEXT NOT NULL DEFAULT '',
    routing_number TEXT NOT NULL DEFAULT '',
    last4 TEXT NOT NULL,
    exp_month INTEGER NOT NULL DEFAULT 0,
    exp_year INTEGER NOT NULL DEFAULT 0,
    is_default INTEGER NOT NULL DEFAULT 0,
    added_ts TEXT NOT NULL,
    billing_info TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS pending_payment_methods (
    team_id TEXT PRIMARY KEY REFERENCES teams(team_id),
    verification_url TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS ledger (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    origin TEXT NOT NULL,                  -- PURCHASE | SPEND | REFUND | MANUAL | AUTO_PURCHASE
    status TEXT,                           -- topupStatus, only on top-ups
    amount INTEGER NOT NULL,               -- wire sign: credit negative, spend positive
    create_time TEXT NOT NULL,
    settle_time TEXT,                      -- bank transfers: when the credit is granted
    method TEXT,                           -- CARD | BANK_TRANSFER
    payment_method_id TEXT,
    invoice_id TEXT,
    invoice_number TEXT,
    spend_year INTEGER,
    spend_month INTEGER,
    processor TEXT,
    idempotency_key TEXT,
    UNIQUE (team_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS ledger_team ON ledger(team_id, create_time);

CREATE TABLE IF NOT EXISTS invoices (
    invoice_id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    invoice_number TEXT NOT NULL,
    kind TEXT NOT NULL,                    -- monthly | prepaid
    create_time TEXT NOT NULL,
    status TEXT NOT NULL,
    cycle_year INTEGER,
    cycle_month INTEGER,
    subtotal INTEGER NOT NULL,
    tax INTEGER NOT NULL,
    total INTEGER NOT NULL,
    prepaid_used INTEGER NOT NULL DEFAULT 0,
    lines TEXT NOT NULL,                   -- JSON list of wire lines
    attempts TEXT NOT NULL,                -- JSON list of wire charger attempts
    issued_to TEXT NOT NULL                -- BillingInfo snapshot: never regenerated
);
CREATE INDEX IF NOT EXISTS invoices_team ON invoices(team_id, create_time);

-- Usage per UTC hour: what TIME_UNIT_HOUR answers come from. One row an hour with a column per
-- invoice line (`line<i>` = catalogue.CATALOGUE[i], micro-dollars): a year of a team is 8,760 rows
-- rather than 70,000, which keeps seeding and a 28-day read cheap. A new catalogue line needs a
-- schema version that adds its column.
CREATE TABLE IF NOT EXISTS usage_hours (
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    hour TEXT NOT NULL,                    -- YYYY-MM-DDTHH (UTC)
    {line_columns},
    PRIMARY KEY (team_id, hour)
) WITHOUT ROWID;

-- The same usage rolled up per UTC day, written together with its hours (simulation.record_usage):
-- cycle totals, invoices and day/week/month answers read a month as 31 rows, not 744.
CREATE TABLE IF NOT EXISTS usage (
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    day TEXT NOT NULL,                     -- YYYY-MM-DD (UTC)
    line INTEGER NOT NULL,                 -- index into catalogue.CATALOGUE
    micros INTEGER NOT NULL,               -- micro-dollars
    PRIMARY KEY (team_id, day, line)
);

CREATE TABLE IF NOT EXISTS promo_codes (
    code TEXT PRIMARY KEY,
    credit INTEGER NOT NULL,
    expires TEXT                           -- RFC 3339 or NULL
);
CREATE TABLE IF NOT EXISTS promo_redemptions (
    code TEXT NOT NULL REFERENCES promo_codes(code),
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    redeemed_at TEXT NOT NULL,
    PRIMARY KEY (code, team_id)
);

CREATE TABLE IF NOT EXISTS api_keys (
    api_key_id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    secret TEXT NOT NULL,
    name TEXT NOT NULL,
    user_id TEXT NOT NULL,
    acls TEXT NOT NULL,
    qps INTEGER, qpm INTEGER, tpm INTEGER,
    disabled INTEGER NOT NULL DEFAULT 0,
    expire_time TEXT,
    create_time TEXT NOT NULL,
    modify_time TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS audit_events (
    event_id TEXT PRIMARY KEY,
    team_id TEXT NOT NULL REFERENCES teams(team_id),
    event_time TEXT NOT NULL,
    description TEXT NOT NULL,
    user_email TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_team ON audit_events(team_id, event_time);
""".replace("{line_columns}", ",\n    ".join(f"{column} INTEGER NOT NULL DEFAULT 0" for column in LINE_COLUMNS))


#: 1: usage kept per UTC hour (`usage_hours`) besides the daily rollup. 0: days only.
SCHEMA_VERSION = 1


def _hours_from_days(conn: sqlite3.Connection) -> None:
    """Version 0 -> 1: give every day of usage its hours (a fresh database has none: no-op).

    Each day's amount per line is spread over its UTC hours with the simulation's hour weights,
    up to the moment the team was simulated to (the last day is partial), so a day still adds up
    to exactly what it was and an old history gets the same daily shape as new usage. A day at
    or after that moment (none should exist) keeps its whole amount in hour 00.
    """
    until = {row[0]: sim.parse_ts(row[1]) for row in conn.execute("SELECT team_id, accrued_until FROM teams")}
    days: dict[tuple[str, str], list[int]] = {}
    for team_id, day, line, micros in conn.execute("SELECT team_id, day, line, micros FROM usage"):
        days.setdefault((team_id, day), [0] * len(CATALOGUE))[line] += micros
    rows = []
    for (team_id, day), per_line in sorted(days.items()):
        start = datetime.fromisoformat(day).replace(tzinfo=timezone.utc)
        end = min(start + timedelta(days=1), until.get(team_id, start))
        pieces = sim.hour_pieces(start, end, weekly=False) or [(start, 1)]
        rows += sim.hour_rows(team_id, [hour for hour, _w in pieces], [weight for _h, weight in pieces], per_line)
    sim.insert_hour_rows(conn, rows)


class Store:
    """One SQLite connection shared by the app's threads, serialised by a lock.

    Writes go through `tx()`, which holds the lock and a `BEGIN IMMEDIATE` transaction, so two
    requests (or two processes on one file) can never interleave a read-modify-write of money.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
        self._conn.row_factory = sqlite3.Row
        self._lock = threading.RLock()
        self._depth = 0
        with self._lock:
            self._conn.execute("PRAGMA foreign_keys = ON")
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.executescript(SCHEMA)
        self._migrate()

    def copy_to(self, other: Store) -> None:
        """Everything in this database copied over `other`'s (SQLite's backup API): a seeded
        sandbox cloned in milliseconds instead of seeded again."""
        with self._lock, other._lock:
            self._conn.backup(other._conn)

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        """A write transaction; nested calls join the outer one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._conn
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def _migrate(self) -> None:
        """Bring a database from an older xconsole up to SCHEMA_VERSION, once, whoever opens it
        first: checked and done in one write transaction, so two processes cannot both do it."""
        with self.tx() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return  # current, or written by a newer xconsole: left as it is
            if version < 1:
                _hours_from_days(conn)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def is_empty(self) -> bool:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM teams").fetchone()[0] == 0

    def close(self) -> None:
        with self._lock:
            self._conn.close()
