"""What a purchase did, said exactly, against the strict real-shape server and the sandbox."""

import json

import httpx
import pytest

from xconsole.core import errors
from xconsole.core.client import ManagementClient
from xconsole.core.purchase import PurchaseState, buy_credits
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import PM_DEFAULT, StrictApi

URLS = ["https://management-api.x.ai:443", "https://management-api.x.ai", "http://127.0.0.1:8787/"]


async def _no_sleep(_seconds):
    return None


@pytest.fixture(params=URLS)
async def strict(request):
    api = StrictApi()
    client = ManagementClient(ref.KEY, request.param, transport=api.transport())
    yield api, client
    await client.aclose()
    assert api.extension_requests == []  # nothing sandbox-only ever went to the real API's shape


async def test_25_dollars_send_exactly_the_amount_once_and_the_charge_is_followed_in_the_ledger(strict):
    api, client = strict
    progress = []
    purchase = await buy_credits(client, ref.TEAM, 2500, on_progress=progress.append, sleep=_no_sleep)
    top_ups = api.sent("POST", "/prepaid/top-up")
    assert len(top_ups) == 1 and json.loads(top_ups[0].body) == {"amount": {"val": "2500"}}
    assert api.charged == [PM_DEFAULT]  # the real API charges the default method, whatever is listed first
    assert purchase.state is PurchaseState.BOUGHT and purchase.created and purchase.ledger_checks == 1
    assert purchase.message() == "$25.00 of credits bought."
    assert any("checking the ledger (1/3)" in p for p in progress)


async def test_a_charge_still_running_after_the_bound_is_charging_never_bank_transfer(strict):
    api, client = strict
    api.settle_after_reads = None  # stays TO_CHARGE
    purchase = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)
    assert purchase.state is PurchaseState.CHARGING and purchase.ledger_checks == 3
    assert "charging" in purchase.message() and "bank" not in purchase.message().lower()
    assert len(api.sent("POST", "/prepaid/top-up")) == 1  # followed by reading, never by sending again


async def test_a_second_purchase_while_one_is_pending_makes_no_new_charge(strict):
    api, client = strict
    api.settle_after_reads = None
    first = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)
    second = await buy_credits(client, ref.TEAM, 5000, sleep=_no_sleep)
    assert first.state is PurchaseState.CHARGING
    assert second.state is PurchaseState.ALREADY_PENDING and not second.created
    assert second.message().startswith("A top-up of $25.00 from ")
    assert "is still pending; no new charge was made" in second.message()
    assert len(api.sent("POST", "/prepaid/top-up")) == 2 and len(api.charged) == 1
    # The same amount again is recognised too: it was pending before the request.
    third = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)
    assert third.state is PurchaseState.ALREADY_PENDING


async def test_a_failed_charge_is_reported_as_failed(strict):
    api, client = strict
    api.settle_to = "FAILED_TO_CHARGE"
    purchase = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)
    assert purchase.state is PurchaseState.FAILED and purchase.severity == "error"
    assert "could not be charged" in purchase.message()


async def test_under_the_minimum_nothing_is_sent(strict):
    api, client = strict
    with pytest.raises(errors.Validation, match=r"at least \$25.00") as info:
        await buy_credits(client, ref.TEAM, 2499, sleep=_no_sleep)
    assert info.value.field == "amount" and api.requests == []


async def test_a_lost_answer_is_found_in_the_ledger_and_never_resent():
    api = StrictApi(settle_after_reads=None)
    inner = api.transport()

    class LoseTopUpAnswer(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request):
            response = await inner.handle_async_request(request)
            if request.url.path.endswith("/prepaid/top-up"):
                raise httpx.ReadError("connection reset while reading the answer", request=request)
            return response

    client = ManagementClient(ref.KEY, "https://management-api.x.ai", transport=LoseTopUpAnswer())
    purchase = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)
    assert purchase.reconciled and purchase.created and purchase.state is PurchaseState.CHARGING
    assert "nothing was re-sent" in purchase.message()
    assert len(api.sent("POST", "/prepaid/top-up")) == 1
    await client.aclose()


async def test_on_the_sandbox_a_bank_transfer_is_pending_and_a_card_is_bought():
    from tests.sandbox_helpers import SandboxHarness

    harness = await SandboxHarness().start()
    client = harness.client("lumen")
    methods = (await client.list_payment_methods(client_team := harness.teams["lumen"].team_id)).payment_methods
    card = next(m for m in methods if m.card_details is not None)
    bought = await buy_credits(client, client_team, 2500, payment_method_id=card.payment_method_id, sleep=_no_sleep)
    assert bought.state is PurchaseState.BOUGHT
    bank = await buy_credits(client, client_team, 3000, bank_transfer=True, sleep=_no_sleep)
    assert bank.state is PurchaseState.BANK_TRANSFER and "2–3 business days" in bank.message()
    again = await buy_credits(client, client_team, 4000, payment_method_id=card.payment_method_id, sleep=_no_sleep)
    assert again.state is PurchaseState.ALREADY_PENDING and "$30.00" in again.message()
    await harness.close()


def _answering(balances, top_up):
    """A server answering the ledger reads in turn (the last one repeated) and the top-up."""
    reads = iter(balances)
    last = {}

    def handle(request):
        if request.url.path.endswith("/prepaid/balance"):
            last["body"] = next(reads, last.get("body"))
            return httpx.Response(200, json=last["body"])
        if request.url.path.endswith("/prepaid/top-up"):
            return top_up(request) if callable(top_up) else httpx.Response(200, json=top_up)
        return httpx.Response(404)

    return ManagementClient(ref.KEY, "https://management-api.x.ai", transport=httpx.MockTransport(handle))


def _row(status, cents, when=None):
    row = {"changeOrigin": "PURCHASE", "topupStatus": status, "amount": {"val": str(-cents)}}
    return {**row, "createTime": when} if when else row


async def test_a_lost_answer_while_an_earlier_charge_settles_is_not_a_purchase():
    earlier = _row("TO_CHARGE", 2500, "2026-11-28T10:00:00Z")

    def lost(request):
        raise httpx.ReadTimeout("answer lost", request=request)

    client = _answering([{"changes": [earlier]}, {"changes": [{**earlier, "topupStatus": "SUCCEEDED"}]}], lost)
    with pytest.raises(errors.Unavailable, match="not in the ledger"):
        await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)


async def test_an_unreported_amount_on_a_new_change_is_still_this_purchase():
    client = _answering([{"changes": []}, {"changes": [_row("SUCCEEDED", 2500, "2026-11-28T10:00:00Z")]}],
                        {"change": {"changeOrigin": "PURCHASE", "topupStatus": "TO_CHARGE", "amount": None,
                                    "createTime": "2026-11-28T10:00:00Z"}})
    purchase = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep)
    assert purchase.created and purchase.state is PurchaseState.BOUGHT


async def test_without_creation_times_an_older_purchase_is_never_taken_for_this_one():
    older = _row("SUCCEEDED", 2500)
    client = _answering([{"changes": [older]}, {"changes": [older, _row("TO_CHARGE", 2500)]}],
                        {"change": _row("TO_CHARGE", 2500)})
    purchase = await buy_credits(client, ref.TEAM, 2500, sleep=_no_sleep, follow_delays=(0.0,))
    assert purchase.created and purchase.state is PurchaseState.CHARGING  # not "bought"


async def test_an_earlier_change_that_is_not_pending_is_unclear_not_pending():
    done = _row("SUCCEEDED", 2500, "2026-11-28T10:00:00Z")
    client = _answering([{"changes": [done]}], {"change": done})
    purchase = await buy_credits(client, ref.TEAM, 5000, sleep=_no_sleep)
    assert purchase.state is PurchaseState.UNCLEAR and "Check the ledger" in purchase.message()
