package store

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"netmodels/bench/attack"
	"netmodels/bench/sample"
	"netmodels/bench/scenario"
)

// ShardExt is the extension (after AttackBase) of the file a shard writes
// beside its vegeta results: what merging shards needs that vegeta's
// results do not hold.
const ShardExt = ".shard.json.gz"

// ShardAttack is one shard's attack (netbench run -shard i/N) as netbench
// merge reads it.
type ShardAttack struct {
	Shard string `json:"shard"` // "i/N"
	// Whole is the scenario before it was divided: the merge computes
	// the whole load's figures.
	Whole *scenario.Scenario `json:"whole"`
	// StartAt is the common start the shards were given, zero if none.
	StartAt time.Time `json:"start_at,omitempty"`
	// StartSkew is how late past StartAt the shard's load started
	// (attack.Result.StartSkew); Began is StartAt where the load's
	// schedule counted from it.
	StartSkew time.Duration `json:"start_skew_ns,omitempty"`
	Host      string        `json:"host"`
	CPU       string        `json:"cpu"`
	Cores     int           `json:"cores"`
	// Boot is the kernel's boot_id, the same in every container of one
	// machine (Host is not: a container has a hostname of its own), and
	// CPUs the CPU list the shard's generator could run on there.
	Boot  string    `json:"boot_id,omitempty"`
	CPUs  string    `json:"cpus,omitempty"`
	Began time.Time `json:"began"`
	// Due is each result's due time since Began (open loads), in the
	// order of the results file.
	Due          []time.Duration       `json:"due_ns,omitempty"`
	NotSent      []attack.NotSent      `json:"not_sent,omitempty"`
	Samples      []attack.ServerSample `json:"samples,omitempty"`
	HarnessCPU   time.Duration         `json:"harness_cpu_ns"`
	HarnessCores int                   `json:"harness_cores"`
	Wall         time.Duration         `json:"wall_ns"`
	// Steal is the most the hypervisor took of one of the shard's
	// host's CPUs during its attack; nil where not read.
	Steal *sample.Stolen `json:"steal,omitempty"`
	// ReadWait is each result's wait for the generator after the
	// kernel received it (attack.Result.ReadWait), in the order of the
	// results file; nil without -rx-stamps.
	ReadWait []time.Duration `json:"read_wait_ns,omitempty"`
	// SendWait is each result's wait for the kernel to send its request
	// after the generator began it (attack.Result.SendWait), in the
	// order of the results file; nil without -tx-stamps.
	SendWait []time.Duration `json:"send_wait_ns,omitempty"`
}

// BootID is the running kernel's boot_id ("" where unreadable): equal
// for every process and container on one machine since it booted.
func BootID() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// WriteShard writes a shard's file for the attack at base (AttackBase).
func WriteShard(base string, s *ShardAttack) error {
	f, err := os.Create(base + ShardExt)
	if err != nil {
		return err
	}
	zw := gzip.NewWriter(f)
	if err := json.NewEncoder(zw).Encode(s); err != nil {
		f.Close()
		return err
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadShard reads a shard's file and its vegeta results back into an
// attack.
func ReadShard(base string) (*ShardAttack, *attack.Result, error) {
	var s ShardAttack
	if err := readGz(base+ShardExt, func(r io.Reader) error { return json.NewDecoder(r).Decode(&s) }); err != nil {
		return nil, nil, err
	}
	rs, err := ReadResults(base + ResultsExt)
	if err != nil {
		return nil, nil, err
	}
	if s.Due != nil && len(s.Due) != len(rs) {
		return nil, nil, errors.New(base + ": the shard's due times do not match its results")
	}
	if s.ReadWait != nil && len(s.ReadWait) != len(rs) {
		return nil, nil, errors.New(base + ": the shard's read waits do not match its results")
	}
	if s.SendWait != nil && len(s.SendWait) != len(rs) {
		return nil, nil, errors.New(base + ": the shard's send waits do not match its results")
	}
	a := &attack.Result{Scenario: s.Whole.Name, Began: s.Began, Results: rs, Due: s.Due, NotSent: s.NotSent,
		Samples: s.Samples, HarnessCPU: s.HarnessCPU, HarnessCores: s.HarnessCores, Wall: s.Wall, Steal: s.Steal, ReadWait: s.ReadWait,
		SendWait: s.SendWait}
	return &s, a, nil
}

// ReadResults reads an attack's vegeta results (ResultsExt), in order.
func ReadResults(path string) ([]vegeta.Result, error) {
	var rs []vegeta.Result
	err := readGz(path, func(r io.Reader) error {
		dec := vegeta.NewDecoder(r)
		for {
			var x vegeta.Result
			if err := dec.Decode(&x); err != nil {
				if errors.Is(err, io.EOF) {
					return nil
				}
				return err
			}
			rs = append(rs, x)
		}
	})
	return rs, err
}

func readGz(path string, read func(io.Reader) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	defer zr.Close()
	return read(zr)
}
