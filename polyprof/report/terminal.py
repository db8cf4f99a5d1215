"""The compare report as aligned plain text for a terminal."""

from __future__ import annotations

from pathlib import Path

from . import tables


def grid(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), "  ".join("-" * w for w in widths)]
    lines += [fmt.format(*row) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def render(summary: dict, folder: Path | None = None) -> str:
    out = [f"== {summary['title']} ({summary['exercise']}) =="]
    if summary.get("quick"):
        out.append("QUICK RUN: fewer rounds and a smaller workload; figures are less precise.")
    out += ["", "Profiles", grid(*tables.profiles_table(summary))]
    out += ["", "Matched functions (flat% [95% sampling interval], cum%)"]
    header, rows = tables.matches_table(summary)
    out.append(grid(header, rows) if rows else "(no user function matched across languages)")
    out += ["", tables.ranking_line(summary)]
    for line in tables.unmatched_lines(summary):
        out.append(f"  unmatched {line}")
    out += ["", "Sampling stability"]
    out += [f"  {line}" for line in tables.stability_lines(summary)]
    out += ["", "Profiler overhead (profiled / plain wall time, start-up excluded)"]
    out.append(grid(*tables.overhead_table(summary)))
    fixed = tables.before_after_tables(summary)
    if fixed:
        out += ["", "Before/after the fix (same workload; profiles merged over the rounds)"]
    for title, (header, rows) in fixed:
        out += [f"  {title}"] + ([grid(header, rows)] if rows else [])
    warnings = summary.get("warnings") or []
    out += ["", "Warnings" if warnings else "Warnings: none"]
    out += [f"  [{w['code']}] {w['language']} {w['profiler']}: {w['message']}" for w in warnings]
    t = summary.get("timing") or {}
    if t:
        out += [
            "",
            f"Took {t['total_s']:.1f} s ({t['programs_s']:.1f} s running programs, "
            f"{t['build_s']:.1f} s building, {t['polyprof_s']:.2f} s polyprof itself).",
        ]
    if folder is not None:
        out.append(f"Results: {folder}")
    return "\n".join(out) + "\n"
