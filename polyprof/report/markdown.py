"""The compare report as Markdown (results/<slug>/report.md)."""

from __future__ import annotations

from . import tables


def _table(header: list[str], rows: list[list[str]]) -> str:
    def esc(cell: str) -> str:
        return str(cell).replace("|", "\\|")

    lines = ["| " + " | ".join(esc(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def render(summary: dict) -> str:
    out = [f"# {summary['title']}", "", f"Exercise `{summary['exercise']}`."]
    if summary.get("quick"):
        out += ["", "> Quick run: fewer rounds and a smaller workload; figures are less precise."]
    out += ["", "## Profiles", "", _table(*tables.profiles_table(summary))]
    out += [
        "",
        "## Matched functions",
        "",
        "flat% with its 95% sampling interval for samplers; cum% of the profile total.",
        "",
    ]
    header, rows = tables.matches_table(summary)
    out.append(_table(header, rows) if rows else "No user function matched across languages.")
    out += ["", tables.ranking_line(summary), ""]
    out += [f"- unmatched {line}" for line in tables.unmatched_lines(summary)]
    out += ["", "## Sampling stability", ""]
    out += [f"- {line}" for line in tables.stability_lines(summary)]
    out += [
        "",
        "## Profiler overhead",
        "",
        "Profiled over plain wall time of the same workload, interleaved rounds, start-up "
        "runs subtracted; 95% bootstrap CI.",
        "",
        _table(*tables.overhead_table(summary)),
    ]
    fixed = tables.before_after_tables(summary)
    if fixed:
        out += ["", "## Before/after the fix", ""]
        out += ["The fix on the same workload; flat and cum of the merged profiles, by name.", ""]
    for title, (header, rows) in fixed:
        out += [f"**{title}**", ""] + ([_table(header, rows), ""] if rows else [])
    out += ["", "## Warnings", ""]
    warnings = summary.get("warnings") or []
    out += [
        f"- **{w['code']}** ({w['language']} {w['profiler']}): {w['message']}" for w in warnings
    ]
    if not warnings:
        out.append("None.")
    m, v = summary.get("machine") or {}, summary.get("versions") or {}
    out += [
        "",
        "## Machine",
        "",
        f"{m.get('nproc')} CPUs, {m.get('cpu')}; Go {v.get('go')}, Python {v.get('python')}, "
        f"py-spy {v.get('py-spy')}.",
    ]
    return "\n".join(out) + "\n"
