"""What a report shows: one profile at a granularity, after pprof's filters.

Every drill-down report (top, peek, list, diff) starts here, so they agree
on what a node is and on the percent denominator: the unfiltered total, as
in pprof, unless --relative asks for the filtered one.
"""

from __future__ import annotations

import dataclasses

from . import schema
from .errors import PolyprofError
from .filter import Filters, apply
from .graph import GRANULARITIES, Graph


def sampled(profile: schema.Profile, what: str):
    """The profile's samples, or one clear error for a tracing profile."""
    if profile.samples is None:
        raise PolyprofError(
            f"{profile.meta.file}: {what} needs a sampling profile (pprof or py-spy); "
            f"{profile.meta.profiler} data has one row per function and no stacks",
        )
    return profile.samples


def view(
    profile: schema.Profile,
    granularity: str = "functions",
    filters: Filters | None = None,
    relative: bool = False,
) -> tuple[schema.Profile, list[str]]:
    """The profile as a report sees it, and a warning per filter that matched nothing.

    Its `samples` are the filtered ones, so peek and list can build their own graph.
    """
    if granularity not in GRANULARITIES:
        raise PolyprofError(
            f"--granularity must be one of {', '.join(GRANULARITIES)}, not '{granularity}'"
        )
    filters = filters or Filters()
    if profile.samples is None:
        if granularity != "functions" or filters.active():
            what = f"--granularity {granularity}" if granularity != "functions" else "filtering"
            sampled(profile, what)
        return profile, []
    if granularity == "functions" and not filters.active():
        return profile, []
    samples, warnings = apply(profile.samples, filters)
    graph = Graph(samples, granularity)
    meta = profile.meta
    total = samples.total() if relative else meta.total_value
    total_ns = meta.total_ns
    if relative and samples.ns_index is not None:
        total_ns = samples.total(samples.ns_index) * samples.ns_scale
    shown = dataclasses.replace(
        meta, total_value=total, total_ns=total_ns, active_filters=filters.active()
    )
    table = graph.table(meta.profiler, meta.kind, meta.clock, total)
    out = schema.Profile(
        meta=shown,
        functions=table,
        edges=schema.empty(schema.EDGE_COLUMNS),
        samples=samples,
        _inline_builder=graph.inline_labels,
    )
    return out, warnings
