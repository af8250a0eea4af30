"""Time the periodic background jobs (tongban.ops.tasks.SCHEDULE) on a database: two rounds, the
first catching up on whatever the data set holds, the second the steady state (run by
bench/run.py in a Django process, TONGBAN_DATABASE_URL naming the database).

Prints JSON: {job: {"first": seconds, "second": seconds, "result": ...}}. The jobs change the
data as they would in production (cards, overdue flags, notifications, rollups).
"""

import contextlib
import json
import sys
import time

import in_django  # noqa: E402, F401 - sets Django up

from tongban.ops.tasks import SCHEDULE  # noqa: E402


def main() -> int:
    only = set(sys.argv[1:])
    out = {}
    for name, periodic in SCHEDULE.items():
        if only and name not in only:
            continue
        times, result = [], None
        for _ in range(2):
            t0 = time.perf_counter()
            try:
                # Console SMS and e-mail backends print: keep stdout for the JSON.
                with contextlib.redirect_stdout(sys.stderr):
                    result = periodic.task.call()
            except Exception as e:  # noqa: BLE001 - reported, the other jobs still run
                result = {"error": f"{type(e).__name__}: {e}"[:300]}
            times.append(time.perf_counter() - t0)
        out[name] = {"first": times[0], "second": times[1], "result": result}
        print(f"{name}: {times[0]:.2f} s, then {times[1]:.2f} s", file=sys.stderr, flush=True)
    json.dump(out, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
