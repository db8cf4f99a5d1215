// Command not_enough_samples runs a short workload made of two functions of
// nearly equal cost: with only a dozen samples, which one "wins" the profile
// changes from run to run.
package main

import (
	"flag"
	"fmt"
	"os"
)

// Inputs per batch, tuned so decimalDigits takes ~60% and baseSevenDigits ~40%:
// a dozen samples (one short run) often rank them the wrong way round, ~100
// (ten merged runs) rank them right. Both divide by a constant in the inner
// loop, so the split is about the same in Go and Python.
const (
	decimalLimit = 3800
	septenLimit  = 2350
)

// decimalDigits adds up the base-10 digits of every number below limit.
func decimalDigits(limit int) int {
	total := 0
	for n := 1; n < limit; n++ {
		for m := n; m > 0; m /= 10 {
			total += m % 10
		}
	}
	return total
}

// baseSevenDigits adds up the base-7 digits of every number below limit.
func baseSevenDigits(limit int) int {
	total := 0
	for n := 1; n < limit; n++ {
		for m := n; m > 0; m /= 7 {
			total += m % 7
		}
	}
	return total
}

func runWorkload(scale int) (int, int) {
	decimal, septenary := 0, 0
	for i := 0; i < scale; i++ {
		decimal += decimalDigits(decimalLimit + i)
		septenary += baseSevenDigits(septenLimit + i)
	}
	return decimal, septenary
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 50, "number of batches")
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

	var decimal, septenary int
	for i := 0; i < *repeat; i++ {
		decimal, septenary = runWorkload(*scale)
	}
	fmt.Printf("base-10 digit total: %d\nbase-7 digit total: %d\n", decimal, septenary)
}
