"""One suite, several backends: every client method against the reference's shapes, the strict
real-shape server at three base URLs, and the sandbox."""

import functools

import pytest

from xconsole.core import errors, models
from tests.contract.backends import reference_backend, sandbox_backend, strict_backend

BACKENDS = {
    "reference": reference_backend,
    "strict-https443": functools.partial(strict_backend, "https443"),
    "strict-http": functools.partial(strict_backend, "http"),
    "strict-http-slash": functools.partial(strict_backend, "http-slash"),
    "sandbox": sandbox_backend,
}


@pytest.fixture(params=list(BACKENDS))
async def backend(request):
    value, close = await BACKENDS[request.param]()
    yield value
    if value.strict is not None:  # nothing sandbox-only ever reached the strict server
        assert value.strict.extension_requests == []
    await close()


async def test_validation_names_the_team(backend):
    info = await backend.client.validate_key()
    assert info.discovered_team_id == backend.team_id
    assert info.redacted_api_key.startswith("xai-")


async def test_wrong_key_is_an_auth_error(backend):
    with pytest.raises(errors.AuthError):
        await backend.bad_key_client.get_prepaid_balance(backend.team_id)


async def test_another_team_is_not_found(backend):
    with pytest.raises(errors.NotFound):
        await backend.client.get_invoice_preview(backend.other_team_id)


async def test_live_balance_follows_the_preview(backend):
    preview = await backend.client.get_invoice_preview(backend.team_id)
    ci = preview.core_invoice
    assert preview.live_balance_cents == -ci.prepaid_credits.val + ci.prepaid_credits_used.val
    assert ci.prepaid_credits is not None and ci.prepaid_credits.val <= 0 and ci.prepaid_credits_used.val <= 0
    assert preview.month_to_date_spend_cents == ci.total_with_corr.val >= 0
    assert 1 <= preview.billing_cycle.month <= 12
    assert sum(line.amount for line in ci.lines) <= ci.amount_before_vat or not ci.lines


async def test_ledger_signs(backend):
    ledger = await backend.client.get_prepaid_balance(backend.team_id)
    assert ledger.changes
    for change in ledger.changes:
        if change.change_origin in (models.ChangeOrigin.PURCHASE, models.ChangeOrigin.AUTO_PURCHASE):
            assert change.amount.val < 0
        if change.change_origin is models.ChangeOrigin.SPEND:
            assert change.amount.val > 0 and change.spend_bp_key_month
    assert ledger.posted_remaining_cents == -ledger.total.val


async def test_invoices_and_single_invoice(backend):
    invoices = await backend.client.list_invoices(backend.team_id)
    assert invoices
    for invoice in invoices:
        assert invoice.invoice_number and invoice.kind in ("monthly", "prepaid")
        assert invoice.total == invoice.subtotal + invoice.tax
    first = invoices[0]
    assert await backend.client.get_invoice(backend.team_id, first.invoice_id) == first
    year = int(first.period[:4])
    month = int(first.period[5:])
    in_cycle = await backend.client.list_invoices(backend.team_id, billing_cycle=(year, month))
    assert first.invoice_id in {i.invoice_id for i in in_cycle}


async def test_payment_methods_and_default(backend):
    methods = await backend.client.list_payment_methods(backend.team_id)
    assert methods.payment_methods
    for method in methods.payment_methods:
        assert method.payment_method_id
        assert (method.card_details is not None) == (method.payment_type == "card")
    default = models.default_method(methods.payment_methods)
    assert (default is not None) == backend.sandbox  # only the sandbox says which; never a guess
    chosen = methods.payment_methods[-1]
    await backend.client.set_default_payment_method(backend.team_id, chosen.payment_method_id)
    known = models.default_method(methods.payment_methods, backend.client.known_defaults.get(backend.team_id))
    assert known is not None and (backend.sandbox or known is chosen)


async def test_spending_limits(backend):
    limits = await backend.client.get_spending_limits(backend.team_id)
    assert 0 <= limits.limit_cents <= limits.ceiling_cents
    assert await backend.client.set_soft_spending_limit(backend.team_id, limits.effective_sl.val) == limits.effective_sl.val


async def test_top_up_creates_a_purchase(backend):
    change = await backend.client.top_up(backend.team_id, 2500)
    assert change.change_origin is models.ChangeOrigin.PURCHASE and change.amount.val < 0
    assert change.topup_status in (models.TopupStatus.TO_CHARGE, models.TopupStatus.SUCCEEDED)


async def test_usage_series(backend):
    request = models.AnalyticsRequest(
        time_range=models.TimeRange(start_time="2025-06-01 00:00:00", end_time="2025-06-03 00:00:00"),
        group_by=["description"],
    )
    usage = await backend.client.usage(backend.team_id, request)
    for series in usage.time_series:
        assert len(series.data_points) == 2
        assert all(v >= 0 for p in series.data_points for v in p.values)


async def test_billing_info_round_trip(backend):
    info = await backend.client.get_billing_info(backend.team_id)
    assert info.name and len(info.address.country) == 2
    await backend.client.set_billing_info(backend.team_id, info)


async def test_api_keys_and_audit(backend):
    keys = await backend.client.list_api_keys(backend.team_id)
    assert keys.api_keys and all(k.api_key is None for k in keys.api_keys)
    created = await backend.client.create_api_key(backend.team_id, models.CreateApiKeyRequest(name="contract", acls=["api-key:endpoint:chat"]))
    assert created.api_key and created.api_key_id
    events = await backend.client.list_audit_events(backend.team_id, page_size=5)
    assert events.events and events.events[0].description


async def test_console_only_features(backend):
    # Against the real API they are console-only and nothing is sent; the sandbox implements them.
    assert await backend.client.identify() is backend.sandbox
    if not backend.sandbox:
        with pytest.raises(errors.NotSupportedByApi):
            await backend.client.get_auto_top_up(backend.team_id)
    else:
        assert (await backend.client.get_auto_top_up(backend.team_id)).amount.val >= 2500
