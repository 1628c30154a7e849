"""proto3 JSON as a gRPC gateway writes it: any field of any answer may be `null` or absent.

Property: whatever single field (at any depth) of any documented answer is replaced by `null` or
removed, the client returns a model or raises one of its own errors, never anything else; and a
money figure the answer did not carry is never shown as a number.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xconsole.core import billing, errors, models
from xconsole.core.client import ManagementClient
from xconsole.core.money import format_cents
from tests.fixtures import reference as ref

B = f"/v1/billing/teams/{ref.TEAM}"
USAGE = models.AnalyticsRequest(time_range=models.TimeRange(start_time="2025-06-01 00:00:00", end_time="2025-06-03 00:00:00"))

#: (method, path, documented answer, call): every response model the client reads.
ENDPOINTS = [
    ("GET", "/auth/management-keys/validation", ref.VALIDATION, lambda c: c.validate_key()),
    ("GET", f"{B}/billing-info", ref.BILLING_INFO, lambda c: c.get_billing_info(ref.TEAM)),
    ("GET", f"{B}/invoices", ref.INVOICES, lambda c: c.list_invoices(ref.TEAM)),
    ("GET", f"{B}/invoices", ref.INVOICES, lambda c: c.list_invoice_summaries(ref.TEAM)),
    ("GET", f"{B}/payment-method", ref.PAYMENT_METHODS, lambda c: c.list_payment_methods(ref.TEAM)),
    ("GET", f"{B}/postpaid/invoice/preview", ref.PREVIEW, lambda c: c.get_invoice_preview(ref.TEAM)),
    ("GET", f"{B}/postpaid/spending-limits", ref.SPENDING_LIMITS, lambda c: c.get_spending_limits(ref.TEAM)),
    ("POST", f"{B}/postpaid/spending-limits", ref.SET_LIMIT_RESPONSE, lambda c: c.set_soft_spending_limit(ref.TEAM, 15000)),
    ("GET", f"{B}/prepaid/balance", ref.PREPAID_BALANCE, lambda c: c.get_prepaid_balance(ref.TEAM)),
    ("POST", f"{B}/prepaid/top-up", ref.TOP_UP_RESPONSE, lambda c: c.top_up(ref.TEAM, 2000)),
    ("POST", f"{B}/usage", ref.USAGE_RESPONSE, lambda c: c.usage(ref.TEAM, USAGE)),
    ("GET", f"/auth/teams/{ref.TEAM}/api-keys", ref.API_KEY_LIST, lambda c: c.list_api_keys(ref.TEAM)),
    ("GET", f"/audit/teams/{ref.TEAM}/events", ref.AUDIT_EVENTS, lambda c: c.list_audit_events(ref.TEAM)),
]


def paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document: dict keys and list items, at every depth."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            found.append(prefix + (key,))
            found += paths(inner, prefix + (key,))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            found.append(prefix + (index,))
            found += paths(inner, prefix + (index,))
    return found


def mutate(document: Any, where: tuple, remove: bool) -> Any:
    changed = copy.deepcopy(document)
    parent = changed
    for step in where[:-1]:
        parent = parent[step]
    if remove:
        del parent[where[-1]]
    else:
        parent[where[-1]] = None
    return changed


def answer(method: str, path: str, payload: Any) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        if request.method == method and request.url.path == path:
            return httpx.Response(200, json=payload)
        return httpx.Response(404, json={"code": 5, "message": "not found"})

    return httpx.MockTransport(handle)


#: Blocks an answer cannot be read without: their absence is an unreadable answer (ProtocolError),
#: never zeros. Everything else unset reads as unset.
REQUIRED = {("coreInvoice",), ("spendingLimits",), ("change",)}
#: A row without its identity cannot be listed or opened (the invoice list is keyed by it).
IDENTITY = {"invoiceId"}


@st.composite
def mutated_answers(draw):
    method, path, document, call = draw(st.sampled_from(ENDPOINTS))
    where = draw(st.sampled_from(paths(document)))
    # proto3 JSON has no null list items (only a null or absent list): an item is only removed.
    remove = isinstance(where[-1], int) or draw(st.booleans())
    return method, path, mutate(document, where, remove), call, where


async def _no_sleep(_seconds):
    return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_answers())
def test_any_field_null_or_absent_never_raises_outside_the_client_errors(case):
    method, path, payload, call, where = case

    async def run() -> None:
        client = ManagementClient(ref.KEY, ref.BASE, transport=answer(method, path, payload), sleep=_no_sleep)
        try:
            await call(client)
        except errors.ProtocolError:
            # Only a block without which the answer says nothing may make it unreadable.
            assert where in REQUIRED or where[-1] in IDENTITY, where
        finally:
            await client.aclose()

    asyncio.run(run())


MONEY = {  # wire path -> the summary figure it feeds
    ("coreInvoice", "prepaidCredits"): "live_balance",
    ("coreInvoice", "totalWithCorr"): "month_spend",
}
LIMITS = {("spendingLimits", "effectiveSl"): "soft_limit", ("spendingLimits", "effectiveHardSl"): "hard_limit"}


@settings(max_examples=200, deadline=None)
@given(st.sets(st.sampled_from(sorted(MONEY) + sorted(LIMITS))), st.booleans())
def test_money_the_answer_did_not_carry_is_never_drawn_as_a_number(gone, remove):
    preview, limits = ref.PREVIEW, ref.SPENDING_LIMITS
    for where in gone:
        if where in MONEY:
            preview = mutate(preview, where, remove)
        else:
            limits = mutate(limits, where, remove)
    summary = billing.summarize(models.InvoicePreview.model_validate(preview),
                                models.SpendingLimitsEnvelope.model_validate(limits).spending_limits,
                                None, [500] * 7)
    for where, figure in {**MONEY, **LIMITS}.items():
        value = getattr(summary, figure)
        if where in gone:
            assert value is None and format_cents(value) == "—", figure
            assert where[-1] in summary.unreported
        else:
            assert isinstance(value, int), figure
    if {("coreInvoice", "prepaidCredits"), ("spendingLimits", "effectiveSl")} & gone:
        assert summary.runway_days is None and not billing.rejects_soon(summary, None)


@pytest.mark.parametrize("value", [None, {}, {"val": None}])
def test_an_unset_prepaid_used_is_nothing_drawn(value):
    preview = mutate(ref.PREVIEW, ("coreInvoice", "prepaidCreditsUsed"), False)
    preview["coreInvoice"]["prepaidCreditsUsed"] = value
    assert models.InvoicePreview.model_validate(preview).live_balance_cents == 5000


def test_in_the_first_hour_of_a_day_the_runway_still_uses_the_seven_whole_days_before_it():
    """At 00:30 the hourly series ends at midnight: yesterday is whole, today has nothing yet."""
    from datetime import date, datetime, timedelta, timezone

    from xconsole.core.hourly import HourlyUsage
    from xconsole.core.spend import _whole_days

    end = datetime(2026, 6, 12, 0, tzinfo=timezone.utc)
    history = HourlyUsage(end - timedelta(days=28), tuple(range(28 * 24)))
    days = _whole_days(history, date(2026, 6, 12))
    assert days[-1] == (date(2026, 6, 12), 0) and days[-2][0] == date(2026, 6, 11) and len(days) == 29
    mid_day = HourlyUsage(datetime(2026, 5, 15, 14, tzinfo=timezone.utc), (100,) * (28 * 24))
    assert [d for d, _c in _whole_days(mid_day, date(2026, 6, 12))][:1] == [date(2026, 5, 16)]
