package handler

import (
	"bytes"
	"strconv"
	"sync"
	"time"

	"netmodels/servers/httpx"
)

// Parameter limits of API.md.
const (
	MinN, MaxN     = 1, 100000
	MinMax, MaxMax = 2, 1000000000
	MaxSleepMS     = 60000

	// DefaultN and DefaultMax are the seed course's scenario 1.
	DefaultN, DefaultMax = 1000, 5000
)

const (
	textPlain = "text/plain; charset=utf-8"
	appJSON   = "application/json"
	allowGET  = "GET, HEAD"
)

// What Complete does, stored in Response.Args[0] >> 8 (the low byte holds
// the algorithm of a sort).
const (
	opSort  = iota + 1 // Args: algo, n, max, short body
	opSleep            // Args: -, ms
)

// Router is the Handler of every model. It is stateless and safe for
// concurrent use; its only shared objects are sync.Pools of value buffers.
type Router struct {
	// values[k] holds *[]int32 of capacity 1<<k: a sort of n values takes
	// a buffer of the smallest class that holds n, so a server with many
	// sorts in flight holds at most twice their values. (One class of
	// MaxN held 400 KiB per sort in flight: the pool model's 128 workers
	// sorting n=1000 held 50 MiB; docs/models/pool.md.)
	values [valueClasses]sync.Pool
	key    []byte // the up-down game's HMAC key
}

// valueClasses is the number of buffer sizes, 1<<0 to 1<<17 >= MaxN.
const valueClasses = 18

// valueClass is the smallest k with 1<<k >= n.
func valueClass(n int) int {
	k := 0
	for 1<<k < n {
		k++
	}
	return k
}

// New returns the router of API.md with the game key of GameKey. Where
// the environment holds no valid key it makes a random one; netserver
// checks GameKeyEnv itself so that a bad key is an error there.
func New() *Router {
	k, err := GameKey()
	if err != nil {
		k = randomKey()
	}
	return NewWithKey(k)
}

// NewWithKey returns the router of API.md whose up-down games are signed
// with key.
func NewWithKey(key []byte) *Router { return &Router{key: append([]byte(nil), key...)} }

// Handle routes req. Everything but the sorts and /sleep is answered here;
// those two are deferred so that an event-loop model can decide where their
// CPU time or waiting goes.
func (h *Router) Handle(req *httpx.Request, res *httpx.Response) {
	path := req.Path
	switch string(path) {
	case "/", "/hello":
		if getOnly(req, res) {
			res.ContentType = textPlain
			res.Body = append(res.Body, "hello\n"...)
		}
	case "/healthz":
		if getOnly(req, res) {
			res.ContentType = textPlain
			res.Body = append(res.Body, "ok\n"...)
		}
	case "/sleep":
		if getOnly(req, res) {
			ms, ok := queryInt(req.Query, "ms", 0, 0, MaxSleepMS)
			if !ok {
				res.SetError(400, "ms must be an integer in [0, 60000]")
				return
			}
			res.Defer, res.Delay = httpx.DeferSleep, time.Duration(ms)*time.Millisecond
			res.Args = [4]int64{opSleep << 8, ms}
		}
	case "/test/normal_sort/":
		sortQuery(req, res, Builtin, true)
	case "/test/bubble_sort/":
		sortQuery(req, res, Bubble, true)
	case "/test/priority_queue/":
		sortQuery(req, res, Heap, true)
	case "/updown", "/updown/", "/updown/new", "/updown/guess":
		h.updown(string(path), req, res)
	default:
		name, ok := bytes.CutPrefix(path, []byte("/sort/"))
		if !ok || len(name) == 0 || bytes.IndexByte(name, '/') >= 0 {
			res.SetError(404, "not found")
			return
		}
		algo, ok := ParseAlgo(name)
		if !ok {
			if !getOnly(req, res) {
				return
			}
			res.SetError(400, "unknown algo: use builtin, bubble, heap or linear")
			return
		}
		sortQuery(req, res, algo, false)
	}
}

// sortQuery reads n and max from the query (DefaultN and DefaultMax when
// absent) and defers the sort; short answers the /test/ views' {"top":T}.
func sortQuery(req *httpx.Request, res *httpx.Response, algo Algo, short bool) {
	n, ok := queryInt(req.Query, "n", DefaultN, MinN, MaxN)
	if !ok {
		if getOnly(req, res) {
			res.SetError(400, "n must be an integer in [1, 100000]")
		}
		return
	}
	m, ok := queryInt(req.Query, "max", DefaultMax, MinMax, MaxMax)
	if !ok {
		if getOnly(req, res) {
			res.SetError(400, "max must be an integer in [2, 1000000000]")
		}
		return
	}
	deferSort(req, res, algo, n, m, short)
}

// deferSort validates the method and defers a sort of n values below max.
func deferSort(req *httpx.Request, res *httpx.Response, a Algo, n, max int64, short bool) {
	if !getOnly(req, res) {
		return
	}
	s := int64(0)
	if short {
		s = 1
	}
	res.Defer = httpx.DeferCompute
	res.Args = [4]int64{opSort<<8 | int64(a), n, max, s}
}

// Complete does the deferred work of a sort or a sleep (the waiting itself
// is the model's) and writes the body.
func (h *Router) Complete(res *httpx.Response) {
	res.Status = 200
	res.ContentType = appJSON
	b := res.Body[:0]
	switch res.Args[0] >> 8 {
	case opSleep:
		b = append(b, `{"slept_ms":`...)
		b = strconv.AppendInt(b, res.Args[1], 10)
	default:
		a := Algo(res.Args[0] & 0xff)
		n, m := res.Args[1], res.Args[2]
		top := h.top(a, int(n), int32(m))
		if res.Args[3] == 0 {
			b = append(b, `{"algo":"`...)
			b = append(b, a.String()...)
			b = append(b, `","n":`...)
			b = strconv.AppendInt(b, n, 10)
			b = append(b, `,"max":`...)
			b = strconv.AppendInt(b, m, 10)
			b = append(b, ',')
		} else {
			b = append(b, '{')
		}
		b = append(b, `"top":`...)
		b = strconv.AppendInt(b, int64(top), 10)
	}
	res.Body = append(b, '}')
}

// top draws n fresh values below max and finds the largest with a.
func (h *Router) top(a Algo, n int, max int32) int32 {
	pool := &h.values[valueClass(n)]
	p, _ := pool.Get().(*[]int32)
	if p == nil {
		s := make([]int32, 1<<valueClass(n))
		p = &s
	}
	v := (*p)[:n]
	Fill(v, max)
	t := Top(a, v)
	pool.Put(p)
	return t
}

// getOnly answers 405 unless the method is GET or HEAD.
func getOnly(req *httpx.Request, res *httpx.Response) bool {
	switch string(req.Method) {
	case "GET", "HEAD":
		return true
	}
	res.SetError(405, "method not allowed")
	res.Allow = allowGET
	return false
}

// queryInt finds key in a query string and parses its value as a decimal
// integer in [lo, hi]; def when the key is absent. The last occurrence
// wins, as in most frameworks.
func queryInt(q []byte, key string, def, lo, hi int64) (int64, bool) {
	v, found := int64(def), false
	for len(q) > 0 {
		var pair []byte
		pair, q, _ = bytes.Cut(q, []byte{'&'})
		k, val, _ := bytes.Cut(pair, []byte{'='})
		if string(k) != key {
			continue
		}
		found = true
		n, ok := parseDecimal(val)
		if !ok {
			return 0, false
		}
		v = n
	}
	if found && (v < lo || v > hi) {
		return 0, false
	}
	return v, true
}

// parseDecimal parses 1 to 12 ASCII digits.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 12 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
