"""`invoke list`: a function's source, each line annotated with its flat and cum.

The per-line numbers are the line-granularity graph's nodes of that function
(graph.py): flat to the sample's leaf line, cum once per sample per line,
exactly `go tool pprof -list`. pprof's routine header, though, adds the
per-line cums up, so a sample that passes through two lines of a recursive
function counts twice there (google/pprof#707). We print the function's true
cum (once per sample, as top counts it) and, when the lines add up to more,
say why they do. Only sampling profiles with line numbers can be listed:
pstats keeps one row per function.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from pathlib import Path
from typing import TextIO

import numpy as np

from . import schema
from .cli import warn
from .errors import PolyprofError
from .filter import Filters, compile_regex
from .graph import Graph
from .load import load_profile
from .samples import Samples
from .top import _share, duration, label, percent
from .view import sampled, view

# source lines pprof shows after the last sampled line (and before the first, without a start line)
MARGIN = 5


@dataclasses.dataclass
class Routine:
    """One function in one file: its sampled lines and the two ways to total them."""

    function: str
    file: str
    start_line: int  # 0 when the profile does not say
    lines: dict[int, tuple[int, int]]  # line -> (flat, cum), in the report's unit
    flat: int
    cum: int  # once per sample: what top prints
    lines_cum: int  # the per-line cums added up: what pprof's list header prints

    @property
    def recursive_overcount(self) -> bool:
        return abs(self.lines_cum) > abs(self.cum)


def routines(s: Samples, pattern: re.Pattern) -> list[Routine]:
    """Every (function, file) whose function name matches, in pprof's order (name, then file)."""
    graph = Graph(s, "lines")
    nodes = graph.nodes
    flat, cum = graph.weights(s.index)
    values = s.values[:, s.index] if s.n_samples else np.zeros(0, np.int64)
    found: dict[tuple[str, str], list[int]] = {}
    for i in np.flatnonzero(graph.touched).tolist():
        if pattern.search(nodes.function[i]):
            found.setdefault((nodes.function[i], nodes.file[i]), []).append(i)
    out = []
    for (name, file), members in sorted(found.items()):
        inside = np.isin(nodes.of_frame, members)
        passing = np.unique(s.frame_sample[inside])
        per_line: dict[int, tuple[int, int]] = {}
        for i in members:
            f, c = per_line.get(int(nodes.line[i]), (0, 0))
            per_line[int(nodes.line[i])] = (f + int(flat[i]), c + int(cum[i]))
        out.append(
            Routine(
                function=name,
                file=file,
                start_line=int(s.start_lines[nodes.func[members[0]]]),
                lines=per_line,
                flat=int(flat[members].sum()),
                cum=int(values[passing].sum()),
                lines_cum=int(cum[members].sum()),
            )
        )
    return out


def find_source(file: str, here: Path | None = None) -> Path | None:
    """The file itself if absolute, else searched from the working directory up, as pprof does."""
    path = Path(file)
    if path.is_absolute():
        return path if path.is_file() else None
    for folder in [here or Path.cwd(), *(here or Path.cwd()).parents]:
        if (folder / path).is_file():
            return folder / path
    return None


def source_lines(path: Path) -> list[str]:
    """The file's lines without line ends (Go's bufio.Scanner: \\n, and a \\r before it)."""
    text = path.read_text(errors="replace")
    lines = [ln.removesuffix("\r") for ln in text.split("\n")]
    return lines[:-1] if lines and lines[-1] == "" else lines


def window(r: Routine, start_known: bool) -> range:
    """pprof's span: from the function's first line (or 5 lines before the first sampled
    line when the profile has no start line) to 5 lines after the last sampled one."""
    sampled_lines = [ln for ln in r.lines if ln > 0]
    if not sampled_lines:
        return range(0)
    first = r.start_line if start_known and r.start_line else min(sampled_lines) - MARGIN
    return range(max(first, 1), max(sampled_lines) + MARGIN + 1)


def _value_label(sample_type: str):
    """pprof's list labels every value in its own unit (no common unit is chosen)."""
    per = schema.ns_per_unit(sample_type)
    if per is None:
        return lambda v: label(v, ("", 1))
    return lambda v: duration(v * per)


def render(r: Routine, total: int, cell, source: list[str] | None, language: str) -> list[str]:
    """One routine: pprof's header with the true cum, a #707 note when needed, the lines."""
    # Go profiles carry each function's first line; py-spy's smallest line seen is no such thing
    start_known = language == "go"
    out = [
        f"ROUTINE ======================== {r.function} in {r.file}",
        f"{cell(r.flat):>10} {cell(r.cum):>10} (flat, cum) {percent(_share(r.cum, total))} of Total",
    ]
    if r.recursive_overcount:
        out.append(
            f" Note: lines add up to {cell(r.lines_cum)}: a recursive sample passes through "
            "several lines of this function and pprof's list counts it once per line "
            f"(google/pprof#707); the function's cum is {cell(r.cum)}"
        )

    def row(line: int, text: str) -> str:
        f, c = r.lines.get(line, (0, 0))
        return f"{cell(f) if f else '.':>10} {cell(c) if c else '.':>10} {line:6d}:{text}"

    if source is None:
        missing = "No file name in the profile"
        if r.file:
            missing = f"Source file not found: {r.file} (searched from the working directory up)"
            if language == "python":
                missing += "; py-spy shortens paths unless run with --full-filenames"
        out.append(f" {missing}; showing the sampled lines only")
        return out + [row(line, "") for line in sorted(r.lines) if line > 0]
    shown = [ln for ln in window(r, start_known) if ln <= len(source)]
    out += [row(line, source[line - 1]) for line in shown]
    lost = sorted(ln for ln in r.lines if ln > len(source))
    if lost:
        out.append(f" Note: {r.file} has {len(source)} lines; it changed since the profile")
        out += [row(line, "") for line in lost]
    if start_known or len(r.lines) != 1:
        return out
    (line,) = r.lines
    if 0 < line <= len(source) and source[line - 1].lstrip().startswith(("def ", "async def ")):
        out.append(
            " Note: every sample sits on the def line; if py-spy ran with --function, that is "
            "the function's first line, not the line running (record without it for lines)"
        )
    return out


def run_list(
    path: str,
    regex: str,
    out: TextIO = sys.stdout,
    filters: Filters | None = None,
    relative: bool = False,
) -> list[Routine]:
    """Load, filter, match function names and print each routine; no match is an error."""
    pattern = compile_regex("regex", regex)
    loaded = load_profile(path)
    sampled(loaded, "list (per-line numbers)")
    profile, warnings = view(loaded, "functions", filters, relative)
    warn(path, *warnings)
    found = routines(profile.samples, pattern)
    if not found:
        raise PolyprofError(
            f"no function matches {regex!r}",
            path,
            hint="list searches function names, as `invoke top` prints them",
        )
    cell = _value_label(profile.meta.sample_type)
    total = profile.meta.total_value
    text = [f"Total: {cell(total)}"]
    for r in found:
        where = find_source(r.file) if r.file else None
        source = None if where is None else source_lines(where)
        text += render(r, total, cell, source, profile.samples.language)
    out.write("\n".join(text) + "\n")
    return found
