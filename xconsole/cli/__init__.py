"""The `xconsole` command: the one place that wires core, sandbox and TUI together.

The program starts in `start.py` (the console script and `python -m xconsole`); the click group
is in `root.py`, loaded when `main` is first asked for (`from xconsole.cli import main`): a
process that needs only a part of this package, such as the console started without a command
or the early-read process, does not import click and every command's options.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "main":
        from xconsole.cli.root import main

        return main
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
