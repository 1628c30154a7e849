"""Backends behind one ManagementClient: the reference's recorded shapes (respx), the strict
real-shape server (tests/fixtures/strict_api.py) at several base URLs, in-process and over HTTP,
and the in-process sandbox. The contract tests run unchanged on all of them."""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import respx

from xconsole.core.client import ManagementClient
from tests.fixtures import reference as ref
from tests.sandbox_helpers import SandboxHarness


@dataclass
class Backend:
    name: str
    client: ManagementClient
    team_id: str
    bad_key_client: ManagementClient
    other_team_id: str
    sandbox: bool = False
    strict: object | None = None  # the StrictApi, whose requests the tests can inspect


def _reference_router(router: respx.Router | None = None) -> respx.Router:
    """Routes answering with the reference's shapes; pass `respx.mock(...)` to patch httpx itself."""
    router = router if router is not None else respx.Router(base_url=ref.BASE, assert_all_called=False)
    billing = f"/v1/billing/teams/{ref.TEAM}"

    def authed(payload, status=200):
        def respond(request: httpx.Request) -> httpx.Response:
            if request.headers.get("authorization") != f"Bearer {ref.KEY}":
                return httpx.Response(401, json={"code": 16, "message": "invalid management key"})
            return httpx.Response(status, json=payload)

        return respond

    def invoices(request: httpx.Request) -> httpx.Response:
        ids = request.url.params.get_list("invoiceIds.invoiceIds")
        year = request.url.params.get("billingCycle.year")
        since = request.url.params.get("since.year"), request.url.params.get("since.month")

        def cycle(i: dict) -> tuple[int, int]:
            return (i["monthly"]["billingCycle"]["year"], i["monthly"]["billingCycle"]["month"])

        found = [i for i in ref.INVOICES["invoices"] if (not ids or i["invoiceId"] in ids)
                 and (not year or cycle(i)[0] == int(year))
                 and (since[0] is None or cycle(i) >= (int(since[0]), int(since[1])))]
        return authed({"invoices": found})(request)

    def spending_limit(request: httpx.Request) -> httpx.Response:
        wanted = json.loads(request.content)["desiredSoftSpendingLimit"]
        return authed({"thisBpSoftSpendingLimit": wanted})(request)

    router.get("/auth/management-keys/validation").mock(side_effect=authed(ref.VALIDATION))
    router.get(f"{billing}/billing-info").mock(side_effect=authed(ref.BILLING_INFO))
    router.post(f"{billing}/billing-info").mock(side_effect=authed({}))
    router.get(f"{billing}/invoices").mock(side_effect=invoices)
    router.get(f"{billing}/payment-method").mock(side_effect=authed(ref.PAYMENT_METHODS))
    router.post(f"{billing}/payment-method/default").mock(side_effect=authed({}))
    router.get(f"{billing}/postpaid/invoice/preview").mock(side_effect=authed(ref.PREVIEW))
    router.get(f"{billing}/postpaid/spending-limits").mock(side_effect=authed(ref.SPENDING_LIMITS))
    router.post(f"{billing}/postpaid/spending-limits").mock(side_effect=spending_limit)
    router.get(f"{billing}/prepaid/balance").mock(side_effect=authed(ref.PREPAID_BALANCE))
    router.post(f"{billing}/prepaid/top-up").mock(side_effect=authed(ref.TOP_UP_RESPONSE))
    router.post(f"{billing}/usage").mock(side_effect=authed(ref.USAGE_RESPONSE))
    router.get(f"/auth/teams/{ref.TEAM}/api-keys").mock(side_effect=authed(ref.API_KEY_LIST))
    router.post(f"/auth/teams/{ref.TEAM}/api-keys").mock(side_effect=authed(ref.API_KEY_CREATED))
    router.get(f"/audit/teams/{ref.TEAM}/events").mock(side_effect=authed(ref.AUDIT_EVENTS))
    # Anything else (another team, console-only paths) is a plain 404, as on the real API.
    router.route().mock(return_value=httpx.Response(404, text="Not Found"))
    return router


async def reference_backend() -> tuple[Backend, callable]:
    transport = httpx.MockTransport(_reference_router().async_handler)
    client = ManagementClient(ref.KEY, ref.BASE, transport=transport)
    bad = ManagementClient("xai-wrongwrongwrongwrong0000", ref.BASE, transport=transport)

    async def close() -> None:
        await client.aclose()
        await bad.aclose()

    return Backend("reference", client, ref.TEAM, bad, "00000000-0000-4000-8000-000000000000"), close


async def sandbox_backend() -> tuple[Backend, callable]:
    harness = await SandboxHarness().start()
    client = harness.client("lumen")
    bad = ManagementClient("xai-wrongwrongwrongwrong0000", "http://sandbox.test", transport=harness.transport)

    async def close() -> None:
        await bad.aclose()
        await harness.close()

    return Backend("sandbox", client, harness.teams["lumen"].team_id, bad, harness.teams["orbit"].team_id,
                   sandbox=True), close


OTHER_TEAM = "00000000-0000-4000-8000-000000000000"


async def strict_backend(where: str) -> tuple[Backend, callable]:
    """The strict server at `where`: "https443" (in-process, as https://management-api.x.ai:443),
    "http" (uvicorn on loopback) or "http-slash" (the same URL with a trailing slash)."""
    from tests.fixtures.strict_api import Served, StrictApi

    api = StrictApi()
    served = None
    if where == "https443":
        transport, url = api.transport(), "https://management-api.x.ai:443"
    else:
        served = Served(api).__enter__()
        transport, url = None, served.url + ("/" if where == "http-slash" else "")
    client = ManagementClient(ref.KEY, url, transport=transport)
    bad = ManagementClient("xai-wrongwrongwrongwrong0000", url, transport=transport)

    async def close() -> None:
        await client.aclose()
        await bad.aclose()
        if served is not None:
            served.__exit__()

    return Backend(f"strict-{where}", client, ref.TEAM, bad, OTHER_TEAM, strict=api), close
