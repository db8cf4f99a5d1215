"""The one data model every parser produces and every later stage reads.

Column names, dtypes and meanings are a contract (../DESIGN.md): graders and
users read `functions.csv` directly, so a parser may add columns but never
rename or retype these.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import sysconfig
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from .samples import Samples

LANGUAGES = ("go", "python")
PROFILERS = ("pprof", "cprofile", "profile", "py-spy")
KINDS = ("sampling", "tracing")
CLOCKS = ("cpu", "wall")
CATEGORIES = ("user", "stdlib", "runtime", "builtin")

# time units of pprof sample types, in nanoseconds
TIME_UNITS = {
    "nanoseconds": 1,
    "ns": 1,
    "microseconds": 1_000,
    "us": 1_000,
    "milliseconds": 1_000_000,
    "ms": 1_000_000,
    "seconds": 1_000_000_000,
    "s": 1_000_000_000,
}


def ns_per_unit(sample_type: str) -> int | None:
    """Nanoseconds in one unit of a sample type ("cpu/nanoseconds", "wall/microseconds" or
    the bare unit), or None for a type that is no time (counts, bytes)."""
    return TIME_UNITS.get(sample_type.rsplit("/", 1)[-1])


FUNCTION_COLUMNS: dict[str, str] = {
    "language": "category",
    "profiler": "category",
    "kind": "category",
    "clock": "category",
    "function": "string",
    "file": "string",
    "line": "Int64",
    "key": "string",
    "category": "category",
    "flat_ns": "Int64",
    "cum_ns": "Int64",
    "flat_pct": "float64",
    "cum_pct": "float64",
    "flat_samples": "Int64",
    "cum_samples": "Int64",
    "calls": "Int64",
    "primitive_calls": "Int64",
}

STACK_COLUMNS: dict[str, str] = {
    "stack": "object",  # tuple of function names, root first
    "depth": "Int64",
    "samples": "Int64",
    "value_ns": "Int64",
    "labels": "string",  # "k=v;k2=v2", sorted, empty when unlabelled
    "truncated": "bool",
}

EDGE_COLUMNS: dict[str, str] = {
    "caller": "string",
    "caller_file": "string",
    "caller_line": "Int64",
    "callee": "string",
    "callee_file": "string",
    "callee_line": "Int64",
    "calls": "Int64",
    "primitive_calls": "Int64",
    "flat_ns": "Int64",
    "cum_ns": "Int64",
}


def frame(columns: Mapping[str, Any], dtypes: Mapping[str, str]) -> pd.DataFrame:
    """Build a table with exactly the contract dtypes, whatever the inputs were.

    Columns that already have their dtype (see `constant`, `missing`) are kept
    as they are, which is what keeps a 23k-row table cheap to build.
    """
    df = pd.DataFrame({name: columns[name] for name in dtypes})
    for name, dtype in dtypes.items():
        if dtype == "object" or df[name].dtype == dtype:
            continue
        df[name] = df[name].astype(dtype)
    extra = {k: v for k, v in columns.items() if k not in dtypes}
    for name, values in extra.items():
        df[name] = values
    return df


def constant(value: str, n: int) -> pd.Categorical:
    """A category column holding one value n times."""
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[value])


def missing(n: int) -> pd.api.extensions.ExtensionArray:
    """An Int64 column of n NAs (a number this profiler does not measure)."""
    return pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), np.ones(n, dtype=bool))


def empty(dtypes: Mapping[str, str]) -> pd.DataFrame:
    return frame({name: [] for name in dtypes}, dtypes)


@dataclasses.dataclass
class ProfileMeta:
    """What a reader needs to judge a profile: which tool, which clock, how much data."""

    file: str
    language: str
    profiler: str
    kind: str
    clock: str
    sample_types: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    sample_type: str = ""  # the type reported in *_ns (pprof's default or last)
    period: int | None = None
    period_type: tuple[str, str] | None = None
    period_ns: int | None = None
    duration_ns: int | None = None
    start_unix_ns: int | None = None
    total_ns: int = 0  # sum of |time| over samples, in ns
    total_value: int = 0  # the percent denominator, in the sample_type's unit
    samples: int | None = None  # number of samples (sampling) ; None for tracing
    total_calls: int | None = None
    primitive_calls: int | None = None
    truncated_samples: int = 0
    lost_samples: int = 0
    runtime_version: str | None = None
    tool_version: str | None = None
    merged_from: int = 1
    active_filters: list[str] = dataclasses.field(default_factory=list)  # "focus=re", ...
    notes: list[str] = dataclasses.field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class Profile:
    """One parsed profile: metadata plus the three normalized tables.

    `stacks` is built on first use because the functions table alone must be
    fast on large files, and most callers never need the stacks.
    """

    meta: ProfileMeta
    functions: pd.DataFrame
    edges: pd.DataFrame
    samples: Samples | None = None  # sampling profiles: the frames every report is built from
    _stacks_builder: Any = dataclasses.field(default=None, repr=False)
    _inline_builder: Any = dataclasses.field(default=None, repr=False)

    @cached_property
    def stacks(self) -> pd.DataFrame:
        if self._stacks_builder is None:
            return empty(STACK_COLUMNS)
        return self._stacks_builder()

    @cached_property
    def inline(self) -> dict[str, str]:
        """pprof's row suffix by function: "(inline)" when every call into it was
        inlined, "(partial-inline)" when some were; absent otherwise. Built on
        first use: only the text report needs it."""
        return {} if self._inline_builder is None else self._inline_builder()


# --- match keys ---------------------------------------------------------------------------

_CAMEL_1 = re.compile(r"(.)([A-Z][a-z]+)")
_CAMEL_2 = re.compile(r"([a-z0-9])([A-Z])")
_CLOSURE = re.compile(r"^(func|gowrap|deferwrap)\d+$|^\d+$")
_BRACKETS = re.compile(r"\[[^\[\]]*\]")


@functools.lru_cache(maxsize=1 << 16)
def snake(name: str) -> str:
    """camelCase and PascalCase to snake_case, so Go and Python spellings meet."""
    return _CAMEL_2.sub(r"\1_\2", _CAMEL_1.sub(r"\1_\2", name)).lower()


def strip_generics(name: str) -> str:
    if "[" not in name:
        return name
    prev = None
    while prev != name:
        prev, name = name, _BRACKETS.sub("", name)
    return name


def go_package(name: str) -> str:
    """The import path of a Go symbol: everything before the first '.' after the last '/'."""
    bare = strip_generics(name)
    dot = bare.find(".", bare.rfind("/") + 1)
    return bare[:dot] if dot > 0 else ""


@functools.lru_cache(maxsize=1 << 16)
def _go_rest_key(rest: str) -> str:
    parts = [p for p in rest.removesuffix("-fm").split(".") if p and p[0] != "("]
    if not parts:
        return snake(rest)
    if len(parts) > 1 and _CLOSURE.match(parts[-1]):
        return ".".join(snake(p) for p in parts)
    return snake(parts[-1])


def go_key(name: str) -> str:
    bare = strip_generics(name)
    dot = bare.find(".", bare.rfind("/") + 1)
    rest = bare[dot + 1 :] if dot > 0 else bare
    # closures differ only by number; key the stem once and reattach the number
    stem, sep, tail = rest.rpartition(".")
    if sep and tail[:4] == "func" and tail[4:].isdigit():
        return f"{_go_rest_key(stem + '.func0')[:-1]}{tail[4:]}"
    return _go_rest_key(rest)


_PSTATS_BUILTIN = re.compile(r"^[{<]built-in method (?P<name>[^>}]+)[>}]$")
_PSTATS_METHOD = re.compile(r"^[{<]method '(?P<meth>[^']+)' of '(?P<cls>[^']+)' objects[>}]$")


def python_key(name: str) -> str:
    builtin = _PSTATS_BUILTIN.match(name)
    if builtin:
        return builtin["name"].rsplit(".", 1)[-1].lower()
    method = _PSTATS_METHOD.match(name)
    if method:
        return f"{method['cls'].rsplit('.', 1)[-1]}.{method['meth']}".lower()
    if name.startswith("<"):  # <module>, <lambda>, <genexpr>
        return name
    return snake(name.rsplit(".", 1)[-1])


def match_key(name: str, language: str) -> str:
    return go_key(name) if language == "go" else python_key(name)


# --- categories ---------------------------------------------------------------------------

_GO_RUNTIME = re.compile(r"^(runtime|internal/runtime/.*|runtime/internal/.*)$")


def go_category(name: str) -> str:
    pkg = go_package(name)
    if (
        name.startswith("runtime.")
        or _GO_RUNTIME.match(pkg)
        or name == "runtime/pprof.lostProfileEvent"
    ):
        return "runtime"
    if pkg == "main" or "." in pkg.split("/", 1)[0]:
        return "user"
    if not pkg:
        return "runtime" if name.startswith("0x") or name.startswith("[") else "user"
    return "stdlib"


def _stdlib_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple({paths["stdlib"], paths["platstdlib"]})


_STDLIB_PATH = re.compile(r"/lib/python3\.\d+/(?!site-packages/|dist-packages/)")


def python_category(name: str, file: str) -> str:
    if file == "~" or name.startswith("{built-in") or name.startswith("<built-in"):
        return "builtin"
    if file.startswith("<frozen") or _STDLIB_PATH.search(file) or file.startswith(_stdlib_dirs()):
        return "stdlib"
    return "user"


def category(name: str, file: str, language: str) -> str:
    return go_category(name) if language == "go" else python_category(name, file)


@functools.lru_cache(maxsize=1 << 14)
def _go_stem_facts(stem: str) -> tuple[str, str]:
    probe = stem + "0"
    return go_key(probe), go_category(probe)


_GO_FACTS: dict[str, tuple[str, str]] = {}  # name -> (key, category), for this process


def _go_facts(names: list[str]) -> tuple[list[str], list[str]]:
    """Keys and categories of Go names, computed once per name stem and kept per name.

    Generated code (closures func1..funcN, numbered helpers) makes thousands of
    names that differ only in trailing digits. Neither rule looks at a digit
    run at the end of a name except to copy it, so the stem's answer with the
    digits put back is the name's answer, at a dict lookup's cost. Answers are
    kept per name, so the next profile of the same program (compare loads
    one per round) pays only the lookups.
    """
    new = [n for n in dict.fromkeys(names) if n not in _GO_FACTS]
    stems = [n.rstrip("0123456789") for n in new]
    facts = {stem: _go_stem_facts(stem) for stem in set(stems) if stem}
    for name, stem in zip(new, stems, strict=True):
        fact = facts.get(stem)
        if fact is None or len(stem) == len(name) or not fact[0].endswith("0"):
            _GO_FACTS[name] = (go_key(name), go_category(name))
        else:
            _GO_FACTS[name] = (fact[0][:-1] + name[len(stem) :], fact[1])
    found = [_GO_FACTS[n] for n in names]
    return [f[0] for f in found], [f[1] for f in found]


def keys_and_categories(
    names: list[str], files: list[str], language: str
) -> tuple[list[str], list[str]]:
    """The key and category columns of a functions table, in bulk."""
    if language == "go":
        return _go_facts(names)
    return [python_key(n) for n in names], [
        python_category(n, f) for n, f in zip(names, files, strict=True)
    ]
