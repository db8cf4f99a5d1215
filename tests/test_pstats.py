"""pstats parsing checked against pstats.Stats run in the interpreter that wrote the file."""

from __future__ import annotations

import marshal
import subprocess
import sys
from pathlib import Path

import oracle
import pandas as pd
import pytest

from polyprof import ProfileError, pstats
from polyprof.pstats import display_name

PROGRAM = oracle.PROGRAMS / "pyshapes" / "main.py"
CASES = [(v, mod) for v in oracle.pythons() for mod in ("cProfile", "profile")]


@pytest.fixture(scope="session")
def pstats_files(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """pyshapes profiled by cProfile and by profile on every installed pyenv Python."""
    out = tmp_path_factory.mktemp("pstats")
    files = {}
    for version, python in oracle.pythons().items():
        for module in ("cProfile", "profile"):
            path = out / f"{module}-{version}.prof"
            subprocess.run(
                [python, "-m", module, "-o", path, PROGRAM, "--scale", "5"],
                check=True,
                capture_output=True,
                timeout=120,
            )
            files[version, module] = path
    return files


def _load(path: Path, version: str) -> pstats.schema.Profile:
    """cProfile files load in process on any version; `-m profile` files hold a code object,
    which only the producing interpreter can unmarshal."""
    python = oracle.pythons()[version]
    stats = pstats.load_isolated(path, python=python)
    return pstats.to_profile(stats, path)


@pytest.mark.parametrize(("version", "module"), CASES)
def test_functions_equal_pstats_to_the_nanosecond(pstats_files, version, module):
    path = pstats_files[version, module]
    rows = oracle.pstats_rows(oracle.pythons()[version], path)
    fn = _load(path, version).functions
    ours = {
        (f, 0 if pd.isna(ln) else int(ln), name): (flat, cum, nc, cc)
        for f, ln, name, flat, cum, nc, cc in zip(
            fn["file"],
            fn["line"],
            fn["function"],
            fn["flat_ns"],
            fn["cum_ns"],
            fn["calls"],
            fn["primitive_calls"],
            strict=True,
        )
    }
    theirs = {
        (r["key"][0], r["key"][1], display_name(*r["key"])): (
            round(r["tt"] * 1e9),
            round(r["ct"] * 1e9),
            r["nc"],
            r["cc"],
        )
        for r in rows
    }
    assert ours == theirs
    assert fn["profiler"].iloc[0] == module.lower()


@pytest.mark.parametrize(("version", "module"), CASES)
def test_edges_equal_pstats_callers(pstats_files, version, module):
    path = pstats_files[version, module]
    rows = oracle.pstats_rows(oracle.pythons()[version], path)
    edges = _load(path, version).edges
    ours = {
        (
            e.caller_file,
            0 if pd.isna(e.caller_line) else e.caller_line,
            e.caller,
            e.callee_file,
            0 if pd.isna(e.callee_line) else e.callee_line,
            e.callee,
        ): (
            e.calls,
            None if pd.isna(e.primitive_calls) else e.primitive_calls,
            None if pd.isna(e.flat_ns) else e.flat_ns,
            None if pd.isna(e.cum_ns) else e.cum_ns,
        )
        for e in edges.itertuples()
    }
    theirs = {}
    for r in rows:
        for caller, value in r["callers"]:
            if isinstance(value, list):  # cProfile: (nc, cc, tt, ct), counts swapped
                nc, cc, tt, ct = value
                numbers = (nc, cc, round(tt * 1e9), round(ct * 1e9))
            else:  # profile: a bare call count
                numbers = (value, None, None, None)
            callee = r["key"]
            key = (*caller[:2], display_name(*caller), *callee[:2], display_name(*callee))
            theirs[key] = numbers
    assert ours == theirs
    assert len(ours) == len(edges)


@pytest.mark.parametrize("version", list(oracle.pythons()))
def test_program_shapes_show_up(pstats_files, version):
    fn = _load(pstats_files[version, "cProfile"], version).functions
    by_name = fn.groupby("function")
    fib = fn[fn["function"] == "fib"].iloc[0]
    assert fib["calls"] > fib["primitive_calls"] == 5  # recursion: nc/cc
    assert len(by_name.get_group("run")) == 2  # Square.run and Cube.run: same co_name
    assert fn[fn["function"] == "countdown"].iloc[0]["calls"] == 5 * 51  # each resume is a call
    assert "{built-in method builtins.sorted}" in set(fn["function"])
    assert fn[fn["function"] == "{built-in method builtins.sorted}"].iloc[0]["category"] == (
        "builtin"
    )


def test_isolated_and_trusted_give_the_same_tables(pstats_files):
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    for module in ("cProfile", "profile"):
        path = pstats_files[here, module]
        trusted = pstats.to_profile(pstats.load_trusted(path), path)
        isolated = pstats.to_profile(pstats.load_isolated(path), path)
        pd.testing.assert_frame_equal(trusted.functions, isolated.functions)
        pd.testing.assert_frame_equal(trusted.edges, isolated.edges)


def _code_object() -> bytes:
    return marshal.dumps(compile("x = 1", "<hostile>", "exec"))


HOSTILE = {
    "not-a-dict": marshal.dumps([1, 2, 3]),
    "code-object": _code_object(),
    "dict-of-junk": marshal.dumps({"a": (1, 2)}),
    "bad-callers": marshal.dumps({("f.py", 1, "f"): (1, 1, 0.1, 0.1, {("g.py", 2, "g"): "x"})}),
    "nan-times": marshal.dumps({("f.py", 1, "f"): (1, 1, float("nan"), 0.1, {})}),
    "deep-nesting": b"\xa9\x01" * 200_000 + b"N",  # tuples nested past marshal's limit
    "huge-length": b"\xfb\xa9\xff\xff\xff\x7f",
    "truncated": marshal.dumps({("f.py", 1, "f"): (1, 1, 0.1, 0.1, {})})[:-5],
    "random": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_payloads_give_a_profile_error(tmp_path, name):
    path = tmp_path / f"{name}.prof"
    path.write_bytes(HOSTILE[name])
    with pytest.raises(ProfileError):
        pstats.load_isolated(path)
    with pytest.raises(ProfileError):
        pstats.load_trusted(path)


def test_isolated_reader_survives_a_worker_that_dies(tmp_path):
    """A reader killed by its limits (here: a python that is not there) is a ProfileError."""
    path = tmp_path / "ok.prof"
    path.write_bytes(marshal.dumps({}))
    with pytest.raises(ProfileError):
        pstats.load_isolated(path, python=str(tmp_path / "no-python"))
