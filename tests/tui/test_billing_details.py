"""Billing details (screen 5): inline validation, a confirmation that names the team and says
invoices are not regenerated, and new invoices carrying the change while old ones keep theirs."""

from __future__ import annotations

import httpx
from textual.widgets import Button, Input, Select

from xconsole.core.client import ManagementClient
from xconsole.core.session import TeamHandle
from xconsole.sandbox.embedded import BASE_URL
from xconsole.tui.screens.confirm import ConfirmActionScreen
from xconsole.tui.screens.country_picker import CountryPicker
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref
from tests.tui.harness import embedded, goto_screen, real_api_app, sandbox_app, settle


async def open_billing(pilot):
    return await goto_screen(pilot, "5")


async def in_the_name_field(pilot):
    """Billing details open, the cursor in its Name field: (screen, field)."""
    screen = await open_billing(pilot)
    name = screen.query_one("#bill-name", Input)
    name.focus()
    await pilot.pause()
    return screen, name


def error(screen, field) -> str:
    label = screen.query_one(f"#bill-{field}-error")
    return "" if label.has_class("hidden") else str(label.render())


async def test_shows_the_details_on_file_and_rejects_bad_input_inline():
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)
        assert screen.query_one("#bill-name", Input).value == "Lumen Labs LLC"
        assert screen.query_one("#bill-country", Input).value == "US"
        screen.query_one("#bill-email", Input).value = "billing@lumen"
        screen.query_one("#bill-country", Input).value = "zz"
        await settle(pilot)
        assert screen.query_one("#bill-country", Input).value == "ZZ"  # upper-cased as typed
        assert "email" in error(screen, "email").lower()
        assert "not an ISO 3166" in error(screen, "country")
        await pilot.click("#bill-save")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmActionScreen)  # nothing is sent with errors on screen
        assert screen.query_one("#bill-email", Input).value == "billing@lumen"  # input kept
        screen.query_one("#bill-email", Input).value = "billing@lumen.example"
        await settle(pilot)
        assert error(screen, "email") == ""


async def test_country_comes_from_a_searchable_list():
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)
        screen.query_one("#bill-country-list", Button).press()
        await settle(pilot)
        assert isinstance(app.screen, CountryPicker)
        for ch in "germ":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#bill-country", Input).value == "DE"
        assert "Germany" in str(screen.query_one("#bill-country-name").render())


async def test_saving_applies_to_new_invoices_only():
    sandbox = embedded()
    app = sandbox_app(sandbox, team="lumen")
    team = next(t for t in sandbox.teams if t.name.startswith("Lumen"))
    client = ManagementClient(team.management_key, BASE_URL, transport=sandbox.transport, sandbox=True)
    before = await client.list_invoices(team.team_id)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)
        screen.query_one("#bill-line1", Input).value = "1 Market St"
        screen.query_one("#bill-city", Input).value = "Oakland"
        screen.query_one("#bill-tax_id_type", Select).value = ""
        screen.query_one("#bill-tax_number", Input).value = ""
        await settle(pilot)
        screen.review()
        await settle(pilot)
        confirm = app.screen
        assert isinstance(confirm, ConfirmActionScreen)
        text = "\n".join(str(line) for line in confirm.lines)
        assert "Lumen Labs" in text and "every user of this team" in text
        assert "San Francisco → Oakland" in text and "never regenerated" in text
        await pilot.press("enter")
        await settle(pilot)
        assert app.store.resource(app.team, "billing_info").value.address.city == "Oakland"
        assert screen.query_one("#bill-city", Input).value == "Oakland"
        assert any("billing details saved" in message for message, _severity in app.notices)

    info = await client.get_billing_info(team.team_id)
    assert (info.address.line1, info.address.city, info.tax_number) == ("1 Market St", "Oakland", "")
    await client.top_up(team.team_id, 2_500)  # issues a new prepaid invoice
    after = await client.list_invoices(team.team_id)
    newest = max(after, key=lambda i: i.create_time)
    assert newest.invoice_id not in {i.invoice_id for i in before}
    assert newest.issued_to.address.city == "Oakland"
    old = {i.invoice_id: i for i in after}
    assert all(old[i.invoice_id].issued_to == i.issued_to for i in before)  # never regenerated
    assert all(i.issued_to.address.city == "San Francisco" for i in before)
    await client.aclose()


async def test_server_refusal_shows_next_to_the_field_and_keeps_input(monkeypatch):
    from xconsole.core import errors

    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)

        async def refuse(self, team_id, info):
            raise errors.Validation("Postal code does not match the state", status=400,
                                    field="billingInfo.address.postalCode")

        monkeypatch.setattr(ManagementClient, "set_billing_info", refuse)
        screen.query_one("#bill-postal_code", Input).value = "10001"
        await settle(pilot)
        screen.review()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert "does not match" in error(screen, "postal_code")
        assert screen.query_one("#bill-postal_code", Input).value == "10001"


async def test_read_only_mode_shows_the_details_but_takes_no_typing():
    app = sandbox_app(team="lumen", read_only=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)
        name = screen.query_one("#bill-name", Input)
        assert name.value == "Lumen Labs LLC"
        assert screen.query_one("#bill-save", Button).is_disabled and name.is_disabled
        assert "Read-only" in str(screen.query_one("#billing-state").render())
        await pilot.press("tab", "tab", "x", "y")  # nothing in the form can take the focus or a key
        assert not isinstance(screen.focused, Input) and name.value == "Lumen Labs LLC"


async def test_escape_leaves_a_field_so_the_screen_keys_work_again():
    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, name = await in_the_name_field(pilot)
        await pilot.press("end", "1")  # typed into the field
        assert name.value == "Lumen Labs LLC1" and app.screen is screen
        await pilot.press("backspace", "escape", "1")
        await settle(pilot)
        assert name.value == "Lumen Labs LLC" and app.screen is not screen and app.screen.MODE == "spend"


async def test_real_api_reads_and_posts_the_whole_object():
    import json

    router = _reference_router()
    app = real_api_app(httpx.MockTransport(router.async_handler), TeamHandle("Lumen", ref.TEAM, "keyring"), ref.KEY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)
        assert screen.query_one("#bill-tax_number", Input).value == ref.BILLING_INFO["billingInfo"]["taxNumber"]
        screen.query_one("#bill-email", Input).value = "billing@lumenlabs.example"
        await settle(pilot)
        screen.review()
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
    (post,) = [c for c in router.calls if c.request.method == "POST" and c.request.url.path.endswith("/billing-info")]
    body = json.loads(post.request.content)["billingInfo"]
    assert body["email"] == "billing@lumenlabs.example"
    assert body["address"]["line2"] == ref.BILLING_INFO["billingInfo"]["address"]["line2"]
    assert set(body["address"]) == {"line1", "line2", "city", "state", "postalCode", "country"}


async def test_quitting_with_changed_details_asks_first_and_stay_keeps_them():
    from xconsole.tui.screens.discard_changes import DiscardChangesScreen
    from tests.tui.harness import wait_until

    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen, name = await in_the_name_field(pilot)
        await pilot.press("end", "!", "escape", "q")
        await settle(pilot)
        assert isinstance(app.screen, DiscardChangesScreen) and app.is_running
        assert "Billing details of Lumen Labs" in str(app.screen.query_one(".dialog-text").render())
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert app.screen is screen and name.value == "Lumen Labs LLC!"
        await pilot.press("q")
        await settle(pilot)
        await pilot.click("#quit")  # quit and drop them
        await wait_until(pilot, lambda: not app.is_running)


async def test_quitting_with_nothing_changed_does_not_ask():
    from tests.tui.harness import wait_until

    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_billing(pilot)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_a_draft_survives_a_team_switch_and_is_named_when_quitting():
    from xconsole.tui.screens.discard_changes import DiscardChangesScreen

    app = sandbox_app(team="lumen")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_billing(pilot)
        name = screen.query_one("#bill-name", Input)
        name.value = "Lumen Labs Inc."
        await settle(pilot)
        await pilot.press("right_square_bracket")  # the next team: its own details
        await settle(pilot)
        assert app.team.name != "Lumen Labs" and name.value != "Lumen Labs Inc."
        assert screen.unsaved == "Billing details of Lumen Labs"
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, DiscardChangesScreen)
        await pilot.press("escape")
        await pilot.press("left_square_bracket")  # back: the draft is given back, still unsaved
        await settle(pilot)
        assert app.team.name == "Lumen Labs" and name.value == "Lumen Labs Inc." and screen.dirty


async def test_a_draft_keeps_a_tax_id_type_the_console_does_not_list():
    import json

    sandbox = embedded()
    with sandbox.app.state.sandbox.store.tx() as conn:  # types newer than this console's list
        for team, kind in ((sandbox.teams[0].team_id, "aa_new"), (sandbox.teams[1].team_id, "bb_new")):
            info = json.loads(conn.execute("SELECT billing_info FROM teams WHERE team_id = ?", (team,)).fetchone()[0])
            info.update(taxIdType=kind, taxNumber="123")
            conn.execute("UPDATE teams SET billing_info = ? WHERE team_id = ?", (json.dumps(info), team))
    app = sandbox_app(sandbox, team=sandbox.teams[0].team_id)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_billing(pilot)
        kind = screen.query_one("#bill-tax_id_type", Select)
        assert kind.value == "aa_new"
        screen.query_one("#bill-name", Input).value = "Renamed"
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert kind.value == "bb_new"
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.query_one("#bill-name", Input).value == "Renamed" and kind.value == "aa_new" and screen.dirty
