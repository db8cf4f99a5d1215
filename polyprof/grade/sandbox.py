"""Run one untrusted command: bubblewrap, an unprivileged uid, rlimits, a wall clock, output caps.

Why each layer (see ../shared/reference/grading.md):
- bwrap started as root with `--uid` keeps root's file access, so bwrap itself is started
  as a dedicated unprivileged host uid through `setpriv`; that uid is also what makes
  RLIMIT_NPROC bite (root is exempt), and each concurrent run holds its own uid.
- rlimits are set by a `prlimit` prefix (no preexec_fn in a threaded grader); memory is
  RLIMIT_DATA because Go reserves address space that RLIMIT_AS would count.
- the wall clock and the output caps kill the whole process group; with `--unshare-pid`
  and `--die-with-parent`, killing bwrap tears down everything inside, and a final sweep
  of the slot's uid makes sure nothing is left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from ..errors import PolyprofError

SANDBOX_WORK = "/work"
UID_BASE = 62000
SLOTS = 64
INSTALL_HINT = (
    "install it with: apt-get install -y bubblewrap, or pass --no-sandbox on a trusted machine"
)


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one step may use. Defaults suit a learner's run; builds get `BUILD_LIMITS`."""

    wall_s: float = 30.0
    cpu_s: int = 20
    data_mb: int = 512
    fsize_mb: int = 64
    nproc: int = 64
    nofile: int = 256
    tmp_mb: int = 64
    stdout_bytes: int = 1 << 20
    stderr_bytes: int = 64 << 10


BUILD_LIMITS = Limits(wall_s=120, cpu_s=120, data_mb=2048, fsize_mb=256, nproc=256, tmp_mb=512)


@dataclasses.dataclass
class RunResult:
    argv: list[str]
    returncode: int
    stdout: bytes
    stderr: bytes
    wall_s: float
    status: str  # ok, exit, timeout, cpu_limit, memory_limit, file_limit, process_limit, output_limit, signal
    limits: Limits

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def text(self, stream: str = "stderr") -> str:
        return getattr(self, stream).decode("utf-8", "replace")

    def message(self, what: str = "the program") -> str:
        """Say what happened in words a learner can act on."""
        lim = self.limits
        return {
            "ok": f"{what} ran to completion",
            "exit": f"{what} exited with status {self.returncode}",
            "timeout": f"{what} did not finish within {lim.wall_s:g} s of wall-clock time "
            "(an endless loop, or waiting for something that never comes?)",
            "cpu_limit": f"{what} used more than {lim.cpu_s} s of CPU time and was stopped",
            "memory_limit": f"{what} ran out of memory (limit {lim.data_mb} MiB)",
            "file_limit": f"{what} tried to write a file larger than {lim.fsize_mb} MiB",
            "process_limit": f"{what} tried to start more than {lim.nproc} processes or threads",
            "output_limit": f"{what} printed more than {lim.stdout_bytes // 1024} KiB to stdout or "
            f"{lim.stderr_bytes // 1024} KiB to stderr and was stopped",
            "signal": f"{what} was killed by signal {-self.returncode}",
        }[self.status]


def classify(returncode: int, stderr: bytes, killed_for: str | None) -> str:
    """Name why a run ended, from its exit status and the runtime's last words."""
    if killed_for:
        return killed_for
    if returncode == 0:
        return "ok"
    if returncode in (128 + signal.SIGXCPU, -signal.SIGXCPU):
        return "cpu_limit"
    if returncode in (128 + signal.SIGXFSZ, -signal.SIGXFSZ):
        return "file_limit"
    tail = (stderr[:4096] + stderr[-4096:]).lower()  # Go says why first, then dumps stacks
    if b"memoryerror" in tail or b"out of memory" in tail or b"cannot allocate memory" in tail:
        return "memory_limit"
    if b"file too large" in tail:
        return "file_limit"
    if b"resource temporarily unavailable" in tail or b"pthread_create failed" in tail:
        return "process_limit"
    if returncode < 0 or returncode in (128 + signal.SIGKILL, 128 + signal.SIGSEGV):
        return "signal"
    return "exit"


def bwrap_binary() -> str | None:
    return shutil.which("bwrap")


def require_bwrap() -> str:
    found = bwrap_binary()
    if not found:
        raise PolyprofError(
            "bubblewrap (bwrap) is not installed; grading runs untrusted code", hint=INSTALL_HINT
        )
    return found


@contextlib.contextmanager
def uid_slot(lock_dir: Path) -> Iterator[int | None]:
    """Hold a host uid no other run uses, so RLIMIT_NPROC and the final sweep are per run.

    Locks are files, so concurrent graders (workers, shards on one machine) never share a uid.
    Without root there is no uid to switch to, and the run keeps the caller's uid.
    """
    if os.geteuid() != 0:
        yield None
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    while True:
        for slot in range(SLOTS):
            handle = (lock_dir / f"{slot}.lock").open("w")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            try:
                uid = UID_BASE + slot
                kill_uid(uid)
                yield uid
                kill_uid(uid)
            finally:
                handle.close()
            return
        time.sleep(0.1)


def kill_uid(uid: int) -> int:
    """SIGKILL every process whose real uid is `uid`; returns how many were found."""
    found = 0
    for _ in range(20):
        pids = [pid for pid in _pids() if _real_uid(pid) == uid]
        if not pids:
            return found
        found += len(pids)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)
    return found


def processes_of(uid: int) -> list[int]:
    return [pid for pid in _pids() if _real_uid(pid) == uid]


def _pids() -> list[int]:
    return [int(name) for name in os.listdir("/proc") if name.isdigit()]


def _real_uid(pid: int) -> int | None:
    """The real uid of a live process; None for zombies (already dead, awaiting their reaper)."""
    uid = None
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("State:") and line.split()[1] == "Z":
                    return None
                if line.startswith("Uid:"):
                    uid = int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    return uid


@dataclasses.dataclass
class Sandbox:
    """One learner's view of the machine: `workdir` is the only writable host directory.

    `readonly` are host paths visible at the same path inside (the Go toolchain, polyprof's
    helper scripts); `binds` are (host, inside, writable) extras such as a private GOCACHE.
    With `enabled=False` (`--no-sandbox`) commands run directly in `workdir`, still under
    rlimits, the wall clock and the output caps.
    """

    workdir: Path
    uid: int | None
    enabled: bool = True
    readonly: Sequence[Path] = ()
    binds: Sequence[tuple[Path, str, bool]] = ()

    @property
    def work(self) -> str:
        """The work directory as the command sees it."""
        return SANDBOX_WORK if self.enabled else str(self.workdir)

    def inside(self, host: Path) -> str:
        for src, dest, _ in self.binds:
            if self.enabled and host == src:
                return dest
        return str(host)

    def run(
        self, argv: Sequence[str], limits: Limits, env: Mapping[str, str] | None = None
    ) -> RunResult:
        env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp", "LANG": "C.UTF-8", **(env or {})}
        command = (
            self._prefix(limits) + (self._bwrap(env, limits) if self.enabled else []) + list(argv)
        )
        host_env = None
        if not self.enabled:
            scratch = self.workdir.with_name(
                self.workdir.name + ".tmp"
            )  # Go refuses a go.mod in TMPDIR
            scratch.mkdir(exist_ok=True)
            if self.uid is not None:
                os.chown(scratch, self.uid, self.uid)
            host_env = {**env, "TMPDIR": str(scratch)}
        try:
            return _supervise(
                command, limits, host_env, None if self.enabled else self.workdir, self._why_timeout
            )
        finally:
            if self.uid is not None:
                kill_uid(self.uid)  # the next step starts with no process of this uid alive

    def _why_timeout(self, lim: Limits) -> str:
        """A fork bomb that swallows its errors only ever times out; its process count gives it away."""
        if self.uid is not None and len(processes_of(self.uid)) >= lim.nproc // 2:
            return "process_limit"
        return "timeout"

    def _prefix(self, lim: Limits) -> list[str]:
        mib = 1 << 20
        prefix = [
            "prlimit",
            f"--cpu={lim.cpu_s}:{lim.cpu_s + 1}",  # SIGXCPU first, so the status says why
            f"--data={lim.data_mb * mib}",
            f"--fsize={lim.fsize_mb * mib}",
            f"--nofile={lim.nofile}",
            "--core=0",
        ]
        if self.uid is not None:
            prefix.append(f"--nproc={lim.nproc}")
            prefix += [
                "--",
                "setpriv",
                f"--reuid={self.uid}",
                f"--regid={self.uid}",
                "--clear-groups",
            ]
        return [*prefix, "--"]

    def _bwrap(self, env: Mapping[str, str], lim: Limits) -> list[str]:
        args = [
            require_bwrap(),
            "--unshare-all",
            "--die-with-parent",
            "--new-session",
            "--clearenv",
        ]
        args += ["--hostname", "sandbox", "--ro-bind", "/usr", "/usr"]
        for top in ("bin", "lib", "lib64", "sbin", "lib32"):
            path = Path("/") / top
            if path.is_symlink():
                args += ["--symlink", os.readlink(path), str(path)]
            elif path.is_dir():
                args += ["--ro-bind", str(path), str(path)]
        args += [
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--size",
            str(lim.tmp_mb << 20),
            "--tmpfs",
            "/tmp",
        ]
        for path in self.readonly:
            args += ["--ro-bind", str(path), str(path)]
        args += ["--bind", str(self.workdir), SANDBOX_WORK]
        for src, dest, writable in self.binds:
            args += ["--bind" if writable else "--ro-bind", str(src), dest]
        args += ["--chdir", SANDBOX_WORK]
        for key, value in env.items():
            args += ["--setenv", key, value]
        return [*args, "--"]


def _supervise(
    command: list[str],
    lim: Limits,
    env: Mapping[str, str] | None,
    cwd: Path | None,
    why_timeout: Callable[[Limits], str],
) -> RunResult:
    """Start `command` in its own process group and stop the group at the first limit it hits."""
    killed: list[str] = []
    started = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=dict(env) if env is not None else {"PATH": "/usr/bin:/bin"},
        cwd=cwd,
    )

    def stop(reason: str) -> None:
        if not killed:
            killed.append(reason)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    buffers: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}

    def drain(name: str, cap: int) -> None:
        stream = getattr(proc, name)
        buf = buffers[name]
        while chunk := stream.read1(65536):
            room = cap - len(buf)
            buf += chunk[: max(room, 0)]
            if len(chunk) > room:
                stop("output_limit")
                break
        stream.close()

    readers = [
        threading.Thread(target=drain, args=("stdout", lim.stdout_bytes), daemon=True),
        threading.Thread(target=drain, args=("stderr", lim.stderr_bytes), daemon=True),
    ]
    for reader in readers:
        reader.start()
    timer = threading.Timer(lim.wall_s, lambda: stop(why_timeout(lim)))
    timer.start()
    try:
        _, status = os.waitpid(proc.pid, 0)
    finally:
        timer.cancel()
    wall = time.monotonic() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # stragglers of an unsandboxed run
    for reader in readers:
        reader.join(timeout=5)
    stdout, stderr = bytes(buffers["stdout"]), bytes(buffers["stderr"])
    return RunResult(
        argv=command,
        returncode=proc.returncode,
        stdout=stdout,
        stderr=stderr,
        wall_s=wall,
        status=classify(proc.returncode, stderr, killed[0] if killed else None),
        limits=lim,
    )
