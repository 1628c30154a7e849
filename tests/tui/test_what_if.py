"""The auto top-up what-if on screen 2: draft settings replayed on 90 days of usage as they are
typed, the smallest settings with no rejected hour copied into the form (never saved), and the
real API, where only usage is read."""

import json
from datetime import datetime, timedelta, timezone

import httpx
from textual.widgets import Input, Static, Switch

from xconsole.core.session import TeamHandle
from xconsole.tui.widgets.what_if_panel import WhatIfPanel
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref
from tests.tui.harness import delayed_sandbox_app, embedded, plain, real_api_app, settle, type_text, wait_until


def what_if_reads(app) -> int:
    """Usage reads of the what-if: each asks for one range starting 90 days back (whole, or the
    first of its chunks); the snapshot's own usage reads never go back that far."""
    from xconsole.sandbox.clock import FROZEN_NOW

    count = 0
    for request in app.transport.requests:
        if request.url.path.endswith("/usage"):
            start = json.loads(request.content)["analyticsRequest"]["timeRange"]["startTime"]
            count += datetime.fromisoformat(start).replace(tzinfo=timezone.utc) < FROZEN_NOW - timedelta(days=80)
    return count


def panel(app) -> WhatIfPanel:
    return app.screen.query_one(WhatIfPanel)


def figures(app) -> str:
    return plain(app.screen.query_one("#what-if-figures", Static))


def smallest(app) -> str:
    return plain(app.screen.query_one("#what-if-smallest", Static))


def form(app) -> dict[str, str]:
    return {f: app.screen.query_one(f"#auto-{f}", Input).value for f in ("threshold", "amount", "monthlyLimit")}


async def open_auto(pilot) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)
    await wait_until(pilot, lambda: panel(pilot.app).result is not None or "usage" in figures(pilot.app).lower())


async def retype(pilot, field: str, text: str) -> None:
    """Focus the field, clear it and type `text` key by key, as a person would."""
    box = pilot.app.screen.query_one(f"#{field}", Input)
    box.focus()
    await pilot.press("end", *["backspace"] * len(box.value))
    await type_text(pilot, text)


async def test_typing_a_draft_replays_it_on_the_usage_at_once_without_reading_again():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_auto(pilot)
        usage_reads = what_if_reads(app)
        assert usage_reads == 1
        before = panel(app).result
        assert before is not None and before.settings.amount == 10000  # the saved settings: $50 / $100 / $600
        assert before.rejected_hours == 0 and "no hour with rejected requests" in figures(app)

        await retype(pilot, "auto-amount", "25")
        await retype(pilot, "auto-monthlyLimit", "100")
        await wait_until(pilot, lambda: (r := panel(app).result) is not None and r.settings.monthly_max == 10000)
        after = panel(app).result
        assert after.bought < before.bought and max(after.months.values()) <= 10000  # at most $100 a month
        assert after.rejected_hours > 0 and after.monthly_blocks
        text = figures(app)
        assert f"{after.top_ups} top-ups" in text and f"Requests rejected in {after.rejected_hours:,} hours" in text
        assert "Monthly maximum blocked a top-up: never" not in text
        # How fast the figures follow typing is measured by `make bench` (what-if), never asserted here.
        # Typing replays the usage already read: no request.
        assert what_if_reads(app) == usage_reads

        await retype(pilot, "auto-amount", "24")
        await wait_until(pilot, lambda: panel(app).result is None)
        assert "Fix the fields marked above" in figures(app)


async def test_usage_is_read_once_per_visit():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_auto(pilot)
        reads = what_if_reads(app)
        assert reads == 1
        await pilot.press("question_mark")  # a dialog over the screen is not a new visit
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("r")  # nor is a refresh: past usage does not change
        await settle(pilot)
        assert what_if_reads(app) == reads
        await pilot.press("right_square_bracket")  # another team: its usage, read once
        await settle(pilot)
        assert what_if_reads(app) == reads + 1 and "Type a trigger" in figures(app)  # Orbit has no settings
        await pilot.press("left_square_bracket")  # back: already read on this visit
        await settle(pilot)
        assert what_if_reads(app) == reads + 1
        reads += 1
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert what_if_reads(app) == reads + 1


async def test_loading_and_error_states_are_said():
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        team_id = app.store.team.team_id
        app.transport.hold(team_id)
        await pilot.press("2")
        await wait_until(pilot, lambda: app.transport.in_flight(team_id) > 0 and "Reading the last 90 days" in figures(app))
        app.transport.release(team_id)
        await settle(pilot)
        assert panel(app).result is not None

        await pilot.press("1")
        await settle(pilot)
        app.transport.drop_request.add(("POST", "/usage"))
        await pilot.press("2")
        await settle(pilot)
        # The last good figures stay, with why they may be old.
        assert panel(app).result is not None and "the last one failed" in figures(app)


async def test_the_smallest_settings_are_copied_into_the_form_by_the_key_and_not_saved():
    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_auto(pilot)
        saved = app.store.data().snapshot.auto_top_up
        await wait_until(pilot, lambda: panel(app).suggested is not None)
        rule = panel(app).suggested
        assert rule.monthly_max <= 60000  # within the budget offered: the saved monthly maximum, $600
        assert "Smallest with no rejected hour" in smallest(app)

        await retype(pilot, "what-if-budget", "600")  # the budget offered, typed again
        await pilot.press("u")  # in a text field u is a letter ...
        assert app.screen.query_one("#what-if-budget", Input).value == "600u"
        await pilot.press("backspace")
        await wait_until(pilot, lambda: panel(app).suggested == rule)
        await pilot.press("escape", "u")  # ... Esc leaves the field, and u copies
        await settle(pilot)
        assert form(app) == {"threshold": f"{rule.threshold / 100:,.2f}", "amount": f"{rule.amount / 100:,.2f}",
                             "monthlyLimit": f"{rule.monthly_max / 100:,.2f}"}
        assert app.screen.query_one("#auto-enabled", Switch).value
        await wait_until(pilot, lambda: panel(app).result is not None and panel(app).result.settings == rule)
        assert panel(app).result.rejected_hours == 0 and "(in the form now)" in smallest(app)
        assert any("not saved" in message for message, _ in app.notices)
        # Nothing was sent and the server still holds the old settings.
        assert app.transport.sent("POST", "/auto-top-up") == 0
        assert app.store.data().snapshot.auto_top_up == saved

        # A budget typed in: too small for any clean settings, then Enter in the field copies
        # (the form is not reviewed: Enter there belongs to the what-if).
        await retype(pilot, "what-if-budget", "25")
        await wait_until(pilot, lambda: "No settings within $25.00" in smallest(app))
        await pilot.press("enter")
        await settle(pilot)
        assert any("nothing to copy" in message for message, _ in app.notices)
        await retype(pilot, "what-if-budget", "5,000")
        await wait_until(pilot, lambda: panel(app).suggested is not None)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.__class__.__name__ == "AutoTopUpScreen"  # no confirmation dialog
        assert sum("Copied into the form, not saved" in message for message, _ in app.notices) == 2
        assert app.transport.sent("POST", "/auto-top-up") == 0


async def test_saving_journals_the_settings_before_and_after_the_edit():
    from xconsole.core.journal import Journal

    app = delayed_sandbox_app(embedded())
    async with app.run_test(size=(100, 30)) as pilot:
        await open_auto(pilot)
        await retype(pilot, "auto-amount", "150")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.transport.sent("POST", "/auto-top-up") == 1
    entry = Journal().entries()[-1]
    assert entry.before == "on (below $50.00 buy $100.00, at most $600.00 a month)"
    assert entry.after == "on (below $50.00 buy $150.00, at most $600.00 a month)"


def hourly_usage(request: httpx.Request) -> httpx.Response:
    """The real API's usage answer for the range asked: $0.50 in every hour (or day)."""
    body = json.loads(request.content)["analyticsRequest"]
    start = datetime.strptime(body["timeRange"]["startTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    end = datetime.strptime(body["timeRange"]["endTime"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=timezone.utc)
    step = timedelta(hours=1) if body.get("timeUnit") == "TIME_UNIT_HOUR" else timedelta(days=1)
    points, moment = [], start
    while moment < end:
        points.append({"timestamp": moment.strftime("%Y-%m-%dT%H:%M:%SZ"), "values": [0.5 if step.seconds else 12.0]})
        moment += step
    return httpx.Response(200, json={"timeSeries": [{"group": ["all"], "groupLabels": ["all"], "dataPoints": points}],
                                     "limitReached": False})


async def test_on_the_real_api_the_what_if_reads_usage_only_and_sends_nothing():
    router = _reference_router()
    router.post(f"/v1/billing/teams/{ref.TEAM}/usage").mock(side_effect=hourly_usage)
    app = real_api_app(httpx.MockTransport(router.async_handler), TeamHandle("Lumen", ref.TEAM, "keyring"), ref.KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        before = len(router.calls)
        await open_auto(pilot)
        opened = router.calls[before:]
        # 90 days of hours in 28-day chunks (four requests), read once; nothing else is asked.
        assert [c.request.url.path.rsplit("/", 1)[1] for c in opened] == ["usage"] * 4
        text = figures(app)
        assert "Reads only usage" in text and "enter them in the xAI console" in text
        assert "Type a trigger, amount and monthly maximum" in text  # the settings are unknown here
        assert not app.screen.query_one(".form-buttons").display  # a draft: there is nothing to save here
        assert form(app) == {"threshold": "", "amount": "", "monthlyLimit": ""}

        await retype(pilot, "auto-threshold", "10")
        await retype(pilot, "auto-amount", "25")
        await retype(pilot, "auto-monthlyLimit", "1000")
        await wait_until(pilot, lambda: panel(app).result is not None)
        result = panel(app).result
        assert result.resolution == "hour" and result.rejected_hours == 0 and result.top_ups > 0
        assert "spread evenly" not in figures(app)  # real hourly usage: nothing to caveat
        assert "invoiced billing limit in force, $100.00" in figures(app)  # the team's limit is headroom

        await retype(pilot, "what-if-budget", "500")
        await wait_until(pilot, lambda: panel(app).suggested is not None)
        await pilot.press("escape", "u")
        await settle(pilot)
        assert form(app)["amount"] == f"{panel(app).suggested.amount / 100:,.2f}"
        assert any("enter them in the xai console" in message.lower() for message, _ in app.notices)
        await retype(pilot, "auto-amount", "30")
        await pilot.press("enter")  # a review asks for nothing: it says where the setting lives
        await settle(pilot)
        assert any("set in the xAI console" in message for message, _ in app.notices)
    assert len(router.calls) == before + 4  # typing, copying and Enter asked the server nothing
    assert not [c for c in router.calls if "auto-top-up" in c.request.url.path]
    assert not [c for c in router.calls if c.request.method == "POST" and not c.request.url.path.endswith("/usage")]


async def test_daily_usage_no_usage_and_a_failed_first_read_are_said():
    """The panel alone: what it says for usage spread from days, for no usage at all, and for a
    first read that failed."""
    from textual.app import App

    from xconsole.core.hourly import HourlyUsage
    from xconsole.core.topup_replay import AutoRule

    class One(App):
        def compose(self):
            yield WhatIfPanel()

    start = datetime(2026, 8, 20, tzinfo=timezone.utc)
    app = One()
    async with app.run_test(size=(80, 30)) as pilot:
        shown = app.query_one(WhatIfPanel)
        text = lambda: plain(app.query_one("#what-if-figures", Static))  # noqa: E731
        assert "Reading the last 90 days of usage" in text()
        shown.show_usage(None, limit=0, loading=False, error="The server did not answer", console_only=False)
        await pilot.pause()
        assert "Could not read the usage: The server did not answer — r retries" in text()
        shown.set_draft(AutoRule(5000, 2500, 10000))
        shown.show_usage(HourlyUsage(start, (21,) * 24 * 90, resolution="day"), limit=0, loading=False, error=None,
                         console_only=False)
        await wait_until(pilot, lambda: shown.result is not None)
        assert "spread evenly over each day's hours" in text() and "20 Aug – 17 Nov (90 days)" in shown.border_title
        shown.show_usage(HourlyUsage(start, (0,) * 24 * 90), limit=0, loading=False, error=None, console_only=False)
        await wait_until(pilot, lambda: "No usage in the last 90 days" in text())
        assert shown.result is None
        assert "show once there is usage" in plain(app.query_one("#what-if-smallest", Static))
