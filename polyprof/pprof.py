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
from .graph import Graph
from .proto import batch_messages, messages
from .samples import Samples, expand
from .schema import TIME_UNITS

GZIP_MAGIC = b"\x1f\x8b"
_LOST = "runtime/pprof.lostProfileEvent"
MAX_GO_STACK = 64  # runtime/cpuprof.go maxCPUProfStack: deeper stacks lose their root side
# Separators appended after each sample/location before the bulk parse. Ids are
# never 0 in a valid profile, and an empty Label/Line has key/function 0.
_SAMPLE_END = b"\x08\x00\x1a\x00"  # location_id = 0, label = {}
_LOCATION_END = b"\x22\x00"  # line = {}: a real Line is never empty (it names a function)
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
    loc_lineidx: np.ndarray  # per loc_funcs entry: its Line among all locations' lines, -1 if none
    raw_locations: list[bytes]
    raw_lines: list[bytes]  # every location's Line, encoded, each location's closed by b""
    mappings: dict[int, str]  # mapping id -> file
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

    raw_locations = list(prof.location)
    loc_ids, loc_start, loc_funcs, loc_lineidx, raw_lines, address_names = _decode_locations(
        prof, raw_locations, func_ids, path
    )
    mappings = {mp.id: _string(strings, mp.filename, path) for mp in prof.mapping}
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
        loc_lineidx=loc_lineidx,
        raw_locations=raw_locations,
        raw_lines=raw_lines,
        mappings=mappings,
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
    return tuple(
        _after_marks(getattr(merged, field), mark, len(raw), f"function {field}", path)
        for field, mark in _MARKS.items()
    )


def _after_marks(field, mark, n: int, what: str, path: str | Path) -> np.ndarray:
    """Per message, the last value written after its mark (0 when proto3 left it out)."""
    values = np.array(field, dtype=np.uint64 if isinstance(mark, np.uint64) else np.int64)
    marks = np.flatnonzero(values == mark)
    if len(marks) != n:  # the mark value itself occurs in the data: not a profile
        raise ProfileError(f"a {what} is out of range: malformed profile", path)
    last = np.append(marks[1:], len(values)) - 1
    return np.where(last > marks, values[last], 0).astype(values.dtype)


_LINE_MARK = b"\x10" + b"\x80" * 9 + b"\x01"  # line = -2**63
_MAPPING_MARK = b"\x10" + b"\xff" * 9 + b"\x01"  # mapping_id = 2**64 - 1


def _line_numbers(raw_lines: list[bytes], path: str | Path) -> np.ndarray:
    """Line.line of every location line, decoded in one parse (only line reports need it)."""
    raw_lines = [ln for ln in raw_lines if ln]
    if not raw_lines:
        return np.zeros(0, np.int64)
    merged = batch_messages()["Line"]()
    merged.ParseFromString(_LINE_MARK + _LINE_MARK.join(raw_lines))
    return _after_marks(merged.line, -(2**63), len(raw_lines), "line number", path)


def _mapping_files(d: _Decoded, path: str | Path) -> list[str]:
    """Each location's mapping file, which pprof's filters match as well as names."""
    if not d.raw_locations:
        return []
    merged = batch_messages()["Location"]()
    merged.ParseFromString(_MAPPING_MARK + _MAPPING_MARK.join(d.raw_locations))
    ids = _after_marks(
        merged.mapping_id, np.uint64(2**64 - 1), len(d.raw_locations), "mapping", path
    )
    return [d.mappings.get(i, "") for i in ids.tolist()]


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


def _decode_locations(prof, raw: list[bytes], func_ids: np.ndarray, path: str | Path):
    m = batch_messages()
    if not raw:
        empty = np.zeros(0, np.int64)
        return np.zeros(0, np.uint64), np.zeros(1, np.int64), empty, empty, [], []
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
    lineidx = np.arange(len(funcs), dtype=np.int64)
    if (counts == 0).any():
        starts, funcs, lineidx, names = _address_frames(
            raw, counts, starts, funcs, len(func_ids), prof, path
        )
        return loc_ids, starts, funcs, lineidx, lines, names
    return loc_ids, starts, funcs, lineidx, lines, []


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
    lineidx = []
    new_starts = [0]
    for i, n in enumerate(counts):
        if n:
            out.append(funcs[starts[i] : starts[i] + n])
            lineidx.append(np.arange(starts[i], starts[i] + n, dtype=np.int64))
        else:
            loc = m["Location"]()
            loc.ParseFromString(raw[i])
            mapping = mappings.get(loc.mapping_id, "")
            names.append(f"[{Path(mapping).name}]" if mapping else "<unknown>")
            out.append(np.array([n_funcs + len(names) - 1], dtype=np.int64))
            lineidx.append(np.array([-1], dtype=np.int64))
        new_starts.append(new_starts[-1] + len(out[-1]))
    return (
        np.array(new_starts, dtype=np.int64),
        np.concatenate(out),
        np.concatenate(lineidx),
        names,
    )


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
    new_lineidx: list[np.ndarray] = []
    for i in range(n_locs):
        frames = d.loc_funcs[d.loc_start[i] : d.loc_start[i + 1]]
        lineidx = d.loc_lineidx[d.loc_start[i] : d.loc_start[i + 1]]
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
                frames, lineidx = frames[hit + 1 :], lineidx[hit + 1 :]
        new_frames.append(frames)
        new_lineidx.append(lineidx)
    d.loc_start = np.concatenate(([0], np.cumsum([len(f) for f in new_frames]))).astype(np.int64)
    d.loc_funcs = np.concatenate(new_frames) if new_frames else np.zeros(0, np.int64)
    d.loc_lineidx = np.concatenate(new_lineidx) if new_lineidx else np.zeros(0, np.int64)
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
    if types[default][1] in TIME_UNITS:
        return default
    timed = [i for i, (_, unit) in enumerate(types) if unit in TIME_UNITS]
    return timed[-1] if timed else None


def _count_index(types: list[tuple[str, str]]) -> int | None:
    counts = [i for i, (_, unit) in enumerate(types) if unit == "count"]
    return counts[0] if counts else None


def _language(files: list[str]) -> str:
    return "python" if ".py\n" in "\n".join(files) + "\n" else "go"


def _clock(types: list[tuple[str, str]], index: int | None, period_type) -> str:
    name = types[index][0] if index is not None else (period_type or ("", ""))[0]
    return "wall" if "wall" in name.lower() else "cpu"


def samples_of(d: _Decoded, path: str | Path) -> Samples:
    """The decoded profile as frames; line numbers and mappings are decoded on demand."""
    frame_sample, frame_func, frame_occ, frame_loc, line_pos = expand(
        d.smp_start, d.smp_locs, d.loc_start, d.loc_funcs
    )
    n_extra = len(d.func_names) - len(d.func_files)  # address pseudo-functions
    types = d.sample_types
    ns_idx = _time_index(types, d.default_index)

    def read_lines() -> np.ndarray:
        numbers = np.append(_line_numbers(d.raw_lines, path), 0)  # index -1: no line
        return numbers[d.loc_lineidx[line_pos]] if len(line_pos) else np.zeros(0, np.int64)

    return Samples(
        language=_language(d.func_files),
        sample_types=types,
        index=d.default_index,
        ns_index=ns_idx,
        ns_scale=TIME_UNITS.get(types[ns_idx][1], 1) if ns_idx is not None else 1,
        count_index=_count_index(types),
        values=d.values,
        names=d.func_names,
        files=d.func_files + [""] * n_extra,
        start_lines=np.append(
            np.asarray(d.func_lines, dtype=np.int64), np.zeros(n_extra, np.int64)
        ),
        frame_sample=frame_sample,
        frame_func=frame_func,
        frame_occ=frame_occ,
        frame_loc=frame_loc,
        symbolized=len(d.func_files),
        line_reader=read_lines,
        mapping_reader=lambda: _mapping_files(d, path),
    )


def parse(data: bytes, path: str | Path) -> schema.Profile:
    """Parse pprof bytes (gzip or raw) read from `path`."""
    d = _decode(decompress(data, path), path)
    if d.drop_frames:
        _prune(d, d.func_names)
    s = samples_of(d, path)
    g = Graph(s)
    types = s.sample_types
    clock = _clock(types, s.ns_index, d.period_type)
    total = s.total()
    functions = g.table("pprof", "sampling", clock, total)

    # the runtime keeps 64 frames with inlined calls expanded, so count frames, not locations;
    # a 64-frame stack that still reaches a thread's root was not cut
    n_samples = s.n_samples
    deep = (s.depth >= MAX_GO_STACK) if s.language == "go" else np.zeros(n_samples, bool)
    if deep.any():  # is the rootmost frame of a deep sample still a thread's root?
        roots = [i for i, name in enumerate(g.nodes.label) if name in _STACK_ROOTS]
        rootmost = s.first_frame[deep] + s.depth[deep] - 1
        deep[deep] = ~np.isin(g.nodes.of_frame[rootmost], roots)
    period_ns = None
    if d.period_type and d.period_type[1] in TIME_UNITS:
        period_ns = d.period * TIME_UNITS[d.period_type[1]]
    cnt = s.count_index
    lost = 0  # samples the runtime could not record, charged to one pseudo-function
    if cnt is not None and _LOST in g.nodes.label:
        lost = int(g.weights(cnt)[0][g.nodes.label.index(_LOST)])
    meta = schema.ProfileMeta(
        file=str(path),
        language=s.language,
        profiler="pprof",
        kind="sampling",
        clock=clock,
        sample_types=types,
        sample_type=f"{types[s.index][0]}/{types[s.index][1]}",
        period=d.period,
        period_type=d.period_type,
        period_ns=period_ns,
        duration_ns=d.duration_ns or None,
        start_unix_ns=d.time_ns or None,
        total_ns=s.total(s.ns_index) * s.ns_scale if s.ns_index is not None else 0,
        total_value=total,
        samples=int(d.values[:, cnt].sum()) if cnt is not None else n_samples,
        truncated_samples=int(d.values[deep, cnt].sum()) if cnt is not None else int(deep.sum()),
        lost_samples=lost,
        notes=list(d.comments),
    )
    return schema.Profile(
        meta=meta,
        functions=functions,
        edges=schema.empty(schema.EDGE_COLUMNS),
        samples=s,
        _stacks_builder=lambda: _stacks(d, g, deep),
        _inline_builder=g.inline_labels,
    )


def _stacks(d: _Decoded, g: Graph, deep: np.ndarray) -> pd.DataFrame:
    s = g.samples
    names = g.nodes.label
    of_frame = g.nodes.of_frame
    cnt, ns_idx = s.count_index, s.ns_index
    rows: dict[tuple, list[int]] = {}
    labels = d.labels or [""] * s.n_samples
    starts, ends = s.first_frame, s.first_frame + s.depth
    for j in range(s.n_samples):
        seg = of_frame[starts[j] : ends[j]]
        stack = tuple(names[k] for k in seg[::-1])
        key = (stack, labels[j], bool(deep[j]))
        acc = rows.setdefault(key, [0, 0])
        acc[0] += int(d.values[j, cnt]) if cnt is not None else 1
        acc[1] += int(d.values[j, ns_idx]) * s.ns_scale if ns_idx is not None else 0
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
