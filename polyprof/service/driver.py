"""`invoke compare` for a live-service exercise (`kind: service` in exercise.yaml).

Starts the Go service, the Python service and the Python service under
cProfile, checks they answer the same request alike, then loads them in
interleaved windows: each round has a window per (service, profiler), with
the profiler off or attached (Go: GET /debug/pprof/profile?seconds=N on the
pprof listener; Python: py-spy record --pid). The windows' profiles are
merged, parsed and matched like any compare; the windows' throughput and
latency become the on/off ratios. Every service is stopped on every way out.

The spec's `service:` section:

    service:
      path: /work                    # GET path; the query comes from `requests`
      requests:                      # per language: same n, repeat sets the CPU cost
        go: {n: 5000, repeat: 40}
        python: {n: 5000, repeat: 1}
      clients: {go: 2, python: 1}    # load generator threads (keep-alive connections);
                                     # one for Python: a second would only queue on the GIL
      window_s: 2                    # profiler seconds per window (?seconds=, --duration)
      rounds: 10                     # windows per (service, profiler)
      max_requests: 20000            # request budget per window
      quick: {window_s: 1, rounds: 4}
      ports: {go: {app: 0, pprof: 0}, python: {app: 0}}   # 0: a free port
      startup_timeout_s: 20
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import platform
import sys
import time
from pathlib import Path
from typing import TextIO

import pandas as pd

from .. import compare, match, runner, schema, traps
from ..errors import PolyprofError, ProfileError
from ..exercise import Exercise
from ..load import load_profile
from ..machine import describe_machine
from ..paths import results_dir
from ..progress import Status
from ..publish import publish, staging, write_atomic
from ..report import markdown
from ..toolchain import go_version
from . import load, process, report, windows

HOST = "127.0.0.1"
LEAD_S = 0.3  # of each profiled window: the load starts once the profiler samples, ends before it


@dataclasses.dataclass(frozen=True)
class Plan:
    """The run's shape, read from the spec (quick values override the defaults)."""

    path: str
    requests: dict[str, dict[str, int]]
    clients: dict[str, int]
    window_s: int
    rounds: int
    max_requests: int
    ports: dict[str, dict[str, int]]
    startup_timeout_s: float

    @classmethod
    def of(cls, ex: Exercise, quick: bool) -> Plan:
        spec = dict(ex.spec.get("service") or {})
        if quick:
            spec.update(spec.get("quick") or {})
        return cls(
            path=str(spec.get("path", "/work")),
            requests={k: dict(v) for k, v in (spec.get("requests") or {}).items()},
            clients=_per_language(spec.get("clients", 1), ex.languages),
            window_s=max(1, int(spec.get("window_s", 2))),
            rounds=int(spec.get("rounds", 4 if quick else 10)),
            max_requests=int(spec.get("max_requests", 20000)),
            ports={k: dict(v) for k, v in (spec.get("ports") or {}).items()},
            startup_timeout_s=float(spec.get("startup_timeout_s", 20)),
        )

    @property
    def load_s(self) -> float:
        """Every window's load time: what fits inside a profiler's window_s."""
        return self.window_s - LEAD_S

    def port(self, language: str, listener: str) -> int:
        return int(self.ports.get(language, {}).get(listener, 0))

    def query(self, language: str, repeat: int | None = None) -> str:
        req = self.requests.get(language, {})
        n, rep = int(req.get("n", 1000)), repeat or int(req.get("repeat", 1))
        return f"{self.path}?n={n}&repeat={rep}"


def _per_language(value: int | dict, languages: list[str]) -> dict[str, int]:
    if isinstance(value, dict):
        return {lang: int(value.get(lang, 1)) for lang in languages}
    return dict.fromkeys(languages, int(value))


def slots(ex: Exercise) -> list[tuple[str, str]]:
    """Each round's windows: every language plain, then with each of its profilers."""
    return [(lang, p) for lang in ex.languages for p in ["none", *ex.profilers(lang)]]


class Run:
    """One live-service run: its services, its windows and the profiles they left."""

    def __init__(self, ex: Exercise, plan: Plan, workdir: Path, stack: contextlib.ExitStack):
        self.ex, self.plan, self.workdir, self.stack = ex, plan, workdir, stack
        self.services: dict[str, process.Service] = {}
        self.rows: list[dict] = []
        self.findings: list[traps.Finding] = []
        self.disabled: set[str] = set()
        self.files: dict[str, list[Path]] = {"pprof": [], "py-spy": []}
        self.expect = b""
        self.build_s = 0.0
        self.go_bin: Path | None = None
        self.spy = runner.pyspy_binary()

    def argv(self, label: str) -> list[str]:
        if label == "go":
            app, pprof = self.plan.port("go", "app"), self.plan.port("go", "pprof")
            return [
                str(self.go_bin),
                "--app-addr",
                f"{HOST}:{app}",
                "--pprof-addr",
                f"{HOST}:{pprof}",
            ]
        py = [sys.executable, str(self.ex.program("python"))]
        py += ["--app-addr", f"{HOST}:{self.plan.port('python', 'app')}"]
        if label == "python/cprofile":
            py += ["--cpuprofile", str(self.workdir / compare.RAW_NAMES[("python", "cprofile")])]
        return py

    def service_label(self, language: str, profiler: str) -> str:
        return "python/cprofile" if profiler == "cprofile" else language

    def start(self) -> None:
        if "py-spy" in self.ex.profilers("python") and self.spy is None:
            self.disabled.add("py-spy")
            self.findings.append(traps.pyspy_unavailable("py-spy is not installed"))
        if "go" in self.ex.languages:
            started = time.monotonic()
            self.go_bin, _ = runner.build_go(self.ex)
            self.build_s = time.monotonic() - started
        labels = dict.fromkeys(self.service_label(lang, p) for lang, p in slots(self.ex))
        for label in labels:
            language = label.split("/")[0]
            svc = process.start(
                label,
                self.argv(label),
                self.ex.program(language),
                self.workdir / "services",
                self.plan.startup_timeout_s,
            )
            self.stack.callback(svc.stop)
            self.services[label] = svc
            if "pprof" in self.ex.profilers(language) and language == "go" and not svc.pprof:
                raise PolyprofError(
                    "the go service announced no pprof listener ('pprof=-')",
                    svc.program,
                    hint="serve net/http/pprof on a mux of its own, on a loopback listener, "
                    "and print its address in the 'listening' line",
                )

    def check_same_answers(self) -> None:
        """The same request must get the same answer from every service, as stdout must for programs."""
        answers = {}
        for label, svc in self.services.items():
            url = f"http://{svc.host}:{svc.port}{self.plan.query(label.split('/')[0], 1)}"
            status, body = process.get(url, 30)
            if status != 200:
                raise PolyprofError(
                    f"the {label} service answered {url} with HTTP {status}: "
                    f"{body.decode(errors='replace').strip()[:120]}",
                    svc.program,
                )
            answers[label] = body
        first = next(iter(answers))
        for label, body in answers.items():
            if body != answers[first]:
                raise PolyprofError(
                    f"the {first} and {label} services answer the same request differently: "
                    f"{answers[first][:80]!r} vs {body[:80]!r}",
                    self.services[label].program,
                    hint="both services must give the same response for the same request",
                )
        self.expect = answers[first]

    def warm_up(self) -> None:
        """A short unrecorded window each, so the first recorded one does not pay for warm-up."""
        for label, svc in self.services.items():
            self._load(svc, label.split("/")[0], 0.3)

    def _load(self, svc: process.Service, language: str, seconds: float) -> load.Window:
        return load.drive(
            svc.host,
            svc.port,
            self.plan.query(language),
            self.expect,
            clients=self.plan.clients[language],
            duration_s=seconds,
            max_requests=self.plan.max_requests,
        )

    def rounds(self, status: Status) -> None:
        plan = slots(self.ex)
        for r in range(self.plan.rounds):
            order = plan[r % len(plan) :] + plan[: r % len(plan)]
            for language, profiler in order:
                status.step(f"round {r + 1}/{self.plan.rounds} {language}/{profiler}")
                if profiler not in self.disabled:
                    self.window(language, profiler, r)
                status.advance()

    def _attach(self, profiler: str, svc: process.Service, r: int):
        folder = self.workdir / "rounds"
        folder.mkdir(exist_ok=True)
        if profiler == "pprof":
            return process.PprofFetch(svc, self.plan.window_s, folder / f"go-pprof-r{r}.pprof")
        if profiler == "py-spy":
            dest = folder / f"python-py-spy-r{r}.txt"
            return process.PyspyAttach(self.spy, svc, self.plan.window_s, dest, self.ex.pyspy)
        return None

    def window(self, language: str, profiler: str, r: int) -> None:
        svc = self.services[self.service_label(language, profiler)]
        where = f"in round {r + 1} ({language}/{profiler} window)"
        attach = self._attach(profiler, svc, r)
        win, cpu, problem = None, None, ""
        try:
            if attach is None or attach.ready():
                cpu0 = process.proc_cpu_s(svc.pid)
                win = self._load(svc, language, self.plan.load_s)
                cpu1 = process.proc_cpu_s(svc.pid)
                cpu = None if cpu0 is None or cpu1 is None else cpu1 - cpu0
            problem = attach.finish() if attach else ""
        finally:
            if attach:
                attach.kill()
        if not svc.alive():
            raise svc.died(where)
        if win is not None and win.errors:
            raise PolyprofError(
                f"{win.errors} request(s) to the {svc.label} service failed {where}: "
                f"{win.first_error}",
                svc.program,
            )
        if problem:
            self._profiler_failed(profiler, problem, svc)
            return
        if attach is not None and attach.dest.exists():
            self.files[profiler].append(attach.dest)
        spy_cpu = getattr(attach, "cpu_s", 0.0)
        self.rows.append(windows.row(language, profiler, r, win, cpu, spy_cpu))

    def _profiler_failed(self, profiler: str, problem: str, svc: process.Service) -> None:
        if profiler == "py-spy":
            self.disabled.add("py-spy")
            self.findings.append(traps.pyspy_unavailable(problem))
            return
        raise PolyprofError(
            f"fetching /debug/pprof/profile from the {svc.label} service failed: {problem}",
            svc.program,
        )


def collect(run: Run, folder: Path) -> dict[str, schema.Profile]:
    """Merge the windows' profiles per profiler (and read cProfile's dump) and parse them."""
    profiles: dict[str, schema.Profile] = {}
    seconds = run.plan.window_s * 1_000_000_000
    for profiler, merge in (("pprof", compare.merge_go), ("py-spy", compare.merge_folded)):
        files = run.files[profiler]
        if not files:
            wanted = profiler in run.ex.profilers(_language(profiler))
            if wanted and profiler not in run.disabled:
                run.findings.append(traps.no_samples(_language(profiler), profiler))
            continue
        raw = folder / compare.RAW_NAMES[(_language(profiler), profiler)]
        merge(files, raw)
        prof = load_profile(raw, rate=run.ex.pyspy["rate"], idle=run.ex.pyspy.get("idle", False))
        prof.meta.merged_from = len(files)
        prof.meta.duration_ns = prof.meta.duration_ns or len(files) * seconds
        profiles[profiler] = prof
    if "python/cprofile" in run.services:
        raw = folder / compare.RAW_NAMES[("python", "cprofile")]
        try:
            profiles["cprofile"] = load_profile(raw, clock="wall")
            profiles["cprofile"].meta.duration_ns = round(
                run.services["python/cprofile"].up_s * 1e9
            )
        except ProfileError as exc:
            run.findings.append(
                traps.incomplete_profile(
                    "python", "cprofile", f"the cProfile service left no usable dump: {exc.problem}"
                )
            )
    for name, prof in profiles.items():
        prof.meta.runtime_version = go_version() if name == "pprof" else platform.python_version()
    return profiles


def _language(profiler: str) -> str:
    return "go" if profiler == "pprof" else "python"


def analyse(run: Run, profiles: dict[str, schema.Profile]) -> dict:
    table = pd.DataFrame(run.rows, columns=windows.COLUMNS)
    service = windows.ratios(table)
    tables = {name: p.functions for name, p in profiles.items()}
    samples = {name: p.meta.samples for name, p in profiles.items() if p.meta.kind == "sampling"}
    matches = match.match(tables, samples, run.ex.overrides)
    findings = list(run.findings)
    for prof in profiles.values():
        findings += [f for f in (traps.few_samples(prof), traps.truncated_stacks(prof)) if f]
    cp = next((s for s in service if s["profiler"] == "cprofile"), None)
    slowdown = 1 / cp["throughput_ratio"] if cp and cp["throughput_ratio"] else None
    distortion = traps.profiler_distortion(matches, slowdown)
    findings += [distortion] if distortion else []
    matched = set(matches["key"]) if not matches.empty else set()
    return {
        "windows": table,
        "service": service,
        "matches": matches,
        "findings": findings,
        "ranking": match.ranking(matches),
        "unmatched": match.unmatched(tables, matched),
    }


def build_summary(run: Run, profiles: dict, found: dict, quick: bool, timing: dict) -> dict:
    versions = compare.tool_versions()
    plan = run.plan
    return compare._jsonable(
        {
            "exercise": run.ex.slug,
            "title": run.ex.title,
            "kind": "service",
            "quick": quick,
            "workload": {
                "requests": {lang: plan.query(lang) for lang in run.ex.languages},
                "clients": plan.clients,
                "window_s": plan.window_s,
                "load_s": plan.load_s,
                "rounds": plan.rounds,
                "max_requests": plan.max_requests,
            },
            "profiles": compare.profile_rows(profiles, versions),
            "matches": found["matches"].to_dict(orient="records"),
            "ranking": found["ranking"],
            "unmatched": found["unmatched"],
            "overhead": windows.as_overhead(found["service"]),
            "service": found["service"],
            "load": windows.load_cost(found["windows"]),
            "warnings": [f.as_dict() for f in found["findings"]],
            "machine": describe_machine(),
            "versions": versions,
            "timing": timing,
        }
    )


def write_outputs(folder: Path, profiles: dict, found: dict, summary: dict) -> None:
    functions = (
        pd.concat([p.functions[list(schema.FUNCTION_COLUMNS)] for p in profiles.values()])
        if profiles
        else schema.empty(schema.FUNCTION_COLUMNS)
    )
    functions.to_csv(folder / "functions.csv", index=False)
    found["matches"].to_csv(folder / "matches.csv", index=False)
    found["windows"].to_csv(folder / "windows.csv", index=False)
    pd.DataFrame(summary["overhead"]).to_csv(folder / "overhead.csv", index=False)
    write_atomic(folder / "summary.json", json.dumps(summary, indent=1) + "\n")
    write_atomic(folder / "report.md", markdown.render(summary) + report.markdown_section(summary))
    try:
        from ..report import html
    except ImportError:
        return
    html.write_report(folder)


def run_service_compare(ex: Exercise, quick: bool = False, out: TextIO | None = None) -> dict:
    """Profile the exercise's live services under load; publish results/<slug>/ atomically."""
    started = time.monotonic()
    out = out or sys.stdout
    plan = Plan.of(ex, quick)
    final = results_dir(ex.slug)
    with staging(final) as tmp:
        with contextlib.ExitStack() as stack:
            run = Run(ex, plan, tmp, stack)
            run.start()
            run.check_same_answers()
            run.warm_up()
            status = Status(plan.rounds * len(slots(ex)))
            stack.callback(status.close)
            loading = time.monotonic()
            run.rounds(status)
            load_s = time.monotonic() - loading
        before_analysis = time.monotonic()
        profiles = collect(run, tmp)
        found = analyse(run, profiles)
        timing = compare.timings(started, run.build_s, load_s, before_analysis)
        summary = build_summary(run, profiles, found, quick, timing)
        write_outputs(tmp, profiles, found, summary)
        publish(tmp, final)
    out.write(report.render(summary, final))
    return summary
