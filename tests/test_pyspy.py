"""py-spy folded output checked against counting the folded file independently."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import oracle
import pytest

from polyprof import load_profile


@pytest.fixture(scope="session")
def pyspy_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pyspy") / "out.txt"
    program = oracle.PROGRAMS / "pyshapes" / "main.py"
    record = ["py-spy", "record", "--format", "raw", "--function", "--rate", "100", "-o", out]
    subprocess.run(
        [*record, "--", sys.executable, program, "--scale", "8000"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out


def _count(text: str) -> tuple[Counter, Counter, int]:
    """flat and cum per frame text and the sample total (empty stacks included), written
    from the format description, not from the parser."""
    flat: Counter = Counter()
    cum: Counter = Counter()
    total = 0
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if f]
        total += int(count)
        if frames:
            flat[frames[-1]] += int(count)
        for frame in set(frames):
            cum[frame] += int(count)
    return flat, cum, total


@pytest.mark.slow
def test_counts_equal_an_independent_count(pyspy_file):
    flat, cum, total = _count(pyspy_file.read_text())
    prof = load_profile(pyspy_file)
    fn = prof.functions
    assert prof.meta.profiler == "py-spy"
    assert total == prof.meta.samples > 10
    # recorded with --function, a function's frames all carry its first line
    frames = [
        f"{n} ({f}:{ln})" for n, f, ln in zip(fn["function"], fn["file"], fn["line"], strict=True)
    ]
    assert dict(zip(frames, fn["flat_samples"], strict=True)) == {f: flat[f] for f in cum}
    assert dict(zip(frames, fn["cum_samples"], strict=True)) == dict(cum)
    assert (fn["flat_ns"] == fn["flat_samples"] * 10_000_000).all()


@pytest.mark.slow
def test_frames_split_into_name_file_and_first_line(pyspy_file):
    fn = load_profile(pyspy_file).functions
    fib = fn[fn["function"] == "fib"].iloc[0]
    assert (fib["file"], fib["line"]) == ("main.py", 11)  # --function: co_firstlineno
    assert {"Square.run", "Cube.run"} <= set(fn["function"])  # qualnames on 3.11+


def test_empty_stack_lines_are_tolerated(tmp_path):
    path = tmp_path / "raw.txt"
    path.write_text("<module> (a.py:1);f (a.py:3) 7\n 2\n<module> (a.py:1) 1\n")
    prof = load_profile(path)
    assert prof.meta.samples == 10
    fn = prof.functions.set_index("function")
    assert fn.loc["f", "flat_samples"] == 7
    assert fn.loc["<module>", "cum_samples"] == 8
