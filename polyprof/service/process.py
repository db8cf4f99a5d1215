"""Live services and the profilers that attach to them, as child processes.

A service runs in its own session and process group, announces its ports on
one stdout line (it binds port 0, so the kernel picks free ports and no two
runs can race for one), and is stopped with SIGTERM, then SIGKILL for the
whole group: nothing it started outlives polyprof. stdout and stderr go to
files, never pipes, so a chatty child cannot block on a full pipe.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from .. import runner
from ..errors import PolyprofError

READY = re.compile(r"listening app=(\S+):(\d+) pprof=(\S+) pid=(\d+)")
STOP_GRACE_S = 10.0  # the Python service's idle keep-alive threads give up after 5 s
TAIL_CHARS = 400


def last_line(path: Path) -> str:
    """The last non-blank line of a log file: what a dying child said last."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[-4000:]
    except OSError:
        return ""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1][:TAIL_CHARS] if lines else ""


def kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def proc_cpu_s(pid: int) -> float | None:
    """CPU seconds (user + system) the process has used so far, from /proc/PID/stat."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclasses.dataclass
class Service:
    """One running service: its process, its addresses and where its output goes."""

    label: str  # e.g. "go/pprof": which service of the run this is
    program: Path  # the source, for error messages
    proc: subprocess.Popen
    log: Path
    host: str = ""
    port: int = 0
    pprof: str = ""  # host:port of the pprof listener, "" when the service has none
    up_s: float = 0.0  # monotonic time it became ready, then how long it served once stopped

    @property
    def pid(self) -> int:
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc.poll() is None

    def died(self, when: str) -> PolyprofError:
        self.proc.poll()
        said = last_line(self.log)
        return PolyprofError(
            f"the {self.label} service (pid {self.pid}) died {when} with exit code "
            f"{self.proc.returncode}" + (f": {said}" if said else ""),
            self.program,
            hint="every service was stopped; the previous results were left as they were",
        )

    def stop(self) -> int | None:
        """SIGTERM, a grace period for a clean shutdown (the cProfile dump), then SIGKILL."""
        try:
            if self.alive():
                with contextlib.suppress(ProcessLookupError):
                    self.proc.send_signal(signal.SIGTERM)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.proc.wait(STOP_GRACE_S)
        finally:  # even when a second Ctrl-C cuts the grace period short
            kill_group(self.pid)
            self.proc.wait()
            self.up_s = time.monotonic() - self.up_s if self.up_s else 0.0
        return self.proc.returncode


def start(label: str, argv: list[str], program: Path, workdir: Path, timeout_s: float) -> Service:
    """Start a service and wait for its ready line; a child that cannot bind is one clear error."""
    workdir.mkdir(parents=True, exist_ok=True)
    name = label.replace("/", "-")
    out, log = workdir / f"{name}.stdout", workdir / f"{name}.stderr"
    with out.open("wb") as o, log.open("wb") as e:
        proc = runner.spawn(argv, o, e, workdir, f"the {label} service", program)
    service = Service(label, program, proc, log)
    try:
        _wait_ready(service, out, timeout_s)
    except BaseException:
        service.stop()
        raise
    return service


def _wait_ready(service: Service, out: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        found = READY.search(out.read_text(encoding="utf-8", errors="replace"))
        if found:
            service.host, service.port = found[1], int(found[2])
            service.pprof = "" if found[3] == "-" else found[3]
            service.up_s = time.monotonic()
            return
        if not service.alive():
            said = last_line(service.log) or f"exit code {service.proc.returncode}"
            hint = (
                "a fixed port in the exercise's service.ports is taken by another process; "
                "set it to 0 to let the kernel choose a free one"
                if "in use" in said
                else ""
            )
            raise PolyprofError(
                f"the {service.label} service could not start: {said}", service.program, hint
            )
        if time.monotonic() > deadline:
            raise PolyprofError(
                f"the {service.label} service printed no 'listening' line within {timeout_s:.0f} s",
                service.program,
                hint="a service must print 'listening app=HOST:PORT pprof=HOST:PORT pid=PID'",
            )
        time.sleep(0.02)


def get(url: str, timeout_s: float) -> tuple[int, bytes]:
    """One GET on loopback: (status, body); a refused or broken connection is status 0."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(getattr(exc, "reason", exc)).encode()


class PprofFetch:
    """GET /debug/pprof/profile?seconds=N in the background: the service profiles itself for N s."""

    def __init__(self, service: Service, seconds: int, dest: Path) -> None:
        self.url = f"http://{service.pprof}/debug/pprof/profile?seconds={seconds}"
        self.dest = dest
        self.timeout_s = seconds + 15
        self.error = ""
        self._thread = threading.Thread(target=self._fetch, daemon=True)
        self._thread.start()

    def _fetch(self) -> None:
        status, body = get(self.url, self.timeout_s)
        if status == 200 and body:
            self.dest.write_bytes(body)
        else:
            self.error = f"HTTP {status or 'error'}: {body.decode(errors='replace').strip()[:200]}"

    def ready(self) -> bool:
        """pprof starts sampling as it handles the request: a short head start is enough."""
        time.sleep(0.05)
        return True

    def finish(self) -> str:
        """Wait for the profile; '' on success, else what went wrong."""
        deadline = time.monotonic() + self.timeout_s
        while self._thread.is_alive() and time.monotonic() < deadline:
            self._thread.join(0.1)
        return "timed out" if self._thread.is_alive() else self.error

    def kill(self) -> None:
        """Nothing to stop here: the request ends when its service does."""


class PyspyAttach:
    """`py-spy record --pid PID --duration N` against a running service, from outside."""

    def __init__(self, spy: str, service: Service, seconds: int, dest: Path, opts: dict) -> None:
        argv = [spy, "record", "--pid", str(service.pid), "--duration", str(seconds)]
        argv += ["--rate", str(opts["rate"]), "--format", "raw", "--function"]
        argv += ["--full-filenames", "-o", str(dest)]
        argv += ["--nonblocking"] if opts.get("nonblocking") else []
        argv += ["--gil"] if opts.get("gil") else []
        self.dest = dest
        self.out = dest.with_suffix(".stdout")
        self.timeout_s = seconds + 15
        with self.out.open("wb") as o:
            self.proc = subprocess.Popen(
                argv,
                stdout=o,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.cpu_s = 0.0

    def _reap(self, flags: int) -> bool:
        """wait4 rather than Popen.poll, so py-spy's own CPU time comes back with it."""
        if self.proc.returncode is not None:
            return True
        pid, status, usage = os.wait4(self.proc.pid, flags)
        if not pid:
            return False
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        self.cpu_s = usage.ru_utime + usage.ru_stime
        return True

    def ready(self) -> bool:
        """Wait until py-spy says it samples (attaching takes a moment); False if it gave up."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if b"Sampling process" in self.out.read_bytes():
                return True
            if self._reap(os.WNOHANG):
                return False
            time.sleep(0.01)
        return True

    def finish(self) -> str:
        """Wait for py-spy; '' on success, else its last line (a ptrace denial, say)."""
        deadline = time.monotonic() + self.timeout_s
        while not self._reap(os.WNOHANG) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.kill()
        if self.proc.returncode != 0:
            return last_line(self.out) or f"exit code {self.proc.returncode}"
        return ""

    def kill(self) -> None:
        """Stop py-spy and its group now (no-op once it has exited and been reaped)."""
        if self.proc.returncode is None:
            kill_group(self.proc.pid)
            self._reap(0)
