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


async def test_teams_share_connections_and_each_request_carries_its_own_teams_key():
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
