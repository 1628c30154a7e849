"""Starting the console: hand the TUI a way to build its session, and nothing else.

The session (httpx, pydantic, the sandbox) is built by the app in a worker after the first frame,
so those imports never delay it; the keyring is read in processes of its own.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xconsole.cli.run_options import Options
    from xconsole.core.early_read import EarlyRead


def _saved_settings() -> dict:
    """The `[settings]` of config.toml, read without pydantic (the first frame should not wait
    for it); {} when there is none or it cannot be read."""
    from xconsole.core.first_team import read_config
    from xconsole.core.paths import config_path

    settings = (read_config(config_path()) or {}).get("settings", {})
    return settings if isinstance(settings, dict) else {}


def _starting_team(opts: Options) -> tuple[str, str] | None:
    """The team the session will open on, from the config or the sandbox database, for the first
    frame (the session confirms it). Unknown with XAI_MANAGEMENT_KEY: the key names the team."""
    import os

    from xconsole.core import first_team
    from xconsole.core.paths import KEY_ENV, config_path, data_dir

    if opts.sandbox:
        return None if opts.fresh else first_team.from_sandbox_db(data_dir() / "sandbox.db", opts.team)
    if os.environ.get(KEY_ENV, "").strip():
        return None
    return first_team.from_config(config_path(), opts.team)


def build_app(opts: Options):  # noqa: ANN201 - XConsoleApp, imported lazily
    """The console for `opts`, not yet running: its first frame names the starting team and
    shows that team's last numbers (unless --no-cache, and never on the sandbox); a second
    process reads its live numbers meanwhile (a registered team through the API; a demo team
    from the sandbox's database)."""
    starting = _starting_team(opts)
    early = None
    if starting is not None:
        from xconsole.core.early_read import spawn

        # First: it runs while Textual is imported.
        early = spawn(starting[1], None, sandbox=True) if opts.sandbox else spawn(starting[1], opts.api_url)
    try:
        return _console(opts, starting, early)
    except BaseException:
        if early is not None:
            early.stop()  # no console to read it
        raise


def _console(opts: Options, starting: tuple[str, str] | None, early: EarlyRead | None):  # noqa: ANN202
    from xconsole.tui.app import XConsoleApp

    async def factory():  # noqa: ANN202
        import asyncio
        import dataclasses
        import importlib

        # Heavy imports (httpx, pydantic, FastAPI) happen in a thread, not on the UI loop.
        wiring = await asyncio.to_thread(importlib.import_module, "xconsole.cli.wiring")
        # The keyring in child processes: ~10 MB the console does not keep (core/keyring_process.py).
        return await wiring.build_session(dataclasses.replace(opts, keyring_in_child=True))

    keep_numbers = not (opts.sandbox or opts.no_cache)
    remembered = None
    if keep_numbers and starting is not None:
        from xconsole.core import numbers_cache

        remembered = numbers_cache.load(starting[1])
    settings = _saved_settings()
    theme = settings.get("theme")
    app = XConsoleApp(factory, sandbox=opts.sandbox, read_only=opts.read_only, initial_team=opts.team,
                      theme=None if opts.sandbox or not isinstance(theme, str) else theme, starting_team=starting,
                      keep_numbers=keep_numbers, remembered=[remembered] if remembered else [],
                      changes_digest=settings.get("changes_digest", True) is not False, early_read=early)
    return app


def run_tui(opts: Options) -> None:
    if opts.api_url and not opts.sandbox:
        from xconsole.core.endpoints import api_url_problem
        from xconsole.core.paths import API_URL_ENV

        problem = api_url_problem(opts.api_url)
        if problem:  # (--api-url was checked by click: this is the environment's)
            sys.stderr.write(f"xconsole: {API_URL_ENV}: {problem}\n")
            raise SystemExit(2)
    app = build_app(opts)
    try:
        code = app.run()
    finally:
        if app.early_read is not None:
            app.early_read.stop()  # still reading when the console quit: not needed any more
    raise SystemExit(code or 0)
