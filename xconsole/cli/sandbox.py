"""`xconsole sandbox serve`: the sandbox over HTTP with uvicorn, for curl, scripts and a second
xconsole process."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import click

from xconsole.cli.options import Fail


@click.group("sandbox")
def sandbox_group() -> None:
    """The local stand-in for the xAI Management API."""


@sandbox_group.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (keep it on loopback).")
@click.option("--port", default=8787, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), help="SQLite file (default: the per-user sandbox database).")
@click.option("--fresh", is_flag=True, help="Delete the database first and seed it again.")
@click.option("--large", is_flag=True, help="Also seed a team with 10,000 invoices (benchmarks).")
@click.option("--teams", type=click.IntRange(0, 2000), default=0, help="Seed plain extra teams up to this many in all (e.g. 200).")
@click.option("--faults", "fault_spec", metavar="SPEC", help='e.g. "latency=200ms,error=0.05,429=0.02,timeout=0.01"')
def serve(host: str, port: int, db: Path | None, fresh: bool, large: bool, teams: int, fault_spec: str | None) -> None:
    """Serve the sandbox on http://HOST:PORT (OpenAPI at /openapi.json)."""
    import uvicorn

    from xconsole.cli.wiring import sandbox_db_path
    from xconsole.core.secrets import mask_key
    from xconsole.sandbox.app import create_app
    from xconsole.sandbox.clock import Clock
    from xconsole.sandbox.faults import parse_faults
    from xconsole.sandbox.keys import demo_teams
    from xconsole.sandbox.store import Store

    try:
        faults = parse_faults(fault_spec)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--faults") from None
    path = db or sandbox_db_path()
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    try:
        store = Store(path)
    except Exception as exc:  # sqlite3 errors name the file problem
        raise Fail(f"Cannot open sandbox database {path}: {exc}") from None
    app = create_app(store, Clock(), faults, large=large, teams=teams)
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        click.echo(f"warning: serving on {host}: the sandbox is for local use; admin routes stay loopback-only", err=True)
    click.echo(f"xconsole sandbox on http://{host}:{port}  (database {path})")
    listed = demo_teams(store)
    for team in listed[:10]:
        click.echo(f"  {team.name:<16} {team.team_id}  key {mask_key(team.management_key)}")
    if len(listed) > 10:
        click.echo(f"  … and {len(listed) - 10} more teams")
    click.echo(f"  Full demo keys: curl http://{host}:{port}/sandbox/teams")
    # date_header=False: the sandbox sets Date from its own (movable) clock.
    uvicorn.run(app, host=host, port=port, log_level="warning", date_header=False)
