// Command hotspot_fix is the slow baseline of the optimisation exercise: one
// quadratic function takes most of the CPU. Profile it, find it, fix it.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"runtime/pprof"
)

// Each record is decodeRounds steps of a linear congruential generator, then
// reduced to one of valueRange values so that duplicates are common.
const (
	decodeRounds = 100
	valueRange   = 4096
)

// decodeRecords stands in for parsing input: linear in n, a small share of CPU.
func decodeRecords(n int) []int {
	values := make([]int, n)
	x := 12345
	for k := range values {
		for r := 0; r < decodeRounds; r++ {
			x = (x*1103515245 + 12345) & 0x7fffffff
		}
		values[k] = x % valueRange
	}
	return values
}

// countDuplicatePairs counts pairs i < j with equal values by comparing every
// pair: quadratic, and the hot spot of this program.
func countDuplicatePairs(values []int) int {
	pairs := 0
	for i := range values {
		for j := i + 1; j < len(values); j++ {
			if values[j] == values[i] {
				pairs++
			}
		}
	}
	return pairs
}

func runWorkload(scale int) (int, int) {
	values := decodeRecords(scale)
	return len(values), countDuplicatePairs(values)
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 9000, "number of records")
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

	// TODO: profile this program (--cpuprofile), find the function that dominates
	// flat time and make the program at least 2x faster without changing its output.
	var records, pairs int
	for i := 0; i < *repeat; i++ {
		records, pairs = runWorkload(*scale)
	}
	fmt.Printf("records: %d\nduplicate pairs: %d\n", records, pairs)
}
