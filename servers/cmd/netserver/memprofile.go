package main

import (
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"syscall"
)

// memProfileOnSignal writes, at each SIGUSR1, a heap profile of this
// process to prefix-N.pprof (N counting from 1, after a collection, so
// the profile shows what is live), where its OS threads were created to
// prefix-N.threads.pprof, and logs where the process's memory is
// held: heap in use, heap kept but free, heap returned to the system,
// goroutine stacks, goroutines. It answers "where do these MiB live?"
// after an overload, when RSS alone cannot. It returns a function that
// stops listening.
func memProfileOnSignal(prefix string, logger *log.Logger) func() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGUSR1)
	done := make(chan struct{})
	go func() {
		for n := 1; ; n++ {
			select {
			case <-ch:
			case <-done:
				return
			}
			runtime.GC()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			logger.Printf("memory %d: %s", n, memLine(&ms, runtime.NumGoroutine()))
			for _, p := range []struct{ profile, suffix string }{{"heap", ""}, {"threadcreate", ".threads"}} {
				f, err := os.Create(fmt.Sprintf("%s-%d%s.pprof", prefix, n, p.suffix))
				if err != nil {
					logger.Print(err)
					continue
				}
				if err := pprof.Lookup(p.profile).WriteTo(f, 0); err != nil {
					logger.Print(err)
				}
				f.Close()
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}

// memLine is one line of where the Go runtime holds its memory, in KiB.
func memLine(ms *runtime.MemStats, goroutines int) string {
	k := func(b uint64) uint64 { return b / 1024 }
	threads, _ := runtime.ThreadCreateProfile(nil)
	return fmt.Sprintf("heap in use %d KiB, heap free kept %d KiB, heap returned %d KiB, stacks %d KiB, other runtime %d KiB, goroutines %d, threads made %d, collections %d",
		k(ms.HeapInuse), k(ms.HeapIdle-ms.HeapReleased), k(ms.HeapReleased), k(ms.StackSys),
		k(ms.Sys-ms.HeapSys-ms.StackSys), goroutines, threads, ms.NumGC)
}
