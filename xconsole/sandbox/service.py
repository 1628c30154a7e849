"""The sandbox's billing operations: one method per endpoint, each a transaction that first brings
the team's simulation up to the clock, then reads or changes state and returns wire models.

Console rules (design.md 4) are enforced here, with the wording of core.billing.
"""

from __future__ import annotations

import functools
import json
import re
import secrets
import sqlite3
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from xconsole.core import billing, cards, models
from xconsole.core.money import MAX_INPUT_CENTS, format_cents
from xconsole.sandbox import simulation as sim
from xconsole.sandbox.catalogue import CATALOGUE
from xconsole.sandbox.clock import Clock
from xconsole.sandbox.errors import SandboxError, bad_request, conflict, not_found
from xconsole.sandbox.store import Store

PROMO_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,31}$")
#: Buckets per usage request (see `BillingService.usage`): our choice [C], the reference has none.
MAX_USAGE_BUCKETS = 400
#: Hourly: 31 days of hours, so 28 days (672, what the forecast reads) or any month is ONE request.
MAX_HOURLY_BUCKETS = 31 * 24
USAGE_UNITS = (models.TimeUnit.TIME_UNIT_HOUR, models.TimeUnit.TIME_UNIT_DAY, models.TimeUnit.TIME_UNIT_CALENDAR_WEEK,
               models.TimeUnit.TIME_UNIT_MONTH, models.TimeUnit.TIME_UNIT_NONE)
_STEPS = {models.TimeUnit.TIME_UNIT_HOUR: timedelta(hours=1), models.TimeUnit.TIME_UNIT_DAY: timedelta(days=1),
          models.TimeUnit.TIME_UNIT_CALENDAR_WEEK: timedelta(days=7)}
UTC = ZoneInfo("UTC")


def _check_cents(value: int, field: str, *, minimum: int = 0) -> None:
    if value < minimum:
        raise bad_request(
            f"{field} must be at least {format_cents(minimum)}" if minimum else f"{field} cannot be negative", field
        )
    if value > MAX_INPUT_CENTS:
        raise bad_request(f"{field} is too large (at most {format_cents(MAX_INPUT_CENTS)})", field)


class BillingService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # ------------------------------------------------------------------ plumbing

    def _open(self, conn: sqlite3.Connection, team_id: str) -> tuple[sqlite3.Row, datetime]:
        now = self.clock.now()
        sim.advance(conn, team_id, now)
        team = sim.team_row(conn, team_id)
        if team is None:
            raise not_found(f"Team {team_id} not found")
        return team, now

    def sync_all(self) -> None:
        """Advance every team to now (used by the admin clock route)."""
        with self.store.tx() as conn:
            now = self.clock.now()
            for (team_id,) in conn.execute("SELECT team_id FROM teams").fetchall():
                sim.advance(conn, team_id, now)

    # ------------------------------------------------------------------ billing info

    def get_billing_info(self, team_id: str) -> models.BillingInfo:
        with self.store.tx() as conn:
            team, _ = self._open(conn, team_id)
            return models.BillingInfo.model_validate_json(team["billing_info"])

    def set_billing_info(self, team_id: str, info: models.BillingInfo, *, actor: str = sim.DEFAULT_ACTOR) -> None:
        from xconsole.core.billing_info import problems, wire_field

        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)  # someone else's team: 404 before any validation
            for field, message in problems(info).items():
                raise bad_request(message, wire_field(field))  # the first one, naming its field
            # Only the team's current details change; issued invoices keep their snapshot.
            conn.execute("UPDATE teams SET billing_info = ? WHERE team_id = ?", (info.model_dump_json(by_alias=True), team_id))
            before = models.BillingInfo.model_validate_json(team["billing_info"])
            sim.audit(conn, team_id, now, f"Billing information was updated{_billing_changes(before, info)}", actor)

    # ------------------------------------------------------------------ invoices

    def list_invoices(
        self,
        team_id: str,
        *,
        cycle: tuple[int, int] | None = None,
        since: tuple[int, int] | None = None,
        invoice_ids: list[str] | None = None,
    ) -> list[dict]:
        if sum(1 for group in (cycle, since, invoice_ids) if group) > 1:
            raise bad_request("Use at most one filter: billingCycle, since or invoiceIds")
        query = "SELECT * FROM invoices WHERE team_id = ?"
        args: list = [team_id]
        period = "CASE WHEN cycle_year IS NULL THEN substr(create_time, 1, 7) ELSE printf('%04d-%02d', cycle_year, cycle_month) END"
        if cycle:
            query += f" AND {period} = ?"
            args.append(f"{cycle[0]:04d}-{cycle[1]:02d}")
        if since:
            query += f" AND {period} >= ?"
            args.append(f"{since[0]:04d}-{since[1]:02d}")
        if invoice_ids:
            query += f" AND invoice_id IN ({','.join('?' * len(invoice_ids))})"
            args += invoice_ids
        query += " ORDER BY create_time DESC, invoice_id"
        with self.store.tx() as conn:
            self._open(conn, team_id)
            return [_invoice_wire(row) for row in conn.execute(query, args)]

    # ------------------------------------------------------------------ payment methods

    def list_payment_methods(self, team_id: str) -> models.PaymentMethodList:
        with self.store.tx() as conn:
            self._open(conn, team_id)
            rows = conn.execute(
                "SELECT * FROM payment_methods WHERE team_id = ? ORDER BY is_default DESC, added_ts", (team_id,)
            ).fetchall()
            pending = conn.execute(
                "SELECT verification_url FROM pending_payment_methods WHERE team_id = ?", (team_id,)
            ).fetchone()
        return models.PaymentMethodList(
            payment_methods=[_payment_method(row) for row in rows],
            pending_payment_method=(
                models.PendingPaymentMethod(ach_microdeposit_hosted_verification_url=pending[0]) if pending else None
            ),
        )

    def set_default_payment_method(self, team_id: str, pm_id: str, *, actor: str = sim.DEFAULT_ACTOR) -> None:
        with self.store.tx() as conn:
            _, now = self._open(conn, team_id)
            pm = self._payment_method(conn, team_id, pm_id)
            old = sim.default_payment_method(conn, team_id)
            conn.execute("UPDATE payment_methods SET is_default = (payment_method_id = ?) WHERE team_id = ?", (pm_id, team_id))
            sim.audit(conn, team_id, now, "Default payment method was updated from "
                      f"{_payment_method(old).label() if old is not None else 'none'} to {_payment_method(pm).label()}", actor)

    def add_card(self, team_id: str, card: models.CardInput, *, actor: str = sim.DEFAULT_ACTOR) -> models.PaymentMethod:
        now = self.clock.now()
        problems = cards.card_problems(card.number, card.exp_month, card.exp_year, card.cvc, now.date())
        if problems:
            field, message = next(iter(problems.items()))
            raise bad_request(message, f"card.{field}")
        digits = cards.digits_only(card.number)
        if digits == cards.DECLINE_CARD:
            raise SandboxError(400, "Your card was declined", field="card.number")
        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)
            has_any = conn.execute("SELECT COUNT(*) FROM payment_methods WHERE team_id = ?", (team_id,)).fetchone()[0]
            pm_id = f"pm_sbx{secrets.token_hex(8)}"
            conn.execute(
                "INSERT INTO payment_methods (payment_method_id, team_id, payment_type, brand, last4, exp_month,"
                " exp_year, is_default, added_ts, billing_info) VALUES (?, ?, 'card', ?, ?, ?, ?, ?, ?, ?)",
                (pm_id, team_id, cards.brand(digits) or "card", digits[-4:], card.exp_month, card.exp_year,
                 0 if has_any else 1, sim.ts(now), team["billing_info"]),
            )
            row = self._payment_method(conn, team_id, pm_id)
            sim.audit(conn, team_id, now, f"Payment method {_payment_method(row).label()} was created", actor)
            return _payment_method(row)

    def remove_payment_method(self, team_id: str, pm_id: str, *, actor: str = sim.DEFAULT_ACTOR) -> None:
        with self.store.tx() as conn:
            _, now = self._open(conn, team_id)
            pm = self._payment_method(conn, team_id, pm_id)
            count = conn.execute("SELECT COUNT(*) FROM payment_methods WHERE team_id = ?", (team_id,)).fetchone()[0]
            if count <= 1:
                raise conflict("The last payment method on file cannot be removed", "paymentMethodId")
            conn.execute("DELETE FROM payment_methods WHERE payment_method_id = ?", (pm_id,))
            if pm["is_default"]:
                # The oldest remaining method becomes the default, so purchases keep working.
                conn.execute(
                    "UPDATE payment_methods SET is_default = 1 WHERE payment_method_id = ("
                    "SELECT payment_method_id FROM payment_methods WHERE team_id = ? ORDER BY added_ts LIMIT 1)",
                    (team_id,),
                )
            sim.audit(conn, team_id, now, f"Payment method {_payment_method(pm).label()} was deleted", actor)
            if pm["is_default"]:
                successor = sim.default_payment_method(conn, team_id)
                sim.audit(conn, team_id, now, f"Default payment method was updated from {_payment_method(pm).label()} "
                          f"to {_payment_method(successor).label()}", actor)

    @staticmethod
    def _payment_method(conn: sqlite3.Connection, team_id: str, pm_id: str) -> sqlite3.Row:
        row = conn.execute(
            "SELECT * FROM payment_methods WHERE team_id = ? AND payment_method_id = ?", (team_id, pm_id)
        ).fetchone()
        if row is None:
            raise bad_request(f"Payment method {pm_id} is not on file for this team", "paymentMethodId")
        return row

    # ------------------------------------------------------------------ postpaid

    def invoice_preview(self, team_id: str) -> models.InvoicePreview:
        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)
            state = sim.cycle_state(conn, team_id, now)
            limit = sim.soft_limit_in_force(team)
        return models.InvoicePreview.model_validate(
            {
                "coreInvoice": {
                    "lines": state.lines,
                    "amountBeforeVat": str(state.spend),
                    "vatCost": "0",
                    "amountAfterVat": str(state.spend),
                    "autoCreditsIssued": "0",
                    "defaultCreditsIssued": "0",
                    "totalWithCorr": {"val": str(state.spend)},
                    "prepaidCredits": {"val": str(-state.prepaid)},
                    "prepaidCreditsUsed": {"val": str(-state.used)},
                },
                "effectiveSpendingLimit": str(limit),
                "defaultCredits": "0",
                "billingCycle": {"year": state.year, "month": state.month},
            }
        )

    def spending_limits(self, team_id: str) -> models.SpendingLimits:
        with self.store.tx() as conn:
            team, _ = self._open(conn, team_id)
        return _limits(team)

    def set_soft_limit(self, team_id: str, cents: int, *, actor: str = sim.DEFAULT_ACTOR) -> int:
        _check_cents(cents, "desiredSoftSpendingLimit")
        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)
            hard = team["hard_limit"]
            if cents > hard:
                if hard == 0:
                    raise bad_request(
                        "Monthly invoiced billing is not enabled for this team: the invoiced billing limit must stay "
                        "$0.00 (request invoiced billing first)",
                        "desiredSoftSpendingLimit",
                    )
                raise bad_request(
                    f"The invoiced billing limit cannot exceed the hard limit of {format_cents(hard)}",
                    "desiredSoftSpendingLimit",
                )
            conn.execute("UPDATE teams SET soft_limit = ? WHERE team_id = ?", (cents, team_id))
            sim.audit(conn, team_id, now, f"Invoiced billing limit was updated from {format_cents(team['soft_limit'] or 0)} "
                      f"to {format_cents(cents)}", actor)
        return cents

    # ------------------------------------------------------------------ prepaid

    def prepaid_balance(self, team_id: str) -> models.PrepaidBalance:
        with self.store.tx() as conn:
            self._open(conn, team_id)
            rows = conn.execute(
                "SELECT * FROM ledger WHERE team_id = ? ORDER BY create_time DESC, id DESC", (team_id,)
            ).fetchall()
            posted = sim.posted_spend(conn, team_id) - sim.credits_granted(conn, team_id)
        return models.PrepaidBalance(changes=[_change(row) for row in rows], total=models.Cent.of(posted))

    def top_up(
        self,
        team_id: str,
        cents: int,
        *,
        method: models.PurchaseMethod | None,
        pm_id: str | None,
        idempotency_key: str | None,
        actor: str = sim.DEFAULT_ACTOR,
    ) -> models.PrepaidBalanceChange:
        cents = abs(cents)  # the sign of `amount` is ignored (reference 2.10)
        if billing.minimum_purchase_problem(cents):
            raise bad_request(billing.MIN_TOP_UP_TEXT, "amount")
        _check_cents(cents, "amount")  # and not absurdly large
        if method is models.PurchaseMethod.UNKNOWN:
            raise bad_request("method must be CARD or BANK_TRANSFER", "method")
        with self.store.tx() as conn:
            _, now = self._open(conn, team_id)
            if idempotency_key:
                same = conn.execute(
                    "SELECT * FROM ledger WHERE team_id = ? AND idempotency_key = ?", (team_id, idempotency_key)
                ).fetchone()
                if same is not None:
                    return _change(same)
            pending = conn.execute(
                "SELECT * FROM ledger WHERE team_id = ? AND status = 'TO_CHARGE' ORDER BY id LIMIT 1", (team_id,)
            ).fetchone()
            if pending is not None:
                # TopUpOrGetExistingPendingChange: a pending purchase is returned, not charged again.
                return _change(pending)
            pm = self._payment_method(conn, team_id, pm_id) if pm_id else sim.default_payment_method(conn, team_id)
            bank = method is models.PurchaseMethod.BANK_TRANSFER
            if pm is None and not bank:
                raise SandboxError(400, "No payment method on file: add a card first or pay by bank transfer", field="paymentMethodId")
            if pm is not None and pm["payment_type"] != "card" and method is models.PurchaseMethod.CARD:
                raise bad_request("That payment method is a bank account: choose a card or bank transfer", "paymentMethodId")
            bank = bank or (pm is not None and pm["payment_type"] != "card")
            ledger_id = sim.charge(conn, team_id, "PURCHASE", cents, pm, now, bank_transfer=bank, idempotency_key=idempotency_key)
            row = conn.execute("SELECT * FROM ledger WHERE id = ?", (ledger_id,)).fetchone()
            outcome = {"SUCCEEDED": f"charged to {_payment_method(pm).label() if pm is not None else 'the default'}",
                       "TO_CHARGE": "pending bank transfer"}.get(row["status"], "declined: the card could not be charged")
            sim.audit(conn, team_id, now, f"Prepaid credits purchase of {format_cents(cents)} was created ({outcome})", actor)
            return _change(row)

    # ------------------------------------------------------------------ usage

    def usage(self, team_id: str, request: models.AnalyticsRequest) -> dict:
        """AnalyzeBillingItems on the sandbox's usage: per UTC hour (`TIME_UNIT_HOUR`), day,
        calendar week (from Monday), month, or one bucket (`_NONE`), summed in SQL.

        At most MAX_HOURLY_BUCKETS hourly buckets (31 days: 28 days of hours are one request) or
        MAX_USAGE_BUCKETS coarser ones per request; more is a 400 naming the time range. The
        reference documents no cap: both are our choice [C]. Eight invoice lines never reach a
        series cap, so `limitReached` is always false here.
        """
        unit = request.time_unit
        if unit not in USAGE_UNITS:
            raise bad_request("The sandbox keeps usage per hour: use TIME_UNIT_HOUR, _DAY, _CALENDAR_WEEK, _MONTH or _NONE",
                              "analyticsRequest.timeUnit")
        start, end = _usage_range(request.time_range, unit)
        if any(v.name != "usd" or v.aggregation is not models.Aggregation.AGGREGATION_SUM for v in request.values):
            raise bad_request("Only the usd metric with AGGREGATION_SUM is available", "analyticsRequest.values")
        if request.group_by not in ([], ["description"]):
            raise bad_request("groupBy may be [] or [\"description\"]", "analyticsRequest.groupBy")
        lines = _filtered_lines(request.filters)
        buckets, stamps = _bucket_grid(start, end, unit)
        cap = MAX_HOURLY_BUCKETS if unit is models.TimeUnit.TIME_UNIT_HOUR else MAX_USAGE_BUCKETS
        if len(buckets) > cap:
            raise bad_request(f"Too many buckets ({len(buckets)}, at most {cap}); use a coarser timeUnit or a shorter "
                              "timeRange", "analyticsRequest.timeRange")
        grouped = request.group_by == ["description"]
        with self.store.tx() as conn:
            self._open(conn, team_id)
            rows = _usage_rows(conn, team_id, start, end, unit, buckets[0], lines, grouped=grouped)
        return _usage_answer(stamps, _DESCRIPTIONS if grouped else ("",), rows)

    # ------------------------------------------------------------------ console-only extensions

    def auto_top_up(self, team_id: str) -> models.AutoTopUp:
        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)
            return _auto_view(conn, team, now)

    def set_auto_top_up(self, team_id: str, settings: models.AutoTopUpSettings, *, actor: str = sim.DEFAULT_ACTOR) -> models.AutoTopUp:
        problems = billing.validate_auto_top_up(settings)
        if problems:
            field, message = next(iter(problems.items()))
            raise bad_request(message, f"autoTopUp.{field}")
        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)
            before = sim.auto_settings(team)
            conn.execute(
                "UPDATE teams SET auto_enabled = ?, auto_threshold = ?, auto_amount = ?, auto_monthly_limit = ?,"
                " auto_blocked_reason = NULL WHERE team_id = ?",
                (int(settings.enabled), settings.threshold.val, settings.amount.val, settings.monthly_limit.val, team_id),
            )
            sim.audit(conn, team_id, now, f"Auto top-up settings were updated from {_auto_words(before)} to {_auto_words(settings)}", actor)
            sim.maybe_auto_top_up(conn, team_id, now)  # a new threshold may be crossed already
            return _auto_view(conn, sim.team_row(conn, team_id), now)

    def redeem_promo_code(self, team_id: str, code: str, *, actor: str = sim.DEFAULT_ACTOR) -> models.PrepaidBalanceChange:
        code = code.strip().upper()
        if not PROMO_RE.match(code):
            raise bad_request("Promo codes are 3-32 letters, digits or dashes", "code")
        with self.store.tx() as conn:
            _, now = self._open(conn, team_id)
            promo = conn.execute("SELECT * FROM promo_codes WHERE code = ?", (code,)).fetchone()
            if promo is None:
                raise not_found(f"Promo code {code} does not exist")
            if promo["expires"] and sim.parse_ts(promo["expires"]) <= now:
                raise bad_request(f"Promo code {code} expired on {promo['expires'][:10]}", "code")
            used = conn.execute("SELECT 1 FROM promo_redemptions WHERE code = ? AND team_id = ?", (code, team_id)).fetchone()
            if used:
                raise conflict(f"Promo code {code} was already redeemed by this team", "code")
            conn.execute("INSERT INTO promo_redemptions (code, team_id, redeemed_at) VALUES (?, ?, ?)", (code, team_id, sim.ts(now)))
            cursor = conn.execute(
                "INSERT INTO ledger (team_id, origin, amount, create_time, processor) VALUES (?, 'MANUAL', ?, ?, 'MANUAL')",
                (team_id, -promo["credit"], sim.ts(now)),
            )
            sim.audit(conn, team_id, now, f"Promo code {code} was redeemed: {format_cents(promo['credit'])} in credits", actor)
            return _change(conn.execute("SELECT * FROM ledger WHERE id = ?", (cursor.lastrowid,)).fetchone())

    def invoiced_billing(self, team_id: str) -> models.InvoicedBilling:
        with self.store.tx() as conn:
            team, _ = self._open(conn, team_id)
            return models.InvoicedBilling(status=team["invoiced_billing"])

    def request_invoiced_billing(self, team_id: str, action: str, *, actor: str = sim.DEFAULT_ACTOR) -> models.InvoicedBilling:
        if action != "REQUEST":
            raise bad_request("action must be REQUEST", "action")
        with self.store.tx() as conn:
            team, now = self._open(conn, team_id)
            if team["invoiced_billing"] == "DISABLED":
                conn.execute("UPDATE teams SET invoiced_billing = 'REQUESTED' WHERE team_id = ?", (team_id,))
                sim.audit(conn, team_id, now, "Monthly invoiced billing was updated from DISABLED to REQUESTED", actor)
            return models.InvoicedBilling(status=sim.team_row(conn, team_id)["invoiced_billing"])


# --------------------------------------------------------------------------- audit wording


def _auto_words(settings: models.AutoTopUpSettings) -> str:
    """Auto top-up settings in a few words, for "updated from X to Y"."""
    if not settings.enabled:
        return "off"
    return (f"on (below {format_cents(settings.threshold.val)} buy {format_cents(settings.amount.val)}, "
            f"at most {format_cents(settings.monthly_limit.val)} a month)")


def _billing_changes(before: models.BillingInfo, after: models.BillingInfo) -> str:
    """": name from 'A' to 'B', address" — which parts of the billing details changed."""
    parts = []
    for field, label in (("name", "name"), ("email", "email")):
        old, new = getattr(before, field), getattr(after, field)
        if old != new:
            parts.append(f"{label} from '{old}' to '{new}'")
    if before.address != after.address:
        parts.append("address")
    if (before.tax_id_type, before.tax_number) != (after.tax_id_type, after.tax_number):
        parts.append("tax info")
    return ": " + ", ".join(parts) if parts else " (no change)"


# --------------------------------------------------------------------------- row -> wire


def _change(row: sqlite3.Row) -> models.PrepaidBalanceChange:
    return models.PrepaidBalanceChange(
        team_id=row["team_id"],
        change_origin=row["origin"],
        topup_status=row["status"],
        amount=models.Cent.of(row["amount"]),
        invoice_id=row["invoice_id"],
        invoice_number=row["invoice_number"],
        create_time=sim.parse_ts(row["create_time"]),
        create_ts=sim.parse_ts(row["create_time"]) if row["origin"] in ("PURCHASE", "AUTO_PURCHASE") else None,
        spend_bp_key_year=row["spend_year"],
        spend_bp_key_month=row["spend_month"],
        payment_processor=models.PaymentProcessor(kind=row["processor"]) if row["processor"] else None,
    )


def _payment_method(row: sqlite3.Row) -> models.PaymentMethod:
    is_card = row["payment_type"] == "card"
    return models.PaymentMethod(
        payment_method_id=row["payment_method_id"],
        billing_info=models.BillingInfo.model_validate_json(row["billing_info"]),
        card_details=models.CardDetails(brand=row["brand"], exp_month=row["exp_month"], exp_year=row["exp_year"], last4=row["last4"]) if is_card else None,
        us_bank_account_details=None if is_card else models.UsBankAccountDetails(bank_name=row["bank_name"], last4=row["last4"], routing_number=row["routing_number"]),
        payment_type=row["payment_type"],
        added_ts=sim.parse_ts(row["added_ts"]),
        is_default=bool(row["is_default"]),
    )


def _invoice_wire(row: sqlite3.Row) -> dict:
    """Built as a plain dict: listing 10,000 invoices must not pay for pydantic per row."""
    wire = {
        "teamId": row["team_id"],
        "invoiceId": row["invoice_id"],
        "invoiceNumber": row["invoice_number"],
        "createTime": row["create_time"],
        "invoiceStatus": row["status"],
        "chargerAttempts": json.loads(row["attempts"]),
        "lines": json.loads(row["lines"]),
        "subtotal": str(row["subtotal"]),
        "tax": str(row["tax"]),
        "total": str(row["total"]),
        "invoicePdfAssetKeySuffix": f"teams/{row['team_id']}/billing/{row['invoice_number']}.pdf",
        "issuedTo": json.loads(row["issued_to"]),
    }
    if row["kind"] == "monthly":
        wire["monthly"] = {
            "billingCycle": {"year": row["cycle_year"], "month": row["cycle_month"]},
            "defaultCreditsIssued": {"val": "0"},
            "autoCreditsIssued": {"val": "0"},
            "prepaidTokensToSpend": {"val": str(row["prepaid_used"])},
        }
    else:
        wire["prepaid"] = {}
    return wire


def _limits(team: sqlite3.Row) -> models.SpendingLimits:
    hard = team["hard_limit"]
    soft = team["soft_limit"]
    return models.SpendingLimits(
        hard_sl_auto=models.Cent.of(hard),
        effective_hard_sl=models.Cent.of(hard),
        soft_sl=models.Cent.of(soft) if soft is not None else None,
        effective_sl=models.Cent.of(min(soft or 0, hard)),
    )


def _auto_view(conn: sqlite3.Connection, team: sqlite3.Row, now: datetime) -> models.AutoTopUp:
    used, recent = sim.auto_counters(conn, team["team_id"], now)
    settings = sim.auto_settings(team)
    return models.AutoTopUp(
        **settings.model_dump(),
        used_this_month=models.Cent.of(used),
        top_ups_last24h=recent,
        warnings=billing.auto_top_up_warnings(used, settings.monthly_limit.val, recent) if settings.enabled else [],
        blocked_reason=team["auto_blocked_reason"],
    )


# --------------------------------------------------------------------------- usage helpers


def _usage_range(time_range: models.TimeRange, unit: models.TimeUnit) -> tuple[datetime, datetime]:
    try:
        zone = ZoneInfo(time_range.timezone or "Etc/GMT")
    except (ZoneInfoNotFoundError, ValueError):
        raise bad_request(f"Unknown timezone {time_range.timezone!r}", "analyticsRequest.timeRange.timezone") from None
    try:
        start = datetime.strptime(time_range.start_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
        end = datetime.strptime(time_range.end_time, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone)
    except ValueError:
        raise bad_request("Times must look like 2025-06-01 00:00:00", "analyticsRequest.timeRange") from None
    if end <= start:
        raise bad_request("endTime must be after startTime", "analyticsRequest.timeRange")
    # Buckets are UTC hours, or UTC days and what they add up to (our simplification [C]).
    start = start.astimezone(UTC).replace(minute=0, second=0)
    if unit is not models.TimeUnit.TIME_UNIT_HOUR:
        start = start.replace(hour=0)
    return start, end.astimezone(UTC)


def _filtered_lines(filters: list[str]) -> list[int] | None:
    """The catalogue lines whose description one of the `description:<name>` filters names (as the
    sandbox always read them); None: no filter, every line."""
    wanted = set()
    for flt in filters:
        key, _, value = flt.partition(":")
        if key != "description" or not value:
            raise bad_request(f"Unsupported filter {flt!r} (use description:<name>)", "analyticsRequest.filters")
        wanted.add(value)
    if not wanted:
        return None
    return [i for i, item in enumerate(CATALOGUE) if item.description in wanted]


@functools.lru_cache(maxsize=64)
def _bucket_grid(start: datetime, end: datetime, unit: models.TimeUnit) -> tuple[tuple[datetime, ...], tuple[str, ...]]:
    """The buckets and their wire timestamps (bucket starts in UTC, like the real API), kept:
    many teams read the same range (200 teams' 28 days: 134,400 timestamps to write each time)."""
    buckets = tuple(_buckets(start, end, unit))
    return buckets, tuple(b.isoformat()[:19] + "Z" for b in buckets)


def _buckets(start: datetime, end: datetime, unit: models.TimeUnit) -> list[datetime]:
    """Bucket starts from `start` up to `end` (one past the cap at most: enough to refuse)."""
    if unit is models.TimeUnit.TIME_UNIT_NONE:
        return [start]
    cap = MAX_HOURLY_BUCKETS if unit is models.TimeUnit.TIME_UNIT_HOUR else MAX_USAGE_BUCKETS
    out = []
    current = start
    if unit is models.TimeUnit.TIME_UNIT_MONTH:
        current = sim.month_start(start)
    elif unit is models.TimeUnit.TIME_UNIT_CALENDAR_WEEK:
        current = start - timedelta(days=start.weekday())
    while current < end and len(out) <= cap:
        out.append(current)
        if unit is models.TimeUnit.TIME_UNIT_MONTH:
            current = sim.next_month(current)
        else:
            current += _STEPS[unit]
    return out


#: Invoice line descriptions, each once, in catalogue order: the `groupBy: ["description"]` groups.
_DESCRIPTIONS = tuple(dict.fromkeys(item.description for item in CATALOGUE))

#: SQL for a row's bucket number, counted from the first bucket (bound as ?4): hours from
#: `usage_hours`; days, weeks and months from its daily rollup (`usage`), where every day is
#: exactly the sum of its hours and a month is 31 rows, not 744.
_SLOT_SQL = {
    models.TimeUnit.TIME_UNIT_HOUR: "CAST(round((julianday(hour || ':00') - julianday(?4)) * 24) AS INTEGER)",
    models.TimeUnit.TIME_UNIT_DAY: "CAST(round(julianday(day) - julianday(?4)) AS INTEGER)",
    models.TimeUnit.TIME_UNIT_CALENDAR_WEEK: "CAST((round(julianday(day) - julianday(?4))) / 7 AS INTEGER)",
    models.TimeUnit.TIME_UNIT_MONTH: "(CAST(substr(day, 1, 4) AS INTEGER) * 12 + CAST(substr(day, 6, 2) AS INTEGER))"
                                     " - (CAST(substr(?4, 1, 4) AS INTEGER) * 12 + CAST(substr(?4, 6, 2) AS INTEGER))",
    models.TimeUnit.TIME_UNIT_NONE: "0",
}


def _usage_rows(conn: sqlite3.Connection, team_id: str, start: datetime, end: datetime, unit: models.TimeUnit,
                first_bucket: datetime, lines: list[int] | None, *, grouped: bool) -> list[tuple[int, ...]]:
    """(bucket number, micro-dollars per label...) for each bucket with usage in [start, end): one
    sum, or one per `_DESCRIPTIONS` when `grouped`, of the lines kept (`lines`; None: all). A row
    per bucket, read by the (team_id, hour|day…) primary key: a 28-day hourly read is 672 rows."""
    hourly = unit is models.TimeUnit.TIME_UNIT_HOUR
    table, column = ("usage_hours", "hour") if hourly else ("usage", "day")
    kept = set(range(len(CATALOGUE)) if lines is None else lines)
    groups = [[i for i in sorted(kept) if CATALOGUE[i].description == d] for d in _DESCRIPTIONS] if grouped else [sorted(kept)]
    sums = ", ".join(_sum_sql(group, hourly) for group in groups)
    first, last = _key_range(start, end, hourly)
    # Grouped by the stored key where it is the bucket: the slot is then worked out once a bucket.
    group_by = column if unit in (models.TimeUnit.TIME_UNIT_HOUR, models.TimeUnit.TIME_UNIT_DAY) else "slot"
    sql = (f"SELECT {_SLOT_SQL[unit]} AS slot, {sums} FROM {table}"
           f" WHERE team_id = ?1 AND {column} >= ?2 AND {column} < ?3 GROUP BY {group_by}")
    params: tuple[str, ...] = (team_id, first, last)
    if "?4" in sql:  # SQLite refuses a parameter the statement does not use
        params += (f"{first_bucket:%Y-%m-%d %H:%M}",)
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: sqlite3.Row costs more than the query here
    return cursor.execute(sql, params).fetchall()


def _sum_sql(lines: list[int], hourly: bool) -> str:
    """SQL summing these catalogue lines: columns of `usage_hours`, or rows of the daily rollup."""
    if not lines:
        return "0"
    if hourly:
        return f"SUM({' + '.join(f'line{i}' for i in lines)})"
    return f"SUM(CASE WHEN line IN ({', '.join(str(i) for i in lines)}) THEN micros ELSE 0 END)"


def _usage_answer(stamps: tuple[str, ...], labels: tuple[str, ...], rows: list[tuple[int, ...]]) -> dict:
    """The wire UsageResponse: a dense series per label (grouped: only labels with usage)."""
    series = {label: [0] * len(stamps) for label in labels}
    for slot, *sums in rows:  # one row per bucket, one sum per label: SQL did the adding
        if 0 <= slot < len(stamps):
            for label, micros in zip(labels, sums, strict=True):
                series[label][slot] = micros
    if len(labels) > 1:
        series = {label: values for label, values in series.items() if any(values)}
    return {"timeSeries": [_series(label, stamps, values) for label, values in sorted(series.items())],
            "limitReached": False}


def _series(label: str, stamps: tuple[str, ...], micros: list[int]) -> dict:
    """One wire TimeSeries: a point per bucket, zeros included, in USD floats."""
    group = [label] if label else []
    return {"group": group, "groupLabels": list(group),
            "dataPoints": [{"timestamp": at, "values": [round(m / 1_000_000, 6)]} for at, m in zip(stamps, micros, strict=True)]}


def _key_range(start: datetime, end: datetime, hourly: bool) -> tuple[str, str]:
    """[first, last) as stored keys: the hour or day that holds `end` counts when `end` cuts it."""
    if hourly:
        cut = end.minute or end.second or end.microsecond
        return sim.hour_key(start), sim.hour_key(end + sim.HOUR if cut else end)
    whole_day = end.time() == end.time().min
    return f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}" if whole_day else f"{end + timedelta(days=1):%Y-%m-%d}"
