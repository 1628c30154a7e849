"""ManagementClient against the reference's example payloads (respx)."""

import json

import httpx
import pytest
import respx

from xconsole.core import errors, models
from xconsole.core.client import ManagementClient
from tests.fixtures import reference as ref


@pytest.fixture
def sleeps():
    return []


@pytest.fixture
async def client(sleeps):
    async def fake_sleep(seconds):
        sleeps.append(seconds)

    c = ManagementClient(ref.KEY, ref.BASE, sleep=fake_sleep)
    yield c
    await c.aclose()


@pytest.fixture
def api():
    with respx.mock(base_url=ref.BASE, assert_all_called=False) as mock:
        yield mock


async def test_sends_bearer_key_and_user_agent(client, api):
    route = api.get("/auth/management-keys/validation").respond(json=ref.VALIDATION)
    info = await client.validate_key()
    request = route.calls.last.request
    assert request.headers["authorization"] == f"Bearer {ref.KEY}"
    assert request.headers["user-agent"].startswith("xconsole/")
    assert info.discovered_team_id == ref.TEAM


async def test_an_org_key_names_no_team(client, api):
    api.get("/auth/management-keys/validation").respond(json={"scope": "SCOPE_ORGANIZATION", "scopeId": "org"})
    assert (await client.validate_key()).discovered_team_id is None


async def test_billing_info_get_and_set(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/billing-info").respond(json=ref.BILLING_INFO)
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/billing-info").respond(json={})
    info = await client.get_billing_info(ref.TEAM)
    assert info.address.postal_code == "94105" and info.tax_id_type == "us_ein"
    info.address.line2 = ""
    await client.set_billing_info(ref.TEAM, info)
    sent = json.loads(post.calls.last.request.content)
    assert sent["billingInfo"]["address"]["postalCode"] == "94105"
    assert sent["billingInfo"]["address"]["line2"] == ""  # whole object, empty strings included


async def test_invoice_filters_use_the_documented_query_names(client, api):
    route = api.get(f"/v1/billing/teams/{ref.TEAM}/invoices").respond(json=ref.INVOICES)
    invoices = await client.list_invoices(ref.TEAM, billing_cycle=(2025, 5))
    assert route.calls.last.request.url.params.multi_items() == [("billingCycle.year", "2025"), ("billingCycle.month", "5")]
    assert invoices[0].total == 619 and invoices[0].lines[0].num_units == 412880
    await client.list_invoices(ref.TEAM, since=(2025, 1))
    assert route.calls.last.request.url.params.multi_items() == [("since.year", "2025"), ("since.month", "1")]
    await client.list_invoices(ref.TEAM, invoice_ids=["a", "b"])
    assert route.calls.last.request.url.params.get_list("invoiceIds.invoiceIds") == ["a", "b"]
    with pytest.raises(ValueError):
        await client.list_invoices(ref.TEAM, since=(2025, 1), invoice_ids=["a"])


async def test_get_invoice_filters_by_id(client, api):
    route = api.get(f"/v1/billing/teams/{ref.TEAM}/invoices").respond(json=ref.INVOICES)
    invoice = await client.get_invoice(ref.TEAM, "Qm9ndXNJbnZvaWNlSWQtMjAyNS0wNQ==")
    assert invoice.invoice_number == "318-905-442-017"
    assert route.calls.last.request.url.params["invoiceIds.invoiceIds"] == "Qm9ndXNJbnZvaWNlSWQtMjAyNS0wNQ=="
    with pytest.raises(errors.NotFound):
        await client.get_invoice(ref.TEAM, "other")


async def test_payment_methods_and_default(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/payment-method").respond(json=ref.PAYMENT_METHODS)
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/payment-method/default").respond(json={})
    methods = await client.list_payment_methods(ref.TEAM)
    card = methods.payment_methods[0].card_details
    assert (card.exp_month, card.exp_year, card.last4) == (8, 2029, "4242")
    assert methods.pending_payment_method is None
    await client.set_default_payment_method(ref.TEAM, "pm_1Qx7fakeExample")
    assert json.loads(post.calls.last.request.content) == {"paymentMethodId": "pm_1Qx7fakeExample"}


async def test_preview_gives_the_live_balance(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/invoice/preview").respond(json=ref.PREVIEW)
    preview = await client.get_invoice_preview(ref.TEAM)
    assert preview.live_balance_cents == 3125
    assert preview.billing_cycle.month == 6


async def test_spending_limits_get_and_set(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/spending-limits").respond(json=ref.SPENDING_LIMITS)
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/postpaid/spending-limits").respond(json=ref.SET_LIMIT_RESPONSE)
    limits = await client.get_spending_limits(ref.TEAM)
    assert limits.effective_hard_sl.val == 50000 and limits.hard_sl_override is None
    assert await client.set_soft_spending_limit(ref.TEAM, 15000) == 15000
    assert json.loads(post.calls.last.request.content) == {"desiredSoftSpendingLimit": {"val": "15000"}}


async def test_prepaid_balance_ledger(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").respond(json=ref.PREPAID_BALANCE)
    ledger = await client.get_prepaid_balance(ref.TEAM)
    assert ledger.posted_remaining_cents == 250
    assert ledger.changes[1].change_origin is models.ChangeOrigin.SPEND
    assert ledger.changes[1].spend_bp_key_month == 5


async def test_top_up_body_is_the_documented_one(client, api):
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/prepaid/top-up").respond(json=ref.TOP_UP_RESPONSE)
    change = await client.top_up(ref.TEAM, 2500, idempotency_key="k-1")
    request = post.calls.last.request
    assert json.loads(request.content) == {"amount": {"val": "2500"}}
    assert request.headers["idempotency-key"] == "k-1"
    assert change.topup_status is models.TopupStatus.TO_CHARGE and change.credit_cents == 2000
    with pytest.raises(ValueError):
        await client.top_up(ref.TEAM, 0)



async def test_usage_request_and_float_dollars(client, api):
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/usage").respond(json=ref.USAGE_RESPONSE)
    request = models.AnalyticsRequest(
        time_range=models.TimeRange(start_time="2025-06-01 00:00:00", end_time="2025-06-03 00:00:00"),
        group_by=["description"],
    )
    usage = await client.usage(ref.TEAM, request)
    assert json.loads(post.calls.last.request.content) == {
        "analyticsRequest": {
            "timeRange": {"startTime": "2025-06-01 00:00:00", "endTime": "2025-06-03 00:00:00", "timezone": "Etc/GMT"},
            "timeUnit": "TIME_UNIT_DAY",
            "values": [{"name": "usd", "aggregation": "AGGREGATION_SUM"}],
            "groupBy": ["description"],
            "filters": [],
        }
    }
    assert usage.time_series[0].label == "Chat grok-4-0709"
    assert usage.time_series[0].data_points[0].values == [1.2841]


async def test_api_key_endpoints(client, api):
    create = api.post(f"/auth/teams/{ref.TEAM}/api-keys").respond(json=ref.API_KEY_CREATED)
    listing = api.get(f"/auth/teams/{ref.TEAM}/api-keys").respond(json=ref.API_KEY_LIST)
    key_id = ref.API_KEY_CREATED["apiKeyId"]
    put = api.put(f"/auth/api-keys/{key_id}").respond(json=ref.API_KEY_LIST["apiKeys"][0])
    delete = api.delete(f"/auth/api-keys/{key_id}").respond(json={})
    api.post(f"/auth/api-keys/{key_id}/rotate").respond(json=ref.API_KEY_CREATED)
    api.get(f"/auth/api-keys/{key_id}/propagation").respond(json=ref.PROPAGATION)

    created = await client.create_api_key(ref.TEAM, models.CreateApiKeyRequest(name="ci-runner", acls=["api-key:endpoint:chat"], tpm=200000))
    assert json.loads(create.calls.last.request.content) == {"name": "ci-runner", "acls": ["api-key:endpoint:chat"], "tpm": "200000"}
    assert created.tpm == 200000 and "secretValue" not in repr(created)
    page = await client.list_api_keys(ref.TEAM, page_size=10, acl_filters=["a", "b"], active_only=True)
    assert listing.calls.last.request.url.params.get_list("aclFilters") == ["a", "b"]
    assert page.pagination_token == "c2tpcDox" and page.api_keys[0].api_key is None
    await client.update_api_key(key_id, {"name": "v2", "disabled": True})
    assert json.loads(put.calls.last.request.content) == {"apiKey": {"name": "v2", "disabled": True}, "fieldMask": "name,disabled"}
    await client.delete_api_key(key_id)
    assert delete.called
    assert (await client.rotate_api_key(key_id)).api_key
    assert (await client.check_propagation(key_id)).ic_propagation == {"us-east-1.api.x.ai": True}


async def test_audit_events(client, api):
    route = api.get(f"/audit/teams/{ref.TEAM}/events").respond(json=ref.AUDIT_EVENTS)
    page = await client.list_audit_events(ref.TEAM, page_size=5, query="created")
    assert route.calls.last.request.url.params["eventFilter.query"] == "created"
    assert page.events[0].user.given_name == "Ada"


@pytest.mark.parametrize(
    ("status", "body", "error", "attrs"),
    [
        (400, {"code": 3, "message": "Invalid uuid", "details": []}, errors.Validation, {"message": "Invalid uuid"}),
        (400, {"code": 3, "message": "bad", "details": [{"fieldViolations": [{"field": "amount"}]}]}, errors.Validation, {"field": "amount"}),
        (401, {"code": 16, "message": "unauthenticated"}, errors.AuthError, {"status": 401}),
        (403, {"code": 7, "message": "missing ACL"}, errors.PermissionDenied, {"message": "missing ACL"}),
        (404, {"code": 5, "message": "team not found"}, errors.NotFound, {"message": "team not found"}),
        # A bare "Not Found" says what was asked for instead of the status's name twice.
        (404, "Not Found", errors.NotFound,
         {"message": f"the server has nothing at POST /v1/billing/teams/{ref.TEAM}/postpaid/spending-limits"}),
        (404, {"detail": "Not Found"}, errors.NotFound,
         {"message": f"the server has nothing at POST /v1/billing/teams/{ref.TEAM}/postpaid/spending-limits"}),
        (409, {"code": 9, "message": "in use"}, errors.Conflict, {}),
        (429, {"error": "slow down"}, errors.RateLimited, {"message": "slow down", "retry_after": 1.0}),
        (500, "boom", errors.Unavailable, {"message": "boom"}),
        (503, {"message": "down"}, errors.Unavailable, {}),
        (418, {}, errors.ApiError, {}),
    ],
)
async def test_status_mapping_on_writes(client, api, status, body, error, attrs):
    kwargs = {"json": body} if isinstance(body, dict) else {"text": body}
    route = api.post(f"/v1/billing/teams/{ref.TEAM}/postpaid/spending-limits").respond(
        status, headers={"retry-after": "1", "x-request-id": "req-9"}, **kwargs
    )
    with pytest.raises(error) as info:
        await client.set_soft_spending_limit(ref.TEAM, 100)
    for name, value in attrs.items():
        assert getattr(info.value, name) == value
    assert info.value.request_id == "req-9"
    assert route.call_count == 1  # a write is never retried


async def test_get_retries_on_5xx_then_succeeds(client, api, sleeps):
    route = api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").mock(
        side_effect=[httpx.Response(503), httpx.Response(502), httpx.Response(200, json=ref.PREPAID_BALANCE)]
    )
    ledger = await client.get_prepaid_balance(ref.TEAM)
    assert ledger.total.val == -250 and route.call_count == 3 and len(sleeps) == 2
    assert sleeps[1] > sleeps[0] * 1.0 or sleeps[1] >= 0.5  # exponential backoff with jitter


async def test_get_honours_retry_after_on_429(client, api, sleeps):
    route = api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").mock(
        side_effect=[httpx.Response(429, headers={"retry-after": "2"}), httpx.Response(200, json=ref.PREPAID_BALANCE)]
    )
    await client.get_prepaid_balance(ref.TEAM)
    assert route.call_count == 2 and sleeps == [2.0]


async def test_get_gives_up_after_max_attempts(client, api):
    route = api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").respond(504)
    with pytest.raises(errors.Unavailable):
        await client.get_prepaid_balance(ref.TEAM)
    assert route.call_count == 3


async def test_get_retries_connection_errors_but_post_does_not(client, api):
    get = api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").mock(
        side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=ref.PREPAID_BALANCE)]
    )
    await client.get_prepaid_balance(ref.TEAM)
    assert get.call_count == 2
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/prepaid/top-up").mock(side_effect=httpx.ReadTimeout("lost"))
    with pytest.raises(errors.Unavailable, match="Timed out"):
        await client.top_up(ref.TEAM, 2500)
    assert post.call_count == 1


async def test_post_429_is_not_retried(client, api):
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/prepaid/top-up").respond(429, headers={"retry-after": "1"})
    with pytest.raises(errors.RateLimited):
        await client.top_up(ref.TEAM, 2500)
    assert post.call_count == 1


async def test_malformed_json_is_a_protocol_error(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").respond(200, text="{not json")
    with pytest.raises(errors.ProtocolError):
        await client.get_prepaid_balance(ref.TEAM)
    api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/invoice/preview").respond(json={"coreInvoice": {"lines": "nope"}})
    with pytest.raises(errors.ProtocolError, match="coreInvoice.lines"):
        await client.get_invoice_preview(ref.TEAM)


async def test_console_only_calls_send_nothing_to_a_server_that_is_not_the_sandbox(client, api):
    validation = api.get("/auth/management-keys/validation").respond(json=ref.VALIDATION)
    assert client.sandbox is None and not client.extensions
    for call in (
        client.get_auto_top_up(ref.TEAM),
        client.set_auto_top_up(ref.TEAM, models.AutoTopUpSettings()),
        client.redeem_promo_code(ref.TEAM, "WELCOME"),
        client.add_card(ref.TEAM, models.CardInput(number="4242424242424242", exp_month=1, exp_year=2030, cvc="123")),
        client.remove_payment_method(ref.TEAM, "pm_1"),
        client.get_invoiced_billing(ref.TEAM),
        client.request_invoiced_billing(ref.TEAM),
        client.top_up(ref.TEAM, 2500, method=models.PurchaseMethod.BANK_TRANSFER),
        client.top_up(ref.TEAM, 2500, payment_method_id="pm_1"),
    ):
        with pytest.raises(errors.NotSupportedByApi) as info:
            await call
        assert ref.TEAM in info.value.console_url
    # The one request: the key validation that asked the server what it is (no sandbox header).
    assert [c.request.url.path for c in api.calls] == ["/auth/management-keys/validation"]
    assert validation.call_count == 1 and client.sandbox is False


async def test_the_sandbox_is_known_from_its_own_answers_and_never_from_the_url(api):
    sandbox_header = {"x-xconsole-sandbox": "1"}
    api.get("/auth/management-keys/validation").respond(json=ref.VALIDATION, headers=sandbox_header)
    auto = api.get(f"/v1/billing/teams/{ref.TEAM}/auto-top-up").respond(
        json={"autoTopUp": {"enabled": True, "amount": {"val": "2500"}}}, headers=sandbox_header)
    client = ManagementClient(ref.KEY, ref.BASE)
    assert (await client.get_auto_top_up(ref.TEAM)).amount.val == 2500
    assert client.sandbox is True and auto.call_count == 1
    # "Sandbox" is never taken on trust from another client: a second one learns it again.
    other = ManagementClient(ref.KEY, ref.BASE + "/")
    assert other.sandbox is None
    # One answer without the header and it is the real API for good: nothing more is sent there.
    api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").respond(json=ref.PREPAID_BALANCE)
    await client.get_prepaid_balance(ref.TEAM)
    assert client.sandbox is False and other.sandbox is False
    with pytest.raises(errors.NotSupportedByApi):
        await client.get_auto_top_up(ref.TEAM)
    assert auto.call_count == 1
    api.get("/auth/management-keys/validation").respond(json=ref.VALIDATION, headers=sandbox_header)
    await client.validate_key()
    assert client.sandbox is False  # never upgraded back
    await client.aclose()
    await other.aclose()


async def test_other_urls_are_not_assumed_to_be_the_sandbox():
    for url in ("http://127.0.0.1:8787", "https://management-api.x.ai:443", "https://proxy.example/xai/"):
        assert ManagementClient(ref.KEY, url).sandbox is None


async def test_the_key_never_appears_in_errors_or_reprs(client, api):
    assert ref.KEY not in repr(client) and "9QfZ" in repr(client)
    api.get("/auth/management-keys/validation").respond(401, json={"message": f"bad key {ref.KEY}"})
    with pytest.raises(errors.AuthError) as info:
        await client.validate_key()
    for text in (str(info.value), repr(info.value), info.value.message):
        assert ref.KEY not in text
    api.get(f"/v1/billing/teams/{ref.TEAM}/prepaid/balance").mock(side_effect=httpx.ConnectError(f"failed {ref.KEY}"))
    with pytest.raises(errors.Unavailable) as info:
        await client.get_prepaid_balance(ref.TEAM)
    assert ref.KEY not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_empty_key_is_refused():
    with pytest.raises(errors.AuthError):
        ManagementClient("   ")


async def test_a_top_up_to_the_real_api_is_exactly_the_amount(client, api):
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/prepaid/top-up").respond(json=ref.TOP_UP_RESPONSE)
    await client.top_up(ref.TEAM, 2500)
    assert post.call_count == 1
    assert json.loads(post.calls.last.request.content) == {"amount": {"val": "2500"}}


async def test_usage_is_a_read_and_is_retried(client, api, sleeps):
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/usage").mock(
        side_effect=[httpx.Response(503), httpx.Response(429, headers={"retry-after": "1"}), httpx.Response(200, json=ref.USAGE_RESPONSE)])
    request = models.AnalyticsRequest(time_range=models.TimeRange(start_time="2025-06-01 00:00:00", end_time="2025-06-03 00:00:00"))
    usage = await client.usage(ref.TEAM, request)
    assert post.call_count == 3 and usage.time_series and len(sleeps) == 2


@pytest.mark.parametrize("value", ['"NaN"', "NaN", '"Infinity"', "-Infinity", "1e400", '"1e13"'])
async def test_unreadable_usage_numbers_are_an_unreadable_answer(client, api, value):
    body = '{"timeSeries": [{"group": [], "dataPoints": [{"timestamp": "2025-06-01T00:00:00Z", "values": [%s]}]}]}' % value
    api.post(f"/v1/billing/teams/{ref.TEAM}/usage").respond(200, text=body, headers={"content-type": "application/json"})
    request = models.AnalyticsRequest(time_range=models.TimeRange(start_time="2025-06-01 00:00:00", end_time="2025-06-03 00:00:00"))
    with pytest.raises(errors.ProtocolError):
        await client.usage(ref.TEAM, request)


@pytest.mark.parametrize("path", ["billing_info.address.postal_code", "billingInfo.address.postalCode"])
async def test_a_server_field_path_reads_the_same_in_snake_or_camel_case(client, api, path):
    api.post(f"/v1/billing/teams/{ref.TEAM}/billing-info").respond(400, json={
        "code": 3, "message": "bad postal code",
        "details": [{"@type": "type.googleapis.com/google.rpc.BadRequest", "fieldViolations": [{"field": path}]}]})
    with pytest.raises(errors.Validation) as info:
        await client.set_billing_info(ref.TEAM, models.BillingInfo())
    assert info.value.field == "billingInfo.address.postalCode"


async def test_null_messages_read_as_unset_and_unknown_money_is_never_zero(client, api):
    api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/invoice/preview").respond(json={
        "coreInvoice": {"lines": None, "totalWithCorr": {"val": "1875"}, "prepaidCredits": None,
                        "prepaidCreditsUsed": None, "amountBeforeVat": None},
        "effectiveSpendingLimit": None, "billingCycle": None})
    preview = await client.get_invoice_preview(ref.TEAM)
    assert preview.live_balance_cents is None and preview.unreported == ["prepaidCredits"]
    assert preview.month_to_date_spend_cents == 1875
    api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/spending-limits").respond(json={
        "spendingLimits": {"hardSlOverride": None, "hardSlAuto": None, "effectiveHardSl": {"val": "50000"},
                           "softSl": None, "effectiveSl": None}})
    limits = await client.get_spending_limits(ref.TEAM)
    assert limits.limit_cents is None and limits.ceiling_cents == 50000
    api.get(f"/v1/billing/teams/{ref.TEAM}/payment-method").respond(json={
        "paymentMethods": [{"paymentMethodId": "pm_1", "billingInfo": {"address": None, "name": None},
                            "cardDetails": {"brand": "visa", "expMonth": "8", "expYear": "2029", "last4": "4242"},
                            "usBankAccountDetails": None, "linkDetails": None, "addedTs": None}],
        "pendingPaymentMethod": None})
    methods = await client.list_payment_methods(ref.TEAM)
    assert methods.payment_methods[0].billing_info.address.country == ""
    api.get(f"/v1/billing/teams/{ref.TEAM}/billing-info").respond(json={"billingInfo": None})
    assert (await client.get_billing_info(ref.TEAM)).name == ""


async def test_a_console_only_write_needs_an_answer_given_after_it_was_asked_for(api):
    """A sandbox stopped and another server started at the same URL never receives card data:
    a write re-asks the server (one validation GET) right before it is sent."""
    sandbox_header = {"x-xconsole-sandbox": "1"}
    validation = api.get("/auth/management-keys/validation")
    validation.respond(json=ref.VALIDATION, headers=sandbox_header)
    client = ManagementClient(ref.KEY, ref.BASE)
    assert await client.identify() is True
    # The server at that URL is now another one, which does not say it is the sandbox.
    validation.respond(json=ref.VALIDATION)
    card = api.post(f"/v1/billing/teams/{ref.TEAM}/payment-method").respond(json={"paymentMethod": {}})
    with pytest.raises(errors.NotSupportedByApi):
        await client.add_card(ref.TEAM, models.CardInput(number="4242424242424242", exp_month=1, exp_year=2030, cvc="123"))
    assert card.call_count == 0 and validation.call_count == 2
    await client.aclose()


async def test_an_empty_payment_method_id_is_still_an_extension_field(client, api):
    api.get("/auth/management-keys/validation").respond(json=ref.VALIDATION)
    post = api.post(f"/v1/billing/teams/{ref.TEAM}/prepaid/top-up").respond(json=ref.TOP_UP_RESPONSE)
    with pytest.raises(errors.NotSupportedByApi):
        await client.top_up(ref.TEAM, 2500, payment_method_id="")
    assert not post.called


async def test_a_big_answer_is_parsed_off_the_event_loop_and_a_small_one_on_it(client, api, monkeypatch):
    import threading

    threads: list[str] = []
    original = ManagementClient._parse

    def parse(self, *args):  # noqa: ANN001, ANN202
        threads.append(threading.current_thread().name)
        return original(self, *args)

    monkeypatch.setattr(ManagementClient, "_parse", parse)
    hours = [{"timestamp": f"2026-11-01T{h % 24:02d}:00:00Z", "values": [0.25]} for h in range(700)]
    api.post(f"/v1/billing/teams/{ref.TEAM}/usage").respond(json={"timeSeries": [{"dataPoints": hours}]})
    api.get(f"/v1/billing/teams/{ref.TEAM}/postpaid/spending-limits").respond(json=ref.SPENDING_LIMITS)
    from datetime import date

    from xconsole.core.spend import daily_request

    big = await client.usage(ref.TEAM, daily_request(date(2026, 11, 28), 30))
    await client.get_spending_limits(ref.TEAM)
    assert len(big.time_series[0].data_points) == 700
    assert threads[0].startswith("xconsole-cpu") and threads[1] == threading.main_thread().name


async def test_no_connection_is_unreachable_not_a_busy_service():
    from xconsole.core.client import ManagementClient

    async with ManagementClient(ref.KEY, "http://127.0.0.1:9", max_attempts=1) as client:
        with pytest.raises(errors.Unreachable) as failed:
            await client.get_prepaid_balance(ref.TEAM)
    assert str(failed.value).startswith("Cannot reach http://127.0.0.1:9") and failed.value.title == "Unreachable"
    assert isinstance(failed.value, errors.Unavailable) and failed.value.retryable  # handled as before


async def test_a_connection_lost_after_the_request_went_out_is_not_called_unreachable(client, api):
    api.post(f"/v1/billing/teams/{ref.TEAM}/prepaid/top-up").mock(side_effect=httpx.ReadError("connection reset"))
    with pytest.raises(errors.Unavailable) as failed:
        await client.top_up(ref.TEAM, 2_500)
    assert not isinstance(failed.value, errors.Unreachable)  # it may have been answered: outcome unknown
