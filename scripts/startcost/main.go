// Command startcost measures what starting a program costs: it runs each
// program given 400 times (3 rounds, in turn) with /dev/null as descriptor
// 3, as the fork model starts netchild, and prints the CPU time (user +
// system, from the children's rusage) and wall time per start.
//
//	NETMODELS_CHILD=fork GOMAXPROCS=1 taskset -c 0 go run ./scripts/startcost OLD NEW
package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	n := 400
	for round := 0; round < 3; round++ {
		for _, b := range os.Args[1:] {
			var ru0, ru1 syscall.Rusage
			_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru0)
			t := time.Now()
			for i := 0; i < n; i++ {
				c := exec.Command(b)
				f, _ := os.Open("/dev/null")
				c.ExtraFiles = []*os.File{f}
				_ = c.Run()
				f.Close()
			}
			w := time.Since(t)
			_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru1)
			cpu := time.Duration(syscall.TimevalToNsec(ru1.Utime) + syscall.TimevalToNsec(ru1.Stime) - syscall.TimevalToNsec(ru0.Utime) - syscall.TimevalToNsec(ru0.Stime))
			fmt.Printf("%-22s cpu %6.0f us  wall %6.0f us\n", b, float64(cpu.Microseconds())/float64(n), float64(w.Microseconds())/float64(n))
		}
	}
}
