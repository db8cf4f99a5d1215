"""`invoke peek` against its oracles: `go tool pprof -peek`, the folded py-spy stacks
counted independently, and pstats.Stats' callers dicts."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

import oracle
import pytest
from front_door import invoke, one_line_error

from polyprof.filter import Filters
from polyprof.peek import run_peek
from polyprof.pstats import display_name

CORPUS_PPROF = sorted(
    p for p in (oracle.CORPUS / "google-pprof").glob("*.cpu") if "legacy" not in p.name
)
PYSHAPES = oracle.PROGRAMS / "pyshapes" / "main.py"

# (regex, pprof flags, our options): default, lines, filters, relative percentages
CASES = [
    (".", [], {}),
    (r"main|runtime\.m", ["-lines"], {"granularity": "lines"}),
    (".", ["-focus=main", "-hide=runtime"], {"filters": Filters(focus="main", hide="runtime")}),
    (
        "e",
        ["-ignore=isOdd", "-show=main|runtime", "-relative_percentages"],
        {"filters": Filters(ignore="isOdd", show="main|runtime"), "relative": True},
    ),
]
CASE_IDS = ["functions", "lines", "focus-hide", "relative"]


def _peek(path: Path, regex: str, **options) -> str:
    out = io.StringIO()
    run_peek(str(path), regex, out=out, **options)
    return out.getvalue()


@pytest.mark.parametrize(("regex", "flags", "options"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_corpus_text_reads_exactly_like_pprof_peek(path, regex, flags, options):
    ours = oracle.body(_peek(path, regex, **options))
    assert ours == oracle.body(oracle.pprof_report("-peek", regex, *flags, path))


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_corpus_files_granularity_reads_like_pprof(path):
    # pprof's -files also keys on a function's start line, which these old files lack
    ours = oracle.body(_peek(path, ".", granularity="files"))
    assert ours == oracle.body(oracle.pprof_report("-peek", ".", "-files", path))


@pytest.mark.parametrize(("regex", "flags", "options"), CASES, ids=CASE_IDS)
@pytest.mark.parametrize("key", ["a", "b", "merged"])
def test_go_shapes_text_reads_exactly_like_pprof_peek(go_shapes, key, regex, flags, options):
    path = go_shapes[key]
    ours = oracle.body(_peek(path, regex, **options))
    assert ours == oracle.body(oracle.pprof_report("-peek", regex, *flags, path))


_NS = r"(-?\d+)(?:ns)?"
_NODE = re.compile(rf"^\s*{_NS}\s+\S+\s+\S+\s+{_NS}\s+\S+\s+\| (.*)$")
_EDGE = re.compile(rf"^\s*{_NS}\s+\S+ \|   (.*?)(?: \(inline\))?$")


def parse_peek(text: str) -> list[dict]:
    """pprof -peek -unit=ns text as our JSON shape (calls are always null for pprof)."""
    entries = []
    for block in text.split("-" * 58 + "+-------------\n")[2:]:
        before: list[dict] = []
        entry = None
        for line in block.splitlines():
            if m := _NODE.match(line):
                entry = {"function": m[3], "flat_ns": int(m[1]), "cum_ns": int(m[2])}
                entry |= {"callers": before, "callees": []}
                continue
            m = _EDGE.match(line)
            assert m, f"unparsed pprof line: {line!r}"
            edge = {"function": m[2], "weight_ns": int(m[1]), "calls": None}
            (before if entry is None else entry["callees"]).append(edge)
        if entry is not None:
            entries.append(entry)
    return entries


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_corpus_json_numbers_equal_pprof_in_ns(path):
    ours = json.loads(_peek(path, "runtime|main", fmt="json"))
    assert ours == parse_peek(oracle.pprof_report("-peek", "runtime|main", "-unit=ns", path))


@pytest.mark.parametrize("key", ["a", "b", "merged"])
def test_go_shapes_json_numbers_equal_pprof_in_ns(go_shapes, key):
    path = go_shapes[key]
    ours = json.loads(_peek(path, ".", fmt="json"))
    theirs = parse_peek(oracle.pprof_report("-peek", ".", "-unit=ns", path))
    assert ours == theirs
    names = {e["function"] for e in ours}
    assert {"main.isEven", "main.isOdd", "main.square"} <= names


def test_go_shapes_inlined_call_is_marked(go_shapes):
    text = _peek(go_shapes["a"], r"^main\.square$")
    assert "|   main.sumSquares (inline)" in text


# --- py-spy: the folded stacks, counted here without polyprof --------------------------------

_FRAME = re.compile(r"^(?P<name>.*?) \((?P<file>[^()]*?)(?::\d+)?\)$")


def _folded(path: Path) -> Counter:
    """{stack of (name, file), root first: samples}; py-spy keys a function on name and file."""
    stacks: Counter = Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [_FRAME.match(f) for f in stack.split(";") if f]
        stacks[tuple((m["name"], m["file"]) for m in frames)] += int(count)
    return stacks


def test_pyspy_weights_equal_the_folded_stacks(pyspy_lines):
    stacks = _folded(pyspy_lines)
    period = 10_000_000  # py-spy --rate 100
    pairs: Counter = Counter()
    cum: Counter = Counter()
    for stack, count in stacks.items():
        for pair in {(p, c) for p, c in pairwise(stack) if p != c}:
            pairs[pair] += count * period
        for frame in set(stack):
            cum[frame] += count * period
    ours = json.loads(_peek(pyspy_lines, "^(fib|ping|pong|run)$", fmt="json"))
    assert {e["function"] for e in ours} >= {"fib"}
    for entry in ours:
        (me,) = [f for f in cum if f[0] == entry["function"] and f[1].endswith("main.py")]
        assert entry["cum_ns"] == cum[me]
        callers = Counter({p[0]: w for (p, c), w in pairs.items() if c == me})
        callees = Counter({c[0]: w for (p, c), w in pairs.items() if p == me})
        assert Counter({k["function"]: k["weight_ns"] for k in entry["callers"]}) == callers
        assert Counter({k["function"]: k["weight_ns"] for k in entry["callees"]}) == callees
        assert all(k["calls"] is None for k in entry["callers"] + entry["callees"])
        weights = [k["weight_ns"] for k in entry["callees"]]
        assert weights == sorted(weights, reverse=True)


# --- pstats: every caller record, as pstats.Stats holds it ------------------------------------


@pytest.fixture(scope="module")
def cprofile_files(tmp_path_factory) -> dict[str, Path]:
    """pyshapes under cProfile on every installed pyenv Python."""
    out = tmp_path_factory.mktemp("peek-pstats")
    files = {}
    for version, python in oracle.pythons().items():
        files[version] = out / f"cProfile-{version}.prof"
        subprocess.run(
            [python, "-m", "cProfile", "-o", files[version], PYSHAPES, "--scale", "5"],
            check=True,
            capture_output=True,
            timeout=120,
        )
    return files


def _labels(rows: list[dict]) -> dict[tuple, str]:
    """The printed name per pstats key: the name, plus file:line when several share it."""
    names = Counter(display_name(*r["key"]) for r in rows)
    return {
        tuple(r["key"]): display_name(*r["key"])
        if names[display_name(*r["key"])] == 1
        else f"{display_name(*r['key'])} {r['key'][0]}:{r['key'][1]}"
        for r in rows
    }


@pytest.mark.parametrize("version", list(oracle.pythons()))
def test_pstats_edges_equal_pstats_callers(cprofile_files, version):
    rows = oracle.pstats_rows(oracle.pythons()[version], cprofile_files[version])
    label = _labels(rows)
    callers: dict[str, Counter] = {name: Counter() for name in label.values()}
    callees: dict[str, Counter] = {name: Counter() for name in label.values()}
    for r in rows:
        me = label[tuple(r["key"])]
        for caller, (nc, _cc, _tt, ct) in r["callers"]:
            them = label[tuple(caller)]
            callers[me][them, round(ct * 1e9), nc] += 1
            callees[them][me, round(ct * 1e9), nc] += 1
    ours = json.loads(_peek(cprofile_files[version], ".", fmt="json"))
    assert {e["function"] for e in ours} == set(label.values())
    for e in ours:
        assert (
            Counter((k["function"], k["weight_ns"], k["calls"]) for k in e["callers"])
            == (callers[e["function"]])
        )
        assert (
            Counter((k["function"], k["weight_ns"], k["calls"]) for k in e["callees"])
            == (callees[e["function"]])
        )
    fib = next(e for e in ours if e["function"] == "fib")
    assert {k["function"] for k in fib["callers"]} == {"fib", "main"}


def test_pstats_text_has_a_calls_column(cprofile_files):
    text = _peek(next(iter(cprofile_files.values())), "^fib$")
    lines = text.splitlines()
    node = next(ln for ln in lines if ln.endswith("| fib") and "/" in ln.split("|")[0])
    assert re.search(r" \d+/5 +\|", node)  # nc/cc: five outer calls, recursion inside
    assert any(re.search(r"\s5 \|   main$", ln) for ln in lines)
    assert len({ln.index("|") for ln in lines if "|" in ln}) == 1  # one bar column


def test_profile_module_edges_have_counts_but_no_time(tmp_path):
    path = tmp_path / "profile.prof"
    subprocess.run(
        [sys.executable, "-m", "profile", "-o", path, PYSHAPES, "--scale", "2"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    (fib,) = json.loads(_peek(path, "^fib$", fmt="json"))
    assert {(k["function"], k["weight_ns"]) for k in fib["callers"]} == {
        ("fib", None),
        ("main", None),
    }
    assert next(k["calls"] for k in fib["callers"] if k["function"] == "main") == 2


# --- the front door ---------------------------------------------------------------------------


def test_front_door_prints_pprof_peek():
    run = invoke("peek", "--profile", CORPUS_PPROF[-1], r"runtime\.main")
    assert run.returncode == 0, run.stderr
    assert "| runtime.main" in run.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--profile", CORPUS_PPROF[-1], "no-such-function"], "no function matches"),
        (["--profile", CORPUS_PPROF[-1], "("], "not a valid regular expression"),
    ],
    ids=["no-match", "bad-regex"],
)
def test_front_door_errors_are_one_line(args, says):
    one_line_error(invoke("peek", *args), says)


def test_front_door_pstats_lines_is_one_line(cprofile_files):
    path = next(iter(cprofile_files.values()))
    run = invoke("peek", "--profile", path, "fib", "--granularity", "lines")
    one_line_error(run, "needs a sampling profile")
