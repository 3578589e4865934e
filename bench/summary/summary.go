// Package summary turns an attack's raw results into the figures a report
// shows: throughput, success, latency percentiles (as measured, and
// corrected for coordinated omission in open loads), status codes, error
// classes, a per-second time series, the server's CPU per answer and peak
// memory, the stress-test points, and whether the generator, not the
// server, was the bottleneck.
package summary

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
	"netmodels/bench/stress"
)

// Summary is one attack's figures. Latencies are in milliseconds.
type Summary struct {
	Scenario string `json:"scenario"`
	Model    string `json:"model"`
	Repeat   int    `json:"repeat"`
	Load     string `json:"load"`
	// Kind is the load's kind (scenario.Load.Kind); LoadKind reads it,
	// from Load's words for runs that predate it.
	Kind string `json:"kind,omitempty"`

	Requests int `json:"requests"` // sent
	// NotSent counts an open load's requests that were due and not sent,
	// NotSentLate those of them the generator was too late for; the
	// others found every connection waiting on the server. Both count as
	// failures in Success and in the stress steps.
	NotSent     int     `json:"not_sent,omitempty"`
	NotSentLate int     `json:"not_sent_late,omitempty"`
	Offered     float64 `json:"offered_rps"` // mean offered rate (open loads), 0 otherwise
	SendRate    float64 `json:"send_rps"`
	Throughput  float64 `json:"throughput_rps"` // successful answers per second
	Success     float64 `json:"success"`        // share of 2xx answers

	Mean float64 `json:"mean_ms"`
	P50  float64 `json:"p50_ms"`
	P90  float64 `json:"p90_ms"`
	P95  float64 `json:"p95_ms"`
	P99  float64 `json:"p99_ms"`
	P999 float64 `json:"p999_ms"`
	Max  float64 `json:"max_ms"`
	// CorrectedP99 adds each request's lag behind its schedule to its
	// latency: what a client arriving on schedule would have waited (open
	// loads only).
	CorrectedP99 float64 `json:"corrected_p99_ms,omitempty"`
	LagP99       float64 `json:"lag_p99_ms,omitempty"`

	Codes  map[string]int `json:"codes"`
	Errors map[string]int `json:"errors"` // by class: refused, reset, timeout, eof, other

	// Routes are the statistics per request name, Failures the failures
	// by cause (Locust's Statistics and Failures tabs).
	Routes   []Route   `json:"routes,omitempty"`
	Failures []Failure `json:"failures,omitempty"`

	ServerCPUPerAnswer float64 `json:"server_cpu_us_per_answer"` // µs; 0 without samples
	ServerCPUShare     float64 `json:"server_cpu_share"`         // CPU seconds per wall second
	PeakRSSKiB         uint64  `json:"peak_rss_kib"`
	PeakPSSKiB         uint64  `json:"peak_pss_kib"`
	PeakThreads        int     `json:"peak_threads"`
	PeakProcs          int     `json:"peak_procs"`
	PeakFDs            int     `json:"peak_fds"`
	// Kernel is the kernel's work for the server per successful answer,
	// counted by perf stat over its process tree; nil when not counted.
	Kernel     *KernelPerAnswer `json:"kernel,omitempty"`
	KernelNote string           `json:"kernel_note,omitempty"` // why it was not counted

	HarnessCPUShare float64 `json:"harness_cpu_share"` // of the harness's cores
	GeneratorBound  bool    `json:"generator_bound"`
	GeneratorNote   string  `json:"generator_note,omitempty"`

	// Steal is the most the hypervisor took of one of the machine's CPUs
	// during the attack: time the CPU wanted to run and went to another
	// guest. nil where /proc/stat was not read (runs before it was).
	// Disturbed tells when it reached StealLimit.
	Steal *sample.Stolen `json:"steal,omitempty"`
	// ConntrackDrops is how many packets the kernel's connection
	// tracking dropped during the attack, its table full: each a SYN or
	// a segment lost on loopback and sent again after a second or more.
	// nil where the kernel keeps no such counters (no nf_conntrack).
	// Disturbed tells when it is above zero.
	ConntrackDrops *uint64 `json:"conntrack_drops,omitempty"`
	// Softirq is the software interrupts' CPU time during the attack, in
	// CPUs, on the generator's CPUs and on the others: on loopback the
	// receive work of the requests runs on the generator's CPUs, outside
	// the server's process and its CPU quota. nil where not read.
	Softirq *sample.Softirq `json:"softirq,omitempty"`
	// ReadWait, with netbench run -rx-stamps, is how long answers
	// waited, after the kernel had received them, for the generator to
	// read them. The latencies above end at the kernel's stamp, so this
	// wait, the generator's, is not in them; nil without stamps.
	ReadWait *Wait `json:"read_wait,omitempty"`
	// SendWait, with netbench run -tx-stamps, is how long requests
	// waited, after the generator began them, for the kernel to send
	// them. The latencies above start at the kernel's send stamp, so this
	// wait, the generator's, is not in them; nil without send stamps.
	SendWait *Wait `json:"send_wait,omitempty"`

	Stress *Stress `json:"stress,omitempty"`
	// Levels are the steps of a steps load that is not a stress test
	// (hello-latency's shares of a capacity), each on its own.
	Levels []stress.Step `json:"levels,omitempty"`
	// WholeCPU: the server ran without the run's CPU quota
	// (scenario.Scenario.WholeCPU).
	WholeCPU bool `json:"whole_cpu,omitempty"`
	// Of is the scenario whose capacity the load's rates are shares of
	// (scenario.Load.Of); "" for absolute rates.
	Of string `json:"of,omitempty"`
}

// Wait is a distribution of the generator's waits, in milliseconds.
type Wait struct {
	// Stamped answers carried a kernel stamp; the others keep the
	// latency the generator measured.
	Stamped int     `json:"stamped"`
	Answers int     `json:"answers"`
	P50     float64 `json:"p50_ms"`
	P99     float64 `json:"p99_ms"`
	Max     float64 `json:"max_ms"`
	// ReadP99 (read waits) is the p99 latency had every answer's
	// latency ended when the generator read it (latency + wait), over
	// every result as P99 is: the attack's p99 on the generator's clock
	// at that end, beside its own.
	ReadP99 float64 `json:"read_p99_ms,omitempty"`
	// BeganP99 (send waits) is the p99 latency had every latency started
	// when the generator began the request (latency + wait).
	BeganP99 float64 `json:"began_p99_ms,omitempty"`
}

// readWait summarizes an attack's read waits (attack.Result.ReadWait)
// over its successful answers; nil without them.
func readWait(a *attack.Result) *Wait {
	w := waits(a, a.ReadWait)
	if w != nil {
		w.ReadP99, w.BeganP99 = w.BeganP99, 0
	}
	return w
}

// sendWait summarizes an attack's send waits (attack.Result.SendWait)
// over its successful answers; nil without them.
func sendWait(a *attack.Result) *Wait {
	return waits(a, a.SendWait)
}

// waits summarizes one wait per result (-1: not stamped), kept apart
// from the latencies, over the successful answers; BeganP99 is the p99 of
// latency + wait over every result. nil for nil waits.
func waits(a *attack.Result, each []time.Duration) *Wait {
	if each == nil {
		return nil
	}
	w := &Wait{}
	var ws []time.Duration
	whole := make([]time.Duration, 0, len(a.Results))
	for i, r := range a.Results {
		whole = append(whole, r.Latency+max(each[i], 0))
		if r.Error != "" {
			continue
		}
		w.Answers++
		if d := each[i]; d >= 0 {
			ws = append(ws, d)
		}
	}
	sortDur(ws)
	w.Stamped = len(ws)
	w.P50, w.P99, w.Max = ms(Quantile(ws, .50)), ms(Quantile(ws, .99)), ms(Quantile(ws, 1))
	sortDur(whole)
	w.BeganP99 = ms(Quantile(whole, .99))
	return w
}

// StealLimit is the share of a CPU's time that, taken by the hypervisor
// during an attack, marks the attack disturbed: a stalled CPU delays
// whatever runs on it, server or generator, so latency tails (and, less,
// CPU per answer) are the machine's as much as the model's. It is the
// p99's own share: stalls that add up to 1% of the attack can hold up 1%
// of its requests. On the project's 2-CPU VM, in 40 open-6000 attacks on
// epoll, the p99 was 0.13–0.22 ms where the hypervisor took under 0.25%
// of a CPU, and 0.59–1.8 ms in every attack where it took 1% or more
// (docs/methodology.md §5).
const StealLimit = 0.01

// Disturbed reports whether the machine, not the model or the generator,
// may have set the attack's tail: the hypervisor took StealLimit or more
// of a CPU, or connection tracking dropped packets.
func (s *Summary) Disturbed() bool { return s.Stolen() || s.Dropped() }

// Stolen reports whether the hypervisor took StealLimit or more of a CPU
// during the attack.
func (s *Summary) Stolen() bool { return s.Steal != nil && s.Steal.Share >= StealLimit }

// Dropped reports whether connection tracking dropped packets during the
// attack.
func (s *Summary) Dropped() bool { return s.ConntrackDrops != nil && *s.ConntrackDrops > 0 }

// DisturbedWhy says how the machine disturbed the attack; "" when it
// did not (Disturbed).
func (s *Summary) DisturbedWhy() string {
	var why []string
	if s.Stolen() {
		why = append(why, fmt.Sprintf("the hypervisor took %.1f%% of CPU %d", 100*s.Steal.Share, s.Steal.CPU))
	}
	if s.Dropped() {
		why = append(why, fmt.Sprintf("connection tracking dropped %d packets, its table full", *s.ConntrackDrops))
	}
	return strings.Join(why, "; ")
}

// DroppedNote is what a report says of attacks whose packets connection
// tracking dropped, and how to keep it from happening.
const DroppedNote = "the kernel's connection tracking (nf_conntrack, loaded by Docker's or a firewall's rules) dropped packets, its table full of closed loopback connections, each kept for its TIME_WAIT timeout (120 s by default): a dropped SYN is sent again after 1 s, then 3 s and 7 s, a stall neither the model's nor the generator's. `netbench doctor` says whether loopback is tracked, and scripts/loopback-notrack.sh takes it out of the table"

// Second is one second of the time series, by the second requests were
// sent in (answers counted in the second they completed).
type Second struct {
	T       int     `json:"t"`
	Offered float64 `json:"offered_rps"`
	Sent    int     `json:"sent"`
	OK      int     `json:"ok"`                 // successful answers completed in this second
	Failed  int     `json:"failed"`             // failures completed in this second
	NotSent int     `json:"not_sent,omitempty"` // due in this second, not sent (attack.NotSent)
	P50     float64 `json:"p50_ms"`
	P95     float64 `json:"p95_ms"`
	P99     float64 `json:"p99_ms"`
}

// KernelPerAnswer divides a sample.Kernel count by the successful answers.
type KernelPerAnswer struct {
	Syscalls    float64 `json:"syscalls"`
	Reads       float64 `json:"reads"`
	Writes      float64 `json:"writes"`
	CtxSwitches float64 `json:"ctx_switches"`
	Involuntary float64 `json:"involuntary_ctx_switches"`
	PageFaults  float64 `json:"page_faults"`
}

// PerAnswer divides the kernel's counts by n successful answers (n > 0).
func PerAnswer(k sample.Kernel, n int) *KernelPerAnswer {
	d := float64(n)
	return &KernelPerAnswer{Syscalls: float64(k.Syscalls) / d, Reads: float64(k.Reads) / d, Writes: float64(k.Writes) / d,
		CtxSwitches: float64(k.CtxSwitches) / d, Involuntary: float64(k.Involuntary) / d, PageFaults: float64(k.PageFaults) / d}
}

// Thresholds of the generator-bound test.
const (
	harnessSaturated = 0.90                  // harness CPU share of its cores
	lagLimit         = 10 * time.Millisecond // p99 lag behind schedule
	sendShortfall    = 0.95                  // send rate below this share of offered
)

// OK reports whether a result is a success: no error and a 2xx status.
func OK(r *vegeta.Result) bool { return r.Error == "" && r.Code >= 200 && r.Code < 300 }

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// Compute summarises one attack.
func Compute(sc *scenario.Scenario, a *attack.Result, repeat int, th stress.Thresholds) (*Summary, []Second) {
	s := &Summary{Scenario: sc.Name, Model: a.Name, Repeat: repeat, Load: Describe(sc), Kind: sc.Load.Kind,
		Codes: map[string]int{}, Errors: map[string]int{}}
	var m vegeta.Metrics
	lat := make([]time.Duration, 0, len(a.Results))
	var corrected []time.Duration
	var lags []time.Duration
	for i := range a.Results {
		r := &a.Results[i]
		m.Add(r)
		lat = append(lat, r.Latency)
		s.Codes[strconv.Itoa(int(r.Code))]++
		if c := attack.ErrorClass(r.Error); c != "" {
			s.Errors[c]++
		}
		if a.Due != nil {
			lag := max(r.Timestamp.Sub(a.Began)-a.Due[i], 0)
			lags = append(lags, lag)
			corrected = append(corrected, r.Latency+lag)
		}
	}
	m.Close()
	s.Requests = int(m.Requests)
	s.SendRate, s.Throughput, s.Success = m.Rate, m.Throughput, m.Success
	if len(a.NotSent) > 0 {
		s.NotSent = len(a.NotSent)
		for _, x := range a.NotSent {
			if x.Late {
				s.NotSentLate++
			}
		}
		s.Errors[attack.NotSentClass] = s.NotSent
		s.Success = m.Success * float64(m.Requests) / float64(int(m.Requests)+s.NotSent)
	}
	sortDur(lat)
	s.Mean = ms(m.Latencies.Mean)
	s.P50, s.P90, s.P95 = ms(Quantile(lat, .50)), ms(Quantile(lat, .90)), ms(Quantile(lat, .95))
	s.P99, s.P999, s.Max = ms(Quantile(lat, .99)), ms(Quantile(lat, .999)), ms(Quantile(lat, 1))
	if a.Due != nil {
		sortDur(corrected)
		sortDur(lags)
		s.CorrectedP99, s.LagP99 = ms(Quantile(corrected, .99)), ms(Quantile(lags, .99))
		total := a.Due[len(a.Due)-1]
		if n := len(a.Due); n > 0 && total > 0 {
			s.Offered = float64(n) / total.Seconds()
		}
		if sc.Segments() != nil {
			s.Offered = sc.MeanRate()
		}
	}
	s.Routes = Routes(a.Results, a.Wall)
	s.Failures = Failures(a.Results, a.Began, a.NotSent)
	serverFigures(s, a)
	s.Steal, s.ConntrackDrops, s.Softirq = a.Steal, a.ConntrackDrops, a.Softirq
	s.ReadWait = readWait(a)
	s.SendWait = sendWait(a)
	series := Series(a)
	generator(s, a, series)
	if sc.Stress != nil {
		s.Stress = stressFigures(sc, a, series, th)
	} else if sc.Load.Kind == scenario.Steps {
		s.Levels = levels(sc, a)
	}
	s.WholeCPU, s.Of = sc.WholeCPU, sc.Load.Of
	return s, series
}

// LoadKind is the kind of the attack's load: Kind, or, in a summary
// written before it was kept, "closed" or "users" from the description's
// first word ("open" loads are then of no one kind).
func (s *Summary) LoadKind() string {
	if s.Kind != "" {
		return s.Kind
	}
	first, _, _ := strings.Cut(s.Load, ",")
	return first
}

// Describe is a scenario's load in a few words: its shape's
// (scenario.Shape.Describe) and how connections are used.
func Describe(sc *scenario.Scenario) string {
	ka := "keep-alive"
	if !sc.KeepAlive {
		ka = "new connection per request"
	}
	return sc.Describe() + ", " + ka
}

// serverFigures derives CPU per answer and peaks from the server samples.
func serverFigures(s *Summary, a *attack.Result) {
	if a.KernelErr != nil {
		s.KernelNote = a.KernelErr.Error()
	}
	if len(a.Samples) < 2 {
		return
	}
	first, last := a.Samples[0], a.Samples[len(a.Samples)-1]
	cpu := (last.CPU - first.CPU).Seconds()
	ok := 0
	for i := range a.Results {
		if OK(&a.Results[i]) {
			ok++
		}
	}
	if ok > 0 {
		s.ServerCPUPerAnswer = cpu / float64(ok) * 1e6
		if a.Kernel != nil {
			s.Kernel = PerAnswer(*a.Kernel, ok)
		}
	}
	if wall := (last.At - first.At).Seconds(); wall > 0 {
		s.ServerCPUShare = cpu / wall
	}
	for _, x := range a.Samples {
		s.PeakRSSKiB = max(s.PeakRSSKiB, x.RSSKiB)
		s.PeakPSSKiB = max(s.PeakPSSKiB, x.PSSKiB)
		s.PeakThreads = max(s.PeakThreads, x.Threads)
		s.PeakProcs = max(s.PeakProcs, x.Procs)
		s.PeakFDs = max(s.PeakFDs, x.FDs)
	}
}

// generator decides whether the generator, not the server, limited the
// attack: its CPU saturated, or it fell behind the schedule.
func generator(s *Summary, a *attack.Result, series []Second) {
	if a.Wall > 0 && a.HarnessCores > 0 {
		s.HarnessCPUShare = a.HarnessCPU.Seconds() / (a.Wall.Seconds() * float64(a.HarnessCores))
	}
	var notes []string
	if s.HarnessCPUShare >= harnessSaturated {
		notes = append(notes, fmt.Sprintf("harness CPU at %.0f%% of its %d core(s)", 100*s.HarnessCPUShare, a.HarnessCores))
	}
	if a.Due != nil {
		if s.LagP99 > ms(lagLimit) {
			notes = append(notes, fmt.Sprintf("requests left %.0f ms behind schedule (p99)", s.LagP99))
		}
		// As with the lag's p99: more than 1% of the requests is the
		// generator's limit; a few (a pause at the start) are counted, not
		// held against the figure.
		if s.NotSentLate > 0 && float64(s.NotSentLate) > 0.01*float64(s.Requests+s.NotSent) {
			notes = append(notes, fmt.Sprintf("%d requests not sent: the generator was over 10 ms behind schedule", s.NotSentLate))
		}
		// Requests not sent because every connection waited on the
		// server are the server's shortfall, not the generator's.
		rate := s.SendRate
		if busy := s.NotSent - s.NotSentLate; busy > 0 && s.Requests > 0 {
			rate *= float64(s.Requests+busy) / float64(s.Requests)
		}
		if s.Offered > 0 && rate < sendShortfall*s.Offered {
			notes = append(notes, fmt.Sprintf("sent %.0f/s of %.0f/s offered", s.SendRate, s.Offered))
		}
	}
	if len(notes) > 0 {
		s.GeneratorBound = true
		for i, n := range notes {
			if i > 0 {
				s.GeneratorNote += "; "
			}
			s.GeneratorNote += n
		}
	}
}

// Series is the per-second time series of an attack.
func Series(a *attack.Result) []Second {
	if len(a.Results) == 0 {
		return nil
	}
	var secs []Second
	lats := map[int][]time.Duration{}
	grow := func(t int) {
		for len(secs) <= t {
			secs = append(secs, Second{T: len(secs), Offered: a.Offered(time.Duration(len(secs))*time.Second + time.Second/2)})
		}
	}
	for i := range a.Results {
		r := &a.Results[i]
		t := max(int(r.Timestamp.Sub(a.Began)/time.Second), 0)
		grow(t)
		secs[t].Sent++
		lats[t] = append(lats[t], r.Latency)
		e := max(int(r.End().Sub(a.Began)/time.Second), 0)
		grow(e)
		if OK(r) {
			secs[e].OK++
		} else {
			secs[e].Failed++
		}
	}
	for _, x := range a.NotSent {
		t := int(x.Due / time.Second)
		grow(t)
		secs[t].NotSent++
	}
	for t, l := range lats {
		sortDur(l)
		secs[t].P50, secs[t].P95, secs[t].P99 = ms(Quantile(l, .5)), ms(Quantile(l, .95)), ms(Quantile(l, .99))
	}
	return secs
}

func sortDur(d []time.Duration) { sort.Slice(d, func(i, j int) bool { return d[i] < d[j] }) }

// Quantile of sorted durations (nearest rank); 0 for none.
func Quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}
