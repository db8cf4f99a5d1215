"""Nodes, weights and call edges from samples, by pprof's rules (internal/graph).

A node is what a report row names: a function, a source line or a file
(pprof's granularities). For every sample with a non-zero value, flat goes to
the leaf frame's node, cum to each node on the stack once however often it
recurs, and each caller-callee pair once, direct self-recursion excluded.
"""

from __future__ import annotations

import dataclasses
import posixpath
from functools import cached_property

import numpy as np
import pandas as pd

from . import schema
from .samples import Samples

GRANULARITIES = ("functions", "lines", "files")
EDGE_FRACTION = 0.001  # pprof's default -edgefraction: lighter edges leave the trimmed graph


def clean_path(path: str) -> str:
    """Go's filepath.Clean, which pprof applies to file names it prints."""
    if not path:
        return ""
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/") if cleaned.startswith("//") else cleaned


@dataclasses.dataclass
class Nodes:
    of_frame: np.ndarray  # node per frame
    label: list[str]  # the name a report prints
    function: list[str]
    file: list[str]
    line: np.ndarray  # start line (functions), sample line (lines) or 0
    func: np.ndarray  # one function behind each node, for its key and category


def _first_of(codes: np.ndarray, n: int) -> np.ndarray:
    """For each code 0..n-1, the first position that holds it."""
    first = np.full(n, -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return first


def _factorize(values) -> tuple[np.ndarray, int]:
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), sort=False)
    return codes.astype(np.int64), len(uniques)


def _function_codes(s: Samples) -> tuple[np.ndarray, int]:
    if s.merge_same_names:
        return _factorize(s.names)
    return _factorize([f"{n}\0{f}" for n, f in zip(s.names, s.files, strict=True)])


def nodes(s: Samples, granularity: str = "functions") -> Nodes:
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}")
    if granularity == "functions":
        codes, n = _function_codes(s)
        first = _first_of(codes, n)
        names = [s.names[i] for i in first.tolist()]
        return Nodes(
            of_frame=codes[s.frame_func] if len(s.frame_func) else np.zeros(0, np.int64),
            label=names,
            function=names,
            file=[s.files[i] for i in first.tolist()],
            line=s.start_lines[first] if n else np.zeros(0, np.int64),
            func=first,
        )
    files = [clean_path(f) for f in s.files]
    if granularity == "files":
        codes, n = _factorize(files)
        first = _first_of(codes, n)
        labels = [files[i] or "<unknown>" for i in first.tolist()]
        return Nodes(
            of_frame=codes[s.frame_func] if len(s.frame_func) else np.zeros(0, np.int64),
            label=labels,
            function=labels,
            file=[files[i] for i in first.tolist()],
            line=np.zeros(n, np.int64),
            func=first,
        )
    # lines: pprof keys a line node on (name, file, line)
    fcodes, _ = _factorize([f"{n}\0{f}" for n, f in zip(s.names, files, strict=True)])
    lines = s.frame_line
    per_line = int(lines.max()) + 1 if len(lines) else 1
    codes, n = _factorize(fcodes[s.frame_func] * per_line + lines)
    first_frame = _first_of(codes, n)
    func = s.frame_func[first_frame]
    line = lines[first_frame]
    names = [s.names[i] for i in func.tolist()]
    file_of = [files[i] for i in func.tolist()]
    labels = [
        f"{name} {file}:{ln}" if ln else (f"{name} {file}" if file else name)
        for name, file, ln in zip(names, file_of, line.tolist(), strict=True)
    ]
    return Nodes(of_frame=codes, label=labels, function=names, file=file_of, line=line, func=func)


class Graph:
    """One profile's samples seen at one granularity."""

    def __init__(self, samples: Samples, granularity: str = "functions") -> None:
        self.samples = samples
        self.granularity = granularity
        self.nodes = nodes(samples, granularity)
        self.n = len(self.nodes.label)
        self._weights: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    @cached_property
    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(sample, node) once per pair: what cum adds up."""
        width = max(self.n, 1)
        keys = self.samples.frame_sample.astype(np.int64) * width + self.nodes.of_frame
        if self.samples.n_samples * width < 2**32:  # a 4-byte hash table is twice as fast
            keys = keys.astype(np.uint32)
        uniq = pd.unique(keys).astype(np.int64)
        return uniq // width, uniq % width

    def weights(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """Flat and cum per node in one sample type's unit (computed once per type)."""
        if column not in self._weights:
            self._weights[column] = self._sum(column)
        return self._weights[column]

    def _sum(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        s = self.samples
        v = s.values[:, column] if s.n_samples else np.zeros(0, np.int64)
        flat = np.zeros(self.n, np.int64)
        cum = np.zeros(self.n, np.int64)
        leaf = s.leaf_frames
        np.add.at(flat, self.nodes.of_frame[leaf], v[s.frame_sample[leaf]])
        sample, node = self._pairs
        np.add.at(cum, node, v[sample])
        return flat, cum

    @cached_property
    def touched(self) -> np.ndarray:
        """Nodes some sample with a non-zero report value passes through: pprof's node set."""
        s = self.samples
        seen = np.zeros(self.n, bool)
        if s.n_samples:
            nonzero = s.values[:, s.index] != 0
            seen[self.nodes.of_frame[nonzero[s.frame_sample]]] = True
        return seen

    @cached_property
    def edges(self) -> pd.DataFrame:
        """Caller -> callee pairs with their weight in every sample type and pprof's inline flag.

        A sample adds a pair once, at its rootmost occurrence (pprof walks root
        to leaf), and an edge is inline only if every sample saw it inlined.
        """
        s = self.samples
        of = self.nodes.of_frame
        columns = ["caller", "callee", "inline", *(f"w{i}" for i in range(len(s.sample_types)))]
        if len(of) < 2:
            return pd.DataFrame({c: [] for c in columns})
        child, parent = of[:-1], of[1:]
        same = s.frame_sample[:-1] == s.frame_sample[1:]
        nonzero = s.values[s.frame_sample[:-1], s.index] != 0
        at = np.flatnonzero(same & (parent != child) & nonzero)
        codes, pairs = pd.factorize(parent[at].astype(np.int64) * self.n + child[at])
        sample = s.frame_sample[at]
        once = ~pd.Series((sample * max(len(pairs), 1) + codes)[::-1]).duplicated().to_numpy()[::-1]
        codes, sample, inlined = codes[once], sample[once], s.frame_inlined[:-1][at][once]
        out = {
            "caller": pairs // self.n,
            "callee": pairs % self.n,
            "inline": np.bincount(codes, weights=~inlined, minlength=len(pairs)) == 0,
        }
        for i in range(len(s.sample_types)):
            w = np.zeros(len(pairs), np.int64)
            np.add.at(w, codes, s.values[sample, i])
            out[f"w{i}"] = w
        return pd.DataFrame(out)

    def inline_labels(self) -> dict[str, str]:
        """pprof's row suffix: "(inline)" when every edge into a node is an inlined call,
        "(partial-inline)" when some are, over the edges -top keeps (-edgefraction)."""
        e = self.edges
        if e.empty:
            return {}
        s = self.samples
        weight = e[f"w{s.index}"].to_numpy()
        with_frames = s.depth > 0
        cutoff = abs(int(float(s.values[with_frames, s.index].sum()) * EDGE_FRACTION))
        kept = e[np.abs(weight) >= cutoff]
        inline = kept.loc[kept["inline"], "callee"].unique()
        plain = set(kept.loc[~kept["inline"], "callee"].tolist())
        return {
            self.nodes.label[i]: "(partial-inline)" if i in plain else "(inline)"
            for i in inline.tolist()
        }

    def table(self, profiler: str, kind: str, clock: str, total: int) -> pd.DataFrame:
        """The functions table (schema.FUNCTION_COLUMNS) of the touched nodes.

        Percentages divide by `total`, which the caller chooses: the whole
        profile's, a filtered one's (--relative) or a diff base's.
        """
        s = self.samples
        keep = np.flatnonzero(self.touched)
        nd = self.nodes
        flat, cum = self.weights(s.index)
        n = len(keep)
        missing = schema.missing(n)

        def column(index: int | None, scale: int = 1):
            if index is None:
                return missing, missing
            f, c = self.weights(index)
            return f[keep] * scale, c[keep] * scale

        flat_ns, cum_ns = column(s.ns_index, s.ns_scale)
        flat_n, cum_n = column(s.count_index)
        functions = [nd.function[i] for i in keep.tolist()]
        files = [nd.file[i] for i in keep.tolist()]
        lines = nd.line[keep]
        func = nd.func[keep]
        if self.granularity == "files":
            keys = files
            _, categories = schema.keys_and_categories(
                [s.names[i] for i in func.tolist()], [s.files[i] for i in func.tolist()], s.language
            )
        else:
            keys, categories = schema.keys_and_categories(functions, files, s.language)
        denom = total or 1
        table = schema.frame(
            {
                "language": schema.constant(s.language, n),
                "profiler": schema.constant(profiler, n),
                "kind": schema.constant(kind, n),
                "clock": schema.constant(clock, n),
                "function": functions,
                "file": files,
                "line": pd.arrays.IntegerArray(lines.astype(np.int64), lines == 0),
                "key": keys,
                "category": categories,
                "flat_ns": flat_ns,
                "cum_ns": cum_ns,
                "flat_pct": flat[keep] / denom * 100.0,
                "cum_pct": cum[keep] / denom * 100.0,
                "flat_samples": flat_n,
                "cum_samples": cum_n,
                "calls": missing,
                "primitive_calls": missing,
            },
            schema.FUNCTION_COLUMNS,
        )
        table["value"] = flat[keep]  # in the report's sample type, for -top parity
        table["cum_value"] = cum[keep]
        if self.granularity != "functions":
            table["label"] = [nd.label[i] for i in keep.tolist()]
        return table
