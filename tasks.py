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

    guarded(
        lambda: run_top(profile, fmt=format, nodecount=int(nodecount), sort=sort, out=sys.stdout)
    )


@task(
    help={
        "exercise": "exercise slug (default cpu_profiling_pprof_intro)",
        "live": "run a quick compare first, then ask about your own profile",
        "review": "ask first the questions you last got wrong",
        "answers": "grade this YAML file of question_id: answer, without asking",
        "json": "with --answers: write {score, max_score, questions} here",
        "export": "write an answers template (every id, the question as a comment)",
        "with_answers": "with --export: fill in the model answers",
    }
)
def practice(
    c,
    exercise="cpu_profiling_pprof_intro",
    live=False,
    review=False,
    answers=None,
    json=None,
    export=None,
    with_answers=False,
):
    """Drill the interview questions, graded by meaning (or grade/export an answers file)."""
    from polyprof.practice.command import run_practice

    options = {"use_live": live, "review": review, "answers": answers, "json_out": json}
    options |= {"export": export, "with_answers": with_answers}
    code = guarded(lambda: run_practice(exercise, **options))
    if code:
        raise SystemExit(code)


@task(help={"quick": "skip slow tests (those marked slow)"})
def test(c, quick=False):
    """Run lint and the test suite (the command CI runs)."""
    c.run("ruff check . && ruff format --check .", pty=False)
    marker = " -m 'not slow'" if quick else ""
    c.run(f"{sys.executable} -m pytest{marker}", pty=False)
