"""The session's clients share one pool of keep-alive connections (core.client.SharedConnections,
built in cli/wiring.py): every request still carries its own team's key, and one team's client
closing (its key replaced) leaves the others working."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import httpx

from xconsole.cli.options import Options
from xconsole.cli.wiring import _client_maker
from xconsole.sandbox.app import frozen_app
from tests.served import UvicornThread


async def test_teams_share_connections_and_each_request_carries_its_own_teams_key(monkeypatch):
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):  # a proxy keeps a pool per client (below)
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    app = frozen_app()
    seen: list[tuple[int, str, str]] = []  # (client port, Authorization, path) per request

    async def recording(scope, receive, send):  # noqa: ANN001
        if scope["type"] == "http":
            seen.append((scope["client"][1], dict(scope["headers"]).get(b"authorization", b"").decode(), scope["path"]))
        await app(scope, receive, send)

    served = UvicornThread(recording, date_header=False)
    url = served.start()
    try:
        async with httpx.AsyncClient() as admin:
            teams = (await admin.get(f"{url}/sandbox/teams")).json()["teams"]
        make = _client_maker(Options(api_url=url))
        clients = [make(t["managementKey"], None) for t in teams]
        for _ in range(4):
            await asyncio.gather(*(c.get_spending_limits(t["teamId"]) for t, c in zip(teams, clients, strict=True)))
        await clients[0].aclose()  # one team's key replaced: its client goes, the pool stays
        await clients[1].get_spending_limits(teams[1]["teamId"])
        await make.close()
    finally:
        served.stop()

    reads = [s for s in seen if s[2].startswith("/v1/billing/")]
    assert len(reads) == 4 * len(teams) + 1
    key_of = {t["teamId"]: f"Bearer {t['managementKey']}" for t in teams}
    assert all(auth == key_of[path.split("/")[4]] for _port, auth, path in reads)  # never another team's key
    keys_per_connection: dict[int, set[str]] = defaultdict(set)
    for port, auth, _path in reads:
        keys_per_connection[port].add(auth)
    assert len(keys_per_connection) <= len(teams)  # kept alive, not one per request
    assert any(len(keys) > 1 for keys in keys_per_connection.values())  # one pool, not one per team


async def test_a_proxy_in_the_environment_still_carries_every_request(monkeypatch):
    """httpx routes through HTTP(S)_PROXY only for a client without its own transport: with a
    proxy set, the clients keep their own pools and go through it (a corporate network's only way out)."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from xconsole.core import errors

    seen: list[tuple[str, str]] = []

    class Proxy(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            seen.append((self.path, self.headers.get("Authorization", "")))
            body = b'{"spendingLimits": {}}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    proxy = HTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{proxy.server_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    try:
        make = _client_maker(Options(api_url="http://billing.invalid"))
        client = make("xai-proxied-key", None)
        try:
            await client.get_spending_limits("3f1c9e2a-7b44-4d0e-9a61-0c2b5d8e4f17")
        except errors.ApiError:
            pass  # the answer's shape is not the point; where the request went is
        await client.aclose()
        await make.close()
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert seen and seen[0][0].startswith("http://billing.invalid/v1/billing/teams/")
    assert seen[0][1] == "Bearer xai-proxied-key"
