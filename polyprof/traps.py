"""The classic profiling traps, detected from a run's data and explained.

Each warning has a stable code (graders and tests key on it) and a sentence a
learner can act on. Thresholds are chosen so that each trap exercise fires its
own warning while the intro exercise's default run fires none of them.
"""

from __future__ import annotations

import dataclasses
import math

import pandas as pd

from .schema import Profile
from .stability import top_functions
from .stats import samples_for_margin, wilson

MIN_SAMPLES = 1000
LOW_UTILIZATION = 0.7  # CPU seconds sampled per wall second of profiling
MIN_DURATION_NS = 200_000_000
OFF_CPU = 0.85  # plain run CPU/wall below this means real waiting
DISTORTION_POINTS = 20.0  # a tracer moving a share this far, or changing the top


@dataclasses.dataclass(frozen=True)
class Finding:
    code: str
    language: str
    profiler: str
    message: str

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


def no_samples(language: str, profiler: str) -> Finding:
    return Finding(
        "few_samples",
        language,
        profiler,
        "the profile holds no samples at all: the workload ran for less than one sampling "
        "period (10 ms of CPU at 100 Hz). Run a bigger workload.",
    )


def few_samples(profile: Profile, minimum: int = MIN_SAMPLES) -> Finding | None:
    m = profile.meta
    if m.kind != "sampling" or m.samples is None or m.samples >= minimum:
        return None
    if m.samples == 0:
        return no_samples(m.language, m.profiler)
    name, p = (top_functions(profile, 1) or [("", 0.0)])[0]
    lo, hi = wilson(p * m.samples, m.samples)
    return Finding(
        "few_samples",
        m.language,
        m.profiler,
        f"only {m.samples} samples: the top function {name or '(none)'} at {p:.0%} is only known "
        f"to lie between {lo:.0%} and {hi:.0%} (95%), and close functions' ranks are noise. "
        f"Pinning any share to ±2 points takes up to {samples_for_margin(0.5, 0.02):,} samples; "
        "run longer or merge more runs.",
    )


def low_cpu_utilization(
    profile: Profile, utilization: float | None, minimum: float = LOW_UTILIZATION
) -> Finding | None:
    """Fires when the program itself waits; time lost to a busy machine does not count.

    `utilization` is CPU time over (wall − run-queue wait) of the plain runs;
    the profile's own samples/duration would also drop on a contended machine.
    """
    m = profile.meta
    if m.language != "go" or m.kind != "sampling" or utilization is None:
        return None
    if (m.duration_ns or 0) < MIN_DURATION_NS:  # start-up noise dominates a tiny run
        return None
    if utilization >= minimum:
        return None
    coverage = m.total_ns / m.duration_ns
    return Finding(
        "low_cpu_utilization",
        m.language,
        m.profiler,
        f"the Go program was on a CPU for only {utilization:.0%} of its run, and its profile "
        f"holds {m.total_ns / 1e9:.2f} s of CPU samples over {m.duration_ns / 1e9:.2f} s "
        f"of profiling ({coverage:.0%}): it slept, waited or blocked for the rest, which a "
        "CPU profile cannot see. Use a wall-clock view (trace, block profile) to find it.",
    )


TITLES = {
    "pprof": "pprof",
    "py-spy": "py-spy",
    "cprofile": "cProfile",
    "cprofile-cpu": "cProfile (CPU clock)",
}


def clock_mismatch(profiles: dict[str, Profile], cpu_per_wall: float | None) -> Finding | None:
    """Fires only when the clocks would disagree: a wall-clock profile of a program that waits.

    `profiles` is keyed by variant (pprof, cprofile, cprofile-cpu, py-spy).
    """
    wall = [
        n for n, p in profiles.items() if p.meta.clock == "wall" and p.meta.language == "python"
    ]
    cpu = [n for n, p in profiles.items() if p.meta.clock == "cpu"]
    if not wall or not cpu or cpu_per_wall is None or cpu_per_wall >= OFF_CPU:
        return None
    tools = ", ".join(TITLES.get(n, n) for n in sorted(cpu))
    return Finding(
        "clock_mismatch",
        "python",
        wall[0],
        f"cProfile timed wall-clock time while {tools} count CPU time, and this program "
        f"spends {1 - cpu_per_wall:.0%} of its run off the CPU: cProfile charges that waiting "
        "to the functions that waited, the CPU profiles do not, so their columns disagree.",
    )


def _renormalised(matches: pd.DataFrame, column: str) -> pd.Series:
    """Shares over the matched user functions only.

    py-spy also sees interpreter start-up and imports, which cProfile (enabled
    around the workload) never does; comparing raw shares would blame the
    tracer for the sampler's extra frames.
    """
    total = matches[column].sum()
    return matches[column] / total * 100 if total else matches[column]


def _sampler_sure(matches: pd.DataFrame, first: str, second: str) -> bool:
    """Does py-spy rank `first` above `second` beyond its own 95% sampling intervals?"""
    if "pyspy_flat_ci95" not in matches:
        return True
    ci = matches.set_index("key")["pyspy_flat_ci95"]
    return bool(ci[first][0] > ci[second][1])


def profiler_distortion(
    matches: pd.DataFrame, ratio: float | None, tracer: str = "cprofile"
) -> Finding | None:
    """A tracer's shares far from a sampler's, by more than the sampler's own noise explains.

    `tracer` names the cProfile variant to judge; pick one on the same clock as
    py-spy (CPU), or the clocks' disagreement would be taken for distortion.
    """
    prefix = tracer.replace("-", "_")
    need = {f"{prefix}_flat_pct", "pyspy_flat_pct"}
    if matches.empty or not need <= set(matches.columns):
        return None
    shares = pd.DataFrame(
        {
            "key": matches["key"],
            "tracer": _renormalised(matches, f"{prefix}_flat_pct"),
            "sampler": _renormalised(matches, "pyspy_flat_pct"),
        }
    )
    diff = (shares["tracer"] - shares["sampler"]).abs()
    worst = shares.loc[diff.idxmax()]
    top_tracer = shares.loc[shares["tracer"].idxmax(), "key"]
    top_sampler = shares.loc[shares["sampler"].idxmax(), "key"]
    reordered = top_tracer != top_sampler and _sampler_sure(matches, top_sampler, top_tracer)
    if diff.max() < DISTORTION_POINTS and not reordered:
        return None
    name = TITLES.get(tracer, tracer)
    cost = "" if ratio is None or math.isnan(ratio) else f" (it made the run {ratio:.1f}x slower)"
    lead = (
        f"{name} puts {top_tracer} on top while py-spy puts {top_sampler} there; "
        if reordered
        else ""
    )
    return Finding(
        "profiler_distortion",
        "python",
        tracer,
        f"{lead}of the time in matched functions, {name} gives {worst['key']} "
        f"{worst['tracer']:.0f}%, py-spy {worst['sampler']:.0f}%. A tracer pays a fixed cost "
        f"on every call{cost}, so call-heavy functions look hotter than they are; trust the "
        "sampler's shares.",
    )


def truncated_stacks(profile: Profile) -> Finding | None:
    m = profile.meta
    if not m.truncated_samples or not m.samples:
        return None
    share = m.truncated_samples / m.samples
    return Finding(
        "truncated_stacks",
        m.language,
        m.profiler,
        f"{m.truncated_samples} of {m.samples} samples ({share:.0%}) hit Go's 64-frame stack "
        "limit: their outer frames (main.main and its callers) are cut off, so cum for "
        "outer functions is understated and a callee can show more cum than main.main.",
    )


def incomplete_profile(language: str, profiler: str, problem: str) -> Finding:
    fix = (
        "call `defer pprof.StopCPUProfile()` right after StartCPUProfile"
        if language == "go"
        else "call profiler.disable() and profiler.dump_stats(path) before exiting"
    )
    return Finding("incomplete_profile", language, profiler, f"{problem}. Fix: {fix}.")


def pyspy_unavailable(reason: str) -> Finding:
    return Finding(
        "pyspy_unavailable",
        "python",
        "py-spy",
        f"py-spy could not sample ({reason}); the report goes on without it. py-spy needs "
        "ptrace rights: run as root, or grant CAP_SYS_PTRACE / set kernel.yama.ptrace_scope=0.",
    )
