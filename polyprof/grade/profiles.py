"""Reading the profiles a learner's program wrote, without trusting a byte of them.

A Go profile is protobuf, safe to parse in process once its size and its inflated size
are bounded (a gzip bomb is a few MB that inflate to GBs). A pstats file is marshal data,
which is not safe to load, so it is read by polyprof's pstats worker inside the sandbox
and only JSON crosses back.
"""

from __future__ import annotations

import json
import os
import stat
import zlib
from pathlib import Path

import pandas as pd

from .. import pprof, pstats, schema
from ..errors import IncompleteProfileError, ProfileError
from .sandbox import Limits, Sandbox

MAX_FILE = 64 << 20
MAX_INFLATED = 256 << 20
PSTATS_LIMITS = Limits(wall_s=30, cpu_s=20, data_mb=1024, stdout_bytes=32 << 20)
STOP_HINT = "call defer pprof.StopCPUProfile() right after StartCPUProfile"


def read_learner_file(path: Path) -> bytes:
    """Read a file from the sandbox's work dir: a regular file, never a planted symlink."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise ProfileError(
            "no profile was written", path.name, hint="pass --cpuprofile to the profiler"
        ) from None
    except OSError:
        raise ProfileError("the profile is not a regular file", path.name) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ProfileError("the profile is not a regular file", path.name)
        if info.st_size > MAX_FILE:
            raise ProfileError(f"the profile is larger than {MAX_FILE >> 20} MiB", path.name)
        return handle.read(MAX_FILE + 1)


def go_profile(path: Path) -> schema.Profile:
    data = read_learner_file(path)
    if not data:
        raise IncompleteProfileError(
            "incomplete profile: the file is empty (StopCPUProfile was never called, so "
            "nothing was flushed)",
            path.name,
            hint=STOP_HINT,
        )
    if data.startswith(pprof.GZIP_MAGIC):
        _check_inflated_size(data, path)
    return pprof.parse(data, path.name)


def _check_inflated_size(data: bytes, path: Path) -> None:
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        inflated = len(inflater.decompress(data, MAX_INFLATED + 1))
    except zlib.error:
        raise ProfileError("corrupt gzip data, not a pprof profile", path.name) from None
    if inflated > MAX_INFLATED:
        raise ProfileError(f"the profile inflates past {MAX_INFLATED >> 20} MiB", path.name)


def pstats_profile(box: Sandbox, name: str) -> schema.Profile:
    """Unmarshal `name` (in the sandbox's work dir) inside the sandbox; rebuild it from JSON."""
    where = f"{box.work}/{name}"
    run = box.run(["/usr/bin/python3", "-I", "-c", pstats.WORKER, where], PSTATS_LIMITS)
    if not run.ok:
        raise ProfileError(f"could not read the pstats file: {run.message('the reader')}", name)
    try:
        reply = json.loads(run.stdout)
    except json.JSONDecodeError:
        raise ProfileError("could not read the pstats file", name) from None
    return pstats.to_profile(pstats.from_reply(reply, name), name)


def hottest(profile: schema.Profile) -> pd.Series | None:
    """The user function with the most flat time: what a learner should find with -top."""
    user = profile.functions[profile.functions["category"] == "user"]
    user = user[user["flat_ns"].fillna(0) > 0]
    if user.empty:
        return None
    return user.sort_values("flat_ns", ascending=False, kind="stable").iloc[0]
