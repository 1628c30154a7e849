"""A sandbox served over real HTTP (uvicorn in a thread) on a free loopback port."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from xconsole.sandbox.app import frozen_app


class UvicornThread:
    """An ASGI app served by uvicorn in a daemon thread on a free loopback port."""

    def __init__(self, app: object, **config: object) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", **config))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> str:
        """Start it and wait until it listens (a bounded poll); returns its base URL."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.server.servers[0].sockets[0].getsockname()[1]}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(5)


class ServedSandbox:
    def __init__(self) -> None:
        self.app = frozen_app()
        self.served = UvicornThread(self.app, date_header=False)

    def __enter__(self) -> ServedSandbox:
        self.url = self.served.start()
        self.teams = {t["name"].split()[0].lower(): t for t in httpx.get(f"{self.url}/sandbox/teams").json()["teams"]}
        return self

    def __exit__(self, *exc: object) -> None:
        self.served.stop()
