package attack

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/scenario"
)

// TestLiveSteersUsers: a Live hears every result the attack keeps, and
// the users running follow SetUsers up and down while the load runs.
func TestLiveSteersUsers(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	sc := &scenario.Scenario{Name: "live", Targets: []scenario.Target{{Path: "/a"}}, KeepAlive: true,
		Load:     scenario.Load{Kind: scenario.Users, Users: 2, SpawnRate: 200, ThinkMin: dur(5 * time.Millisecond), ThinkMax: dur(10 * time.Millisecond)},
		Duration: dur(3 * time.Second)}
	var (
		mu   sync.Mutex
		seen []vegeta.Result
	)
	var ended *Result
	live := &Live{OnResult: func(r *vegeta.Result) { mu.Lock(); seen = append(seen, *r); mu.Unlock() },
		OnEnd: func(r *Result) { ended = r }}
	// wait polls until the users running are n, or fails.
	wait := func(n int) {
		t.Helper()
		for end := time.Now().Add(time.Second); live.Users() != n; {
			if time.Now().After(end) {
				t.Fatalf("%d users running, want %d", live.Users(), n)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	done := make(chan *Result)
	go func() {
		a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t", Live: live})
		if err != nil {
			t.Error(err)
		}
		done <- a
	}()
	wait(2)
	live.SetUsers(12, 1000)
	wait(12)
	live.SetUsers(3, 1000)
	wait(3)
	a := <-done
	if a == nil {
		return
	}
	if ended != a {
		t.Error("OnEnd did not hear the attack's result")
	}
	if live.Users() != 0 {
		t.Errorf("%d users still running after the load", live.Users())
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != len(a.Results) || len(seen) < 100 {
		t.Fatalf("the Live heard %d results, the attack kept %d (want the same, over 100)", len(seen), len(a.Results))
	}
	bySeq := map[uint64]vegeta.Result{}
	for _, r := range seen {
		bySeq[r.Seq] = r
	}
	for _, r := range a.Results {
		if got, ok := bySeq[r.Seq]; !ok || got.Latency != r.Latency || got.Code != r.Code {
			t.Fatalf("result %d kept as %+v, heard as %+v", r.Seq, r, got)
		}
	}
}

// TestLiveHearsAClosedLoad: the event loop's results reach OnResult too.
func TestLiveHearsAClosedLoad(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	sc := &scenario.Scenario{Name: "closed", Targets: []scenario.Target{{Path: "/"}}, KeepAlive: true,
		Load: scenario.Load{Kind: scenario.Closed, Conns: 4}, Duration: dur(300 * time.Millisecond)}
	n := 0
	a, err := Run(context.Background(), sc, Options{URL: srv.URL, Name: "t", Live: &Live{OnResult: func(*vegeta.Result) { n++ }}})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 || n != len(a.Results) {
		t.Fatalf("heard %d results of %d", n, len(a.Results))
	}
}
