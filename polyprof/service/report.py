"""The live-service report: the usual profile tables, then profiling on against off."""

from __future__ import annotations

from pathlib import Path

from ..report import tables
from ..report.terminal import grid


def _ratio(value: float | None, ci: list | None) -> str:
    if value is None:
        return "-"
    if not ci or ci[0] is None:
        return f"{value:.3f}"
    return f"{value:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]"


def service_table(summary: dict) -> tuple[list[str], list[list[str]]]:
    header = [
        "language",
        "profiler",
        "req/s off",
        "req/s on",
        "throughput on/off [95% CI]",
        "p50 ms off/on",
        "p50 on/off [95% CI]",
        "p99 on/off [95% CI]",
        "CPU/req on/off",
        "windows",
    ]
    body = []
    for r in summary.get("service") or []:
        cpu = r.get("cpu_per_request_ratio")
        body.append(
            [
                r["language"],
                tables.PROFILER_TITLES.get(r["profiler"], r["profiler"]),
                f"{r['throughput_off']:.0f}",
                f"{r['throughput_on']:.0f}",
                _ratio(r["throughput_ratio"], r["ci95"]),
                f"{r['p50_ms_off']:.2f}/{r['p50_ms_on']:.2f}",
                _ratio(r["p50_ratio"], r["p50_ci95"]),
                _ratio(r["p99_ratio"], r["p99_ci95"]),
                "-" if cpu is None else f"{cpu:.2f}",
                str(r["windows"]),
            ]
        )
    return header, body


def explanation(summary: dict) -> list[str]:
    w, load = summary.get("workload") or {}, summary.get("load") or {}
    clients = ", ".join(f"{lang} {n}" for lang, n in (w.get("clients") or {}).items())
    lines = [
        f"{w.get('rounds')} interleaved windows per row and per baseline, {w.get('load_s'):.1f} s of "
        f"load each from keep-alive clients {clients}; the profiler samples for "
        f"{w.get('window_s')} s around each 'on' window. Throughput below 1 and latency above 1 "
        "are the profiler's cost.",
    ]
    if load:
        lines.append(
            f"Load generator: {load['generator_cpu_share_median']:.0%} of one core (median "
            f"window; max {load['generator_cpu_share_max']:.0%}), {load['requests']:,} requests, "
            f"{load['errors']} errors."
        )
    return lines


def render(summary: dict, folder: Path | None = None) -> str:
    out = [f"== {summary['title']} ({summary['exercise']}) =="]
    if summary.get("quick"):
        out.append("QUICK RUN: fewer, shorter windows; figures are less precise.")
    out += ["", "Profiles taken from the live services", grid(*tables.profiles_table(summary))]
    out += ["", "Matched functions (flat% [95% sampling interval], cum%)"]
    header, rows = tables.matches_table(summary)
    out.append(grid(header, rows) if rows else "(no user function matched across languages)")
    out += ["", tables.ranking_line(summary)]
    out += ["", "Live service: profiling on vs off"]
    header, rows = service_table(summary)
    out.append(grid(header, rows) if rows else "(no profiler completed a window)")
    out += explanation(summary)
    warnings = summary.get("warnings") or []
    out += ["", "Warnings" if warnings else "Warnings: none"]
    out += [f"  [{w['code']}] {w['language']} {w['profiler']}: {w['message']}" for w in warnings]
    m, t = summary.get("machine") or {}, summary.get("timing") or {}
    out += ["", f"Machine: {m.get('nproc')} CPUs, {m.get('cpu')}."]
    if t:
        out.append(
            f"Took {t['total_s']:.1f} s ({t['programs_s']:.1f} s under load, "
            f"{t['build_s']:.1f} s building, {t['polyprof_s']:.2f} s the rest)."
        )
    if folder is not None:
        out.append(f"Results: {folder}")
    return "\n".join(out) + "\n"


def markdown_section(summary: dict) -> str:
    """report.md's extra section; the table goes in a code block to keep its alignment."""
    header, rows = service_table(summary)
    body = grid(header, rows) if rows else "(no profiler completed a window)"
    text = "\n".join(explanation(summary))
    return f"\n## Live service: profiling on vs off\n\n```\n{body}\n```\n\n{text}\n"
