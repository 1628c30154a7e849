"""Pilot tests of the shell: team switching, stale answers, first run, failures, responsiveness."""

import pytest

from xconsole.core.client import ManagementClient
from xconsole.core.credentials import MemoryKeyStore
from xconsole.core.money import format_cents
from xconsole.core.session import TeamHandle
from xconsole.tui import store as store_module
from xconsole.tui.screens.add_team import AddTeamScreen
from xconsole.tui.screens.help import HelpScreen
from xconsole.tui.screens.key_rejected import KeyRejectedScreen
from xconsole.tui.screens.keyring_unavailable import KeyringUnavailableScreen
from xconsole.tui.screens.team_switcher import TeamSwitcher
from xconsole.tui.widgets.team_header import TeamHeader
from xconsole.tui.widgets.team_summary import TeamSummary
from tests.tui.harness import (BrokenKeyStore, delayed_sandbox_app, embedded, palette, registry_app, sandbox_app,
                               settle, wait_until)


def shown(app):
    header = app.screen.query_one(TeamHeader)
    summary = app.screen.query_one(TeamSummary)
    return header.team_name, summary.render().plain


async def test_starts_on_the_first_team_with_live_numbers():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        name, summary = shown(app)
        assert name == "Lumen Labs"
        balance = app.store.data().snapshot.summary.live_balance
        assert f"Credits {format_cents(balance)}" in summary
        assert app.screen.query_one(TeamHeader).sandbox


async def test_next_team_key_switches_header_and_data():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert app.team.name == "Orbit Robotics"
        name, summary = shown(app)
        orbit = app.store.cache[app.team.team_id].snapshot.summary
        assert name == "Orbit Robotics" and format_cents(orbit.live_balance) in summary
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert shown(app)[0] == "Helix Health"


async def test_switcher_filters_and_switches():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        assert isinstance(app.screen, TeamSwitcher)
        await pilot.press("h", "e", "l", "enter")
        await settle(pilot)
        assert app.team.name == "Helix Health" and shown(app)[0] == "Helix Health"


async def test_switcher_says_when_no_team_matches_and_enter_then_does_nothing():
    from textual.widgets import OptionList

    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("t", "x", "y", "z")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert options.option_count == 1 and "No team matches 'xyz'" in str(options.get_option_at_index(0).prompt)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TeamSwitcher) and app.team.name == "Lumen Labs"


async def test_palette_switches_team():
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await palette(pilot, "switch to orbit")
        assert app.team.name == "Orbit Robotics"


async def test_number_keys_change_screen_but_not_team():
    app = sandbox_app(team="orbit")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key, mode in (("2", "auto"), ("3", "payments"), ("4", "invoices"), ("5", "billing"), ("1", "spend")):
            await pilot.press(key)
            await pilot.pause()
            assert app.current_mode == mode and shown(app)[0] == "Orbit Robotics"


async def test_a_late_answer_for_the_team_you_left_is_not_shown():
    sandbox = embedded()
    lumen, orbit = sandbox.teams[0].team_id, sandbox.teams[1].team_id
    app = delayed_sandbox_app(sandbox, {lumen: 0.0, orbit: 0.0})
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        transport = app.transport
        transport.hold(lumen)  # Lumen's answer comes only once Orbit is on screen
        seen = []
        app.watch(app, "data_version", lambda: seen.append(shown(app)), init=False)
        await pilot.press("r")  # Lumen refresh, slow
        await wait_until(pilot, lambda: transport.in_flight(lumen) > 0)
        await pilot.press("right_square_bracket")  # now Orbit, fast
        await wait_until(pilot, lambda: app.team.team_id == orbit and shown(app)[0] == "Orbit Robotics")
        transport.release(lumen)  # the late answer
        await settle(pilot)
        assert app.team.team_id == orbit
        orbit_balance = format_cents(app.store.cache[orbit].snapshot.summary.live_balance)
        lumen_balance = format_cents(app.store.cache[lumen].snapshot.summary.live_balance)
        assert orbit_balance != lumen_balance
        # Every repaint after the switch paired Orbit's name with Orbit's numbers (or none yet).
        for name, summary in seen:
            if name == "Orbit Robotics":
                assert f"Credits {lumen_balance}" not in summary
        assert shown(app) == ("Orbit Robotics", shown(app)[1]) and f"Credits {orbit_balance}" in shown(app)[1]
        assert app.store.cache[lumen].generation >= 2  # the late answer still refreshed Lumen's cache


async def test_ui_stays_responsive_while_the_api_hangs():
    sandbox = embedded()
    app = delayed_sandbox_app(sandbox, {t.team_id: None for t in sandbox.teams})
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.store.data() is not None and app.store.data().loading)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "t")
        await pilot.pause()
        assert isinstance(app.screen, TeamSwitcher)
        await pilot.press("escape", "3")
        await pilot.pause()
        assert app.current_mode == "payments"
        app.workers.cancel_all()


async def test_network_failure_keeps_last_data_with_stale_badge_and_recovers(monkeypatch):
    monkeypatch.setattr(store_module, "RETRY_FIRST_S", 0.2)
    sandbox = embedded()
    app = sandbox_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        before = shown(app)[1]
        sandbox.app.state.sandbox.faults.error_rate = 1.0
        await pilot.press("r")
        await settle(pilot)
        header = app.screen.query_one(TeamHeader)
        assert header.stale and app.store.data().error
        assert before.split("   ")[0] in shown(app)[1] and "Showing older data" in shown(app)[1]
        sandbox.app.state.sandbox.faults.error_rate = 0.0
        # The background retry (RETRY_FIRST_S, then backing off) brings the team back by itself.
        await wait_until(pilot, lambda: not app.screen.query_one(TeamHeader).stale)
        await settle(pilot)
        assert not app.screen.query_one(TeamHeader).stale and app.store.data().error is None


async def test_read_only_badge():
    app = sandbox_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(TeamHeader).read_only


async def test_first_run_adds_a_team_with_the_api_error_next_to_the_key(tmp_path):
    sandbox = embedded()
    config = tmp_path / "config.toml"
    store = MemoryKeyStore()
    app = registry_app(sandbox, config, keystore=store)
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AddTeamScreen)
        await pilot.click("#name")
        for ch in "Prod":
            await pilot.press(ch)
        app.screen.query_one("#key").value = "xai-wrong-key-000000000000"
        await pilot.click("#save")
        await settle(pilot)
        assert "Key rejected" in str(app.screen.query_one("#key-error").render())
        assert app.screen.query_one("#name").value == "Prod"  # input kept
        key = sandbox.teams[1].management_key
        app.screen.query_one("#key").value = key
        app.screen.query_one("#key").focus()
        await pilot.press("enter")  # Enter in the key field submits
        for _ in range(100):
            await settle(pilot)
            if app.team is not None:
                break
        assert app.team.name == "Prod" and app.team.team_id == sandbox.teams[1].team_id
        assert shown(app)[0] == "Prod"
        assert await store.get(sandbox.teams[1].team_id) == key
        assert key not in config.read_text() and sandbox.teams[1].team_id in config.read_text()


async def test_a_server_that_cannot_be_reached_is_said_whole_with_the_way_to_another_api_url(tmp_path):
    from textual.widgets import Label

    sandbox = embedded()
    app = registry_app(sandbox, tmp_path / "config.toml", keystore=MemoryKeyStore())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, AddTeamScreen)
        app.screen.query_one("#name").value = "Prod"
        app.screen.query_one("#key").value = sandbox.teams[1].management_key
        app.store.session.make_client = lambda key, _url: ManagementClient(  # nothing listens there
            key, "http://127.0.0.1:9", max_attempts=1)
        await pilot.click("#save")
        await wait_until(pilot, lambda: "try again" in str(app.screen.query_one("#status", Label).render()))
        await settle(pilot)
        status = app.screen.query_one("#status", Label)
        said = str(status.render())
        assert said.startswith("Unreachable: Cannot reach http://127.0.0.1:9") and said.endswith("Check the API URL above.")
        assert status.size.height > 1 and status.region.right <= app.screen.query_one("#add-team").region.right


async def test_a_team_is_added_on_the_api_url_given_in_the_form(tmp_path):
    from xconsole.core.teams import TeamRegistry

    sandbox = embedded()
    config = tmp_path / "config.toml"
    app = registry_app(sandbox, config, keystore=MemoryKeyStore())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        session = app.store.session
        asked: list[str | None] = []
        sandbox_client = session.make_client
        session.make_client = lambda key, url: asked.append(url) or sandbox_client(key, url)
        form = app.screen
        form.query_one("#name").value = "Prod"
        form.query_one("#key").value = sandbox.teams[1].management_key
        form.query_one("#api_url").value = sandbox.teams[0].management_key  # pasted in the wrong field
        await wait_until(pilot, lambda: form.query_one("#api_url").value == "")  # at once, not when sent
        assert "That was a management key: cleared" in str(form.query_one("#api_url-error").render())
        form.query_one("#status").update("Not found: an earlier answer")
        form.query_one("#api_url").value = "ftp://billing.example"
        form.submit()
        await settle(pilot)
        assert "http:// or https://" in str(form.query_one("#api_url-error").render()) and asked == []  # nothing sent
        assert str(form.query_one("#status").render()) == ""  # no earlier answer left beside the new one
        form.query_one("#api_url").value = "https://billing.example/"
        form.submit()
        await wait_until(pilot, lambda: app.team is not None)
        assert asked[0] == "https://billing.example"  # the key was checked there
        [entry] = TeamRegistry.load(config).teams
        assert entry.api_url == "https://billing.example" and app.team.api_url == "https://billing.example"


def test_a_key_of_a_registered_team_is_said_as_replaced_under_its_own_name():
    from xconsole.core.session import AddedTeam
    from xconsole.tui.screens.add_team import saved_text

    team = TeamHandle("Staging", "t-1", "keyring", "xai-…f900", "https://eu.example")
    assert saved_text(AddedTeam(team, created=True, read_only=False), "Staging") == "Team Staging saved."
    assert saved_text(AddedTeam(team, created=False, read_only=True, previous_url=None), "Other") == (
        "Replaced the key of team Staging; the key is Staging's, registered already: the name 'Other' was not used; "
        "its API URL changed: the default → https://eu.example; read-only key: write actions will be refused.")


async def test_escape_on_the_first_run_form_does_not_quit(tmp_path):
    sandbox = embedded()
    app = registry_app(sandbox, tmp_path / "config.toml", keystore=MemoryKeyStore())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.screen.query_one("#name").value = "Prod"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AddTeamScreen) and app.screen.query_one("#name").value == "Prod"
        assert any("Quit leaves without adding a team" in message for message, _ in app.notices)


async def test_a_run_on_one_api_url_shows_that_url_fixed_in_the_form(tmp_path):
    sandbox = embedded()
    app = registry_app(sandbox, tmp_path / "config.toml", keystore=MemoryKeyStore())
    app.session_factory = _with_api_url(app.session_factory, "https://eu.billing.example")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        field = app.screen.query_one("#api_url")
        assert field.disabled and field.value == "https://eu.billing.example"


def _with_api_url(factory, url):  # noqa: ANN001, ANN202 - a session as `--api-url URL` builds it
    async def built():  # noqa: ANN202
        session = await factory()
        session.api_url = url
        return session

    return built


async def test_unusable_keyring_explains_the_way_out(tmp_path):
    sandbox = embedded()
    team = sandbox.teams[0]
    app = registry_app(sandbox, tmp_path / "c.toml", keystore=BrokenKeyStore(),
                       teams=[TeamHandle("Lumen", team.team_id, "keyring")])
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, KeyringUnavailableScreen)
        text = " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "XAI_MANAGEMENT_KEY" in text and "xconsole doctor" in text


async def test_an_unusable_key_file_is_not_called_a_keyring_problem(tmp_path):
    # A credentials directory's key file open to others: its own title and fix, not the keyring's.
    from xconsole.core.credentials_dir import DirectoryKeyStore

    sandbox = embedded()
    team = sandbox.teams[0]
    directory = tmp_path / "credentials"
    directory.mkdir()
    (directory / f"team-{team.team_id}").write_text(team.management_key)
    (directory / f"team-{team.team_id}").chmod(0o644)
    app = registry_app(sandbox, tmp_path / "c.toml", keystore=DirectoryKeyStore(directory),  # type: ignore[arg-type]
                       teams=[TeamHandle("Lumen", team.team_id, "credentials")])
    async with app.run_test(size=(100, 34)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, KeyringUnavailableScreen))
        text = " ".join(str(w.render()) for w in app.screen.query("Static, Label"))
        assert "A key file cannot be used" in text and "0400" in text
        assert "keyring is not usable" not in text and "gnome-keyring" not in text


async def test_rejected_key_offers_to_enter_a_new_one(tmp_path):
    sandbox = embedded()
    team = sandbox.teams[0]
    store = MemoryKeyStore({team.team_id: "xai-revoked-key-0000000000"})
    lumen = TeamHandle("Lumen", team.team_id, "keyring", api_url="https://eu.billing.example")
    app = registry_app(sandbox, tmp_path / "c.toml", keystore=store, teams=[lumen])
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, KeyRejectedScreen)
        await pilot.click("#replace")
        await pilot.pause()
        assert isinstance(app.screen, AddTeamScreen) and app.screen.query_one("#name").value == "Lumen"
        # The new key is checked where the team lives, not at the default URL.
        assert app.screen.query_one("#api_url").value == "https://eu.billing.example"


async def test_a_team_with_no_key_stored_says_so_and_offers_to_enter_one(tmp_path):
    sandbox = embedded()
    team = sandbox.teams[0]
    app = registry_app(sandbox, tmp_path / "c.toml", keystore=MemoryKeyStore(), teams=[TeamHandle("Lumen", team.team_id, "keyring")])
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, KeyRejectedScreen) and app.screen.query("#replace"))
        text = " ".join(str(w.render()) for w in app.screen.query("Label, Static"))
        assert "No key is stored for Lumen" in text and "refused" not in text and "revoked" not in text


async def test_theme_choice_is_remembered_in_the_config(tmp_path):
    from xconsole.core.config import load_config
    from xconsole.core.teams import TeamRegistry

    sandbox = embedded()
    config = tmp_path / "config.toml"
    registry = TeamRegistry.load(config)
    registry.add("Lumen", sandbox.teams[0].team_id, "xai-…abcd")
    registry.save()
    store = MemoryKeyStore({sandbox.teams[0].team_id: sandbox.teams[0].management_key})
    app = registry_app(sandbox, config, keystore=store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown(app)[0] == "Lumen"
        app.theme = "nord"
        await settle(pilot)
    saved = load_config(config)
    assert saved.settings.theme == "nord"
    assert sandbox.teams[0].management_key not in config.read_text()


async def test_a_server_busy_at_start_offers_to_try_again_and_a_refusal_does_not():
    from xconsole.cli.options import Fail
    from xconsole.tui.screens.startup_error import StartupErrorScreen

    app = sandbox_app()
    factory, failures = app.session_factory, [Fail("Could not check XAI_MANAGEMENT_KEY (Service unavailable)", retryable=True)]

    async def busy_once():  # noqa: ANN202
        if failures:
            raise failures.pop()
        return await factory()

    app.session_factory = busy_once
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, StartupErrorScreen) and app.screen.query("#retry"))
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, StartupErrorScreen) and app.team is not None and app.is_running

    refused = sandbox_app()

    async def rejected():  # noqa: ANN202
        raise Fail("XAI_MANAGEMENT_KEY was not accepted: unauthenticated (HTTP 401)")

    refused.session_factory = rejected
    async with refused.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(refused.screen, StartupErrorScreen) and refused.screen.query("#quit"))
        assert not refused.screen.query("#retry") and refused.screen.check_action("retry", ()) is False


async def test_unknown_start_team_falls_back_with_a_warning():
    app = sandbox_app(team="nosuchteam")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.team.name == "Lumen Labs"
        assert any("No team 'nosuchteam'" in message for message, _severity in app.notices)


async def test_the_header_names_the_team_while_its_data_loads():
    # Regression: a `loading` reactive on the header was Widget.loading, which covers the widget
    # (and so the team name) with a spinner for as long as a refresh runs.
    sandbox = embedded()
    lumen = next(t for t in sandbox.teams if t.name.startswith("Lumen"))
    app = delayed_sandbox_app(sandbox, team="lumen")
    app.transport.hold(lumen.team_id)  # its data loads until the test says otherwise
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.team is not None and app.store.data() is not None
                         and app.store.data().loading)
        header = app.screen.query_one(TeamHeader)
        assert header.busy and not header.loading
        assert "Lumen Labs" in header.render().plain and "loading…" in header.render().plain
        app.transport.release(lumen.team_id)
        await settle(pilot)


async def test_a_registered_team_served_by_the_sandbox_gets_the_badge_from_its_answers():
    """Not told `--sandbox` and never judged by URL: the badge appears once the server's own
    answers say it is the sandbox."""
    from xconsole.core.client import ManagementClient
    from xconsole.core.session import Session
    from xconsole.sandbox.embedded import BASE_URL
    from xconsole.tui.app import XConsoleApp

    sandbox = embedded()
    lumen = next(t for t in sandbox.teams if t.name == "Lumen Labs")

    async def factory() -> Session:
        return Session([TeamHandle("Lumen", lumen.team_id, "keyring")], MemoryKeyStore({lumen.team_id: lumen.management_key}),
                       lambda key, _url: ManagementClient(key, BASE_URL, transport=sandbox.transport))

    app = XConsoleApp(factory, changes_digest=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.store.data().snapshot is not None
        assert app.screen.query_one(TeamHeader).sandbox and not app.store.sandbox


async def test_the_first_screen_is_drawn_without_a_second_css_pass_and_1_comes_back_to_it(monkeypatch):
    # Spend is Textual's default screen, not a MODES entry: Textual re-parses all CSS for a new
    # mode's screen (~12 ms of the first frame). Once running, `1` still switches back to it.
    from xconsole.tui.app import XConsoleApp
    from xconsole.tui.screens.spend import SpendScreen

    passes: list[bool] = []
    original = XConsoleApp.refresh_css
    monkeypatch.setattr(XConsoleApp, "refresh_css", lambda app, *a, **k: (passes.append(app.first_paint_s is None),
                                                                          original(app, *a, **k))[1])
    app = sandbox_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        first = app.screen
        assert isinstance(first, SpendScreen) and app.current_mode == "spend"
        assert True not in passes  # none before the first frame
        await pilot.press("3")
        await pilot.pause()
        await pilot.press("1")
        await pilot.pause()
        assert app.current_mode == "spend" and app.screen is first


async def test_a_key_pasted_into_the_team_name_is_cleared_and_never_saved(tmp_path):
    sandbox = embedded()
    config = tmp_path / "config.toml"
    store = MemoryKeyStore()
    app = registry_app(sandbox, config, keystore=store)
    key = sandbox.teams[1].management_key
    async with app.run_test(size=(100, 34)) as pilot:
        await settle(pilot)
        await pilot.click("#name")
        await pilot.press(*"Prod", *key)  # the key typed on after the name: cut at 40 characters
        assert app.screen.query_one("#name").value.startswith("Prod" + key[:12])
        app.screen.query_one("#key").value = key
        await pilot.click("#save")
        await settle(pilot)
        assert isinstance(app.screen, AddTeamScreen) and app.screen.query_one("#name").value == ""
        assert "management key: cleared" in str(app.screen.query_one("#name-error").render())
        assert app.team is None and not config.exists() and await store.get(sandbox.teams[1].team_id) is None


def test_a_name_holding_a_key_is_refused_by_the_registry_too(tmp_path):
    from xconsole.core.teams import TeamError, check_name

    with pytest.raises(TeamError, match="looks like a management key") as refused:
        check_name("prod xai-sbx-91ca852ad3f52765")
    assert "91ca" not in str(refused.value)
    for name in ("xai-team prod", "xai-research-lab", "team xai-sandbox-2024", "maxai-enterprise-eu", "xai-prod2024"):
        assert check_name(name) == name  # words, not keys
    for pasted in ("xai-sbx-91ca852ad3f5276537fc84bb", "Prodxai-AbCdEf0123456789xyz"):
        with pytest.raises(TeamError):
            check_name(pasted)


async def test_a_wrong_api_url_in_config_is_said_as_a_configuration_problem():
    from xconsole.cli.run_options import Options
    from xconsole.cli.wiring import _client_maker
    from xconsole.core.session import Session
    from xconsole.tui.app import XConsoleApp

    team_id = "271a26ca-fac5-5dd0-83d5-77e3b01e8ce2"

    async def factory() -> Session:  # a hand-edited config.toml: a URL with a password in it
        return Session([TeamHandle("Lumen", team_id, "keyring", "", "https://me:pw@api.example")],
                       MemoryKeyStore({team_id: "xai-" + "k" * 40}), _client_maker(Options()))

    app = XConsoleApp(factory)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.store.data() is not None and app.store.data().error is not None)
        error = app.store.data().error
        assert error.startswith("The team's api_url in config.toml:") and "pw" not in error
        assert "xconsole doctor" in error
        assert "Could not read" not in error
