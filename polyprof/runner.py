"""Build the reference programs and run them, plain or under a profiler.

Every run is a child in its own process group, waited for with wait4 so its
own rusage (CPU time) comes back with it, and killed as a group on timeout or
Ctrl-C so nothing outlives polyprof. Output goes to files, not pipes, so a
chatty program can never deadlock us.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .errors import PolyprofError
from .exercise import Exercise
from .paths import build_cache
from .toolchain import go_binary, go_env, go_version

PYSPY_ENV = "POLYPROF_PYSPY"
STDERR_TAIL = 2000


@dataclasses.dataclass(frozen=True)
class Variant:
    """One way of running a program: which language, which profiler (or none)."""

    language: str
    profiler: str  # none, pprof, cprofile, cprofile-cpu, py-spy

    @property
    def label(self) -> str:
        return f"{self.language}/{self.profiler}"


@dataclasses.dataclass
class RunResult:
    variant: Variant
    scale: int
    repeat: int
    round: int
    outcome: Outcome
    profile: Path | None
    phase: str = "work"  # work: the measured workload; startup: a scale-1 run to subtract

    @property
    def wall_ns(self) -> int:
        return self.outcome.wall_ns

    @property
    def returncode(self) -> int:
        return self.outcome.returncode

    @property
    def stdout(self) -> str:
        return self.outcome.stdout

    @property
    def stderr(self) -> str:
        return self.outcome.stderr

    @property
    def timed_out(self) -> bool:
        return self.outcome.timed_out

    def as_row(self) -> dict:
        return {
            "language": self.variant.language,
            "profiler": self.variant.profiler,
            "scale": self.scale,
            "repeat": self.repeat,
            "round": self.round,
            "wall_ns": self.outcome.wall_ns,
            "cpu_ns": self.outcome.cpu_ns,
            "runqueue_ns": self.outcome.runqueue_ns,
            "returncode": self.outcome.returncode,
            "timed_out": self.outcome.timed_out,
            "phase": self.phase,
        }


def pyspy_binary() -> str | None:
    wanted = os.environ.get(PYSPY_ENV)
    if wanted is not None:
        return shutil.which(wanted)
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def _source_hash(folder: Path) -> str:
    h = hashlib.sha256(go_version().encode())
    for path in sorted(folder.parent.glob("go.mod")) + sorted(folder.glob("*.go")):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def build_go(exercise: Exercise, source: Path | None = None) -> tuple[Path, bool]:
    """Build the exercise's Go program once per source hash; return (binary, built_now)."""
    folder = (source or exercise.program("go")).parent
    if not (folder / "main.go").is_file():
        raise PolyprofError("no Go program", folder / "main.go", hint="see DESIGN.md layout")
    out = build_cache() / f"{folder.name}-{_source_hash(folder)}" / folder.name
    if out.exists():
        return out, False
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".partial")
    proc = subprocess.run(
        [go_binary(), "build", "-o", str(partial), "."],
        cwd=folder,
        env=go_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        first = next((ln for ln in proc.stderr.splitlines() if ln.strip()), "unknown error")
        raise PolyprofError(f"go build failed: {first}", folder / "main.go")
    partial.rename(out)
    return out, True


def command(
    exercise: Exercise,
    variant: Variant,
    scale: int,
    repeat: int,
    profile: Path | None,
    go_bin: Path | None,
) -> list[str]:
    """The argv for one run, following the program contract's flags."""
    args = ["--scale", str(scale), "--repeat", str(repeat)]
    if variant.language == "go":
        if variant.profiler == "pprof":
            args += ["--cpuprofile", str(profile)]
        return [str(go_bin), *args]
    py = [sys.executable, str(exercise.program("python"))]
    if variant.profiler in ("cprofile", "cprofile-cpu"):
        args += ["--cpuprofile", str(profile)]
        if variant.profiler == "cprofile-cpu":
            args += ["--clock", "cpu"]
    if variant.profiler == "py-spy":
        spy = pyspy_binary()
        if spy is None:
            raise PolyprofError("py-spy is not installed", hint="python -m pip install py-spy")
        opts = exercise.pyspy
        rec = [spy, "record", "--rate", str(opts["rate"]), "--format", "raw", "--function"]
        rec += ["--full-filenames", "-o", str(profile)]
        if opts.get("idle"):
            rec.append("--idle")
        if opts.get("nonblocking"):
            rec.append("--nonblocking")
        return [*rec, "--", *py, *args]
    return [*py, *args]


class RunqueueWatch:
    """Polls the child's threads' schedstat (/proc/PID/task/*/schedstat: on-CPU, run-queue ns).

    Time spent runnable but waiting for a CPU is the machine's fault, not the
    program's: subtracting it separates "the program slept" from "the machine
    was busy", which CPU/wall time alone cannot on a shared box. Only threads
    that did real work count (>= 5% of the CPU), since idle helper threads of a
    Go program wait in the run queue while the worker runs, not instead of it.
    """

    def __init__(self, pid: int, every_s: float = 0.02) -> None:
        self.pid = pid
        self.every_s = every_s
        self.threads: dict[str, tuple[int, int]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        base = f"/proc/{self.pid}/task"
        while not self._stop.is_set():
            with contextlib.suppress(OSError, ValueError, IndexError):
                for tid in os.listdir(base):
                    with open(f"{base}/{tid}/schedstat", encoding="ascii") as fh:
                        on_cpu, waited = fh.read().split()[:2]
                    self.threads[tid] = (int(on_cpu), int(waited))
            self._stop.wait(self.every_s)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        total_cpu = sum(cpu for cpu, _ in self.threads.values()) or 1
        return sum(w for cpu, w in self.threads.values() if cpu >= 0.05 * total_cpu)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


@dataclasses.dataclass
class Outcome:
    returncode: int
    wall_ns: int
    cpu_ns: int
    runqueue_ns: int  # time runnable but waiting for a CPU (machine contention)
    stdout: str
    stderr: str
    timed_out: bool


def spawn(
    argv: list[str], stdout, stderr, cwd: Path | None, what: str, path: Path | None = None
) -> subprocess.Popen:
    """Start a child in a session (and process group) of its own, so it can be killed whole.

    PYTHONHASHSEED is fixed so Python children iterate sets and dicts the same
    way every run: profiles and outputs stay comparable.
    """
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        return subprocess.Popen(
            argv,
            stdout=stdout,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
    except OSError as exc:
        raise PolyprofError(f"cannot start {what}: {exc.strerror}", path) from None


def execute(argv: list[str], timeout_s: float, cwd: Path | None = None) -> Outcome:
    """Run argv in its own session and process group, with a wall-clock timeout."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter_ns()
        proc = spawn(argv, out, err, cwd, argv[0])
        fired = threading.Event()

        def on_timeout() -> None:
            fired.set()
            _kill_group(proc.pid)

        timer = threading.Timer(timeout_s, on_timeout)
        timer.start()
        watch = RunqueueWatch(proc.pid)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            _kill_group(proc.pid)
            os.waitpid(proc.pid, 0)
            raise
        finally:
            timer.cancel()
            waited = watch.stop()
        wall = time.perf_counter_ns() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        _kill_group(proc.pid)  # grandchildren left by the program die with it
        cpu = round((usage.ru_utime + usage.ru_stime) * 1e9)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")[-STDERR_TAIL:]
        return Outcome(proc.returncode, wall, cpu, waited, stdout, stderr, fired.is_set())


def run_once(
    exercise: Exercise,
    variant: Variant,
    scale: int,
    repeat: int,
    round_no: int,
    workdir: Path,
    go_bin: Path | None,
    timeout_s: float,
    phase: str = "work",
) -> RunResult:
    suffix = {"pprof": ".pprof", "py-spy": ".txt"}.get(variant.profiler, ".pstats")
    profile = None
    if variant.profiler != "none":
        name = f"{variant.language}-{variant.profiler}-s{scale}-r{round_no}{suffix}"
        profile = workdir / name
    argv = command(exercise, variant, scale, repeat, profile, go_bin)
    outcome = execute(argv, timeout_s, cwd=workdir)
    if variant.profiler == "py-spy":  # py-spy shares the child's stdout for its own chatter
        lines = outcome.stdout.splitlines()
        outcome.stdout = "\n".join(ln for ln in lines if not ln.startswith("py-spy> "))
    return RunResult(variant, scale, repeat, round_no, outcome, profile, phase)
