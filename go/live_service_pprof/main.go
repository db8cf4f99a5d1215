// Command live_service_pprof is a small HTTP service with a CPU-heavy endpoint,
// profiled while it serves.
//
// The application and the profiler listen on two different sockets, both on
// 127.0.0.1. The pprof handlers live on their own ServeMux behind the second
// listener: importing net/http/pprof also registers them on
// http.DefaultServeMux, which this program never serves, so the application
// port cannot leak profiles, command lines or symbols to its clients.
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
	"net/http/pprof"
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

// pprofMux serves the profiling endpoints, and nothing else, for the loopback-only listener.
func pprofMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
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
	pprofAddr := flag.String("pprof-addr", "127.0.0.1:0", "pprof listener, loopback only (port 0: any free port)")
	flag.Parse()

	appLn, err := listen(*appAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot listen:", err)
		os.Exit(1)
	}
	pprofLn, err := listen(*pprofAddr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot listen:", err)
		os.Exit(1)
	}

	app := &http.Server{Handler: appMux(), ReadHeaderTimeout: 5 * time.Second}
	// WriteTimeout caps ?seconds=: pprof refuses a profile longer than the server may write.
	prof := &http.Server{Handler: pprofMux(), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 65 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	failed := make(chan error, 2)
	for _, s := range []struct {
		srv *http.Server
		ln  net.Listener
	}{{app, appLn}, {prof, pprofLn}} {
		go func() {
			if err := s.srv.Serve(s.ln); !errors.Is(err, http.ErrServerClosed) {
				failed <- err
			}
		}()
	}
	fmt.Printf("listening app=%s pprof=%s pid=%d\n", appLn.Addr(), pprofLn.Addr(), os.Getpid())

	select {
	case <-ctx.Done():
	case err := <-failed:
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	app.Shutdown(shutdown)
	prof.Shutdown(shutdown)
}
