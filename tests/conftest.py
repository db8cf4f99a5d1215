"""Real profiles shared by several suites, each built once per session by running a program."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import oracle
import pytest

from polyprof.toolchain import go_binary, go_env

PYSPY_RAW = ("py-spy", "record", "--format", "raw", "--rate", "100")


@pytest.fixture(scope="session")
def go_shapes(tmp_path_factory) -> dict[str, Path]:
    """Two real profiles of tests/programs/goshapes and pprof's merge of them."""
    out = tmp_path_factory.mktemp("goshapes")
    binary = oracle.build_go("goshapes", out)
    files = {}
    for name, ms in (("a", 1500), ("b", 300)):
        files[name] = out / f"{name}.pprof"
        subprocess.run(
            [binary, "-cpuprofile", files[name], "-ms", str(ms)], check=True, timeout=120
        )
    files["merged"] = out / "merged.pb.gz"
    with files["merged"].open("wb") as fh:
        subprocess.run(
            [go_binary(), "tool", "pprof", "-proto", files["a"], files["b"]],
            env=go_env(),
            stdout=fh,
            check=True,
            timeout=120,
        )
    return files


@pytest.fixture(scope="session")
def pyspy_lines(tmp_path_factory) -> Path:
    """py-spy raw output of tests/programs/pyshapes without --function: frames carry the
    line being executed, so line granularity has something to show."""
    out = tmp_path_factory.mktemp("pyspy-lines") / "lines.txt"
    program = oracle.PROGRAMS / "pyshapes" / "main.py"
    subprocess.run(
        [*PYSPY_RAW, "-o", out, "--", sys.executable, program, "--scale", "8000"],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out
