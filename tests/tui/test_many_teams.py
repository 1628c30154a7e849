"""Admins of many teams: 200 teams on the sandbox, the Overview and the switcher stay usable."""

from __future__ import annotations

import pytest

from xconsole.sandbox.clock import FROZEN_NOW
from xconsole.sandbox.embedded import open_embedded
from xconsole.tui.screens.team_switcher import TeamSwitcher
from tests.tui.harness import sandbox_app, settle, type_text, wait_until


@pytest.mark.timeout(400)  # 200 teams × 9 reads on the in-process sandbox: long on a busy machine
async def test_overview_and_switcher_with_200_teams():
    sandbox = open_embedded(":memory:", frozen_at=FROZEN_NOW, teams=200)
    assert len(sandbox.teams) == 200
    app = sandbox_app(sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot, timeout=280)  # a bound, not a wait: 200 teams load in ~1 min idle
        await pilot.press("0")
        await settle(pilot)
        table = app.screen.query_one("#overview-table")
        assert table.row_count == 200
        assert all(app.store.data(t.team_id) and app.store.data(t.team_id).snapshot for t in app.store.teams)
        await pilot.press("t")
        await wait_until(pilot, lambda: isinstance(app.screen, TeamSwitcher))
        await type_text(pilot, "Extra Team 150")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.team is not None and app.team.name == "Extra Team 150")
        assert not isinstance(app.screen, TeamSwitcher)
