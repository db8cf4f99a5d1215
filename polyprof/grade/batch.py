"""A whole class: one learner per subdirectory, in parallel, optionally one shard of many.

Shards are chosen by a hash of the learner's name, so every machine computes the same
split without talking to the others; each shard writes its learners' JSON files and a
manifest, and `merge` rebuilds the class summary from whatever shards were collected.
A submission that breaks polyprof itself is recorded as an error for that learner only.
"""

from __future__ import annotations

import concurrent.futures
import csv
import io
import json
import re
import traceback
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import PolyprofError
from ..paths import results_root
from ..publish import write_atomic
from . import results
from .grader import grade_submission
from .plan import Plan

_SHARD = re.compile(r"^(\d+)/(\d+)$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def grades_dir(slug: str) -> Path:
    return results_root() / "grades" / slug


def parse_shard(text: str) -> tuple[int, int]:
    found = _SHARD.match(text.strip())
    if not found or not 1 <= int(found[1]) <= int(found[2]):
        raise PolyprofError(
            f"--shard '{text}' is not K/N with 1 <= K <= N", hint="e.g. --shard 2/4"
        )
    return int(found[1]), int(found[2])


def in_shard(learner: str, shard: tuple[int, int]) -> bool:
    k, n = shard
    return zlib.crc32(learner.encode()) % n == k - 1


def learner_name(folder: Path) -> str:
    return _UNSAFE.sub("_", folder.name)


def learners(submissions: Path) -> list[Path]:
    if not submissions.is_dir():
        raise PolyprofError("not a directory of submissions", submissions)
    found = sorted(
        p
        for p in submissions.iterdir()
        if p.is_dir() and not p.is_symlink() and not p.name.startswith(".")
    )
    if not found:
        raise PolyprofError("no submissions (one subdirectory per learner)", submissions)
    names = [learner_name(p) for p in found]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise PolyprofError(f"learner names clash once made file-safe: {dupes}", submissions)
    return found


def _grade_safely(plan: Plan, folder: Path) -> dict[str, Any]:
    """Whatever goes wrong with one learner stays with that learner."""
    name = learner_name(folder)
    try:
        return grade_submission(plan, folder, name)
    except Exception as exc:  # one submission must never stop the class
        detail = "".join(traceback.format_exception_only(exc)).strip()
        result = results.build(
            plan.exercise.slug,
            name,
            [],
            plan.points,
            error=f"polyprof could not grade this: {detail}",
        )
        result["internal_error"] = True
        return result


def grade_class(
    plan: Plan,
    submissions: Path,
    workers: int = 1,
    shard: tuple[int, int] = (1, 1),
    out_dir: Path | None = None,
    echo: Callable[[str], None] = print,
) -> list[dict[str, Any]]:
    out = out_dir or grades_dir(plan.exercise.slug)
    mine = [p for p in learners(submissions) if in_shard(learner_name(p), shard)]
    graded: list[dict[str, Any]] = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(_grade_safely, plan, folder) for folder in mine]
        for future in concurrent.futures.as_completed(futures):
            result = future.result()
            results.write(result, out / f"{result['learner']}.json")
            echo(results.summary(result))
            graded.append(result)
    graded.sort(key=lambda r: r["learner"])
    k, n = shard
    write_atomic(
        out / f"shard-{k}-of-{n}.json",
        json.dumps({"shard": [k, n], "learners": [r["learner"] for r in graded]}),
    )
    suffix = "" if n == 1 else f"-shard-{k}-of-{n}"
    write_atomic(out / f"summary{suffix}.csv", summary_csv(graded))
    return graded


def summary_csv(graded: list[dict[str, Any]]) -> str:
    names: list[str] = []
    for r in graded:
        names += [t["name"] for t in r["tests"] if t["name"] not in names]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["learner", "status", "score", "max_score", *names])
    for r in graded:
        scores = {t["name"]: t["score"] for t in r["tests"]}
        writer.writerow(
            [
                r["learner"],
                r["status"],
                r["score"],
                r["max_score"],
                *(scores.get(n, "") for n in names),
            ]
        )
    return buffer.getvalue()


def merge(slug: str, inputs: list[Path], out_dir: Path | None = None) -> tuple[Path, list[str]]:
    """Combine shard outputs (directories of learner JSON files) into one summary.csv.

    Returns the summary's path and warnings: missing shards, learners graded twice.
    """
    out = out_dir or grades_dir(slug)
    by_learner: dict[str, dict[str, Any]] = {}
    warnings: list[str] = []
    shards: set[tuple[int, int]] = set()
    for folder in inputs:
        if not folder.is_dir():
            raise PolyprofError("no such shard output directory", folder)
        for manifest in folder.glob("shard-*-of-*.json"):
            shards.add(tuple(json.loads(manifest.read_text(encoding="utf-8"))["shard"]))
        for path in sorted(folder.glob("*.json")):
            if path.name.startswith("shard-"):
                continue
            result = json.loads(path.read_text(encoding="utf-8"))
            if result.get("exercise") != slug:
                continue
            if result["learner"] in by_learner and by_learner[result["learner"]] != result:
                warnings.append(
                    f"{result['learner']} was graded by more than one shard; kept {path}"
                )
            by_learner[result["learner"]] = result
            if folder.resolve() != out.resolve():
                results.write(result, out / path.name)
    if not by_learner:
        raise PolyprofError(
            f"no graded submissions of {slug} to merge", inputs[0] if inputs else out
        )
    for n in sorted({n for _, n in shards}):
        missing = sorted(set(range(1, n + 1)) - {k for k, m in shards if m == n})
        if missing:
            warnings.append(f"shards {missing} of {n} are missing; the summary is incomplete")
    summary = out / "summary.csv"
    write_atomic(summary, summary_csv([by_learner[k] for k in sorted(by_learner)]))
    return summary, warnings
