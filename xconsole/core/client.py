"""ManagementClient: the one place that builds Management API URLs and reads its JSON.

Async httpx, one method per endpoint, typed results (core.models), failures as core.errors.
The same client talks to the real API and to the sandbox (over HTTP or in-process through
`httpx.ASGITransport`).

Real API first (design.md 1): a server is the real API until its own answers say otherwise. The
sandbox is known only from evidence: the embedded sandbox (`sandbox=True`, i.e. `--sandbox`), or a
base URL whose first answer carries the sandbox header. Until then, and for good once any answer
of that base URL lacks the header, no extension path, extension field or card data is sent: the
console-only calls raise NotSupportedByApi before anything goes out.

Retry policy: only reads (GET, and the usage query, a read sent as POST) are retried, on 429 (honouring Retry-After), 502/503/504
and transport failures, with exponential backoff and jitter. Writes are never retried: a write whose
answer was lost must be reconciled by reading state again, never re-sent (money moves).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import random
import ssl
import sys
import time
import uuid
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, TypeVar

# httpx imports its own command-line client when rich, pygments and click are installed (they are:
# Textual and our CLI). Nothing here uses it; without it, httpx loads ~17 ms faster and ~2 MB
# smaller (measured), which every start of the console pays. httpx treats it as optional.
sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
import httpx  # noqa: E402
from pydantic import BaseModel, ValidationError

from xconsole.core import errors, models, proxies
from xconsole.core.endpoints import DEFAULT_API_URL as DEFAULT_API_URL  # re-exported
from xconsole.core.endpoints import INVOICE_PREVIEW, SPENDING_LIMITS, USER_AGENT, billing_path
from xconsole.core.endpoints import SANDBOX_HEADER as SANDBOX_HEADER  # re-exported
from xconsole.core.console import CONSOLE_ONLY_FEATURES, console_billing_url  # noqa: F401  (re-exported)
from xconsole.core.off_loop import off_loop
from xconsole.core.secrets import mask_key, scrub

log = logging.getLogger("xconsole.api")


DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=5.0)
RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: How long an answer carrying the sandbox header vouches for the server, for console-only reads.
READ_TRUST_S = 30.0
MAX_RETRY_AFTER_S = 30.0

M = TypeVar("M", bound=BaseModel)
#: Requests in flight at once, across every team of a session [C] (design.md 8: 200 teams, <= 16).
MAX_IN_FLIGHT = 16
#: Answers at least this big (28 days of hourly usage: ~60 KB) are parsed off the event loop
#: (core/off_loop.py): it goes on sending requests and drawing frames meanwhile.
PARSE_OFF_LOOP_BYTES = 16 * 1024
_NO_GATE = contextlib.nullcontext()


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    """One TLS context for every client: loading the CA bundle costs ~20 ms, which a client per
    team paid again and again (4 s of `check --all` over 200 teams)."""
    return httpx.create_ssl_context()


class SharedConnections(httpx.AsyncBaseTransport):
    """One pool of keep-alive connections for every team's client of a session.

    A connection carries no identity: each request sends its own team's Authorization header.
    With a pool per client, 200 teams' 3-5 parallel reads opened a connection per request (600
    for `balance --all`), over TLS a handshake each. A team's client closing (its key replaced)
    leaves the others' connections open; the session closes the pool (`close`).
    """

    def __init__(self) -> None:
        self._transport: httpx.AsyncHTTPTransport | None = None
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:  # a client made while the session was closing: no new pool nobody closes
            raise httpx.ConnectError("the session's connections are closed", request=request)
        if self._transport is None:
            # As many connections as requests may be in flight (the session's gate): a bigger
            # pool grew to its default 100 connections, each scanned per request.
            self._transport = httpx.AsyncHTTPTransport(
                verify=shared_tls_context(),
                limits=httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT))
        return await self._transport.handle_async_request(request)

    async def aclose(self) -> None:
        """Called by each client's own `aclose`: the pool outlives them."""

    async def close(self) -> None:
        self._closed = True
        transport, self._transport = self._transport, None
        if transport is not None:
            await transport.aclose()


class ManagementClient:
    """Async client for `https://management-api.x.ai` (or the sandbox)."""

    def __init__(
        self,
        key: str,
        base_url: str = DEFAULT_API_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sandbox: bool = False,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        max_attempts: int = 3,
        backoff_s: float = 0.25,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        gate: asyncio.Semaphore | None = None,
    ) -> None:
        key = (key or "").strip()
        if not key:
            raise errors.AuthError("No management key given")
        self._key = key
        self.base_url = base_url.rstrip("/")
        #: Evidence from our side: this client talks to the embedded sandbox (`--sandbox`).
        self._embedded_sandbox = sandbox
        self._identify_lock = asyncio.Lock()
        self._sandbox_answer_at: float | None = None  # last answer that carried the sandbox header
        self._in_flight = 0  # requests sent and not yet answered or failed
        self._settled = asyncio.Event()  # set whenever one of them ends
        #: team id -> the payment method this client made the default. The real API never says
        #: which method is the default; this is the one thing xconsole knows about it [C].
        self.known_defaults: dict[str, str] = {}
        #: At most this many requests in flight across the clients that share it (200 teams at once).
        self._gate = gate
        self.max_attempts = max(1, max_attempts)
        self.backoff_s = backoff_s
        self._sleep = sleep
        #: The server's clock, from the Date header of the last answer. Date ranges (usage, runway)
        #: follow the server's "today", not this machine's (the sandbox may run on a moved clock).
        self.server_date: datetime | None = None
        #: httpx routes through the environment's proxies only without a transport of our own.
        self._env_proxies = transport is None
        try:
            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                transport=transport,
                **({} if transport is not None else {"verify": shared_tls_context()}),
                timeout=timeout,
                headers={
                    "Authorization": f"Bearer {key}",
                    "User-Agent": USER_AGENT,
                    "Accept": "application/json",
                },
            )
        except httpx.InvalidURL:
            if not self._through():
                raise
            # httpx's words would quote the proxy URL, password included ("Invalid port: 's3cr'").
            raise errors.ApiError(f"A proxy URL in the environment cannot be used{self._through()}: "
                                  "a '/', '#' or '@' in its password must be percent-encoded") from None

    # ------------------------------------------------------------------ plumbing

    @property
    def key_hint(self) -> str:
        return mask_key(self._key)

    #: Base URLs that answered without the sandbox header: the real API for the rest of the
    #: process, for every client. "Sandbox" is never shared: each client learns it from answers.
    _seen_real: ClassVar[set[str]] = set()

    @property
    def sandbox(self) -> bool | None:
        """True: the sandbox; False: not the sandbox (the real API); None: no answer yet."""
        if self._embedded_sandbox:
            return True
        if self.base_url in self._seen_real:
            return False
        return True if self._sandbox_answer_at is not None else None

    @property
    def extensions(self) -> bool:
        """Console-only features may be used: only on a server known to be the sandbox."""
        return self.sandbox is True

    async def identify(self, *, answered_since: float | None = None) -> bool:
        """Whether the server is the sandbox, from an answer it gave at or after `answered_since`
        (time.monotonic(); None: any earlier answer). Answers to requests in flight are waited
        for (no extra round trip); with none in flight, it asks with the key validation (a real
        route that needs no ACL). A server that answered without the header is never the sandbox."""
        while True:
            if self._embedded_sandbox:
                return True
            if self.base_url in self._seen_real:
                return False
            seen = self._sandbox_answer_at
            if seen is not None and (answered_since is None or seen >= answered_since):
                return True
            if self._in_flight:
                self._settled.clear()
                await self._settled.wait()
                continue
            async with self._identify_lock:
                seen = self._sandbox_answer_at
                fresh = seen is not None and (answered_since is None or seen >= answered_since)
                if not fresh and not self._in_flight and self.base_url not in self._seen_real:
                    await self.validate_key()

    def _note_server(self, response: httpx.Response) -> None:
        if self._embedded_sandbox:
            return
        if response.headers.get(SANDBOX_HEADER) == "1":
            self._sandbox_answer_at = time.monotonic()
        else:
            self._seen_real.add(self.base_url)

    def __repr__(self) -> str:
        return f"ManagementClient(base_url={self.base_url!r}, key={self.key_hint!r}, sandbox={self.sandbox})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ManagementClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _require_sandbox(self, team_id: str, what: str, *, write: bool) -> None:
        """Console-only calls go only to a server that said it is the sandbox: a read trusts an
        answer of the last READ_TRUST_S seconds; a write (card data, money) trusts only an answer
        given after it was asked for, so a server swapped in at the same URL never receives one."""
        since = time.monotonic() - (0 if write else READ_TRUST_S)
        if not await self.identify(answered_since=since):
            raise errors.NotSupportedByApi(
                f"{what} is managed in the xAI console, not through the Management API",
                console_url=console_billing_url(team_id),
            )

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        params: Any = None,
        json: BaseModel | dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        read: bool = False,
    ) -> M:
        """Send one request (retrying reads only) and parse the answer into `model`."""
        body = json.wire() if isinstance(json, models.WireModel) else json
        retry = method == "GET" or read
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._send(method, path, params=params, body=body, headers=headers)
            except errors.ApiError as exc:
                if retry and exc.retryable and attempt < self.max_attempts:
                    await self._sleep(self._delay(attempt, None))
                    continue
                raise
            if response.is_success:
                if len(response.content) >= PARSE_OFF_LOOP_BYTES:
                    return await off_loop(self._parse, response, model, method, path)
                return self._parse(response, model, method, path)
            error = self._error(response, method, path)
            if retry and response.status_code in RETRY_STATUSES and attempt < self.max_attempts:
                retry_after = getattr(error, "retry_after", None)
                if retry_after is None or retry_after <= MAX_RETRY_AFTER_S:
                    await self._sleep(self._delay(attempt, retry_after))
                    continue
            raise error

    def _through(self) -> str:
        """' (proxy settings: …)' for a failure's words, when httpx reads the environment's."""
        return proxies.described() if self._env_proxies else ""

    async def _send(
        self, method: str, path: str, *, params: Any, body: Any, headers: dict[str, str] | None
    ) -> httpx.Response:
        started = time.perf_counter()
        self._in_flight += 1
        try:
            async with self._gate or _NO_GATE:  # shared by every client of a session: a bound on in-flight requests
                response = await self._http.request(method, path, params=params, json=body, headers=headers)
        except httpx.TimeoutException as exc:
            raise errors.Unavailable(
                f"Timed out talking to {self.base_url}{self._through()} ({type(exc).__name__})",
                method=method, path=path
            ) from None
        except httpx.TransportError as exc:
            detail = scrub(str(exc) or type(exc).__name__, self._key)
            # Unreachable only when no connection was made: a connection lost after the request
            # went out may have been answered, and stays "unavailable" (its outcome unknown).
            kind = errors.Unreachable if isinstance(exc, httpx.ConnectError) else errors.Unavailable
            raise kind(
                f"Cannot reach {self.base_url}{self._through()}: {detail}", method=method, path=path
            ) from None
        finally:
            # Waiters in identify() resume only after this coroutine next yields, by which time
            # the answer below has been noted.
            self._in_flight -= 1
            self._settled.set()
        log.debug("%s %s -> %s in %.0f ms", method, path, response.status_code, (time.perf_counter() - started) * 1000)
        self._note_server(response)
        self._note_date(response.headers.get("date"))
        return response

    def _note_date(self, header: str | None) -> None:
        if not header:
            return
        try:
            moment = parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        self.server_date = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)

    def today(self) -> date:
        """The server's current UTC date when known, else this machine's."""
        return (self.server_date or datetime.now(timezone.utc)).astimezone(timezone.utc).date()

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return max(0.0, retry_after)
        base = self.backoff_s * (2 ** (attempt - 1))
        return base + random.uniform(0, self.backoff_s)

    def _parse(self, response: httpx.Response, model: type[M], method: str, path: str) -> M:
        try:
            return model.model_validate_json(response.content or b"{}")
        except ValidationError as exc:
            # Only the field locations, never the input values (they could be anything).
            where = ", ".join(".".join(str(p) for p in e["loc"]) or "body" for e in exc.errors()[:3])
            raise errors.ProtocolError(
                f"Unexpected response from {method} {path}: cannot read {where}",
                status=response.status_code,
                method=method,
                path=path,
            ) from None

    def _error(self, response: httpx.Response, method: str, path: str) -> errors.ApiError:
        status = response.status_code
        message, code, field = _read_error_body(response)
        if status == 404 and message.strip(" .").lower() in ("", "not found"):
            # A bare "Not Found" (a proxy, a router) says no more than the status: say what was asked.
            message = f"the server has nothing at {method} {path}"
        message = scrub(message or response.reason_phrase or f"HTTP {status}", self._key)
        request_id = next(
            (response.headers[h] for h in ("x-request-id", "request-id", "x-amzn-requestid") if h in response.headers),
            None,
        )
        kw: dict[str, Any] = dict(status=status, code=code, request_id=request_id, method=method, path=path)
        if status == 401:
            return errors.AuthError(message, **kw)
        if status == 403:
            return errors.PermissionDenied(message, **kw)
        if status == 404:
            return errors.NotFound(message, **kw)
        if status == 409:
            return errors.Conflict(message, field=field, **kw)
        if status in (400, 422):
            return errors.Validation(message, field=field, **kw)
        if status == 429:
            return errors.RateLimited(message, retry_after=_retry_after(response), **kw)
        if status >= 500:
            return errors.Unavailable(message, **kw)
        return errors.ApiError(message, **kw)

    # ------------------------------------------------------------------ auth (reference 3.1)

    async def validate_key(self) -> models.ManagementKey:
        """GET /auth/management-keys/validation: who this key is. Needs no ACL."""
        return await self._call("GET", "/auth/management-keys/validation", models.ManagementKey)

    # ------------------------------------------------------------------ billing (reference 2)

    @staticmethod
    def _billing(team_id: str, tail: str) -> str:
        return billing_path(team_id, tail)

    async def get_billing_info(self, team_id: str) -> models.BillingInfo:
        env = await self._call("GET", self._billing(team_id, "billing-info"), models.BillingInfoEnvelope)
        return env.billing_info

    async def set_billing_info(self, team_id: str, info: models.BillingInfo) -> None:
        # The whole object is sent, empty strings included (no field mask; reference 2.2).
        body = models.BillingInfoEnvelope(billing_info=info).wire(exclude_none=False)
        await self._call("POST", self._billing(team_id, "billing-info"), models.EmptyMessage, json=body)

    @staticmethod
    def _invoice_filter(
        billing_cycle: tuple[int, int] | None, since: tuple[int, int] | None, invoice_ids: Sequence[str] | None
    ) -> list[tuple[str, str | int]]:
        """The query of GET invoices: at most one filter group (they are a protobuf oneof)."""
        if sum(1 for g in (billing_cycle, since, invoice_ids) if g) > 1:
            raise ValueError("Use at most one of billing_cycle, since, invoice_ids")
        params: list[tuple[str, str | int]] = []
        if billing_cycle:
            params += [("billingCycle.year", billing_cycle[0]), ("billingCycle.month", billing_cycle[1])]
        if since:
            params += [("since.year", since[0]), ("since.month", since[1])]
        for invoice_id in invoice_ids or ():
            params.append(("invoiceIds.invoiceIds", invoice_id))
        return params

    async def list_invoices(
        self,
        team_id: str,
        *,
        billing_cycle: tuple[int, int] | None = None,
        since: tuple[int, int] | None = None,
        invoice_ids: Sequence[str] | None = None,
    ) -> list[models.InvoiceBundle]:
        """Invoices with their lines."""
        params = self._invoice_filter(billing_cycle, since, invoice_ids)
        result = await self._call("GET", self._billing(team_id, "invoices"), models.InvoiceList, params=params)
        return result.invoices

    async def list_invoice_summaries(
        self, team_id: str, *, since: tuple[int, int] | None = None
    ) -> list[models.InvoiceSummary]:
        """The same list read without lines, for long lists (see `InvoiceSummary`)."""
        params = self._invoice_filter(None, since, None)
        result = await self._call("GET", self._billing(team_id, "invoices"), models.InvoiceSummaryList, params=params)
        return result.invoices or []

    async def get_invoice(self, team_id: str, invoice_id: str) -> models.InvoiceBundle:
        """One invoice: there is no single-invoice endpoint, so filter the list by id."""
        found = await self.list_invoices(team_id, invoice_ids=[invoice_id])
        for invoice in found:
            if invoice.invoice_id == invoice_id:
                return invoice
        raise errors.NotFound(f"Invoice {invoice_id} not found", status=404)

    async def list_payment_methods(self, team_id: str) -> models.PaymentMethodList:
        return await self._call("GET", self._billing(team_id, "payment-method"), models.PaymentMethodList)

    async def set_default_payment_method(self, team_id: str, payment_method_id: str) -> None:
        body = models.SetDefaultPaymentMethodRequest(payment_method_id=payment_method_id)
        await self._call("POST", self._billing(team_id, "payment-method/default"), models.EmptyMessage, json=body)
        self.known_defaults[team_id] = payment_method_id

    async def get_invoice_preview(self, team_id: str) -> models.InvoicePreview:
        return await self._call("GET", self._billing(team_id, INVOICE_PREVIEW), models.InvoicePreview)

    async def get_spending_limits(self, team_id: str) -> models.SpendingLimits:
        env = await self._call(
            "GET", self._billing(team_id, SPENDING_LIMITS), models.SpendingLimitsEnvelope
        )
        return env.spending_limits

    async def set_soft_spending_limit(self, team_id: str, cents: int) -> int | None:
        """Set the invoiced billing limit; returns the limit applied to this billing period
        (None when the answer does not say)."""
        body = models.SetSoftSpendingLimitRequest(desired_soft_spending_limit=models.Cent.of(cents))
        result = await self._call(
            "POST",
            self._billing(team_id, SPENDING_LIMITS),
            models.SetSoftSpendingLimitResponse,
            json=body,
        )
        applied = result.this_bp_soft_spending_limit
        return None if applied is None else applied.val

    async def get_prepaid_balance(self, team_id: str) -> models.PrepaidBalance:
        return await self._call("GET", self._billing(team_id, "prepaid/balance"), models.PrepaidBalance)

    async def top_up(
        self,
        team_id: str,
        cents: int,
        *,
        payment_method_id: str | None = None,
        method: models.PurchaseMethod | None = None,
        idempotency_key: str | None = None,
    ) -> models.PrepaidBalanceChange:
        """Buy prepaid credits. Never retried; one Idempotency-Key per confirmed purchase.

        The real API always charges the default payment method; choosing a card or bank transfer is
        a sandbox extension and refused here against the real API rather than silently ignored.
        """
        if cents <= 0:
            raise ValueError("Top-up amount must be positive")
        if payment_method_id is not None or method is not None:
            await self._require_sandbox(team_id, "Choosing a card or bank transfer for a purchase", write=True)
        body = models.TopUpRequest(amount=models.Cent.of(cents), payment_method_id=payment_method_id, method=method)
        result = await self._call(
            "POST",
            self._billing(team_id, "prepaid/top-up"),
            models.TopUpResponse,
            json=body,
            headers={"Idempotency-Key": idempotency_key or str(uuid.uuid4())},
        )
        return result.change

    async def usage(self, team_id: str, request: models.AnalyticsRequest) -> models.UsageResponse:
        """POST usage (analytics). Data point values are USD floats; convert with money.dollars_to_cents."""
        body = models.UsageRequest(analytics_request=request)
        return await self._call("POST", self._billing(team_id, "usage"), models.UsageResponse, json=body, read=True)

    # ------------------------------------------------------------------ API keys (reference 3.3-3.8)

    async def list_api_keys(
        self,
        team_id: str,
        *,
        page_size: int | None = None,
        pagination_token: str | None = None,
        acl_filters: Sequence[str] = (),
        active_only: bool = False,
    ) -> models.ApiKeyList:
        params: list[tuple[str, str | int]] = []
        if page_size:
            params.append(("pageSize", page_size))
        if pagination_token:
            params.append(("paginationToken", pagination_token))
        params += [("aclFilters", acl) for acl in acl_filters]
        if active_only:
            params.append(("activeOnly", "true"))
        return await self._call("GET", f"/auth/teams/{team_id}/api-keys", models.ApiKeyList, params=params)

    async def create_api_key(self, team_id: str, request: models.CreateApiKeyRequest) -> models.ApiKey:
        return await self._call("POST", f"/auth/teams/{team_id}/api-keys", models.ApiKey, json=request)

    async def update_api_key(self, api_key_id: str, fields: dict[str, Any]) -> models.ApiKey:
        """PUT a partial update; `fields` uses camelCase names, which also form the field mask."""
        body = models.UpdateApiKeyRequest(api_key=fields, field_mask=",".join(fields))
        return await self._call("PUT", f"/auth/api-keys/{api_key_id}", models.ApiKey, json=body)

    async def delete_api_key(self, api_key_id: str) -> None:
        await self._call("DELETE", f"/auth/api-keys/{api_key_id}", models.EmptyMessage)

    async def rotate_api_key(self, api_key_id: str) -> models.ApiKey:
        return await self._call("POST", f"/auth/api-keys/{api_key_id}/rotate", models.ApiKey, json={})

    async def check_propagation(self, api_key_id: str) -> models.KeyPropagation:
        return await self._call("GET", f"/auth/api-keys/{api_key_id}/propagation", models.KeyPropagation)

    # ------------------------------------------------------------------ audit (reference 4)

    async def list_audit_events(
        self,
        team_id: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
        query: str | None = None,
        time_from: datetime | None = None,
        time_to: datetime | None = None,
        user_id: str | None = None,
        oldest_first: bool = False,
    ) -> models.AuditEventList:
        """One page of the team's audit events, newest first (reference 4): pass the answer's
        `next_page_token` back as `page_token` for the next page. `time_from` is inclusive,
        `time_to` exclusive; `query` is full text over the descriptions."""
        params: list[tuple[str, str | int]] = []
        if page_size:
            params.append(("pageSize", page_size))
        if page_token:
            params.append(("pageToken", page_token))
        if query:
            params.append(("eventFilter.query", query))
        if user_id:
            params.append(("eventFilter.userId", user_id))
        if time_from is not None:
            params.append(("eventTimeFrom", _rfc3339(time_from)))
        if time_to is not None:
            params.append(("eventTimeTo", _rfc3339(time_to)))
        if oldest_first:
            params.append(("orderBy", "TIME_ASCENDING"))
        return await self._call("GET", f"/audit/teams/{team_id}/events", models.AuditEventList, params=params)

    # ------------------------------------------------------------------ console-only (design.md 5)

    async def _console_only(self, what: str, team_id: str, method: str, tail: str, model: type[M], **kw: Any) -> M:
        """A sandbox extension route: sent only to a server known to be the sandbox; anywhere else
        it raises NotSupportedByApi (with the team's console URL) and nothing is sent."""
        await self._require_sandbox(team_id, what, write=method != "GET")
        return await self._call(method, self._billing(team_id, tail), model, **kw)

    async def get_auto_top_up(self, team_id: str) -> models.AutoTopUp:
        env = await self._console_only("Auto top-up", team_id, "GET", "auto-top-up", models.AutoTopUpEnvelope)
        return env.auto_top_up

    async def set_auto_top_up(self, team_id: str, settings: models.AutoTopUpSettings) -> models.AutoTopUp:
        env = await self._console_only(
            "Auto top-up", team_id, "POST", "auto-top-up", models.AutoTopUpEnvelope,
            json=models.AutoTopUpSettingsEnvelope(auto_top_up=settings),
        )
        return env.auto_top_up

    async def redeem_promo_code(self, team_id: str, code: str) -> models.PrepaidBalanceChange:
        result = await self._console_only(
            "Redeeming a promo code", team_id, "POST", "promo-codes", models.TopUpResponse,
            json=models.PromoCodeRequest(code=code.strip()),
        )
        return result.change

    async def add_card(self, team_id: str, card: models.CardInput) -> models.PaymentMethod:
        env = await self._console_only(
            "Adding a payment method", team_id, "POST", "payment-method", models.PaymentMethodEnvelope,
            json=models.AddCardRequest(card=card),
        )
        return env.payment_method

    async def remove_payment_method(self, team_id: str, payment_method_id: str) -> None:
        await self._console_only(
            "Removing a payment method", team_id, "DELETE", f"payment-method/{payment_method_id}", models.EmptyMessage
        )

    async def get_invoiced_billing(self, team_id: str) -> models.InvoicedBilling:
        return await self._console_only(
            "Monthly invoiced billing status", team_id, "GET", "invoiced-billing", models.InvoicedBilling
        )

    async def request_invoiced_billing(self, team_id: str) -> models.InvoicedBilling:
        return await self._console_only(
            "Requesting monthly invoiced billing", team_id, "POST", "invoiced-billing", models.InvoicedBilling,
            json=models.InvoicedBillingAction(action="REQUEST"),
        )


def _read_error_body(response: httpx.Response) -> tuple[str, int | str | None, str | None]:
    """(message, code, field) from an error body of unknown shape (reference 6: not documented).

    Tries the grpc-gateway shape `{"code", "message", "details"}` (what the sandbox sends, our
    guess [C] for the real API), then `{"error": ...}`; falls back to a short slice of the text.
    """
    try:
        data = response.json()
    except ValueError:
        text = response.text.strip()
        return (text[:200], None, None)
    if not isinstance(data, dict):
        return (str(data)[:200], None, None)
    err = data.get("error")
    message = data.get("message")
    if isinstance(err, dict):
        message = message or err.get("message")
    elif isinstance(err, str):
        message = message or err
    field = None
    for detail in data.get("details") or []:
        if isinstance(detail, dict):
            for violation in detail.get("fieldViolations") or detail.get("field_violations") or []:
                if isinstance(violation, dict):
                    field = field or violation.get("field")
    return (str(message or "")[:500], data.get("code"), camel_path(field) if isinstance(field, str) else None)


def camel_path(field: str) -> str:
    """A server's field path in the wire's camelCase: `billing_info.address.postal_code` and
    `billingInfo.address.postalCode` both name `billingInfo.address.postalCode`."""
    from pydantic.alias_generators import to_camel

    return ".".join(part if "_" not in part else to_camel(part) for part in field.strip().split("."))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: fall back to our own backoff


def _rfc3339(moment: datetime) -> str:
    """A query time as RFC 3339 UTC ("2025-06-12T16:30:00.250000Z"); a naive time is taken as UTC."""
    utc = (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{utc.microsecond:06d}" if utc.microsecond else "") + "Z"
