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
    for name in ("team_id", "teamId"):
        if case.path_parameters and name in case.path_parameters and zlib.crc32(repr(case.body).encode()) % 2 == 0:
            case.path_parameters[name] = TEAM
    case.call_and_validate(
        headers={"Authorization": f"Bearer {KEY}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
