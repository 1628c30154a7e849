"""The other teams are read in the background a few at a time (store.WARM_AT_ONCE), so a team the
person opens is never queued behind every team's reads; the warm-up still reaches every team."""

from __future__ import annotations

import pytest

from xconsole.sandbox.clock import FROZEN_NOW
from xconsole.sandbox.embedded import open_embedded
from xconsole.tui.store import WARM_AT_ONCE
from tests.tui.harness import delayed_sandbox_app, wait_until


def _teams_held(transport) -> set[str]:  # noqa: ANN001
    return {path.split("/")[4] for path in transport.waiting}


# The test cancels reads before they begin, on purpose: their coroutines are never awaited.
@pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
async def test_background_reads_run_a_few_teams_at_a_time_and_reach_every_team():
    sandbox = open_embedded(":memory:", frozen_at=FROZEN_NOW, teams=12)
    app = delayed_sandbox_app(sandbox)
    transport = app.transport
    first, *others, wanted = sandbox.teams
    for team in others:
        transport.hold(team.team_id)  # their reads stay in flight until released
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len(_teams_held(transport)) == WARM_AT_ONCE)
        assert app.store.team.team_id == first.team_id and app.store.data(first.team_id).snapshot is not None
        # Background reads stay a few teams wide while they are held; one the person opens goes through.
        assert len(_teams_held(transport)) == WARM_AT_ONCE
        handle = next(t for t in app.store.teams if t.team_id == wanted.team_id)
        app.store.activate(handle)
        await wait_until(pilot, lambda: (app.store.data(wanted.team_id) or None) is not None
                         and app.store.data(wanted.team_id).snapshot is not None)
        assert len(_teams_held(transport)) == WARM_AT_ONCE
        # Background reads replaced by newer reads of their teams (the second before the first
        # has begun) still end, and the warm-up goes on after them.
        for team_id in _teams_held(transport):
            handle = next(t for t in app.store.teams if t.team_id == team_id)
            app.store.load(handle)
            app.store.load(handle)
        for team in others:
            transport.release(team.team_id)
        await wait_until(pilot, lambda: all(app.store.data(t.team_id) and app.store.data(t.team_id).snapshot
                                            for t in app.store.teams), timeout=120)
