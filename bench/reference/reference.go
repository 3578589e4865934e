// Package reference declares the seeds' own systems: the blog's four
// Python socket servers (with and without the join() bug of its first
// version) and the course's Django views (under runserver, as the slides
// ran them, and under gunicorn's default sync worker, as one would deploy
// them). The harness starts, pins, limits, samples and reports a
// reference exactly as it does a model (runner.Start), under its name,
// marked as a reference; the conformance suite does not apply to them:
// they are measured as their authors wrote them, not as netmodels' API
// specifies a server.
//
// The sources live in servers/python (blog/, course/); they run on
// Debian's python3 with Debian's packages only (python3-django, gunicorn).
package reference

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Reference is one of the seeds' systems.
type Reference struct {
	Name string
	// Seed is the document it comes from: "blog" or "course".
	Seed string
	// Family is the netmodels model that gives connections a CPU the same
	// way, the one it is set beside.
	Family string
	// Doc says what it is, in a line.
	Doc string
	// Label names it in a report's table, in a few words.
	Label string
	// Dir is its directory under servers/python; the command runs there.
	Dir string
	// Args follow the interpreter; {port} is replaced by the port it is
	// to listen on (on 127.0.0.1).
	Args []string
	// Ready is a path that answers 200 once it serves.
	Ready string
	// Needs are the Python modules it imports beyond the standard
	// library, each with the Debian package that brings it.
	Needs []Need
}

// Need is a Python module and the Debian package that installs it.
type Need struct{ Module, Package string }

var (
	django   = Need{"django", "python3-django"}
	gunicorn = Need{"gunicorn", "gunicorn"}
)

func blog(name, family, file, doc, label string, join bool) Reference {
	args := []string{file, "--addr", "127.0.0.1:{port}"}
	if join {
		args = append(args, "--join")
	}
	return Reference{Name: name, Seed: "blog", Family: family, Doc: doc, Label: label, Dir: "blog", Args: args, Ready: "/"}
}

// all is every reference, in the order reports list them.
var all = []Reference{
	blog("py-single", "iterative", "singleProcessServer.py", "the blog's single-process server: accept, recv, send 200 OK, close, one at a time", "the blog's Python code", false),
	blog("py-fork-join", "fork", "multiProcessServer.py", "the blog's multi-process server as first written: os.fork per connection, joined inside the accept loop (serial)", "the blog's Python code, join() in the accept loop", true),
	blog("py-fork", "fork", "multiProcessServer.py", "the blog's multi-process server with its fix: os.fork per connection, joined only on the way out", "the blog's Python code with its fix", false),
	blog("py-thread-join", "thread", "multiThreadServer.py", "the blog's multi-thread server as first written: a thread per connection, joined inside the accept loop (serial)", "the blog's Python code, join() in the accept loop", true),
	blog("py-thread", "thread", "multiThreadServer.py", "the blog's multi-thread server with its fix: a thread per connection, joined only on the way out", "the blog's Python code with its fix", false),
	blog("py-select", "select", "selectServer.py", "the blog's select server: one process, select() over every socket", "the blog's Python code", false),
	{Name: "django-runserver", Seed: "course", Family: "thread", Dir: "course",
		Doc:   "the course's Django views under manage.py runserver, as the slides ran them: a thread per connection (--noreload: the code watcher is not part of serving)",
		Label: "the course's Django views, runserver",
		Args:  []string{"manage.py", "runserver", "127.0.0.1:{port}", "--noreload"},
		Ready: "/test/normal_sort/", Needs: []Need{django}},
	{Name: "django-gunicorn", Seed: "course", Family: "prefork", Dir: "course",
		Doc:   "the course's Django views under gunicorn's defaults: one pre-forked sync worker, one request at a time",
		Label: "the course's Django views, gunicorn",
		Args:  []string{"-m", "gunicorn", "--bind", "127.0.0.1:{port}", "mypjt.wsgi"},
		Ready: "/test/normal_sort/", Needs: []Need{django, gunicorn}},
}

// All returns every reference.
func All() []Reference { return append([]Reference(nil), all...) }

// Names returns every reference's name, in All's order.
func Names() []string {
	n := make([]string, len(all))
	for i, r := range all {
		n[i] = r.Name
	}
	return n
}

// Lookup finds a reference by name.
func Lookup(name string) (Reference, bool) {
	for _, r := range all {
		if r.Name == name {
			return r, true
		}
	}
	return Reference{}, false
}

// Join reports whether r is a server as the blog first wrote it, with
// join() inside its accept loop.
func (r Reference) Join() bool {
	for _, a := range r.Args {
		if a == "--join" {
			return true
		}
	}
	return false
}

// Is reports whether name is a reference's.
func Is(name string) bool {
	_, ok := Lookup(name)
	return ok
}

// Of returns the references of one seed ("blog" or "course").
func Of(seed string) []Reference {
	var out []Reference
	for _, r := range all {
		if r.Seed == seed {
			out = append(out, r)
		}
	}
	return out
}

// Python is the interpreter the references run on: $NETMODELS_PYTHON when
// set, else Debian's /usr/bin/python3 (where Debian's python3-django and
// gunicorn are installed), else python3 on the PATH.
func Python() string {
	if p := os.Getenv("NETMODELS_PYTHON"); p != "" {
		return p
	}
	if st, err := os.Stat("/usr/bin/python3"); err == nil && !st.IsDir() {
		return "/usr/bin/python3"
	}
	return "python3"
}

// Root finds servers/python from the netserver binary's path: bin/ sits
// in the repository's root. $NETMODELS_PYTHON_DIR overrides it.
func Root(bin string) string {
	if d := os.Getenv("NETMODELS_PYTHON_DIR"); d != "" {
		return d
	}
	abs, err := filepath.Abs(bin)
	if err != nil {
		abs = bin
	}
	return filepath.Join(filepath.Dir(filepath.Dir(abs)), "servers", "python")
}

// Command is the reference's command line listening on port, and the
// directory it runs in.
func (r Reference) Command(root string, port int) (argv []string, dir string) {
	argv = []string{Python()}
	for _, a := range r.Args {
		argv = append(argv, strings.ReplaceAll(a, "{port}", fmt.Sprint(port)))
	}
	return argv, filepath.Join(root, r.Dir)
}

// Check says what is missing to run r, naming what installs it, or nil.
func (r Reference) Check(root string) error {
	py := Python()
	if _, err := exec.LookPath(py); err != nil {
		return fmt.Errorf("%s needs Python 3: apt-get install python3 (or set NETMODELS_PYTHON)", r.Name)
	}
	argv, dir := r.Command(root, 0)
	if _, err := os.Stat(filepath.Join(dir, argv[1])); err != nil && !strings.HasPrefix(argv[1], "-") {
		return fmt.Errorf("%s: %s not found (run netbench from the repository's root, or set NETMODELS_PYTHON_DIR)", r.Name, filepath.Join(dir, argv[1]))
	}
	var missing []string
	for _, n := range r.Needs {
		if err := exec.Command(py, "-c", "import "+n.Module).Run(); err != nil {
			missing = append(missing, n.Package)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%s needs %s for %s: apt-get install %s", r.Name, strings.Join(missing, " and "), py, strings.Join(missing, " "))
	}
	return nil
}

// Versions names the Python runtime the references run on, and the
// versions of the modules they need, for a run's meta: "python3 3.11.2
// (/usr/bin/python3), django 3.2.25, gunicorn 20.1.0". A module that does
// not import reads "not installed".
func Versions() string {
	py := Python()
	out, err := exec.Command(py, "-c", "import sys; print(sys.version.split()[0])").Output()
	if err != nil {
		return "python3 not found (" + py + ")"
	}
	s := "python3 " + strings.TrimSpace(string(out)) + " (" + py + ")"
	for _, n := range []Need{django, gunicorn} {
		v, err := exec.Command(py, "-c", "import "+n.Module+"; print("+n.Module+".__version__)").Output()
		ver := strings.TrimSpace(string(v))
		if err != nil || ver == "" {
			ver = "not installed"
		}
		s += ", " + n.Module + " " + ver
	}
	return s
}
