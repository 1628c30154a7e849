"""xconsole.core must stay headless and cheap: no Textual, no sandbox, no FastAPI."""

import subprocess
import sys


def test_importing_core_loads_no_textual_or_sandbox():
    code = (
        "import sys\n"
        "import xconsole.core.client, xconsole.core.billing, xconsole.core.models, xconsole.core.money\n"
        "import xconsole.core.errors, xconsole.core.secrets\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'fastapi', 'uvicorn', 'starlette'}"
        " or m.startswith(('xconsole.tui', 'xconsole.sandbox')))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
