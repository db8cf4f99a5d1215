"""Grade a free-text answer by meaning, with regexes and no language model.

Keyword matching alone passes "cum is the function's own time and flat includes
its callees", because every right word is there. What makes that answer wrong
is *which subject each word is attached to*, so a rubric can name the subjects
a question contrasts (flat vs cum, CPU vs wall) and bind each point to one of
them. The answer is cut into clauses, each clause is cut at every subject
mention, and a point `about: cum` only looks at the text attached to cum.

Cutting rules, kept small so authors can predict them:
- clauses end at `;` `,` `!` `?` newlines, a full stop followed by a space, a
  spaced dash, and the words but / whereas / while / whilst / however;
- inside a clause, the text before the first subject mention and up to the
  next different subject belongs to that first subject;
- a mention that is the object of a comparison ("than pprof", "unlike
  cProfile", "compared to wall time") is not a new subject: it stays with the
  text around it;
- a clause that mentions no subject continues the previous one ("Flat is self
  time. It excludes callees." binds "excludes callees" to flat), except that a
  clause opening with "which" or "who" belongs to the subject named just before
  ("slower than pprof, which samples" binds "samples" to pprof).

Patterns see normalized text: lowercase, straight quotes, no backticks,
contractions expanded (`doesn't` -> `does not`, `can't` -> `can not`), and a
hyphen between letters turned into a space (`wall-clock` -> `wall clock`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any

_CLAUSE_END = re.compile(r"[;,!?\n]|\.(?=\s|$)|\s[-–—]+\s|\b(?:but|whereas|while|whilst|however)\b")
_COMPARED = re.compile(
    r"\b(than|vs|versus|unlike|like|compared (to|with)|relative to|as opposed to)\.?\s+(the\s+)?$"
)
_RELATIVE = re.compile(r"(which|who)\b")
_CONTRACTIONS = (
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"(\w)n't\b"), r"\1 not"),
)


def normalize(text: str) -> str:
    """Reduce spelling variation so rubric regexes can stay short."""
    text = text.lower()
    text = text.translate(str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "`": ""}))
    for pattern, replacement in _CONTRACTIONS:
        text = pattern.sub(replacement, text)
    text = re.sub(r"(?<=[a-z])-(?=[a-z])", " ", text)
    return re.sub(r"[ \t]+", " ", text).strip()


def clauses(text: str) -> list[str]:
    return [c.strip() for c in _CLAUSE_END.split(text) if c and c.strip()]


def attribute(text: str, subjects: Mapping[str, re.Pattern[str]]) -> dict[str, list[str]]:
    """Map each subject to the pieces of the (normalized) answer that talk about it."""
    pieces: dict[str, list[str]] = {name: [] for name in subjects}
    current: str | None = None  # the subject the answer is talking about
    last: str | None = None  # the subject named last, even as a comparison object
    for clause in clauses(text):
        found = sorted(
            (m.start(), name, not _COMPARED.search(clause[: m.start()]))
            for name, rx in subjects.items()
            for m in rx.finditer(clause)
        )
        mentions = [(start, name) for start, name, is_subject in found if is_subject]
        if not mentions:
            owner = last if _RELATIVE.match(clause) else current
            if owner is not None:
                pieces[owner].append(clause)
            last = found[-1][1] if found else last
            continue
        cuts: list[tuple[int, str]] = []
        for start, name in mentions:
            if not cuts or cuts[-1][1] != name:
                cuts.append((start, name))
        cuts[0] = (0, cuts[0][1])
        for (start, name), nxt in zip(cuts, [*cuts[1:], (len(clause), "")], strict=True):
            pieces[name].append(clause[start : nxt[0]])
        current, last = cuts[-1][1], found[-1][1]
    return pieces


@dataclasses.dataclass(frozen=True)
class Point:
    """One idea an answer must state (require) or must not state (forbid)."""

    text: str
    any: tuple[re.Pattern[str], ...] = ()
    in_order: tuple[re.Pattern[str], ...] = ()
    about: str | None = None

    def met(self, whole: str, pieces: Mapping[str, list[str]]) -> bool:
        scopes = [whole] if self.about is None else pieces.get(self.about, [])
        return any(self._met_in(scope) for scope in scopes)

    def _met_in(self, scope: str) -> bool:
        if self.any and any(rx.search(scope) for rx in self.any):
            return True
        if not self.in_order:
            return False
        pos = 0
        for rx in self.in_order:
            m = rx.search(scope, pos)
            if m is None:
                return False
            pos = m.end()
        return True


@dataclasses.dataclass(frozen=True)
class Result:
    correct: bool
    missed: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()

    def feedback(self) -> str:
        if self.correct:
            return "correct"
        parts = [f"missed: {p}" for p in self.missed] + [f"wrong: {p}" for p in self.wrong]
        return "; ".join(parts)


@dataclasses.dataclass(frozen=True)
class Rubric:
    require: tuple[Point, ...]
    forbid: tuple[Point, ...] = ()
    subjects: Mapping[str, re.Pattern[str]] = dataclasses.field(default_factory=dict)

    def grade(self, answer: str) -> Result:
        text = normalize(answer)
        pieces = attribute(text, self.subjects)
        missed = tuple(p.text for p in self.require if not p.met(text, pieces))
        wrong = tuple(p.text for p in self.forbid if p.met(text, pieces))
        return Result(correct=not missed and not wrong, missed=missed, wrong=wrong)


class RubricError(ValueError):
    """The rubric itself is malformed: a bug in exercise.yaml, not in the answer."""


def _compile(pattern: Any, where: str) -> re.Pattern[str]:
    if not isinstance(pattern, str) or not pattern:
        raise RubricError(f"{where}: patterns must be non-empty strings")
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as exc:
        raise RubricError(f"{where}: bad regex {pattern!r} ({exc})") from None


def _point(spec: Any, subjects: Mapping[str, Any], where: str) -> Point:
    if not isinstance(spec, dict) or not isinstance(spec.get("point"), str):
        raise RubricError(f"{where}: each point needs a 'point' description")
    unknown = set(spec) - {"point", "any", "in_order", "about"}
    if unknown:
        raise RubricError(f"{where}: unknown keys {sorted(unknown)}")
    about = spec.get("about")
    if about is not None and about not in subjects:
        raise RubricError(f"{where}: about '{about}' is not one of subjects {sorted(subjects)}")
    lists = {key: spec.get(key) or [] for key in ("any", "in_order")}
    if not any(lists.values()) or not all(isinstance(v, list) for v in lists.values()):
        raise RubricError(f"{where}: a point needs a list 'any' or 'in_order'")
    return Point(
        text=spec["point"],
        any=tuple(_compile(p, where) for p in lists["any"]),
        in_order=tuple(_compile(p, where) for p in lists["in_order"]),
        about=about,
    )


def parse(spec: Any, subjects: Any = None, where: str = "rubric") -> Rubric:
    """Build a rubric from its exercise.yaml form, rejecting mistakes loudly."""
    if not isinstance(spec, dict) or not isinstance(spec.get("require"), list):
        raise RubricError(f"{where}: rubric needs a 'require' list")
    if not spec["require"]:
        raise RubricError(f"{where}: 'require' must name at least one point")
    subjects = subjects or {}
    if not isinstance(subjects, dict):
        raise RubricError(f"{where}: 'subjects' must map a name to a regex")
    compiled = {name: _compile(rx, f"{where} subject {name}") for name, rx in subjects.items()}
    forbid: Sequence[Any] = spec.get("forbid") or []
    return Rubric(
        require=tuple(_point(p, compiled, f"{where} require") for p in spec["require"]),
        forbid=tuple(_point(p, compiled, f"{where} forbid") for p in forbid),
        subjects=compiled,
    )
