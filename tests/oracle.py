"""The native tools as oracles: `go tool pprof -top` and `pstats.Stats`.

Tests compare polyprof's tables with what these print for the same file, so
the parsing rules are checked against the tools learners will use themselves.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from polyprof.toolchain import go_binary, go_env

_ROW = re.compile(r"^\s*(-?\d+)(?:ns)?\s+(\S+)\s+(\S+)\s+(-?\d+)(?:ns)?\s+(\S+)\s+(.*?)\s*$")
_SUFFIX = re.compile(r" \((?:partial-)?inline\)$")


def pprof_top(path: Path, *flags: str) -> list[tuple[str, int, int, str, str]]:
    """Rows (name, flat, cum, flat%, cum%) of `go tool pprof -top` with every node kept."""
    out = subprocess.run(
        [
            go_binary(),
            "tool",
            "pprof",
            "-top",
            "-nodefraction=0",
            "-symbolize=none",
            *flags,
            str(path),
        ],
        env=go_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    rows = []
    started = False
    for line in out.splitlines():
        if line.lstrip().startswith("flat"):
            started = True
            continue
        if not started:
            continue
        m = _ROW.match(line)
        assert m, f"unparsed pprof row: {line!r}"
        flat, flat_pct, _sum, cum, cum_pct, name = m.groups()
        rows.append((_SUFFIX.sub("", name), int(flat), int(cum), flat_pct, cum_pct))
    return rows


def pprof_percent(fraction: float) -> str:
    """pprof's measurement.Percentage formatting."""
    pct = fraction * 100
    if 99.95 <= pct <= 100.05:
        return "100%"
    if abs(pct) >= 1:
        return f"{pct:.2f}%"
    return f"{pct:.2g}%"
