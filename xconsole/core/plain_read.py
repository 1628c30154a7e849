"""A registered team's balance, month spend and limit over the standard library alone (http.client,
json, threads): what the early-read process sends while the console starts (core/early_read.py).

The console's client needs httpx, pydantic and the wire models (~0.2 s of imports on one core)
before its first request; this needs none of them, so the numbers are in before the console's
first frame. It reads the same two answers the console reads first (the invoice preview and the
spending limits, reference 2.6 and 2.7), from the same URLs, with the same headers and the same
TLS trust as the client. Its three figures are read as the models read them (`numbers_from`,
property-tested against them); where it is not sure of one it is `Unreadable`, and the process
then says nothing. The rest of each answer is not validated here: the console's own read, a
moment later, does, and an answer it cannot read replaces these numbers with its error. No
redirect is followed (the key would go with it), a URL with a user or password is not used (httpx
would send those instead of the key), and a proxy in the environment leaves the read to httpx
(`proxied`).
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit

from xconsole.core import proxies
from xconsole.core.endpoints import (INVOICE_PREVIEW, SANDBOX_HEADER, SPENDING_LIMITS, USER_AGENT, api_url_problem,
                                     billing_path)
from xconsole.core.wire_scalars import read_int64

#: The client's own timeouts (core/client.py DEFAULT_TIMEOUT): connect 5 s, then 20 s per read.
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 20.0
#: An invoice preview with many lines is a few kB; more than this is not an answer to read here.
MAX_BODY = 1 << 20


class Unreadable(ValueError):
    """Not an answer this reader can vouch for (status, shape or number): say nothing."""


@dataclass(frozen=True)
class PlainNumbers:
    live_balance: int | None
    month_spend: int | None
    soft_limit: int | None
    #: Both answers carried the sandbox's header (a server that identified itself, design.md 1).
    sandbox: bool


def proxied(environ: Mapping[str, str] = os.environ) -> bool:
    """A proxy the client (httpx, trust_env) would use: this reader does not do proxies."""
    found = proxies.environment(environ)
    if "*" in (host.strip() for host in found.get("no", "").split(",")):
        return False  # httpx then uses no proxy at all
    return any(scheme in found for scheme in ("http", "https", "all"))  # the ones httpx reads


def tls_context() -> ssl.SSLContext:
    """The trust httpx's `create_ssl_context()` gives the client: SSL_CERT_FILE, else
    SSL_CERT_DIR, else certifi's bundle."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


def _cents(block: Mapping[str, Any], name: str, *, optional: bool) -> int | None:
    """A `Cent` (`{"val": int64}`) field: None when unset (null or absent) and `optional`, 0 when
    unset otherwise; anything but that shape is Unreadable."""
    value = block.get(name)
    if value is None:
        return None if optional else 0
    if not isinstance(value, dict):
        raise Unreadable(name)
    raw = value.get("val")
    if isinstance(raw, bool) or not isinstance(raw, (int, str, type(None))):
        raise Unreadable(name)  # a float or a bool: the models might read one; not vouched for here
    try:
        return read_int64(raw)  # an int from an int, a str or None
    except ValueError:
        raise Unreadable(name) from None


#: The models also accept each field under its Python name; such an answer is left to them.
SNAKE_NAMES = frozenset({"core_invoice", "spending_limits", "prepaid_credits", "prepaid_credits_used",
                         "total_with_corr", "effective_sl"})


def numbers_from(preview: Any, limits: Any) -> tuple[int | None, int | None, int | None]:
    """(live balance, month-to-date spend, limit in force) in cents from the two answers' JSON,
    as models.InvoicePreview and models.SpendingLimits compute them (None: the server left it
    unset). Unreadable where the models would fail on these fields, or where this reader is not
    sure."""
    if not isinstance(preview, dict) or not isinstance(limits, dict):
        raise Unreadable("not an object")
    core = preview.get("coreInvoice")
    spending = limits.get("spendingLimits")
    if not isinstance(core, dict) or not isinstance(spending, dict):
        raise Unreadable("coreInvoice or spendingLimits")  # required by the models too
    if SNAKE_NAMES.intersection({*preview, *limits, *core, *spending}):
        raise Unreadable("a field under its Python name")
    prepaid = _cents(core, "prepaidCredits", optional=True)
    used = _cents(core, "prepaidCreditsUsed", optional=False)
    total = _cents(core, "totalWithCorr", optional=True)
    limit = _cents(spending, "effectiveSl", optional=True)
    # Both credit-signed (negative): remaining = (-prepaid) - (-used), as live_balance_cents.
    balance = None if prepaid is None else (-prepaid) - (-(used or 0))
    return balance, total, limit


def _get(url: SplitResult, path: str, key: str, context: ssl.SSLContext | None) -> tuple[Any, bool]:
    """One GET on its own connection: (the answer's JSON, whether it carried the sandbox header)."""
    assert url.hostname is not None  # checked by `read`
    # The port always given: http.client would read an IPv6 address's last group as one.
    port = url.port if url.port is not None else (443 if url.scheme == "https" else 80)
    connection: http.client.HTTPConnection
    if url.scheme == "https":
        connection = http.client.HTTPSConnection(url.hostname, port, timeout=CONNECT_TIMEOUT_S, context=context)
    else:
        connection = http.client.HTTPConnection(url.hostname, port, timeout=CONNECT_TIMEOUT_S)
    try:
        connection.connect()
        assert connection.sock is not None
        connection.sock.settimeout(READ_TIMEOUT_S)
        connection.request("GET", url.path.rstrip("/") + path, headers={
            "Authorization": f"Bearer {key}", "User-Agent": USER_AGENT, "Accept": "application/json"})
        response = connection.getresponse()
        if response.status != 200:  # errors, redirects and "no content" alike: the console's read says
            raise Unreadable(f"HTTP {response.status}")
        if response.length is not None and response.length > MAX_BODY:
            raise Unreadable("too long")
        # With a length, read() raises IncompleteRead for a shorter body (read(n) would not).
        body = response.read() if response.length is not None else response.read(MAX_BODY + 1)
        if len(body) > MAX_BODY:
            raise Unreadable("too long")
        sandbox = response.getheader(SANDBOX_HEADER) == "1"
    finally:
        connection.close()
    try:
        # UTF-8 only, as the client's parser: json.loads would also take a BOM or UTF-16.
        return json.loads(body.decode("utf-8") if body else "{}"), sandbox
    except ValueError:  # UnicodeDecodeError is one
        raise Unreadable("not JSON") from None


def read(base_url: str, team_id: str, key: str) -> PlainNumbers:
    """Both answers at once (two connections, as the client's two parallel requests), then the
    numbers. Raises Unreadable, OSError or http.client errors; never returns partial numbers."""
    if not key or not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
        raise Unreadable("key")  # refused here, not in a header error that would quote it
    if api_url_problem(base_url):
        raise Unreadable("api url")
    url = urlsplit(base_url)
    safe_id = quote(team_id, safe="")
    context = tls_context() if url.scheme == "https" else None
    paths = [billing_path(safe_id, INVOICE_PREVIEW), billing_path(safe_id, SPENDING_LIMITS)]
    answers: list[Any] = [None, None]

    def fetch(i: int) -> None:
        try:
            answers[i] = _get(url, paths[i], key, context)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            answers[i] = exc

    other = threading.Thread(target=fetch, args=(1,), daemon=True)
    other.start()
    fetch(0)
    other.join()
    for answer in answers:
        if isinstance(answer, BaseException):
            raise answer
    (preview, preview_sandbox), (limits, limits_sandbox) = answers
    balance, spend, limit = numbers_from(preview, limits)
    return PlainNumbers(balance, spend, limit, sandbox=preview_sandbox and limits_sandbox)
