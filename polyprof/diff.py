"""`invoke diff`: profile B minus profile A, read like `go tool pprof -top -diff_base A B`.

A diff answers "where did the time go after my change": every number is B's
minus A's, so a function that got faster shows a negative flat. We follow
pprof (internal/driver/fetch.go, profile/merge.go, internal/graph) because
learners will check us against it:
- both profiles must have the same sample types and period type;
- --normalize first scales B so each sample type's sum equals A's (ScaleN:
  Go's math.Round per value, samples left all zero dropped);
- A's samples are negated and merged with B's, nodes are keyed by name, and a
  node whose flat and cum both cancel to zero is not shown;
- percentages divide by A's total (sum of |value| of A's samples), so they can
  pass 100%, and values can be negative.

Sampling profiles (pprof, py-spy) are merged at the sample level, so
granularity and pprof's filters work as in `invoke top`. pstats has no
samples: its diff subtracts per-function totals (times, calls) instead.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any, TextIO

import numpy as np
import pandas as pd

from . import schema
from .cli import warn
from .errors import PolyprofError
from .filter import Filters
from .graph import Graph
from .load import load_profile
from .samples import Samples, round_half_away
from .top import check_output, render_text, report_values, shown_rows, write_rows
from .view import view

DIFF_COLUMNS = ("flat_ns", "cum_ns", "flat_samples", "cum_samples", "calls", "primitive_calls")


def _family(p: schema.Profile) -> str:
    """What kind of data a profile holds: only two of the same family can be subtracted."""
    return "pstats" if p.meta.kind == "tracing" else p.meta.profiler


def _types(types: list[tuple[str, str]] | tuple[str, str] | None) -> str:
    if not types:
        return "[]"
    if isinstance(types, tuple):
        return f"{types[0]}/{types[1]}"
    return "[" + " ".join(f"{t}/{u}" for t, u in types) + "]"


def check_compatible(base: schema.Profile, new: schema.Profile) -> None:
    """pprof's compatible(): same family, same sample types (in order) and period type."""
    where = f"cannot diff {new.meta.file} against base {base.meta.file}"
    fa, fb = _family(base), _family(new)
    if fa != fb:
        raise PolyprofError(
            f"{where}: the base is {fa} data and the other {fb} data; "
            "diff two profiles of the same kind"
        )
    a, b = base.meta, new.meta
    if a.clock != b.clock and fa == "pstats":
        raise PolyprofError(
            f"{where}: the base was timed on the {a.clock} clock, the other on {b.clock}"
        )
    if list(a.sample_types) != list(b.sample_types):
        raise PolyprofError(
            f"{where}: incompatible sample types {_types(a.sample_types)} and "
            f"{_types(b.sample_types)}"
        )
    if tuple(a.period_type or ()) != tuple(b.period_type or ()):
        raise PolyprofError(
            f"{where}: incompatible period types {_types(a.period_type)} and "
            f"{_types(b.period_type)}"
        )


def _type_index(s: Samples, sample_index: str) -> int:
    """pprof's -sample_index: a sample type's name or position."""
    names = [t for t, _ in s.sample_types]
    if sample_index.isdigit() and int(sample_index) < len(names):
        return int(sample_index)
    if sample_index in names:
        return names.index(sample_index)
    raise PolyprofError(
        f"--sample-index must be one of {', '.join(names)} (or 0..{len(names) - 1}), "
        f"not '{sample_index}'"
    )


def normalize_factors(base: Samples, new: Samples) -> np.ndarray:
    """pprof's Normalize: per sample type, A's sum over B's (0 when B's sum is 0)."""
    a = base.values.sum(axis=0).astype(np.float64)
    b = new.values.sum(axis=0).astype(np.float64)
    return np.divide(a, b, out=np.zeros_like(a), where=b != 0)


def combine(a: Samples, b: Samples) -> Samples:
    """Both profiles' samples as one, a's first.

    b's functions are numbered after a's, but symbolized functions of both
    come before either's bare addresses, which filters tell apart by position.
    """
    na, nb = len(a.names), len(b.names)
    sa, sb = min(a.symbolized, na), min(b.symbolized, nb)
    a_map = np.concatenate([np.arange(sa), sa + sb + np.arange(na - sa)]).astype(np.int64)
    b_map = np.concatenate([sa + np.arange(sb), na + sb + np.arange(nb - sb)]).astype(np.int64)

    def joined(x: list, y: list) -> list:
        return list(x[:sa]) + list(y[:sb]) + list(x[sa:]) + list(y[sb:])

    n_occ = int(a.frame_occ.max()) + 1 if len(a.frame_occ) else 0
    n_loc = int(a.frame_loc.max()) + 1 if len(a.frame_loc) else 0
    has_maps = a.mapping_reader is not None or b.mapping_reader is not None
    has_lines = a.line_reader is not None or b.line_reader is not None

    def mappings() -> list[str]:
        first = list(a.loc_mapping)
        return first + [""] * (max(n_loc, len(first)) - len(first)) + list(b.loc_mapping)

    loc_offset = max(n_loc, len(a.loc_mapping)) if has_maps else n_loc
    return dataclasses.replace(
        a,
        values=np.concatenate([a.values, b.values]),
        names=joined(a.names, b.names),
        files=joined(a.files, b.files),
        start_lines=np.asarray(joined(a.start_lines.tolist(), b.start_lines.tolist()), np.int64),
        frame_sample=np.concatenate([a.frame_sample, b.frame_sample + a.n_samples]),
        frame_func=np.concatenate([a_map[a.frame_func], b_map[b.frame_func]]),
        frame_occ=np.concatenate([a.frame_occ, b.frame_occ + n_occ]),
        frame_loc=np.concatenate([a.frame_loc, b.frame_loc + loc_offset]),
        symbolized=sa + sb,
        line_reader=(lambda: np.concatenate([a.frame_line, b.frame_line])) if has_lines else None,
        mapping_reader=mappings if has_maps else None,
    )


def _merged_meta(base: schema.Profile, new: schema.Profile, total: int, total_ns: int):
    """B's description with A's totals, as pprof's header has them; durations add up (merge)."""
    a, b = base.meta, new.meta
    durations = [d for d in (a.duration_ns, b.duration_ns) if d]
    return dataclasses.replace(
        b,
        duration_ns=sum(durations) if durations else None,
        total_value=total,
        total_ns=total_ns,
        samples=a.samples,
        total_calls=a.total_calls,
        primitive_calls=a.primitive_calls,
        notes=[f"diff: {b.file} minus base {a.file}"],
    )


def _sampled_diff(
    base: schema.Profile, new: schema.Profile, normalize: bool, by_name: bool, sample_index
) -> schema.Profile:
    a, b = base.samples, new.samples
    assert a is not None and b is not None  # sampling profiles always carry samples
    if by_name:
        a = dataclasses.replace(a, merge_same_names=True)
        b = dataclasses.replace(b, merge_same_names=True)
    if sample_index is not None:
        index = _type_index(a, str(sample_index))
        a, b = dataclasses.replace(a, index=index), dataclasses.replace(b, index=index)
    if normalize:
        b = b.scaled(normalize_factors(a, b))
    total = a.total()
    unit = a.sample_types[a.index][1]
    total_ns = total * (schema.ns_per_unit(unit) or 0)
    merged = combine(dataclasses.replace(a, values=-a.values), b)
    graph = Graph(merged)
    meta = _merged_meta(base, new, total, total_ns)
    meta.sample_type = f"{a.sample_types[a.index][0]}/{unit}"
    m = new.meta
    return schema.Profile(
        meta=meta,
        functions=graph.table(m.profiler, m.kind, m.clock, total),
        edges=schema.empty(schema.EDGE_COLUMNS),
        samples=merged,
        _inline_builder=graph.inline_labels,
    )


def keyed(profile: schema.Profile, by_name: bool) -> pd.DataFrame:
    """A profile's numbers per function identity: name alone (pprof's rule, and by_name),
    or name and file (Python's default: every module has its `main`)."""
    fn = profile.functions
    if profile.samples is not None and (by_name and not profile.samples.merge_same_names):
        s = dataclasses.replace(profile.samples, merge_same_names=True)
        m = profile.meta
        fn = Graph(s).table(m.profiler, m.kind, m.clock, m.total_value)
    numbers = fn[["function", *DIFF_COLUMNS, "line"]].copy()
    numbers["file"] = fn["file"].fillna("")
    identity = numbers["function"]
    if not by_name and profile.meta.language != "go":
        identity = identity + "\0" + numbers["file"]
    agg: dict[str, Any] = {c: lambda x: x.sum(min_count=1) for c in DIFF_COLUMNS}
    agg |= {"function": "first", "file": "first", "line": "first"}
    return numbers.groupby(identity.to_numpy(dtype=object), sort=False).agg(agg)


def aligned(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two keyed tables over the union of their functions, B's first; NA where one lacks it."""
    union = b.index.append(a.index.difference(b.index, sort=False))
    return a.reindex(union), b.reindex(union)


def changes(base: schema.Profile, new: schema.Profile, top: int = 5) -> list[dict[str, Any]]:
    """The `top` functions whose flat time moved most, with before, after and delta.

    Functions are matched by name, so a fix that lives in another file still
    lines up with the code it replaced.
    """
    a, b = aligned(keyed(base, by_name=True), keyed(new, by_name=True))
    times = [t[["flat_ns", "cum_ns"]].astype("Int64").fillna(0) for t in (a, b)]
    rows = []
    for name in a.index:
        before, after = ([int(v) for v in t.loc[name]] for t in times)
        rows.append(
            {
                "function": str(
                    b.at[name, "function"] if pd.notna(b.at[name, "function"]) else name
                ),
                "before_flat_ns": before[0],
                "after_flat_ns": after[0],
                "delta_flat_ns": after[0] - before[0],
                "before_cum_ns": before[1],
                "after_cum_ns": after[1],
                "delta_cum_ns": after[1] - before[1],
            }
        )
    rows.sort(key=lambda r: (-abs(r["delta_flat_ns"]), r["function"]))
    return rows[:top]


def _tracing_diff(
    base: schema.Profile, new: schema.Profile, normalize: bool, by_name: bool
) -> schema.Profile:
    """pstats has one row per function and no samples: subtract the per-function totals."""
    a = keyed(base, by_name)
    b = keyed(new, by_name)
    if normalize:  # pprof's ScaleN, applied to B's per-function times
        ratio = float(a["flat_ns"].sum()) / float(b["flat_ns"].sum() or 1)
        times = {c: b[c].to_numpy(np.float64) * ratio for c in ("flat_ns", "cum_ns")}
        b = b.assign(**{c: pd.array(round_half_away(t), dtype="Int64") for c, t in times.items()})
    a, b = aligned(a, b)
    union = a.index
    d = {c: b[c].astype("Int64").fillna(0) - a[c].astype("Int64").fillna(0) for c in DIFF_COLUMNS}
    names = b["function"].fillna(a["function"]).astype(str).tolist()
    files = b["file"].fillna(a["file"]).astype(str).tolist()
    keys, categories = schema.keys_and_categories(names, files, "python")
    total = base.meta.total_value
    denom = total or 1
    m = new.meta
    n = len(union)
    functions = schema.frame(
        {
            "language": schema.constant(m.language, n),
            "profiler": schema.constant(m.profiler, n),
            "kind": schema.constant(m.kind, n),
            "clock": schema.constant(m.clock, n),
            "function": names,
            "file": files,
            "line": pd.array(b["line"].fillna(a["line"]).to_numpy(), dtype="Int64"),
            "key": keys,
            "category": categories,
            "flat_ns": d["flat_ns"].to_numpy(),
            "cum_ns": d["cum_ns"].to_numpy(),
            "flat_pct": d["flat_ns"].to_numpy(dtype=np.float64) / denom * 100,
            "cum_pct": d["cum_ns"].to_numpy(dtype=np.float64) / denom * 100,
            "flat_samples": schema.missing(n),
            "cum_samples": schema.missing(n),
            "calls": d["calls"].to_numpy(),
            "primitive_calls": d["primitive_calls"].to_numpy(),
        },
        schema.FUNCTION_COLUMNS,
    )
    meta = _merged_meta(base, new, total, base.meta.total_ns)
    return schema.Profile(meta=meta, functions=functions, edges=schema.empty(schema.EDGE_COLUMNS))


def diff_profiles(
    base: schema.Profile,
    new: schema.Profile,
    normalize: bool = False,
    *,
    granularity: str = "functions",
    filters: Filters | None = None,
    by_name: bool = False,
    sample_index: str | int | None = None,
) -> tuple[schema.Profile, list[str]]:
    """`new` minus `base` as one profile whose functions table holds the differences,
    and a warning for each filter that matched nothing.

    Percentages are of the base's total. `by_name` keys Python functions by name
    alone, so a function is matched across two programs living in different files.
    """
    check_compatible(base, new)
    if base.samples is None or new.samples is None:
        if sample_index is not None:
            raise PolyprofError("--sample-index needs sampling profiles (pprof or py-spy)")
        merged = _tracing_diff(base, new, normalize, by_name)
    else:
        merged = _sampled_diff(base, new, normalize, by_name, sample_index)
    shown, warnings = view(merged, granularity, filters)
    fn = shown.functions
    value, cum = report_values(fn)
    calls = (fn["calls"].fillna(0) != 0) | (fn["primitive_calls"].fillna(0) != 0)
    keep = (value != 0) | (cum != 0) | calls  # pprof drops nodes that cancel out
    shown.functions = fn[keep.to_numpy()].reset_index(drop=True)
    return shown, warnings


def render_diff(
    profile: schema.Profile, base_file: str, sort: str = "flat", nodecount: int = 0
) -> str:
    """top's text of a diff, with the base named under the file it was subtracted from."""
    rows = shown_rows(profile, sort, nodecount)
    lines = render_text(profile, rows, len(profile.functions)).split("\n")
    lines.insert(1, f"Diff base: {base_file}")
    return "\n".join(lines)


def run_diff(
    base_path: str,
    new_path: str,
    fmt: str = "text",
    normalize: bool = False,
    nodecount: int = 0,
    sort: str = "flat",
    out: TextIO = sys.stdout,
    granularity: str = "functions",
    filters: Filters | None = None,
    by_name: bool = False,
    sample_index: str | None = None,
) -> schema.Profile:
    """Load both files, diff them and print the result like `invoke top`."""
    check_output(fmt, nodecount)
    base = load_profile(base_path)
    new = load_profile(new_path)
    profile, warnings = diff_profiles(
        base,
        new,
        normalize,
        granularity=granularity,
        filters=filters,
        by_name=by_name,
        sample_index=sample_index,
    )
    warn(new_path, *warnings)
    if fmt == "text":
        out.write(render_diff(profile, base.meta.file, sort, nodecount))
    else:
        write_rows(
            profile, shown_rows(profile, sort, nodecount), fmt, out, base=base.meta.as_dict()
        )
    return profile
