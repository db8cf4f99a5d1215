"""`report.html`: one self-contained page a learner opens from disk.

Everything the page needs is inside it (plotly's bundle, data, styles, a few
lines of script for sorting), so it works offline and from file://, and a
results folder can be mailed or archived as it is. It reads only the results
folder; the flame graphs come from re-parsing the raw profiles there.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from ..export import write_exports
from ..export.stacks import Frame
from ..publish import write_atomic
from ..schema import python_category, python_key
from .explain import explain
from .flame import UNMATCHED, flame_figure, flame_height, flame_tree, palette
from .results import Results, load_results
from .tables import PREFIXES, PROFILER_TITLES

REPORT = "report.html"
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}
LANGUAGE_COLOURS = {"go": "#00ADD8", "python": "#3776AB"}

_e = html.escape


def _figure_html(fig: go.Figure, div_id: str) -> str:
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id, config=PLOTLY_CONFIG)


# --- flame graphs ---------------------------------------------------------------------


def _colour_rule(
    language: str, matches: list[dict[str, Any]], colours: Mapping[str, str]
) -> Callable[[Frame], str | None]:
    """Which frames take a matched key's colour.

    Go names are unique, so the match's exact name is enough. A Python name is
    not (every file has a `<module>`; site.py has a `main`), so only the user's
    own frames are coloured, by exact name or else by match key, which also
    catches py-spy's qualified names for what cProfile calls by its bare name.
    """
    names = {
        str(m[field]): colours[m["key"]]
        for m in matches
        for field in m
        if field.endswith("_function") and m[field] and field.startswith(language)
    }
    if language == "go":
        return lambda frame: names.get(frame.name)

    def python(frame: Frame) -> str | None:
        if python_category(frame.name, frame.file) != "user":
            return None
        return names.get(frame.name) or colours.get(python_key(frame.name))

    return python


def _legend(matches: list[dict[str, Any]], colours: Mapping[str, str]) -> str:
    chips = [
        f'<span class="chip"><i style="background:{colours[m["key"]]}"></i>'
        f"<b>{_e(m['key'])}</b> {_e(str(m.get('go_function') or '—'))} · "
        f"{_e(str(m.get('python_function') or '—'))}</span>"
        for m in matches
    ]
    chips.append(f'<span class="chip"><i style="background:{UNMATCHED}"></i>not matched</span>')
    return f'<div class="legend">{"".join(chips)}</div>'


def _flames(results: Results, matches: list[dict[str, Any]], colours: Mapping[str, str]) -> str:
    sides = [
        ("go", "pprof", results.go_stacks, "flame-go"),
        ("python", "py-spy", results.pyspy_stacks, "flame-python"),
    ]
    trees = {
        language: flame_tree(stacks, root_label=f"all: {stacks.samples} samples")
        for language, _, stacks, _ in sides
        if stacks is not None
    }
    height = flame_height(*trees.values())
    panels = []
    for language, tool, stacks, div_id in sides:
        if stacks is None:
            panels.append(
                f'<div class="flame missing" id="{div_id}">No {language} {tool} profile in '
                "these results, so no flame graph.</div>"
            )
            continue
        title = f"{stacks.title}: {stacks.samples} samples, {stacks.clock} time"
        rule = _colour_rule(language, matches, colours)
        fig = flame_figure(trees[language], rule, height, title)
        panels.append(f'<div class="flame">{_figure_html(fig, div_id)}</div>')
    return (
        "<section><h2>Where the time goes: flame graphs</h2>"
        "<p class=note>Each bar is a function; its width is its share of the samples whose "
        "stack passes through it (cum), and the functions it calls sit on top of it. The "
        "bottom bar is the whole profile. A matched function has the same colour on both "
        "sides; hover for numbers, click a bar to zoom in (very thin, deep stacks show when "
        "you zoom). cProfile records caller/callee pairs, not stacks, so it has no flame "
        "graph: its shares are in the table below.</p>"
        f"{_legend(matches, colours)}<div class=flames>{''.join(panels)}</div></section>"
    )


# --- matched functions ----------------------------------------------------------------


def _pct_cell(value: Any, ci: Any = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td data-v="-1e308" class=na>—</td>'
    interval = (
        f" <span class=ci>[{ci[0]:.1f}, {ci[1]:.1f}]</span>"
        if isinstance(ci, list | tuple) and len(ci) == 2 and None not in ci
        else ""
    )
    return f'<td data-v="{value}">{value:.1f}%{interval}</td>'


def _count_cell(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return '<td data-v="-1e308" class=na>—</td>'
    return f'<td data-v="{value}">{int(value):,}</td>'


def _matches_table(matches: list[dict[str, Any]], colours: Mapping[str, str]) -> str:
    if not matches:
        return "<section><h2>Matched functions</h2><p>No function matched across the languages.</p></section>"
    columns: list[tuple[str, Callable[[Mapping[str, Any]], str]]] = [
        (
            "key",
            lambda m: (
                f'<td><i class=sw style="background:{colours[m["key"]]}"></i>{_e(m["key"])}</td>'
            ),
        ),
        ("Go function", lambda m: f"<td>{_e(str(m.get('go_function') or '—'))}</td>"),
        ("Python function", lambda m: f"<td>{_e(str(m.get('python_function') or '—'))}</td>"),
    ]
    for prefix, title in PREFIXES:
        if any(f"{prefix}_flat_pct" in m for m in matches):
            columns += [
                (
                    f"{title} flat",
                    lambda m, p=prefix: _pct_cell(m.get(f"{p}_flat_pct"), m.get(f"{p}_flat_ci95")),
                ),
                (
                    f"{title} cum",
                    lambda m, p=prefix: _pct_cell(m.get(f"{p}_cum_pct"), m.get(f"{p}_cum_ci95")),
                ),
            ]
    if any("cprofile_calls" in m for m in matches):
        columns.append(("cProfile calls", lambda m: _count_cell(m.get("cprofile_calls"))))
    head = "".join(f"<th title='click to sort'>{_e(name)}</th>" for name, _ in columns)
    rows = "".join("<tr>" + "".join(cell(m) for _, cell in columns) + "</tr>" for m in matches)
    return (
        "<section><h2>Matched functions</h2>"
        "<p class=note>The same function in both languages, by match key. flat = share of samples "
        "(or, for cProfile, of time) where the function itself was running; cum = where it was "
        "anywhere on the stack. Brackets hold the 95% interval of a sampled share: shares whose "
        "intervals overlap are not shown to differ. Click a column to sort.</p>"
        f"<table class=sortable id=matches><thead><tr>{head}</tr></thead>"
        f"<tbody>{rows}</tbody></table></section>"
    )


# --- overhead -------------------------------------------------------------------------


def _overhead(overhead: list[dict[str, Any]]) -> str:
    overhead = [o for o in overhead if o.get("ratio") is not None]  # None: not measurable
    if not overhead:
        return "<section><h2>Profiler overhead</h2><p>Not measured in this run.</p></section>"
    ratios = [float(o["ratio"]) for o in overhead]
    cis = [
        o["ci95"] if o.get("ci95") and None not in o["ci95"] else [r, r]
        for o, r in zip(overhead, ratios, strict=True)
    ]
    names = [
        f"{PROFILER_TITLES.get(o['profiler'], o['profiler'])}<br>×{r:.2f} [{lo:.2f}, {hi:.2f}]"
        for o, r, (lo, hi) in zip(overhead, ratios, cis, strict=True)
    ]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=ratios,
            marker_color=[LANGUAGE_COLOURS.get(o["language"], "#888") for o in overhead],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [hi - r for (_, hi), r in zip(cis, ratios, strict=True)],
                "arrayminus": [r - lo for (lo, _), r in zip(cis, ratios, strict=True)],
                "thickness": 1.5,
                "width": 8,
            },
            customdata=[[lo, hi, o.get("runs")] for (lo, hi), o in zip(cis, overhead, strict=True)],
            hovertemplate=(
                "%{x}: ×%{y:.2f}<br>95% interval ×%{customdata[0]:.2f} to ×%{customdata[1]:.2f}"
                "<br>%{customdata[2]} runs<extra></extra>"
            ),
        )
    )
    fig.add_hline(y=1, line_dash="dot", line_color="#555", annotation_text="no overhead")
    fig.update_layout(
        height=340,
        margin={"l": 50, "r": 10, "t": 20, "b": 40},
        yaxis={"title": "profiled time ÷ plain time", "rangemode": "tozero"},
        showlegend=False,
    )
    return (
        "<section><h2>Profiler overhead</h2>"
        "<p class=note>How much slower each program ran while profiled, measured on the same "
        "workload in interleaved runs; the whiskers are 95% intervals. A sampler should stay "
        "near ×1; a tracer pays on every call.</p>"
        f"{_figure_html(fig, 'overhead')}</section>"
    )


# --- warnings and metadata ------------------------------------------------------------


def _warnings(warnings: list[dict[str, Any]]) -> str:
    if not warnings:
        return (
            "<section><h2>Warnings</h2><p>None: nothing in these profiles looks off.</p></section>"
        )
    items = []
    for w in warnings:
        who = " ".join(str(w[k]) for k in ("language", "profiler") if w.get(k))
        meaning = explain(str(w.get("code", "")))
        items.append(
            f"<li><code>{_e(str(w.get('code', '')))}</code> <span class=who>{_e(who)}</span>"
            f"<div>{_e(str(w.get('message', '')))}</div>"
            + (f"<div class=why>{_e(meaning)}</div>" if meaning else "")
            + "</li>"
        )
    return f"<section><h2>Warnings</h2><ul class=warnings>{''.join(items)}</ul></section>"


def _seconds(value: Any, scale: float = 1.0) -> str:
    return "—" if value in (None, 0) else f"{float(value) * scale:.3g} s"


def _profiles(profiles: list[dict[str, Any]]) -> str:
    columns = (
        ("language", lambda p: p.get("language") or "—"),
        ("profiler", lambda p: PROFILER_TITLES.get(p.get("profiler"), p.get("profiler"))),
        ("method", lambda p: p.get("kind") or "—"),
        ("clock", lambda p: p.get("clock") or "—"),
        ("samples", lambda p: "—" if p.get("samples") is None else str(p["samples"])),
        ("duration", lambda p: _seconds(p.get("duration_s"))),
        ("profiled time", lambda p: _seconds(p.get("total_ns"), 1e-9)),
        ("runtime", lambda p: p.get("runtime_version") or "not recorded"),
        ("tool", lambda p: p.get("tool_version") or "not recorded"),
        ("file", lambda p: p.get("file") or "—"),
    )
    head = "".join(f"<th>{name}</th>" for name, _ in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_e(str(get(p)))}</td>" for _, get in columns) + "</tr>"
        for p in profiles
    )
    return (
        "<section><h2>Profiles</h2>"
        "<p class=note>sampling = the stack is read 100 times a second (cheap, an estimate); "
        "tracing = every call is timed (exact counts, costly). cpu time counts only running "
        "code; wall time includes waiting.</p>"
        f"<table id=profiles><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _exports(folder: Path) -> str:
    files = sorted((folder / "export").glob("*")) if (folder / "export").is_dir() else []
    if not files:
        return ""
    uses = {
        ".folded": "folded stacks: flamegraph.pl, inferno-flamegraph, speedscope",
        ".json": "speedscope: drop it on speedscope.app or open it in a local speedscope",
        ".pprof": "gzip pprof: go tool pprof -top FILE, or -http=: for the web UI",
    }
    items = "".join(
        f'<li><a href="export/{_e(f.name)}">{_e(f.name)}</a> — {_e(uses.get(f.suffix, ""))}</li>'
        for f in files
        if not f.name.startswith(".")
    )
    return f"<section><h2>Exports</h2><ul>{items}</ul></section>"


# --- page -----------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0 auto;
 max-width:1500px;padding:12px 20px;color:#222}
h1{font-size:22px;margin:6px 0}h2{font-size:17px;margin:22px 0 6px;border-bottom:1px solid #ddd}
.note{color:#555;max-width:1100px;margin:4px 0 8px}
.flames{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.flame{border:1px solid #e3e3e3;border-radius:4px;min-width:0}
.missing{padding:40px;color:#777;text-align:center}
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;margin:6px 0}
.chip{font-size:13px;white-space:nowrap}
.chip i,.sw{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;
 vertical-align:-1px}
table{border-collapse:collapse;font-size:13px}
th,td{padding:4px 10px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
th{background:#f6f6f6;position:sticky;top:0}
table.sortable th{cursor:pointer}
th[data-dir=asc]::after{content:' ▲'}th[data-dir=desc]::after{content:' ▼'}
td[data-v]{text-align:right;font-variant-numeric:tabular-nums}
.ci{color:#777}.na{color:#aaa}
.warnings li{margin-bottom:8px}.warnings code{background:#fff3cd;padding:1px 5px}
.who{color:#777}.why{color:#555;font-size:13px}
@media (max-width:900px){.flames{grid-template-columns:1fr}}
"""

_SORT_JS = """
document.querySelectorAll('table.sortable').forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener('click', function () {
      var dir = th.dataset.dir === 'desc' ? 'asc' : 'desc';
      Array.prototype.forEach.call(heads, function (h) { delete h.dataset.dir; });
      th.dataset.dir = dir;
      var body = table.tBodies[0];
      var value = function (row) {
        var cell = row.cells[i];
        return cell.dataset.v !== undefined ? parseFloat(cell.dataset.v)
                                            : cell.textContent.trim().toLowerCase();
      };
      Array.from(body.rows).sort(function (a, b) {
        var x = value(a), y = value(b), c = x < y ? -1 : x > y ? 1 : 0;
        return dir === 'asc' ? c : -c;
      }).forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def render_html(results_dir: str | Path) -> str:
    """The whole report page for one results folder."""
    results = load_results(results_dir)
    summary = results.summary
    matches = [m for m in summary.get("matches", []) if m.get("key")]
    colours = palette(m["key"] for m in matches)
    title = f"polyprof · {summary.get('title') or results.slug}"
    body = "".join(
        (
            _flames(results, matches, colours),
            _matches_table(matches, colours),
            _overhead(summary.get("overhead", [])),
            _warnings(summary.get("warnings", [])),
            _profiles(summary.get("profiles", [])),
            _exports(results.folder),
        )
    )
    return (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
        '<meta name=viewport content="width=device-width,initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style>"
        f"<script>{get_plotlyjs()}</script></head><body>"
        f"<h1>{_e(title)}</h1><p class=note>Go (runtime/pprof) and Python (cProfile, py-spy) "
        "profiles of the same workload, side by side. Regenerate with "
        f"<code>invoke report -e {_e(results.slug)}</code>.</p>"
        f"{body}<script>{_SORT_JS}</script></body></html>"
    )


def write_report(results_dir: str | Path) -> Path:
    """Write the exports, then report.html (which links them); returns the report's path."""
    results = load_results(results_dir)
    write_exports(results)
    path = results.folder / REPORT
    write_atomic(path, render_html(results.folder))
    return path
