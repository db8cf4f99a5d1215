"""Reference Python program of the wall_vs_cpu exercise.

It computes for part of its run and waits for the rest, so a wall-clock
profile (cProfile's default) and a CPU profile disagree about where time goes.
"""

import argparse
import cProfile
import time

# Per batch: HASH_ROUNDS of hashing, then a simulated I/O wait lasting 1.5 times
# the hashing's wall time, so about 60% of the run is waiting whatever the
# language's speed (far below any CPU/wall bar a busy machine could blur).
HASH_ROUNDS = 1000000
WAIT_RATIO = 1.5
TIMERS = {"wall": None, "cpu": time.process_time}


def hash_block(seed, rounds):
    """The CPU work: an FNV-1a style mix over a counter."""
    h = 2166136261 ^ seed
    for i in range(rounds):
        h = ((h ^ (i & 0xFF)) * 16777619) & 0xFFFFFFFF
    return h


def wait_for_io(seconds):
    """Stands in for a network or disk wait: wall time, no CPU."""
    time.sleep(seconds)


def run_workload(scale):
    digest = 0
    for i in range(scale):
        start = time.perf_counter()
        digest ^= hash_block(i, HASH_ROUNDS)
        wait_for_io((time.perf_counter() - start) * WAIT_RATIO)
    return scale, digest


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cpuprofile", help="write a cProfile (pstats) file here")
    parser.add_argument("--scale", type=int, default=5, help="number of batches")
    parser.add_argument("--repeat", type=int, default=1, help="run the workload N times")
    parser.add_argument(
        "--clock", choices=sorted(TIMERS), default="wall", help="cProfile's timer (default wall)"
    )
    args = parser.parse_args(argv)
    if args.scale < 1 or args.repeat < 1:
        parser.error("--scale and --repeat must be at least 1")
    return args


def make_profiler(clock):
    """cProfile times with perf_counter (wall) unless given a CPU timer."""
    timer = TIMERS[clock]
    return cProfile.Profile(timer) if timer else cProfile.Profile()


def main(argv=None):
    args = parse_args(argv)
    # TODO: when args.cpuprofile is set, profile the loop below with cProfile and
    # dump_stats to args.cpuprofile. With --clock cpu, give cProfile.Profile a CPU
    # timer (make_profiler shows which); the default timer is wall-clock.
    for _ in range(args.repeat):
        result = run_workload(args.scale)
    batches, digest = result
    print(f"batches: {batches}\ndigest: {digest}")


if __name__ == "__main__":
    main()
