"""`invoke top` prints what `go tool pprof -top` prints, and exports every column and row."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import oracle
import pandas as pd
import pytest
from front_door import invoke

from polyprof import load_profile, schema
from polyprof.top import percent, run_top

CORPUS_PPROF = sorted(
    p for p in (oracle.CORPUS / "google-pprof").glob("*.cpu") if "legacy" not in p.name
)


def _top(path: Path, **options) -> str:
    out = io.StringIO()
    run_top(str(path), out=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_text_reads_exactly_like_pprof_top(path):
    assert oracle.body(_top(path)) == oracle.body(oracle.pprof_text(path))


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_sort_cum_matches_pprof_cum(path):
    ours = [oracle.strip_inline(ln).split()[-1] for ln in oracle.body(_top(path, sort="cum"))[3:]]
    theirs = [r[0] for r in oracle.pprof_top("-cum", "-unit=ns", path)]
    assert ours == theirs


def test_nodecount_keeps_the_first_rows_and_says_so():
    path = CORPUS_PPROF[0]
    full = _top(path).splitlines()
    short = _top(path, nodecount=3).splitlines()
    assert any(ln.startswith("Showing top 3 nodes out of") for ln in short)
    assert short[-3:] == full[full.index(short[-4]) + 1 :][:3]


@pytest.mark.parametrize("path", CORPUS_PPROF, ids=lambda p: p.name)
def test_csv_and_json_carry_every_column_and_row(path):
    n = len(load_profile(path).functions)
    table = pd.read_csv(io.StringIO(_top(path, fmt="csv")))
    assert list(table.columns[: len(schema.FUNCTION_COLUMNS)]) == list(schema.FUNCTION_COLUMNS)
    assert len(table) == n
    doc = json.loads(_top(path, fmt="json"))
    assert len(doc["functions"]) == n
    assert set(schema.FUNCTION_COLUMNS) <= set(doc["functions"][0])
    assert doc["meta"]["samples"] == load_profile(path).meta.samples
    assert len(pd.read_csv(io.StringIO(_top(path, fmt="csv", nodecount=5)))) == 5


def test_csv_is_what_pandas_writes():
    prof_path = CORPUS_PPROF[0]
    from polyprof.top import export_columns, ordered

    expected = export_columns(ordered(load_profile(prof_path))).to_csv(index=False)
    assert _top(prof_path, fmt="csv") == expected


def test_pstats_text_has_a_calls_column(tmp_path):
    path = tmp_path / "fib.prof"
    code = "import cProfile\nfib = lambda n: n if n < 2 else fib(n - 1) + fib(n - 2)\n"
    code += f"cProfile.run('fib(12)', {str(path)!r})\n"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    lines = _top(path).splitlines()
    header = next(ln for ln in lines if ln.lstrip().startswith("flat"))
    assert header.split()[-1] == "calls"
    assert any("465/1" in ln and "<lambda>" in ln for ln in lines)


def test_percent_strings_are_pprofs():
    assert [percent(v) for v in (100.0, 99.96, 37.2449, 0.5102, 0.0)] == [
        "  100%",
        "  100%",
        "37.24%",
        " 0.51%",
        "    0%",
    ]


def test_front_door_prints_the_table(tmp_path):
    path = tmp_path / "sample.cpu"
    path.write_bytes(gzip.decompress(CORPUS_PPROF[-1].read_bytes()))  # raw proto, odd name
    run = invoke("top", "--profile", path, "--nodecount", "2", timeout=60)
    assert run.returncode == 0, run.stderr
    assert "flat  flat%   sum%        cum   cum%" in run.stdout
