package main

import (
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"netmodels/bench/attack"
	"netmodels/bench/report"
	"netmodels/bench/scenario"
	"netmodels/bench/session"
	"netmodels/bench/store"
	"netmodels/bench/stress"
	"netmodels/bench/summary"
)

func mergeCmd() command {
	fs := flag.NewFlagSet("merge", flag.ExitOnError)
	scenDir := fs.String("scenario-dir", "bench/scenarios", "directory of scenario files, for the report")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netbench merge [flags] OUT SHARD_RUN_DIR... (or patterns, expanded here)\n\nJoins the run directories of the shards of one attack (netbench run -shard i/N)\ninto one run under OUT: vegeta results merged in due order, every figure\nrecomputed from them (never an average of the shards' percentiles), the\nwhole load's schedule, and meta.json listing each shard's host, CPU and start.\nA shard that lagged its schedule or saturated its CPU is named in the\nsummary's generator note.\n\n")
		fs.PrintDefaults()
	}
	return command{fs: fs, help: "join the shards of one attack into one run", run: func(args []string) error {
		_ = fs.Parse(args)
		if fs.NArg() < 2 {
			fs.Usage()
			return fmt.Errorf("merge needs OUT and at least one shard run directory")
		}
		var dirs []string
		for _, a := range fs.Args()[1:] {
			// Patterns are expanded here too, for an image with no shell
			// (a Kubernetes Job's "/results/*-shard-*").
			m, err := filepath.Glob(a)
			if err != nil || len(m) == 0 {
				m = []string{a}
			}
			dirs = append(dirs, m...)
		}
		dir, err := mergeRuns(fs.Arg(0), dirs)
		if err != nil {
			return err
		}
		if err := report.Write(dir, *scenDir); err != nil {
			return err
		}
		fmt.Printf("merged: %s/%s\n", dir, report.ReportFile)
		return nil
	}}
}

// shardAttack is one shard's attack of one model and scenario.
type shardAttack struct {
	dir  string
	meta *store.Meta
	row  *summary.Summary
	sh   *store.ShardAttack
	a    *attack.Result
}

// mergeRuns merges the shard run directories into a new run under out and
// returns its directory.
func mergeRuns(out string, dirs []string) (string, error) {
	groups := map[string][]*shardAttack{}
	var keys []string
	for _, d := range dirs {
		meta, err := store.ReadMeta(d)
		if err != nil {
			return "", err
		}
		rows, err := store.ReadSummaries(d)
		if err != nil {
			return "", err
		}
		for _, r := range rows {
			sh, a, err := store.ReadShard(store.AttackBase(d, r.Scenario, r.Model, r.Repeat))
			if err != nil {
				return "", fmt.Errorf("%s: %s on %s is not a shard's attack (netbench run -shard): %v", d, r.Scenario, r.Model, err)
			}
			a.Name = r.Model
			k := fmt.Sprintf("%s\x00%s\x00%d", r.Scenario, r.Model, r.Repeat)
			if _, ok := groups[k]; !ok {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], &shardAttack{dir: d, meta: meta, row: r, sh: sh, a: a})
		}
	}
	if len(keys) == 0 {
		return "", fmt.Errorf("no attacks in %v", dirs)
	}
	dir, id, err := store.NewRun(out)
	if err != nil {
		return "", err
	}
	var rows []*summary.Summary
	var infos []store.ShardInfo
	var notes []string
	for _, k := range keys {
		g := groups[k]
		if err := completeShards(g); err != nil {
			return "", err
		}
		whole := g[0].sh.Whole
		var as []*attack.Result
		var flagged []string
		for _, s := range g {
			as = append(as, s.a)
			info := store.ShardInfo{Shard: s.sh.Shard, Dir: s.dir, Host: s.sh.Host, CPU: s.sh.CPU, Cores: s.sh.Cores,
				Boot: s.sh.Boot, CPUs: s.sh.CPUs, Began: s.sh.Began, Steal: s.sh.Steal}
			if !s.sh.StartAt.IsZero() {
				info.Skew = s.sh.Began.Sub(s.sh.StartAt) + s.sh.StartSkew
			}
			if s.row.GeneratorBound {
				info.Flagged = s.row.GeneratorNote
				flagged = append(flagged, fmt.Sprintf("shard %s (%s): %s", s.sh.Shard, s.sh.Host, s.row.GeneratorNote))
			}
			infos = append(infos, info)
		}
		stamped := true
		for _, s := range g {
			stamped = stamped && s.a.ReadWait != nil
		}
		if n := sharedCPUs(infos[len(infos)-len(g):], stamped); n != "" && !slices.Contains(notes, n) {
			notes = append(notes, n)
		}
		m := attack.Merge(whole, g[0].row.Model, as)
		sum, series := summary.Compute(whole, m, g[0].row.Repeat, stress.Defaults())
		if len(flagged) > 0 {
			sum.GeneratorBound = true
			sum.GeneratorNote = strings.Join(append([]string{sum.GeneratorNote}, flagged...), "; ")
			sum.GeneratorNote = strings.TrimPrefix(sum.GeneratorNote, "; ")
		}
		if err := store.WriteAttack(dir, whole.Name, sum.Model, sum.Repeat, m.Results, series); err != nil {
			return "", err
		}
		rows = append(rows, sum)
	}
	meta := *groups[keys[0]][0].meta
	meta.RunID, meta.Command, meta.Shards = id, os.Args, infos
	meta.Started, meta.Finished = groups[keys[0]][0].sh.Began, time.Now().UTC()
	meta.Notes = append(meta.Notes, fmt.Sprintf("merged by netbench merge from %d shard runs: %s", len(dirs), strings.Join(dirs, ", ")))
	meta.Notes = append(meta.Notes, notes...)
	if err := store.WriteMeta(dir, &meta); err != nil {
		return "", err
	}
	return dir, store.WriteSummaries(dir, rows)
}

// sharedCPUs says which shards ran on one machine (the same boot_id) with
// CPUs in common, "" when none did. Such shards wait for one another to
// run, and unless they stamped their answers (stamped: netbench run
// -rx-stamps) that wait is inside the latencies they measure: on the
// project's 2-CPU machine three shards on one CPU measured a p99 2.0 to
// 2.4 times one attacker's when read, 1.08 on the kernel's stamps
// (docs/distributed.md).
func sharedCPUs(infos []store.ShardInfo, stamped bool) string {
	var parts []string
	done := map[int]bool{}
	for i, a := range infos {
		if done[i] || a.Boot == "" || a.CPUs == "" {
			continue
		}
		group, cpus := []string{a.Shard}, session.CPUSet(a.CPUs)
		common := map[int]bool{}
		for j := i + 1; j < len(infos); j++ {
			b := infos[j]
			if done[j] || b.Boot != a.Boot || !session.Overlap(a.CPUs, b.CPUs) {
				continue
			}
			done[j] = true
			group = append(group, b.Shard)
			for c := range session.CPUSet(b.CPUs) {
				if cpus[c] {
					common[c] = true
				}
			}
		}
		if len(group) > 1 {
			var cs []string
			for _, c := range slices.Sorted(maps.Keys(common)) {
				cs = append(cs, strconv.Itoa(c))
			}
			word := "CPU"
			if len(cs) > 1 {
				word = "CPUs"
			}
			parts = append(parts, fmt.Sprintf("shards %s shared %s %s", strings.Join(group, ", "), word, strings.Join(cs, ",")))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	if stamped {
		return strings.Join(parts, "; ") + " of one machine: each waited for the others to run; the latencies end at the kernel's receive stamps (-rx-stamps), so that wait is kept apart as the read wait, not in the tail (docs/distributed.md)"
	}
	return strings.Join(parts, "; ") + " of one machine: each waited for the others to run, and that wait is in the latencies they measured, so the merged tail is longer than one attacker's would be (docs/distributed.md); give each shard CPUs of its own, or stamp the answers (-rx-stamps)"
}

// completeShards checks that g holds each shard of one split exactly once.
func completeShards(g []*shardAttack) error {
	sort.Slice(g, func(i, j int) bool { return g[i].sh.Shard < g[j].sh.Shard })
	n := 0
	seen := map[int]string{}
	for _, s := range g {
		sh, err := scenario.ParseShard(s.sh.Shard)
		if err != nil {
			return fmt.Errorf("%s: %v", s.dir, err)
		}
		if n != 0 && sh.N != n {
			return fmt.Errorf("%s is shard %s, but another is of %d", s.dir, s.sh.Shard, n)
		}
		n = sh.N
		if d, dup := seen[sh.I]; dup {
			return fmt.Errorf("shard %s twice: %s and %s", s.sh.Shard, d, s.dir)
		}
		seen[sh.I] = s.dir
	}
	var missing []string
	for i := 0; i < n; i++ {
		if _, ok := seen[i]; !ok {
			missing = append(missing, fmt.Sprintf("%d/%d", i, n))
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s on %s: shards %s are missing", g[0].row.Scenario, g[0].row.Model, strings.Join(missing, ", "))
	}
	return nil
}
