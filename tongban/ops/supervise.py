"""Keep one process running beside the web server: `tongban serve`'s background worker.

    python -m tongban.ops.supervise --name "background worker" -- COMMAND [ARG …]

Starts COMMAND and, whenever it exits, starts it again after a back-off (1 s, doubling to
BACKOFF_MAX; back to 1 s once a run lasted HEALTHY_AFTER), with one log line on stderr each
time. It stops COMMAND (SIGTERM, then SIGKILL after STOP_TIMEOUT) and exits when it is told to
stop (SIGTERM, SIGINT, SIGHUP) or when the process that started it is gone: `tongban serve`
execs gunicorn, so that is the web server stopping.

COMMAND runs in a process group of its own, so that a Ctrl-C or a signal to the server's group
reaches it once, through here. Only the standard library: this process loads no Django and
holds no database connection, so there is little that could end it.
"""

import argparse
import os
import signal
import subprocess
import sys
import time

BACKOFF_FIRST = 1.0
BACKOFF_MAX = 60.0
HEALTHY_AFTER = 60.0  # seconds; a child that ran this long starts the back-off over
STOP_TIMEOUT = 30.0  # seconds a stopping child gets to finish its job
POLL = 0.5


def log(level: str, message: str) -> None:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S %z")
    print(f"[{stamp}] [{os.getpid()}] [{level}] tongban serve: {message}", file=sys.stderr,
          flush=True)  # fmt: skip


def _how(code: int) -> str:
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"


class Supervisor:
    def __init__(self, argv: list[str], *, name: str, parent: int):
        self.argv, self.name, self.parent = argv, name, parent
        self.stopping = False
        self.child: subprocess.Popen | None = None

    def stop(self, signum=None, frame=None) -> None:
        self.stopping = True

    def _should_stop(self) -> bool:
        return self.stopping or os.getppid() != self.parent

    def _wait(self, seconds: float) -> bool:
        """Sleep up to `seconds`, or until the child exits or we should stop; True to stop."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._should_stop():
                return True
            if self.child is not None and self.child.poll() is not None:
                return False
            time.sleep(POLL)
        return self._should_stop()

    def _stop_child(self) -> None:
        child = self.child
        if child is None or child.poll() is not None:
            return
        child.terminate()
        try:
            child.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            log("WARNING", f"the {self.name} (pid {child.pid}) did not stop in "
                           f"{STOP_TIMEOUT:.0f} s; killing it")  # fmt: skip
            child.kill()
            child.wait()

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, self.stop)
        delay = BACKOFF_FIRST
        try:
            while not self._should_stop():
                started = time.monotonic()
                self.child = subprocess.Popen(self.argv, process_group=0)
                if self._wait(float("inf")):  # returns when the child exits or we stop
                    return 0
                code = self.child.returncode
                if self._should_stop():
                    return 0
                if time.monotonic() - started >= HEALTHY_AFTER:
                    delay = BACKOFF_FIRST
                log("WARNING", f"the {self.name} (pid {self.child.pid}) {_how(code)}; "
                               f"starting it again in {delay:.0f} s")  # fmt: skip
                self.child = None
                if self._wait(delay):
                    return 0
                delay = min(delay * 2, BACKOFF_MAX)
            return 0
        finally:
            self._stop_child()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--name", default="background worker", help="what to call it in logs")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG …]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run (… -- COMMAND [ARG …])")
    return Supervisor(command, name=args.name, parent=os.getppid()).run()


if __name__ == "__main__":
    sys.exit(main())
