package runner

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"netmodels/bench/step"
	"netmodels/bench/summary"
	"netmodels/servers/model"
)

// SeccompArgs are the docker run flags a model's traits ask for: seccomp
// unconfined for a model that needs system calls the default profile
// refuses (model.Traits.Seccomp), none otherwise.
func SeccompArgs(t model.Traits) []string {
	if t.Seccomp == "" {
		return nil
	}
	return []string{"--security-opt", "seccomp=unconfined"}
}

// The images make images builds.
const (
	ServerImage = "netmodels-server:latest"
	BenchImage  = "netmodels-bench:latest"
)

// Docker runs each model in a fresh container of ServerImage under Limits,
// and each attack in a harness container of BenchImage on HarnessCPUs.
// With Network "container" (the default) the harness joins the server's
// network namespace and attacks its loopback, as a native run does; with
// "bridge" both sit on Docker's default bridge and the harness attacks the
// server's bridge address (docs/measurements/bridge.md has what that
// costs). The harness samples the server container's cgroup through the
// host's /sys/fs/cgroup, mounted read-only, and writes the attack's files
// into the run directory, mounted; it runs with this process's uid, so
// the files belong to whoever started the run. Nothing is published on a
// port: docker-proxy would be measured instead of the model. A model whose
// traits name system calls Docker's default seccomp profile refuses
// (model.Traits.Seccomp: io_uring's) runs with seccomp unconfined, and
// the run's environment line says so.
type Docker struct {
	RunID       string // labels and names the containers
	Limits      Limits
	HarnessCPUs string
	Network     string                  // "container" or "bridge"
	Traits      map[string]model.Traits // by model name, from netserver -list -json

	mu   sync.Mutex
	live map[string]bool // containers to remove on Close
	n    int
}

// dockerServer is one model's container.
type dockerServer struct {
	d        *Docker
	name, id string
	url      string // as the harness sees it
}

func docker(ctx context.Context, args ...string) (string, error) {
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, "docker", args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("docker %s: %v: %s", args[0], err, strings.TrimSpace(errb.String()))
	}
	return strings.TrimSpace(out.String()), nil
}

// CheckDocker says why Docker runs cannot start here, or nil.
func CheckDocker() error {
	if _, err := exec.LookPath("docker"); err != nil {
		return errors.New("no docker command here; netbench run (natively) runs the same comparison")
	}
	if _, err := docker(context.Background(), "version", "--format", "{{.Server.Version}}"); err != nil {
		return fmt.Errorf("no Docker engine answers (%v); netbench run (natively) runs the same comparison", err)
	}
	for _, img := range []string{ServerImage, BenchImage} {
		if _, err := docker(context.Background(), "image", "inspect", "-f", "{{.Id}}", img); err != nil {
			return fmt.Errorf("image %s missing: make images builds it", img)
		}
	}
	return nil
}

func (d *Docker) track(name string, on bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.live == nil {
		d.live = map[string]bool{}
	}
	if on {
		d.live[name] = true
	} else {
		delete(d.live, name)
	}
}

// network is the Network to use, "container" by default.
func (d *Docker) network() string {
	if d.Network == "" {
		return "container"
	}
	return d.Network
}

// Start runs model in a new server container and waits until it logs that
// it serves (10 s at most).
func (d *Docker) Start(model string, args []string) (Instance, error) {
	d.mu.Lock()
	d.n++
	name := fmt.Sprintf("nm-%s-%s-%d", d.RunID, model, d.n)
	d.mu.Unlock()
	run := []string{"run", "-d", "--name", name, "--label", "netmodels.run=" + d.RunID}
	l := d.Limits
	if l.CPUs != "" {
		run = append(run, "--cpuset-cpus", l.CPUs)
	}
	if l.Memory != "" {
		run = append(run, "--memory", l.Memory)
	}
	if l.Limited() {
		p := l.CPUPeriod / time.Microsecond
		run = append(run, "--cpu-period", strconv.FormatInt(int64(p), 10),
			"--cpu-quota", strconv.FormatInt(int64(l.CPUShare*float64(p)), 10))
	}
	if l.Pids > 0 {
		run = append(run, "--pids-limit", strconv.Itoa(l.Pids))
	}
	if l.NoFile > 0 {
		n := strconv.Itoa(l.NoFile)
		run = append(run, "--ulimit", "nofile="+n+":"+n)
	}
	run = append(run, SeccompArgs(d.Traits[model])...)
	run = append(run, ServerImage, "-model", model)
	run = append(run, args...)
	d.track(name, true)
	id, err := docker(context.Background(), run...)
	if err != nil {
		return nil, err
	}
	s := &dockerServer{d: d, name: name, id: id, url: "http://127.0.0.1:8080"}
	end := time.Now().Add(10 * time.Second)
	for {
		logs, _ := dockerLogs(name)
		if strings.Contains(logs, "serving on ") {
			break
		}
		if st, _ := docker(context.Background(), "inspect", "-f", "{{.State.Running}}", name); st == "false" || time.Now().After(end) {
			d.remove(name)
			return nil, fmt.Errorf("%s: container %s did not start serving:\n%s", model, name, logs)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if d.network() == "bridge" {
		ip, err := docker(context.Background(), "inspect", "-f", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", name)
		if err != nil || ip == "" {
			d.remove(name)
			return nil, fmt.Errorf("%s: no bridge address: %v", name, err)
		}
		s.url = "http://" + ip + ":8080"
	}
	return s, nil
}

// dockerLogs is a container's stdout and stderr.
func dockerLogs(name string) (string, error) {
	b, err := exec.Command("docker", "logs", name).CombinedOutput()
	return string(b), err
}

func (d *Docker) remove(name string) {
	_, _ = docker(context.Background(), "rm", "-f", name)
	d.track(name, false)
}

// Stop stops the container with docker stop (SIGTERM, then SIGKILL after
// grace), keeps its log and removes it.
func (s *dockerServer) Stop(grace time.Duration) (string, error) {
	_, err := docker(context.Background(), "stop", "-t", strconv.Itoa(int(grace.Seconds())), s.name)
	logs, _ := dockerLogs(s.name)
	s.d.remove(s.name)
	return logs, err
}

// Attack runs st in a harness container (netbench attack): the step goes
// in on its stdin as JSON, the summary comes back on its stdout, and its
// progress lines on stderr are passed to progress.
func (d *Docker) Attack(ctx context.Context, in Instance, st *step.Step, dir string, progress func(elapsed, total time.Duration)) (*summary.Summary, error) {
	s := in.(*dockerServer)
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	name := s.name + "-bench"
	run := []string{"run", "--rm", "-i", "--name", name, "--label", "netmodels.run=" + d.RunID}
	if d.network() == "container" {
		run = append(run, "--network", "container:"+s.id)
	}
	if d.HarnessCPUs != "" {
		run = append(run, "--cpuset-cpus", d.HarnessCPUs)
	}
	run = append(run, "--user", fmt.Sprintf("%d:%d", os.Getuid(), os.Getgid()),
		"-v", abs+":/results", "-v", "/sys/fs/cgroup:/host/cgroup:ro",
		BenchImage, "attack", "-url", s.url, "-cgroup", s.id, "-cgroup-root", "/host/cgroup",
		"-run-dir", "/results", "-progress-lines")
	in2, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	cmd := exec.Command("docker", run...)
	cmd.Stdin, cmd.Stdout = bytes.NewReader(in2), &out
	errp, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	d.track(name, true)
	defer d.track(name, false)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	// An interrupt stops the harness container, not only its client.
	stop := context.AfterFunc(ctx, func() { _, _ = docker(context.Background(), "rm", "-f", name) })
	defer stop()
	var tail strings.Builder
	ForwardProgress(errp, progress, &tail)
	if err := cmd.Wait(); err != nil {
		return nil, fmt.Errorf("harness container: %v\n%s", err, tail.String())
	}
	var sum summary.Summary
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		return nil, fmt.Errorf("harness container: no summary (%v)\n%s", err, tail.String())
	}
	return &sum, nil
}

// ProgressLine is how netbench attack -progress-lines reports progress on
// stderr, for ForwardProgress to read.
func ProgressLine(elapsed, total time.Duration) string {
	return fmt.Sprintf("progress %d %d\n", elapsed, total)
}

// ForwardProgress reads a harness's stderr: its progress lines go to
// progress, every other line to other (and to this process's stderr).
func ForwardProgress(r io.Reader, progress func(elapsed, total time.Duration), other io.Writer) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := sc.Text()
		var el, total int64
		if n, _ := fmt.Sscanf(line, "progress %d %d", &el, &total); n == 2 {
			if progress != nil {
				progress(time.Duration(el), time.Duration(total))
			}
			continue
		}
		fmt.Fprintln(os.Stderr, line)
		fmt.Fprintln(other, line)
	}
}

// Placement: containers, whose logs go with them, under d.Limits, with the
// generator on d.HarnessCPUs.
func (d *Docker) Placement() Placement {
	return Placement{KeepLog: true, HarnessCPUs: d.HarnessCPUs, Limits: &d.Limits}
}

// Describe gives the containers' limits, the images' sizes and the Docker
// version.
func (d *Docker) Describe() string {
	l := d.Limits
	net := "--network container:<server> (its loopback)"
	if d.network() == "bridge" {
		net = "on the default bridge, attacking the server's bridge address"
	}
	var sizes []string
	for _, img := range []string{ServerImage, BenchImage} {
		sz, _ := docker(context.Background(), "image", "inspect", "-f", "{{.Size}}", img)
		sizes = append(sizes, img+" "+sz+" bytes")
	}
	ver, _ := docker(context.Background(), "version", "--format", "{{.Server.Version}}")
	share := ""
	if l.Limited() {
		share = " (" + l.DescribeCPUShare() + ": --cpu-period, --cpu-quota)"
	}
	var unconfined []string
	for name, t := range d.Traits {
		if t.Seccomp != "" {
			unconfined = append(unconfined, name)
		}
	}
	seccomp := ""
	if len(unconfined) > 0 {
		sort.Strings(unconfined)
		seccomp = " (" + strings.Join(unconfined, ", ") + ": --security-opt seccomp=unconfined)"
	}
	return fmt.Sprintf("containers: server --cpuset-cpus %s%s --memory %s --pids-limit %d --ulimit nofile=%d%s; harness --cpuset-cpus %s %s; a fresh server container per attack; images: %s; docker %s",
		l.CPUs, share, l.Memory, l.Pids, l.NoFile, seccomp, d.HarnessCPUs, net, strings.Join(sizes, ", "), ver)
}

// Close removes every container of the run still there.
func (d *Docker) Close() {
	d.mu.Lock()
	names := make([]string, 0, len(d.live))
	for n := range d.live {
		names = append(names, n)
	}
	d.mu.Unlock()
	for _, n := range names {
		d.remove(n)
	}
}
