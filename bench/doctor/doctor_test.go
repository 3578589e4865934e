package doctor

import (
	"strings"
	"testing"
)

func TestTableMarksWhatIsMissing(t *testing.T) {
	rs := []Result{
		{Name: "taskset", OK: true, Found: "/usr/bin/taskset", UsedBy: "pinning", Without: "shared CPUs"},
		{Name: "perf", Found: "not in PATH: apt-get install linux-perf", UsedBy: "-kernel", Without: "no counts | none"},
	}
	tab := Table(rs)
	for _, want := range []string{"| taskset | ok | /usr/bin/taskset |", "| perf | **missing** | not in PATH: apt-get install linux-perf |", `no counts \| none`} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
	if m := Missing(rs); len(m) != 1 || m[0] != "perf" {
		t.Errorf("Missing = %v", m)
	}
}

func TestCheckCoversEveryRequirement(t *testing.T) {
	rs := Check()
	names := map[string]bool{}
	for _, r := range rs {
		if r.Name == "" || r.UsedBy == "" || r.Without == "" || r.Found == "" {
			t.Errorf("an incomplete result: %+v", r)
		}
		names[r.Name] = true
	}
	for _, want := range []string{"Linux", "taskset", "perf, allowed to count", "Docker", "wrk", "python3, Django, gunicorn"} {
		if !names[want] {
			t.Errorf("no check named %q", want)
		}
	}
}

func TestToolNamesThePackage(t *testing.T) {
	r := tool("netmodels-no-such-tool", "some-package", "x", "y")
	if r.OK || !strings.Contains(r.Found, "apt-get install some-package") {
		t.Errorf("a missing tool reads %+v", r)
	}
	if r := tool("sh", "dash", "x", "y"); !r.OK {
		t.Errorf("sh is not found: %+v", r)
	}
}
