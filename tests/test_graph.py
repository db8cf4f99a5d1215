"""`--granularity lines|files` checked against `go tool pprof -lines` / `-files` and raw py-spy."""

from __future__ import annotations

import gzip
import io
import subprocess
import sys
from collections import Counter
from pathlib import Path

import oracle
import pytest
from front_door import invoke, one_line_error

from polyprof import load_profile
from polyprof.graph import Graph
from polyprof.proto import messages
from polyprof.top import run_top
from polyprof.view import view

CORPUS_PPROF = sorted(
    p for p in (oracle.CORPUS / "google-pprof").glob("*.cpu") if "legacy" not in p.name
)


def _text(path: Path, **options) -> list[str]:
    out = io.StringIO()
    run_top(str(path), out=out, **options)
    return oracle.body(out.getvalue())


def _rows(table, column_flat: str, column_cum: str) -> dict[str, tuple[int, int]]:
    return {
        label: (int(f), int(c))
        for label, f, c in zip(table["label"], table[column_flat], table[column_cum], strict=True)
    }


def _lines_match_pprof(path: Path) -> None:
    shown, _ = view(load_profile(path), "lines")
    fn = shown.functions
    counts = oracle.pprof_top("-lines", "-sample_index=samples", path)
    assert {r[0]: (r[1], r[2]) for r in counts} == _rows(fn, "flat_samples", "cum_samples")
    in_ns = oracle.pprof_top("-lines", "-unit=ns", path)
    assert {r[0]: (r[1], r[2]) for r in in_ns} == _rows(fn, "flat_ns", "cum_ns")
    assert _text(path, granularity="lines") == oracle.body(oracle.pprof_text("-lines", path))


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_lines_match_pprof_on_the_corpus(path):
    _lines_match_pprof(path)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["a", "merged"])
def test_lines_match_pprof_on_real_go_programs(go_shapes, name):
    _lines_match_pprof(go_shapes[name])


def test_line_rows_hold_the_sample_line_not_the_first_line(go_shapes):
    shown, _ = view(load_profile(go_shapes["a"]), "lines")
    fn = shown.functions
    labels = fn["label"].tolist()
    assert all(
        lab.endswith(f"{f}:{ln}") for lab, f, ln in zip(labels, fn["file"], fn["line"], strict=True)
    )
    square = fn[fn["function"] == "main.square"]
    start = int(
        load_profile(go_shapes["a"]).functions.set_index("function").at["main.square", "line"]
    )
    assert (square["line"] >= start).all() and (square["line"] > start).any()


def _renamed_to_files(path: Path, out: Path) -> Path:
    """The profile with every function renamed to its file: pprof's per-function report of
    it is an exact per-file report (one node per file, cum once per sample)."""
    data = path.read_bytes()
    raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    prof = messages()["Profile"]()
    prof.ParseFromString(raw)
    for fn in prof.function:
        fn.name = fn.filename
        fn.start_line = 0
    out.write_bytes(prof.SerializeToString())
    return out


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_files_are_one_row_per_file_with_exact_cum(path, tmp_path):
    shown, _ = view(load_profile(path), "files")
    fn = shown.functions
    assert fn["label"].is_unique
    renamed = _renamed_to_files(path, tmp_path / "by-file.pb")
    expected = {r[0]: (r[1], r[2]) for r in oracle.pprof_top("-sample_index=samples", renamed)}
    ours = _rows(fn, "flat_samples", "cum_samples")
    assert {oracle.strip_inline(k): v for k, v in expected.items()} == ours
    # pprof's own -files rows, one per (file, start line), add up to the same flat per file
    flat_by_file: Counter[str] = Counter()
    for name, flat, *_ in oracle.pprof_top("-files", "-sample_index=samples", path):
        flat_by_file[name] += flat
    assert dict(flat_by_file) == {k: v[0] for k, v in ours.items() if v[0] or k in flat_by_file}


def _independent_leaf_counts(text: str) -> tuple[Counter, Counter]:
    """Per (name, file:line) frame: samples where it is the leaf, and where it appears."""
    flat: Counter[str] = Counter()
    cum: Counter[str] = Counter()
    for line in text.splitlines():
        stack, count = line.rsplit(" ", 1)
        frames = [f for f in stack.split(";") if f]
        if not frames:  # py-spy writes a sample it could not unwind as an empty stack
            continue
        flat[frames[-1]] += int(count)
        for frame in set(frames):
            cum[frame] += int(count)
    return flat, cum


@pytest.mark.slow
def test_pyspy_lines_follow_the_raw_frames(pyspy_lines):
    flat, cum = _independent_leaf_counts(pyspy_lines.read_text())
    shown, _ = view(load_profile(pyspy_lines), "lines")
    fn = shown.functions

    def raw_name(name: str, file: str, line: int) -> str:
        return f"{name} ({file}:{line})"

    ours = {
        raw_name(n, f, ln): (fs, cs)
        for n, f, ln, fs, cs in zip(
            fn["function"],
            fn["file"],
            fn["line"],
            fn["flat_samples"],
            fn["cum_samples"],
            strict=True,
        )
    }
    assert ours == {k: (flat[k], cum[k]) for k in cum}
    assert len(fn) > len(load_profile(pyspy_lines).functions)  # several lines per function


@pytest.mark.slow
def test_pyspy_functions_gather_their_lines(pyspy_lines):
    """Without --function, py-spy's frames move within a function; a function is one row."""
    prof = load_profile(pyspy_lines)
    fn = prof.functions
    assert not fn.duplicated(["function", "file"]).any()
    lines, _ = view(prof, "lines")
    per_function = lines.functions.groupby(["function", "file"])["flat_samples"].sum()
    ours = fn.set_index(["function", "file"])["flat_samples"]
    assert sorted(per_function.index) == sorted(ours.index)
    assert (per_function == ours.reindex(per_function.index)).all()


def test_graph_weights_add_up_to_the_total(go_shapes):
    prof = load_profile(go_shapes["a"])
    for granularity in ("functions", "lines", "files"):
        g = Graph(prof.samples, granularity)
        flat, _ = g.weights(prof.samples.index)
        assert flat.sum() == prof.meta.total_value


@pytest.mark.parametrize("granularity", ["lines", "files"])
def test_pstats_refuses_line_and_file_granularity_in_one_line(tmp_path, granularity):
    stats = tmp_path / "p.pstats"
    script = tmp_path / "work.py"
    script.write_text("print(sum(range(10)))\n")
    subprocess.run(
        [sys.executable, "-m", "cProfile", "-o", stats, script],
        check=True,
        capture_output=True,
        timeout=60,
    )
    run = invoke("top", "--profile", stats, "--granularity", granularity, timeout=60)
    one_line_error(run, "sampling profile", stats)


def test_unknown_granularity_is_one_line():
    run = invoke("top", "--profile", CORPUS_PPROF[0], "--granularity", "x", timeout=60)
    one_line_error(run, "--granularity must be one of")
