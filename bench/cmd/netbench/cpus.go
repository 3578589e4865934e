package main

import (
	"strings"

	"netmodels/bench/sample"
)

func list(s string) []string {
	// Commas or spaces: make's MODELS="fork gnet" and -models fork,gnet.
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
}

// sampler samples an outside server: a container's cgroup (under root)
// when cgroup is set, else a process tree when pid is, else nothing. It
// also says which, for meta.json.
func sampler(pid int, cgroup, root string) (func() (sample.Stat, error), string) {
	switch {
	case cgroup != "":
		return func() (sample.Stat, error) { return sample.Cgroup(root, cgroup) }, "sampled from its container's cgroup"
	case pid > 0:
		return func() (sample.Stat, error) { return sample.Tree(pid) }, "its process tree sampled from /proc"
	}
	return nil, "not sampled"
}
