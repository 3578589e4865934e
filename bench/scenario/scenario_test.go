package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

func TestBuiltinsAndFilesAreValid(t *testing.T) {
	for _, s := range Builtins() {
		if err := s.Validate(); err != nil {
			t.Error(err)
		}
	}
	m, err := Dir("../scenarios")
	if err != nil {
		t.Fatal(err)
	}
	if len(m) == 0 {
		t.Fatal("no scenario files")
	}
	for name, s := range m {
		if s.Doc == "" {
			t.Errorf("%s: no doc", name)
		}
	}
}

func TestLoadFileRejects(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"unknown-field.json": `{"name":"x","targets":[{"path":"/"}],"load":{"kind":"closed","conns":1},"duration":"1s","nope":1}`,
		"bad-kind.json":      `{"name":"x","targets":[{"path":"/"}],"load":{"kind":"sometimes"},"duration":"1s"}`,
		"no-targets.json":    `{"name":"x","load":{"kind":"closed","conns":1},"duration":"1s"}`,
		"bad-path.json":      `{"name":"x","targets":[{"path":"hello"}],"load":{"kind":"closed","conns":1},"duration":"1s"}`,
		"stress-open.json":   `{"name":"x","targets":[{"path":"/"}],"load":{"kind":"constant","rate":1},"duration":"1s","stress":{"recovery_rate":1,"recovery":"1s"}}`,
	} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadFile(p); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	p := filepath.Join(dir, "ok.json")
	_ = os.WriteFile(p, []byte(`{"targets":[{"path":"/"}],"load":{"kind":"users","users":2,"spawn_rate":1,"think_min":1,"think_max":"2s"},"duration":"3s"}`), 0o644)
	s, err := LoadFile(p)
	if err != nil || s.Name != "ok" || s.Load.ThinkMin.Seconds() != 1 {
		t.Fatalf("ok.json: %v %+v", err, s)
	}
}
