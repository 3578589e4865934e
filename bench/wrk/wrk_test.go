package wrk

import "testing"

// Outputs of Debian's wrk 4.1.0, as printed here.
const (
	keepAlive = `Running 1s test @ http://127.0.0.1:18555/nope
  1 threads and 10 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   140.04us   72.94us   1.49ms   78.03%
    Req/Sec    56.21k     9.90k   71.69k    72.73%
  61429 requests in 1.10s, 9.43MB read
  Non-2xx or 3xx responses: 61429
Requests/sec:  55844.55
Transfer/sec:      8.57MB
`
	errs = `Running 5s test @ http://127.0.0.1:8080/hello
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.93ms    1.02ms  14.85ms   80.12%
    Req/Sec    17.04k     1.01k   18.55k    72.00%
  84783 requests in 5.00s, 12.45MB read
  Socket errors: connect 0, read 12, write 0, timeout 3
Requests/sec:  16956.10
Transfer/sec:      2.49MB
`
)

func TestParse(t *testing.T) {
	r, err := Parse(keepAlive)
	if err != nil || r.Requests != 61429 || r.RPS != 55844.55 || r.Non2xx != 61429 || r.SocketErrors != "" {
		t.Errorf("keep-alive: %+v %v", r, err)
	}
	r, err = Parse(errs)
	if err != nil || r.Requests != 84783 || r.RPS != 16956.10 || r.Non2xx != 0 || r.SocketErrors != "connect 0, read 12, write 0, timeout 3" {
		t.Errorf("socket errors: %+v %v", r, err)
	}
	if _, err := Parse("unable to connect to 127.0.0.1:1 Connection refused\n"); err == nil {
		t.Error("no summary: no error")
	}
	if _, err := Parse("  x requests in 1s\nRequests/sec: 1\n"); err == nil {
		t.Error("a bad count: no error")
	}
}

// FuzzParse: any output gives an answer or an error, never a panic.
func FuzzParse(f *testing.F) {
	f.Add(keepAlive)
	f.Add(errs)
	f.Fuzz(func(t *testing.T, s string) { _, _ = Parse(s) })
}
