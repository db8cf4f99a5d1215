// Command wall_vs_cpu computes for part of its run and waits for the rest, so a
// CPU profile and a wall-clock profile of it disagree about where time goes.
//
// --clock is accepted so both languages share one command line, but Go's
// runtime/pprof CPU profile has only a CPU clock: waiting never shows in it.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"
)

// Per batch: hashRounds of hashing, then a simulated I/O wait lasting 1.5 times
// the hashing's wall time, so about 60% of the run is waiting whatever the
// language's speed (far below any CPU/wall bar a busy machine could blur).
const (
	hashRounds = 1000000
	waitRatio  = 1.5
)

type result struct {
	batches, digest int
}

// hashBlock is the CPU work: an FNV-1a style mix over a counter.
func hashBlock(seed, rounds int) int {
	h := uint32(2166136261) ^ uint32(seed)
	for i := 0; i < rounds; i++ {
		h = (h ^ uint32(i&0xff)) * 16777619
	}
	return int(h)
}

// waitForIO stands in for a network or disk wait: wall time, no CPU.
func waitForIO(d time.Duration) {
	time.Sleep(d)
}

func runWorkload(scale int) result {
	r := result{batches: scale}
	for i := 0; i < scale; i++ {
		start := time.Now()
		r.digest ^= hashBlock(i, hashRounds)
		waitForIO(time.Duration(float64(time.Since(start)) * waitRatio))
	}
	return r
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 5, "number of batches")
	repeat := flag.Int("repeat", 1, "run the whole workload this many times")
	clock := flag.String("clock", "wall", "wall or cpu; Go's CPU profile always uses the CPU clock")
	flag.Parse()
	if *scale < 1 || *repeat < 1 {
		fmt.Fprintln(os.Stderr, "--scale and --repeat must be at least 1")
		os.Exit(2)
	}
	if *clock != "wall" && *clock != "cpu" {
		fmt.Fprintln(os.Stderr, "--clock must be wall or cpu")
		os.Exit(2)
	}

	// TODO: when *cpuprofile is set, create that file, start a CPU profile with
	// pprof.StartCPUProfile and make sure pprof.StopCPUProfile runs before main
	// returns. --clock needs no code here: Go's CPU profile only has a CPU clock.
	_ = cpuprofile

	var r result
	for i := 0; i < *repeat; i++ {
		r = runWorkload(*scale)
	}
	fmt.Printf("batches: %d\ndigest: %d\n", r.batches, r.digest)
}
