"""Sandbox-only admin routes, fixed by design.md section 5 so scripts can rely on them.
Loopback only, no auth: they hand out the demo keys and move the clock."""

from __future__ import annotations

import ipaddress
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field

from xconsole.sandbox.clock import rfc3339
from xconsole.sandbox.deps import Sandbox, sandbox
from xconsole.sandbox.errors import SandboxError, bad_request
from xconsole.sandbox.faults import Faults
from xconsole.sandbox.keys import demo_teams


def loopback_only(request: Request) -> None:
    host = request.client.host if request.client else "127.0.0.1"
    try:
        ok = ipaddress.ip_address(host).is_loopback
    except ValueError:
        ok = host in ("localhost", "testclient")
    if not ok:
        raise SandboxError(403, "Sandbox admin routes answer on loopback only")


router = APIRouter(prefix="/sandbox", tags=["sandbox admin"], dependencies=[Depends(loopback_only)])
Svc = Annotated[Sandbox, Depends(sandbox)]


class _Camel(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")


class DemoTeamOut(_Camel):
    team_id: str = Field(alias="teamId")
    name: str
    management_key: str = Field(alias="managementKey")
    read_only_key: str = Field(alias="readOnlyKey", description="A key with BillingRead but not BillingWrite")


class DemoTeams(_Camel):
    teams: list[DemoTeamOut]


class ClockAdvance(_Camel):
    advance_seconds: float = Field(alias="advanceSeconds", ge=0, le=400 * 86400)


class ClockNow(_Camel):
    now: str


class FaultsIn(_Camel):
    latency_ms: int = Field(default=0, alias="latencyMs", ge=0, le=120_000)
    error_rate: float = Field(default=0.0, alias="errorRate", ge=0, le=1)
    rate_limit_rate: float = Field(default=0.0, alias="rateLimitRate", ge=0, le=1)
    timeout_rate: float = Field(default=0.0, alias="timeoutRate", ge=0, le=1)
    malformed_rate: float = Field(default=0.0, alias="malformedRate", ge=0, le=1)
    unknown_enum_rate: float = Field(default=0.0, alias="unknownEnumRate", ge=0, le=1)
    missing_field_rate: float = Field(default=0.0, alias="missingFieldRate", ge=0, le=1)


@router.get("/teams", response_model=DemoTeams, response_model_by_alias=True)
def list_demo_teams(svc: Svc) -> DemoTeams:
    return DemoTeams(
        teams=[
            DemoTeamOut(teamId=t.team_id, name=t.name, managementKey=t.management_key, readOnlyKey=t.read_only_key)
            for t in demo_teams(svc.store)
        ]
    )


@router.get("/clock", response_model=ClockNow)
def get_clock(svc: Svc) -> ClockNow:
    return ClockNow(now=rfc3339(svc.clock.now()))


@router.post("/clock", response_model=ClockNow)
def advance_clock(body: ClockAdvance, svc: Svc) -> ClockNow:
    now = svc.clock.advance(body.advance_seconds)
    svc.billing.sync_all()
    return ClockNow(now=rfc3339(now))


@router.get("/faults", response_model=FaultsIn, response_model_by_alias=True)
def get_faults(svc: Svc) -> dict:
    return svc.faults.wire()


@router.post("/faults", response_model=FaultsIn, response_model_by_alias=True)
def set_faults(body: FaultsIn, svc: Svc) -> dict:
    try:
        svc.faults = Faults(
            latency_ms=body.latency_ms, error_rate=body.error_rate, rate_limit_rate=body.rate_limit_rate,
            timeout_rate=body.timeout_rate, malformed_rate=body.malformed_rate,
            unknown_enum_rate=body.unknown_enum_rate, missing_field_rate=body.missing_field_rate,
            timeout_s=svc.faults.timeout_s,
        )
    except ValueError as exc:
        raise bad_request(str(exc)) from None
    return svc.faults.wire()
