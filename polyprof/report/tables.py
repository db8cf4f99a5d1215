"""The report's tables as plain rows, shared by every text renderer.

Renderers differ only in how they draw a table (aligned text, Markdown), so
what goes in each cell is decided once, here, from summary.json alone.
"""

from __future__ import annotations

PROFILER_TITLES = {
    "pprof": "Go pprof",
    "py-spy": "py-spy",
    "cprofile": "cProfile",
    "cprofile-cpu": "cProfile (CPU clock)",
}
PREFIXES = (
    ("go", "Go pprof"),
    ("pyspy", "py-spy"),
    ("cprofile", "cProfile"),
    ("cprofile_cpu", "cProfile cpu"),
)


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def with_ci(value: float | None, ci: list | None) -> str:
    if value is None:
        return "-"
    if not ci or ci[0] is None:
        return f"{value:.1f}"
    return f"{value:.1f} [{ci[0]:.1f}, {ci[1]:.1f}]"


def matches_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    rows = summary.get("matches") or []
    present = [(p, t) for p, t in PREFIXES if any(f"{p}_flat_pct" in r for r in rows)]
    header = ["key", "Go function", "Python function"]
    for _, title in present:
        header += [f"{title} flat%", f"{title} cum%"]
    if any("cprofile_calls" in r for r in rows):
        header.append("calls")
    body = []
    for r in rows:
        line = [r["key"], r["go_function"], r.get("python_function") or "-"]
        for p, _ in present:
            line += [
                with_ci(r.get(f"{p}_flat_pct"), r.get(f"{p}_flat_ci95")),
                pct(r.get(f"{p}_cum_pct")),
            ]
        if "calls" in header:
            calls = r.get("cprofile_calls")
            line.append("-" if calls is None else f"{calls:,}")
        body.append(line)
    return header, body


def overhead_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    header = [
        "language",
        "profiler",
        "slowdown",
        "95% CI",
        "CPU ratio",
        "plain s",
        "profiled s",
        "runs",
    ]
    body = []
    for r in summary.get("overhead") or []:
        ratio, ci = r.get("ratio"), r.get("ci95") or [None, None]
        body.append(
            [
                r["language"],
                PROFILER_TITLES.get(r["profiler"], r["profiler"]),
                "-" if ratio is None else f"{ratio:.3f}x",
                "-" if ci[0] is None else f"[{ci[0]:.3f}, {ci[1]:.3f}]",
                "-" if r.get("cpu_ratio") is None else f"{r['cpu_ratio']:.3f}x",
                f"{r['plain_median_s']:.3f}",
                f"{r['profiled_median_s']:.3f}",
                str(r["runs"]),
            ]
        )
    return header, body


def profiles_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    header = ["profile", "kind", "clock", "samples", "calls", "duration s", "runs merged", "file"]
    body = []
    for p in summary.get("profiles") or []:
        body.append(
            [
                f"{p['language']} {PROFILER_TITLES.get(p['profiler'], p['profiler'])}",
                p["kind"],
                p["clock"],
                "-" if p.get("samples") is None else f"{p['samples']:,}",
                "-" if p.get("calls") is None else f"{p['calls']:,}",
                f"{p['duration_s']:.2f}",
                str(p.get("merged_runs", 1)),
                p["file"],
            ]
        )
    return header, body


def ranking_line(summary: dict) -> str:
    r = summary.get("ranking") or {}
    if not r.get("n"):
        return "No user function appears in both languages."
    agree = "agree" if r.get("same_top") else "DISAGREE"
    rho = r.get("spearman")
    corr = (
        f"; Spearman rank correlation {rho:.2f} over {r['n']} matched functions"
        if rho is not None
        else ""
    )
    return f"Hottest function: Go {r['go_top']}, Python {r['python_top']} ({agree}){corr}."


def unmatched_lines(summary: dict) -> list[str]:
    lines = []
    for profiler, groups in (summary.get("unmatched") or {}).items():
        for cat, g in groups.items():
            if cat == "user" and not g["functions"]:
                continue
            names = ", ".join(t["function"] for t in g["top"][:3])
            title = PROFILER_TITLES.get(profiler, profiler)
            lines.append(
                f"{title} {cat}: {g['functions']} functions, {g['flat_pct']:.1f}% flat ({names})"
            )
    return lines


def stability_lines(summary: dict) -> list[str]:
    """Each sampler's per-round winners, and the samples its top two need to stay in order."""
    counts: dict[tuple[str, str], dict[str, list[int]]] = {}
    for row in summary.get("stability") or []:
        per = counts.setdefault((row["language"], row["profiler"]), {})
        per.setdefault(row["top"], []).append(row["samples"] or 0)
    lines = []
    for (_, profiler), tops in counts.items():
        rounds = sum(len(v) for v in tops.values())
        median = sorted(s for v in tops.values() for s in v)[rounds // 2]
        winners = ", ".join(
            f"{name} x{len(v)}" for name, v in sorted(tops.items(), key=lambda kv: -len(kv[1]))
        )
        verdict = "the top flips between rounds" if len(tops) > 1 else "the same top every round"
        title = PROFILER_TITLES.get(profiler, profiler)
        lines.append(f"{title} per round (~{median} samples each): {winners}: {verdict}.")
    for o in summary.get("ordering") or []:
        need = o.get("samples_needed")
        title = PROFILER_TITLES.get(o["profiler"], o["profiler"])
        if need is None:
            lines.append(
                f"{title}: {o['first']} and {o['second']} tie; no sample count orders them."
            )
            continue
        enough = "enough" if (o["samples"] or 0) >= need else "NOT enough"
        lines.append(
            f"{title}: {o['first']} {o['first_pct']:.1f}% vs {o['second']} {o['second_pct']:.1f}% "
            f"needs ~{need:,} samples to keep that order at 95%; merged profile has "
            f"{o['samples']:,} ({enough})."
        )
    return lines


def _seconds(ns: int) -> str:
    from ..top import duration

    return duration(ns)


def _signed(ns: int) -> str:
    return ("+" if ns > 0 else "") + _seconds(ns)


def before_after_tables(summary: dict) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    """Per language: a title line (speedup, totals, diff file) and the functions that moved."""
    out = []
    for language, s in (summary.get("before_after") or {}).items():
        title = f"{language} ({PROFILER_TITLES.get(s['profiler'], s['profiler'])})"
        sp = s.get("speedup")
        if sp:
            title += (
                f": {sp['ratio']:.2f}x faster [95% CI {sp['low']:.2f}, {sp['high']:.2f}], "
                f"median wall {sp['reference_median_s']:.3f} s -> {sp['submission_median_s']:.3f} s"
            )
        if not s.get("diff_file"):
            out.append((f"{title}; no profile of the fix to diff", (["function"], [])))
            continue
        title += (
            f"; profile total {_seconds(s['total_before_ns'])} -> {_seconds(s['total_after_ns'])}"
            f" ({s['diff_file']})"
        )
        header = ["function", "flat before", "flat after", "flat delta"]
        header += ["cum before", "cum after", "cum delta"]
        rows = [
            [
                f["function"],
                _seconds(f["before_flat_ns"]),
                _seconds(f["after_flat_ns"]),
                _signed(f["delta_flat_ns"]),
                _seconds(f["before_cum_ns"]),
                _seconds(f["after_cum_ns"]),
                _signed(f["delta_cum_ns"]),
            ]
            for f in s.get("functions", [])
        ]
        out.append((title, (header, rows)))
    return out
