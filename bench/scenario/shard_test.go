package scenario

import (
	"math"
	"testing"
	"time"
)

func TestParseShard(t *testing.T) {
	for in, ok := range map[string]bool{"0/1": true, "2/3": true, "3/3": false, "-1/3": false, "1": false, "a/b": false, "0/0": false} {
		_, err := ParseShard(in)
		if (err == nil) != ok {
			t.Errorf("ParseShard(%q): %v", in, err)
		}
	}
}

// TestSharesAddUp: for every built-in scenario and 1 to 7 shards, the
// shards' rates add up to the whole (within float rounding) and their
// connections and users exactly.
func TestSharesAddUp(t *testing.T) {
	for _, sc := range Builtins() {
		for n := 1; n <= 7; n++ {
			var rate, from, to, spawn, rec float64
			conns, users, maxc := 0, 0, 0
			rates := make([]float64, len(sc.Load.Rates))
			for i := 0; i < n; i++ {
				sh, err := Shard{i, n}.Of(sc)
				if err != nil {
					if sc.Load.Conns < n && sc.Load.Conns > 0 || sc.Load.Users < n && sc.Load.Users > 0 {
						continue
					}
					t.Fatalf("%s %d/%d: %v", sc.Name, i, n, err)
				}
				rate, from, to, spawn = rate+sh.Load.Rate, from+sh.Load.From, to+sh.Load.To, spawn+sh.Load.SpawnRate
				conns, users, maxc = conns+sh.Load.Conns, users+sh.Load.Users, maxc+sh.MaxConns
				for k, r := range sh.Load.Rates {
					rates[k] += r
				}
				if sh.Stress != nil {
					rec += sh.Stress.RecoveryRate
				}
				if sh.Name != sc.Name || sh.Duration != sc.Duration || len(sh.Targets) != len(sc.Targets) {
					t.Errorf("%s %d/%d changed more than the load", sc.Name, i, n)
				}
			}
			if sc.Load.Conns >= n || sc.Load.Conns == 0 {
				if conns != sc.Load.Conns {
					t.Errorf("%s over %d: connections add up to %d, not %d", sc.Name, n, conns, sc.Load.Conns)
				}
			}
			if (sc.Load.Users >= n || sc.Load.Users == 0) && users != sc.Load.Users {
				t.Errorf("%s over %d: users add up to %d, not %d", sc.Name, n, users, sc.Load.Users)
			}
			if sc.MaxConns >= n && maxc != sc.MaxConns {
				t.Errorf("%s over %d: max_conns add up to %d, not %d", sc.Name, n, maxc, sc.MaxConns)
			}
			near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
			if !near(rate, sc.Load.Rate) || !near(from, sc.Load.From) || !near(to, sc.Load.To) || !near(spawn, sc.Load.SpawnRate) {
				t.Errorf("%s over %d: rates add up to %g %g %g %g", sc.Name, n, rate, from, to, spawn)
			}
			for k := range rates {
				if !near(rates[k], sc.Load.Rates[k]) {
					t.Errorf("%s over %d: step %d adds up to %g, not %g", sc.Name, n, k, rates[k], sc.Load.Rates[k])
				}
			}
			if sc.Stress != nil && !near(rec, sc.Stress.RecoveryRate) {
				t.Errorf("%s over %d: recovery rate adds up to %g", sc.Name, n, rec)
			}
		}
	}
}

func TestShardSpreadsRemainder(t *testing.T) {
	sc := &Scenario{Name: "x", Load: Load{Kind: Closed, Conns: 50}}
	got := []int{}
	for i := 0; i < 3; i++ {
		sh, err := Shard{i, 3}.Of(sc)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, sh.Load.Conns)
	}
	if got[0] != 17 || got[1] != 17 || got[2] != 16 {
		t.Errorf("50 connections over 3 shards: %v, want [17 17 16]", got)
	}
}

func TestShardPhases(t *testing.T) {
	sc := &Scenario{Name: "x", Targets: []Target{{Path: "/"}}, Load: Load{Kind: Constant, Rate: 6000}, Duration: Duration{Duration: time.Second}}
	for i, want := range []float64{0, 1.0 / 3, 2.0 / 3} {
		sh, err := Shard{i, 3}.Of(sc)
		if err != nil || sh.Load.Phase != want || sh.Validate() != nil {
			t.Errorf("shard %d/3: phase %v (%v), want %v", i, sh.Load.Phase, err, want)
		}
		// A shard of a shard is the whole load's request i + 3j of
		// every 6: shard 1/2 of shard i/3 has phase (i/3 + 1)/2.
		sub, _ := Shard{1, 2}.Of(sh)
		if w := (want + 1) / 2; math.Abs(sub.Load.Phase-w) > 1e-12 {
			t.Errorf("shard 1/2 of %d/3: phase %v, want %v", i, sub.Load.Phase, w)
		}
	}
	for _, p := range []float64{-0.1, 1} {
		bad := *sc
		bad.Load.Phase = p
		if bad.Validate() == nil {
			t.Errorf("phase %v validates", p)
		}
	}
}
