// Command forgot_stop_profiler, fixed: StopCPUProfile is deferred right after
// StartCPUProfile succeeds, so the profile is flushed when main returns.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
)

// limit is the size of one batch: every number below limit+i is classified.
const limit = 3000

// sumProperDivisors adds the divisors of n below n, pairing d with n/d.
func sumProperDivisors(n int) int {
	if n < 2 {
		return 0
	}
	total := 1
	for d := 2; d*d <= n; d++ {
		if n%d == 0 {
			total += d
			if d*d != n {
				total += n / d
			}
		}
	}
	return total
}

// classifyBelow counts deficient, perfect and abundant numbers in [1, limit).
func classifyBelow(limit int) [3]int {
	var counts [3]int
	for n := 1; n < limit; n++ {
		s := sumProperDivisors(n)
		switch {
		case s < n:
			counts[0]++
		case s == n:
			counts[1]++
		default:
			counts[2]++
		}
	}
	return counts
}

func runWorkload(scale int) [3]int {
	var total [3]int
	for i := 0; i < scale; i++ {
		c := classifyBelow(limit + i)
		for k := range total {
			total[k] += c[k]
		}
	}
	return total
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 100, "number of batches")
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
		defer pprof.StopCPUProfile() // writes the profile; runs before f.Close
	}

	var counts [3]int
	for i := 0; i < *repeat; i++ {
		counts = runWorkload(*scale)
	}
	fmt.Printf("deficient: %d\nperfect: %d\nabundant: %d\n", counts[0], counts[1], counts[2])
}
