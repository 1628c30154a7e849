"""Auth and isolation on every team path; admin routes; fault injection."""

import re

import httpx
import pytest

from xconsole.core import errors
from xconsole.sandbox.faults import Faults, parse_faults
from tests.sandbox_helpers import BASE


def team_routes(app):
    """(method, path template) of every documented route with a team in its path."""
    for path, operations in app.openapi()["paths"].items():
        if "{team_id}" in path or "{teamId}" in path:
            for method in sorted(operations):
                yield method.upper(), path


def fill(path, team_id):
    path = path.replace("{team_id}", team_id).replace("{teamId}", team_id)
    return re.sub(r"\{[^}]+\}", "pm_x", path)


BODIES = {
    "billing-info": {"billingInfo": {"name": "x"}},
    "payment-method/default": {"paymentMethodId": "pm_x"},
    "spending-limits": {"desiredSoftSpendingLimit": {"val": "0"}},
    "top-up": {"amount": {"val": "2500"}},
    "usage": {"analyticsRequest": {"timeRange": {"startTime": "2026-11-01 00:00:00", "endTime": "2026-11-02 00:00:00"}}},
    "auto-top-up": {"autoTopUp": {"enabled": False}},
    "promo-codes": {"code": "WELCOME25"},
    "payment-method": {"card": {"number": "4242424242424242", "expMonth": 1, "expYear": 2030, "cvc": "123"}},
    "invoiced-billing": {"action": "REQUEST"},
    "api-keys": {"name": "x", "acls": []},
}


def body_for(path):
    for suffix, body in sorted(BODIES.items(), key=lambda kv: -len(kv[0])):
        if path.endswith(suffix):
            return body
    return None


async def test_team_a_key_gets_404_on_team_b_for_every_team_path(sb):
    a, b = sb.teams["lumen"], sb.teams["orbit"]
    routes = list(team_routes(sb.app))
    assert len(routes) >= 20
    before = (await sb.http.get(f"/v1/billing/teams/{b.team_id}/prepaid/balance", headers={"Authorization": f"Bearer {b.key}"})).json()
    for method, template in routes:
        path = fill(template, b.team_id)
        r = await sb.http.request(method, path, json=body_for(path), headers={"Authorization": f"Bearer {a.key}"})
        assert r.status_code == 404, (method, path, r.status_code, r.text)
    after = (await sb.http.get(f"/v1/billing/teams/{b.team_id}/prepaid/balance", headers={"Authorization": f"Bearer {b.key}"})).json()
    assert after["changes"] == before["changes"]


async def test_read_only_key_gets_403_on_every_billing_write(sb):
    team = sb.teams["lumen"]
    for method, template in team_routes(sb.app):
        if method == "GET" or not template.startswith("/v1/billing") or template.endswith("/usage"):
            continue
        path = fill(template, team.team_id)
        r = await sb.http.request(method, path, json=body_for(path), headers={"Authorization": f"Bearer {team.read_only_key}"})
        assert r.status_code == 403, (method, path, r.status_code)
        assert "BillingWrite" in r.json()["message"]


async def test_missing_or_unknown_key_is_401_and_not_uuid_is_400(sb):
    team = sb.teams["lumen"]
    path = f"/v1/billing/teams/{team.team_id}/prepaid/balance"
    assert (await sb.http.get(path)).status_code == 401
    r = await sb.http.get(path, headers={"Authorization": "Bearer xai-nope-0000000000000000"})
    assert r.status_code == 401 and r.json()["code"] == 16
    r = await sb.http.get("/v1/billing/teams/default/prepaid/balance", headers={"Authorization": f"Bearer {team.key}"})
    assert r.status_code == 400 and r.json()["message"] == "Invalid uuid"


async def test_client_maps_sandbox_auth_errors(sb):
    client = sb.client("lumen", read_only=True)
    with pytest.raises(errors.PermissionDenied):
        await client.top_up(sb.teams["lumen"].team_id, 2500)
    with pytest.raises(errors.NotFound):
        await client.get_prepaid_balance(sb.teams["orbit"].team_id)


async def test_every_response_carries_the_sandbox_header(sb):
    r = await sb.http.get("/nope")
    assert r.status_code == 404 and r.headers["x-xconsole-sandbox"] == "1"
    assert r.json()["code"] == 5


async def test_admin_routes_are_loopback_only(sb):
    remote = httpx.AsyncClient(transport=httpx.ASGITransport(app=sb.app, client=("203.0.113.9", 5000)), base_url=BASE)
    r = await remote.get("/sandbox/teams")
    assert r.status_code == 403
    await remote.aclose()


async def test_admin_teams_clock_and_faults(sb):
    teams = (await sb.http.get("/sandbox/teams")).json()["teams"]
    assert [t["name"] for t in teams] == ["Lumen Labs", "Orbit Robotics", "Helix Health"]
    assert all(t["managementKey"].startswith("xai-") for t in teams)
    assert await sb.advance(60) == "2026-11-18T15:01:00Z"
    assert (await sb.http.post("/sandbox/clock", json={"advanceSeconds": -5})).status_code == 400
    assert await sb.faults(errorRate=1.0) == {"latencyMs": 0, "errorRate": 1.0, "rateLimitRate": 0.0, "timeoutRate": 0.0,
                                              "malformedRate": 0.0, "unknownEnumRate": 0.0, "missingFieldRate": 0.0}
    client = sb.client("lumen", max_attempts=1)
    with pytest.raises(errors.Unavailable, match="Sandbox fault"):
        await client.get_prepaid_balance(sb.teams["lumen"].team_id)
    await sb.faults(rateLimitRate=1.0)
    with pytest.raises(errors.RateLimited) as info:
        await client.get_prepaid_balance(sb.teams["lumen"].team_id)
    assert info.value.retry_after == 1.0
    await sb.faults()
    await client.get_prepaid_balance(sb.teams["lumen"].team_id)


async def test_get_recovers_from_transient_sandbox_faults(sb):
    await sb.faults(errorRate=0.5)
    client = sb.client("lumen", max_attempts=8)
    for _ in range(5):
        await client.get_invoice_preview(sb.teams["lumen"].team_id)


async def test_body_faults_damage_answers_the_client_reads_or_refuses_cleanly(sb):
    team = sb.teams["lumen"].team_id
    client = sb.client("lumen", max_attempts=1)
    await sb.faults(malformedRate=1.0)
    with pytest.raises(errors.ProtocolError, match="Unexpected response"):
        await client.get_prepaid_balance(team)
    await sb.faults(unknownEnumRate=1.0)
    ledger = await client.get_prepaid_balance(team)
    assert ledger.changes and {c.change_origin.value for c in ledger.changes} == {"UNKNOWN"}
    await sb.faults(missingFieldRate=1.0)
    with pytest.raises(errors.ProtocolError, match="coreInvoice"):  # never read as a $0.00 balance
        await client.get_invoice_preview(team)
    assert (await client.list_payment_methods(team)).payment_methods == []  # an absent list is empty (proto3)
    await sb.faults()
    assert (await client.get_invoice_preview(team)).core_invoice.prepaid_credits.val != 0


def test_fault_spec_parsing():
    assert parse_faults("latency=200ms,error=0.05,429=0.02,timeout=0.01") == Faults(200, 0.05, 0.02, 0.01)
    assert parse_faults("malformed=0.1,enum=0.2,missing=0.3") == Faults(
        malformed_rate=0.1, unknown_enum_rate=0.2, missing_field_rate=0.3)
    assert parse_faults("latency=2s").latency_ms == 2000
    assert parse_faults("") == Faults()
    for bad in ("latency=fast", "error=2", "bogus=1", "error=0.6,malformed=0.6"):
        with pytest.raises(ValueError):
            parse_faults(bad)


async def test_a_sandbox_crash_still_says_it_is_the_sandbox(monkeypatch):
    """One 500 without the header would make clients take it for the real API for good."""
    from xconsole.sandbox.service import BillingService
    from tests.sandbox_helpers import SandboxHarness

    def crash(self, team_id):
        raise RuntimeError("boom")

    import httpx

    from xconsole.sandbox.embedded import BASE_URL, ThreadedASGITransport

    monkeypatch.setattr(BillingService, "get_billing_info", crash)
    harness = await SandboxHarness().start()
    lumen = harness.teams["lumen"]
    async with httpx.AsyncClient(transport=ThreadedASGITransport(harness.app), base_url=BASE_URL) as http:
        response = await http.get(f"/v1/billing/teams/{lumen.team_id}/billing-info",
                                  headers={"Authorization": f"Bearer {lumen.key}"})
    assert response.status_code == 500 and response.headers["x-xconsole-sandbox"] == "1"
    await harness.close()
