"""What a key may do on a server, for `xconsole doctor`: one read to prove billing access, the
key's ACLs for the rest, and whether the server is the sandbox (from its own answers)."""

from __future__ import annotations

from dataclasses import dataclass

from xconsole.core import errors
from xconsole.core.client import CONSOLE_ONLY_FEATURES, ManagementClient

READ_ACL = "team-token:endpoint:BillingRead"
WRITE_ACL = "team-token:endpoint:BillingWrite"


@dataclass(frozen=True)
class Access:
    team_id: str
    base_url: str
    billing_read: bool | None  # None: unknown
    billing_write: bool | None  # None: the key's ACLs do not say, and nothing is written to find out
    sandbox: bool

    @property
    def console_only(self) -> tuple[str, ...]:
        """Features unavailable here (all of the console's extras, except on the sandbox)."""
        return () if self.sandbox else CONSOLE_ONLY_FEATURES

    def line(self) -> str:
        """One line, no key: team, access, kind of server, what is console-only there."""
        def yes(value: bool | None) -> str:
            return "unknown" if value is None else ("yes" if value else "no")

        kind = "sandbox" if self.sandbox else "real API"
        text = (f"team {self.team_id} · billing read {yes(self.billing_read)}, write {yes(self.billing_write)} · "
                f"{kind} at {self.base_url}")
        if self.console_only:
            text += f" · console only here: {', '.join(self.console_only)}"
        return text


async def check_access(client: ManagementClient, team_id: str) -> Access:
    """Validate the key (raises errors.ApiError when it is refused) and probe one billing read."""
    info = await client.validate_key()
    acls = set(info.acls)
    try:
        await client.get_spending_limits(team_id)
        read: bool | None = True
    except errors.PermissionDenied:
        read = False
    except errors.ApiError:
        read = True if READ_ACL in acls else None
    write = True if WRITE_ACL in acls else (False if acls and READ_ACL in acls else None)
    return Access(team_id, client.base_url, read, write, await client.identify())
