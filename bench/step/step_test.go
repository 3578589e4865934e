package step

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"netmodels/bench/scenario"
	"netmodels/bench/stress"
)

// TestJSONRoundTrip: a step handed to a harness as JSON arrives the same,
// for every built-in scenario and every scenario file: loads, durations,
// targets, stress tails and thresholds included.
func TestJSONRoundTrip(t *testing.T) {
	scs := scenario.Builtins()
	for _, n := range scenario.Names("../scenarios") {
		sc, err := scenario.Find("../scenarios", n)
		if err != nil {
			t.Fatal(err)
		}
		scs = append(scs, sc)
	}
	for _, sc := range scs {
		st := &Step{Model: "epoll", Scenario: sc, Repeat: 2, Warmup: 500 * time.Millisecond,
			Thresholds: stress.Defaults(), Label: "[1/2] epoll · " + sc.Name}
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		var back Step
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", sc.Name, err)
		}
		if !reflect.DeepEqual(st, &back) {
			t.Errorf("%s: round trip differs:\n%+v\n%+v", sc.Name, st.Scenario, back.Scenario)
		}
	}
}
