"""The OS keyring through a short-lived child process: the console's key store.

Why a process: the keyring stack (keyring and its backends, secretstorage, jeepney, and
cryptography for the Secret Service's encrypted session) is ~10 MB that the console would
otherwise hold for its whole life to read a key or two (a registered team's idle console: 71.9
MB in-process, 61.1 MB this way, measured). And a call that hangs (a locked collection waiting on
a prompt, secretstorage #33) is a process that is killed at the timeout, not a thread left
blocked until the console exits.

Each call is one process (~0.12 s, on another core when there is one), which uses
`KeyringKeyStore` itself (core/credentials.py): the backend checks, the no-prompt rule and the
error wording are the CLI's. The key travels only through pipes: `get` answers it on the child's
stdout, `set` takes it on its stdin, never on the command line (readable by anyone in
/proc/<pid>/cmdline). The answer is one JSON object. The CLI keeps the keyring in its own
process: a command reads its keys once and exits.

Child: `python -P -m xconsole.core.keyring_process get|set|delete TEAM_ID --timeout=S [--no-prompt]`.
"""

from __future__ import annotations

import json
import os
import sys

from xconsole.core import child_process
from xconsole.core.credentials import FIX, KeyringKeyStore, KeyringUnavailable, keyring_timeout
from xconsole.core.secrets import scrub

CHILD_MODULE = "xconsole.core.keyring_process"
#: On top of the keyring's own timeout, for the child to start and import its backend (~0.1 s
#: idle; a busy machine takes longer). The child applies the keyring's timeout itself.
START_ALLOWANCE_S = 5.0
DOING = {"get": "reading a key", "set": "storing a key", "delete": "deleting a key"}
#: The most of a failed child's stderr kept, for the one line that says why.
MAX_STDERR = 4096
PROCESS_FIX = ("Run `xconsole doctor` to check the keyring from a process of its own, or set "
               "XAI_MANAGEMENT_KEY=<management key> to use a key for this run only.")


class ProcessKeyStore:
    """The KeyStore protocol (core/credentials.py), each call in its own child process."""

    label = "keyring"

    def __init__(self, timeout: float | None = None, *, may_prompt: bool = True) -> None:
        self.timeout = keyring_timeout() if timeout is None else timeout
        self.may_prompt = may_prompt

    async def get(self, team_id: str) -> str | None:
        key = (await self._call("get", team_id)).get("key")
        return key if isinstance(key, str) else None

    async def set(self, team_id: str, key: str) -> None:
        await self._call("set", team_id, key)

    async def delete(self, team_id: str) -> bool:
        return (await self._call("delete", team_id)).get("deleted") is True

    async def _call(self, op: str, team_id: str, key: str = "") -> dict:
        import asyncio

        args = [op, team_id, f"--timeout={self.timeout:g}", *([] if self.may_prompt else ["--no-prompt"])]
        # Started from the event loop's thread: PR_SET_PDEATHSIG follows the thread that forked.
        try:
            process = await asyncio.create_subprocess_exec(
                *child_process.command(CHILD_MODULE, *args), stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE, start_new_session=True,
                env=child_process.environment())
        except OSError as exc:
            raise KeyringUnavailable(f"Could not start the keyring's process ({exc.strerror or type(exc).__name__})",
                                     PROCESS_FIX) from None
        waited = self.timeout + START_ALLOWANCE_S
        try:
            output, errors = await asyncio.wait_for(process.communicate(key.encode("utf-8")), waited)
        except TimeoutError:
            raise KeyringUnavailable(f"The keyring's process did not answer within {waited:g} s while {DOING[op]} "
                                     "(is the keyring locked?)") from None
        finally:
            if process.returncode is None:  # timed out, or the caller was cancelled
                process.kill()
                await process.wait()
        return _answer(output, process.returncode, scrub(errors[-MAX_STDERR:].decode("utf-8", "replace"), key))

    def __repr__(self) -> str:
        return f"ProcessKeyStore(timeout={self.timeout})"


def _answer(output: bytes, returncode: int | None, stderr: str = "") -> dict:
    try:
        answer = json.loads(output.decode("utf-8"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        ended = f"killed by signal {-returncode}" if returncode and returncode < 0 else f"exit status {returncode}"
        last = next((line.strip() for line in reversed(stderr.splitlines()) if line.strip()), "")
        raise KeyringUnavailable(f"The keyring's process failed ({ended}{': ' + last[:300] if last else ''})",
                                 PROCESS_FIX)
    if "error" in answer:
        raise KeyringUnavailable(str(answer["error"]), str(answer.get("fix") or FIX))
    return answer


# --------------------------------------------------------------------------- the child


def _serve(op: str, team_id: str, key: str, store: KeyringKeyStore) -> dict:
    if op == "get":
        return {"key": store.get_sync(team_id)}
    if op == "set":
        store.set_sync(team_id, key)
        return {"stored": True}
    return {"deleted": store.delete_sync(team_id)}


def main(argv: list[str]) -> int:
    child_process.end_with_parent()
    op, team_id, *flags = argv
    timeout = next((float(f.split("=", 1)[1]) for f in flags if f.startswith("--timeout=")), None)
    store = KeyringKeyStore(timeout, may_prompt="--no-prompt" not in flags)
    key = sys.stdin.buffer.read().decode("utf-8") if op == "set" else ""
    try:
        answer = _serve(op, team_id, key, store)
    except KeyringUnavailable as exc:
        answer = {"error": exc.message, "fix": exc.fix}
    except Exception as exc:  # noqa: BLE001 - said to the console, which shows it as the keyring's
        # Masked before it is cut: a cut through the key would leave its start unmasked.
        answer = {"error": scrub(f"The keyring failed: {type(exc).__name__}: {exc}", key)[:500]}
    if key:  # never the key in an answer, whatever a backend's message says
        answer = {k: scrub(v, key) if isinstance(v, str) else v for k, v in answer.items()}
    sys.stdout.write(json.dumps(answer))
    sys.stdout.flush()
    # Not a normal exit: a keyring call that timed out still blocks its (daemon) thread.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
