package procs

import (
	"strings"
	"testing"
	"time"
)

func TestChildEnvRoundTrip(t *testing.T) {
	want := Child{Role: "prefork", Header: 3 * time.Second, Idle: 1500 * time.Millisecond}
	env := want.Env([]string{"PATH=/bin", envRole + "=fork", envTimeouts + "=1s,1s"})
	if len(env) != 3 {
		t.Fatalf("env %q: the parent's role and timeouts must be replaced", env)
	}
	for _, kv := range env[1:] {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	got, ok := ThisChild()
	if !ok || got != want {
		t.Fatalf("ThisChild() = %+v, %v; want %+v", got, ok, want)
	}
	t.Setenv(envTimeouts, "junk")
	if got, ok := ThisChild(); !ok || got.Header != 0 || got.Idle != 0 {
		t.Fatalf("unparsable timeouts: %+v, %v; want zero timeouts", got, ok)
	}
	t.Setenv(envRole, "")
	if _, ok := ThisChild(); ok {
		t.Fatal("no role: ThisChild reports a child")
	}
}
