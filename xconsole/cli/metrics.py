"""`xconsole metrics serve` (a Prometheus exporter) and `xconsole metrics --textfile DIR` (for
node_exporter's textfile collector). The metrics themselves are core/metrics.py's."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from xconsole.cli.options import Fail, Options

PROM_FILE = "xconsole.prom"


async def _open(opts: Options, wanted: tuple[str, ...], min_interval: float) -> Any:
    from xconsole.cli.wiring import build_session, select
    from xconsole.core.metrics import TeamMetrics

    from xconsole.core.credentials_dir import DirectoryKeyStore

    session = await build_session(opts)
    handles = []
    for name in wanted or (None,):
        for handle in select(session, name, all_teams=not wanted):
            if handle not in handles:
                handles.append(handle)
    discover = None
    if not wanted and isinstance(session.keystore, DirectoryKeyStore):
        from xconsole.cli.wiring import directory_teams

        store = session.keystore
        discover = lambda: directory_teams(store)  # noqa: E731
    return TeamMetrics(session, handles, min_interval=min_interval, discover=discover)


@click.group(invoke_without_command=True)
# DIR must exist: node_exporter reads one directory, and a mistyped one created here would never be read.
@click.option("--textfile", "directory", type=click.Path(exists=True, file_okay=False, path_type=Path), metavar="DIR",
              help=f"Write DIR/{PROM_FILE} (atomically) for node_exporter's textfile collector, then exit.")
@click.option("--team", "teams", multiple=True, metavar="NAME_OR_ID", help="A team (repeatable; default: all).")
@click.pass_context
def metrics(ctx: click.Context, directory: Path | None, teams: tuple[str, ...]) -> None:
    """Prometheus metrics of every team: `serve` them, or write them to a textfile."""
    if ctx.invoked_subcommand is not None:
        return
    if directory is None:
        raise click.UsageError("Use `xconsole metrics serve` or `xconsole metrics --textfile DIR`")
    opts: Options = ctx.obj

    async def write() -> list[str]:
        from prometheus_client import write_to_textfile

        from xconsole.core.metrics import registry_for

        collected = await _open(opts, teams, 0)
        try:
            await collected.refresh(force=True)
        finally:
            await collected.session.aclose()
        try:
            write_to_textfile(str(directory / PROM_FILE), registry_for(collected))  # temp file + rename
        except OSError as exc:
            raise Fail(f"Cannot write {directory / PROM_FILE}: {exc.strerror or exc}") from None
        return [r.team.name for r in collected.readings if r.snapshot is None]

    down = asyncio.run(write())
    for name in down:
        click.echo(f"xconsole: {name} could not be read (xconsole_team_up 0)", err=True)
    click.echo(f"Wrote {directory / PROM_FILE}")


@metrics.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=9464, show_default=True)
@click.option("--min-interval", type=click.FloatRange(min=5), default=60, show_default=True,
              help="Seconds a reading is served before the API is read again (at least 5: scrapes never hammer the API).")
@click.option("--team", "teams", multiple=True, metavar="NAME_OR_ID", help="A team (repeatable; default: all).")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, min_interval: float, teams: tuple[str, ...]) -> None:
    """Serve /metrics: Prometheus text 0.0.4, or OpenMetrics 1.0 when the Accept header asks."""
    import uvicorn

    opts: Options = ctx.obj
    teams = (*(ctx.parent.params["teams"] if ctx.parent else ()), *teams)  # before or after `serve`
    click.echo(f"xconsole metrics on http://{host}:{port}/metrics (reads cached {min_interval:g} s)", err=True)
    uvicorn.run(exporter(opts, teams, min_interval), host=host, port=port, log_level="warning", lifespan="on")


def exporter(opts: Options, teams: tuple[str, ...], min_interval: float) -> Any:
    """A small ASGI app: GET /metrics (anything else 404); the session opens with the server."""
    from prometheus_client.exposition import choose_encoder

    from xconsole.core.metrics import registry_for

    state: dict[str, Any] = {}

    async def lifespan(receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    state["metrics"] = await _open(opts, teams, min_interval)
                except (Fail, click.ClickException) as exc:
                    await send({"type": "lifespan.startup.failed", "message": exc.format_message()})
                    return
                state["registry"] = registry_for(state["metrics"])
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if "metrics" in state:
                    await state["metrics"].session.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        if scope["path"] != "/metrics" or scope["method"] not in ("GET", "HEAD"):
            await _answer(send, 404, b"text/plain; charset=utf-8", b"Not found: the metrics are at /metrics\n")
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        await state["metrics"].refresh()
        encoder, content_type = choose_encoder(headers.get("accept", ""))
        body = encoder(state["registry"])
        await _answer(send, 200, content_type.encode(), body, head=scope["method"] == "HEAD")

    return app


async def _answer(send: Any, status: int, content_type: bytes, body: bytes, *, head: bool = False) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": b"" if head else body})
