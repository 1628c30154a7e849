"""A bounded schemathesis run against the sandbox's own /openapi.json: no 5xx, no response that
breaks its documented schema. Path teams are pinned to a real team half of the time so generated
bodies reach the handlers instead of stopping at 404."""

import os
import zlib

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from xconsole.sandbox.app import frozen_app
from xconsole.sandbox.seed import management_key_for, team_id_for

app = frozen_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
TEAM = team_id_for(0, "lumen")
KEY = management_key_for(0, "lumen")


@schema.parametrize()
@settings(max_examples=int(os.environ.get("XCONSOLE_SCHEMA_EXAMPLES", "12")), deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_sandbox_honours_its_schema(case):
    _keep_the_clock_near(case)
    for name in ("team_id", "teamId"):
        if case.path_parameters and name in case.path_parameters and zlib.crc32(repr(case.body).encode()) % 2 == 0:
            case.path_parameters[name] = TEAM
    case.call_and_validate(
        headers={"Authorization": f"Bearer {KEY}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


def _lumen_api_key_id() -> str:
    with app.state.sandbox.store.tx() as conn:
        return conn.execute("SELECT api_key_id FROM api_keys WHERE team_id = ? LIMIT 1", (TEAM,)).fetchone()[0]


LUMEN_API_KEY = _lumen_api_key_id()
#: Whoever calls, other than Lumen's own keys.
AUTH_VARIATIONS = {
    "another team's key": {"Authorization": f"Bearer {management_key_for(0, 'orbit')}"},
    "another team's read-only key": {"Authorization": f"Bearer {management_key_for(0, 'helix', 'viewer')}"},
    "no key": {},
    "not a bearer token": {"Authorization": f"Basic {KEY}"},
    "unknown key": {"Authorization": "Bearer xai-sbx-0000000000000000000000000000000000000000"},
}


def _keep_the_clock_near(case) -> None:
    """Every case of this module shares one sandbox: a generated 400-day jump per case (and per
    replay while shrinking) would have later cases simulate decades of hourly usage and time out
    under load. A day still exercises the endpoint and its schema."""
    if case.path == "/sandbox/clock" and isinstance(case.body, dict):
        seconds = case.body.get("advanceSeconds")
        if isinstance(seconds, (int, float)) and not isinstance(seconds, bool) and seconds > 86400:
            case.body["advanceSeconds"] = 86400


#: The loopback admin endpoints (demo keys, clock, faults) take no key by design and name no team.
team_paths = schema.exclude(path_regex="^/sandbox/")


@team_paths.parametrize()
@settings(max_examples=int(os.environ.get("XCONSOLE_SCHEMA_EXAMPLES", "12")) // 2 + 1, deadline=None,
          suppress_health_check=list(HealthCheck), derandomize=True)
def test_nobody_but_the_team_reaches_its_data(case):
    """Every path that names Lumen (a team id or one of its API keys), with every other kind of
    caller: never a 2xx, never a 5xx."""
    names_lumen = False
    for name in ("team_id", "teamId", "api_key_id"):
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = LUMEN_API_KEY if name == "api_key_id" else TEAM
            names_lumen = True
    for label, headers in AUTH_VARIATIONS.items():
        response = case.call(headers=headers)
        assert response.status_code < 500, (label, case.method, case.path)
        if names_lumen:
            assert not 200 <= response.status_code < 300, (label, case.method, case.formatted_path,
                                                           response.status_code, response.text[:200])
