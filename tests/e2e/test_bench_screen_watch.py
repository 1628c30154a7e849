"""The bench's screen watchers (bench/screen_watch.py): they see what a pane shows once it is
written (the control-mode one without polling), and say when nothing came."""

import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.tmux_driver import tmux_available

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from screen_watch import PollingWatch, ScreenWatch  # noqa: E402

pytestmark = pytest.mark.skipif(not tmux_available(), reason="tmux not installed (make test installs it)")


@pytest.fixture(params=[ScreenWatch, PollingWatch], ids=["control-mode", "polling"])
def pane(request):
    """A session on a server of its own whose pane prints what it is sent, then waits."""
    socket = f"xc-watch-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-L", socket]
    subprocess.run([*tmux, "new-session", "-d", "-s", "w", "-x", "60", "-y", "10",
                    "while read -r line; do echo \"GOT-$line\"; done"], check=True)
    watch = request.param(tmux, "w")
    try:
        yield tmux, watch
    finally:
        watch.close()
        subprocess.run([*tmux, "kill-server"], capture_output=True)


def test_sees_each_write_as_it_comes(pane):
    tmux, watch = pane
    seen: list[list[str]] = []
    start = time.perf_counter()
    subprocess.run([*tmux, "send-keys", "-t", "w", "first", "Enter"], check=True)
    watch.until(lambda lines, _at: seen.append(lines) or any("GOT-first" in line for line in lines), start, 30)
    subprocess.run([*tmux, "send-keys", "-t", "w", "second", "Enter"], check=True)
    watch.until(lambda lines, _at: any("GOT-second" in line for line in lines), start, 30)
    assert "GOT-first" in watch.screen and "GOT-second" in watch.screen
    assert len(seen[-1]) == 10  # the whole screen, a line per row


def test_a_line_of_the_pane_that_looks_like_a_control_line_is_only_text(pane):
    tmux, watch = pane
    # The terminal echoes what is typed: a screen line "%end 1 2 1" inside the capture's answer.
    subprocess.run([*tmux, "send-keys", "-t", "w", "-l", "%end 1 2 1"], check=True)
    subprocess.run([*tmux, "send-keys", "-t", "w", "Enter"], check=True)
    watch.until(lambda lines, _at: any("GOT-%end 1 2 1" in line for line in lines), time.perf_counter(), 30)
    assert "%end 1 2 1" in watch.screen.splitlines()[0]


def test_says_when_the_text_never_comes(pane):
    _tmux, watch = pane
    quiet: list[bool] = []
    with pytest.raises(TimeoutError):
        # A quiet pane: the watch gives up at its deadline (the control-mode one calls `idle` first).
        watch.until(lambda lines, _at: False, time.perf_counter(), 1.5, idle=lambda: quiet.append(True))
    assert quiet or isinstance(watch, PollingWatch)
