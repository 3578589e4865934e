// Command netbench is the netmodels benchmark harness. Its subcommands:
//
//	netbench run     attack models with scenarios, store results/<run-id>/
//	netbench attack  one planned step, for a harness container (run -backend docker)
//	netbench report  write a stored run's REPORT.md and charts
//	netbench idle    memory per idle keep-alive connection, per model
//	netbench locust  netbench's users load next to Locust's on one server
//	netbench merge   join the shards of one attack (run -shard i/N) into one run
//	netbench perf    server CPU per request, the models next to nginx (wrk)
//	netbench stress  the reliability suite: overload, slow clients, limits, shutdown, soak
//	netbench ui      Locust's web UI over the models, live, with the server's side
//
// Run "netbench <subcommand> -h" for a subcommand's flags.
package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
)

// command is one subcommand: its flags and what it does with them.
type command struct {
	fs   *flag.FlagSet
	run  func(args []string) error
	help string
}

func main() {
	commands := map[string]command{
		"attack":    attackCmd(),
		"doctor":    doctorCmd(),
		"idle":      idleCmd(),
		"locust":    locustCmd(),
		"merge":     mergeCmd(),
		"perf":      perfCmd(),
		"run":       runCmd(),
		"startcost": startcostCmd(),
		"report":    reportCmd(),
		"stress":    stressCmd(),
		"ui":        uiCmd(),
	}
	if len(os.Args) < 2 || commands[os.Args[1]].run == nil {
		fmt.Fprintf(os.Stderr, "usage: netbench <subcommand> [flags]\n\nsubcommands:\n")
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintf(os.Stderr, "  %-8s %s\n", n, commands[n].help)
		}
		os.Exit(2)
	}
	c := commands[os.Args[1]]
	if err := c.run(os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "netbench %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
