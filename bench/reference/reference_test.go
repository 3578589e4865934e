package reference_test

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"netmodels/bench/reference"
	"netmodels/bench/runner"
)

// bin is where make build puts netserver: the references are found
// beside it, in servers/python, as netbench finds them.
var bin = filepath.Join("..", "..", "bin", "netserver")

// TestEveryReferenceAnswers starts each reference as netbench does
// (runner.Start, pinned to a CPU) and checks its answer to the request the
// seeds sent it: the blog's servers 200 OK to GET /hello, the Django
// views {"top": T} with T in the slides' range, at both of their sizes.
// It needs Debian's python3-django and gunicorn (make test installs
// them): a missing one fails it with the package to install.
func TestEveryReferenceAnswers(t *testing.T) {
	for _, r := range reference.All() {
		t.Run(r.Name, func(t *testing.T) {
			s, err := runner.Start(r.Name, runner.Options{Bin: bin, CPUs: "0"})
			if err != nil {
				t.Fatal(err)
			}
			defer func() {
				if _, err := s.Stop(10 * time.Second); err != nil {
					t.Errorf("stop: %v", err)
				}
			}()
			switch r.Seed {
			case "blog":
				for i := 0; i < 3; i++ { // a fresh connection each, as the blog's Locust runs
					if body := get(t, "http://"+s.Addr+"/hello"); body != "hello\n" {
						t.Errorf("GET /hello: %q", body)
					}
				}
			case "course":
				for _, q := range []struct{ path, top string }{
					{"/test/normal_sort/", `{"top": 4`},
					{"/test/priority_queue/", `{"top": 4`},
					{"/test/bubble_sort/", `{"top": 4`},
					{"/test/normal_sort/?n=10000&max=50000", `{"top": 49`},
				} {
					if body := get(t, "http://"+s.Addr+q.path); !strings.HasPrefix(body, q.top) {
						t.Errorf("GET %s: %q, want %s…}", q.path, body, q.top)
					}
				}
			default:
				t.Fatalf("seed %q", r.Seed)
			}
		})
	}
}

func get(t *testing.T, url string) string {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, b)
	}
	return string(b)
}

// TestMissingRequirementsAreNamed: a missing interpreter, module or
// script is an error that says what to install, before anything starts.
func TestMissingRequirementsAreNamed(t *testing.T) {
	root := reference.Root(bin)
	r, _ := reference.Lookup("django-gunicorn")
	r.Needs = append(r.Needs, reference.Need{Module: "netmodels_no_such_module", Package: "python3-netmodels-missing"})
	err := r.Check(root)
	if err == nil || !strings.Contains(err.Error(), "apt-get install python3-netmodels-missing") || strings.Contains(err.Error(), "python3-django") {
		t.Errorf("missing module: %v", err)
	}
	t.Setenv("NETMODELS_PYTHON", filepath.Join(t.TempDir(), "python3"))
	if err := r.Check(root); err == nil || !strings.Contains(err.Error(), "apt-get install python3") {
		t.Errorf("missing python3: %v", err)
	}
	if _, err := runner.Start("py-single", runner.Options{Bin: bin}); err == nil || !strings.Contains(err.Error(), "needs Python 3") {
		t.Errorf("runner.Start without python3: %v", err)
	}
	os.Unsetenv("NETMODELS_PYTHON")
	t.Setenv("NETMODELS_PYTHON_DIR", t.TempDir())
	if _, err := runner.Start("py-single", runner.Options{Bin: bin}); err == nil || !strings.Contains(err.Error(), "singleProcessServer.py not found") {
		t.Errorf("runner.Start without the sources: %v", err)
	}
}

// TestADjangoThatWillNotStartSaysWhy: a project that fails at start is
// reported at once with its log, not after the readiness wait.
func TestADjangoThatWillNotStartSaysWhy(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "course"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "course", "manage.py"), []byte("import sys\nsys.exit('settings are broken')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETMODELS_PYTHON_DIR", dir)
	began := time.Now()
	_, err := runner.Start("django-runserver", runner.Options{Bin: bin})
	if err == nil || !strings.Contains(err.Error(), "exited before serving") || !strings.Contains(err.Error(), "settings are broken") {
		t.Errorf("broken project: %v", err)
	}
	if d := time.Since(began); d > 10*time.Second {
		t.Errorf("took %v to say so", d)
	}
}

// TestNamesAreApart: no reference takes a name netserver's models use,
// and each has a family that is a model.
func TestNamesAreApart(t *testing.T) {
	models, err := runner.Names(bin)
	if err != nil {
		t.Fatal(err, "(make build makes it; make unit builds first)")
	}
	seen := map[string]bool{}
	for _, m := range models {
		seen[m] = true
	}
	for _, r := range reference.All() {
		if seen[r.Name] {
			t.Errorf("%s is a model's name too", r.Name)
		}
		if !seen[r.Family] {
			t.Errorf("%s: family %s is no model", r.Name, r.Family)
		}
	}
}

func TestVersionsNamesThePythonAndItsModules(t *testing.T) {
	t.Setenv("NETMODELS_PYTHON", "/nonexistent/python3")
	if v := reference.Versions(); !strings.Contains(v, "not found") {
		t.Errorf("a missing python reads %q", v)
	}
	t.Setenv("NETMODELS_PYTHON", "")
	v := reference.Versions()
	if !strings.HasPrefix(v, "python3 3.") || !strings.Contains(v, "django ") || !strings.Contains(v, "gunicorn ") {
		t.Errorf("Versions() = %q", v)
	}
}
