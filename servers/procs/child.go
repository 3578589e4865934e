package procs

import (
	"os"
	"strings"
	"time"
)

// The environment that tells a re-executed binary which child it is and
// carries the settings its parent chose. One variable names the role, one
// carries "header,idle" as Go durations.
const (
	envRole     = "NETMODELS_CHILD"
	envTimeouts = "NETMODELS_TIMEOUTS"
)

// Child is what a parent passes to a child it re-executes: the role (the
// model's name, "fork" or "prefork") and the model's header and idle
// timeouts. Zero timeouts mean "the child's defaults".
type Child struct {
	Role         string
	Header, Idle time.Duration
}

// Env returns env with c added, replacing any role or timeouts already
// there (a child of a child must not inherit its parent's).
func (c Child) Env(env []string) []string {
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if !strings.HasPrefix(kv, envRole+"=") && !strings.HasPrefix(kv, envTimeouts+"=") {
			out = append(out, kv)
		}
	}
	return append(out, envRole+"="+c.Role, envTimeouts+"="+c.Header.String()+","+c.Idle.String())
}

// ThisChild returns what this process's parent passed, and false when this
// process was not started as a child. A timeout that does not parse is
// left zero.
func ThisChild() (Child, bool) {
	role := os.Getenv(envRole)
	if role == "" {
		return Child{}, false
	}
	c := Child{Role: role}
	h, i, _ := strings.Cut(os.Getenv(envTimeouts), ",")
	c.Header, _ = time.ParseDuration(h)
	c.Idle, _ = time.ParseDuration(i)
	return c, true
}
