"""Where management keys live: the OS keyring (service `xconsole`, username `team:<team_id>`),
an in-memory store for the sandbox and tests, or `XAI_MANAGEMENT_KEY` for one run.

Every keyring call runs in its own daemon thread with a timeout: a locked Secret Service can block
forever (secretstorage #33), and a hung call must become an error, never a frozen app or an
interpreter that cannot exit. Fail, null and plaintext backends are refused: there is no silent
plaintext fallback, and no prompt on stdin.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

# Not asyncio nor pydantic at import: the early-read process reads a key with this module alone.
from xconsole.core.paths import KEY_ENV
from xconsole.core.secrets import scrub

SERVICE = "xconsole"
DEFAULT_TIMEOUT_S = 5.0
TIMEOUT_ENV = "XCONSOLE_KEYRING_TIMEOUT"

R = TypeVar("R")

if sys.platform != "darwin":
    # keyring loads every backend it knows to pick one. Its macOS backend looks for Apple's
    # frameworks with ctypes.util.find_library, which off macOS runs ldconfig and gcc and can
    # only fail: ~40 ms of every process that reads a key. keyring treats that module as
    # optional (an ImportError leaves the macOS backend unviable, as it is anyway off macOS).
    sys.modules.setdefault("keyring.backends.macOS.api", None)  # type: ignore[arg-type]

FIX = (
    f"Set {KEY_ENV}=<management key> to use a key for this run only, or run `xconsole doctor` "
    "for how to start and unlock a Secret Service (e.g. `dbus-run-session -- sh`, then "
    "`echo -n <password> | gnome-keyring-daemon --unlock --components=secrets`)."
)


class KeyringUnavailable(Exception):
    """The keyring cannot be used; `fix` says what to do instead."""

    def __init__(self, message: str, fix: str = FIX) -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}. {self.fix}"


def username(team_id: str) -> str:
    return f"team:{team_id}"


def keyring_timeout() -> float:
    try:
        return max(0.1, float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_S)))
    except ValueError:
        return DEFAULT_TIMEOUT_S


def _start(fn: Callable[[], R]) -> concurrent.futures.Future[R]:
    """Run `fn` in a daemon thread: if it never returns, it never blocks interpreter exit."""
    future: concurrent.futures.Future[R] = concurrent.futures.Future()

    def runner() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except BaseException as exc:  # handed to the waiting caller
            future.set_exception(exc)

    threading.Thread(target=runner, name="xconsole-keyring", daemon=True).start()
    return future


def call_with_timeout(fn: Callable[[], R], timeout: float, what: str) -> R:
    """Blocking form, for the CLI."""
    try:
        return _start(fn).result(timeout)
    except concurrent.futures.TimeoutError:
        raise KeyringUnavailable(f"The keyring did not answer within {timeout:g} s while {what} (is it locked?)") from None


async def acall_with_timeout(fn: Callable[[], R], timeout: float, what: str) -> R:
    """Async form, for the TUI: the event loop keeps running while the keyring thinks."""
    import asyncio

    try:
        return await asyncio.wait_for(asyncio.wrap_future(_start(fn)), timeout)
    except TimeoutError:
        raise KeyringUnavailable(f"The keyring did not answer within {timeout:g} s while {what} (is it locked?)") from None


# --------------------------------------------------------------------------- backend inspection


@dataclass(frozen=True)
class BackendInfo:
    name: str
    usable: bool
    reason: str = ""


def describe_backend() -> BackendInfo:
    """Which keyring backend is active and whether we accept it (no I/O on the keyring itself)."""
    import keyring
    from keyring.backends import chainer, fail

    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return BackendInfo(name, False, "No usable keyring backend (keyring's fail backend is active)")
    if "null" in name.lower() and type(backend).__module__.startswith("keyring.backends"):
        return BackendInfo(name, False, "The null keyring backend stores nothing")
    if "plaintext" in name.lower() or type(backend).__module__.startswith("keyrings.alt"):
        return BackendInfo(name, False, "A plaintext-file keyring is not an acceptable place for management keys")
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return BackendInfo(name, False, "No keyring backend is available on this machine")
    return BackendInfo(name, True)


# --------------------------------------------------------------------------- stores


class KeyStore(Protocol):
    """Async key storage by team id."""

    @property
    def label(self) -> str: ...

    async def get(self, team_id: str) -> str | None: ...

    async def set(self, team_id: str, key: str) -> None: ...

    async def delete(self, team_id: str) -> bool: ...


class MemoryKeyStore:
    """Keys in memory only: the sandbox's demo keys, and tests. Nothing touches the OS keyring."""

    label = "memory"

    def __init__(self, keys: dict[str, str] | None = None) -> None:
        self._keys = dict(keys or {})

    async def get(self, team_id: str) -> str | None:
        return self._keys.get(team_id)

    async def set(self, team_id: str, key: str) -> None:
        self._keys[team_id] = key

    async def delete(self, team_id: str) -> bool:
        return self._keys.pop(team_id, None) is not None

    def __repr__(self) -> str:
        return f"MemoryKeyStore({len(self._keys)} keys)"


class KeyringKeyStore:
    """The OS keyring, every call off-thread with a timeout. Sync twins serve the CLI."""

    label = "keyring"

    def __init__(self, timeout: float | None = None, *, may_prompt: bool = True) -> None:
        self.timeout = keyring_timeout() if timeout is None else timeout
        #: False: read only what can be read without asking anyone (a background helper must
        #: never be the one that pops up an unlock or access prompt).
        self.may_prompt = may_prompt

    def ensure_usable(self) -> BackendInfo:
        info = describe_backend()
        if not info.usable:
            raise KeyringUnavailable(f"{info.reason} ({info.name})")
        return info

    def _checked(self, fn: Callable[[], R]) -> Callable[[], R]:
        """`fn` after `ensure_usable`, both in the keyring's own thread: finding the backend
        imports and probes it (~0.1 s, D-Bus), never on the event loop and never unbounded."""

        def run() -> R:
            self.ensure_usable()
            if not self.may_prompt and not readable_without_prompt():
                raise KeyringUnavailable("The keyring would ask for a password or permission first")
            return fn()

        return run

    # -- async (TUI)

    async def get(self, team_id: str) -> str | None:
        return await acall_with_timeout(self._checked(lambda: _get(team_id)), self.timeout, "reading a key")

    async def set(self, team_id: str, key: str) -> None:
        await acall_with_timeout(self._checked(lambda: _set(team_id, key)), self.timeout, "storing a key")

    async def delete(self, team_id: str) -> bool:
        return await acall_with_timeout(self._checked(lambda: _delete(team_id)), self.timeout, "deleting a key")

    # -- sync (CLI)

    def get_sync(self, team_id: str) -> str | None:
        return call_with_timeout(self._checked(lambda: _get(team_id)), self.timeout, "reading a key")

    def set_sync(self, team_id: str, key: str) -> None:
        call_with_timeout(self._checked(lambda: _set(team_id, key)), self.timeout, "storing a key")

    def delete_sync(self, team_id: str) -> bool:
        return call_with_timeout(self._checked(lambda: _delete(team_id)), self.timeout, "deleting a key")

    def __repr__(self) -> str:
        return f"KeyringKeyStore(timeout={self.timeout})"


def readable_without_prompt() -> bool:
    """True when reading a key cannot pop up a prompt: a Secret Service whose default
    collection is unlocked. Any other backend (macOS Keychain, Windows, KWallet) may ask for
    permission per process, so False: the answer is only ever used to skip, never to read."""
    import keyring
    from keyring.backends import SecretService

    if not isinstance(keyring.get_keyring(), SecretService.Keyring):
        return False
    try:
        import secretstorage

        connection = secretstorage.dbus_init()
        try:
            return not secretstorage.get_default_collection(connection).is_locked()
        finally:
            connection.close()
    except Exception:  # noqa: BLE001 - anything unexpected: assume it could prompt
        return False


def _get(team_id: str) -> str | None:
    import keyring
    from keyring.errors import KeyringError

    try:
        return keyring.get_password(SERVICE, username(team_id))
    except KeyringError as exc:
        raise KeyringUnavailable(f"The keyring refused to read: {type(exc).__name__}: {exc}") from None


def _set(team_id: str, key: str) -> None:
    import keyring
    from keyring.errors import KeyringError

    try:
        keyring.set_password(SERVICE, username(team_id), key)
    except KeyringError as exc:
        # e.g. "Cannot create an item in a locked collection" (keyring #77); never the key itself,
        # should a backend's message quote it.
        raise KeyringUnavailable(scrub(f"The keyring refused to store the key: {type(exc).__name__}: {exc}", key)) from None


def _delete(team_id: str) -> bool:
    import keyring
    from keyring.errors import KeyringError, PasswordDeleteError

    try:
        keyring.delete_password(SERVICE, username(team_id))
    except PasswordDeleteError:
        return False
    except KeyringError as exc:
        raise KeyringUnavailable(f"The keyring refused to delete the key: {type(exc).__name__}: {exc}") from None
    return True


def env_key() -> str | None:
    """`XAI_MANAGEMENT_KEY`, trimmed; used for this run only and never stored."""
    value = os.environ.get(KEY_ENV, "").strip()
    return value or None


def clean_key(raw: str) -> str:
    """A key as typed or piped: surrounding whitespace removed; anything else inside is an error."""
    key = raw.strip()
    if not key:
        raise ValueError("The key is empty")
    if any(ch.isspace() for ch in key) or not key.isprintable():
        raise ValueError("The key contains spaces, newlines or control characters: paste exactly one key")
    if len(key) > 512:
        raise ValueError("That is too long to be a management key")
    return key
