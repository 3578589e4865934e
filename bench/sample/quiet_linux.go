package sample

import "time"

// Quiet waits until the process tree rooted at pid has used less than
// frac of a CPU over one interval, and returns how long that took. A
// server that was just under load may still be serving what a stopped
// generator left queued (requests read and not yet answered, connections
// in its accept queue); the next generator's turn starts only once it is
// done. After max it gives up and says so with quiet false.
func Quiet(pid int, frac float64, interval, max time.Duration) (waited time.Duration, quiet bool, err error) {
	start := time.Now()
	prev, err := Tree(pid)
	if err != nil {
		return 0, false, err
	}
	for time.Since(start) < max {
		time.Sleep(interval)
		cur, err := Tree(pid)
		if err != nil {
			return time.Since(start), false, err
		}
		if float64(cur.CPU-prev.CPU) < frac*float64(interval) {
			return time.Since(start), true, nil
		}
		prev = cur
	}
	return time.Since(start), false, nil
}
