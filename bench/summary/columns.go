package summary

// Column is one figure of a summary as a table writes it: its name
// (summary.csv's header, after summary.json's field), what it is, and
// how to read it from a summary; ok is false where the attack has no
// such figure (a closed load's lag, a run without stamps), and the cell
// is left empty.
type Column struct {
	Name  string
	Doc   string
	Value func(s *Summary) (v float64, ok bool)
}

// always reads a figure every summary has.
func always(f func(s *Summary) float64) func(*Summary) (float64, bool) {
	return func(s *Summary) (float64, bool) { return f(s), true }
}

// kernel reads a count per answer, where the kernel's work was counted.
func kernel(f func(k *KernelPerAnswer) float64) func(*Summary) (float64, bool) {
	return func(s *Summary) (float64, bool) {
		if s.Kernel == nil {
			return 0, false
		}
		return f(s.Kernel), true
	}
}

// stressed reads a stress test's figure.
func stressed(f func(st *Stress) float64) func(*Summary) (float64, bool) {
	return func(s *Summary) (float64, bool) {
		if s.Stress == nil {
			return 0, false
		}
		return f(s.Stress), true
	}
}

// waited reads a figure of the generator's waits (-rx-stamps, -tx-stamps).
func waited(w func(s *Summary) *Wait, f func(w *Wait) float64) func(*Summary) (float64, bool) {
	return func(s *Summary) (float64, bool) {
		x := w(s)
		if x == nil {
			return 0, false
		}
		return f(x), true
	}
}

func boolean(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// Columns are a summary's figures, in summary.csv's order after its
// scenario, model and repeat: adding a figure to the CSV is one entry.
var Columns = []Column{
	{"requests", "requests sent or due", always(func(s *Summary) float64 { return float64(s.Requests) })},
	{"not_sent", "requests due and not sent (open loads)", always(func(s *Summary) float64 { return float64(s.NotSent) })},
	{"offered_rps", "mean offered rate (open loads)", always(func(s *Summary) float64 { return s.Offered })},
	{"send_rps", "rate sent", always(func(s *Summary) float64 { return s.SendRate })},
	{"throughput_rps", "successful answers per second", always(func(s *Summary) float64 { return s.Throughput })},
	{"success", "share of requests answered 2xx", always(func(s *Summary) float64 { return s.Success })},
	{"mean_ms", "mean latency", always(func(s *Summary) float64 { return s.Mean })},
	{"p50_ms", "median latency", always(func(s *Summary) float64 { return s.P50 })},
	{"p90_ms", "90th percentile", always(func(s *Summary) float64 { return s.P90 })},
	{"p95_ms", "95th percentile", always(func(s *Summary) float64 { return s.P95 })},
	{"p99_ms", "99th percentile", always(func(s *Summary) float64 { return s.P99 })},
	{"p999_ms", "99.9th percentile", always(func(s *Summary) float64 { return s.P999 })},
	{"max_ms", "slowest answer", always(func(s *Summary) float64 { return s.Max })},
	{"corrected_p99_ms", "p99 with each request's lag behind its schedule (open loads)", always(func(s *Summary) float64 { return s.CorrectedP99 })},
	{"lag_p99_ms", "p99 of the lag behind the schedule (open loads)", always(func(s *Summary) float64 { return s.LagP99 })},
	{"server_cpu_us_per_answer", "server CPU per successful answer, µs", always(func(s *Summary) float64 { return s.ServerCPUPerAnswer })},
	{"server_cpu_share", "server CPU seconds per wall second", always(func(s *Summary) float64 { return s.ServerCPUShare })},
	{"peak_rss_kib", "peak resident memory, KiB", always(func(s *Summary) float64 { return float64(s.PeakRSSKiB) })},
	{"peak_pss_kib", "peak proportional memory, KiB", always(func(s *Summary) float64 { return float64(s.PeakPSSKiB) })},
	{"peak_threads", "most threads", always(func(s *Summary) float64 { return float64(s.PeakThreads) })},
	{"peak_procs", "most processes", always(func(s *Summary) float64 { return float64(s.PeakProcs) })},
	{"peak_fds", "most open descriptors", always(func(s *Summary) float64 { return float64(s.PeakFDs) })},
	{"syscalls_per_answer", "system calls per answer (-kernel)", kernel(func(k *KernelPerAnswer) float64 { return k.Syscalls })},
	{"ctx_switches_per_answer", "context switches per answer (-kernel)", kernel(func(k *KernelPerAnswer) float64 { return k.CtxSwitches })},
	{"involuntary_ctx_switches_per_answer", "involuntary context switches per answer (-kernel)", kernel(func(k *KernelPerAnswer) float64 { return k.Involuntary })},
	{"page_faults_per_answer", "page faults per answer (-kernel)", kernel(func(k *KernelPerAnswer) float64 { return k.PageFaults })},
	{"harness_cpu_share", "the generator's CPU, share of its cores", always(func(s *Summary) float64 { return s.HarnessCPUShare })},
	{"generator_bound", "1: the generator, not the server, set the figures", always(func(s *Summary) float64 { return boolean(s.GeneratorBound) })},
	{"steal_share", "most the hypervisor took of one CPU", func(s *Summary) (float64, bool) {
		if s.Steal == nil {
			return 0, false
		}
		return s.Steal.Share, true
	}},
	{"conntrack_drops", "packets connection tracking dropped", func(s *Summary) (float64, bool) {
		if s.ConntrackDrops == nil {
			return 0, false
		}
		return float64(*s.ConntrackDrops), true
	}},
	{"softirq_generator_cpus", "softirq time on the generator's CPUs, CPUs", func(s *Summary) (float64, bool) {
		if s.Softirq == nil {
			return 0, false
		}
		return s.Softirq.Generator, true
	}},
	{"softirq_other_cpus", "softirq time on the other CPUs, CPUs", func(s *Summary) (float64, bool) {
		if s.Softirq == nil {
			return 0, false
		}
		return s.Softirq.Others, true
	}},
	{"read_wait_p99_ms", "p99 wait of answers for the generator to read them (-rx-stamps)", waited(func(s *Summary) *Wait { return s.ReadWait }, func(w *Wait) float64 { return w.P99 })},
	{"send_wait_p99_ms", "p99 wait of requests for the kernel to send them (-tx-stamps)", waited(func(s *Summary) *Wait { return s.SendWait }, func(w *Wait) float64 { return w.P99 })},
	{"knee_rps", "the knee, offered requests/s (-1: no step held)", stressed(func(st *Stress) float64 { return st.KneeRPS })},
	{"break_rps", "the breaking point, offered requests/s (-1: nothing broke)", stressed(func(st *Stress) float64 { return st.BreakRPS })},
	{"clean_rps", "the highest rate held, when probes narrowed the breaking point", stressed(func(st *Stress) float64 { return st.CleanRPS })},
	{"capacity_rps", "most answers/s of a step held below the breaking point", stressed(func(st *Stress) float64 { return st.MaxRPS() })},
	{"before_first_failure", "requests answered before the first failure", stressed(func(st *Stress) float64 { return float64(st.BeforeFirstFailure) })},
	{"recovery_s", "seconds to recover after the overload (-1: not in the window)", stressed(func(st *Stress) float64 { return st.RecoverySeconds })},
}
