"""What `check` reads per team (core/check.py): 200 teams at 16 requests in flight cost 1.25 s per
read a team, so a read whose answer cannot change the verdict is not sent. The real API's list of
payment methods never says which is the default (reference 2.4): it is read only where the
default can be known, and the expiring default card is still caught there."""

from __future__ import annotations

from xconsole.core import models
from xconsole.core.check import Thresholds, check_team
from xconsole.core.client import ManagementClient
from xconsole.core.credentials import MemoryKeyStore
from xconsole.core.session import Session, TeamHandle
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import PM_DEFAULT, StrictApi
from tests.sandbox_helpers import SandboxHarness


def _session(team: TeamHandle, key: str, client: ManagementClient) -> Session:
    return Session([team], MemoryKeyStore({team.team_id: key}), lambda _key, _url: client)


async def test_on_the_real_api_shape_the_payment_methods_are_read_only_once_the_default_is_known():
    api = StrictApi()
    client = ManagementClient(ref.KEY, "http://strict.test", transport=api.transport())
    team = TeamHandle("Strict", ref.TEAM, "keyring")
    try:
        checked = await check_team(_session(team, ref.KEY, client), team, Thresholds())
        assert checked.reachable, checked.reasons
        assert api.sent("GET", "/payment-method") == []  # the answer could only ever be "unknown"
        assert {r.path.rsplit("/", 1)[-1] for r in api.requests} == {"preview", "spending-limits", "usage", "invoices"}
        assert not any("expires" in reason for reason in checked.reasons)

        await client.set_default_payment_method(ref.TEAM, PM_DEFAULT)  # now this client knows it
        api.requests.clear()
        checked = await check_team(_session(team, ref.KEY, client), team, Thresholds())
        assert len(api.sent("GET", "/payment-method")) == 1 and checked.reachable
        assert api.extension_requests == []
    finally:
        await client.aclose()


async def test_on_the_sandbox_a_default_card_expiring_before_month_end_is_a_warning():
    sandbox = await SandboxHarness().start()
    try:
        client = sandbox.client("lumen")
        lumen = sandbox.teams["lumen"]
        team = TeamHandle(lumen.name, lumen.team_id, "sandbox")
        before = await check_team(_session(team, lumen.key, client), team, Thresholds())
        assert not any("expires" in reason for reason in before.reasons), before.reasons

        today = client.today()
        card = await client.add_card(lumen.team_id, models.CardInput(
            number="4000 0566 5566 5556", exp_month=today.month, exp_year=today.year, cvc="321", name="A"))
        await client.set_default_payment_method(lumen.team_id, card.payment_method_id)
        client.known_defaults.clear()  # the sandbox's own mark says which is the default
        after = await check_team(_session(team, lumen.key, client), team, Thresholds())
        assert after.state.name == "WARNING"
        assert any(f"expires {today.month:02d}/{today.year % 100:02d}, before the month-end charge" in reason
                   for reason in after.reasons), after.reasons
    finally:
        await sandbox.close()
