"""Pair the hot functions of a Go profile with those of the Python profiles.

Names differ by convention (main.countPrimes vs count_primes), so pairing
goes through the `key` column (snake_case bare name, package and receiver
stripped), with the exercise's explicit overrides applied first. Only user
code is paired; runtime, GC, stdlib and builtins are listed apart, because
they are where the two languages legitimately differ.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from .stats import wilson

# column prefix in the matches table for each profiler
PREFIX = {"pprof": "go", "py-spy": "pyspy", "cprofile": "cprofile", "cprofile-cpu": "cprofile_cpu"}
SAMPLERS_FIRST = ("py-spy", "cprofile", "cprofile-cpu")


def apply_overrides(functions: pd.DataFrame, overrides: Mapping[str, str]) -> pd.DataFrame:
    if not overrides:
        return functions
    out = functions.copy()
    mapped = out["function"].map(dict(overrides))
    out["key"] = mapped.fillna(out["key"]).astype("string")
    return out


def by_key(functions: pd.DataFrame, total_samples: int | None) -> pd.DataFrame:
    """One row per key of user code: shares summed over same-key functions, with intervals.

    Same-key rows (two Python classes' `run`) add their flat; cum takes the
    larger, since one may call the other and summing could pass 100%.
    """
    user = functions[functions["category"] == "user"]
    if user.empty:
        return pd.DataFrame(columns=["function", "flat_pct", "cum_pct", "flat_samples", "calls"])
    user = user.sort_values("flat_pct", ascending=False, kind="stable")
    grouped = user.groupby("key", sort=False, observed=True)
    table = pd.DataFrame(
        {
            "function": grouped["function"].first(),
            "flat_pct": grouped["flat_pct"].sum(),
            "cum_pct": grouped["cum_pct"].max(),
            "flat_samples": grouped["flat_samples"].sum(min_count=1),
            "cum_samples": grouped["cum_samples"].max(),
            "calls": grouped["calls"].sum(min_count=1),
        }
    )
    if total_samples:
        bounds = [wilson(float(k), total_samples) for k in table["flat_samples"].fillna(0)]
        table["flat_lo"] = [b[0] * 100 for b in bounds]
        table["flat_hi"] = [b[1] * 100 for b in bounds]
    return table


def match(
    tables: Mapping[str, pd.DataFrame],
    samples: Mapping[str, int | None],
    overrides: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """The matches table: one row per key found in Go and in at least one Python profile.

    `tables` maps a profiler name (pprof, cprofile, py-spy, ...) to its
    functions table; `samples` gives each sampling profile's sample count.
    """
    keyed = {
        name: by_key(apply_overrides(fn, overrides or {}), samples.get(name))
        for name, fn in tables.items()
    }
    if "pprof" not in keyed:
        return pd.DataFrame()
    go = keyed["pprof"]
    python_names = [p for p in SAMPLERS_FIRST if p in keyed]
    python_keys = (
        set().union(*(set(keyed[p].index) for p in python_names)) if python_names else set()
    )
    keys = [k for k in go.index if k in python_keys]
    rows = []
    for key in keys:
        row: dict = {"key": key, "go_function": go.at[key, "function"]}
        py_fn = next(
            (keyed[p].at[key, "function"] for p in python_names if key in keyed[p].index), ""
        )
        row["python_function"] = py_fn
        for name, table in keyed.items():
            pre = PREFIX.get(name, name)
            present = key in table.index
            row[f"{pre}_flat_pct"] = float(table.at[key, "flat_pct"]) if present else 0.0
            row[f"{pre}_cum_pct"] = float(table.at[key, "cum_pct"]) if present else 0.0
            if "flat_lo" in table:
                lo = float(table.at[key, "flat_lo"]) if present else 0.0
                hi = float(table.at[key, "flat_hi"]) if present else 0.0
                row[f"{pre}_flat_ci95"] = [lo, hi]
            if name.startswith("cprofile") and present and not pd.isna(table.at[key, "calls"]):
                row[f"{pre}_calls"] = int(table.at[key, "calls"])
        primary = python_names[0] if python_names else None
        if primary:
            pre = PREFIX[primary]
            row["python_profiler"] = primary
            row["python_flat_pct"] = row[f"{pre}_flat_pct"]
            row["python_cum_pct"] = row[f"{pre}_cum_pct"]
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in [c for c in out.columns if c.endswith("_calls")]:
        out[col] = out[col].astype("Int64")
    if not out.empty:
        out = out.sort_values("go_flat_pct", ascending=False, kind="stable").reset_index(drop=True)
    return out


def ranking(matches: pd.DataFrame) -> dict:
    """Do Go and Python agree on what is hot? Top function and Spearman rank correlation."""
    if matches.empty or "python_flat_pct" not in matches:
        return {"go_top": None, "python_top": None, "same_top": False, "spearman": None, "n": 0}
    go_top = matches.loc[matches["go_flat_pct"].idxmax(), "key"]
    py_top = matches.loc[matches["python_flat_pct"].idxmax(), "key"]
    rho = None
    if len(matches) >= 3:
        # Spearman = Pearson on ranks (pandas' method="spearman" would import scipy)
        value = matches["go_flat_pct"].rank().corr(matches["python_flat_pct"].rank())
        rho = None if pd.isna(value) else round(float(value), 3)
    return {
        "go_top": go_top,
        "python_top": py_top,
        "same_top": bool(go_top == py_top),
        "spearman": rho,
        "n": len(matches),
    }


def unmatched(tables: Mapping[str, pd.DataFrame], matched: set[str], limit: int = 5) -> dict:
    """Functions with no partner, grouped by category, hottest first."""
    out: dict = {}
    for name, fn in tables.items():
        rest = fn[~(fn["key"].isin(matched) & (fn["category"] == "user"))]
        rest = rest.sort_values("flat_pct", ascending=False, kind="stable")
        groups = {}
        for cat, group in rest.groupby("category", observed=True):
            if group.empty:
                continue
            groups[str(cat)] = {
                "functions": len(group),
                "flat_pct": round(float(group["flat_pct"].sum()), 2),
                "top": [
                    {"function": f, "flat_pct": round(float(p), 2)}
                    for f, p in zip(
                        group["function"].head(limit), group["flat_pct"].head(limit), strict=True
                    )
                ],
            }
        out[name] = groups
    return out
