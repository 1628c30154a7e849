"""Since you last looked: the digest on start lists what another client changed (with its
author), is not shown again once closed, never shows empty, and waits for an open dialog."""

from __future__ import annotations

from xconsole.core import changes as core_changes
from xconsole.core.client import ManagementClient
from xconsole.sandbox.embedded import BASE_URL
from xconsole.tui.app import XConsoleApp
from xconsole.tui.screens.changes_digest import ChangesDigest
from xconsole.tui.screens.help import HelpScreen
from xconsole.tui.screens.history import HistoryScreen
from tests.tui.harness import embedded, plain, sandbox_app, settle, wait_until


async def another_client_changes_limit_and_default(sandbox, team) -> None:
    """What a second admin does from another tool: a new limit and another default card."""
    client = ManagementClient(team.management_key, BASE_URL, transport=sandbox.transport, sandbox=True)
    try:
        await client.set_soft_spending_limit(team.team_id, 300000)
        methods = (await client.list_payment_methods(team.team_id)).payment_methods
        await client.set_default_payment_method(team.team_id, methods[-1].payment_method_id)
    finally:
        await client.aclose()


def said(app: XConsoleApp, text: str) -> bool:
    return any(text in message for message, _severity in app.notices)


async def test_digest_lists_another_clients_changes_once_then_never_again():
    sandbox = embedded()
    helix = next(t for t in sandbox.teams if t.name.startswith("Helix"))

    first = sandbox_app(sandbox, team="helix", changes_digest=True)
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(first.screen, ChangesDigest)  # a baseline lists nothing…
        assert said(first, XConsoleApp.FIRST_LOOK.format(team=helix.name))  # …and says so, once, naming the team
    assert core_changes.SeenStore().load(helix.team_id) is not None

    await another_client_changes_limit_and_default(sandbox, helix)

    second = sandbox_app(sandbox, team="helix", read_only=True, changes_digest=True)  # a read: shown in read-only mode too
    async with second.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        digest = second.screen
        assert isinstance(digest, ChangesDigest)
        kinds = {c.kind: c for c in digest.result.changes}
        assert set(kinds) == {core_changes.LIMIT, core_changes.DEFAULT_METHOD}
        assert (kinds[core_changes.LIMIT].before, kinds[core_changes.LIMIT].after) == ("$2,000.00", "$3,000.00")
        assert all(c.who == "admin@sandbox.example" for c in digest.result.changes)
        text = " ".join(plain(s) for s in digest.query(".digest-change"))
        assert "$2,000.00 → $3,000.00" in text and "admin@sandbox.example" in text
        assert not said(second, "First look")
        await pilot.press("6")  # closes it and opens History
        await settle(pilot)
        assert isinstance(second.screen, HistoryScreen)
        assert digest.result.saved

    third = sandbox_app(sandbox, team="helix", changes_digest=True)
    async with third.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not isinstance(third.screen, ChangesDigest)  # nothing changed: no empty digest
        assert not said(third, "First look")
        assert third.looked_at == helix.team_id and third.pending_digest is None


async def helix_changed_since_a_first_look():
    """A first start on Helix (the baseline), then another client changes its limit and default card."""
    sandbox = embedded()
    helix = next(t for t in sandbox.teams if t.name.startswith("Helix"))
    async with sandbox_app(sandbox, team="helix", changes_digest=True).run_test(size=(80, 24)) as pilot:
        await settle(pilot)
    await another_client_changes_limit_and_default(sandbox, helix)
    return sandbox, helix


async def test_escape_closes_it_and_remembers_the_look():
    sandbox, helix = await helix_changed_since_a_first_look()
    app = sandbox_app(sandbox, team="helix", changes_digest=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ChangesDigest)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ChangesDigest)
    saved = core_changes.SeenStore().load(helix.team_id)
    assert saved["parts"]["limit"]["cents"] == 300000


async def test_the_digest_waits_until_no_dialog_is_open():
    sandbox, helix = await helix_changed_since_a_first_look()
    app = sandbox_app(sandbox, team="helix", changes_digest=True)
    app.changes_digest = False  # looked at by hand below, with a dialog open
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        app.changes_digest = True
        await app._look(app.team)
        assert app.pending_digest is not None
        assert app._digest_timer is not None  # it waits, checking twice a second
        app._offer_digest()  # what a check does while the dialog is open: nothing
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ChangesDigest))
        assert app.pending_digest is None


async def test_off_when_the_app_is_asked_not_to_look():
    app = sandbox_app(embedded(), team="helix", changes_digest=True)
    app.changes_digest = False
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert app.looked_at is None and not said(app, "First look")


async def test_q_quits_from_the_digest_as_the_footer_under_it_says():
    # It opens by itself at start: a person who pressed q to leave must not be ignored.
    app = sandbox_app(embedded(), changes_digest=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(ChangesDigest(core_changes.TeamChanges("t", "Team", False, [], None, {}, {})))
        await wait_until(pilot, lambda: isinstance(app.screen, ChangesDigest))
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


async def test_a_long_digest_scrolls_from_the_keyboard_at_once():
    app = sandbox_app(embedded(), changes_digest=False)
    many = [core_changes.Change("ledger", f"Purchase {i} of $25.00") for i in range(30)]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.push_screen(ChangesDigest(core_changes.TeamChanges("t", "Team", False, many, None, {}, {})))
        await wait_until(pilot, lambda: isinstance(app.screen, ChangesDigest) and app.screen.query("#digest-changes"))
        listed = app.screen.query_one("#digest-changes")
        await wait_until(pilot, lambda: listed.max_scroll_y > 0)  # laid out
        await pilot.press("end")
        await wait_until(pilot, lambda: listed.scroll_y == listed.max_scroll_y)
        await pilot.press("enter")
        await wait_until(pilot, lambda: not isinstance(app.screen, ChangesDigest))
