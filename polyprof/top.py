"""`invoke top`: one profile's functions, ordered and printed the way pprof does.

Row order follows pprof's SortNodes (|flat| desc, then name, then |cum|; with
--sort cum the first and last keys swap), so our text output can be read side
by side with `go tool pprof -top`. Tracing profiles get a calls column.
"""

from __future__ import annotations

import csv
import json
import sys
from typing import TextIO

import numpy as np
import pandas as pd

from . import schema
from .cli import warn
from .errors import PolyprofError
from .filter import Filters
from .load import load_profile
from .view import view

FORMATS = ("text", "csv", "json")
SORTS = ("flat", "cum")


def report_values(fn: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The numbers pprof sorts by: the report's sample type (ns for pstats and py-spy)."""
    if "value" in fn:
        return fn["value"].astype("int64"), fn["cum_value"].astype("int64")
    return fn["flat_ns"].fillna(0).astype("int64"), fn["cum_ns"].fillna(0).astype("int64")


def ordered(profile: schema.Profile, sort: str = "flat") -> pd.DataFrame:
    """Functions in pprof's row order, with sum% (running |flat| share) added."""
    if sort not in SORTS:
        raise PolyprofError(f"--sort must be one of {', '.join(SORTS)}, not '{sort}'")
    fn = profile.functions
    flat, cum = (v.to_numpy() for v in report_values(fn))
    name_rank = pd.factorize(names(fn).to_numpy(dtype=object), sort=True)[0]
    first, last = (flat, cum) if sort == "flat" else (cum, flat)
    order = np.lexsort((-np.abs(last), name_rank, -np.abs(first)))  # last key sorts first
    rows = fn.take(order).reset_index(drop=True)
    total = profile.meta.total_value or 1
    rows["sum_pct"] = np.abs(np.cumsum(flat[order])) / total * 100
    return rows


def names(rows: pd.DataFrame) -> pd.Series:
    """The names a report prints: "fn file:line" at line granularity, else the function."""
    return rows["label"] if "label" in rows else rows["function"]


def percent(value: float) -> str:
    """pprof's measurement.Percentage, padding included: '  100%', '37.24%', ' 0.51%'."""
    if 99.95 <= abs(value) <= 100.05:
        return "  100%"
    if abs(value) >= 1:
        return f"{abs(value):5.2f}%"
    return f"{abs(value):5.2g}%"


# pprof's time units (measurement.go): no minutes, so 240 s prints as 240.36s
_UNITS = (("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("hrs", 3_600 * 10**9))


def _auto_unit(ns: int) -> tuple[str, int]:
    """The largest unit in which |ns| is at least 1 (pprof's autoScale); seconds for 0."""
    fitting = [u for u in _UNITS if abs(ns) >= u[1]]
    return fitting[-1] if fitting else ("s", 1_000_000_000)


def label(value: float, unit: tuple[str, int]) -> str:
    """pprof's ScaledLabel: two decimals, only an exact '.00' trimmed; zero prints as 0."""
    text = f"{value / unit[1]:.2f}".removesuffix(".00")
    return "0" if text in ("0", "-0") else text + unit[0]


def duration(ns: int) -> str:
    return label(ns, _auto_unit(ns))


def output_unit(values_ns: list[int], total_ns: int) -> tuple[str, int]:
    """pprof's selectOutputUnit: the smallest value's unit, unless 100x it reaches a bigger one.

    Every row of a report uses this one unit, so columns compare by eye.
    """
    smallest = min((abs(v) for v in values_ns if v), default=0) or abs(total_ns)
    unit = _auto_unit(smallest)
    if unit != _auto_unit(total_ns) and smallest * 100 < abs(total_ns):
        unit = _auto_unit(100 * smallest)
    return unit


def _formatter(profile: schema.Profile, flat: list[int], cum: list[int]):
    """One formatter for a whole report, in the report's sample unit, as pprof does."""
    per = schema.ns_per_unit(profile.meta.sample_type)
    if per is None:
        return lambda v: label(v, ("", 1))
    # pprof takes each node's |flat|, or its |cum| when flat is zero
    smallest = [f if f else c for f, c in zip(flat, cum, strict=True)]
    unit = output_unit([v * per for v in smallest], profile.meta.total_value * per)
    return lambda v: label(v * per, unit)


def header(profile: schema.Profile, cell) -> list[str]:
    m = profile.meta
    lines = [
        f"File: {m.file}",
        f"Type: {m.sample_type.split('/')[0]} ({m.profiler}, {m.kind}, {m.clock} clock)",
    ]
    total = cell(m.total_value)
    if m.samples is not None and m.duration_ns:
        share = f" ({percent(m.total_ns / m.duration_ns * 100)})" if m.total_ns else " "
        lines.append(f"Duration: {duration(m.duration_ns)}, Total samples = {total}{share}")
    elif m.samples is not None:
        lines.append(f"Total samples = {total}")
    else:
        lines.append(
            f"{m.total_calls} function calls ({m.primitive_calls} primitive calls) in {total}"
        )
    if m.active_filters:
        lines.append("Active filters:")
        lines.extend(f"   {f[:80]}…" if len(f) > 80 else f"   {f}" for f in m.active_filters)
    return lines


def render_text(profile: schema.Profile, rows: pd.DataFrame, n_all: int) -> str:
    """The rows and header lines of `go tool pprof -top`, byte for byte, plus calls for pstats."""
    flat, cum = (v.tolist() for v in report_values(rows))
    tracing = profile.meta.kind == "tracing"
    shown = sum(flat)
    total_value = profile.meta.total_value
    cell = _formatter(profile, flat, cum)
    out = header(profile, cell)
    out.append(
        f"Showing nodes accounting for {cell(shown)}, "
        f"{percent(_share(shown, total_value)).strip()} of {cell(total_value)} total"
    )
    if len(rows) < n_all:
        out.append(f"Showing top {len(rows)} nodes out of {n_all}")
    calls_head = f" {'calls':>12}" if tracing else ""
    out.append(f"{'flat':>10} {'flat%':>6} {'sum%':>6} {'cum':>10} {'cum%':>6}{calls_head}")
    inline = profile.inline
    running = 0
    printed = names(rows).tolist()
    for i, r in enumerate(rows.itertuples(index=False)):
        running += flat[i]
        calls = ""
        if tracing:
            calls = f" {calls_text(r.calls, r.primitive_calls):>12}"
        out.append(
            f"{cell(flat[i]):>10} {percent(r.flat_pct)} {percent(_share(running, total_value))} "
            f"{cell(cum[i]):>10} {percent(r.cum_pct)}{calls}  {printed[i]}{_suffix(inline, printed[i])}"
        )
    return "\n".join(out) + "\n"


def calls_text(nc, cc) -> str:
    """pstats' call count: "nc", or "nc/cc" when recursion made them differ; NA prints nothing."""
    if nc is None or pd.isna(nc):
        return ""
    return str(nc) if cc is None or pd.isna(cc) or nc == cc else f"{nc}/{cc}"


def _suffix(inline: dict[str, str], name: str) -> str:
    return f" {inline[name]}" if name in inline else ""


def _share(value: int, total: int) -> float:
    return abs(value / total) * 100 if total else 0.0


def export_columns(rows: pd.DataFrame) -> pd.DataFrame:
    extra = [c for c in rows.columns if c not in schema.FUNCTION_COLUMNS]
    return rows[list(schema.FUNCTION_COLUMNS) + extra]


def _cells(column: pd.Series) -> list[str] | None:
    """A column as the cells DataFrame.to_csv(index=False) writes, quoted where csv would.

    Numbers and categories are formatted once per distinct value and spread
    back by index: a profile's numbers repeat (large.cpu's 23k rows hold at
    most a few hundred distinct values a column), and formatting each cell was
    most of the time. The formatting is pandas' own: floats through numpy's
    astype(str), integers through str, NA as an empty cell. None means a dtype
    we do not mirror.
    """
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        names = _cells(pd.Series(dtype.categories, dtype=object))
        if names is None:
            return None
        # NA has code -1, which picks the empty cell appended last
        return np.array([*names, ""], dtype=object)[column.cat.codes.to_numpy()].tolist()
    if isinstance(dtype, np.dtype) and dtype.kind in "fiu":
        values = column.to_numpy()
        missing = np.isnan(values) if dtype.kind == "f" else None
    elif pd.api.types.is_integer_dtype(dtype) and hasattr(dtype, "numpy_dtype"):
        missing = column.isna().to_numpy()  # Int64 and friends
        values = column.to_numpy(dtype=dtype.numpy_dtype, na_value=0)
    else:
        cells = column.to_numpy(dtype=object, na_value="").tolist()
        if not isinstance(dtype, pd.StringDtype) and any(type(c) is not str for c in cells):
            return None  # booleans, objects: pandas formats those its own way
        special = ',"\r\n'  # csv quotes only cells holding one of these
        joined = "".join(cells)
        if not any(ch in joined for ch in special):
            return cells
        import io

        sink = io.StringIO()
        writer = csv.writer(sink, lineterminator="\n")
        for i, cell in enumerate(cells):
            if any(ch in cell for ch in special):
                sink.seek(0)
                sink.truncate()
                writer.writerow((cell, ""))  # two fields: a lone empty one would print as ""
                cells[i] = sink.getvalue()[:-2]  # csv's quoting, less ",\n"
        return cells
    # bit patterns, not values, tell floats apart: -0.0 and 0.0 print differently
    keys = values.view(f"u{values.dtype.itemsize}") if dtype.kind == "f" else values
    where, distinct = pd.factorize(keys)
    if dtype.kind == "f":
        text = distinct.view(values.dtype).astype(str).astype(object)
    else:
        text = np.array([str(v) for v in distinct.tolist()], dtype=object)
    cells = text[where]
    if missing is not None:
        cells[missing] = ""
    return cells.tolist()


def write_csv(table: pd.DataFrame, out: TextIO) -> None:
    """The same bytes as DataFrame.to_csv(index=False), in a fraction of its time.

    pandas formats extension dtypes (Int64, string, category) cell by cell
    through slow paths, and csv.writer then looks at every cell again; on a
    23k-row profile that was a third of `invoke top`. We format each column
    once (see _cells) and join the rows; a table we do not mirror exactly
    (odd dtypes or labels, fewer than two columns) goes to pandas.
    """
    labels = list(table.columns)
    columns = [_cells(column) for _, column in table.items()]
    header = _cells(pd.Series(labels, dtype=object))
    if len(labels) < 2 or header is None or any(cells is None for cells in columns):
        table.to_csv(out, index=False, lineterminator="\n")
        return
    out.write(",".join(header) + "\n")
    if len(table):
        out.write("\n".join(map(",".join, zip(*columns, strict=True))) + "\n")


def check_output(fmt: str, nodecount: int) -> None:
    """The output options every table report takes, checked before any file is read."""
    if fmt not in FORMATS:
        raise PolyprofError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'")
    if nodecount < 0:
        raise PolyprofError("--nodecount must be 0 (all rows) or a positive number")


def shown_rows(profile: schema.Profile, sort: str, nodecount: int) -> pd.DataFrame:
    """The rows a report prints: pprof's order, cut to --nodecount when one is given."""
    rows = ordered(profile, sort)
    return rows.head(nodecount) if nodecount else rows


def write_rows(
    profile: schema.Profile, rows: pd.DataFrame, fmt: str, out: TextIO, **extra_meta: dict
) -> None:
    """csv or json of a report's rows; json carries the profile's metadata (and `extra_meta`)."""
    if fmt == "csv":
        write_csv(export_columns(rows), out)
        return
    records = json.loads(export_columns(rows).to_json(orient="records", double_precision=15))
    json.dump({"meta": profile.meta.as_dict(), **extra_meta, "functions": records}, out, indent=1)
    out.write("\n")


def run_top(
    path: str,
    fmt: str = "text",
    nodecount: int = 0,
    sort: str = "flat",
    out: TextIO = sys.stdout,
    granularity: str = "functions",
    filters: Filters | None = None,
    relative: bool = False,
) -> schema.Profile:
    check_output(fmt, nodecount)
    loaded = load_profile(path)
    if loaded.functions.empty:
        warn(path, "the profile holds zero samples")
    profile, warnings = view(loaded, granularity, filters, relative)
    warn(path, *warnings)
    rows = shown_rows(profile, sort, nodecount)
    if fmt == "text":
        out.write(render_text(profile, rows, len(profile.functions)))
    else:
        write_rows(profile, rows, fmt, out)
    return profile
