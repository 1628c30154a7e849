"""The sandbox FastAPI app: routers, error shapes, the sandbox header and fault injection."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from email.utils import format_datetime

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from xconsole.core.client import SANDBOX_HEADER
from xconsole.sandbox import routes_admin, routes_billing, routes_console, routes_keys
from xconsole.sandbox.clock import Clock
from xconsole.sandbox.deps import Sandbox
from xconsole.sandbox.errors import SandboxError, error_body
from xconsole.sandbox.faults import BODY_FAULTS, FaultDice, Faults, damage
from xconsole.sandbox.seed import seed_demo
from xconsole.sandbox.store import Store

log = logging.getLogger("xconsole.sandbox")
_UNFAULTED = ("/sandbox", "/openapi.json", "/docs", "/redoc")


def create_app(
    store: Store | None = None,
    clock: Clock | None = None,
    faults: Faults | None = None,
    *,
    seed: int = 0,
    large: bool = False,
    teams: int = 0,
    fault_seed: int = 0,
) -> FastAPI:
    """Build the app; an empty store is seeded with the demo teams at the clock's `now`."""
    _build_wire_models()
    store = store or Store()
    clock = clock or Clock()
    if store.is_empty():
        seed_demo(store, clock.now(), seed=seed, large=large, teams=teams)
    state = Sandbox(store=store, clock=clock, faults=faults or Faults(), dice=FaultDice(fault_seed))

    app = FastAPI(
        title="xconsole sandbox: xAI Management API",
        version="1",
        description="A local stand-in for https://management-api.x.ai with the same paths and JSON shapes, "
        "plus console-only features as extension endpoints (tagged sandbox-only).",
    )
    app.state.sandbox = state
    for router in (routes_billing.router, routes_console.router, routes_keys.router, routes_admin.router):
        app.include_router(router)

    @app.middleware("http")
    async def sandbox_header_and_faults(request: Request, call_next):  # type: ignore[no-untyped-def]
        response, kind = None, None
        if not request.url.path.startswith(_UNFAULTED):
            response, kind = await _inject_fault(state)
        if response is None:
            response = await call_next(request)
            if kind in BODY_FAULTS and response.status_code < 300:
                body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
                headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
                response = Response(damage(kind, body), status_code=response.status_code, headers=headers)
        response.headers[SANDBOX_HEADER] = "1"
        # The sandbox's clock may be frozen or moved: tell clients its idea of now.
        response.headers["date"] = format_datetime(state.clock.now(), usegmt=True)
        return response

    @app.exception_handler(SandboxError)
    async def sandbox_error(_: Request, exc: SandboxError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "Invalid request"}
        loc = [str(p) for p in first.get("loc", ()) if p not in ("body", "query", "header", "path")]
        field = ".".join(loc) or None
        message = f"{field}: {first.get('msg')}" if field else str(first.get("msg"))
        return JSONResponse(error_body(400, message, field), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(error_body(exc.status_code, str(exc.detail)), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def crash(_: Request, exc: Exception) -> JSONResponse:
        log.exception("sandbox error")
        # Answered outside the middleware that marks answers: mark it here, or one crash would
        # make clients take the sandbox for the real API for the rest of their run.
        return JSONResponse(error_body(500, "Internal sandbox error"), status_code=500, headers={SANDBOX_HEADER: "1"})

    return app


def _build_wire_models() -> None:
    """The client builds its wire models on first use (`defer_build`); the sandbox builds them
    all up front. FastAPI's request-body adapters inherit `defer_build` from the model's config
    and say so with a harmless warning on their first request, which is silenced here."""
    import warnings

    from pydantic.warnings import UnsupportedFieldAttributeWarning

    from xconsole.core import models

    warnings.filterwarnings("ignore", category=UnsupportedFieldAttributeWarning, message=".*'body'")
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, models.WireModel) and not value.__pydantic_complete__:
            value.model_rebuild()


async def _inject_fault(state: Sandbox) -> tuple[JSONResponse | None, str | None]:
    """An error answer to send instead of the real one, or the body fault to apply to it."""
    faults = state.faults
    if not faults.active:
        return None, None
    if faults.latency_ms:
        await asyncio.sleep(faults.latency_ms / 1000)
    kind = state.dice.draw(faults)
    if kind == "timeout":
        await asyncio.sleep(faults.timeout_s)
        return JSONResponse(error_body(504, "Sandbox fault: upstream timed out"), status_code=504), kind
    if kind == "429":
        return JSONResponse(error_body(429, "Sandbox fault: rate limited"), status_code=429,
                            headers={"Retry-After": "1"}), kind
    if kind == "error":
        return JSONResponse(error_body(503, "Sandbox fault: service unavailable"), status_code=503), kind
    return None, kind


def frozen_app(now: datetime | None = None, **kw: object) -> FastAPI:
    """An app on a frozen clock: what tests, snapshots and screenshots use."""
    clock = Clock.frozen(now) if now else Clock.frozen()
    return create_app(Store(), clock, **kw)  # type: ignore[arg-type]
