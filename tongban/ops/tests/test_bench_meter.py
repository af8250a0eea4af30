"""The benchmark's CPU meter (bench/server.py, CpuMeter) counts a process that its lookup no
longer finds at the end, as pgbench's backends are gone by the time psql is asked."""

import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from server import CpuMeter  # noqa: E402

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass\ntime.sleep(30)"


def test_a_process_known_at_the_start_is_counted_though_the_lookup_misses_it_at_the_end():
    child = subprocess.Popen([sys.executable, "-c", BURN])
    try:
        lookups = []

        def find():  # finds the child once, at the start; nobody at the end
            lookups.append(time.monotonic())
            return {child.pid} if len(lookups) == 1 else set()

        meter = CpuMeter(set, set, find)
        meter.start()
        time.sleep(1.5)
        cpu = meter.stop()
    finally:
        child.kill()
        child.wait()
    assert len(lookups) == 2
    assert cpu["postgres"] > 0.15, cpu  # about 0.5 s of CPU in 1.5 s: 0.33 of a core
    assert cpu["other"] < cpu["machine busy"]
