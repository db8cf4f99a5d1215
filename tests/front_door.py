"""Running polyprof as a user does: `python -m invoke TASK ...` from the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def invoke(
    *args: str | Path, cwd: Path = REPO, timeout: float = 120
) -> subprocess.CompletedProcess:
    """One task run through Invoke, its output captured and its exit code left to the test."""
    return subprocess.run(
        [sys.executable, "-m", "invoke", *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_line_error(run: subprocess.CompletedProcess, *words: str | Path) -> None:
    """What every bad input must get: exit 2, nothing on stdout, one line on stderr that
    says what (each of `words`), and no traceback."""
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert len(run.stderr.splitlines()) == 1, run.stderr
    assert "Traceback" not in run.stderr
    for word in words:
        assert str(word) in run.stderr, (word, run.stderr)
