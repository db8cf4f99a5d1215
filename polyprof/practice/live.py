"""Questions about the learner's own profile, graded against its actual numbers.

Everything here is a pure function of `summary.json` (a dict) and
`functions.csv` (a DataFrame), so tests can hand it a profile whose answers are
known. The tolerances are part of each prompt, so the learner knows the rules:

- hottest function: any function within 1 point of the top share counts, since
  two functions that close are a tie at these sample counts;
- highest cum: main.main and runtime.* frames are left out, because every
  sample passes through them and naming them says nothing;
- cProfile overhead: within ±10% of the measured ratio, or inside its 95% CI;
- Go samples: within ±5% (or ±2 samples) of the count, plus the right verdict
  on N = 1.96²·p(1−p)/e² for the hottest function's share p and e = 2 points.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import PolyprofError
from .questions import Question, Verdict
from .rubric import normalize

try:  # `invoke compare` lands separately; until then --live asks about existing results
    from ..compare import run_compare
except ImportError:
    run_compare = None

TIE_POINTS = 1.0
OVERHEAD_TOLERANCE = 0.10
SAMPLES_TOLERANCE = 0.05
MARGIN = 0.02
Z95 = 1.96
_ROOTS = re.compile(r"^(main\.main|runtime\..*)$")
_NUMBER = re.compile(r"(?<![\w.±])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(%|x\b|times\b)?")
_SAYS_NO = re.compile(
    r"\b(no|nope|not enough|not sufficient|insufficient|too (?:few|little|small|low)|needs? more)\b"
)
_SAYS_YES = re.compile(r"\b(yes|yep|enough|sufficient|plenty)\b")


def go_profile(functions: pd.DataFrame) -> pd.DataFrame:
    go = functions[(functions["language"] == "go") & (functions["profiler"] == "pprof")]
    if go.empty:
        raise PolyprofError("the results hold no Go pprof profile", hint="run `invoke compare`")
    return go


def required_samples(p: float, margin: float = MARGIN) -> int:
    """Samples for a 95% interval of ±margin on a share p (pprof-format.md §7)."""
    return math.ceil(Z95**2 * p * (1 - p) / margin**2)


def go_samples(summary: dict[str, Any], go: pd.DataFrame) -> int:
    """The Go sample count: summary.json's, else the flat samples (one leaf per sample)."""
    for profile in summary.get("profiles", []):
        is_go = profile.get("language") == "go" and profile.get("profiler") == "pprof"
        if is_go and profile.get("samples") is not None:
            return int(profile["samples"])
    return int(go["flat_samples"].fillna(0).sum())


def names(row: pd.Series) -> set[str]:
    """Every way a learner may write a Go function: native, short, or match key."""
    native = str(row["function"]).lower()
    short = re.split(r"[.)]", native)[-1]
    forms = {native, str(row.get("key", "") or "").lower()}
    if len(short) >= 3:
        forms.add(short)
    return {f for f in forms if f and f != "nan"}


def first_named(answer: str, table: pd.DataFrame) -> str | None:
    """The function the answer names first (the longest name wins at one position)."""
    text = normalize(answer)
    best: tuple[int, int, str] | None = None
    for _, row in table.iterrows():
        for form in names(row):
            m = re.search(rf"(?<![\w.]){re.escape(form)}(?!\w)", text)
            if m and (best is None or (m.start(), -len(form)) < best[:2]):
                best = (m.start(), -len(form), str(row["function"]))
    return None if best is None else best[2]


def _top_question(
    qid: str, go: pd.DataFrame, candidates: pd.DataFrame, column: str, prompt: str
) -> Question:
    top = candidates[column].max()
    accepted = candidates.loc[candidates[column] >= top - TIE_POINTS]
    accepted = accepted.sort_values(column, ascending=False)
    winner = accepted.iloc[0]
    model = f"{winner['function']} ({column.removesuffix('_pct')} {winner[column]:.1f}%)"

    def grade(answer: str) -> Verdict:
        named = first_named(answer, go)
        if named is not None and named in set(accepted["function"]):
            return Verdict(True, "correct")
        if named is None:
            return Verdict(False, f"name a function from the profile; it was {model}")
        if named not in set(candidates["function"]):
            return Verdict(False, f"{named} is not counted here; the top was {model}")
        share = float(go.loc[go["function"] == named, column].iloc[0])
        return Verdict(False, f"{named} has {share:.1f}%; the top was {model}")

    return Question(qid, prompt, model, grade, answer=str(winner["function"]))


def _parse_factor(answer: str) -> float | None:
    m = _NUMBER.search(normalize(answer))
    if m is None:
        return None
    value = float(m.group(1).replace(",", ""))
    return 1 + value / 100 if m.group(2) == "%" else value


def _overhead_question(summary: dict[str, Any]) -> Question | None:
    row = next(
        (
            o
            for o in summary.get("overhead", [])
            if o.get("language") == "python" and o.get("profiler") == "cprofile"
        ),
        None,
    )
    if row is None or row.get("ratio") is None:
        return None
    ratio = float(row["ratio"])
    lo, hi = (row.get("ci95") or [ratio, ratio])[:2]
    model = f"{ratio:.2f}x (+{(ratio - 1) * 100:.0f}% run time), 95% CI {lo:.2f}-{hi:.2f}x"

    def grade(answer: str) -> Verdict:
        factor = _parse_factor(answer)
        if factor is None:
            return Verdict(False, f"give a factor like 1.8x or a percent like +80%; it was {model}")
        if abs(factor - ratio) <= OVERHEAD_TOLERANCE * ratio or lo <= factor <= hi:
            return Verdict(True, "correct")
        return Verdict(False, f"{factor:.2f}x is off; it was {model}")

    prompt = (
        "By what factor did cProfile slow the Python program down (profiled time over plain "
        "time)? Answer as a factor (1.8x) or as the percent it added (+80%); within ±10% "
        "or inside the measured 95% CI counts."
    )
    return Question("live-cprofile-overhead", prompt, model, grade, answer=f"{ratio:.2f}x")


def _samples_question(summary: dict[str, Any], go: pd.DataFrame) -> Question:
    n = go_samples(summary, go)
    p = float(go["flat_pct"].max()) / 100
    need = required_samples(p)
    enough = n >= need
    verdict = "enough" if enough else "not enough"
    model = (
        f"{n} samples; the hottest share p = {p:.2f} needs N = 1.96²·p(1−p)/0.02² = {need} "
        f"for ±2 points, so {verdict}"
    )

    def grade(answer: str) -> Verdict:
        text = normalize(answer)
        counts = [float(m.group(1).replace(",", "")) for m in _NUMBER.finditer(text)]
        close = any(abs(c - n) <= max(2, SAMPLES_TOLERANCE * n) for c in counts)
        says = False if _SAYS_NO.search(text) else True if _SAYS_YES.search(text) else None
        if not close:
            return Verdict(False, f"missed: the sample count; {model}")
        if says is None:
            return Verdict(False, f"missed: whether that is enough; {model}")
        if says != enough:
            return Verdict(False, f"wrong: it is {verdict}; {model}")
        return Verdict(True, "correct")

    prompt = (
        "How many samples did the Go profile get, and is that enough to know the hottest "
        "function's share within ±2 points (95%)? A count within ±5% counts."
    )
    return Question("live-go-samples", prompt, model, grade, answer=f"{n}, {verdict}")


def questions(summary: dict[str, Any], functions: pd.DataFrame) -> list[Question]:
    """The live questions for one compare run, with answers fixed by its numbers."""
    go = go_profile(functions)
    non_roots = go[~go["function"].astype(str).str.match(_ROOTS)]
    made: list[Question | None] = [
        _top_question(
            "live-top-flat",
            go,
            go,
            "flat_pct",
            "Which function has the highest flat time in your Go profile? "
            "(Any function within 1 point of the top counts.)",
        ),
        _top_question(
            "live-top-cum",
            go,
            non_roots if not non_roots.empty else go,
            "cum_pct",
            "Which function has the highest cum in your Go profile, not counting main.main "
            "and runtime.* (every sample passes through them)? Within 1 point counts.",
        ),
        _overhead_question(summary),
        _samples_question(summary, go),
    ]
    return [q for q in made if q is not None]


def load_results(folder: Path) -> tuple[dict[str, Any], pd.DataFrame]:
    summary_path, functions_path = folder / "summary.json", folder / "functions.csv"
    hint = "run `invoke compare --quick` first"
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        functions = pd.read_csv(functions_path)
    except FileNotFoundError as exc:
        raise PolyprofError("no results to ask about", exc.filename, hint=hint) from None
    except (ValueError, OSError) as exc:
        raise PolyprofError(f"unreadable results ({exc.__class__.__name__})", folder) from None
    missing = {"language", "profiler", "function", "flat_pct", "cum_pct"} - set(functions)
    if not isinstance(summary, dict) or missing:
        raise PolyprofError("results do not have the expected shape", folder, hint=hint)
    return summary, functions


def refresh(slug: str, say: Callable[[str], None]) -> None:
    """Run `invoke compare --quick` in-process, so the questions are about a fresh profile."""
    if run_compare is None:
        say("note: `invoke compare` is not available here; asking about the last results")
        return
    say(f"running a quick compare of {slug} first ...")
    run_compare(slug, quick=True)
