"""Billing domain rules from the console's Billing page (shared/seeds), in one place.

Both the sandbox (which enforces them) and the UI (which explains them) use these functions, so a
rule can never say one thing on screen and another on the server.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from xconsole.core import models
from xconsole.core.money import MAX_INPUT_CENTS, format_cents, format_cents_short

#: "The top-up amount of credits that will be purchased (minimum $25)."
MIN_TOP_UP_CENTS = 2_500
#: "There is a limit of 5 top-ups per 24 hours to avoid unexpectedly large spend."
MAX_AUTO_TOP_UPS_PER_24H = 5
#: "When you've used 80% of the total monthly limit that you set."
MONTHLY_WARNING_PERCENT = 80
#: "When you make the purchase via bank transfer ... 2-3 business days to process." The sandbox
#: credits a transfer after the longer bound.
BANK_TRANSFER_BUSINESS_DAYS = 3
#: One rule and one wording for the $25 minimum: buy dialog, auto top-up form, purchase, sandbox.
MIN_TOP_UP_TEXT = f"A top-up must be at least {format_cents(MIN_TOP_UP_CENTS)}"
#: Runway is estimated from this many days of spend.
RUNWAY_WINDOW_DAYS = 7

WARN_MONTHLY_80 = "monthly-80"
WARN_MONTHLY_REACHED = "monthly-reached"
WARN_DAILY_ONE_LEFT = "daily-one-left"
WARN_DAILY_REACHED = "daily-reached"

WARNING_TEXT = {
    WARN_MONTHLY_80: "You have used 80% of your monthly auto top-up maximum",
    WARN_MONTHLY_REACHED: "Monthly auto top-up maximum reached: no more auto top-ups until next month",
    WARN_DAILY_ONE_LEFT: "Only 1 of 5 auto top-ups left in the last 24 hours",
    WARN_DAILY_REACHED: "5 auto top-ups in the last 24 hours: no more until the oldest is 24 hours old",
}


# --------------------------------------------------------------------------- auto top-up


def validate_auto_top_up(settings: models.AutoTopUpSettings) -> dict[str, str]:
    """Field name -> reason for every invalid field; empty when the settings can be saved.

    A disabled configuration is still validated when it carries values, so that re-enabling it later
    cannot resurrect nonsense, but an all-zero disabled form is fine (that is the default).
    """
    threshold, amount, limit = settings.threshold.val, settings.amount.val, settings.monthly_limit.val
    problems: dict[str, str] = {}
    if not settings.enabled and threshold == amount == limit == 0:
        return problems
    if threshold < 0:
        problems["threshold"] = "Trigger balance cannot be negative"
    elif threshold > MAX_INPUT_CENTS:
        problems["threshold"] = f"Trigger balance too large (at most {format_cents(MAX_INPUT_CENTS)})"
    if minimum_purchase_problem(amount):
        problems["amount"] = MIN_TOP_UP_TEXT
    elif amount > MAX_INPUT_CENTS:
        problems["amount"] = f"Top-up amount too large (at most {format_cents(MAX_INPUT_CENTS)})"
    if limit > MAX_INPUT_CENTS:
        problems["monthlyLimit"] = f"Monthly maximum too large (at most {format_cents(MAX_INPUT_CENTS)})"
    elif "amount" not in problems and limit < amount:
        problems["monthlyLimit"] = (
            f"Monthly maximum must allow at least one top-up ({format_cents(amount)} or more)"
        )
    return problems


def minimum_purchase_problem(cents: int) -> str | None:
    """The minimum rule for any top-up, bought by hand or automatically."""
    return MIN_TOP_UP_TEXT if cents < MIN_TOP_UP_CENTS else None


def auto_top_up_warnings(used_this_month: int, monthly_limit: int, top_ups_last_24h: int) -> list[str]:
    """The console's warnings for the API spend management card, as stable ids (see WARNING_TEXT)."""
    warnings: list[str] = []
    if monthly_limit > 0:
        if used_this_month >= monthly_limit:
            warnings.append(WARN_MONTHLY_REACHED)
        elif used_this_month * 100 >= monthly_limit * MONTHLY_WARNING_PERCENT:
            warnings.append(WARN_MONTHLY_80)
    if top_ups_last_24h >= MAX_AUTO_TOP_UPS_PER_24H:
        warnings.append(WARN_DAILY_REACHED)
    elif top_ups_last_24h == MAX_AUTO_TOP_UPS_PER_24H - 1:
        warnings.append(WARN_DAILY_ONE_LEFT)
    return warnings


def auto_top_up_blocked_reason(
    settings: models.AutoTopUpSettings, used_this_month: int, top_ups_last_24h: int
) -> str | None:
    """Why the next auto top-up may not fire now, or None when it may."""
    if not settings.enabled:
        return "Auto top-up is disabled"
    if top_ups_last_24h >= MAX_AUTO_TOP_UPS_PER_24H:
        return WARNING_TEXT[WARN_DAILY_REACHED]
    if used_this_month + settings.amount.val > settings.monthly_limit.val:
        return MONTHLY_BLOCKED
    return None


MONTHLY_BLOCKED = "The next top-up would exceed the monthly auto top-up maximum"
#: The warning each blocked reason is (said once: the reason names it).
BLOCKED_WARNING = {MONTHLY_BLOCKED: WARN_MONTHLY_REACHED, WARNING_TEXT[WARN_DAILY_REACHED]: WARN_DAILY_REACHED}


def card_ends(method: models.PaymentMethod) -> date | None:
    """The first day a card can no longer be charged (None: not a card, or no expiry given)."""
    card = method.card_details
    if card is None or not card.exp_year:
        return None
    return date(card.exp_year + (card.exp_month == 12), card.exp_month % 12 + 1, 1)


def credits_after_buying(credits: int, beyond_prepaid: int, bought: int) -> int:
    """The credit balance once `bought` cents are credited. Prepaid credit is drawn against the
    whole cycle's usage (reference 1.3), so new credit pays this month's usage beyond prepaid
    credits first, and only the rest shows as credits."""
    return max(0, credits - beyond_prepaid + bought)


def paid_first_note(credits: int | None, beyond_prepaid: int | None, bought: int) -> str | None:
    """What a purchase pays before it shows as credits, in words (None: nothing)."""
    if credits is None or not beyond_prepaid:
        return None
    after = credits_after_buying(credits, beyond_prepaid, bought)
    return (f"first {format_cents(min(bought, beyond_prepaid))} of the {format_cents(beyond_prepaid)} used this month "
            f"beyond prepaid credits (less to pay at month end): credits "
            f"{'stay' if after == credits else 'become'} {format_cents(after)}")


def top_ups_on_saving(settings: models.AutoTopUpSettings, credits: int, used_this_month: int,
                      top_ups_last_24h: int, beyond_prepaid: int = 0) -> tuple[int, str | None]:
    """What saving `settings` buys at once when credits are already under the trigger: top-ups
    until credits reach it (each paying this month's usage beyond prepaid credits first), each
    allowed by the monthly maximum and the 5 per 24 h (the sandbox does this on saving,
    sandbox/simulation.py `maybe_auto_top_up`). (How many, what stops the next one or None.)"""
    count, amount = 0, settings.amount.val
    while amount > 0 and credits_after_buying(credits, beyond_prepaid, count * amount) < settings.threshold.val:
        reason = auto_top_up_blocked_reason(settings, used_this_month + count * amount, top_ups_last_24h + count)
        if reason:
            return count, reason
        count += 1
    return count, None


def describe_auto_top_up(settings: models.AutoTopUpSettings) -> str:
    """One line saying what will happen, e.g. for the form's explanation."""
    if not settings.enabled:
        return "Auto top-up is off: credits are only bought when you buy them."
    amount, limit = settings.amount.val, settings.monthly_limit.val
    count = limit // amount if amount > 0 else 0
    return (
        f"When credits drop below {format_cents(settings.threshold.val)}, buy {format_cents(amount)}, "
        f"at most {format_cents(limit)} a month — about {count} top-up{'s' if count != 1 else ''}."
    )


# --------------------------------------------------------------------------- balance and runway


@dataclass(frozen=True)
class SpendSummary:
    """What the Spend screen and `xconsole balance` show for one team."""

    # None: the server left that figure unset; shown as "—" with `unreported` saying why.
    live_balance: int | None  # cents of prepaid credit left now (from the invoice preview)
    month_spend: int | None  # cents spent this billing cycle
    beyond_prepaid: int | None  # cents billed at month end on top of prepaid
    pending_purchases: int | None  # cents bought, not yet credited (bank transfer, TO_CHARGE); None: not read
    soft_limit: int | None  # invoiced billing limit in force (cents); 0 = prepaid only
    hard_limit: int | None  # highest invoiced billing limit the team may set
    runway_days: float | None  # until requests are rejected; None: no recent spend, or unknown
    unreported: tuple[str, ...] = ()  # wire names of the figures the server did not report
    usage_known: bool = True  # False: the usage reads failed, so there is no rate to project

    @property
    def runway_known(self) -> bool:
        """False when a figure the runway needs was not reported or usage could not be read."""
        return self.usage_known and not ({"prepaidCredits", "effectiveSl", "totalWithCorr"} & set(self.unreported))

    @property
    def runway_text(self) -> str:
        return format_runway(self.runway_days) if self.runway_known else "unknown"

    @property
    def limit_remaining(self) -> int | None:
        if self.soft_limit is None or self.beyond_prepaid is None:
            return None
        return max(0, self.soft_limit - self.beyond_prepaid)

    @property
    def will_reject_when_empty(self) -> bool:
        """True when requests are rejected once credits run out: the $0 default limit (a limit
        the server did not report is not claimed to be $0)."""
        return self.soft_limit is not None and self.soft_limit <= 0

    @property
    def unreported_note(self) -> str:
        """Why some figures show as "—", in one line; empty when everything was reported."""
        if not self.unreported:
            return ""
        return f"— : the API did not report {', '.join(self.unreported)}"


def summarize(
    preview: models.InvoicePreview,
    limits: models.SpendingLimits,
    ledger: models.PrepaidBalance | None,
    daily_spend: Sequence[int] = (),
    *,
    usage_known: bool = True,
) -> SpendSummary:
    pending = sum(c.credit_cents or 0 for c in ledger.pending) if ledger else None
    balance = preview.live_balance_cents
    soft = limits.limit_cents
    beyond = preview.beyond_prepaid_cents
    # Runway is "until requests are rejected": prepaid credit plus what the invoiced billing
    # limit still allows this cycle. Unknown when any part of it was not reported.
    runway = None
    if balance is not None and soft is not None and beyond is not None:
        runway = runway_days(balance + max(0, soft - beyond), daily_spend)
    return SpendSummary(
        live_balance=balance,
        month_spend=preview.month_to_date_spend_cents,
        beyond_prepaid=beyond,
        pending_purchases=pending,
        soft_limit=soft,
        hard_limit=limits.ceiling_cents,
        runway_days=runway,
        unreported=tuple(preview.unreported + limits.unreported),
        usage_known=usage_known,
    )


#: Credits running out within this many days (with nothing to catch them) is a danger.
DANGER_RUNWAY_DAYS = 3


def auto_top_up_keeps_going(auto: models.AutoTopUp | None) -> bool:
    """Auto top-up will buy the next time credits drop: enabled, not blocked by a failed attempt,
    and neither the monthly maximum nor the 5-per-24 h allowance stands in the way."""
    if auto is None or not auto.enabled or auto.blocked_reason:
        return False
    return auto_top_up_blocked_reason(auto, auto.used_this_month.val, auto.top_ups_last24h) is None


def rejects_soon(summary: SpendSummary, auto: models.AutoTopUp | None) -> bool:
    """API requests will be rejected soon: the $0 limit, no working auto top-up, and credits gone
    or lasting less than DANGER_RUNWAY_DAYS. One rule for the summary line, the card and the CLI."""
    if not summary.will_reject_when_empty:
        return False
    if auto_top_up_keeps_going(auto):
        return False
    if summary.live_balance is None:
        return False
    return summary.live_balance <= 0 or (summary.runway_days is not None and summary.runway_days < DANGER_RUNWAY_DAYS)


def runway_days(balance_cents: int, daily_spend_cents: Sequence[int], window: int = RUNWAY_WINDOW_DAYS) -> float | None:
    """Days the balance lasts at the average rate of the last `window` days; None without spend."""
    recent = list(daily_spend_cents)[-window:]
    if not recent:
        return None
    rate = sum(recent) / len(recent)
    if rate <= 0:
        return None
    return max(0.0, balance_cents / rate)


def change_key(change: models.PrepaidBalanceChange) -> tuple:
    """What makes a ledger row the same row in two readings: not its status or invoice, which
    change as a top-up is charged."""
    return (change.change_origin, change.credit_cents, change.create_time or change.create_ts)


def new_purchases(before: models.PrepaidBalance, after: models.PrepaidBalance) -> list[models.PrepaidBalanceChange]:
    """Purchases in `after` that `before` did not have."""
    seen = {change_key(c) for c in before.changes}
    return [c for c in after.changes if c.change_origin is models.ChangeOrigin.PURCHASE and change_key(c) not in seen]


def find_new_purchase(before: models.PrepaidBalance, after: models.PrepaidBalance,
                      cents: int) -> models.PrepaidBalanceChange | None:
    """The purchase of `cents` in `after` that `before` did not have: what became of a purchase
    whose answer was lost. Found means it happened (maybe pending); a purchase is never re-sent."""
    return next((c for c in new_purchases(before, after) if c.credit_cents in (cents, None)), None)


def auto_top_up_label(auto: models.AutoTopUp | None) -> str:
    """Short state for tables: "console" (not on this API), "off", or the trigger, e.g. "<$50"."""
    if auto is None:
        return "console"
    if not auto.enabled:
        return "off"
    return f"<{format_cents_short(auto.threshold.val)}"


def unpaid(invoices: Sequence[models.InvoiceSummary]) -> list[models.InvoiceSummary]:
    """Monthly invoices whose charge failed and that stay unpaid (status FAILED), newest first. A
    prepaid invoice that failed is a purchase that did not happen: nothing is owed."""
    failed = [i for i in invoices if i.invoice_status is models.InvoiceStatus.FAILED and i.monthly is not None]
    return sorted(failed, key=lambda i: i.create_time.isoformat() if i.create_time else "", reverse=True)


def unpaid_text(invoice: models.InvoiceSummary) -> str:
    return f"Invoice {invoice.invoice_number or invoice.invoice_id} ({format_cents(invoice.total)}) could not be charged"


#: When the recent invoices could not be read: a failed charge would go unseen, so never "nothing to look at".
UNPAID_UNKNOWN = "Unpaid invoices unknown: the invoice list could not be read"


def team_warnings(summary: SpendSummary, auto: models.AutoTopUp | None,
                  unpaid_invoices: Sequence[models.InvoiceSummary] | None = ()) -> list[str]:
    """Everything an admin should look at for one team, in words (overview and `balance`);
    `unpaid_invoices` None: the read of them failed."""
    found = [UNPAID_UNKNOWN] if unpaid_invoices is None else [unpaid_text(i) for i in unpaid_invoices]
    if summary.unreported:
        found.append(f"Some figures are unknown: the API did not report {', '.join(summary.unreported)}")
    if rejects_soon(summary, auto):
        found.append("API requests will be rejected soon: credits run out and the invoiced billing limit is $0")
    blocked = auto.blocked_reason if auto is not None else None
    if blocked:
        found.append(f"Auto top-up did not happen: {blocked}")
    # (The warning the blocked reason is, is said once, above.)
    found += [WARNING_TEXT.get(w, w) for w in (auto.warnings if auto else []) if w != BLOCKED_WARNING.get(blocked or "")]
    return found


def format_runway(days: float | None) -> str:
    if days is None:
        return "no recent spend"
    if days < 1:
        return "< 1 day"
    if days >= 365:
        return "> 1 year"
    whole = math.floor(days)
    return f"~{whole} day{'s' if whole != 1 else ''}"


# --------------------------------------------------------------------------- time helpers


def add_business_days(start: datetime, days: int) -> datetime:
    """`start` moved forward by `days` business days (Mon-Fri), keeping the time of day."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
