"""cProfile / profile (pstats) data into the normalized tables.

A pstats file is a marshalled dict {(file, line, name): (cc, nc, tt, ct, callers)}
whose callers map {(file, line, name): (nc, cc, tt, ct)} swaps the two counts
(the pure-Python `profile` module stores a plain int there instead). tt and ct
are float seconds; we keep integer nanoseconds, round(s * 1e9), so the numbers
equal pstats.Stats to the nanosecond. marshal is not safe on hostile data, so
`load_isolated` unmarshals in a separate interpreter and hands back JSON.
"""

from __future__ import annotations

import json
import marshal
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pandas as pd

from . import schema
from .errors import ProfileError

MARSHAL_DICT_CODES = (0x7B, 0xFB)  # TYPE_DICT, with and without FLAG_REF

# Runs in a fresh `python -I`: read marshal, check the shape, print plain JSON.
WORKER = r"""
import json, marshal, sys
try:
    with open(sys.argv[1], "rb") as fh:
        data = marshal.load(fh)
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__})); sys.exit(0)
if not isinstance(data, dict):
    print(json.dumps({"error": "not a dict"})); sys.exit(0)
def key(k):
    if not (isinstance(k, tuple) and len(k) == 3):
        return None
    # `python -m profile -o` keys its root call by a code object; pstats prints str() of it
    return [k[0], k[1], k[2] if isinstance(k[2], str) else str(k[2])]
rows = []
for k, v in data.items():
    if not isinstance(v, tuple):
        rows.append([key(k), None]); continue
    callers = v[4] if len(v) > 4 and isinstance(v[4], dict) else None
    cl = None if callers is None else [[key(ck), list(cv) if isinstance(cv, tuple) else cv]
                                        for ck, cv in callers.items()]
    rows.append([key(k), list(v[:4]) + [cl]])
print(json.dumps({"rows": rows, "python": sys.version.split()[0]}))
"""


def _is_key(k: Any) -> bool:
    return (
        isinstance(k, tuple)
        and len(k) == 3
        and isinstance(k[0], str)
        and isinstance(k[1], int)
        and not isinstance(k[1], bool)
        and isinstance(k[2], str | types.CodeType)
    )


_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _named(k: tuple) -> tuple:
    """`python -m profile -o` keys its root call by a code object, which pstats prints with
    str(); we drop the memory address from that text so the name is the same on every read."""
    if isinstance(k[2], str) and not k[2].startswith("<code object "):
        return k
    return (k[0], k[1], _ADDRESS.sub("", str(k[2]), count=1))


def _is_count(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and abs(x) < 2**63


def _is_seconds(x: Any) -> bool:
    """A time pstats could hold: finite, and small enough that its nanoseconds fit int64."""
    return (isinstance(x, int | float) and not isinstance(x, bool)) and abs(x) < 9e9


def _is_row(v: Any) -> bool:
    """(cc, nc, tt, ct), the shape of a stats value's head and of a cProfile callers value."""
    return (
        isinstance(v, tuple)
        and len(v) >= 4
        and _is_count(v[0])
        and _is_count(v[1])
        and _is_seconds(v[2])
        and _is_seconds(v[3])
    )


def validate(data: Any, path: str | Path) -> dict:
    """Keep only what pstats itself would accept; anything else is not a pstats file."""
    if not isinstance(data, dict):
        raise ProfileError(
            f"marshal data is a {type(data).__name__}, not a pstats dict",
            path,
            hint="write it with cProfile.Profile().dump_stats(path)",
        )
    stats = {}
    for k, v in data.items():
        if k == ("__sampled__",):  # Python 3.15 sampling profiler marker
            continue
        ok = _is_key(k) and _is_row(v) and len(v) == 5 and isinstance(v[4], dict)
        if not ok:
            raise ProfileError("marshal data is not a pstats dict (unexpected entry)", path)
        for ck, cv in v[4].items():
            good = _is_key(ck) and (_is_count(cv) or (_is_row(cv) and len(cv) == 4))
            if not good:
                raise ProfileError("marshal data is not a pstats dict (bad callers entry)", path)
        stats[_named(k)] = (*v[:4], {_named(ck): cv for ck, cv in v[4].items()})
    return stats


def load_trusted(path: str | Path) -> dict:
    """Unmarshal in this process: only for files the user or polyprof itself wrote."""
    try:
        data = marshal.loads(Path(path).read_bytes())
    except (EOFError, ValueError, TypeError):
        raise ProfileError(
            "not pstats data: marshal cannot read it (cut short, not pstats, or written by "
            "another Python version's `python -m profile`, whose file holds a code object)",
            path,
            hint="read it with the Python that wrote it",
        ) from None
    return validate(data, path)


def load_isolated(path: str | Path, python: str | None = None, timeout: float = 30) -> dict:
    """Unmarshal in a separate, isolated interpreter and rebuild the dict from JSON."""
    try:
        proc = subprocess.run(
            [python or sys.executable, "-I", "-c", WORKER, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        reply = json.loads(proc.stdout)
    except OSError as exc:
        raise ProfileError(f"cannot start the pstats reader ({exc.strerror})", path) from None
    except (subprocess.TimeoutExpired, json.JSONDecodeError):
        raise ProfileError(
            "the isolated pstats reader failed or timed out on this file", path
        ) from None
    return from_reply(reply, path)


def from_reply(reply: dict, path: str | Path) -> dict:
    """The validated pstats dict from WORKER's JSON reply, wherever the worker ran."""
    if "error" in reply:
        raise ProfileError(
            f"not pstats data (marshal: {reply['error']})",
            path,
            hint="write it with cProfile.Profile().dump_stats(path) after disable()",
        )
    data: dict = {}
    for k, v in reply.get("rows", []):
        if k is None or v is None:
            raise ProfileError("marshal data is not a pstats dict (unexpected entry)", path)
        callers = v[4]
        data[tuple(k)] = (
            *v[:4],
            None
            if callers is None
            else {tuple(ck): (tuple(cv) if isinstance(cv, list) else cv) for ck, cv in callers},
        )
    return validate(data, path)


def display_name(file: str, line: int, name: str) -> str:
    """The name pstats prints: builtins' <...> becomes {...} (pstats.func_std_string)."""
    if file == "~" and line == 0 and name.startswith("<") and name.endswith(">"):
        return "{" + name[1:-1] + "}"
    return name


def _ns(seconds: float) -> int:
    return round(seconds * 1e9)


def _counts(v: tuple, swapped: bool) -> tuple[int | None, int | None]:
    cc, nc = v[0], v[1]
    if swapped:  # yappi writes the callers order at top level
        cc, nc = nc, cc
    return (None if nc < 0 else nc), (None if cc < 0 else cc)


def to_profile(stats: dict, path: str | Path, clock: str = "wall") -> schema.Profile:
    """Build the tables from a validated pstats dict."""
    pure_python = any(not isinstance(cv, tuple) for v in stats.values() for cv in v[4].values())
    profiler = "profile" if pure_python else "cprofile"
    swapped = any(v[0] > v[1] >= 0 for v in stats.values())
    keys = list(stats)
    total_tt = sum(v[2] for v in stats.values())
    denom = total_tt or 1.0
    names = [display_name(*k) for k in keys]
    files = [k[0] for k in keys]
    counts = [_counts(stats[k], swapped) for k in keys]
    functions = schema.frame(
        {
            "language": ["python"] * len(keys),
            "profiler": [profiler] * len(keys),
            "kind": ["tracing"] * len(keys),
            "clock": [clock] * len(keys),
            "function": names,
            "file": files,
            "line": [k[1] or pd.NA for k in keys],
            "key": [schema.python_key(n) for n in names],
            "category": [schema.python_category(n, f) for n, f in zip(names, files, strict=True)],
            "flat_ns": [_ns(stats[k][2]) for k in keys],
            "cum_ns": [_ns(stats[k][3]) for k in keys],
            "flat_pct": [stats[k][2] / denom * 100 for k in keys],
            "cum_pct": [stats[k][3] / denom * 100 for k in keys],
            "flat_samples": [pd.NA] * len(keys),
            "cum_samples": [pd.NA] * len(keys),
            "calls": [c[0] if c[0] is not None else pd.NA for c in counts],
            "primitive_calls": [c[1] if c[1] is not None else pd.NA for c in counts],
        },
        schema.FUNCTION_COLUMNS,
    )
    edges = _edges(stats)
    meta = schema.ProfileMeta(
        file=str(path),
        language="python",
        profiler=profiler,
        kind="tracing",
        clock=clock,
        sample_type=f"{clock}/nanoseconds",
        total_ns=_ns(total_tt),
        total_value=_ns(total_tt),
        samples=None,
        total_calls=sum(c[0] or 0 for c in counts),
        primitive_calls=sum(c[1] or 0 for c in counts),
    )
    if swapped:
        meta.notes.append("call counts were stored in callers order (yappi); swapped back")
    return schema.Profile(meta=meta, functions=functions, edges=edges)


def _edges(stats: dict) -> pd.DataFrame:
    rows = []
    for callee, v in stats.items():
        for caller, cv in v[4].items():
            if isinstance(cv, tuple):
                nc, cc, tt, ct = cv
                rows.append((caller, callee, nc, cc, _ns(tt), _ns(ct)))
            else:
                rows.append((caller, callee, cv, pd.NA, pd.NA, pd.NA))
    return schema.frame(
        {
            "caller": [display_name(*r[0]) for r in rows],
            "caller_file": [r[0][0] for r in rows],
            "caller_line": [r[0][1] or pd.NA for r in rows],
            "callee": [display_name(*r[1]) for r in rows],
            "callee_file": [r[1][0] for r in rows],
            "callee_line": [r[1][1] or pd.NA for r in rows],
            "calls": [r[2] for r in rows],
            "primitive_calls": [r[3] for r in rows],
            "flat_ns": [r[4] for r in rows],
            "cum_ns": [r[5] for r in rows],
        },
        schema.EDGE_COLUMNS,
    )
