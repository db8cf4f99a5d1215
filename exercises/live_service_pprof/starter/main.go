// Command live_service_pprof is a small HTTP service with a CPU-heavy endpoint.
//
// TODO: make it profilable while it serves. Import net/http/pprof, register its
// handlers on a ServeMux of their own, and serve that mux on a second listener
// bound to 127.0.0.1 (--pprof-addr). Never serve them on the application port.
//
// GET /work?n=N&repeat=R counts the primes below N and checksums 0..N-1, R
// times over, and answers "n=N primes=P checksum=C". R only sets how much CPU
// a request costs (Go needs more rounds than Python for the same cost); the
// answer depends on N alone, so both languages answer the same request alike.
//
// On start it prints one line to stdout, "listening app=HOST:PORT
// pprof=HOST:PORT pid=PID", so a caller passing port 0 learns the ports the
// kernel chose. SIGTERM or SIGINT shuts both listeners down gracefully.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Bounds on one request's work: a live service must not let a client ask for unbounded CPU.
const (
	maxN      = 1_000_000
	maxRepeat = 10_000
)

// isPrime tests k by trial division by odd numbers.
func isPrime(k int) bool {
	if k < 2 {
		return false
	}
	if k%2 == 0 {
		return k == 2
	}
	for d := 3; d*d <= k; d += 2 {
		if k%d == 0 {
			return false
		}
	}
	return true
}

// countPrimes counts the primes below n.
func countPrimes(n int) int {
	count := 0
	for k := 2; k < n; k++ {
		if isPrime(k) {
			count++
		}
	}
	return count
}

// checksum is a 32-bit FNV-1a style hash of 0..n-1.
func checksum(n int) uint32 {
	h := uint32(2166136261)
	for i := 0; i < n; i++ {
		h ^= uint32(i & 0xff)
		h *= 16777619
	}
	return h
}

// handleWork is the application's only real endpoint.
func handleWork(w http.ResponseWriter, r *http.Request) {
	n, errN := strconv.Atoi(r.URL.Query().Get("n"))
	repeat, errR := strconv.Atoi(r.URL.Query().Get("repeat"))
	if r.URL.Query().Get("repeat") == "" {
		repeat, errR = 1, nil
	}
	if errN != nil || errR != nil || n < 1 || n > maxN || repeat < 1 || repeat > maxRepeat {
		http.Error(w, fmt.Sprintf("n must be 1..%d and repeat 1..%d", maxN, maxRepeat), http.StatusBadRequest)
		return
	}
	primes, sum := 0, uint32(0)
	for i := 0; i < repeat; i++ {
		primes, sum = countPrimes(n), checksum(n)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintf(w, "n=%d primes=%d checksum=%d\n", n, primes, sum)
}

func appMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/work", handleWork)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	return mux
}

// listen refuses anything but a loopback address, then binds it.
func listen(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("%s is not a loopback address: this service listens on 127.0.0.1 only", addr)
	}
	return net.Listen("tcp", addr)
}

func main() {
	appAddr := flag.String("app-addr", "127.0.0.1:0", "application listener (port 0: any free port)")
	// TODO: a --pprof-addr flag (default 127.0.0.1:0) for the pprof listener.
	flag.Parse()

	appLn, err := listen(*appAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot listen:", err)
		os.Exit(1)
	}

	app := &http.Server{Handler: appMux(), ReadHeaderTimeout: 5 * time.Second}
	// TODO: a second http.Server for the pprof mux; its WriteTimeout must exceed ?seconds=.

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	failed := make(chan error, 1)
	go func() {
		if err := app.Serve(appLn); !errors.Is(err, http.ErrServerClosed) {
			failed <- err
		}
	}()
	// TODO: print the pprof listener's address instead of "-".
	fmt.Printf("listening app=%s pprof=- pid=%d\n", appLn.Addr(), os.Getpid())

	select {
	case <-ctx.Done():
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	app.Shutdown(shutdown)
}
