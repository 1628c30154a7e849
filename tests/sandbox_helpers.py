"""Helpers to talk to an in-process sandbox on a frozen clock."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from xconsole.core.client import ManagementClient
from xconsole.sandbox.app import frozen_app

BASE = "http://sandbox.test"


@dataclass
class DemoTeam:
    team_id: str
    name: str
    key: str
    read_only_key: str


class SandboxHarness:
    """An app, an admin client and ManagementClients for its demo teams."""

    def __init__(self, **kw: object) -> None:
        self.app = frozen_app(**kw)
        self.transport = httpx.ASGITransport(app=self.app)
        self.http = httpx.AsyncClient(transport=self.transport, base_url=BASE)
        self.teams: dict[str, DemoTeam] = {}
        self._clients: list[ManagementClient] = []

    async def start(self) -> SandboxHarness:
        for t in (await self.http.get("/sandbox/teams")).json()["teams"]:
            team = DemoTeam(t["teamId"], t["name"], t["managementKey"], t["readOnlyKey"])
            self.teams[team.name.split()[0].lower()] = team
        return self

    def client(self, name: str, *, read_only: bool = False, **kw: object) -> ManagementClient:
        team = self.teams[name]
        client = ManagementClient(
            team.read_only_key if read_only else team.key, BASE, transport=self.transport, sandbox=True,
            sleep=_no_sleep, **kw,  # type: ignore[arg-type]
        )
        self._clients.append(client)
        return client

    async def advance(self, seconds: float) -> str:
        return (await self.http.post("/sandbox/clock", json={"advanceSeconds": seconds})).json()["now"]

    async def faults(self, **kw: object) -> dict:
        return (await self.http.post("/sandbox/faults", json=kw)).json()

    async def close(self) -> None:
        for client in self._clients:
            await client.aclose()
        await self.http.aclose()


async def _no_sleep(_: float) -> None:
    return None
