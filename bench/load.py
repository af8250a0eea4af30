"""The HTTP load generator: virtual clients driving complete case lifecycles over the API.

Lean on purpose, because it shares the machine's cores with the server and the database:
processes x threads, each thread one virtual client with one HTTP/1.1 connection of its own
(`Wire`: a socket, the request written in one piece, the answer read by Content-Length or
chunks; reopened when the server closes it, as gunicorn's sync worker does after every
answer), json from the standard library. http.client parses every answer's headers with the
email package: its client used 0.5-0.6 ms of CPU a request, as much as a fifth of the
server's, on the same two cores.

Each process signs in once per demo user (POST /api/v1/auth/token, outside the measured
window: a PBKDF2 check costs ~0.4 s) and shares the tokens among its threads. Then every
client loops, until the end of the run:

  promised lifecycle (门诊费用报销 YB07019, online):
    POST /cases (applicant-1, web, M1..M4, form, fresh Idempotency-Key)   create_web
    POST /cases/{n}/actions/accept  (clerk, from the city-wide intake)     accept
    POST /cases/{n}/actions/approve (reviewer: 审核)                       approve_1
    POST /cases/{n}/actions/approve (second reviewer: 复审, completes it)  approve_2
    GET  /cases/{n}                 (the applicant follows it)             get_case
  every --instant-every-th lifecycle, the instant path instead (城乡居民参保登记 YB01003):
    POST /cases (clerk, window, applicant named)                           create_window
    POST /cases/{n}/actions/accept  (completes it at once: 即办)            accept_instant

Open loop (mix "open"): lifecycles arrive at a fixed mean rate (Poisson: exponential gaps,
drawn in advance, independent of the answers), each taken by a free thread of a pool that runs
it step after step; a lifecycle's first request is timed from its arrival, so that waiting for
a free thread (or a busy server) counts in its latency instead of lowering the rate offered.

Only requests that start after the warm-up and end before the stop are counted; a lifecycle
counts as finished when its completing action (approve_2, accept_instant) is counted.
Any non-2xx answer (or a broken connection, status 0) is an error; the first few bodies of each
action are kept for the report. After an error the client drops that case and starts anew.
"""

import json
import multiprocessing as mp
import random
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

ACTIONS = [
    "create_web", "accept", "approve_1", "approve_2", "get_case", "create_window", "accept_instant",
    "advance",
]  # fmt: skip
# Status changes with their audit row ("advance": the bare endpoint's).
CASE_ACTIONS = ("accept", "approve_1", "approve_2", "accept_instant", "advance")


def _decision() -> dict:
    """What the second reviewer fills in when finishing a 门诊费用报销 (办结结果)."""
    return {"decision": {"amount_approved": "1280.50", "paid_to_account": "6222020200112233445",
                         "payment_date": (date.today() + timedelta(days=7)).isoformat()}}  # fmt: skip


PROMISED = {
    "item": "YB07019",
    "channel": "web",
    "materials": ["M1", "M2", "M3", "M4"],
    "form": {"amount": "1280.50", "bank_account": "6222020200112233445"},
}
INSTANT_ITEM = "YB01003"
MAX_ERROR_BODIES = 3


@dataclass
class Plan:
    host: str
    port: int
    password: str
    seconds: float
    warmup: float
    processes: int
    threads: int
    instant_every: int = 4
    office: str = "371522"
    # "lifecycle": the loop above. "actions": only accept -> approve -> approve, on online
    # applications made beforehand in the database (generate.submitted_cases), the numbers
    # dealt out among the clients: the case step alone, as pgbench and the bare endpoint do it.
    # "bare": POST /advance/<random id> against bench/bare.py, the bare endpoint.
    mix: str = "lifecycle"
    numbers: list[str] = field(default_factory=list)
    bare_cases: int = 100_000
    # "open": lifecycles arriving per second over all processes (Poisson), served by
    # `threads` threads a process.
    rate: float = 0.0

    @property
    def users(self) -> dict[str, str]:
        return {
            "applicant": "applicant-1",
            "clerk": f"clerk-{self.office}",
            "reviewer": f"reviewer-{self.office}",
            "second": f"second-reviewer-{self.office}",
        }


@dataclass
class Tally:
    """What one process saw: latencies per action (seconds), errors and finished lifecycles."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: {a: [] for a in ACTIONS})
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIONS, 0))
    error_bodies: dict[str, list[str]] = field(default_factory=dict)
    finished: dict[str, int] = field(default_factory=lambda: {"promised": 0, "instant": 0})
    logins: list[float] = field(default_factory=list)
    arrivals: int = 0  # open loop: lifecycles that arrived (the whole run, warm-up included)
    late: int = 0  # ... and of them, those that found no free thread at their time

    def merge(self, other: "Tally") -> None:
        self.arrivals += other.arrivals
        self.late += other.late
        for a in ACTIONS:
            self.latencies[a] += other.latencies[a]
            self.errors[a] += other.errors[a]
        for a, bodies in other.error_bodies.items():
            mine = self.error_bodies.setdefault(a, [])
            mine += bodies[: MAX_ERROR_BODIES - len(mine)]
        for k in self.finished:
            self.finished[k] += other.finished[k]
        self.logins += other.logins


class Wire:
    """A lean HTTP/1.1 client connection: what the load needs and no more (no redirects, no
    100-continue, no TLS). `request` returns (status, body); OSError or ValueError when the
    connection broke or the answer is not HTTP."""

    def __init__(self, host: str, port: int, timeout: float = 60):
        self.address, self.timeout = (host, port), timeout
        self.host = f"{host}:{port}".encode()
        self.sock: socket.socket | None = None
        self.buf = b""

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buf = None, b""

    def request(self, method: str, path: str, headers: dict[str, str],
                body: bytes | None = None) -> tuple[int, bytes]:  # fmt: skip
        if self.sock is None:
            self.sock = socket.create_connection(self.address, self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        head = [f"{method} {path} HTTP/1.1".encode(), b"Host: " + self.host]
        head += [f"{k}: {v}".encode() for k, v in headers.items()]
        if body is not None:
            head.append(b"Content-Length: %d" % len(body))
        self.sock.sendall(b"\r\n".join(head) + b"\r\n\r\n" + (body or b""))
        return self._response(method)

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionResetError("the server closed the connection")
        return data

    def _response(self, method: str) -> tuple[int, bytes]:
        while (end := self.buf.find(b"\r\n\r\n")) < 0:
            self.buf += self._recv()
        lines = self.buf[:end].decode("latin-1").split("\r\n")
        self.buf = self.buf[end + 4 :]
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        if method == "HEAD" or status in (204, 304):
            body = b""
        elif "content-length" in fields:
            body = self._exactly(int(fields["content-length"]))
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            body = self._chunked()
        else:  # delimited by the end of the connection
            while data := self.sock.recv(65536):
                self.buf += data
            body, self.buf = self.buf, b""
            fields["connection"] = "close"
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def _exactly(self, n: int) -> bytes:
        while len(self.buf) < n:
            self.buf += self._recv()
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _chunked(self) -> bytes:
        parts = []
        while True:
            while (eol := self.buf.find(b"\r\n")) < 0:
                self.buf += self._recv()
            size = int(self.buf[:eol].split(b";")[0], 16)
            self.buf = self.buf[eol + 2 :]
            if size == 0:
                while (end := self.buf.find(b"\r\n")) != 0:  # trailers, then the blank line
                    if end < 0:
                        self.buf += self._recv()
                    else:
                        self.buf = self.buf[end + 2 :]
                self.buf = self.buf[2:]
                return b"".join(parts)
            parts.append(self._exactly(size + 2)[:-2])


def _call(conn: Wire, method: str, path: str, token: str | None = None,
          body: dict | None = None, key: str | None = None) -> tuple[int, bytes, float, float]:  # fmt: skip
    """One request: (status, body, started, ended) on the perf_counter clock; status 0 when
    the connection broke (it is opened anew for the next request)."""
    headers = {"Accept": "application/json"}
    payload = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if key:
        headers["Idempotency-Key"] = key
    started = time.perf_counter()
    try:
        status, data = conn.request(method, path, headers, payload)
    except (OSError, ValueError, IndexError) as e:
        conn.close()
        status, data = 0, f"{type(e).__name__}: {e}".encode()
    return status, data, started, time.perf_counter()


def login(host: str, port: int, username: str, password: str) -> tuple[str, float]:
    conn = Wire(host, port, timeout=60)
    status, data, t0, t1 = _call(conn, "POST", "/api/v1/auth/token",
                                 body={"username": username, "password": password})  # fmt: skip
    conn.close()
    if status != 200:
        raise RuntimeError(f"login as {username} failed: {status} {data[:300]!r}")
    return json.loads(data)["token"], t1 - t0


def resident_id(region: str, birth: date, seq: int) -> str:
    """A valid GB 11643 number (sequence 500..999: never one of the demo's)."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    check = (12 - sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11) % 11
    return first17 + ("X" if check == 10 else str(check))


def _window_applicants(worker: int, n: int = 200) -> list[dict]:
    regions = ["371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581"]
    out = []
    for i in range(n):
        region = regions[i % len(regions)]
        birth = date(1950, 1, 1) + timedelta(days=(worker * 7919 + i * 37) % 20000)
        out.append({"id_number": resident_id(region, birth, 500 + (worker * n + i) % 500),
                    "name": f"窗口压测{worker}-{i}", "phone": f"1390000{worker:02d}{i:02d}"[:11],
                    "insured_region": region})  # fmt: skip
    return out


class Client:
    """One virtual client: one connection, a loop of lifecycles."""

    def __init__(self, plan: Plan, tokens: dict[str, str], tally: Tally, lock: threading.Lock,
                 window: tuple[float, float], applicants: list[dict], index: int):  # fmt: skip
        self.plan, self.tokens, self.tally, self.lock = plan, tokens, tally, lock
        self.count_from, self.stop_at = window
        self.applicants, self.index = applicants, index
        self.conn = Wire(plan.host, plan.port, timeout=60)
        self.local = Tally()

    def _do(self, action: str, method: str, path: str, role: str, body=None, key=None,
            since: float | None = None):  # fmt: skip
        """One request; `since`: when it was due (an open loop's arrival), its latency's start."""
        token = self.tokens[role] if role else None
        status, data, t0, t1 = _call(self.conn, method, path, token, body, key)
        if since is not None:
            t0 = min(t0, since)
        counted = t0 >= self.count_from and t1 <= self.stop_at
        ok = 200 <= status < 300
        if counted:
            if ok:
                self.local.latencies[action].append(t1 - t0)
            else:
                self.local.errors[action] += 1
        if not ok:
            bodies = self.local.error_bodies.setdefault(action, [])
            if len(bodies) < MAX_ERROR_BODIES:
                bodies.append(f"{status} {data[:400].decode(errors='replace')}")
            return None, counted
        return data, counted

    def _promised(self, since: float | None = None) -> None:
        data, _ = self._do("create_web", "POST", "/api/v1/cases", "applicant", PROMISED,
                           key=uuid.uuid4().hex, since=since)  # fmt: skip
        if data is None:
            return
        number = json.loads(data)["number"]
        base = f"/api/v1/cases/{number}"
        for action, role in (
            ("accept", "clerk"),
            ("approve_1", "reviewer"),
            ("approve_2", "second"),
        ):
            verb = action.split("_")[0]
            body = _decision() if action == "approve_2" else {}
            data, counted = self._do(action, "POST", f"{base}/actions/{verb}", role, body)
            if data is None:
                return
        if counted:
            self.local.finished["promised"] += 1
        self._do("get_case", "GET", base, "applicant")

    def _instant(self, n: int, since: float | None = None) -> None:
        body = {"item": INSTANT_ITEM, "channel": "window", "office": self.plan.office,
                "applicant": self.applicants[n % len(self.applicants)], "materials": ["M1"],
                "form": {}}  # fmt: skip
        data, _ = self._do("create_window", "POST", "/api/v1/cases", "clerk", body,
                           key=uuid.uuid4().hex, since=since)  # fmt: skip
        if data is None:
            return
        number = json.loads(data)["number"]
        data, counted = self._do("accept_instant", "POST", f"/api/v1/cases/{number}/actions/accept",
                                 "clerk", {})  # fmt: skip
        if data is not None and counted:
            self.local.finished["instant"] += 1

    def _actions(self, number: str) -> None:
        base = f"/api/v1/cases/{number}/actions"
        for action, role in (
            ("accept", "clerk"),
            ("approve_1", "reviewer"),
            ("approve_2", "second"),
        ):
            body = _decision() if action == "approve_2" else {}
            data, counted = self._do(action, "POST", f"{base}/{action.split('_')[0]}", role, body)
            if data is None:
                return
        if counted:
            self.local.finished["promised"] += 1

    def _bare(self) -> None:
        rng = random.Random(self.index)
        while time.perf_counter() < self.stop_at:
            data, counted = self._do("advance", "POST", f"/advance/{rng.randint(1, self.plan.bare_cases)}",
                                     None, {})  # fmt: skip
            if data is not None and counted:
                self.local.finished["promised"] += 1

    def open_loop(self, arrivals: "Arrivals") -> None:
        """Take the next arrival, wait for its time, run its lifecycle; until the run ends."""
        while (due := arrivals.next()) is not None:
            n, at = due
            if (wait := at - time.perf_counter()) > 0:
                time.sleep(wait)
            if self.plan.instant_every and n % self.plan.instant_every == 0:
                self._instant(n, since=at)
            else:
                self._promised(since=at)
        self.conn.close()
        with self.lock:
            self.tally.merge(self.local)

    def run(self) -> None:
        if self.plan.mix == "bare":
            self._bare()
            self.conn.close()
            with self.lock:
                self.tally.merge(self.local)
            return
        if self.plan.mix == "actions":
            clients = self.plan.processes * self.plan.threads
            for number in self.plan.numbers[self.index :: clients]:
                if time.perf_counter() >= self.stop_at:
                    break
                self._actions(number)
            else:
                self.local.error_bodies.setdefault("accept", []).append(
                    "ran out of prepared cases before the end of the run"
                )
            self.conn.close()
            with self.lock:
                self.tally.merge(self.local)
            return
        n = self.index  # stagger the instant turns across clients
        while time.perf_counter() < self.stop_at:
            n += 1
            if self.plan.instant_every and n % self.plan.instant_every == 0:
                self._instant(n)
            else:
                self._promised()
        self.conn.close()
        with self.lock:
            self.tally.merge(self.local)


class Arrivals:
    """A Poisson process of `rate` arrivals a second from `start` to `stop` (the perf_counter
    clock), dealt out in order to whichever thread asks; late ones count as `late` (no free
    thread at their time)."""

    def __init__(self, rate: float, start: float, stop: float, seed: int):
        self.rng, self.rate, self.stop = random.Random(seed), rate, stop
        self.at, self.n, self.late = start + self.rng.expovariate(rate), 0, 0
        self.lock = threading.Lock()

    def next(self) -> tuple[int, float] | None:
        with self.lock:
            if self.at >= self.stop:
                return None
            due = (self.n, self.at)
            if time.perf_counter() - self.at > 0.005:
                self.late += 1
            self.n += 1
            self.at += self.rng.expovariate(self.rate)
            return due


def _process(plan: Plan, worker: int, ready, go, start_at, out) -> None:
    tally = Tally()
    tokens = {}
    try:
        for role, username in ({} if plan.mix == "bare" else plan.users).items():
            tokens[role], seconds = login(plan.host, plan.port, username, plan.password)
            tally.logins.append(seconds)
    except Exception as e:  # noqa: BLE001 - reported to the parent
        ready.put(("error", str(e)))
        return
    ready.put(("ready", worker))
    go.wait()
    count_from = start_at.value + plan.warmup
    stop_at = start_at.value + plan.warmup + plan.seconds
    lock = threading.Lock()
    applicants = _window_applicants(worker)
    clients = [
        Client(plan, tokens, tally, lock, (count_from, stop_at), applicants, worker * plan.threads + i)
        for i in range(plan.threads)
    ]  # fmt: skip
    if plan.mix == "open":
        arrivals = Arrivals(plan.rate / plan.processes, start_at.value, stop_at, seed=worker)
        threads = [threading.Thread(target=c.open_loop, args=(arrivals,), daemon=True)
                   for c in clients]  # fmt: skip
    else:
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if plan.mix == "open":
        tally.arrivals, tally.late = arrivals.n, arrivals.late
    out.put(tally)


@dataclass
class Outcome:
    tally: Tally
    seconds: float
    clients: int

    def action_stats(self) -> list[dict]:
        rows = []
        for a in ACTIONS:
            lat = sorted(self.tally.latencies[a])
            if not lat and not self.tally.errors[a]:
                continue
            rows.append({
                "action": a, "count": len(lat), "errors": self.tally.errors[a],
                "per_s": len(lat) / self.seconds,
                "p50": _pct(lat, 50), "p90": _pct(lat, 90), "p99": _pct(lat, 99),
                "max": lat[-1] * 1000 if lat else None,
            })  # fmt: skip
        return rows

    @property
    def requests_per_s(self) -> float:
        return sum(len(v) for v in self.tally.latencies.values()) / self.seconds

    @property
    def case_actions_per_s(self) -> float:
        return sum(len(self.tally.latencies[a]) for a in CASE_ACTIONS) / self.seconds

    @property
    def lifecycles_per_s(self) -> float:
        return sum(self.tally.finished.values()) / self.seconds

    @property
    def errors(self) -> int:
        return sum(self.tally.errors.values())


def _pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    k = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))  # nearest rank
    return values[k] * 1000


def drive(plan: Plan, on_start=None) -> Outcome:
    """Run the load; `on_start(count_from, stop_at)` is called with the measured window (on the
    perf_counter clock, shared by the processes on Linux) just after the clients start."""
    ctx = mp.get_context("fork")
    ready, out, go = ctx.Queue(), ctx.Queue(), ctx.Event()
    start_at = ctx.Value("d", 0.0)
    procs = [ctx.Process(target=_process, args=(plan, w, ready, go, start_at, out), daemon=True)
             for w in range(plan.processes)]  # fmt: skip
    for p in procs:
        p.start()
    for _ in procs:
        kind, detail = ready.get(timeout=120)
        if kind == "error":
            for p in procs:
                p.terminate()
            raise RuntimeError(detail)
    start_at.value = time.perf_counter()
    go.set()
    if on_start:
        on_start(start_at.value + plan.warmup, start_at.value + plan.warmup + plan.seconds)
    tally = Tally()
    for _ in procs:
        tally.merge(out.get(timeout=plan.warmup + plan.seconds + 120))
    for p in procs:
        p.join(timeout=10)
    return Outcome(tally=tally, seconds=plan.seconds, clients=plan.processes * plan.threads)
