"""Is a ranking real? Per-round top functions and the samples a stable order needs.

A sampled share is a binomial estimate, so two close functions swap places
between short runs. Showing each round's winner beside the merged profile, and
the sample count at which the top two would stop swapping, turns "not enough
samples" from a slogan into a number.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from .schema import Profile
from .stats import samples_to_order


def top_functions(profile: Profile, n: int = 2) -> list[tuple[str, float]]:
    """The n hottest functions by flat share (user code when there is any), as fractions."""
    fn = profile.functions
    user = fn[fn["category"] == "user"]
    pool = user if not user.empty else fn
    best = pool.nlargest(n, "flat_pct")
    return [
        (str(f), float(p) / 100) for f, p in zip(best["function"], best["flat_pct"], strict=True)
    ]


def per_round(rounds: Mapping[tuple[str, str], Iterable[Profile]]) -> list[dict]:
    """One row per (language, profiler, round): that round's samples and its top function."""
    rows = []
    for (language, profiler), profiles in rounds.items():
        for r, prof in enumerate(profiles):
            top = top_functions(prof, 1)
            name, share = top[0] if top else ("", 0.0)
            rows.append(
                {
                    "language": language,
                    "profiler": profiler,
                    "round": r,
                    "samples": prof.meta.samples,
                    "top": name,
                    "top_flat_pct": round(share * 100, 2),
                }
            )
    return rows


def ordering(profiles: Mapping[str, Profile]) -> list[dict]:
    """For each sampled profile: its top two functions and the samples to tell them apart."""
    rows = []
    for prof in profiles.values():
        m = prof.meta
        top = top_functions(prof, 2)
        if m.kind != "sampling" or len(top) < 2:
            continue
        (first, p1), (second, p2) = top
        rows.append(
            {
                "language": m.language,
                "profiler": m.profiler,
                "first": first,
                "second": second,
                "first_pct": round(p1 * 100, 2),
                "second_pct": round(p2 * 100, 2),
                "samples": m.samples,
                "samples_needed": samples_to_order(p1, p2),
            }
        )
    return rows
