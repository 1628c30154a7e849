"""The sandbox answering as the real Management API would, for the benches: no sandbox header
(so the client treats it as the real API: no console-only reads, numbers kept between starts,
design.md 1) and the console-only paths 404, counted, since the client must never send them to
a server that has not said it is the sandbox. `/sandbox/*` stays, for the bench's own setup.

Runnable as a server: `python bench/real_shaped.py --port P --db FILE [--faults SPEC]`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xconsole.core.client import SANDBOX_HEADER  # noqa: E402

#: The sandbox extension routes (design.md 5) that monitoring could touch; the others are writes.
CONSOLE_ONLY = re.compile(r"/(auto-top-up|invoiced-billing|promo-codes)$")


class RealShaped:
    """ASGI wrapper: the real API's shape while `enabled`, the sandbox's own otherwise."""

    def __init__(self, app: object, *, enabled: bool = True) -> None:
        self.app = app
        self.enabled = enabled
        self.console_only = 0  # console-only requests received (each a client bug)

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if not self.enabled or scope["type"] != "http" or scope["path"].startswith("/sandbox"):
            await self.app(scope, receive, send)  # type: ignore[operator]
            return

        async def unmarked(message: dict) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [(k, v) for k, v in message.get("headers", [])
                                                  if k.lower() != SANDBOX_HEADER.encode()]}
            await send(message)

        if CONSOLE_ONLY.search(scope["path"]):
            self.console_only += 1
            await unmarked({"type": "http.response.start", "status": 404, "headers": []})
            await unmarked({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, unmarked)  # type: ignore[operator]


def main(argv: list[str]) -> None:
    import argparse

    import uvicorn

    from xconsole.sandbox.app import create_app
    from xconsole.sandbox.clock import Clock
    from xconsole.sandbox.faults import parse_faults
    from xconsole.sandbox.store import Store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--faults", default=None)
    args = parser.parse_args(argv)
    app = create_app(Store(args.db), Clock(), parse_faults(args.faults))
    uvicorn.run(RealShaped(app), host="127.0.0.1", port=args.port, log_level="warning", date_header=False)


if __name__ == "__main__":
    main(sys.argv[1:])
