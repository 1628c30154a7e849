"""How late the bench's screen watcher sees a text, with both cores busy: `python bench/watch_latency.py`.

A pane writes a marker at a moment it records; the control-mode watcher (screen_watch.py) notes
when it saw it. Two CPU burners keep both cores busy, as xconsole does while it finishes starting
after its first frame. The watcher runs at normal priority, then at idle priority (SCHED_IDLE, as
the bench's polling loop ran); each is the median of 8 (ms).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from screen_watch import ScreenWatch  # bench/, the script's own directory

TMUX = ["tmux", "-L", f"xconsole-watch-latency-{os.getpid()}"]


def late_ms(name: str, stamp: Path, idle: bool) -> float:
    writer = (f"python3 -c \"import time,sys; time.sleep(0.3); t=time.time(); sys.stdout.write('MARK'); "
              f"sys.stdout.flush(); open('{stamp}','w').write(repr(t)); time.sleep(5)\"")
    subprocess.run([*TMUX, "new-session", "-d", "-s", name, "-x", "80", "-y", "24", writer], check=True)
    if idle:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    watch = ScreenWatch(TMUX, name)
    seen: list[float] = []
    try:
        watch.until(lambda lines, _at: any("MARK" in line for line in lines) and not seen.append(time.time()),
                    time.perf_counter(), 30)
    finally:
        watch.close()
        os.sched_setscheduler(0, os.SCHED_OTHER, os.sched_param(0))
        subprocess.run([*TMUX, "kill-session", "-t", name], capture_output=True)
    while not stamp.exists() or not stamp.read_text():
        time.sleep(0.01)  # the writer's own record, written just after the marker
    return (seen[0] - float(stamp.read_text())) * 1000


def main() -> None:
    subprocess.run([*TMUX, "new-session", "-d", "-s", "anchor", "sleep 600"], check=True)
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    results: dict[str, list[float]] = {"normal priority": [], "idle priority": []}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for i in range(8):
                for label in results:
                    idle = label.startswith("idle")
                    results[label].append(late_ms(f"w{i}{int(idle)}", Path(tmp) / f"{i}-{int(idle)}", idle))
    finally:
        for burner in burners:
            burner.kill()
        subprocess.run([*TMUX, "kill-server"], capture_output=True)
    for label, values in results.items():
        print(f"{label:16} {statistics.median(values):7.1f} ms late (median of 8; max {max(values):.1f})")


if __name__ == "__main__":
    main()
