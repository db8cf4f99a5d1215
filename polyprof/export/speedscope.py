"""One speedscope file with every sampled profile over one shared frame table.

speedscope shows the profiles as tabs; a frame both profiles use (never, in
practice, across languages) is stored once. Weights are nanoseconds of the
profile's clock and always positive, because speedscope rejects zero or
negative sample weights.
"""

from __future__ import annotations

from typing import Any

from .stacks import UNKNOWN, Frame, Sampled

SCHEMA_URL = "https://www.speedscope.app/file-format-schema.json"


def speedscope(profiles: list[Sampled], name: str, exporter: str) -> dict[str, Any]:
    index: dict[Frame, int] = {}

    def frame_id(frame: Frame) -> int:
        return index.setdefault(frame, len(index))

    out_profiles = []
    for profile in profiles:
        # without a known period the weights are plain sample counts
        unit, weight = ("nanoseconds", profile.period_ns) if profile.period_ns > 0 else ("none", 1)
        samples, weights = [], []
        for frames, count in profile.stacks:
            samples.append([frame_id(f) for f in frames or (Frame(UNKNOWN),)])
            weights.append(count * weight)
        out_profiles.append(
            {
                "type": "sampled",
                "name": f"{profile.title}, {profile.clock} time",
                "unit": unit,
                "startValue": 0,
                "endValue": sum(weights),
                "samples": samples,
                "weights": weights,
            }
        )
    frames = [
        {
            "name": f.name,
            **({"file": f.file} if f.file else {}),
            **({"line": f.line} if f.line else {}),
        }
        for f in index
    ]
    return {
        "$schema": SCHEMA_URL,
        "name": name,
        "exporter": exporter,
        "activeProfileIndex": 0,
        "shared": {"frames": frames},
        "profiles": out_profiles,
    }
