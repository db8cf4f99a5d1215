"""Folded stacks (`root;...;leaf count`), the text flamegraph.pl, inferno and speedscope read.

Those readers split frames on `;` and take the last ` <digits>` of a line as
the count, so a name may contain neither; counts are whole samples because
inferno and speedscope reject fractions.
"""

from __future__ import annotations

import re
from collections import Counter

from .stacks import UNKNOWN, Sampled

_TRAILING_NUMBER = re.compile(r"\s+(\d+)$")


def clean(name: str) -> str:
    """A frame name no folded reader can split or mistake for a count."""
    name = " ".join(name.replace(";", ":").split())
    return _TRAILING_NUMBER.sub(r"_\1", name) or UNKNOWN


def folded_lines(profile: Sampled) -> list[str]:
    """One line per distinct stack by name, heaviest first, so `head` shows the hot paths."""
    counts: Counter[str] = Counter()
    for frames, samples in profile.stacks:
        counts[";".join(clean(f.name) for f in frames) or UNKNOWN] += samples
    return [
        f"{stack} {count}"
        for stack, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def folded_text(profile: Sampled) -> str:
    return "".join(line + "\n" for line in folded_lines(profile))
