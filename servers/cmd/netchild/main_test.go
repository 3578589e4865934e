package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoNet: every package netchild links is initialised once per
// connection of the fork model, so it must not link net or log again
// (docs/measurements/fork-floor.md): helpers that need them belong
// outside the packages the child imports.
func TestLinksNoNet(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		switch p {
		case "net", "log", "net/http", "encoding/json":
			t.Errorf("netchild links %s", p)
		}
	}
}
