"""Go CPU profiles (profile.proto, gzip or raw) into the normalized tables.

The numbers must equal `go tool pprof -top`, so this follows its rules, not
intuition: a sample's frames are its locations' lines in order (line[0] of a
location is the innermost inlined callee), flat goes to frame 0, cum counts a
function once per sample however often it recurs, nodes are keyed by function
name alone, and percentages divide by the sum of |value| over all samples.
Decoding is bulk work in protobuf's C parser plus numpy; no per-byte Python.
"""

from __future__ import annotations

import gzip
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from google.protobuf.message import DecodeError

from . import schema
from .errors import IncompleteProfileError, ProfileError
from .proto import batch_messages, messages

GZIP_MAGIC = b"\x1f\x8b"
MAX_GO_STACK = 64  # runtime/cpuprof.go maxCPUProfStack: deeper stacks lose their root side
# Separators appended after each sample/location before the bulk parse. Ids are
# never 0 in a valid profile, and an empty Label/Line has key/function 0.
_SAMPLE_END = b"\x08\x00\x1a\x00"  # location_id = 0, label = {}
_LOCATION_END = b"\x22\x00"  # line = {}: a real Line is never empty (it names a function)
_TIME_UNITS = {
    "nanoseconds": 1,
    "ns": 1,
    "microseconds": 1_000,
    "us": 1_000,
    "milliseconds": 1_000_000,
    "ms": 1_000_000,
    "seconds": 1_000_000_000,
    "s": 1_000_000_000,
}
_STACK_ROOTS = frozenset(
    {"runtime.main", "runtime.goexit", "runtime.mstart", "runtime.mcall", "runtime.rt0_go"}
)
_LEGACY_CPU_HEADERS = (
    np.array([0, 3, 0], dtype="<u8").tobytes(),
    np.array([0, 3, 0], dtype="<u4").tobytes(),
    np.array([0, 3, 0], dtype=">u8").tobytes(),
)


def decompress(data: bytes, path: str | Path) -> bytes:
    """Gunzip by content, as pprof does; a stream cut short is an unfinished profile."""
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except EOFError:
        raise IncompleteProfileError(
            "incomplete profile: the gzip stream ends early (the program never called "
            "StopCPUProfile, or was killed before it could)",
            path,
            hint="stop the profiler before exiting: defer pprof.StopCPUProfile()",
        ) from None
    except (OSError, zlib.error):
        raise ProfileError("corrupt gzip data, not a pprof profile", path) from None


def looks_like_legacy_cpu(data: bytes) -> bool:
    return any(data.startswith(h) for h in _LEGACY_CPU_HEADERS)


@dataclass
class _Decoded:
    strings: list[str]
    sample_types: list[tuple[str, str]]
    default_index: int
    period: int
    period_type: tuple[str, str] | None
    duration_ns: int
    time_ns: int
    drop_frames: str
    keep_frames: str
    comments: list[str]
    # function table, indexed by position
    func_names: list[str]  # real functions first, then address pseudo-functions
    func_files: list[str]
    func_lines: list[int]
    # locations: frames[loc_start[i]:loc_start[i+1]] are loc i's function positions, leaf first
    loc_ids: np.ndarray
    loc_start: np.ndarray
    loc_funcs: np.ndarray
    # samples: locs[smp_start[j]:smp_start[j+1]] are sample j's location positions, leaf first
    smp_start: np.ndarray
    smp_locs: np.ndarray
    values: np.ndarray  # shape (n_samples, n_types)
    labels: list[str] | None  # per sample "k=v;..." or None when no sample has labels


def _string(strings: list[str], index: int, path: str | Path) -> str:
    if not 0 <= index < len(strings):
        raise ProfileError(f"string index {index} out of range: malformed profile", path)
    return strings[index]


def _split(lengths_marker: np.ndarray) -> np.ndarray:
    """Start offsets of the runs that sentinel zeros close (the sentinel excluded)."""
    ends = np.flatnonzero(lengths_marker == 0)
    starts = np.concatenate(([0], ends[:-1] + 1))
    return np.concatenate((starts - np.arange(len(starts)), [ends[-1] + 1 - len(ends)]))


def _decode(data: bytes, path: str | Path) -> _Decoded:
    m = batch_messages()
    prof = m["Profile"]()
    try:
        prof.ParseFromString(data)
    except (DecodeError, RuntimeError, ValueError):
        if looks_like_legacy_cpu(data):
            raise ProfileError(
                "legacy Go CPU profile format (before Go 1.9) is not supported",
                path,
                hint="convert it: go tool pprof -proto FILE > FILE.pb.gz",
            ) from None
        raise ProfileError(
            "not a pprof profile (the protobuf data does not decode)", path
        ) from None
    strings = list(prof.string_table)
    if not strings or strings[0] != "" or not prof.sample_type:
        if looks_like_legacy_cpu(data):
            raise ProfileError(
                "legacy Go CPU profile format (before Go 1.9) is not supported",
                path,
                hint="convert it: go tool pprof -proto FILE > FILE.pb.gz",
            )
        raise ProfileError("not a pprof profile (no sample types or string table)", path)
    types = [
        (_string(strings, t.type, path), _string(strings, t.unit, path)) for t in prof.sample_type
    ]
    default = len(types) - 1
    if prof.default_sample_type:
        wanted = _string(strings, prof.default_sample_type, path)
        default = next((i for i, (t, _) in enumerate(types) if t == wanted), default)
    period_type = None
    if prof.HasField("period_type"):
        period_type = (
            _string(strings, prof.period_type.type, path),
            _string(strings, prof.period_type.unit, path),
        )

    func_ids, name_idx, file_idx, func_lines = _decode_functions(prof, path)
    if len(func_ids) and (
        max(name_idx.max(), file_idx.max()) >= len(strings)
        or min(name_idx.min(), file_idx.min()) < 0
    ):
        raise ProfileError("function name index out of range: malformed profile", path)
    func_names = [strings[i] for i in name_idx.tolist()]
    func_files = [strings[i] for i in file_idx.tolist()]

    loc_ids, loc_start, loc_funcs, address_names = _decode_locations(prof, func_ids, path)
    smp_start, smp_locs, values, labels = _decode_samples(prof, loc_ids, len(types), strings, path)
    return _Decoded(
        strings=strings,
        sample_types=types,
        default_index=default,
        period=prof.period,
        period_type=period_type,
        duration_ns=prof.duration_nanos,
        time_ns=prof.time_nanos,
        drop_frames=_string(strings, prof.drop_frames, path),
        keep_frames=_string(strings, prof.keep_frames, path),
        comments=[_string(strings, c, path) for c in prof.comment],
        func_names=func_names + address_names,
        func_files=func_files,
        func_lines=func_lines.tolist(),
        loc_ids=loc_ids,
        loc_start=loc_start,
        loc_funcs=loc_funcs,
        smp_start=smp_start,
        smp_locs=smp_locs,
        values=values,
        labels=labels,
    )


# Written before each Function in the bulk parse: values no real field holds
# (uint64 max id, -1 string indices, int64 min start line), so each function's
# fields can be found between two marks even when proto3 left a zero field out.
_FUNCTION_MARK = (
    b"\x08" + b"\xff" * 9 + b"\x01"  # id = 2**64 - 1
    b"\x10" + b"\xff" * 9 + b"\x01"  # name = -1
    b"\x20" + b"\xff" * 9 + b"\x01"  # filename = -1
    b"\x28" + b"\x80" * 9 + b"\x01"  # start_line = -2**63
)
_MARKS = {"id": np.uint64(2**64 - 1), "name": -1, "filename": -1, "start_line": -(2**63)}


def _decode_functions(prof, path: str | Path):
    """Function ids, name and file string indices and start lines, as arrays.

    All functions parse as one Function with repeated fields; proto3's
    last-value-wins rule is kept by taking the last value after each mark.
    """
    raw = list(prof.function)
    if not raw:
        return np.zeros(0, np.uint64), *(np.zeros(0, np.int64) for _ in range(3))
    merged = batch_messages()["Function"]()
    try:
        merged.ParseFromString(_FUNCTION_MARK + _FUNCTION_MARK.join(raw))
    except DecodeError:
        raise ProfileError("a function does not decode: malformed profile", path) from None
    out = []
    for field, mark in _MARKS.items():
        values = np.array(getattr(merged, field), dtype=np.uint64 if field == "id" else np.int64)
        marks = np.flatnonzero(values == mark)
        if len(marks) != len(raw):  # the mark value itself occurs in the data: not a profile
            raise ProfileError(f"a function {field} is out of range: malformed profile", path)
        last = np.append(marks[1:], len(values)) - 1
        out.append(np.where(last > marks, values[last], 0).astype(values.dtype))
    return tuple(out)


def _positions(ids: np.ndarray, known: np.ndarray, what: str, path: str | Path) -> np.ndarray:
    """Map ids to positions in `known`; any unknown id makes the profile malformed.

    Writers number ids densely from 1, so a lookup table is the common path;
    sparse ids fall back to a binary search.
    """
    if len(ids) == 0:
        return np.zeros(0, np.int64)
    top = int(known.max()) if len(known) else 0
    if len(known) and top <= 4 * len(known) + 1024:
        lut = np.full(top + 1, -1, dtype=np.int64)
        lut[known.astype(np.int64)] = np.arange(len(known))
        too_big = ids > top
        pos = lut[np.where(too_big, 0, ids).astype(np.int64)]
        if too_big.any() or (pos < 0).any():
            raise ProfileError(f"a reference to an unknown {what} id: malformed profile", path)
        return pos
    order = np.argsort(known, kind="stable")
    sorted_known = known[order]
    pos = np.minimum(np.searchsorted(sorted_known, ids), max(len(known) - 1, 0))
    if len(known) == 0 or not np.array_equal(sorted_known[pos], ids):
        raise ProfileError(f"a reference to an unknown {what} id: malformed profile", path)
    return order[pos]


def _parse_joined(cls, raw: list[bytes], end: bytes, what: str, path: str | Path):
    """Parse many encoded messages as one: each followed by a sentinel field, then merged."""
    merged = cls()
    try:
        merged.ParseFromString(end.join(raw) + end)
    except DecodeError:
        raise ProfileError(f"a {what} does not decode: malformed profile", path) from None
    return merged


def _decode_locations(prof, func_ids: np.ndarray, path: str | Path):
    m = batch_messages()
    raw = list(prof.location)
    if not raw:
        return np.zeros(0, np.uint64), np.zeros(1, np.int64), np.zeros(0, np.int64), []
    merged = _parse_joined(m["Location"], raw, _LOCATION_END, "location", path)
    loc_ids = np.array(merged.id, dtype=np.uint64)
    if len(loc_ids) != len(raw) or len(set(loc_ids.tolist())) != len(raw):
        raise ProfileError("location ids are missing or repeated: malformed profile", path)
    lines = list(merged.line)  # each Line still encoded; our sentinels are the empty ones
    sizes = np.fromiter(map(len, lines), dtype=np.int64, count=len(lines))
    ends = np.flatnonzero(sizes == 0)
    if len(ends) != len(raw):
        raise ProfileError("a location has an empty line: malformed profile", path)
    every_line = m["Line"]()
    try:
        every_line.ParseFromString(b"".join(lines))
    except DecodeError:
        raise ProfileError("a location line does not decode: malformed profile", path) from None
    real = np.array(every_line.function_id, dtype=np.uint64)
    if len(real) != len(lines) - len(ends) or not real.all():
        raise ProfileError("a location line lacks a function id: malformed profile", path)
    counts = np.diff(ends, prepend=-1) - 1
    starts = np.concatenate(([0], np.cumsum(counts)))
    funcs = _positions(real, func_ids, "function", path).astype(np.int64)
    if (counts == 0).any():
        return (loc_ids, *_address_frames(raw, counts, starts, funcs, len(func_ids), prof, path))
    return loc_ids, starts, funcs, []


def _address_frames(raw, counts, starts, funcs, n_funcs, prof, path):
    """Locations without line info become pseudo-functions named like pprof's nodes.

    They are numbered after the real functions. Rare (unsymbolized profiles),
    so this is a plain loop.
    """
    m = messages()
    strings = list(prof.string_table)
    mappings = {mp.id: _string(strings, mp.filename, path) for mp in prof.mapping}
    names: list[str] = []
    out = []
    new_starts = [0]
    for i, n in enumerate(counts):
        if n:
            out.append(funcs[starts[i] : starts[i] + n])
        else:
            loc = m["Location"]()
            loc.ParseFromString(raw[i])
            mapping = mappings.get(loc.mapping_id, "")
            names.append(f"[{Path(mapping).name}]" if mapping else "<unknown>")
            out.append(np.array([n_funcs + len(names) - 1], dtype=np.int64))
        new_starts.append(new_starts[-1] + len(out[-1]))
    return np.array(new_starts, dtype=np.int64), np.concatenate(out), names


def _decode_samples(prof, loc_ids: np.ndarray, n_types: int, strings: list[str], path):
    m = batch_messages()
    raw = list(prof.sample)
    if not raw:
        return np.zeros(1, np.int64), np.zeros(0, np.int64), np.zeros((0, n_types), np.int64), None
    merged = _parse_joined(m["Sample"], raw, _SAMPLE_END, "sample", path)
    ids = np.array(merged.location_id, dtype=np.uint64)
    starts = _split(ids)
    if len(starts) - 1 != len(raw):
        raise ProfileError("sample boundaries do not line up: malformed profile", path)
    locs = _positions(ids[ids != 0], loc_ids, "location", path).astype(np.int64)
    values = np.array(merged.value, dtype=np.int64)
    if len(values) != len(raw) * n_types:
        raise ProfileError(f"samples must carry {n_types} values each: malformed profile", path)
    labels = (
        _labels(merged.label, len(raw), strings, path) if len(merged.label) > len(raw) else None
    )
    return starts, locs, values.reshape(len(raw), n_types), labels


def _labels(merged_labels, n_samples: int, strings: list[str], path) -> list[str]:
    """Per-sample label text, read as pprof reads them: str wins, a bare numeric 0 is dropped."""
    out: list[str] = []
    current: list[str] = []
    for lab in merged_labels:
        if lab.key == 0 and lab.str == 0 and lab.num == 0 and lab.num_unit == 0:
            out.append(";".join(sorted(current)))
            current = []
            continue
        key = _string(strings, lab.key, path)
        if lab.str:
            current.append(f"{key}={_string(strings, lab.str, path)}")
        elif lab.num or lab.num_unit:
            unit = _string(strings, lab.num_unit, path)
            current.append(f"{key}={lab.num}{unit}")
    if len(out) != n_samples:
        raise ProfileError("sample labels do not line up: malformed profile", path)
    return out


def _prune(d: _Decoded, names: list[str]) -> None:
    """Apply drop_frames/keep_frames like pprof's Prune, in place."""
    try:
        drop = re.compile(f"^({d.drop_frames})$")
        keep = re.compile(f"^({d.keep_frames})$") if d.keep_frames else None
    except re.error:
        return
    n_locs = len(d.loc_ids)
    prune = np.zeros(n_locs, bool)
    beneath = np.zeros(n_locs, bool)
    new_frames: list[np.ndarray] = []
    for i in range(n_locs):
        frames = d.loc_funcs[d.loc_start[i] : d.loc_start[i + 1]]
        hit = -1
        for j in range(len(frames) - 1, -1, -1):
            name = names[frames[j]] if frames[j] >= 0 else ""
            if not name:
                continue
            bare = name.removeprefix(".")
            paren = bare.find("(")
            if paren > 0 and not bare[paren:].startswith("(anonymous namespace)"):
                bare = bare[:paren]
            if drop.match(bare) and not (keep and keep.match(bare)):
                hit = j
                break
        if hit >= 0:
            beneath[i] = True
            if hit == len(frames) - 1:
                prune[i] = True
            else:
                frames = frames[hit + 1 :]
        new_frames.append(frames)
    d.loc_start = np.concatenate(([0], np.cumsum([len(f) for f in new_frames]))).astype(np.int64)
    d.loc_funcs = np.concatenate(new_frames) if new_frames else np.zeros(0, np.int64)
    sample_locs: list[np.ndarray] = []
    for j in range(len(d.smp_start) - 1):
        locs = d.smp_locs[d.smp_start[j] : d.smp_start[j + 1]]
        found_user = False
        for i in range(len(locs) - 1, -1, -1):
            loc = locs[i]
            if not prune[loc] and not beneath[loc]:
                found_user = True
                continue
            if not found_user:
                continue
            locs = locs[i + 1 :] if prune[loc] else locs[i:]
            break
        sample_locs.append(locs)
    d.smp_start = np.concatenate(([0], np.cumsum([len(x) for x in sample_locs]))).astype(np.int64)
    d.smp_locs = np.concatenate(sample_locs) if sample_locs else np.zeros(0, np.int64)


def _time_index(types: list[tuple[str, str]], default: int) -> int | None:
    if types[default][1] in _TIME_UNITS:
        return default
    timed = [i for i, (_, unit) in enumerate(types) if unit in _TIME_UNITS]
    return timed[-1] if timed else None


def _count_index(types: list[tuple[str, str]]) -> int | None:
    counts = [i for i, (_, unit) in enumerate(types) if unit == "count"]
    return counts[0] if counts else None


def _language(files: list[str]) -> str:
    return "python" if any(f.endswith(".py") for f in files) else "go"


def _clock(types: list[tuple[str, str]], index: int | None, period_type) -> str:
    name = types[index][0] if index is not None else (period_type or ("", ""))[0]
    return "wall" if "wall" in name.lower() else "cpu"


def parse(data: bytes, path: str | Path) -> schema.Profile:
    """Parse pprof bytes (gzip or raw) read from `path`."""
    d = _decode(decompress(data, path), path)
    all_names = d.func_names
    n_funcs = len(d.func_files)
    if d.drop_frames:
        _prune(d, all_names)

    node_of_func, node_names = pd.factorize(pd.Series(all_names, dtype=object), sort=False)
    node_names = list(node_names)
    first_func = np.full(len(node_names), -1, dtype=np.int64)
    first_func[node_of_func[::-1]] = np.arange(len(node_of_func))[::-1]
    n_nodes = len(node_names)

    # expand samples into their frames (leaf first)
    n_samples = len(d.smp_start) - 1
    locs = d.smp_locs
    loc_len = np.diff(d.loc_start)
    per_occ = loc_len[locs] if len(locs) else np.zeros(0, np.int64)
    occ_sample = np.repeat(np.arange(n_samples), np.diff(d.smp_start))
    frame_sample = np.repeat(occ_sample, per_occ)
    occ_first = np.repeat(d.loc_start[locs] if len(locs) else np.zeros(0, np.int64), per_occ)
    within = np.arange(len(frame_sample)) - np.repeat(np.cumsum(per_occ) - per_occ, per_occ)
    frame_func = d.loc_funcs[occ_first + within] if len(frame_sample) else np.zeros(0, np.int64)
    frame_node = node_of_func[frame_func] if len(frame_func) else np.zeros(0, np.int64)

    depth = np.bincount(frame_sample, minlength=n_samples) if n_samples else np.zeros(0, np.int64)
    frame_offsets = np.concatenate(([0], np.cumsum(depth)))
    has_frames = depth > 0

    types = d.sample_types
    idx = d.default_index
    ns_idx = _time_index(types, idx)
    cnt_idx = _count_index(types)

    # cum: once per (sample, node)
    uniq = pd.unique(frame_sample.astype(np.int64) * max(n_nodes, 1) + frame_node)
    cum_sample = uniq // max(n_nodes, 1)
    cum_node = uniq % max(n_nodes, 1)
    leaf_sample = np.flatnonzero(has_frames)
    leaf_node = frame_node[frame_offsets[:-1][has_frames]]

    def totals(col: int) -> tuple[np.ndarray, np.ndarray]:
        v = d.values[:, col]
        flat = np.zeros(n_nodes, np.int64)
        cum = np.zeros(n_nodes, np.int64)
        np.add.at(flat, leaf_node, v[leaf_sample])
        np.add.at(cum, cum_node, v[cum_sample])
        return flat, cum

    flat, cum = totals(idx) if n_samples else (np.zeros(n_nodes, np.int64),) * 2
    total = int(np.abs(d.values[:, idx]).sum()) if n_samples else 0
    ns_scale = _TIME_UNITS.get(types[ns_idx][1], 1) if ns_idx is not None else None
    if ns_idx is None:
        flat_ns = cum_ns = None
        total_ns = 0
    else:
        fns, cns = (flat, cum) if ns_idx == idx else totals(ns_idx)
        flat_ns, cum_ns = fns * ns_scale, cns * ns_scale
        total_ns = int(np.abs(d.values[:, ns_idx]).sum()) * ns_scale if n_samples else 0
    if cnt_idx is None:
        flat_s = cum_s = None
        n_counted = None
    else:
        flat_s, cum_s = (flat, cum) if cnt_idx == idx else totals(cnt_idx)
        n_counted = int(d.values[:, cnt_idx].sum())

    # drop nodes no non-zero sample touches, like pprof's graph
    nonzero = d.values[:, idx] != 0
    seen = np.zeros(n_nodes, bool)
    seen[frame_node[nonzero[frame_sample]]] = True
    keep = np.flatnonzero(seen)

    language = _language(d.func_files)
    func_pos = first_func[keep]
    names = np.asarray(node_names, dtype=object)[keep].tolist()
    real = func_pos < n_funcs  # address pseudo-functions have no file or line
    files = np.asarray([*d.func_files, ""], dtype=object)[np.where(real, func_pos, n_funcs)]
    files = files.tolist()
    start = np.asarray([*d.func_lines, 0], dtype=np.int64)[np.where(real, func_pos, n_funcs)]
    lines = pd.arrays.IntegerArray(start, start == 0)  # pprof's 0 means unknown
    keys, categories = schema.keys_and_categories(names, files, language)
    denom = total or 1
    no_values = schema.missing(len(keep))  # a sample type the profile lacks
    kind = "sampling"
    clock = _clock(types, ns_idx, d.period_type)
    functions = schema.frame(
        {
            "language": schema.constant(language, len(keep)),
            "profiler": schema.constant("pprof", len(keep)),
            "kind": schema.constant(kind, len(keep)),
            "clock": schema.constant(clock, len(keep)),
            "function": names,
            "file": files,
            "line": lines,
            "key": keys,
            "category": categories,
            "flat_ns": flat_ns[keep] if ns_idx is not None else no_values,
            "cum_ns": cum_ns[keep] if ns_idx is not None else no_values,
            "flat_pct": np.abs(flat[keep]) / denom * 100.0,
            "cum_pct": np.abs(cum[keep]) / denom * 100.0,
            "flat_samples": flat_s[keep] if cnt_idx is not None else no_values,
            "cum_samples": cum_s[keep] if cnt_idx is not None else no_values,
            "calls": no_values,
            "primitive_calls": no_values,
        },
        schema.FUNCTION_COLUMNS,
    )
    functions["value"] = flat[keep]  # raw flat in the report's sample type, for -top parity
    functions["cum_value"] = cum[keep]

    # the runtime keeps 64 frames with inlined calls expanded, so count frames, not locations;
    # a 64-frame stack that still reaches a thread's root was not cut
    deep = (depth >= MAX_GO_STACK) if language == "go" else np.zeros(n_samples, bool)
    if deep.any():
        root_nodes = [i for i, name in enumerate(node_names) if name in _STACK_ROOTS]
        deep[deep] = ~np.isin(frame_node[frame_offsets[1:][deep] - 1], root_nodes)
    period_ns = None
    if d.period_type and d.period_type[1] in _TIME_UNITS:
        period_ns = d.period * _TIME_UNITS[d.period_type[1]]
    lost = (
        int(
            functions.loc[functions["function"] == "runtime/pprof.lostProfileEvent", "flat_samples"]
            .fillna(0)
            .sum()
        )
        if cnt_idx is not None
        else 0
    )
    meta = schema.ProfileMeta(
        file=str(path),
        language=language,
        profiler="pprof",
        kind=kind,
        clock=clock,
        sample_types=types,
        sample_type=f"{types[idx][0]}/{types[idx][1]}",
        period=d.period,
        period_type=d.period_type,
        period_ns=period_ns,
        duration_ns=d.duration_ns or None,
        start_unix_ns=d.time_ns or None,
        total_ns=total_ns,
        total_value=total,
        samples=n_counted if n_counted is not None else n_samples,
        truncated_samples=int(d.values[deep, cnt_idx].sum())
        if cnt_idx is not None
        else int(deep.sum()),
        lost_samples=lost,
        notes=list(d.comments),
    )

    def build_stacks() -> pd.DataFrame:
        return _stacks(d, frame_node, frame_offsets, node_names, deep, ns_idx, ns_scale, cnt_idx)

    def build_inline() -> dict[str, str]:
        inlined = within < np.repeat(per_occ, per_occ) - 1  # not its location's last line
        weight = d.values[:, idx] if n_samples else np.zeros(0, np.int64)
        return _inline_labels(frame_node, frame_sample, inlined, weight, node_names)

    return schema.Profile(
        meta=meta,
        functions=functions,
        edges=schema.empty(schema.EDGE_COLUMNS),
        _stacks_builder=build_stacks,
        _inline_builder=build_inline,
    )


def _inline_labels(frame_node, frame_sample, inlined, weight, node_names) -> dict[str, str]:
    """pprof's (inline)/(partial-inline) labels, from the call edges of its graph.

    An edge parent->child is inline when child is not the last line of its
    location. Like pprof, each sample adds a pair once (its rootmost
    occurrence), an edge stays inline only if every sample saw it inline, and
    edges lighter than 0.1% of the total (pprof's -edgefraction) are dropped.
    """
    n_nodes = len(node_names)
    child, parent = frame_node[:-1], frame_node[1:]
    ok = (frame_sample[:-1] == frame_sample[1:]) & (parent != child)
    at = np.flatnonzero(ok & (weight[frame_sample[:-1]] != 0)) if len(ok) else ok
    if not len(at):
        return {}
    codes, pairs = pd.factorize(parent[at].astype(np.int64) * n_nodes + child[at])
    samples = frame_sample[at]
    # frames run leaf to root, so walking them backwards meets the rootmost occurrence first
    once = ~pd.Series((samples * len(pairs) + codes)[::-1]).duplicated().to_numpy()[::-1]
    codes, samples, flags = codes[once], samples[once], inlined[:-1][at][once]
    edge_weight = np.bincount(codes, weights=weight[samples], minlength=len(pairs))
    plain_seen = np.bincount(codes, weights=~flags, minlength=len(pairs))
    with_frames = np.unique(frame_sample)
    cutoff = abs(int(float(weight[with_frames].sum()) * 0.001))
    kept = np.abs(edge_weight) >= cutoff
    into = (pairs % n_nodes)[kept]
    edge_inline = (plain_seen == 0)[kept]
    any_inline = np.zeros(n_nodes, bool)
    any_plain = np.zeros(n_nodes, bool)
    any_inline[into[edge_inline]] = True
    any_plain[into[~edge_inline]] = True
    return {
        node_names[i]: "(partial-inline)" if any_plain[i] else "(inline)"
        for i in np.flatnonzero(any_inline)
    }


def _stacks(
    d, frame_node, frame_offsets, node_names, deep, ns_idx, ns_scale, cnt_idx
) -> pd.DataFrame:
    n_samples = len(frame_offsets) - 1
    rows: dict[tuple, list[int]] = {}
    labels = d.labels or [""] * n_samples
    for j in range(n_samples):
        seg = frame_node[frame_offsets[j] : frame_offsets[j + 1]]
        stack = tuple(node_names[k] for k in seg[::-1])
        key = (stack, labels[j], bool(deep[j]))
        acc = rows.setdefault(key, [0, 0])
        acc[0] += int(d.values[j, cnt_idx]) if cnt_idx is not None else 1
        acc[1] += int(d.values[j, ns_idx]) * ns_scale if ns_idx is not None else 0
    keys = list(rows)
    return schema.frame(
        {
            "stack": [k[0] for k in keys],
            "depth": [len(k[0]) for k in keys],
            "samples": [rows[k][0] for k in keys],
            "value_ns": [rows[k][1] for k in keys],
            "labels": [k[1] for k in keys],
            "truncated": [k[2] for k in keys],
        },
        schema.STACK_COLUMNS,
    )
