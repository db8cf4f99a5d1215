"""Reference Python service of the live_service_pprof exercise.

The same service as the Go one, on the standard library only: GET
/work?n=N&repeat=R counts the primes below N and checksums 0..N-1, R times
over, and answers "n=N primes=P checksum=C" exactly as Go does.

A live Python service is profiled from outside with py-spy (`py-spy record
--pid PID`): no code change, no restart, and the process keeps its speed
between samples. `--cpuprofile FILE` is the contrast: cProfile traces every
call in every request thread for the whole run, and dumps on shutdown.

It listens on 127.0.0.1 only, prints "listening app=HOST:PORT pprof=- pid=PID"
once its socket is bound, and SIGTERM or SIGINT shuts it down gracefully.
"""

import argparse
import cProfile
import ipaddress
import os
import pstats
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


class ProfiledServer(Server):
    """Every request thread runs under cProfile, for the whole life of the service.

    Before Python 3.12 cProfile hooks only the thread that enables it, so each
    request thread gets its own profiler and they are merged on shutdown. From
    3.12 cProfile rides sys.monitoring, which sees every thread: one profiler
    enabled in main() is enough, and a second one would be refused.
    """

    per_thread = sys.version_info < (3, 12)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.profiles = []
        self.profiles_lock = threading.Lock()

    def process_request_thread(self, request, client_address):
        if not self.per_thread:
            super().process_request_thread(request, client_address)
            return
        profiler = cProfile.Profile()
        profiler.enable()
        try:
            super().process_request_thread(request, client_address)
        finally:
            profiler.disable()
            with self.profiles_lock:
                self.profiles.append(profiler)


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
    parser.add_argument(
        "--cpuprofile", help="trace every request under cProfile; dump here on exit"
    )
    args = parser.parse_args(argv)
    try:
        args.app = loopback(args.app_addr)
    except ValueError as exc:
        parser.error(str(exc))
    return args


def main(argv=None):
    args = parse_args(argv)
    server_class = ProfiledServer if args.cpuprofile else Server
    try:
        server = server_class(args.app, Handler)
    except OSError as exc:
        print(f"cannot listen: {args.app_addr}: {exc.strerror}", file=sys.stderr)
        return 1
    whole = cProfile.Profile() if args.cpuprofile and not ProfiledServer.per_thread else None
    if whole:
        whole.enable()

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
        if args.cpuprofile:
            profiles = [whole] if whole else server.profiles
            if whole:
                whole.disable()
            if profiles:
                pstats.Stats(*profiles).dump_stats(args.cpuprofile)
            else:
                cProfile.Profile().dump_stats(args.cpuprofile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
