"""Key validation, inference API keys and audit events (reference sections 3 and 4)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from xconsole.core import models
from xconsole.sandbox.deps import Sandbox, caller, sandbox
from xconsole.sandbox.keys import AUDIT, LIST_KEYS, MANAGE_KEYS, PROPAGATION, Caller

router = APIRouter(tags=["Management API: keys and audit (real shape)"])
Svc = Annotated[Sandbox, Depends(sandbox)]
Who = Annotated[Caller, Depends(caller)]


@router.get("/auth/management-keys/validation", response_model=models.ManagementKey, response_model_exclude_none=True)
def validate_key(svc: Svc, who: Who) -> models.ManagementKey:
    return svc.keys.validation(who)


@router.get("/auth/teams/{teamId}/api-keys", response_model=models.ApiKeyList, response_model_exclude_none=True)
def list_api_keys(
    teamId: str,  # noqa: N803 - the real path parameter name
    svc: Svc,
    who: Who,
    page_size: Annotated[int | None, Query(alias="pageSize", ge=1, le=1000)] = None,
    pagination_token: Annotated[str | None, Query(alias="paginationToken", max_length=100)] = None,
    acl_filters: Annotated[list[str] | None, Query(alias="aclFilters")] = None,
    active_only: Annotated[bool, Query(alias="activeOnly")] = False,
) -> models.ApiKeyList:
    who.check(teamId, LIST_KEYS)
    result = svc.keys.list_api_keys(teamId, page_size, pagination_token, active_only)
    if acl_filters:
        result.api_keys = [k for k in result.api_keys if any(a in k.acl_strings for a in acl_filters)]
    return result


@router.post("/auth/teams/{teamId}/api-keys", response_model=models.ApiKey, response_model_exclude_none=True)
def create_api_key(teamId: str, body: models.CreateApiKeyRequest, svc: Svc, who: Who) -> models.ApiKey:  # noqa: N803
    who.check(teamId, MANAGE_KEYS)
    return svc.keys.create_api_key(teamId, body, actor=who.actor)


def _own_key(svc: Sandbox, who: Caller, api_key_id: str, acl: str) -> str:
    team_id = svc.keys.team_of_key(api_key_id)
    who.check(team_id, acl)
    return team_id


@router.put("/auth/api-keys/{api_key_id}", response_model=models.ApiKey, response_model_exclude_none=True)
def update_api_key(api_key_id: str, body: models.UpdateApiKeyRequest, svc: Svc, who: Who) -> models.ApiKey:
    return svc.keys.update_api_key(_own_key(svc, who, api_key_id, MANAGE_KEYS), api_key_id, body, actor=who.actor)


@router.delete("/auth/api-keys/{api_key_id}", response_model=models.EmptyMessage)
def delete_api_key(api_key_id: str, svc: Svc, who: Who) -> dict:
    svc.keys.delete_api_key(_own_key(svc, who, api_key_id, MANAGE_KEYS), api_key_id, actor=who.actor)
    return {}


@router.post("/auth/api-keys/{api_key_id}/rotate", response_model=models.ApiKey, response_model_exclude_none=True)
def rotate_api_key(api_key_id: str, svc: Svc, who: Who) -> models.ApiKey:
    return svc.keys.rotate_api_key(_own_key(svc, who, api_key_id, MANAGE_KEYS), api_key_id, actor=who.actor)


@router.get("/auth/api-keys/{api_key_id}/propagation", response_model=models.KeyPropagation)
def propagation(api_key_id: str, svc: Svc, who: Who) -> models.KeyPropagation:
    return svc.keys.propagation(_own_key(svc, who, api_key_id, PROPAGATION), api_key_id)


@router.get(
    "/audit/teams/{teamId}/events",
    response_model=models.AuditEventList,
    response_model_exclude_none=True,
    description="Real endpoint, newest first. `pageToken` is the previous page's `nextPageToken`; "
    "`eventTimeFrom` (inclusive) and `eventTimeTo` (exclusive) are RFC 3339; `eventFilter.query` is full text "
    "over descriptions (every word must appear).",
)
def audit_events(
    teamId: str,  # noqa: N803
    svc: Svc,
    who: Who,
    page_size: Annotated[int | None, Query(alias="pageSize", ge=1, le=1000)] = None,
    page_token: Annotated[str | None, Query(alias="pageToken", max_length=100)] = None,
    query: Annotated[str | None, Query(alias="eventFilter.query", max_length=200)] = None,
    user_id: Annotated[str | None, Query(alias="eventFilter.userId", max_length=100)] = None,
    event_id: Annotated[str | None, Query(alias="eventFilter.eventId", max_length=100)] = None,
    time_from: Annotated[str | None, Query(alias="eventTimeFrom", max_length=64)] = None,
    time_to: Annotated[str | None, Query(alias="eventTimeTo", max_length=64)] = None,
    order_by: Annotated[Literal["TIME_DESCENDING", "TIME_ASCENDING"] | None, Query(alias="orderBy")] = None,
) -> models.AuditEventList:
    who.check(teamId, AUDIT)
    return svc.keys.audit_events(teamId, page_size, page_token, query, time_from=time_from, time_to=time_to,
                                 user_id=user_id, event_id=event_id, ascending=order_by == "TIME_ASCENDING")
