"""Wrong: follows the contract but prints the wrong answer."""

import argparse
import cProfile


def count_primes(limit):
    return sum(all(n % d for d in range(2, int(n**0.5) + 1)) for n in range(2, limit))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cpuprofile")
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    profiler = cProfile.Profile()
    profiler.enable()
    primes = count_primes(20000)
    profiler.disable()
    if args.cpuprofile:
        profiler.dump_stats(args.cpuprofile)
    print(f"batches: {args.scale}\nprimes counted: {primes + 1}")


main()
