from datetime import datetime, timezone

import pytest

from xconsole.core import billing, models


def settings(enabled=True, threshold=5000, amount=10000, limit=50000):
    return models.AutoTopUpSettings(
        enabled=enabled, threshold=models.Cent.of(threshold), amount=models.Cent.of(amount),
        monthly_limit=models.Cent.of(limit),
    )


def test_valid_auto_top_up_has_no_problems():
    assert billing.validate_auto_top_up(settings()) == {}
    assert billing.validate_auto_top_up(settings(enabled=False, threshold=0, amount=0, limit=0)) == {}


@pytest.mark.parametrize(
    ("kw", "field", "text"),
    [
        ({"amount": 2499}, "amount", "at least $25.00"),
        ({"threshold": -1}, "threshold", "negative"),
        ({"threshold": 10**12}, "threshold", "too large"),
        ({"amount": 10000, "limit": 9999}, "monthlyLimit", "at least one top-up"),
    ],
)
def test_invalid_auto_top_up_fields(kw, field, text):
    problems = billing.validate_auto_top_up(settings(**kw))
    assert text in problems[field]


def test_warnings_at_80_percent_and_one_of_five_left():
    assert billing.auto_top_up_warnings(39_999, 50_000, 3) == []
    assert billing.auto_top_up_warnings(40_000, 50_000, 3) == [billing.WARN_MONTHLY_80]
    assert billing.auto_top_up_warnings(0, 50_000, 4) == [billing.WARN_DAILY_ONE_LEFT]
    assert billing.auto_top_up_warnings(50_000, 50_000, 5) == [billing.WARN_MONTHLY_REACHED, billing.WARN_DAILY_REACHED]


def test_blocked_reason():
    assert billing.auto_top_up_blocked_reason(settings(), 0, 0) is None
    assert "24 hours" in billing.auto_top_up_blocked_reason(settings(), 0, 5)
    assert "monthly" in billing.auto_top_up_blocked_reason(settings(), 45_000, 1)
    assert "disabled" in billing.auto_top_up_blocked_reason(settings(enabled=False), 0, 0)


def test_describe_auto_top_up():
    text = billing.describe_auto_top_up(settings())
    assert text == "When credits drop below $50.00, buy $100.00, at most $500.00 a month — about 5 top-ups."


def test_runway():
    assert billing.runway_days(7000, [1000] * 10) == 7.0
    assert billing.runway_days(7000, []) is None
    assert billing.runway_days(7000, [0, 0]) is None
    assert billing.format_runway(7.9) == "~7 days"
    assert billing.format_runway(0.2) == "< 1 day"


def test_business_days_skip_weekends():
    friday = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)
    assert billing.add_business_days(friday, 3) == datetime(2026, 11, 25, 15, 0, tzinfo=timezone.utc)


def test_summary_flags_the_zero_limit():
    preview = models.InvoicePreview.model_validate(
        {"coreInvoice": {"totalWithCorr": {"val": "900"}, "prepaidCredits": {"val": "-1000"},
                         "prepaidCreditsUsed": {"val": "-900"}}}
    )
    limits = models.SpendingLimits.model_validate({"effectiveSl": {}, "effectiveHardSl": {"val": "0"}})  # {}: a $0 Cent
    ledger = models.PrepaidBalance.model_validate(
        {"changes": [{"changeOrigin": "PURCHASE", "topupStatus": "TO_CHARGE", "amount": {"val": "-5000"}}]}
    )
    summary = billing.summarize(preview, limits, ledger, [100] * 7)
    assert summary.live_balance == 100 and summary.pending_purchases == 5000
    assert summary.will_reject_when_empty and summary.runway_days == 1.0


def test_invoices_not_read_are_a_warning_of_their_own_never_silence():
    healthy = billing.SpendSummary(50_000, 0, 0, 0, 10_000, 0, 40.0)
    assert billing.team_warnings(healthy, None) == []  # read, and none unpaid
    assert billing.team_warnings(healthy, None, None) == [billing.UNPAID_UNKNOWN]


def test_a_blocked_auto_top_up_is_said_once():
    healthy = billing.SpendSummary(50_000, 0, 0, 0, 10_000, 0, 40.0)
    daily = billing.WARNING_TEXT[billing.WARN_DAILY_REACHED]
    auto = models.AutoTopUp(enabled=True, blocked_reason=daily, warnings=[billing.WARN_DAILY_REACHED])
    assert billing.team_warnings(healthy, auto) == [f"Auto top-up did not happen: {daily}"]
    monthly = models.AutoTopUp(enabled=True, blocked_reason=billing.MONTHLY_BLOCKED, warnings=[billing.WARN_MONTHLY_REACHED])
    assert billing.team_warnings(healthy, monthly) == [f"Auto top-up did not happen: {billing.MONTHLY_BLOCKED}"]


def test_rejects_soon_needs_a_zero_limit_no_working_auto_top_up_and_little_credit():
    def summary(balance, runway, limit=0):
        return billing.SpendSummary(balance, 0, 0, 0, limit, 0, runway)

    assert billing.rejects_soon(summary(400, 1.5), None)
    assert billing.rejects_soon(summary(0, None), None)
    assert not billing.rejects_soon(summary(5000, None), None)  # no recent spend: nothing runs out
    assert not billing.rejects_soon(summary(400, 1.5, limit=1000), None)  # invoiced billing continues
    on = models.AutoTopUp(enabled=True)
    assert not billing.rejects_soon(summary(400, 1.5), on)
    assert billing.rejects_soon(summary(400, 1.5), models.AutoTopUp(enabled=True, blocked_reason="limit"))
