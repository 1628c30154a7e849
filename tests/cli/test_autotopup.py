"""`xconsole autotopup simulate`: the what-if on a served sandbox and on the real API's shapes."""

from __future__ import annotations

import json

import respx

from tests.cli.test_commands import register
from tests.contract.backends import _reference_router
from tests.fixtures import reference as ref


def test_simulate_defaults_to_the_current_settings_and_finds_smallest(home, served, memory_keyring, run):
    register(run, served, "lumen")
    result = run("--api-url", served.url, "autotopup", "simulate", "--team", "Lumen", "--budget", "600", "--json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["settingsKnown"] is True and doc["settingsSource"] == "current"
    what = doc["whatIf"]
    assert what["settings"] == {"threshold": {"cents": 5_000, "formatted": "$50.00"},
                                "amount": {"cents": 10_000, "formatted": "$100.00"},
                                "monthlyMax": {"cents": 60_000, "formatted": "$600.00"}}
    assert what["hours"] == 90 * 24 and what["topUps"] > 0
    assert what["bought"]["cents"] == what["topUps"] * 10_000
    assert isinstance(what["rejectedHours"], int)
    smallest = doc["smallest"]
    assert smallest["amount"]["cents"] >= 2_500 and smallest["monthlyMax"]["cents"] <= 60_000

    text = run("--api-url", served.url, "autotopup", "simulate", "--team", "Lumen", "--threshold", "5",
               "--amount", "25", "--monthly-max", "50", "--days", "30")
    assert text.exit_code == 0, text.output
    assert "below $5.00 buy $25.00, at most $50.00 a month (as given)" in text.stdout
    assert "Blocked by the monthly maximum" in text.stdout and "Hours with rejected requests: " in text.stdout
    assert all(len(line) <= 100 for line in text.stdout.splitlines())


def test_simulate_refuses_bad_settings_with_exit_2(home, served, memory_keyring, run):
    register(run, served, "orbit")
    result = run("--api-url", served.url, "autotopup", "simulate", "--team", "Orbit", "--threshold", "5",
                 "--amount", "10", "--monthly-max", "100")
    assert result.exit_code == 2 and "at least $25.00" in result.output
    missing = run("--api-url", served.url, "autotopup", "simulate", "--team", "Orbit")
    assert missing.exit_code == 1 and "no auto top-up settings" in missing.stderr


def test_simulate_on_the_real_api_says_the_settings_are_unknown(home, run):
    router = _reference_router(respx.mock(base_url=ref.BASE, assert_all_called=False))
    env = {"XAI_MANAGEMENT_KEY": ref.KEY, "NO_COLOR": "1"}
    with router:
        bare = run("--api-url", ref.BASE, "autotopup", "simulate", env=env)
        given = run("--api-url", ref.BASE, "autotopup", "simulate", "--threshold", "50", "--amount", "100",
                    "--monthly-max", "600", "--days", "7", "--json", env=env)
    assert bare.exit_code == 1 and "console-only" in bare.stderr and "unknown" in bare.stderr
    assert given.exit_code == 0, given.output
    doc = json.loads(given.stdout)
    assert doc["settingsKnown"] is False and doc["settingsSource"] == "options"
    assert doc["whatIf"]["hours"] == 7 * 24
    assert any("console-only" in note for note in doc["notes"])
    # Only reads went out: never the console-only auto top-up path.
    assert not any("auto-top-up" in str(call.request.url) for call in router.calls)
