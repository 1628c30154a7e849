"""CPU work taken off the event loop onto one shared worker thread.

Parsing a big answer or replaying a forecast takes milliseconds of pure Python; on the loop it
would stall other requests and the console's frames. One thread, not asyncio's default pool:
each thread that allocates gets its own malloc arena, and parsing pages on several at once cost
~30 MB more memory on the 10,000-invoice team (measured) for no speed (the GIL serialises them).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

R = TypeVar("R")

_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="xconsole-cpu")


async def off_loop(fn: Callable[..., R], *args: object) -> R:
    """`fn(*args)` on the shared worker thread; the loop runs on meanwhile."""
    return await asyncio.get_running_loop().run_in_executor(_worker, fn, *args)
