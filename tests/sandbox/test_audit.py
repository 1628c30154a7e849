"""The sandbox's audit events (reference 4): one event in the real shape for every write it
accepts, worded like the real service ("… was created", "… was updated from X to Y"), named
after the caller's key, and served with the real query parameters (pageToken paging, pageSize,
eventTimeFrom/eventTimeTo, eventFilter.query, newest first).

The clock is frozen, so every event of a test shares one instant: paging must still neither skip
nor repeat an event."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from xconsole.core import errors, models

CARD = models.CardInput(number="4242 4242 4242 4242", exp_month=12, exp_year=2031, cvc="123", name="A Person")


async def newest(client, team_id, n=1, **kw):
    return (await client.list_audit_events(team_id, page_size=n, **kw)).events


async def test_every_write_records_one_event_in_the_real_shape(sb, lumen, helix):
    lumen_id, helix_id = sb.teams["lumen"].team_id, sb.teams["helix"].team_id
    methods = (await lumen.list_payment_methods(lumen_id)).payment_methods
    other = next(m for m in methods if not m.is_default)
    info = await lumen.get_billing_info(lumen_id)

    async def added():
        return await lumen.add_card(lumen_id, CARD)

    writes = [
        (helix, helix_id, lambda: helix.set_soft_spending_limit(helix_id, 250_000),
         "Invoiced billing limit was updated from $2,000.00 to $2,500.00"),
        (lumen, lumen_id, lambda: lumen.set_default_payment_method(lumen_id, other.payment_method_id),
         f"Default payment method was updated from Visa ··4242 to {other.label()}"),
        (lumen, lumen_id, lambda: lumen.set_billing_info(lumen_id, info.model_copy(update={"name": "Lumen Labs Inc."})),
         "Billing information was updated: name from 'Lumen Labs LLC' to 'Lumen Labs Inc.'"),
        (lumen, lumen_id, lambda: lumen.top_up(lumen_id, 2_500),
         f"Prepaid credits purchase of $25.00 was created (charged to {other.label()})"),
        (lumen, lumen_id, lambda: lumen.set_auto_top_up(lumen_id, models.AutoTopUpSettings(enabled=False)),
         "Auto top-up settings were updated from on (below $50.00 buy $100.00, at most $600.00 a month) to off"),
        (lumen, lumen_id, lambda: lumen.redeem_promo_code(lumen_id, "WELCOME25"),
         "Promo code WELCOME25 was redeemed: $25.00 in credits"),
        (lumen, lumen_id, added, "Payment method Visa ··4242 was created"),
        (sb.client("orbit"), sb.teams["orbit"].team_id,
         lambda: sb.client("orbit").request_invoiced_billing(sb.teams["orbit"].team_id),
         "Monthly invoiced billing was updated from DISABLED to REQUESTED"),
    ]
    for client, team_id, write, description in writes:
        before = await newest(client, team_id, 500)
        await write()
        after = await newest(client, team_id, 500)
        assert len(after) == len(before) + 1, description
        event = after[0]
        assert event.description == description
        assert event.user.email == "admin@sandbox.example" and event.user.user_id and event.user.given_name
        assert event.event_id and event.event_time is not None

    # Removing the default card records its removal and the new default, in that order.
    card = (await newest(lumen, lumen_id))[0]
    methods = (await lumen.list_payment_methods(lumen_id)).payment_methods
    default = next(m for m in methods if m.is_default)
    await lumen.remove_payment_method(lumen_id, default.payment_method_id)
    latest = [e.description for e in await newest(lumen, lumen_id, 2)]
    assert latest[1] == f"Payment method {default.label()} was deleted"
    assert latest[0].startswith(f"Default payment method was updated from {default.label()} to ")
    assert card.description.endswith("was created")


async def test_the_wire_shape_is_the_reference_shape(sb, lumen):
    team = sb.teams["lumen"]
    raw = (await sb.http.get(f"/audit/teams/{team.team_id}/events", params={"pageSize": 2},
                             headers={"Authorization": f"Bearer {team.key}"})).json()
    assert set(raw) == {"events", "nextPageToken"}
    event = raw["events"][0]
    assert set(event) >= {"eventTime", "eventId", "description", "user"}
    assert set(event["user"]) >= {"userId", "email", "givenName", "familyName"}
    assert raw["nextPageToken"] == raw["events"][-1]["eventId"]  # as in the reference's example


async def test_a_refused_write_records_nothing(sb, helix, orbit):
    team_id = sb.teams["orbit"].team_id
    before = await newest(orbit, team_id, 500)
    with pytest.raises(errors.Validation):
        await orbit.set_soft_spending_limit(team_id, 100)  # invoiced billing is not enabled: $0 only
    with pytest.raises(errors.ApiError):
        await orbit.redeem_promo_code(team_id, "NO-SUCH-CODE")
    assert await newest(orbit, team_id, 500) == before


async def test_pages_follow_the_token_without_skipping_events_of_one_instant(sb, helix):
    team_id = sb.teams["helix"].team_id
    for cents in range(100_000, 100_000 + 7 * 100, 100):  # seven events at the same frozen instant
        await helix.set_soft_spending_limit(team_id, cents)
    everything = await newest(helix, team_id, 500)
    seen, token, pages = [], None, 0
    while True:
        page = await helix.list_audit_events(team_id, page_size=3, page_token=token)
        seen += page.events
        pages += 1
        token = page.next_page_token
        if not token:
            break
    assert [e.event_id for e in seen] == [e.event_id for e in everything]
    assert pages == -(-len(everything) // 3)
    # Newest first: the last limit set comes first, then the one before it.
    assert everything[0].description.endswith("to $1,006.00") and everything[1].description.endswith("to $1,005.00")
    times = [e.event_time for e in everything]
    assert times == sorted(times, reverse=True)


async def test_time_range_query_and_order(sb, helix):
    team_id = sb.teams["helix"].team_id
    every = await newest(helix, team_id, 500)
    now = every[0].event_time
    await sb.advance(3600)
    await helix.set_soft_spending_limit(team_id, 123_400)
    later = now + timedelta(seconds=3600)

    recent = await newest(helix, team_id, 500, time_from=later)
    assert [e.description for e in recent] == ["Invoiced billing limit was updated from $2,000.00 to $1,234.00"]
    before = await newest(helix, team_id, 500, time_to=later)
    assert len(before) == len(every) and recent[0].event_id not in {e.event_id for e in before}
    window = await newest(helix, team_id, 500, time_from=now - timedelta(days=3650), time_to=now + timedelta(seconds=1))
    assert len(window) == len(every)

    found = await newest(helix, team_id, 500, query="LIMIT updated")  # every word, any case
    assert [e.event_id for e in found] == [recent[0].event_id]
    assert await newest(helix, team_id, 500, query="100%_") == []  # LIKE wildcards are literal

    oldest = await helix.list_audit_events(team_id, page_size=2, oldest_first=True)
    assert oldest.events[0].event_time <= oldest.events[1].event_time
    assert oldest.events[0].event_id == every[-1].event_id

    by_user = await helix.list_audit_events(team_id, page_size=500, user_id=every[0].user.user_id)
    assert {e.user.email for e in by_user.events} == {every[0].user.email}


async def test_bad_query_parameters_are_400_naming_the_parameter(sb):
    team = sb.teams["lumen"]
    auth = {"Authorization": f"Bearer {team.key}"}
    url = f"/audit/teams/{team.team_id}/events"
    for params, field in (({"pageToken": "not-an-event"}, "pageToken"), ({"eventTimeFrom": "yesterday"}, "eventTimeFrom"),
                          ({"eventTimeTo": "2025-13-45T00:00:00Z"}, "eventTimeTo")):
        r = await sb.http.get(url, params=params, headers=auth)
        assert r.status_code == 400, (params, r.text)
        assert field in r.text
    r = await sb.http.get(url, params={"eventTimeFrom": "2020-01-01T00:00:00+02:00"}, headers=auth)
    assert r.status_code == 200


async def test_auto_top_ups_and_settled_transfers_are_the_service_s_own_events(sb, lumen):
    """Time passing makes events too: those name the service, not a person."""
    team_id = sb.teams["lumen"].team_id
    start = datetime.fromisoformat(await sb.advance(0))
    await lumen.top_up(team_id, 5_000, method=models.PurchaseMethod.BANK_TRANSFER)
    await sb.advance(7 * 86_400)
    await lumen.get_prepaid_balance(team_id)  # brings the team up to the clock
    events = await newest(lumen, team_id, 500, time_from=start.astimezone(timezone.utc))
    settled = [e for e in events if e.description.startswith("Bank transfer of $50.00 was received")]
    assert settled and settled[0].user.email == "billing@x.ai"
    purchase = [e for e in events if "(pending bank transfer)" in e.description]
    assert purchase and purchase[0].user.email == "admin@sandbox.example"
