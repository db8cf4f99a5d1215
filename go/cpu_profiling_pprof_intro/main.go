// Command cpu_profiling_pprof_intro is the reference Go program of the intro
// exercise: three user functions with clearly different CPU shares, so the
// pprof profile has an obvious answer to "where does the time go?".
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
)

// Per-batch inputs, tuned so count_primes takes about half the CPU or more,
// longest_collatz a quarter to a third and fib the rest. fib is kept small
// because cProfile inflates call-heavy code about 4x.
const (
	primeLimit   = 34000
	fibN         = 24
	collatzLimit = 4000
)

type result struct {
	batches, primes, fibSum, longest int
}

// countPrimes is the loop-heavy hot spot: trial division with no calls.
func countPrimes(limit int) int {
	count := 0
	for n := 2; n < limit; n++ {
		prime := true
		for d := 2; d*d <= n; d++ {
			if n%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			count++
		}
	}
	return count
}

// fib is the call-heavy function: 150,000 tiny calls per batch.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

// longestCollatz returns the most steps any start below limit needs to reach 1.
func longestCollatz(limit int) int {
	best := 0
	for start := 1; start < limit; start++ {
		n, steps := start, 0
		for n != 1 {
			if n%2 == 0 {
				n /= 2
			} else {
				n = 3*n + 1
			}
			steps++
		}
		best = max(best, steps)
	}
	return best
}

// runWorkload is the dispatcher: little flat time, nearly all of the cum time.
func runWorkload(scale int) result {
	r := result{batches: scale}
	for i := 0; i < scale; i++ {
		r.primes += countPrimes(primeLimit + i)
		r.fibSum += fib(fibN)
		r.longest = max(r.longest, longestCollatz(collatzLimit+i))
	}
	return r
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 22, "number of batches")
	repeat := flag.Int("repeat", 1, "run the whole workload this many times")
	flag.Parse()
	if *scale < 1 || *repeat < 1 {
		fmt.Fprintln(os.Stderr, "--scale and --repeat must be at least 1")
		os.Exit(2)
	}

	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}

	var r result
	for i := 0; i < *repeat; i++ {
		r = runWorkload(*scale)
	}
	fmt.Printf("batches: %d\nprimes counted: %d\nfib sum: %d\nlongest collatz chain: %d\n",
		r.batches, r.primes, r.fibSum, r.longest)
}
