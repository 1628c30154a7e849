"""`xconsole export --month YYYY-MM`: a month's invoices, invoice lines, ledger changes and usage by
model for one, several or all teams, as CSV files in a directory or one JSON file, with a
reconciliation per team (core/finance_export.py). Mismatches and failed charges go to the
summary and to stderr; a team that cannot be read makes the exit status 1, the others are written.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from xconsole.cli.options import Fail, Options


@click.command()
@click.option("--month", required=True, metavar="YYYY-MM", help="The month to export.")
@click.option("--team", "teams", multiple=True, metavar="NAME_OR_ID", help="A team (repeatable; default: the last used).")
@click.option("--all", "all_teams", is_flag=True, help="Every team.")
@click.option("--csv", "csv_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Write one CSV file per kind of row into DIR.")
@click.option("--json", "json_file", type=click.Path(dir_okay=False, allow_dash=True), metavar="FILE",
              help="Write one JSON document to FILE (- for stdout).")
@click.option("--force", is_flag=True, help="Replace files that already exist.")
@click.pass_obj
def export(opts: Options, month: str, teams: tuple[str, ...], all_teams: bool, csv_dir: Path | None,
           json_file: str | None, force: bool) -> None:
    """A month's finance export across teams, with a reconciliation per team."""
    from xconsole.core import finance_export as fx
    from xconsole.core.invoices import parse_month

    if teams and all_teams:
        raise click.UsageError("Use --team or --all, not both")
    if (csv_dir is None) == (json_file is None):
        raise click.UsageError("Give one of --csv DIR or --json FILE")
    try:
        wanted = parse_month(month)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--month") from None
    results = asyncio.run(_read(opts, list(teams), all_teams, wanted))
    label = f"{wanted[0]:04d}-{wanted[1]:02d}"
    if csv_dir is not None:
        files = {csv_dir / name: text for name, text in fx.csv_files(results, wanted).items()}
    elif json_file == "-":  # the usual spelling of stdout (./- is a file named "-")
        files = {}
        click.echo(fx.json_document(results, wanted), nl=False)
    else:
        files = {Path(json_file): fx.json_document(results, wanted)}  # type: ignore[arg-type]
    try:
        if csv_dir is not None:
            csv_dir.mkdir(parents=True, exist_ok=True)
        written = fx.write_all(files, force=force)
    except FileExistsError as exc:
        raise Fail(f"{exc} already exists: nothing was written (use --force to replace)") from None
    except OSError as exc:
        raise Fail(f"Cannot write the export: {exc.strerror or exc}") from None
    for path in written:
        click.echo(f"Wrote {path}")
    for team in sorted(results, key=lambda t: (t.team_name, t.team_id)):
        for problem in team.problems:
            click.echo(f"xconsole: {team.team_name} {label}: {problem}", err=True)
    if any(t.error for t in results):
        raise SystemExit(1)


async def _read(opts: Options, wanted: list[str], all_teams: bool, month: tuple[int, int]) -> list[Any]:
    from xconsole.cli.options import progress
    from xconsole.cli.wiring import build_session, select
    from xconsole.core import finance_export as fx

    session = await build_session(opts)
    try:
        handles = []
        for name in wanted or [None]:  # type: ignore[list-item]
            for handle in select(session, name, all_teams):
                if handle not in handles:
                    handles.append(handle)
        tick = progress(len(handles))
        gate = asyncio.Semaphore(16)

        async def one(handle: Any) -> Any:
            async with gate:
                try:
                    client = await session.client_for(handle)
                    return await fx.read_team_month(client, handle.team_id, handle.name, month)
                except ValueError as exc:  # the month has not started
                    raise Fail(str(exc)) from None
                except Exception as exc:  # noqa: BLE001 - one team's failure is reported, the others exported
                    return fx.unreadable(handle.team_id, handle.name, exc)
                finally:
                    if tick is not None:
                        tick()

        return list(await asyncio.gather(*(one(h) for h in handles)))
    finally:
        await session.aclose()
