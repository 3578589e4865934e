// Command emptyprog does nothing and exits: a static Go binary with no
// package of its own, the floor of what starting a Go program costs.
// netbench perf starts it the way the fork model starts netchild (50 at a
// time, on the server's CPU) and sets fork's cost per answer against it
// (docs/models/fork.md).
package main

func main() {}
