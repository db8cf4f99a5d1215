"""A sampled profile written as gzip profile.proto, for `go tool pprof` and every pprof reader.

The sample types match a Go CPU profile (samples/count, cpu/nanoseconds, period
cpu/nanoseconds) so pprof can merge or diff the two. py-spy without --idle only
records threads that are running, which is close to CPU time but not equal to
it (a thread waiting on the GIL is running for py-spy); a recording with
--idle is labelled wall. Every sample carries the label lang=<language>, so a
merged Go+Python profile can be split with `go tool pprof -tagroot=lang`.
"""

from __future__ import annotations

import gzip
from collections.abc import Sequence

from ..proto import messages
from .stacks import UNKNOWN, Frame, Sampled


class _Strings:
    """pprof's string table: index 0 is always the empty string."""

    def __init__(self) -> None:
        self.table: list[str] = [""]
        self._index: dict[str, int] = {"": 0}

    def __call__(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.table)
            self.table.append(text)
        return self._index[text]


def pprof_bytes(profile: Sampled, comments: Sequence[str] = ()) -> bytes:
    m = messages()
    s = _Strings()
    out = m["Profile"]()
    out.sample_type.add(type=s("samples"), unit=s("count"))
    out.sample_type.add(type=s(profile.clock), unit=s("nanoseconds"))
    out.default_sample_type = s(profile.clock)
    out.period_type.type = s(profile.clock)
    out.period_type.unit = s("nanoseconds")
    out.period = profile.period_ns
    # one mapping that already has symbols, so pprof neither looks for a binary nor symbolizes
    out.mapping.add(
        id=1,
        filename=s(profile.language),
        has_functions=True,
        has_filenames=True,
        has_line_numbers=True,
    )

    functions: dict[tuple[str, str, int], int] = {}
    locations: dict[Frame, int] = {}

    def location_id(frame: Frame) -> int:
        if frame not in locations:
            fkey = (frame.name, frame.file, frame.line)
            if fkey not in functions:
                functions[fkey] = len(functions) + 1
                out.function.add(
                    id=functions[fkey],
                    name=s(frame.name),
                    system_name=s(frame.name),
                    filename=s(frame.file),
                    start_line=frame.line,
                )
            locations[frame] = len(locations) + 1
            loc = out.location.add(id=locations[frame], mapping_id=1)
            loc.line.add(function_id=functions[fkey], line=frame.line)
        return locations[frame]

    lang_key, lang_value = s("lang"), s(profile.language)
    for frames, count in profile.stacks:
        sample = out.sample.add()
        sample.location_id.extend(location_id(f) for f in reversed(frames or (Frame(UNKNOWN),)))
        sample.value.extend([count, count * profile.period_ns])
        sample.label.add(key=lang_key, str=lang_value)
    out.comment.extend(s(c) for c in comments)
    out.string_table.extend(s.table)
    return gzip.compress(out.SerializeToString(), mtime=0)
