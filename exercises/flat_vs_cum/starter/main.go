// Command flat_vs_cum has a dispatcher that does almost nothing itself (flat
// near zero, cum near 100%) and a recursive function whose cum counts each
// sample once however deep the recursion goes.
package main

import (
	"flag"
	"fmt"
	"os"
)

// Per batch: a checksum over blockSize numbers and a Tower of Hanoi of
// hanoiDisks disks (2^hanoiDisks - 1 moves).
const (
	blockSize  = 230000
	hanoiDisks = 15
	modulus    = 1000003
)

// checksumBlock is plain loop work: its flat time equals its cum time.
func checksumBlock(seed, n int) int {
	h := seed
	for i := 0; i < n; i++ {
		h = (h*31 + i) % modulus
	}
	return h
}

// recordMove folds one move into a running checksum: the leaf of the recursion.
func recordMove(state, src, dst int) int {
	return (state*31 + src*3 + dst) % modulus
}

// solveHanoi moves n disks from src to dst. It calls itself twice per level,
// yet pprof counts each sample once in its cum, so cum stays at most 100%.
func solveHanoi(n, src, dst, via, state int) int {
	if n == 0 {
		return state
	}
	state = solveHanoi(n-1, src, via, dst, state)
	state = recordMove(state, src, dst)
	return solveHanoi(n-1, via, dst, src, state)
}

// processBatch is the dispatcher: no work of its own, only calls.
func processBatch(i int) int {
	return checksumBlock(i, blockSize) ^ solveHanoi(hanoiDisks, 0, 2, 1, i)
}

func runWorkload(scale int) int {
	digest := 0
	for i := 0; i < scale; i++ {
		digest = (digest*7 + processBatch(i)) % modulus
	}
	return digest
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	scale := flag.Int("scale", 32, "number of batches")
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

	digest := 0
	for i := 0; i < *repeat; i++ {
		digest = runWorkload(*scale)
	}
	fmt.Printf("batches: %d\ndigest: %d\n", *scale, digest)
}
