// Wrong: starts the CPU profiler and never stops it, so the profile is never flushed.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
)

func spin(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	return s
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Int("scale", 1, "ignored")
	flag.Int("repeat", 1, "ignored")
	flag.Parse()
	if *cpuprofile != "" {
		f, _ := os.Create(*cpuprofile)
		pprof.StartCPUProfile(f)
	}
	fmt.Println(spin(300_000_000))
}
