"""polyprof's front door: `invoke --list`. Each task parses options and calls the package."""

from __future__ import annotations

import sys

from invoke import task

from polyprof.cli import guarded

# pprof's sample filters, shared by every drill-down task
FILTER_HELP = {
    "focus": "keep only samples with a frame matching this regex (name, file or binary)",
    "ignore": "drop samples with a frame matching this regex",
    "hide": "remove frames matching this regex (their callers become leaves)",
    "show": "keep only frames matching this regex",
    "relative": "percentages of the filtered total instead of the whole profile's",
}


def _filters(focus, ignore, hide, show):
    from polyprof.filter import Filters

    return Filters(focus=focus, ignore=ignore, hide=hide, show=show)


@task(
    help={
        "profile": "a Go pprof file (gzip or raw), a pstats file or py-spy raw output",
        "format": "text (like go tool pprof -top), csv or json",
        "nodecount": "show only the first N rows",
        "sort": "flat (default) or cum",
        "granularity": "functions (default), lines or files (sampling profiles)",
        **FILTER_HELP,
    }
)
def top(
    c,
    profile,
    format="text",
    nodecount=0,
    sort="flat",
    granularity="functions",
    focus=None,
    ignore=None,
    hide=None,
    show=None,
    relative=False,
):
    """Print a profile's functions like `go tool pprof -top`, for pprof and pstats files."""
    from polyprof.cli import guarded_exit

    def body():
        from polyprof.top import run_top  # in here, so pandas imports with the collector off

        options = {"granularity": granularity, "relative": relative}
        options["filters"] = _filters(focus, ignore, hide, show)
        return run_top(
            profile, fmt=format, nodecount=int(nodecount), sort=sort, out=sys.stdout, **options
        )

    guarded_exit("top", body)  # `invoke top` alone ends the process right after its output


@task(
    positional=["regex"],
    help={
        "profile": "a Go pprof file (gzip or raw), a pstats file or py-spy raw output",
        "regex": "show every node whose name this regex finds (unanchored, like pprof)",
        "format": "text (like go tool pprof -peek) or json",
        "granularity": "functions (default), lines or files (sampling profiles)",
        **FILTER_HELP,
    },
)
def peek(
    c,
    profile,
    regex,
    format="text",
    granularity="functions",
    focus=None,
    ignore=None,
    hide=None,
    show=None,
    relative=False,
):
    """Print the callers and callees of matching functions, like `go tool pprof -peek`."""
    from polyprof.peek import run_peek

    options = {"granularity": granularity, "relative": relative}
    options["filters"] = _filters(focus, ignore, hide, show)
    guarded(lambda: run_peek(profile, regex, fmt=format, out=sys.stdout, **options))


@task(
    name="list",
    positional=["regex"],
    help={
        "profile": "a Go pprof file (gzip or raw) or py-spy raw output (recorded without --function)",
        "regex": "list every function whose name this regex finds (unanchored, like pprof)",
        **FILTER_HELP,
    },
)
def list_(c, profile, regex, focus=None, ignore=None, hide=None, show=None, relative=False):
    """Print matching functions' source with flat and cum per line, like `go tool pprof -list`."""
    from polyprof.listing import run_list

    filters = _filters(focus, ignore, hide, show)
    guarded(lambda: run_list(profile, regex, out=sys.stdout, filters=filters, relative=relative))


@task(
    help={
        "base": "the profile to subtract (before): pprof, pstats or py-spy raw output",
        "profile": "the profile to compare (after), of the same kind as --base",
        "format": "text (like go tool pprof -top -diff_base), csv or json",
        "normalize": "scale --profile so its total equals the base's before subtracting",
        "nodecount": "show only the first N rows",
        "sort": "flat (default) or cum, by absolute value",
        "granularity": "functions (default), lines or files (sampling profiles)",
        "sample_index": "the sample type to report, e.g. samples (sampling profiles)",
        "by_name": "match Python functions by name alone, not name and file",
        **{k: v for k, v in FILTER_HELP.items() if k != "relative"},
    }
)
def diff(
    c,
    base,
    profile,
    format="text",
    normalize=False,
    nodecount=0,
    sort="flat",
    granularity="functions",
    sample_index=None,
    by_name=False,
    focus=None,
    ignore=None,
    hide=None,
    show=None,
):
    """Print profile minus base, like `go tool pprof -top -diff_base BASE PROFILE`."""
    from polyprof.diff import run_diff

    options = {"granularity": granularity, "sample_index": sample_index, "by_name": by_name}
    options["filters"] = _filters(focus, ignore, hide, show)
    guarded(
        lambda: run_diff(
            base,
            profile,
            fmt=format,
            normalize=normalize,
            nodecount=int(nodecount),
            sort=sort,
            out=sys.stdout,
            **options,
        )
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


@task(
    help={
        "exercise": "exercise slug (see `invoke exercises`)",
        "submission": "one learner's directory (main.go and/or main.py, optional answers.yaml)",
        "submissions": "a class: one subdirectory per learner",
        "json": "where to write results.json for --submission",
        "workers": "submissions graded in parallel",
        "shard": "K/N: grade only this learner-name shard of the class",
        "no_sandbox": "run without bubblewrap (trusted code only; prints a warning)",
        "scale": "override the exercise's --scale",
        "quick": "use the exercise's quick workload",
        "timeout": "wall-clock seconds per run",
    }
)
def grade(
    c,
    exercise,
    submission=None,
    submissions=None,
    json=None,
    workers=1,
    shard="1/1",
    no_sandbox=False,
    scale=None,
    quick=False,
    timeout=None,
):
    """Build, run and score submissions in a sandbox; writes results/grades/<slug>/."""
    from polyprof.grade import run_grade

    code = guarded(
        lambda: run_grade(
            exercise,
            submission=submission,
            submissions=submissions,
            json_path=json,
            workers=int(workers),
            shard=shard,
            sandbox=not no_sandbox,
            scale=int(scale) if scale else None,
            quick=quick,
            timeout_s=float(timeout) if timeout else None,
        )
    )
    if code:
        raise SystemExit(code)


@task(help={"exercise": "exercise slug", "inputs": "comma-separated shard output dirs"})
def grade_merge(c, exercise, inputs=""):
    """Combine `invoke grade --shard` outputs into results/grades/<slug>/summary.csv."""
    from polyprof.grade import run_merge

    guarded(lambda: run_merge(exercise, inputs))


@task(help={"format": "text (default) or json"})
def exercises(c, format="text"):
    """List every exercise: slug, title, what it teaches, languages, the warnings it shows."""
    from polyprof.catalogue import run_catalogue

    guarded(lambda: run_catalogue(fmt=format, out=sys.stdout))


@task(
    help={
        "exercise": "exercise slug (default: cpu_profiling_pprof_intro); see `invoke exercises`",
        "quick": "a fast, less precise run (fewer rounds, smaller workload)",
    }
)
def compare(c, exercise="cpu_profiling_pprof_intro", quick=False):
    """Run an exercise in Go and Python under every profiler and compare them side by side."""
    from polyprof.compare import run_compare

    guarded(lambda: run_compare(exercise, quick=quick, out=sys.stdout))


@task(
    help={
        "exercise": "exercise slug (default cpu_profiling_pprof_intro)",
        "open": "open the report in your web browser",
    }
)
def report(c, exercise="cpu_profiling_pprof_intro", open=False):
    """Rebuild report.html and the exports from existing results, without rerunning anything."""
    from polyprof.report.command import run_report

    guarded(lambda: run_report(exercise, open_browser=open))


@task(help={"only": "comma-separated benchmark names (default: all), e.g. parsers"})
def bench(c, only=""):
    """Print performance figures with the machine they were measured on (not a test)."""
    from polyprof.bench import render, run_benchmarks

    names = [n for n in only.split(",") if n] or None
    guarded(lambda: sys.stdout.write(render(run_benchmarks(names))))


@task(help={"quick": "skip slow tests (those marked slow)"})
def test(c, quick=False):
    """Run lint and the test suite (the command CI runs)."""
    c.run("ruff check . && ruff format --check .", pty=False)
    marker = " -m 'not slow'" if quick else ""
    c.run(f"{sys.executable} -m pytest{marker}", pty=False)
