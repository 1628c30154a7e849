"""The API error hierarchy. Every failure a caller can meet is one of these, never a raw httpx error.

Messages are what the server said (or a plain sentence for transport failures); they never carry
the management key: the client scrubs it before an error is built (see `secrets.scrub`).
"""

from __future__ import annotations


class ApiError(Exception):
    """Any failed Management API call."""

    #: Words for the kind of failure, used as a title in the UI and CLI.
    title = "API error"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: int | str | None = None,
        request_id: str | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.request_id = request_id
        self.method = method
        self.path = path

    def __str__(self) -> str:
        parts = [self.message]
        if self.status:
            parts.append(f"(HTTP {self.status})")
        if self.request_id:
            parts.append(f"[request {self.request_id}]")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r}, path={self.path!r})"

    @property
    def retryable(self) -> bool:
        """Worth sending again at once (reads only): 429, 5xx, timeouts."""
        return False

    @property
    def worth_retrying_later(self) -> bool:
        """Worth a background retry in a while: anything retryable, and a server that answered
        something unreadable (a bad deploy gets fixed; a rejected key does not fix itself)."""
        return self.retryable


class AuthError(ApiError):
    """401: the key is missing, wrong, revoked, or an inference key was used."""

    title = "Key rejected"


class MissingKey(AuthError):
    """No key is stored for the team (removed from the keyring by hand, another machine's config):
    nothing was sent, so nothing was rejected; it is handled as a rejected key (enter one again)."""

    title = "No key stored"


class PermissionDenied(ApiError):
    """403: the key is valid but lacks the ACL for this call (e.g. BillingWrite)."""

    title = "Permission denied"


class NotFound(ApiError):
    """404 on a real path: wrong team id, or a team this key does not belong to."""

    title = "Not found"


class Validation(ApiError):
    """400/409/422: the request was refused as invalid; `field` names the bad input when known."""

    title = "Invalid request"

    def __init__(self, message: str, *, field: str | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.field = field


class Conflict(Validation):
    """409: the request conflicts with current state (last payment method, used promo code)."""

    title = "Conflict"


class RateLimited(ApiError):
    """429: too many requests; `retry_after` seconds when the server said so."""

    title = "Rate limited"

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return True


class Unavailable(ApiError):
    """5xx, timeouts, refused connections: the service could not answer. Data may be stale."""

    title = "Service unavailable"

    @property
    def retryable(self) -> bool:
        return True


class Unreachable(Unavailable):
    """No connection at all (refused, DNS, TLS): nothing answered, let alone a busy service."""

    title = "Unreachable"


class ProtocolError(ApiError):
    """The server answered 2xx with a body we cannot read (malformed JSON, wrong shape)."""

    title = "Unreadable response"

    @property
    def worth_retrying_later(self) -> bool:
        return True


class NotSupportedByApi(ApiError):
    """A console-only feature (auto top-up, promo codes, adding cards...) that the public API lacks.

    `console_url` is where a person can do it instead.
    """

    title = "Console only"

    def __init__(self, message: str, *, console_url: str | None = None, **kw: object) -> None:
        super().__init__(message, **kw)  # type: ignore[arg-type]
        self.console_url = console_url


class NotSent(ApiError):
    """A write stopped before its request left, because a read it needs first failed: nothing
    happened on the server (the journal says failed, not "may have been applied")."""

    title = "Not sent"

    @property
    def worth_retrying_later(self) -> bool:
        return True
