package handler

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"netmodels/servers/httpx"
)

func TestTopAgreesAcrossAlgorithms(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 1000} {
		for trial := 0; trial < 20; trial++ {
			v := make([]int32, n)
			Fill(v, 50)
			want := slices.Max(v)
			for a := Algo(0); a < numAlgos; a++ {
				if got := Top(a, slices.Clone(v)); got != want {
					t.Fatalf("%v on %v: %d, want %d", a, v, got, want)
				}
			}
		}
	}
}

func TestBubbleSortSorts(t *testing.T) {
	v := make([]int32, 500)
	Fill(v, 1000)
	bubbleSort(v)
	if !slices.IsSorted(v) {
		t.Fatal("not sorted")
	}
}

func TestFillRange(t *testing.T) {
	v := make([]int32, 10000)
	Fill(v, 3)
	seen := map[int32]bool{}
	for _, x := range v {
		if x < 1 || x >= 3 {
			t.Fatalf("value %d outside [1, 3)", x)
		}
		seen[x] = true
	}
	if len(seen) != 2 {
		t.Fatalf("values %v: want both 1 and 2", seen)
	}
}

// serve runs the router on a request the way a Session does.
func serve(method, target string) *httpx.Response {
	h := New()
	req := &httpx.Request{Method: []byte(method), Target: []byte(target)}
	path, query, _ := cut(target, '?')
	req.Path, req.Query = []byte(path), []byte(query)
	res := &httpx.Response{Status: 200}
	h.Handle(req, res)
	if res.Defer != httpx.DeferNone {
		h.Complete(res)
	}
	return res
}

func cut(s string, c byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestRoutes(t *testing.T) {
	cases := []struct {
		method, target string
		status         int
		body           string
	}{
		{"GET", "/", 200, "hello\n"},
		{"HEAD", "/hello", 200, "hello\n"},
		{"GET", "/healthz", 200, "ok\n"},
		{"GET", "/sleep?ms=0", 200, `{"slept_ms":0}`},
		{"GET", "/sort/linear?n=1&max=2", 200, `{"algo":"linear","n":1,"max":2,"top":1}`},
		{"GET", "/sort/bubble?max=2&n=3&max=2", 200, `{"algo":"bubble","n":3,"max":2,"top":1}`},
		{"GET", "/sort/heap?n=5&max=2&other=x", 200, `{"algo":"heap","n":5,"max":2,"top":1}`},
		{"GET", "/sort/nope", 400, ""},
		{"POST", "/sort/nope", 405, ""},
		{"GET", "/sort/", 404, ""},
		{"GET", "/sort/linear/x", 404, ""},
		{"GET", "/sort/linear?n=0", 400, ""},
		{"GET", "/sort/linear?n=100001", 400, ""},
		{"GET", "/sort/linear?max=1", 400, ""},
		{"GET", "/sort/linear?max=1000000001", 400, ""},
		{"GET", "/sort/linear?n=1e3", 400, ""},
		{"GET", "/sleep?ms=60001", 400, ""},
		{"GET", "/sleep?ms=", 400, ""},
		{"DELETE", "/healthz", 405, ""},
		{"GET", "/test/normal_sort", 404, ""},
		{"GET", "/test/bubble_sort/?n=0", 400, ""},
		{"GET", "/test/priority_queue/?max=x", 400, ""},
		{"POST", "/test/normal_sort/?n=10", 405, ""},
	}
	for _, c := range cases {
		res := serve(c.method, c.target)
		if res.Status != c.status || c.body != "" && string(res.Body) != c.body {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.target, res.Status, res.Body, c.status, c.body)
		}
		if res.Status >= 400 {
			var e struct{ Error string }
			if json.Unmarshal(res.Body, &e) != nil || e.Error == "" {
				t.Errorf("%s %s: error body %q", c.method, c.target, res.Body)
			}
		}
		if res.Status == 405 && res.Allow != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", c.method, c.target, res.Allow)
		}
	}
}

func TestSleepIsDeferredNotSlept(t *testing.T) {
	h := New()
	req := &httpx.Request{Method: []byte("GET"), Path: []byte("/sleep"), Query: []byte("ms=1500")}
	res := &httpx.Response{}
	start := time.Now()
	h.Handle(req, res)
	if res.Defer != httpx.DeferSleep || res.Delay != 1500*time.Millisecond || time.Since(start) > time.Second {
		t.Fatalf("defer %v delay %v", res.Defer, res.Delay)
	}
}

func TestSeedAliases(t *testing.T) {
	for _, p := range []string{"/test/normal_sort/", "/test/bubble_sort/", "/test/priority_queue/"} {
		res := serve("GET", p)
		var m map[string]int
		if err := json.Unmarshal(res.Body, &m); err != nil || len(m) != 1 || m["top"] < 1 || m["top"] >= DefaultMax {
			t.Fatalf("%s: %q", p, res.Body)
		}
		// The slides' scenario 2 on the same views, as the Django
		// reference serves it: ?n=10000&max=50000.
		res = serve("GET", p+"?n=10000&max=50000")
		m = nil
		if err := json.Unmarshal(res.Body, &m); err != nil || len(m) != 1 || m["top"] < 45000 || m["top"] >= 50000 {
			t.Fatalf("%s?n=10000&max=50000: %q", p, res.Body)
		}
	}
}

// BenchmarkTop is the CPU cost of each algorithm at the seed's two sizes,
// values drawn included: what one sort request costs apart from any server.
func BenchmarkTop(b *testing.B) {
	for _, size := range []struct{ n, max int }{{1000, 5000}, {10000, 50000}} {
		for a := Algo(0); a < numAlgos; a++ {
			b.Run(fmt.Sprintf("%s/n=%d", a, size.n), func(b *testing.B) {
				v := make([]int32, size.n)
				b.ReportAllocs()
				for b.Loop() {
					Fill(v, int32(size.max))
					Top(a, v)
				}
			})
		}
	}
}

// BenchmarkHandleHello is routing plus the body of /hello.
func BenchmarkHandleHello(b *testing.B) {
	h := New()
	req := &httpx.Request{Method: []byte("GET"), Path: []byte("/hello")}
	res := &httpx.Response{Body: make([]byte, 0, 64)}
	b.ReportAllocs()
	for b.Loop() {
		res.Body = res.Body[:0]
		h.Handle(req, res)
	}
}

// A sort of n values holds a buffer of less than 2n of them, whatever the
// largest n allowed: many sorts in flight at once (the pool model's
// workers) hold what their sizes need, not MaxN each.
func TestSortBufferFitsN(t *testing.T) {
	for _, c := range []struct{ n, class int }{{1, 0}, {2, 1}, {3, 2}, {1000, 10}, {1024, 10}, {1025, 11}, {10000, 14}, {MaxN, 17}} {
		if got := valueClass(c.n); got != c.class {
			t.Errorf("valueClass(%d) = %d, want %d", c.n, got, c.class)
		}
	}
	if 1<<(valueClasses-1) < MaxN {
		t.Fatalf("the largest class, %d values, is below MaxN %d", 1<<(valueClasses-1), MaxN)
	}
	h := New()
	for try := 0; try < 20; try++ { // the race detector's sync.Pool drops some Puts
		h.top(Bubble, 1000, 5000)
		if p, _ := h.values[valueClass(1000)].Get().(*[]int32); p != nil {
			if cap(*p) >= 2000 {
				t.Fatalf("a sort of 1000 values held a buffer of %d", cap(*p))
			}
			return
		}
	}
	t.Fatal("the sort's buffer never came back to its pool")
}
