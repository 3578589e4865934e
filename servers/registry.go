package servers

import (
	"netmodels/servers/fork"
	"netmodels/servers/fork/child"
	"netmodels/servers/gnet"
	"netmodels/servers/goroutine"
	"netmodels/servers/httpx"
	"netmodels/servers/iterative"
	"netmodels/servers/model"
)

// Entry is one model in the registry.
type Entry struct {
	Name    string
	Summary string // one line for netserver -list -v and the docs
	New     func(model.Config) model.Model
}

var entries = []Entry{
	{iterative.Name, "one connection at a time, blocking accept/read/write", iterative.New},
	{fork.Name, "a process per connection (re-exec of this binary, fd 3)", fork.New},
	{goroutine.Name, "a goroutine per connection over Go's netpoller", goroutine.New},
	{gnet.Name, "gnet v2 event loops, one per GOMAXPROCS", gnet.New},
}

// All returns every model.
func All() []Entry { return append([]Entry(nil), entries...) }

// Lookup returns the model called name.
func Lookup(name string) (Entry, bool) {
	for _, e := range entries {
		if e.Name == name {
			return e, true
		}
	}
	return Entry{}, false
}

// RunChild runs this process as a model's child process when it was
// started as one (the fork model's connection child), serving with h. It
// returns the exit code and true in a child, and false otherwise. Call it
// first thing in main, and in TestMain of tests that run those models.
func RunChild(h httpx.Handler) (int, bool) {
	if child.Is() {
		return child.Run(fork.Name, h), true
	}
	return 0, false
}
