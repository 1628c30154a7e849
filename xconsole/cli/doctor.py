"""`xconsole doctor`: what this machine offers xconsole, and how to fix what is missing."""

from __future__ import annotations

import asyncio
import os
import shutil
import stat
import sys
from dataclasses import dataclass

import click

from xconsole.cli.options import Options

SECRET_SERVICE_FIX = (
    "Start a Secret Service for this session: `dbus-run-session -- $SHELL`, then "
    "`echo -n '<password>' | gnome-keyring-daemon --unlock --components=secrets` "
    "(Debian/Ubuntu: apt install gnome-keyring dbus-x11). Or skip the keyring: "
    "export XAI_MANAGEMENT_KEY=<key> for this shell only."
)


@dataclass
class Check:
    ok: bool
    label: str
    detail: str
    fix: str = ""


async def _round_trip(probe: str, value: str) -> str | None:
    from xconsole.core.keyring_process import ProcessKeyStore

    store = ProcessKeyStore()
    await store.set(probe, value)
    try:
        return await store.get(probe)
    finally:
        await store.delete(probe)


def _keyring_checks() -> list[Check]:
    from xconsole.core.credentials import KeyringUnavailable, describe_backend

    checks = []
    try:
        info = describe_backend()
    except Exception as exc:  # a broken backend module is itself the finding
        return [Check(False, "keyring backend", f"cannot load: {type(exc).__name__}: {exc}", SECRET_SERVICE_FIX)]
    checks.append(Check(info.usable, "keyring backend", info.name + ("" if info.usable else f" — {info.reason}"),
                        "" if info.usable else SECRET_SERVICE_FIX))
    if info.usable:
        probe = "doctor-check"
        try:
            # The way the console makes its keyring calls (a process of its own per call, which
            # uses the same store as the commands): if this works, both do.
            read = asyncio.run(_round_trip(probe, "xconsole-doctor-probe"))
            ok = read == "xconsole-doctor-probe"
            checks.append(Check(ok, "keyring round trip", "write, read and delete work" if ok else "read back a different value",
                                "" if ok else SECRET_SERVICE_FIX))
        except KeyringUnavailable as exc:
            checks.append(Check(False, "keyring round trip", exc.message, SECRET_SERVICE_FIX))
    if sys.platform.startswith("linux"):
        bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        checks.append(Check(True, "D-Bus session", "present" if bus else "none (no Secret Service possible in this shell)"))
    return checks


def _config_check() -> Check:
    from xconsole.core.config import ConfigError, config_path, load_config

    path = config_path()
    if not path.exists():
        return Check(True, "config", f"{path} (not created yet)")
    try:
        config = load_config(path)
    except ConfigError as exc:
        return Check(False, "config", str(exc), f"Fix or move {path} away; xconsole recreates it.")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check(False, "config", f"{path} is readable by others (mode {mode:o})", f"chmod 600 {path}")
    return Check(True, "config", f"{path} ({len(config.teams)} team(s), mode {mode:o})")


def _terminal_check() -> Check:
    term = os.environ.get("TERM", "")
    colorterm = os.environ.get("COLORTERM", "")
    size = shutil.get_terminal_size((0, 0))
    colours = "true colour" if colorterm in ("truecolor", "24bit") else ("256 colours" if "256" in term else "16 colours or fewer")
    if "NO_COLOR" in os.environ:
        colours = "NO_COLOR set (monochrome)"
    detail = f"TERM={term or '(unset)'} COLORTERM={colorterm or '(unset)'}; {colours}; {size.columns}x{size.lines}"
    if term in ("", "dumb"):
        return Check(False, "terminal", detail, "Run in a real terminal (e.g. TERM=xterm-256color).")
    if size.columns and (size.columns < 80 or size.lines < 24):
        return Check(False, "terminal", detail, "The console needs at least 80x24.")
    return Check(True, "terminal", detail + "; clipboard via OSC 52 (terminal permitting)")


async def _api_checks(opts: Options) -> list[Check]:
    from xconsole.cli.options import Fail
    from xconsole.cli.wiring import build_session
    from xconsole.core.access import check_access
    from xconsole.core.credentials import KeyringUnavailable
    from xconsole.core.errors import ApiError

    try:
        session = await build_session(opts)
    except Fail as exc:
        return [Check(False, "API", exc.format_message())]
    if not session.teams:
        return [Check(True, "teams", "none registered yet (xconsole team add NAME)")]
    checks = []
    try:
        for team in session.teams:
            label = f"API: {team.name}"
            try:
                client = await session.client_for(team)
                access = await asyncio.wait_for(check_access(client, team.team_id), 30)
                checks.append(Check(access.billing_read is not False, label,
                                    f"key valid ({team.source}) · {access.line()}",
                                    "" if access.billing_read is not False else
                                    "Give the management key BillingRead in the console (Settings → Management Keys)."))
            except KeyringUnavailable as exc:
                from xconsole.core.credentials_dir import CredentialFileError

                checks.append(Check(False, label, exc.message, exc.fix if isinstance(exc, CredentialFileError)
                                    else "Fix the keyring (above) or set XAI_MANAGEMENT_KEY."))
            except (ApiError, TimeoutError) as exc:
                checks.append(Check(False, label, str(exc) or "timed out",
                                    "Check the network, the API URL and the key (`xconsole team add` again)."))
            except Fail as exc:  # a wrong API URL (XCONSOLE_API_URL or the team's api_url): said, not fatal
                checks.append(Check(False, label, exc.format_message(), "Give an https:// URL with a host."))
    finally:
        await session.aclose()
    return checks


def _credentials_dir_check() -> Check:
    from xconsole.core.credentials_dir import DirectoryKeyStore, credentials_directory

    directory = credentials_directory()
    if directory is None:
        return Check(True, "credentials directory", "not set (keys come from the keyring)")
    ids = DirectoryKeyStore(directory).team_ids()
    if not ids:
        return Check(False, "credentials directory", f"{directory}: no team-<team id> key files",
                     "put one file per team, named team-<team id>, holding its management key (mode 0400 or 0600)")
    return Check(True, "credentials directory", f"{directory}: keys for {len(ids)} team(s), used instead of the keyring")


@click.command()
@click.pass_obj
def doctor(opts: Options) -> None:
    """Check the keyring, config, terminal and API reachability; print a fix for each problem."""
    from xconsole.core.credentials import env_key
    from xconsole.core.secrets import mask_key

    from xconsole.core.credentials_dir import credentials_directory

    keyring_checks = _keyring_checks()
    key = env_key()
    # Keys from elsewhere: the keyring is not used, so its problem is not this run's.
    elsewhere = ("XAI_MANAGEMENT_KEY" if key  # what the session uses first (cli/wiring.py)
                 else "the credentials directory" if credentials_directory() is not None else None)
    if elsewhere is not None:
        keyring_checks = [Check(True, c.label, f"{c.detail} (not used: the key comes from {elsewhere})")
                          if not c.ok else c for c in keyring_checks]
    checks = [*keyring_checks, _config_check(), _terminal_check()]
    checks.append(Check(True, "XAI_MANAGEMENT_KEY", f"set ({mask_key(key)}), used for this run only" if key else "not set"))
    checks.append(_credentials_dir_check())
    checks += asyncio.run(_api_checks(opts))
    for check in checks:
        mark = click.style("ok ", fg="green") if check.ok else click.style("!! ", fg="red", bold=True)
        click.echo(f"{mark} {check.label:<22} {check.detail}")
        if check.fix:
            click.echo(f"    fix: {check.fix}")
    problems = [c for c in checks if not c.ok]
    if problems:
        click.echo(f"\n{len(problems)} problem(s) found.", err=True)
        raise SystemExit(1)
    click.echo("\nAll good.")
