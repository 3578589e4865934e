package locust

import (
	"os"
	"regexp"
	"strconv"
	"testing"
	"time"

	"netmodels/bench/scenario"
)

// pyTask is one @task of a locustfile: the paths it GETs, in order.
type pyTask struct {
	name  string
	paths []string
}

var (
	pyWait = regexp.MustCompile(`wait_time = between\(([0-9.]+), ([0-9.]+)\)`)
	pyDef  = regexp.MustCompile(`(?m)^    @task\n    def (\w+)\(self\):\n((?:        self\.client\.get\("[^"]*"\)\n)+)`)
	pyGet  = regexp.MustCompile(`self\.client\.get\("([^"]*)"\)`)
)

// readLocustfile reads the tasks and think times of one of this
// package's locustfiles, which keep to one plain form.
func readLocustfile(t *testing.T, path string) ([]pyTask, time.Duration, time.Duration) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	w := pyWait.FindSubmatch(b)
	if w == nil {
		t.Fatalf("%s: no wait_time = between(a, b)", path)
	}
	secs := func(s []byte) time.Duration {
		f, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			t.Fatal(err)
		}
		return time.Duration(f * float64(time.Second))
	}
	var tasks []pyTask
	for _, m := range pyDef.FindAllSubmatch(b, -1) {
		tk := pyTask{name: string(m[1])}
		for _, g := range pyGet.FindAllSubmatch(m[2], -1) {
			tk.paths = append(tk.paths, string(g[1]))
		}
		tasks = append(tasks, tk)
	}
	return tasks, secs(w[1]), secs(w[2])
}

// TestLocustfilesMatchScenarios checks that each locustfile and the
// netbench scenario said to be its load have the same tasks (their paths
// in order, equal weights) and think times: netbench locust compares the
// two generators on the strength of it.
func TestLocustfilesMatchScenarios(t *testing.T) {
	for file, name := range map[string]string{"locust_test.py": "slides-locustfile", "locust_io.py": "locustfile-io"} {
		sc, err := scenario.Find("../scenarios", name)
		if err != nil {
			t.Fatal(err)
		}
		tasks, lo, hi := readLocustfile(t, file)
		if sc.Load.Kind != scenario.Users || sc.Load.ThinkMin.Duration != lo || sc.Load.ThinkMax.Duration != hi {
			t.Errorf("%s: think %v-%v; %s: %s load, think %v-%v", file, lo, hi, name, sc.Load.Kind, sc.Load.ThinkMin, sc.Load.ThinkMax)
		}
		if len(tasks) != len(sc.Targets) {
			t.Fatalf("%s has %d tasks, %s %d targets", file, len(tasks), name, len(sc.Targets))
		}
		for i, tg := range sc.Targets {
			paths := []string{tg.Path}
			for _, th := range tg.Then {
				paths = append(paths, th.Path)
			}
			if tg.Weight > 1 || len(paths) != len(tasks[i].paths) {
				t.Errorf("%s task %s GETs %v; %s target %d is %v (weight %d)", file, tasks[i].name, tasks[i].paths, name, i, paths, tg.Weight)
				continue
			}
			for j := range paths {
				if paths[j] != tasks[i].paths[j] {
					t.Errorf("%s task %s GETs %v; %s target %d is %v", file, tasks[i].name, tasks[i].paths, name, i, paths)
					break
				}
			}
		}
	}
}
