"""`invoke list` against `go tool pprof -top -lines` (per line), `-top` (the function's cum)
and `-list` (whose header over-counts recursion, google/pprof#707), and py-spy's stacks."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import oracle
import pytest
from front_door import invoke, one_line_error

from polyprof.listing import run_list

GO_FUNCTIONS = r"^main\."
_ROUTINE = re.compile(r"^ROUTINE =+ (.*) in (.*)$")
_TOTALS = re.compile(r"^\s*(-?\d+)(?:ns)?\s+(-?\d+)(?:ns)?\s+\(flat, cum\)")


def _list(path: Path, regex: str) -> tuple[str, list]:
    out = io.StringIO()
    found = run_list(str(path), regex, out=out)
    return out.getvalue(), found


def _pprof_list_cums(path: Path) -> dict[str, int]:
    """pprof -list's routine header cum per function: the per-line cums added up."""
    cums = {}
    name = None
    for line in oracle.pprof_report("-list", GO_FUNCTIONS, "-unit=ns", path).splitlines():
        if m := _ROUTINE.match(line):
            name = m[1]
        elif name and (m := _TOTALS.match(line)):
            cums[name] = int(m[2])
            name = None
    return cums


@pytest.mark.parametrize("key", ["a", "b", "merged"])
def test_per_line_numbers_equal_pprof_top_lines(go_shapes, key):
    path = go_shapes[key]
    theirs: dict[str, dict[int, tuple[int, int]]] = {}
    for name, flat, cum, _, _ in oracle.pprof_top("-lines", "-unit=ns", path):
        function, _, place = name.rpartition(" ")
        theirs.setdefault(function, {})[int(place.rpartition(":")[2])] = (flat, cum)
    _, found = _list(path, GO_FUNCTIONS)
    assert {r.function: r.lines for r in found} == {
        f: lines for f, lines in theirs.items() if f.startswith("main.")
    }


@pytest.mark.parametrize("key", ["a", "b", "merged"])
def test_header_cum_is_tops_and_the_707_note_appears_exactly_when_pprof_overcounts(go_shapes, key):
    path = go_shapes[key]
    top = {name: (flat, cum) for name, flat, cum, _, _ in oracle.pprof_top("-unit=ns", path)}
    list_cums = _pprof_list_cums(path)
    text, found = _list(path, GO_FUNCTIONS)
    assert {r.function for r in found} == set(list_cums)
    for r in found:
        assert (r.flat, r.cum) == top[r.function]
        assert r.lines_cum == list_cums[r.function]
        assert r.recursive_overcount == (list_cums[r.function] > top[r.function][1])
    noted = {m[1] for m in re.finditer(r"ROUTINE =+ (\S+) in .*\n.*\n Note: lines add up", text)}
    assert noted == {r.function for r in found if r.recursive_overcount}
    assert {"main.isEven", "main.isOdd"} <= noted  # mutual recursion through two lines each


@pytest.mark.parametrize("key", ["a", "merged"])
def test_text_is_pprof_list_but_for_the_header_cum(go_shapes, key):
    """Same routines, source window and per-line cells as pprof -list; only the routine
    header (true cum) and our #707 note differ."""
    path = go_shapes[key]

    def body(text: str) -> list[str]:
        return [ln for ln in text.splitlines() if not ("(flat, cum)" in ln or ln[:5] == " Note")]

    ours, _ = _list(path, GO_FUNCTIONS)
    assert body(ours) == body(oracle.pprof_report("-list", GO_FUNCTIONS, path))
    assert "func sumSquares(n uint64) uint64 {" in ours


# --- py-spy (raw, without --function: frames carry the running line) --------------------------

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::(?P<line>\d+))?\)$")


def test_pyspy_lines_equal_the_folded_stacks(pyspy_lines, monkeypatch):
    period = 10_000_000  # --rate 100
    flat: Counter = Counter()
    cum: Counter = Counter()
    fib_cum = 0
    for row in pyspy_lines.read_text().splitlines():
        stack, _, count = row.rpartition(" ")
        frames = [_FRAME.match(f) for f in stack.split(";") if f]
        fib = {int(m["line"]) for m in frames if m["name"] == "fib"}
        weight = int(count) * period
        for line in fib:
            cum[line] += weight
        fib_cum += weight if fib else 0
        if frames and frames[-1]["name"] == "fib":
            flat[int(frames[-1]["line"])] += weight
    monkeypatch.chdir(oracle.PROGRAMS / "pyshapes")  # py-spy writes the short name main.py
    text, found = _list(pyspy_lines, r"^fib$")
    (r,) = found
    assert r.lines == {ln: (flat[ln], cum[ln]) for ln in cum}
    assert r.cum == fib_cum
    assert r.recursive_overcount == (sum(cum.values()) > fib_cum)
    assert "def fib(n):" in text and "Source file not found" not in text


def test_missing_source_is_said_once_and_sampled_lines_still_show(
    pyspy_lines, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # main.py is not here nor above
    text, found = _list(pyspy_lines, r"^fib$")
    (r,) = found
    assert text.count("Source file not found: main.py") == 1
    assert "--full-filenames" in text  # why py-spy's file names are short
    shown = {int(m[1]): m[0] for m in re.finditer(r"^\s*\S+\s+\S+\s+(\d+):$", text, re.M)}
    assert set(shown) == set(r.lines)


# --- the front door ---------------------------------------------------------------------------


def test_front_door_lists_a_function(go_shapes):
    run = invoke("list", "--profile", go_shapes["a"], r"^main\.isOdd$")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Total: ")
    assert "ROUTINE ======================== main.isOdd in " in run.stdout


def test_front_door_pstats_is_one_line(tmp_path):
    path = tmp_path / "fib.prof"
    program = oracle.PROGRAMS / "pyshapes" / "main.py"
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", path, program, "--scale", "1"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    one_line_error(invoke("list", "--profile", path, "fib"), "needs a sampling profile")


def test_front_door_no_match_is_one_line(go_shapes):
    run = invoke("list", "--profile", go_shapes["a"], "no-such-function")
    one_line_error(run, "no function matches")
