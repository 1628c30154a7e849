"""Starting the console: hand the TUI a way to build its session, and nothing else.

The session (httpx, pydantic, the keyring, the sandbox) is built by the app in a worker after the
first frame, so those imports never delay it.
"""

from __future__ import annotations

import tomllib

from xconsole.cli.options import Options


def _saved_theme() -> str | None:
    """The remembered theme, read without pydantic (the first frame should not wait for it)."""
    from xconsole.core.paths import config_path

    try:
        with config_path().open("rb") as handle:
            return tomllib.load(handle).get("settings", {}).get("theme")
    except (OSError, tomllib.TOMLDecodeError):
        return None


def run_tui(opts: Options) -> None:
    from xconsole.tui.app import XConsoleApp

    async def factory():  # noqa: ANN202
        import asyncio
        import importlib

        # Heavy imports (httpx, pydantic, keyring, FastAPI) happen in a thread, not on the UI loop.
        wiring = await asyncio.to_thread(importlib.import_module, "xconsole.cli.wiring")
        return await wiring.build_session(opts)

    app = XConsoleApp(factory, sandbox=opts.sandbox, read_only=opts.read_only, initial_team=opts.team,
                      theme=None if opts.sandbox else _saved_theme())
    code = app.run()
    raise SystemExit(code or 0)
