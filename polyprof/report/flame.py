"""Flame graphs as plotly icicles, coloured so a matched function looks the same in both languages.

An icicle with its y axis flipped is a flame graph: the root is the bottom
bar, each bar's width is the share of samples whose stack passes through it,
and callees sit on top of their callers. Siblings are sorted by name, as in
flamegraph.pl, so x order means nothing.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Iterable

import plotly.graph_objects as go

from ..export.stacks import UNKNOWN, Frame, Sampled

# Distinct, colour-blind-friendly hues for matched keys (Okabe-Ito, then Tableau).
PALETTE = (
    "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7",
    "#4E79A7", "#F28E2B", "#59A14F", "#EDC948", "#B07AA1", "#FF9DA7", "#9C755F",
)  # fmt: skip
UNMATCHED = "#c8c8c8"
ROOT = "#efefef"
MAX_NODES = 3000  # beyond this, the thinnest bars (invisible anyway) are merged away
VISIBLE_SHARE = 0.005  # stacks thinner than this do not set the graph's height
MAX_LEVELS = 32  # levels drawn at once; deeper ones appear when a bar is clicked
LEVEL_PX = 17


@dataclasses.dataclass(frozen=True)
class FlameTree:
    ids: list[str]
    labels: list[str]
    parents: list[str]
    values: list[int]
    frames: list[Frame | None]  # None for the root
    depth: int  # of the deepest bar at least VISIBLE_SHARE wide


def palette(keys: Iterable[str]) -> dict[str, str]:
    """One colour per matched key, in match order (hottest first gets the first hue)."""
    unique = list(dict.fromkeys(keys))
    return {k: PALETTE[i % len(PALETTE)] for i, k in enumerate(unique)}


def flame_tree(profile: Sampled, root_label: str) -> FlameTree:
    """Bars keyed by their path of frames (name and file), so `<module>` of two files stay apart."""
    paths: Counter[tuple[Frame, ...]] = Counter()
    for frames, count in profile.stacks:
        path = frames or (Frame(UNKNOWN),)
        for i in range(1, len(path) + 1):
            paths[path[:i]] += count
    total = profile.samples
    floor = sorted(paths.values(), reverse=True)[MAX_NODES] if len(paths) > MAX_NODES else 0
    kept = sorted((p for p, v in paths.items() if v > floor), key=lambda p: [f.name for f in p])
    index = {p: str(i + 1) for i, p in enumerate(kept)}
    index[()] = "0"
    return FlameTree(
        ids=["0"] + [index[p] for p in kept],
        labels=[root_label] + [p[-1].name for p in kept],
        parents=[""] + [index[p[:-1]] for p in kept],
        values=[total] + [paths[p] for p in kept],
        frames=[None, *(p[-1] for p in kept)],
        depth=max((len(p) for p in kept if paths[p] >= VISIBLE_SHARE * total), default=0),
    )


def flame_figure(
    tree: FlameTree, colour_of: Callable[[Frame], str | None], height: int, title: str
) -> go.Figure:
    """`colour_of` gives a frame's colour, or None for the grey of unmatched frames."""
    colours = [ROOT] + [colour_of(f) or UNMATCHED for f in tree.frames[1:]]
    fig = go.Figure(
        go.Icicle(
            ids=tree.ids,
            labels=tree.labels,
            parents=tree.parents,
            values=tree.values,
            branchvalues="total",
            sort=False,
            maxdepth=min(tree.depth + 1, MAX_LEVELS),
            marker={"colors": colours, "line": {"width": 0.5, "color": "#ffffff"}},
            tiling={"orientation": "v", "flip": "y", "pad": 0},
            textinfo="label",
            insidetextfont={"size": 11},
            customdata=[f.file if f else "" for f in tree.frames],
            hovertemplate=(
                "<b>%{label}</b> %{customdata}<br>%{value} samples, %{percentRoot:.1%} of all"
                "<br>%{percentParent:.1%} of its caller<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        title={"text": title, "x": 0.01, "font": {"size": 15}},
        height=height,
        margin={"l": 4, "r": 4, "t": 40, "b": 4},
        uniformtext={"minsize": 9, "mode": "hide"},
    )
    return fig


def flame_height(*trees: FlameTree) -> int:
    """One height for both graphs, so equal depths line up side by side."""
    levels = min(max((t.depth for t in trees), default=0) + 1, MAX_LEVELS)
    return max(360, 40 + LEVEL_PX * levels)
