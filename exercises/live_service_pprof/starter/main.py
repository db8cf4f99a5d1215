"""Starter Python service of the live_service_pprof exercise.

The same service as the Go one, on the standard library only: GET
/work?n=N&repeat=R counts the primes below N and checksums 0..N-1, R times
over, and answers "n=N primes=P checksum=C" exactly as Go does.

A live Python service is profiled from outside with py-spy (`py-spy record
--pid PID`): no code change, no restart. TODO: add `--cpuprofile FILE`, the
contrast: cProfile tracing every request thread for the whole run, dumped on
shutdown (before Python 3.12 cProfile sees only the thread that enables it).

It listens on 127.0.0.1 only, prints "listening app=HOST:PORT pprof=- pid=PID"
once its socket is bound, and SIGTERM or SIGINT shuts it down gracefully.
"""

import argparse
import cProfile  # noqa: F401  (you will need it)
import ipaddress
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

# Bounds on one request's work: a live service must not let a client ask for unbounded CPU.
MAX_N = 1_000_000
MAX_REPEAT = 10_000


def is_prime(k):
    """Tests k by trial division by odd numbers."""
    if k < 2:
        return False
    if k % 2 == 0:
        return k == 2
    d = 3
    while d * d <= k:
        if k % d == 0:
            return False
        d += 2
    return True


def count_primes(n):
    """Counts the primes below n."""
    count = 0
    for k in range(2, n):
        if is_prime(k):
            count += 1
    return count


def checksum(n):
    """A 32-bit FNV-1a style hash of 0..n-1."""
    h = 2166136261
    for i in range(n):
        h = ((h ^ (i & 0xFF)) * 16777619) & 0xFFFFFFFF
    return h


def handle_work(query):
    """The application's only real endpoint: (status, body)."""
    try:
        n = int(query.get("n", [""])[0])
        repeat = int(query.get("repeat", ["1"])[0])
    except ValueError:
        n = repeat = 0
    if not (1 <= n <= MAX_N and 1 <= repeat <= MAX_REPEAT):
        return 400, f"n must be 1..{MAX_N} and repeat 1..{MAX_REPEAT}\n"
    for _ in range(repeat):
        primes, total = count_primes(n), checksum(n)
    return 200, f"n={n} primes={primes} checksum={total}\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as Go's server does
    timeout = 5  # an idle keep-alive connection frees its thread, so shutdown never hangs
    disable_nagle_algorithm = (
        True  # headers and body are two writes: Nagle would hold the body 40 ms
    )

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/work":
            status, body = handle_work(parse_qs(url.query))
        elif url.path == "/healthz":
            status, body = 200, "ok\n"
        else:
            status, body = 404, "404 page not found\n"
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        """Quiet: one stderr line per request would cost more than the request."""


class Server(ThreadingHTTPServer):
    """A thread per connection, joined on close so every request thread has finished."""

    daemon_threads = False
    block_on_close = True


def loopback(address):
    host, _, port = address.rpartition(":")
    if not ipaddress.ip_address(host).is_loopback:
        raise ValueError(
            f"{address} is not a loopback address: this service listens on 127.0.0.1 only"
        )
    return host, int(port)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app-addr", default="127.0.0.1:0", help="port 0: any free port")
    args = parser.parse_args(argv)
    try:
        args.app = loopback(args.app_addr)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    args = parse_args(argv)
    try:
        server = Server(args.app, Handler)
    except OSError as exc:
        print(f"cannot listen: {args.app_addr}: {exc.strerror}", file=sys.stderr)
        return 1

    def stop(_signum, _frame):
        # shutdown() waits for serve_forever, which runs on this very thread: call it from another
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    host, port = server.server_address[:2]
    print(f"listening app={host}:{port} pprof=- pid={os.getpid()}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
