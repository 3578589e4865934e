package runner

import (
	"flag"
	"os"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docker/compose.yaml from Compose")

// TestCompose keeps docker/compose.yaml the setup of make bench-all: the
// server's limits are DefaultLimits, the harness on CPU 1 in the server's
// network namespace.
func TestCompose(t *testing.T) {
	const path = "../../docker/compose.yaml"
	want := Compose(DefaultLimits(), "1")
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("docker/compose.yaml differs from runner.Compose(DefaultLimits()); go test ./bench/runner -update rewrites it")
	}
}
