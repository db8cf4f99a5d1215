"""`invoke peek`: who calls a function and what it calls, as `go tool pprof -peek` shows it.

top says where the time goes; peek says along which calls it got there. For a
sampling profile every number comes from the samples (graph.py): an edge
weighs the samples that hold that caller-callee pair, once per sample, so a
callee's edge can never outweigh the node's cum. pprof's -peek turns all
trimming off, so every node and edge is kept. For pstats the edges are
cProfile's own caller records: the time (ct) and calls (nc) of f when called
from each caller, the numbers `Stats.print_callers` prints.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from typing import TextIO

import numpy as np
import pandas as pd

from . import schema
from .cli import warn
from .errors import PolyprofError
from .filter import Filters, compile_regex
from .graph import Graph
from .load import load_profile
from .top import _formatter, _share, calls_text, header, names, ordered, percent
from .view import view

FORMATS = ("text", "json")
_BAR = 58  # the column of pprof's "|", which the numbers left of it line up to


@dataclasses.dataclass
class Link:
    """One caller or callee of a node: its name and the edge's weight."""

    function: str
    weight: int | None  # in the report's sample unit (ns for pstats); None: not recorded
    weight_ns: int | None
    calls: int | None = None  # pstats nc (None for sampling profiles)
    primitive_calls: int | None = None
    inline: bool = False


@dataclasses.dataclass
class Entry:
    """A node whose name matched, with its numbers and both edge lists in pprof's order."""

    function: str
    flat: int
    cum: int
    flat_ns: int | None
    cum_ns: int | None
    calls: int | None
    primitive_calls: int | None
    callers: list[Link]
    callees: list[Link]


@dataclasses.dataclass
class Peek:
    """Everything a peek report prints: the matched entries and the whole graph's values,
    which pick the unit and give "Showing nodes accounting for"."""

    profile: schema.Profile
    entries: list[Entry]
    flat: list[int]  # every node's flat and cum, in the report's unit
    cum: list[int]


def _int(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _edge_order(links: list[Link], is_caller: bool, node: str) -> list[Link]:
    """pprof's edgeList order: |weight| descending, then caller name, then callee name."""

    def key(link: Link) -> tuple:
        src, dst = (link.function, node) if is_caller else (node, link.function)
        return (-abs(link.weight or 0), src, dst)

    return sorted(links, key=key)


def sampled_peek(profile: schema.Profile, pattern: re.Pattern, granularity: str) -> Peek:
    """Entries of a sampling profile, built from its (already filtered) samples."""
    s = profile.samples
    meta = profile.meta
    graph = Graph(s, granularity)
    table = graph.table(meta.profiler, meta.kind, meta.clock, meta.total_value)
    table["node"] = np.flatnonzero(graph.touched)
    rows = ordered(dataclasses.replace(profile, functions=table))
    label = graph.nodes.label
    edges = graph.edges
    weight = edges[f"w{s.index}"].to_numpy(np.int64)
    ns = None if s.ns_index is None else edges[f"w{s.ns_index}"].to_numpy(np.int64) * s.ns_scale
    caller = edges["caller"].to_numpy(np.int64)
    callee = edges["callee"].to_numpy(np.int64)
    inline = edges["inline"].to_numpy(bool)

    into, out_of = (edges.groupby(side).indices for side in ("callee", "caller"))
    nothing = np.zeros(0, np.int64)

    def links(at: np.ndarray, other: np.ndarray, is_caller: bool, node: str) -> list[Link]:
        found = [
            Link(
                function=label[other[i]],
                weight=int(weight[i]),
                weight_ns=None if ns is None else int(ns[i]),
                inline=bool(inline[i]),
            )
            for i in at.tolist()
        ]
        return _edge_order(found, is_caller, node)

    entries = []
    for name, r in zip(names(rows).tolist(), rows.itertuples(index=False), strict=True):
        if not pattern.search(name):
            continue
        entries.append(
            Entry(
                function=name,
                flat=int(r.value),
                cum=int(r.cum_value),
                flat_ns=_int(r.flat_ns),
                cum_ns=_int(r.cum_ns),
                calls=None,
                primitive_calls=None,
                callers=links(into.get(r.node, nothing), caller, True, name),
                callees=links(out_of.get(r.node, nothing), callee, False, name),
            )
        )
    return Peek(profile, entries, rows["value"].tolist(), rows["cum_value"].tolist())


def _pstats_labels(fn: pd.DataFrame) -> dict[tuple, str]:
    """A name per pstats key (file, line, name); a name that several functions share
    (two classes' `run`) gets its place appended, as pprof's line labels do."""
    keys = list(zip(fn["file"], fn["line"].fillna(0).astype(int), fn["function"], strict=True))
    shared = fn["function"].duplicated(keep=False).tolist()
    return {
        k: f"{k[2]} {k[0]}:{k[1]}" if dup else k[2] for k, dup in zip(keys, shared, strict=True)
    }


def traced_peek(profile: schema.Profile, pattern: re.Pattern) -> Peek:
    """Entries of a pstats profile from cProfile's caller records (profile.edges)."""
    rows = ordered(profile)
    labels = _pstats_labels(rows)
    e = profile.edges
    ends = {
        side: list(
            zip(e[f"{side}_file"], e[f"{side}_line"].fillna(0).astype(int), e[side], strict=True)
        )
        for side in ("caller", "callee")
    }
    records = list(e[["calls", "primitive_calls", "cum_ns"]].itertuples(index=False))
    at: dict[tuple[str, tuple], list[int]] = {}
    for side, keys in ends.items():
        for i, key in enumerate(keys):
            at.setdefault((side, key), []).append(i)

    def links(me: tuple, side: str, other: str, node: str) -> list[Link]:
        found = [
            Link(
                function=labels.get(ends[other][i], ends[other][i][2]),
                weight=_int(records[i].cum_ns),
                weight_ns=_int(records[i].cum_ns),
                calls=_int(records[i].calls),
                primitive_calls=_int(records[i].primitive_calls),
            )
            for i in at.get((side, me), [])
        ]
        return _edge_order(found, other == "caller", node)

    entries = []
    for r in rows.itertuples(index=False):
        key = (r.file, 0 if pd.isna(r.line) else int(r.line), r.function)
        name = labels[key]
        if not pattern.search(name):
            continue
        entries.append(
            Entry(
                function=name,
                flat=int(r.flat_ns),
                cum=int(r.cum_ns),
                flat_ns=int(r.flat_ns),
                cum_ns=int(r.cum_ns),
                calls=_int(r.calls),
                primitive_calls=_int(r.primitive_calls),
                callers=links(key, "callee", "caller", name),
                callees=links(key, "caller", "callee", name),
            )
        )
    flat = rows["flat_ns"].fillna(0).astype("int64").tolist()
    return Peek(profile, entries, flat, rows["cum_ns"].fillna(0).astype("int64").tolist())


def render_text(peek: Peek) -> str:
    """pprof's -peek text from the header down; pstats adds a calls column left of the bar."""
    profile = peek.profile
    tracing = profile.meta.kind == "tracing"
    total = profile.meta.total_value
    cell = _formatter(profile, peek.flat, peek.cum)
    shown = sum(peek.flat)
    width = 13 if tracing else 0  # the calls column: " nc/cc" right-aligned

    def calls(nc: int | None, cc: int | None) -> str:
        return f" {calls_text(nc, cc):>12}" if tracing else ""

    separator = "-" * (_BAR + width) + "+-------------"
    legend = f"{'flat':>10} {'flat%':>6} {'sum%':>6} {'cum':>10} {'cum%':>6}   calls calls%"
    legend += f"{' ncalls':>13}" if tracing else ""
    out = header(profile, cell)
    out.append(
        f"Showing nodes accounting for {cell(shown)}, "
        f"{percent(_share(shown, total)).strip()} of {cell(total)} total"
    )
    out += [separator, legend + " + context \t \t ", separator]

    def edge(link: Link, cum: int) -> str:
        mark = " (inline)" if link.inline else ""
        # the `profile` module records only a count per caller, no time
        weight, share = ("-", "")
        if link.weight is not None:
            weight, share = cell(link.weight), percent(_share(link.weight, cum))
        return (
            f"{weight:>50} {share:>6}"
            f"{calls(link.calls, link.primitive_calls)} |   {link.function}{mark}"
        )

    running = 0
    for entry in peek.entries:
        running += entry.flat
        out += [edge(link, entry.cum) for link in entry.callers]
        out.append(
            f"{cell(entry.flat):>10} {percent(_share(entry.flat, total))} "
            f"{percent(_share(running, total))} {cell(entry.cum):>10} "
            f"{percent(_share(entry.cum, total))}{calls(entry.calls, entry.primitive_calls)}"
            f"{'':16}| {entry.function}"
        )
        out += [edge(link, entry.cum) for link in entry.callees]
        out.append(separator)
    return "\n".join(out) + "\n"


def as_records(entries: list[Entry]) -> list[dict]:
    """The JSON shape: times in ns; calls are pstats' nc, null for sampling profiles."""

    def link(k: Link) -> dict:
        return {"function": k.function, "weight_ns": k.weight_ns, "calls": k.calls}

    return [
        {
            "function": e.function,
            "flat_ns": e.flat_ns,
            "cum_ns": e.cum_ns,
            "callers": [link(k) for k in e.callers],
            "callees": [link(k) for k in e.callees],
        }
        for e in entries
    ]


def run_peek(
    path: str,
    regex: str,
    fmt: str = "text",
    out: TextIO = sys.stdout,
    granularity: str = "functions",
    filters: Filters | None = None,
    relative: bool = False,
) -> Peek:
    """Load, filter, match and print; no match is an error, as in pprof."""
    if fmt not in FORMATS:
        raise PolyprofError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    pattern = compile_regex("regex", regex)
    profile, warnings = view(load_profile(path), granularity, filters, relative)
    warn(path, *warnings)
    if profile.samples is None:
        peek = traced_peek(profile, pattern)
    else:
        peek = sampled_peek(profile, pattern, granularity)
    if not peek.entries:
        raise PolyprofError(
            f"no function matches {regex!r}",
            path,
            hint="the regex is searched in the names `invoke top` prints",
        )
    if fmt == "text":
        out.write(render_text(peek))
    else:
        json.dump(as_records(peek.entries), out, indent=1)
        out.write("\n")
    return peek
