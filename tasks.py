"""polyprof's front door: `invoke --list`. Each task parses options and calls the package."""

from __future__ import annotations

import sys

from invoke import task

from polyprof.cli import guarded


@task(
    help={
        "profile": "a Go pprof file (gzip or raw) or a pstats file",
        "format": "text (like go tool pprof -top), csv or json",
        "nodecount": "show only the first N rows",
        "sort": "flat (default) or cum",
    }
)
def top(c, profile, format="text", nodecount=0, sort="flat"):
    """Print a profile's functions like `go tool pprof -top`, for pprof and pstats files."""
    from polyprof.top import run_top

    guarded(lambda: run_top(profile, fmt=format, nodecount=int(nodecount), sort=sort, out=sys.stdout))


@task(help={"quick": "skip slow tests (those marked slow)"})
def test(c, quick=False):
    """Run lint and the test suite (the command CI runs)."""
    c.run("ruff check . && ruff format --check .", pty=False)
    marker = " -m 'not slow'" if quick else ""
    c.run(f"{sys.executable} -m pytest{marker}", pty=False)
