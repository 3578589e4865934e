package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netmodels/bench/store"
)

func TestPastLengthTakesTheLatestRunOfTheSameCommand(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	write := func(name, profile string, started time.Time, took time.Duration) {
		d := filepath.Join(dir, name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		m := &store.Meta{RunID: name, Started: started, Finished: started.Add(took), CPUModel: "cpu " + name,
			Flags: map[string]string{"profile": profile, "backend": "native", "server-cpu": "auto"}}
		if err := store.WriteMeta(d, m); err != nil {
			t.Fatal(err)
		}
	}
	write("old", "seeds", t0, 25*time.Minute)
	write("new", "seeds", t0.Add(24*time.Hour), 61*time.Minute)
	write("quick", "quick", t0.Add(48*time.Hour), 3*time.Minute)
	flags := map[string]string{"profile": "seeds", "backend": "native", "server-cpu": "auto"}
	got := pastLength(dir, flags)
	if !strings.Contains(got, "new") || !strings.Contains(got, "1h1m0s") {
		t.Errorf("pastLength = %q, want the newer seeds run's 1h1m", got)
	}
	flags["backend"] = "docker"
	if got := pastLength(dir, flags); got != "" {
		t.Errorf("a Docker run matched native ones: %q", got)
	}
}
