"""One entry point for any profile file: the format is read from the content.

File names lie (learners rename things), so we sniff: gzip magic means pprof,
a marshal dict code means pstats, `frames count` lines mean py-spy folded
text, and anything protobuf can decode as a profile is raw pprof.
"""

from __future__ import annotations

from pathlib import Path

from . import pprof, pstats, pyspy
from .errors import IncompleteProfileError, ProfileError
from .schema import Profile

MAX_BYTES = 1 << 30
# marshal type codes of list, tuple, small tuple, set, frozenset and dict (FLAG_REF masked):
# a file starting with one is probably marshal data that is not a pstats dict
MARSHAL_CONTAINER_CODES = frozenset(b"[()<>{")


def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    if not p.exists():
        raise ProfileError("no such file", p, hint="check the path")
    if p.is_dir():
        raise ProfileError("is a directory, not a profile file", p, hint="pass the file inside it")
    try:
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise ProfileError(f"file is {size} bytes, larger than 1 GiB", p)
        data = p.read_bytes()
    except PermissionError:
        raise ProfileError("permission denied", p) from None
    except OSError as exc:
        raise ProfileError(f"cannot read ({exc.strerror})", p) from None
    if not data:
        raise IncompleteProfileError(
            "empty file: no profile was written (the program never stopped its profiler "
            "or dumped its stats, or was killed first)",
            p,
            hint="Go: defer pprof.StopCPUProfile(); Python: profiler.dump_stats(path)",
        )
    return data


def _text(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def load_profile(
    path: str | Path,
    *,
    clock: str | None = None,
    rate: int = 100,
    idle: bool = False,
    trusted: bool = True,
) -> Profile:
    """Parse any supported profile file into a Profile.

    `clock` states the timer a pstats file was recorded with (the file does not
    say; cProfile's default is wall). `rate`/`idle` describe a py-spy recording.
    `trusted=False` unmarshals pstats in a separate interpreter: use it for any
    file a learner produced.
    """
    data = read_bytes(path)
    if data.startswith(pprof.GZIP_MAGIC):
        return pprof.parse(data, path)
    if data[0] in pstats.MARSHAL_DICT_CODES:
        text = _text(data)
        if text is None or not pyspy.looks_like_folded(text):
            stats = pstats.load_trusted(path) if trusted else pstats.load_isolated(path)
            return pstats.to_profile(stats, path, clock=clock or "wall")
    text = _text(data)
    if text is not None and pyspy.looks_like_folded(text):
        return pyspy.parse(text, path, rate=rate, idle=idle)
    if pprof.looks_like_legacy_cpu(data):
        raise ProfileError(
            "legacy Go CPU profile format (before Go 1.9) is not supported",
            path,
            hint="convert it: go tool pprof -proto FILE > FILE.pb.gz",
        )
    try:
        return pprof.parse(data, path)
    except ProfileError:
        if trusted and data[0] & 0x7F in MARSHAL_CONTAINER_CODES:
            pstats.validate(pstats.load_trusted(path), path)  # says what the marshal data is
        raise ProfileError(
            "not a recognised profile (not gzip pprof, raw profile.proto, pstats or "
            "py-spy folded text)",
            path,
        ) from None
