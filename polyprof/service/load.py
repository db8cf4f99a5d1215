"""The bounded loopback load generator.

A few client threads, each with one keep-alive connection, send the same GET
back to back (a closed loop: throughput is what the service can do, not what
we ask for). A window ends at its deadline or when its request budget is
spent, whichever comes first, so the generator always stops by itself.

The generator must stay light: on a 2-core machine a client that saturates a
core measures itself, not the profiler. Each thread reports its own CPU time
(time.thread_time), so every window says what the load cost.
"""

from __future__ import annotations

import dataclasses
import http.client
import threading
import time

REQUEST_TIMEOUT_S = 10.0


@dataclasses.dataclass
class Window:
    """What one window of load measured."""

    latencies_ns: list[int]
    errors: int
    first_error: str
    wall_s: float
    generator_cpu_s: float

    @property
    def requests(self) -> int:
        return len(self.latencies_ns)

    @property
    def throughput(self) -> float:
        return self.requests / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def generator_core_share(self) -> float:
        """CPU the generator used, as a fraction of one core over the window."""
        return self.generator_cpu_s / self.wall_s if self.wall_s > 0 else 0.0


class _Budget:
    """The window's request budget, shared by its client threads."""

    def __init__(self, requests: int, deadline: float) -> None:
        self.left = requests
        self.deadline = deadline
        self.lock = threading.Lock()

    def take(self) -> bool:
        if time.perf_counter() >= self.deadline:
            return False
        with self.lock:
            self.left -= 1
            return self.left >= 0


class _Client(threading.Thread):
    def __init__(self, host: str, port: int, path: str, expect: bytes, budget: _Budget, stop):
        super().__init__(daemon=True)
        self.host, self.port, self.path, self.expect = host, port, path, expect
        self.budget, self.stop = budget, stop
        self.latencies: list[int] = []
        self.errors = 0
        self.first_error = ""
        self.cpu_s = 0.0

    def run(self) -> None:
        cpu0 = time.thread_time()
        conn = http.client.HTTPConnection(self.host, self.port, timeout=REQUEST_TIMEOUT_S)
        try:
            while not self.stop.is_set() and self.budget.take():
                start = time.perf_counter_ns()
                try:
                    conn.request("GET", self.path)
                    resp = conn.getresponse()
                    body = resp.read()
                except (OSError, http.client.HTTPException) as exc:
                    self._fail(f"{type(exc).__name__}: {exc}")
                    conn.close()  # the next request reconnects
                    if self.errors >= 3:  # the service is gone or broken: stop hammering it
                        return
                    continue
                if resp.status != 200 or body != self.expect:
                    self._fail(f"HTTP {resp.status}: {body[:80]!r}")
                    continue
                self.latencies.append(time.perf_counter_ns() - start)
        finally:
            conn.close()
            self.cpu_s = time.thread_time() - cpu0

    def _fail(self, what: str) -> None:
        self.errors += 1
        self.first_error = self.first_error or what


def drive(
    host: str,
    port: int,
    path: str,
    expect: bytes,
    *,
    clients: int,
    duration_s: float,
    max_requests: int,
) -> Window:
    """Load one service for duration_s or max_requests, whichever ends first.

    Ctrl-C reaches the main thread while it waits here: the clients are told to
    stop and the interrupt goes on up, so the caller can stop the services.
    """
    stop = threading.Event()
    start = time.perf_counter()
    budget = _Budget(max_requests, start + duration_s)
    threads = [_Client(host, port, path, expect, budget, stop) for _ in range(clients)]
    for t in threads:
        t.start()
    try:
        for t in threads:
            while t.is_alive():
                t.join(0.05)
    finally:
        stop.set()
    wall = time.perf_counter() - start
    latencies = [x for t in threads for x in t.latencies]
    errors = sum(t.errors for t in threads)
    first = next((t.first_error for t in threads if t.first_error), "")
    return Window(latencies, errors, first, wall, sum(t.cpu_s for t in threads))
