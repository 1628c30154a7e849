"""A sandbox served over real HTTP (uvicorn in a thread) on a free loopback port."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from xconsole.sandbox.app import frozen_app


class ServedSandbox:
    def __init__(self) -> None:
        self.app = frozen_app()
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=0, log_level="warning", date_header=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServedSandbox:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("sandbox server did not start")
            time.sleep(0.02)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.teams = {t["name"].split()[0].lower(): t for t in httpx.get(f"{self.url}/sandbox/teams").json()["teams"]}
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(5)
