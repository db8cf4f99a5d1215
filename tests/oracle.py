"""The native tools as oracles: `go tool pprof -top` and `pstats.Stats`.

Tests compare polyprof's tables with what these print for the same file, so
the parsing rules are checked against the tools learners will use themselves.
"""

from __future__ import annotations

import glob
import json
import re
import subprocess
from pathlib import Path

from polyprof.toolchain import go_binary, go_env

PROGRAMS = Path(__file__).parent / "programs"
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

_ROW = re.compile(r"^\s*(-?\d+)(?:ns)?\s+(\S+)\s+(\S+)\s+(-?\d+)(?:ns)?\s+(\S+)\s+(.*?)\s*$")
_SUFFIX = re.compile(r" \((?:partial-)?inline\)$")


def pprof_report(*args: str | Path) -> str:
    """`go tool pprof -symbolize=none ARGS`'s stdout: any report (-top, -peek, -list)."""
    return subprocess.run(
        [go_binary(), "tool", "pprof", "-symbolize=none", *map(str, args)],
        env=go_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout


def pprof_text(*args: str | Path) -> str:
    """`go tool pprof -top` output with every node kept; flags and files in `args`."""
    return pprof_report("-top", "-nodefraction=0", *args)


def body(text: str) -> list[str]:
    """A report's lines from `Duration:` (or `Total samples`, without a duration) down:
    the part polyprof prints exactly as pprof does (its File/Type lines say more)."""
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines) if ln.startswith(("Duration:", "Total samples")))
    return lines[start:]


def pprof_shown(*args: str | Path) -> int:
    """The 'Showing nodes accounting for N' figure (with -sample_index=samples, a count)."""
    m = re.search(r"Showing nodes accounting for (-?\d+),", pprof_text(*args))
    assert m, "pprof printed no 'Showing nodes' line"
    return int(m[1])


def strip_inline(line: str) -> str:
    """pprof's ' (inline)' / ' (partial-inline)' row suffix, which polyprof does not print."""
    return _SUFFIX.sub("", line)


def pprof_top(*args: str | Path) -> list[tuple[str, int, int, str, str]]:
    """Rows (name, flat, cum, flat%, cum%) of `go tool pprof -top`; flags and files in `args`."""
    out = pprof_text(*args)
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


def pythons() -> dict[str, str]:
    """The pyenv interpreters the pstats tests run on, by minor version; missing ones skipped."""
    found = {}
    for minor in ("3.10", "3.11", "3.12", "3.13"):
        hits = sorted(glob.glob(f"/root/.pyenv/versions/{minor}.*/bin/python"))
        if hits:
            found[minor] = hits[-1]
    return found


def build_go(name: str, out_dir: Path) -> Path:
    """Build tests/programs/<name>/main.go with the pinned toolchain (inlining on)."""
    binary = out_dir / name
    subprocess.run(
        [go_binary(), "build", "-o", str(binary), "main.go"],
        cwd=PROGRAMS / name,
        env=go_env(),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return binary


# Runs in the interpreter that wrote the file: pstats.Stats is the reference reader.
_PSTATS_DUMP = r"""
import json, pstats, sys
import re
def key(k):  # a code object's name is its str() without the memory address
    return [k[0], k[1], k[2] if isinstance(k[2], str) else re.sub(" at 0x[0-9a-f]+", "", str(k[2]))]
rows = []
for k, (cc, nc, tt, ct, callers) in pstats.Stats(sys.argv[1]).stats.items():
    rows.append({"key": key(k), "tt": tt, "ct": ct, "nc": nc, "cc": cc,
                 "callers": [[key(ck), list(cv) if isinstance(cv, tuple) else cv]
                             for ck, cv in callers.items()]})
json.dump(rows, sys.stdout)
"""


def pstats_rows(python: str, path: Path) -> list[dict]:
    """pstats.Stats's view of a file, read by `python` (the producing interpreter)."""
    out = subprocess.run(
        [python, "-I", "-c", _PSTATS_DUMP, str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return json.loads(out)
