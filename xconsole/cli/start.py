"""The `xconsole` program (console script and `python -m xconsole`): the console's usual starts
skip click.

`xconsole` and `xconsole --sandbox` are how the console is started, and importing click and
building the group costs ~15 ms before its first frame (measured). Those starts, with nothing but
the flags below, give the same `Options` the group would (tests/cli/test_start.py compares
them); anything else (a command, an option with a value, --help, --version, a repeated or
unknown flag, --fresh without --sandbox) goes to the click group, the one parser that explains
and refuses.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from xconsole.cli.run_options import Options
from xconsole.core.paths import API_URL_ENV

#: The group's flags (cli/root.py) that take no value, by Options field.
FLAGS = {"--sandbox": "sandbox", "--fresh": "fresh", "--read-only": "read_only", "--no-cache": "no_cache"}


#: Set by a shell asking click for completions (argv is then empty): never the console.
COMPLETE_ENV = "_XCONSOLE_COMPLETE"


def console_options(argv: Sequence[str], environ: Mapping[str, str]) -> Options | None:
    """The console's options when `argv` is only distinct flags of FLAGS, else None (click's)."""
    if COMPLETE_ENV in environ or len(set(argv)) != len(argv) or not all(arg in FLAGS for arg in argv):
        return None
    flags = {FLAGS[arg]: True for arg in argv}
    if flags.get("fresh") and not flags.get("sandbox"):
        return None  # the group says why
    # As click reads the option's envvar: an empty value is no value (a wrong one is refused where used).
    return Options(**flags, api_url=environ.get(API_URL_ENV) or None)


def run(args: Sequence[str] | None = None) -> None:
    argv = sys.argv[1:] if args is None else list(args)
    opts = console_options(argv, os.environ)
    if opts is None:
        from xconsole.cli.root import main

        main(argv, prog_name="xconsole")
        return
    from xconsole.cli.tui import run_tui

    try:
        run_tui(opts)
    except (KeyboardInterrupt, EOFError):  # before the console has the terminal: as click says it
        sys.stderr.write("\nAborted!\n")
        raise SystemExit(1) from None
