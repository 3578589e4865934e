// Package session is the one path by which netbench's subcommands hold
// the servers they measure: the server side's flags, registered the same
// way by every subcommand (Flags); the limits those flags resolve to, a
// calibrated CPU share included (Resolve, Calibrate); servers started
// under those limits (Servers); and a run directory with its meta.json,
// the server's and the generator's CPUs recorded apart (Open).
package session

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"netmodels/bench/attack"
	"netmodels/bench/cli"
	"netmodels/bench/reference"
	"netmodels/bench/runner"
	"netmodels/bench/scenario"
	"netmodels/bench/store"
)

// DefaultPeriod is -cpu-period's default; docs/methodology.md says why.
const DefaultPeriod = 10 * time.Millisecond

// CalibrationScenarios are the scenarios -server-cpu auto calibrates on
// where a subcommand has none of its own: the request shapes of the
// reference run's hello tables.
var CalibrationScenarios = []string{"hello-keepalive", "hello-close"}

// Flags are the server side's flags, named and explained alike in every
// subcommand that starts servers.
type Flags struct {
	Bin    string
	CPUs   string
	Share  string // "auto" or a share of one CPU in (0, 1]
	Period time.Duration
	Args   string // more netserver flags, space-separated
	// Fixed are netserver flags the subcommand gives every server, before
	// -server-args.
	Fixed []string
}

// ServerArgs are the netserver flags every server gets: Fixed, then
// -server-args.
func (f *Flags) ServerArgs() []string {
	return append(append([]string(nil), f.Fixed...), strings.Fields(f.Args)...)
}

// Register adds the flags to fs, with cpus and share as the defaults of
// -server-cpus and -server-cpu.
func (f *Flags) Register(fs *flag.FlagSet, cpus, share string) {
	fs.StringVar(&f.Bin, "bin", "bin/netserver", "the netserver binary (netchild beside it); it also lists the models")
	fs.StringVar(&f.CPUs, "server-cpus", cpus, "CPU set the server is pinned to (taskset); netbench runs on the others")
	fs.StringVar(&f.Share, "server-cpu", share, "the server's share of one CPU, the same for every model (a cgroup's CPU quota natively, --cpu-quota in Docker): a share in (0, 1], 1 the whole CPU set, or auto: calibrate so that the fastest model's capacity is at most half the generator's (netbench run's rule, on the plan's scenarios or else "+strings.Join(CalibrationScenarios, " and ")+")")
	fs.DurationVar(&f.Period, "cpu-period", DefaultPeriod, "the period of -server-cpu's quota (docs/methodology.md says why not the kernel's 100ms)")
	fs.StringVar(&f.Args, "server-args", "", "more netserver flags, space-separated")
}

// Group puts the server flags a first run leaves as they are (the
// binary, the quota's period, more netserver flags) in g's "server"
// group; -server-cpus and -server-cpu stay in the main list.
func (f *Flags) Group(g *cli.Groups) {
	g.Group("server", "the server binary, its quota's period, more netserver flags", "bin", "cpu-period", "server-args")
}

// Servers starts servers of one kind: one binary, one set of limits, the
// same flags for every model.
type Servers struct {
	Bin    string
	Limits runner.Limits
	Args   []string
}

// Start starts model under the limits, with the servers' flags and more,
// and returns once it serves.
func (s Servers) Start(model string, more ...string) (*runner.Server, error) {
	l := s.Limits
	return runner.Start(model, runner.Options{Bin: s.Bin, CPUs: l.CPUs, NoFile: l.NoFile, Args: append(append([]string(nil), s.Args...), more...),
		CPUShare: l.CPUShare, CPUPeriod: l.CPUPeriod})
}

// Native is the native backend over the same servers.
func (s Servers) Native(kernel bool) *runner.Native {
	return &runner.Native{Bin: s.Bin, Limits: s.Limits, Kernel: kernel}
}

// Resolved is what the flags resolve to: the servers, the calibration's
// attacks when -server-cpu was auto, and a note when the share asked for
// could not be had.
type Resolved struct {
	Servers     Servers
	Calibration []store.CalibrationRow
	Note        string
}

// Resolve turns the flags into servers: it parses the share, probes the
// CPU quota when one is asked for (without one the servers get their
// whole CPU, and Note says so), and for auto calibrates on be (nil: the
// native backend) over models, or every model of -bin, and scs, or
// CalibrationScenarios from scenDir.
func (f *Flags) Resolve(ctx context.Context, be runner.Backend, models []string, scs []*scenario.Scenario, scenDir string) (Resolved, error) {
	r := Resolved{Servers: Servers{Bin: f.Bin, Limits: runner.Limits{CPUs: f.CPUs}, Args: f.ServerArgs()}}
	share, auto, err := ParseShare(f.Share)
	if err != nil {
		return r, err
	}
	if be == nil {
		be = r.Servers.Native(false)
	}
	if be.Placement().Local && (auto || share < 1) {
		if err := runner.ProbeCPUQuota(); err != nil {
			// Without a quota the run goes on at a whole CPU, saying so:
			// a lab machine without root still gets a complete report.
			r.Note = fmt.Sprintf("no CPU quota (-server-cpu %s asked for one): %v; every server had its whole CPU (netbench doctor lists what a run needs)", f.Share, err)
			fmt.Fprintln(os.Stderr, "warning:", r.Note)
			share, auto = 1, false
		}
	}
	if auto {
		if len(models) == 0 {
			if models, err = runner.Names(f.Bin); err != nil {
				return r, err
			}
		}
		if len(scs) == 0 {
			for _, n := range CalibrationScenarios {
				sc, err := scenario.Find(scenDir, n)
				if err != nil {
					return r, err
				}
				scs = append(scs, sc)
			}
		}
		share, r.Calibration, err = Calibrate(ctx, be, GoModels(models), scs, r.Servers.Args, f.Period)
		if err != nil {
			return r, fmt.Errorf("-server-cpu auto: %w", err)
		}
		fmt.Fprintf(os.Stderr, "server CPU share: %.2f of a CPU per %v period (calibrated)\n", share, f.Period)
	}
	if err := SetCPUShare(be, share, f.Period); err != nil {
		return r, err
	}
	r.Servers.Limits.CPUShare, r.Servers.Limits.CPUPeriod = share, f.Period
	return r, nil
}

// GoModels leaves out the seeds' own systems: calibration and memory per
// idle connection are of netmodels' models.
func GoModels(ms []string) []string {
	var out []string
	for _, m := range ms {
		if !reference.Is(m) {
			out = append(out, m)
		}
	}
	return out
}

// Meta is the meta.json of a run of fs's command on servers under l,
// with the generator on harness ("": where netbench runs), and this
// machine's environment.
func Meta(id string, fs *flag.FlagSet, l runner.Limits, harness string) *store.Meta {
	if harness == "" {
		harness = attack.Affinity()
	}
	m := &store.Meta{RunID: id, Started: time.Now(), Command: os.Args, Flags: map[string]string{},
		ServerCPUs: l.CPUs, HarnessCPUs: harness, ServerGOMAXPROCS: CountCPUs(l.CPUs)}
	if fs != nil {
		fs.VisitAll(func(f *flag.Flag) { m.Flags[f.Name] = f.Value.String() })
	}
	if l.Limited() {
		m.ServerCPUShare, m.ServerCPUPeriod = l.CPUShare, l.CPUPeriod.String()
	}
	store.Environment(m)
	return m
}

// Run is one stored run of a subcommand: its directory and its meta.
type Run struct {
	Dir, ID string
	Meta    *store.Meta
}

// Open makes a run directory under out and its meta (Meta), with
// r's calibration and note.
func Open(out string, fs *flag.FlagSet, r Resolved, harness string) (*Run, error) {
	dir, id, err := store.NewRun(out)
	if err != nil {
		return nil, err
	}
	m := Meta(id, fs, r.Servers.Limits, harness)
	m.Calibration = r.Calibration
	if r.Note != "" {
		m.Notes = append(m.Notes, r.Note)
	}
	return &Run{Dir: dir, ID: id, Meta: m}, nil
}

// Close records the run's end in its meta.json.
func (r *Run) Close() error {
	r.Meta.Finished = time.Now()
	return store.WriteMeta(r.Dir, r.Meta)
}

// Generator is the generator's CPU set: want, or else the CPUs the
// server does not have; an error when it would share the server's.
func Generator(want, server string) (string, error) {
	g := want
	if g == "" {
		g = OtherCPUs(server)
	}
	if Overlap(g, server) {
		return g, fmt.Errorf("the generator (CPUs %s) would share the server's CPUs (%s): it needs a CPU of its own", g, server)
	}
	return g, nil
}
