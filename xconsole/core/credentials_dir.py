"""Keys for services without a keyring: one file per team in a credentials directory.

`XCONSOLE_CREDENTIALS_DIRECTORY`, else systemd's `$CREDENTIALS_DIRECTORY` (set by
`LoadCredential=`): a file `team-<team_id>` holds that team's management key, so a systemd
credential and a Kubernetes Secret volume both work. A file that group or others can read is
refused with a one-line reason (a Secret volume's default mode 0644 must be set to 0400/0600).
Keys are read, never written, logged or printed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from xconsole.core.credentials import KeyringUnavailable, clean_key

DIRECTORY_ENV = "XCONSOLE_CREDENTIALS_DIRECTORY"
SYSTEMD_ENV = "CREDENTIALS_DIRECTORY"
PREFIX = "team-"


def credentials_directory() -> Path | None:
    value = os.environ.get(DIRECTORY_ENV) or os.environ.get(SYSTEMD_ENV)
    return Path(value) if value else None


def _is_team_id(text: str) -> bool:
    """Only `team-<uuid>` files are keys: a stray `team-notes.txt` is never sent anywhere."""
    from xconsole.core.teams import TeamError, check_team_id

    try:
        check_team_id(text)
    except TeamError:
        return False
    return True


class CredentialFileError(KeyringUnavailable):
    """A key file that cannot be used, said in one line (never its content)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, fix="Give the key file mode 0400 or 0600, owned by the user running xconsole.")


class DirectoryKeyStore:
    """Read-only keys from a credentials directory (`team-<team_id>` files)."""

    label = "credentials directory"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def team_ids(self) -> list[str]:
        """The teams with a key file here, sorted; [] when the directory cannot be listed."""
        try:
            names = sorted(p.name for p in self.directory.iterdir() if p.name.startswith(PREFIX))
        except OSError:
            return []
        return [team_id for team_id in (name.removeprefix(PREFIX) for name in names) if _is_team_id(team_id)]

    def read(self, team_id: str) -> str | None:
        path = self.directory / f"{PREFIX}{team_id}"
        try:
            info = path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CredentialFileError(f"{path} cannot be read: {exc.strerror}") from None
        if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise CredentialFileError(f"{path} is open to group or others (mode {stat.S_IMODE(info.st_mode):04o}): "
                                      "refused; make it 0400 or 0600")
        try:
            return clean_key(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            raise CredentialFileError(f"{path} does not hold one management key") from None

    async def get(self, team_id: str) -> str | None:
        import asyncio

        return await asyncio.to_thread(self.read, team_id)

    async def set(self, team_id: str, key: str) -> None:
        raise CredentialFileError(f"Keys in {self.directory} are read-only: the service's manager provides them")

    async def delete(self, team_id: str) -> bool:
        return False

    def __repr__(self) -> str:
        return f"DirectoryKeyStore({self.directory})"
