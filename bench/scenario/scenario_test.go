package scenario

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
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

func TestTargetRequestsAndTasks(t *testing.T) {
	d := Duration{Duration: time.Second}
	users := Load{Kind: Users, Users: 1, SpawnRate: 1}
	good := &Scenario{Name: "post", Targets: []Target{{Method: "POST", Path: "/items", Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"a":1}`,
		Then: []Target{{Path: "/items/1"}}}}, Load: users, Duration: d}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	// A scenario file says the same.
	var back Scenario
	b, _ := json.Marshal(good)
	if err := json.Unmarshal(b, &back); err != nil || back.Targets[0].Body != `{"a":1}` || back.Targets[0].Then[0].Path != "/items/1" || back.Targets[0].Headers["Content-Type"] != "application/json" {
		t.Fatalf("round trip: %s → %+v, %v", b, back.Targets, err)
	}
	for name, tg := range map[string]Target{
		"header with a line end":  {Path: "/", Headers: map[string]string{"X-A": "1\r\nX-B: 2"}},
		"header name not a token": {Path: "/", Headers: map[string]string{"X A": "1"}},
		"netbench's own header":   {Path: "/", Headers: map[string]string{"content-length": "3"}},
		"method not a token":      {Method: "GE T", Path: "/"},
		"path with a space":       {Path: "/a b"},
		"a task in a task":        {Path: "/", Then: []Target{{Path: "/b", Then: []Target{{Path: "/c"}}}}},
	} {
		sc := &Scenario{Name: "bad", Targets: []Target{tg}, Load: users, Duration: d}
		if sc.Validate() == nil {
			t.Errorf("%s: validates", name)
		}
	}
	closed := &Scenario{Name: "task", Targets: []Target{{Path: "/", Then: []Target{{Path: "/b"}}}}, Load: Load{Kind: Closed, Conns: 1}, Duration: d}
	if closed.Validate() == nil {
		t.Error("a task in a closed load validates; only users wait for answers")
	}
}

// TestScaled: a load relative to a capacity gets its rates from it, and
// a scenario that mixes rates with fractions, or names no capacity, is
// refused.
func TestScaled(t *testing.T) {
	sc, err := Find("", "hello-latency")
	if err != nil {
		t.Fatal(err)
	}
	if err := sc.Validate(); err != nil {
		t.Fatal(err)
	}
	got, err := sc.Scaled(4000)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{1000, 2000, 3000}; !slices.Equal(got.Load.Rates, want) {
		t.Errorf("rates %v, want %v", got.Load.Rates, want)
	}
	if len(sc.Load.Rates) != 0 {
		t.Error("Scaled changed the scenario it was given")
	}
	if err := got.Validate(); err != nil {
		t.Errorf("the scaled scenario: %v", err)
	}
	if _, err := sc.Scaled(0); err == nil {
		t.Error("scaled from no capacity")
	}
	if got.Total() != 9*time.Second || sc.Total() != 9*time.Second {
		t.Errorf("length %v before scaling, %v after, want 9s", sc.Total(), got.Total())
	}
	for _, l := range []Load{
		{Kind: Steps, Of: "hello-keepalive", Step: d(time.Second)},
		{Kind: Steps, Fractions: []float64{0.5}, Step: d(time.Second)},
		{Kind: Steps, Of: "x", Fractions: []float64{0.5}, Rates: []float64{10, 20}, Step: d(time.Second)},
		{Kind: Steps, Of: "x", Fractions: []float64{-1}, Step: d(time.Second)},
	} {
		bad := Scenario{Name: "bad", Targets: []Target{{Path: "/"}}, Load: l}
		if bad.Validate() == nil {
			t.Errorf("load %+v was accepted", l)
		}
	}
}
