package attack

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/scenario"
	"netmodels/bench/wire"
)

// engine sends the requests of an attack: plain TCP connections, a
// goroutine per connection, requests written as bytes and answers read by
// package wire. It fills a vegeta.Result per request, so that every file,
// metric and plot is vegeta's, but none of net/http's client machinery
// (a Request, a header map, a URL parse and a transport's goroutines per
// request) stands between the schedule and the wire: that machinery made
// the generator, not the server, the bottleneck
// (docs/measurements/generator.md).
type engine struct {
	name      string         // the attack's name, in every result
	base      string         // scheme://host[:port], prefixed to each result's URL
	addr      netip.AddrPort // resolved once, dialed without a lookup
	host      string         // the Host field
	keepAlive bool
	timeout   time.Duration
	dialer    net.Dialer
	targets   []*target
	total     int       // sum of the targets' weights
	live      *Live     // nil unless the attack is watched (Options.Live)
	rxStamps  bool      // Options.RxStamps
	txStamps  bool      // Options.TxStamps
	startAt   time.Time // Options.StartAt
}

// target is a scenario target made ready to send.
type target struct {
	scenario.Target
	url    string    // base + path: the result's URL
	fields []byte    // its headers as header lines, in name order
	body   []byte    // its body; nil without one
	then   []*target // a task's later requests
}

// prepare makes t ready to send to base.
func prepare(t scenario.Target, base string) *target {
	if t.Method == "" {
		t.Method = http.MethodGet
	}
	p := &target{Target: t, url: base + t.Path}
	names := make([]string, 0, len(t.Headers))
	for k := range t.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		p.fields = append(p.fields, k+": "+t.Headers[k]+"\r\n"...)
	}
	if t.Body != "" {
		p.body = []byte(t.Body)
	}
	for _, n := range t.Then {
		p.then = append(p.then, prepare(n, base))
	}
	return p
}

func newEngine(sc *scenario.Scenario, base, name string) (*engine, error) {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("attack: %q is not an http://host:port URL", base)
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	ta, err := net.ResolveTCPAddr("tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return nil, fmt.Errorf("attack: %v", err)
	}
	base = "http://" + u.Host
	e := &engine{name: name, base: base, addr: ta.AddrPort(), host: u.Host, keepAlive: sc.KeepAlive,
		timeout: timeout(sc), dialer: net.Dialer{Timeout: timeout(sc), KeepAlive: -1}}
	for _, t := range sc.Targets {
		e.targets = append(e.targets, prepare(t, base))
		e.total += max(t.Weight, 1)
	}
	return e, nil
}

// pick chooses a target by weight.
func (e *engine) pick() *target {
	if len(e.targets) == 1 {
		return e.targets[0]
	}
	k := rand.IntN(e.total)
	for i := range e.targets {
		if k -= max(e.targets[i].Weight, 1); k < 0 {
			return e.targets[i]
		}
	}
	return e.targets[len(e.targets)-1]
}

// client is one sender: at most one connection at a time, reused while
// keep-alive lasts, and the buffers it reuses from request to request and
// from connection to connection. It is used by one goroutine; call done
// when it ends.
type client struct {
	e    *engine
	ctx  context.Context
	conn *net.TCPConn
	used bool // the connection carried an answer already
	rd   wire.Conn
	out  []byte
	// A stop cuts the request in flight: a deadline in the past wakes the
	// blocked read or write. One registration per client, not per
	// connection, because a new connection per request is the costly case.
	mu      sync.Mutex
	stopped bool
	unstop  func() bool
	// sendDelay is the next request's wait between a new connection and
	// its write (scenario.Target.SendDelay).
	sendDelay time.Duration
}

func newClient(ctx context.Context, e *engine) *client {
	c := &client{e: e, ctx: ctx}
	c.unstop = context.AfterFunc(ctx, func() {
		c.mu.Lock()
		c.stopped = true
		if c.conn != nil {
			_ = c.conn.SetDeadline(time.Unix(1, 0))
		}
		c.mu.Unlock()
	})
	return c
}

// done closes the client's connection and unregisters its stop.
func (c *client) done() {
	c.unstop()
	c.close()
}

func (c *client) close() {
	if c.conn != nil {
		c.mu.Lock()
		_ = c.conn.Close()
		c.conn = nil
		c.mu.Unlock()
	}
}

func (c *client) dial(deadline time.Time) error {
	d := c.e.dialer
	d.Deadline = deadline
	nc, err := d.DialTCP(c.ctx, "tcp", netip.AddrPort{}, c.e.addr)
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.conn, c.used = nc, false
	if c.stopped {
		_ = nc.SetDeadline(time.Unix(1, 0))
	}
	c.mu.Unlock()
	c.rd.Reset(nc)
	return nil
}

// do sends one request and fills r with its outcome. When body is not nil
// the answer's body is appended to it.
func (c *client) do(method, path, url string, fields, reqBody []byte, r *vegeta.Result, body *[]byte) {
	e := c.e
	r.Attack, r.Method, r.URL = e.name, method, url
	r.Timestamp = time.Now()
	deadline := r.Timestamp.Add(e.timeout)
	var err error
	for try := 0; try < 2; try++ {
		reused := c.conn != nil && c.used
		err = c.once(method, path, fields, reqBody, deadline, r, body)
		// A kept-alive connection the server closed while it was idle
		// fails before any answer: send again on a new one, as net/http
		// does for idempotent requests.
		if err == nil || !reused || !retryable(err) || body != nil && len(*body) > 0 {
			break
		}
	}
	if err != nil {
		r.Code, r.Error = 0, err.Error()
	}
	r.Latency = time.Since(r.Timestamp)
}

func (c *client) once(method, path string, fields, reqBody []byte, deadline time.Time, r *vegeta.Result, body *[]byte) error {
	if c.conn == nil {
		if err := c.dial(deadline); err != nil {
			return err
		}
		if d := c.sendDelay; d > 0 {
			// A client late to send (scenario.Target.SendDelay).
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-c.ctx.Done():
				t.Stop()
				c.close()
				return c.ctx.Err()
			}
		}
	}
	if err := c.conn.SetDeadline(deadline); err != nil {
		c.close()
		return err
	}
	req := wire.Request{Method: method, Target: path, Host: c.e.host, Fields: fields, Body: reqBody, Close: !c.e.keepAlive}
	c.out = req.Append(c.out[:0])
	if _, err := c.conn.Write(c.out); err != nil {
		c.close()
		return err
	}
	r.BytesOut = uint64(len(reqBody))
	resp, n, err := c.rd.Read(method == http.MethodHead, body)
	r.Code, r.BytesIn = uint16(resp.Code), uint64(n)
	if err != nil || resp.Close || !c.e.keepAlive {
		c.close()
	} else {
		c.used = true
	}
	return err
}

// retryable: the connection was found closed before an answer began.
func retryable(err error) bool {
	s := err.Error()
	return s == "EOF" || strings.Contains(s, "broken pipe") || strings.Contains(s, "reset by peer")
}

// collector gathers results from many goroutines, each appending to its
// own slice and handing it over once at its end.
type collector struct {
	mu  sync.Mutex
	all []vegeta.Result
}

func (c *collector) add(rs []vegeta.Result) {
	c.mu.Lock()
	c.all = append(c.all, rs...)
	c.mu.Unlock()
}
