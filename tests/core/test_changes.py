"""Since you last looked (core/changes.py): a first look records a baseline and says so; later
looks list what changed — invoices, failed charges, ledger entries, the limit, the default and
the other payment methods, billing details, auto top-up settings — with the author the audit
events (and this user's journal) give, and then nothing until something changes again.

The proof of issue 21: another process changes the limit and the default card on a sandbox
served over HTTP; the next look lists exactly those two changes with their author, and the one
after lists nothing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from xconsole.core import models, purchase
from xconsole.core.changes import (
    AUTO_TOP_UP, BILLING_DETAILS, DEFAULT_METHOD, FAILED_CHARGE, INVOICE, LEDGER, LIMIT, PAYMENT_METHOD, SeenStore,
    what_changed,
)
from xconsole.core.client import ManagementClient
from xconsole.core.journal import Journal
from tests.fixtures import reference as ref
from tests.fixtures.strict_api import StrictApi
from tests.sandbox_helpers import SandboxHarness
from tests.served import ServedSandbox

ROOT = Path(__file__).resolve().parents[2]

#: Another process: its own interpreter, its own client, the same served sandbox.
OTHER_PROCESS = textwrap.dedent("""
    import asyncio, sys
    from xconsole.core.client import ManagementClient

    async def main(url, key, team_id):
        async with ManagementClient(key, url) as client:
            await client.set_soft_spending_limit(team_id, 350_000)
            methods = (await client.list_payment_methods(team_id)).payment_methods
            other = next(m for m in methods if not m.is_default and m.card_details)
            await client.set_default_payment_method(team_id, other.payment_method_id)
            print(other.label())

    asyncio.run(main(*sys.argv[1:]))
""")


def other_process(url: str, key: str, team_id: str) -> str:
    """Run the changes in a separate Python process; returns the new default's label."""
    done = subprocess.run([sys.executable, "-c", OTHER_PROCESS, url, key, team_id], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120, check=True)
    return done.stdout.strip()


@pytest.fixture(autouse=True)
def quick_follow(monkeypatch):
    monkeypatch.setattr(purchase, "FOLLOW_DELAYS_S", (0.0, 0.0, 0.0))


@pytest.fixture
async def sb():
    harness = await SandboxHarness().start()
    yield harness
    await harness.close()


async def test_proof_another_process_changes_the_limit_and_the_default_card(tmp_path):
    store = SeenStore(tmp_path / "seen")
    with ServedSandbox() as served:
        helix = served.teams["helix"]
        async with ManagementClient(helix["managementKey"], served.url) as client:
            first = await what_changed(client, helix["teamId"], "Helix Health", store=store)
            assert first.baseline and first.changes == [] and "baseline" in first.summary()

            new_default = other_process(served.url, helix["managementKey"], helix["teamId"])

            second = await what_changed(client, helix["teamId"], "Helix Health", store=store)
            assert not second.baseline
            assert [(c.kind, c.before, c.after, c.who) for c in second.changes] == [
                (LIMIT, "$2,000.00", "$3,500.00", "admin@sandbox.example"),
                (DEFAULT_METHOD, "Mastercard ··5100", new_default, "admin@sandbox.example"),
            ]
            assert all(c.event_id and c.who_local is None for c in second.changes)  # not sent from xconsole here

            third = await what_changed(client, helix["teamId"], "Helix Health", store=store)
            assert third.changes == [] and not third.changed and "nothing changed" in third.summary()


async def test_the_last_look_is_kept_private_and_without_secrets(sb, tmp_path):
    store = SeenStore(tmp_path / "seen")
    team = sb.teams["lumen"]
    await what_changed(sb.client("lumen"), team.team_id, "Lumen Labs", store=store)
    path = store.path(team.team_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert team.key not in text and team.key[-12:] not in text and team.read_only_key[-12:] not in text
    assert json.loads(text)["teamId"] == team.team_id


async def test_every_kind_of_change_is_listed_once(sb, tmp_path):
    store = SeenStore(tmp_path / "seen")
    team = sb.teams["lumen"]
    client = sb.client("lumen")
    assert (await what_changed(client, team.team_id, "Lumen Labs", store=store)).baseline

    info = await client.get_billing_info(team.team_id)
    await client.set_billing_info(team.team_id, info.model_copy(update={"name": "Lumen Labs Inc."}))
    await client.set_auto_top_up(team.team_id, models.AutoTopUpSettings(enabled=False))
    await client.redeem_promo_code(team.team_id, "GROK100")
    added = await client.add_card(team.team_id, models.CardInput(number="4000 0566 5566 5556", exp_month=1,
                                                                  exp_year=2031, cvc="321", name="A"))
    await client.top_up(team.team_id, 2_500)
    found = await what_changed(client, team.team_id, "Lumen Labs", store=store)
    kinds = {c.kind: c for c in found.changes}
    assert set(kinds) == {BILLING_DETAILS, AUTO_TOP_UP, LEDGER, PAYMENT_METHOD, INVOICE}
    assert (kinds[BILLING_DETAILS].before, kinds[BILLING_DETAILS].after) == ("Lumen Labs LLC", "Lumen Labs Inc.")
    assert kinds[AUTO_TOP_UP].after == "off" and kinds[AUTO_TOP_UP].who == "admin@sandbox.example"
    assert kinds[PAYMENT_METHOD].what == f"Payment method {added.label()} added"
    ledger = sorted(c.what for c in found.changes if c.kind == LEDGER)
    assert ledger == ["Promo credit of $100.00", "Purchase of $25.00: credits granted"]
    assert all(c.who == "admin@sandbox.example" for c in found.changes if c.kind != INVOICE)
    assert [c for c in found.changes if c.kind == INVOICE][0].what.startswith("New prepaid invoice")
    assert (await what_changed(client, team.team_id, "Lumen Labs", store=store)).changes == []


async def test_failed_charges_and_a_new_monthly_invoice(sb, tmp_path):
    """Helix's old card has expired: a purchase on it fails; at month end a monthly invoice comes."""
    store = SeenStore(tmp_path / "seen")
    team = sb.teams["helix"]
    client = sb.client("helix")
    await what_changed(client, team.team_id, "Helix Health", store=store)
    methods = (await client.list_payment_methods(team.team_id)).payment_methods
    expired = next(m for m in methods if m.card_details and m.card_details.last4 == "1881")
    await client.top_up(team.team_id, 2_500, payment_method_id=expired.payment_method_id)
    await sb.advance(20 * 86_400)  # past the month end (the clock is frozen on 18 November)
    found = await what_changed(client, team.team_id, "Helix Health", store=store)
    failed = [c for c in found.changes if c.kind == FAILED_CHARGE]
    assert [c.what for c in failed] == ["Purchase of $25.00: could not be charged"]
    assert failed[0].who == "admin@sandbox.example"
    monthly = [c for c in found.changes if c.kind == INVOICE and "monthly" in c.what]
    assert len(monthly) == 1 and monthly[0].who is None  # the service's, not a person's


async def test_the_journal_names_the_person_behind_a_shared_key(sb, tmp_path):
    from xconsole.core.actions import TeamActions

    store = SeenStore(tmp_path / "seen")
    journal = Journal(tmp_path / "journal.jsonl")
    team = sb.teams["helix"]
    client = sb.client("helix")
    await what_changed(client, team.team_id, "Helix Health", store=store, journal=journal)
    actions = TeamActions(client, team.team_id, "Helix Health", journal=journal)
    await actions.set_limit(260_000, before=200_000)
    found = await what_changed(client, team.team_id, "Helix Health", store=store, journal=journal)
    [change] = found.changes
    assert change.who == "admin@sandbox.example" and change.who_local and "@" in change.who_local
    assert "via xconsole by" in change.line()


async def test_a_larger_purchase_made_elsewhere_is_never_given_to_this_users_smaller_one(sb, tmp_path):
    from xconsole.core.actions import TeamActions

    store = SeenStore(tmp_path / "seen")
    journal = Journal(tmp_path / "journal.jsonl")
    team = sb.teams["orbit"]
    client = sb.client("orbit")
    await TeamActions(client, team.team_id, "Orbit Robotics", journal=journal).buy(3_000)
    await what_changed(client, team.team_id, "Orbit Robotics", store=store, journal=journal)
    await client.top_up(team.team_id, 6_600)  # another client, minutes later: in the journal's slack
    found = await what_changed(client, team.team_id, "Orbit Robotics", store=store, journal=journal)
    [purchase] = [c for c in found.changes if c.kind == LEDGER and "$66.00" in c.what]
    assert purchase.who_local is None and "via xconsole" not in purchase.line()
    # A smaller top-up elsewhere just before this user's own: each gets only its own row.
    await client.top_up(team.team_id, 5_000)
    await sb.advance(60)  # a minute later: listed after the other's
    await TeamActions(client, team.team_id, "Orbit Robotics", journal=journal).buy(10_000)
    found = await what_changed(client, team.team_id, "Orbit Robotics", store=store, journal=journal)
    by_amount = {c.amount_cents: c.who_local for c in found.changes if c.kind == LEDGER}
    assert by_amount[5_000] is None and by_amount[10_000] is not None


async def test_a_status_that_could_not_be_read_for_a_while_is_never_a_change(sb, tmp_path):
    from xconsole.sandbox.faults import Faults

    for name in ("lumen", "helix"):  # ledger rows (Lumen's auto top-ups), invoices (both)
        store = SeenStore(tmp_path / name)
        team = sb.teams[name]
        client = sb.client(name)
        first = await what_changed(client, team.team_id, team.name, store=store)
        assert first.snapshot["parts"]["ledger"]["items"] or name != "lumen"  # the case is really there
        sb.app.state.sandbox.faults = Faults(unknown_enum_rate=1.0)  # every status a value this version cannot read
        during = await what_changed(client, team.team_id, team.name, store=store)
        sb.app.state.sandbox.faults = Faults()
        after = await what_changed(client, team.team_id, team.name, store=store)
        assert during.changes == [] and after.changes == [], name
        assert "cannot read" in during.unreadable["invoices"] and not after.unreadable.get("invoices")  # said, not hidden
        assert "UNKNOWN" not in json.dumps(store.load(team.team_id))  # nor kept as the last look


async def test_a_look_not_saved_is_shown_again(sb, tmp_path):
    """The TUI saves when the digest is dismissed: until then the same changes stay listed."""
    store = SeenStore(tmp_path / "seen")
    team = sb.teams["helix"]
    client = sb.client("helix")
    await what_changed(client, team.team_id, "Helix Health", store=store)
    await client.set_soft_spending_limit(team.team_id, 270_000)
    unsaved = await what_changed(client, team.team_id, "Helix Health", store=store, save=False)
    again = await what_changed(client, team.team_id, "Helix Health", store=store, save=False)
    assert len(unsaved.changes) == len(again.changes) == 1
    again.save(store)
    assert (await what_changed(client, team.team_id, "Helix Health", store=store)).changes == []


async def test_on_the_real_api_console_only_parts_are_not_readable_and_nothing_is_sent_for_them(tmp_path):
    api = StrictApi()
    async with ManagementClient(ref.KEY, "https://management-api.x.ai", transport=api.transport()) as client:
        store = SeenStore(tmp_path / "seen")
        first = await what_changed(client, ref.TEAM, "Prod", store=store)
        second = await what_changed(client, ref.TEAM, "Prod", store=store)
    assert first.baseline
    assert "console only" in first.unreadable["autoTopUp"]
    assert "default" in first.unreadable
    assert second.changes == [] and not second.baseline
    assert api.extension_requests == []
    assert second.to_json()["notReadable"][0]["part"] in {"auto top-up settings", "default"}
