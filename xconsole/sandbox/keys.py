"""Management-key authentication, inference API keys and audit events of the sandbox."""

from __future__ import annotations

import json
import secrets
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from xconsole.core import models
from xconsole.core.secrets import mask_key
from xconsole.sandbox import simulation as sim
from xconsole.sandbox.clock import Clock
from xconsole.sandbox.errors import SandboxError, bad_request, not_found
from xconsole.sandbox.store import Store

ACL = "team-token:endpoint:"
BILLING_READ = ACL + "BillingRead"
BILLING_WRITE = ACL + "BillingWrite"  # only asserted by one source (reference 3.1) [B]
LIST_KEYS = ACL + "ListApiKeys"
MANAGE_KEYS = ACL + "ManageApiKeys"  # our name for key writes [C]
PROPAGATION = ACL + "CheckApiKeyPropagation"
AUDIT = ACL + "ListAuditEvents"  # our name [C]
ALL_ACLS = [BILLING_READ, BILLING_WRITE, LIST_KEYS, MANAGE_KEYS, PROPAGATION, AUDIT]
READ_ONLY_ACLS = [BILLING_READ, LIST_KEYS, AUDIT]


@dataclass(frozen=True)
class DemoTeamKeys:
    team_id: str
    name: str
    management_key: str
    read_only_key: str


def demo_teams(store: Store) -> list[DemoTeamKeys]:
    """The seeded teams with their admin and read-only management keys, in display order."""
    with store.tx() as conn:
        rows = conn.execute(
            "SELECT t.team_id, t.name, k.secret, k.name AS role FROM teams t JOIN management_keys k USING (team_id)"
            " ORDER BY t.position, k.name"
        ).fetchall()
    found: dict[str, dict[str, str]] = {}
    for row in rows:
        entry = found.setdefault(row["team_id"], {"team_id": row["team_id"], "name": row["name"]})
        entry["management_key" if row["role"] == "xconsole-admin" else "read_only_key"] = row["secret"]
    return [DemoTeamKeys(**entry) for entry in found.values()]


def _uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Caller:
    secret: str
    api_key_id: str
    team_id: str
    acls: tuple[str, ...]
    #: Who the audit events of this caller's writes name: the management key's owner (our stand-in
    #: for the real service, which records the user behind the key) [C].
    actor: str = sim.DEFAULT_ACTOR

    def check(self, team_id: str, acl: str | None) -> None:
        """400 for a non-UUID team, 404 for another team's, 403 when the ACL is missing."""
        if not _uuid(team_id):
            raise bad_request("Invalid uuid")
        if team_id != self.team_id:
            raise not_found(f"Team {team_id} not found")
        if acl and acl not in self.acls:
            raise SandboxError(403, f"This management key lacks the {acl.removeprefix(ACL)} permission")


class KeyService:
    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # ------------------------------------------------------------------ management keys

    def authenticate(self, authorization: str | None) -> Caller:
        if not authorization or not authorization.startswith("Bearer "):
            raise SandboxError(401, "Missing bearer token: send Authorization: Bearer <management key>")
        secret = authorization.removeprefix("Bearer ").strip()
        with self.store.tx() as conn:
            row = conn.execute("SELECT * FROM management_keys WHERE secret = ?", (secret,)).fetchone()
        if row is None:
            raise SandboxError(401, f"Management key {mask_key(secret)} is not valid")
        return Caller(secret, row["api_key_id"], row["team_id"], tuple(json.loads(row["acls"])), sim.actor_for_key(row["name"]))

    def validation(self, caller: Caller) -> models.ManagementKey:
        with self.store.tx() as conn:
            row = conn.execute("SELECT * FROM management_keys WHERE secret = ?", (caller.secret,)).fetchone()
        created = sim.parse_ts(row["create_time"])
        return models.ManagementKey(
            api_key_id=row["api_key_id"],
            team_id=row["team_id"],
            scope=row["scope"],
            scope_id=row["team_id"],
            owner_user_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "owner/" + row["team_id"])),
            create_time=created,
            modify_time=created,
            name=row["name"],
            acls=json.loads(row["acls"]),
            redacted_api_key=f"xai-...{caller.secret[-4:]}",
        )

    # ------------------------------------------------------------------ inference API keys

    def list_api_keys(self, team_id: str, page_size: int | None, token: str | None, active_only: bool) -> models.ApiKeyList:
        offset = 0
        if token:
            try:
                offset = int(token.removeprefix("skip:"))
            except ValueError:
                raise bad_request("Invalid paginationToken", "paginationToken") from None
        now = self.clock.now()
        with self.store.tx() as conn:
            rows = conn.execute(
                "SELECT * FROM api_keys WHERE team_id = ? ORDER BY create_time, api_key_id", (team_id,)
            ).fetchall()
        keys = [_api_key(r) for r in rows]
        if active_only:
            keys = [k for k in keys if not k.disabled and (k.expire_time is None or k.expire_time > now)]
        size = page_size or len(keys) or 1
        page = keys[offset : offset + size]
        more = offset + size < len(keys)
        return models.ApiKeyList(api_keys=page, pagination_token=f"skip:{offset + size}" if more else None)

    def create_api_key(self, team_id: str, request: models.CreateApiKeyRequest, *, actor: str = sim.DEFAULT_ACTOR) -> models.ApiKey:
        if not request.name.strip():
            raise bad_request("name must not be empty", "name")
        now = self.clock.now()
        key_id = str(uuid.uuid4())
        secret = "xai-" + secrets.token_urlsafe(36)
        with self.store.tx() as conn:
            conn.execute(
                "INSERT INTO api_keys (api_key_id, team_id, secret, name, user_id, acls, qps, qpm, tpm, expire_time,"
                " create_time, modify_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (key_id, team_id, secret, request.name.strip(), "sandbox-admin", json.dumps(request.acls), request.qps,
                 request.qpm, request.tpm, sim.ts(request.expire_time) if request.expire_time else None, sim.ts(now), sim.ts(now)),
            )
            sim.audit(conn, team_id, now, f"API key '{request.name.strip()}' was created", actor)
            key = _api_key(self._row(conn, key_id, team_id))
        key.api_key = secret
        return key

    def update_api_key(self, team_id: str, key_id: str, request: models.UpdateApiKeyRequest, *,
                       actor: str = sim.DEFAULT_ACTOR) -> models.ApiKey:
        columns = {"name": "name", "aclStrings": "acls", "qps": "qps", "qpm": "qpm", "tpm": "tpm", "disabled": "disabled", "expireTime": "expire_time"}
        mask = [f.strip() for f in request.field_mask.split(",") if f.strip()]
        unknown = [f for f in mask if f not in columns]
        if not mask or unknown:
            raise bad_request(f"Unknown fieldMask entries: {', '.join(unknown) or '(empty)'}", "fieldMask")
        now = self.clock.now()
        with self.store.tx() as conn:
            name = self._row(conn, key_id, team_id)["name"]
            for field in mask:
                value = request.api_key.get(field)
                if field == "aclStrings":
                    value = json.dumps(value or [])
                elif field == "disabled":
                    value = int(bool(value))
                elif field == "tpm" and value is not None:
                    value = int(value)
                conn.execute(f"UPDATE api_keys SET {columns[field]} = ?, modify_time = ? WHERE api_key_id = ?", (value, sim.ts(now), key_id))
            sim.audit(conn, team_id, now, f"API key '{name}' was updated ({', '.join(mask)})", actor)
            return _api_key(self._row(conn, key_id, team_id))

    def delete_api_key(self, team_id: str, key_id: str, *, actor: str = sim.DEFAULT_ACTOR) -> None:
        with self.store.tx() as conn:
            row = self._row(conn, key_id, team_id)
            conn.execute("DELETE FROM api_keys WHERE api_key_id = ?", (key_id,))
            sim.audit(conn, team_id, self.clock.now(), f"API key '{row['name']}' was deleted", actor)

    def rotate_api_key(self, team_id: str, key_id: str, *, actor: str = sim.DEFAULT_ACTOR) -> models.ApiKey:
        secret = "xai-" + secrets.token_urlsafe(36)
        now = self.clock.now()
        with self.store.tx() as conn:
            row = self._row(conn, key_id, team_id)
            conn.execute("UPDATE api_keys SET secret = ?, modify_time = ? WHERE api_key_id = ?", (secret, sim.ts(now), key_id))
            sim.audit(conn, team_id, now, f"API key '{row['name']}' was rotated", actor)
            key = _api_key(self._row(conn, key_id, team_id))
        key.api_key = secret
        return key

    def propagation(self, team_id: str, key_id: str) -> models.KeyPropagation:
        with self.store.tx() as conn:
            self._row(conn, key_id, team_id)
        return models.KeyPropagation(ic_propagation={"us-east-1.api.x.ai": True, "eu-west-1.api.x.ai": True})

    def team_of_key(self, key_id: str) -> str:
        with self.store.tx() as conn:
            row = conn.execute("SELECT team_id FROM api_keys WHERE api_key_id = ?", (key_id,)).fetchone()
        if row is None:
            raise not_found(f"API key {key_id} not found")
        return row[0]

    @staticmethod
    def _row(conn: sqlite3.Connection, key_id: str, team_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM api_keys WHERE api_key_id = ? AND team_id = ?", (key_id, team_id)).fetchone()
        if row is None:
            raise not_found(f"API key {key_id} not found")
        return row

    # ------------------------------------------------------------------ audit

    def audit_events(self, team_id: str, page_size: int | None, token: str | None, query: str | None,
                     *, time_from: str | None = None, time_to: str | None = None, user_id: str | None = None,
                     event_id: str | None = None, ascending: bool = False) -> models.AuditEventList:
        """One page of the team's audit events, newest first unless `ascending` (reference 4).

        `token` is the event id of the previous page's last event (the real service's tokens look
        the same); the next page starts right after it in (time, sequence) order, so events that
        share an instant are never skipped. `query` is full text over descriptions: every word
        must appear, in any case. `time_from` is inclusive, `time_to` exclusive (RFC 3339).
        """
        return audit_page(self.store, team_id, page_size, token, query, time_from=time_from, time_to=time_to,
                          user_id=user_id, event_id=event_id, ascending=ascending)


def audit_page(store: Store, team_id: str, page_size: int | None, token: str | None, query: str | None, *,
               time_from: str | None, time_to: str | None, user_id: str | None, event_id: str | None,
               ascending: bool) -> models.AuditEventList:
    size = min(max(page_size or 50, 1), 500)
    sql = "SELECT rowid AS seq, * FROM audit_events WHERE team_id = ?"
    args: list = [team_id]
    for word in (query or "").split():
        sql += " AND description LIKE ? ESCAPE '\\'"
        args.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if time_from:
        sql += " AND event_time >= ?"
        args.append(_rfc3339(time_from, "eventTimeFrom"))
    if time_to:
        sql += " AND event_time < ?"
        args.append(_rfc3339(time_to, "eventTimeTo"))
    if event_id:
        sql += " AND event_id = ?"
        args.append(event_id)
    direction, before = ("ASC", ">") if ascending else ("DESC", "<")
    with store.tx() as conn:
        if user_id:  # user ids are derived from emails: find the email(s) that give this id
            emails = [e for (e,) in conn.execute("SELECT DISTINCT user_email FROM audit_events WHERE team_id = ?", (team_id,))
                      if sim.audit_user(e).user_id == user_id]
            sql += f" AND user_email IN ({','.join('?' * len(emails)) or 'NULL'})"
            args += emails
        if token:
            anchor = conn.execute(
                "SELECT rowid AS seq, event_time FROM audit_events WHERE event_id = ? AND team_id = ?", (token, team_id)
            ).fetchone()
            if anchor is None:
                raise bad_request("Invalid pageToken", "pageToken")
            sql += f" AND (event_time, rowid) {before} (?, ?)"
            args += [anchor["event_time"], anchor["seq"]]
        sql += f" ORDER BY event_time {direction}, rowid {direction} LIMIT ?"
        args.append(size + 1)
        rows = conn.execute(sql, args).fetchall()
    more = len(rows) > size
    rows = rows[:size]
    events = [
        models.AuditEvent(event_time=sim.parse_ts(r["event_time"]), event_id=r["event_id"], description=r["description"],
                          user=sim.audit_user(r["user_email"]))
        for r in rows
    ]
    return models.AuditEventList(events=events, next_page_token=rows[-1]["event_id"] if more and rows else None)


def _rfc3339(text: str, field: str) -> str:
    """A query time as the store's fixed-width UTC text, or 400 naming the parameter."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise bad_request(f"{field} must be an RFC 3339 time, e.g. 2025-06-12T16:30:00Z", field) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    try:
        return sim.ts(moment)
    except (OverflowError, ValueError):
        raise bad_request(f"{field} is out of range", field) from None


def _api_key(row: sqlite3.Row) -> models.ApiKey:
    def parse(value: str | None) -> datetime | None:
        return sim.parse_ts(value) if value else None

    return models.ApiKey(
        redacted_api_key=f"xai-...{row['secret'][-4:]}",
        user_id=row["user_id"],
        name=row["name"],
        create_time=parse(row["create_time"]),
        modify_time=parse(row["modify_time"]),
        team_id=row["team_id"],
        api_key_id=row["api_key_id"],
        disabled=bool(row["disabled"]),
        expire_time=parse(row["expire_time"]),
        qps=row["qps"],
        qpm=row["qpm"],
        tpm=row["tpm"],
        acl_strings=json.loads(row["acls"]),
    )
