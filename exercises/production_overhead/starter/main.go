// Command production_overhead makes millions of tiny function calls. A
// sampling profiler barely notices; a tracing profiler (cProfile) pays on
// every call and entry, so it slows this program down several times.
package main

import (
	"flag"
	"fmt"
	"os"
)

// Per batch: batchSize items, each passing through three tiny functions.
const (
	batchSize = 40000
	modulus   = 1000003
)

// mix scrambles an item id with the batch seed.
func mix(i, seed int) int {
	return (i*2654435761 + seed) % modulus
}

// keep accepts about two items in three.
func keep(v int) bool {
	return v%3 != 0
}

// clamp bounds a value to [lo, hi].
func clamp(v, lo, hi int) int {
	return min(max(v, lo), hi)
}

// scoreBatch is the loop that makes the tiny calls.
func scoreBatch(seed, n int) int {
	total := 0
	for i := 0; i < n; i++ {
		v := mix(i, seed)
		if keep(v) {
			total += clamp(v, 1000, 900000)
		}
	}
	return total
}

func runWorkload(scale int) int {
	total := 0
	for i := 0; i < scale; i++ {
		total += scoreBatch(i, batchSize)
	}
	return total
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 60, "number of batches")
	repeat := flag.Int("repeat", 1, "run the whole workload this many times")
	flag.Parse()
	if *scale < 1 || *repeat < 1 {
		fmt.Fprintln(os.Stderr, "--scale and --repeat must be at least 1")
		os.Exit(2)
	}

	// TODO: when *cpuprofile is set, create that file, start a CPU profile with
	// pprof.StartCPUProfile and make sure pprof.StopCPUProfile runs before main
	// returns, so the profile covers the whole workload below.
	_ = cpuprofile

	total := 0
	for i := 0; i < *repeat; i++ {
		total = runWorkload(*scale)
	}
	fmt.Printf("batches: %d\nscore: %d\n", *scale, total)
}
