// Command goshapes burns CPU in the code shapes the pprof parser must get
// right: methods (pointer and value receivers), closures, generics, inlined
// calls, mutual recursion deeper than 64 frames, goroutines and labels.
//
// Usage: goshapes -cpuprofile FILE [-ms N] [-nostop]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"sync"
	"time"
)

type counter struct{ n uint64 }

//go:noinline
func (c *counter) bump(k uint64) {
	for i := uint64(0); i < 300; i++ {
		c.n = c.n*6364136223846793005 + k + i
	}
}

type pair struct{ a, b uint64 }

//go:noinline
func (p pair) mix() uint64 {
	for i := 0; i < 300; i++ {
		p.a = p.a*31 ^ p.b>>3 + uint64(i)
	}
	return p.a
}

type number interface{ ~int | ~uint64 | ~float64 }

//go:noinline
func sumOf[T number](xs []T) T {
	var s T
	for _, x := range xs {
		s += x
	}
	return s
}

// square is small enough that the compiler inlines it into sumSquares.
func square(x uint64) uint64 {
	x ^= x >> 13
	x *= 0x9E3779B97F4A7C15
	x ^= x >> 29
	return x * x
}

//go:noinline
func sumSquares(n uint64) uint64 {
	var s uint64
	for i := uint64(0); i < n; i++ {
		s += square(i)
	}
	return s
}

//go:noinline
func isEven(n int, work uint64) uint64 {
	if n == 0 {
		return sumSquares(work)
	}
	return isOdd(n-1, work)
}

//go:noinline
func isOdd(n int, work uint64) uint64 {
	if n == 0 {
		return sumSquares(work) + 1
	}
	return isEven(n-1, work)
}

func until(deadline time.Time, body func() uint64) uint64 {
	var acc uint64
	for time.Now().Before(deadline) {
		acc += body()
	}
	return acc
}

func main() {
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	ms := flag.Int("ms", 1500, "how long each phase runs, in milliseconds")
	nostop := flag.Bool("nostop", false, "exit without StopCPUProfile (an unfinished profile)")
	flag.Parse()
	f, err := os.Create(*cpuprofile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	phase := time.Duration(*ms) * time.Millisecond
	var total uint64
	c := &counter{}
	floats := make([]float64, 2000)
	ints := make([]int, 2000)
	scale := uint64(3)
	closure := func() uint64 { return sumSquares(200) * scale }
	labels := pprof.Labels("phase", "shapes", "worker", "main")
	pprof.Do(context.Background(), labels, func(context.Context) {
		total += until(time.Now().Add(phase), func() uint64 {
			c.bump(total)
			v := pair{c.n, 7}.mix()
			v += uint64(sumOf(ints)) + uint64(sumOf(floats))
			return v + closure() + isEven(150, 100)
		})
	})
	var wg sync.WaitGroup
	results := make([]uint64, 2)
	for w := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pprof.Do(context.Background(), pprof.Labels("worker", fmt.Sprint("g", w)), func(context.Context) {
				results[w] = until(time.Now().Add(phase/2), func() uint64 { return isOdd(100+w, 500) })
			})
		}()
	}
	wg.Wait()
	if *nostop {
		os.Exit(0)
	}
	pprof.StopCPUProfile()
	fmt.Println(total+results[0]+results[1] > 0)
}
