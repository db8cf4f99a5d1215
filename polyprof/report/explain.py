"""What each warning code means for the reader, and what to do about it.

The codes are stable strings (DESIGN.md); the run's own message says what was
measured, and this says why it matters, so the two are shown together.
"""

from __future__ import annotations

WARNINGS: dict[str, str] = {
    "few_samples": (
        "Too few samples for stable shares. A share p from n samples is uncertain by about "
        "±2·√(p(1−p)/n): with 100 samples a 50% function could be anywhere from 40% to 60%. "
        "Raise --scale or --repeat, or merge more rounds, before trusting the ranking."
    ),
    "incomplete_profile": (
        "The profile stops early: the program exited without stopping its profiler "
        "(Go: defer pprof.StopCPUProfile(); Python: dump_stats) or was killed. "
        "Its numbers describe only part of the run."
    ),
    "clock_mismatch": (
        "The profiles measure different clocks. cProfile times wall-clock time (waiting "
        "included); pprof and py-spy (without --idle) count CPU time. Compare shares, not "
        "seconds, and expect waiting to show up only on the wall-clock side."
    ),
    "low_cpu_utilization": (
        "The program spent much of its wall time off the CPU (sleeping, waiting on I/O or "
        "locks). A CPU profile cannot see that time, so it explains only the busy part."
    ),
    "profiler_distortion": (
        "The profiler changed what it measured. cProfile adds a fixed cost to every call, so "
        "functions that make many small calls (like a recursive fib) look bigger than they "
        "are. Trust a sampling profiler's shares for the ranking."
    ),
    "truncated_stacks": (
        "Some stacks were deeper than the profiler records (Go keeps 64 frames), so their "
        "root side is missing and the cum of outer functions is understated."
    ),
}


def explain(code: str) -> str:
    return WARNINGS.get(code, "")
