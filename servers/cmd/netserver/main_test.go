package main

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"netmodels/servers"
	"netmodels/servers/model"
)

// build compiles netserver, and netchild beside it as make build does,
// for the tests that run them as a user would.
func build(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("go", "build", "-o", dir+"/", ".", "../netchild").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return filepath.Join(dir, "netserver")
}

func TestListAndHelp(t *testing.T) {
	bin := build(t)
	out, err := exec.Command(bin, "-list").Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, e := range servers.All() {
		want = append(want, e.Name)
	}
	if got := strings.Fields(string(out)); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("-list printed %q, want %q", got, want)
	}
	help, _ := exec.Command(bin, "-h").CombinedOutput()
	for _, flag := range []string{"-model", "-addr", "-list", "-header-timeout", "-idle-timeout", "-workers"} {
		if !strings.Contains(string(help), flag) {
			t.Errorf("-h does not explain %s", flag)
		}
	}
	if strings.Contains(string(help), "NETMODELS_CHILD") {
		t.Errorf("-h mentions the internal child mode")
	}
	if err := exec.Command(bin, "-model", "nope").Run(); err == nil {
		t.Errorf("an unknown model did not fail")
	}
}

// TestListJSON: -list -json describes every model with the traits its
// package declares, which is all the harness knows of it.
func TestListJSON(t *testing.T) {
	out, err := exec.Command(build(t), "-list", "-json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var got []model.Description
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("-list -json: %v\n%s", err, out)
	}
	all := servers.All()
	if len(got) != len(all) {
		t.Fatalf("%d models described, want %d", len(got), len(all))
	}
	for i, e := range all {
		if !reflect.DeepEqual(got[i], e.Description()) {
			t.Errorf("%s: described as %+v, want %+v", e.Name, got[i], e.Description())
		}
	}
	// A trait that reached the JSON: prefork's idle cap is its workers.
	for _, d := range got {
		if d.Name == "prefork" && (d.Traits.IdleCap != 16 || !d.Traits.Processes) {
			t.Errorf("prefork's traits: %+v", d.Traits)
		}
	}
}

// TestEveryModelServesHello starts the binary with each model, as the
// README tells a newcomer to, gets hello, and stops it with SIGTERM.
func TestEveryModelServesHello(t *testing.T) {
	bin := build(t)
	for _, e := range servers.All() {
		t.Run(e.Name, func(t *testing.T) {
			cmd := exec.Command(bin, "-model", e.Name, "-addr", "127.0.0.1:0")
			stderr, _ := cmd.StderrPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			lines := bufio.NewScanner(stderr)
			addr, log := "", ""
			for lines.Scan() {
				log += lines.Text() + "\n"
				if _, a, ok := strings.Cut(lines.Text(), "serving on "); ok {
					addr = a
					break
				}
			}
			if e.Name == "fork" && !strings.Contains(log, "one netchild process per connection") {
				t.Errorf("the fork model does not start netchild:\n%s", log)
			}
			if addr == "" {
				t.Fatal("no 'serving on' line")
			}
			go func() { _, _ = io.Copy(io.Discard, stderr) }()
			res, err := http.Get("http://" + addr + "/hello")
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if string(body) != "hello\n" || res.Header.Get("Server") != "netmodels/"+e.Name {
				t.Fatalf("got %q from %q", body, res.Header.Get("Server"))
			}
			_ = cmd.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("exit after SIGTERM: %v", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("no exit 10s after SIGTERM")
			}
		})
	}
}
