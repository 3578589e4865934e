package servers

import (
	"log"
	"os"

	"netmodels/servers/epoll"
	"netmodels/servers/fork"
	"netmodels/servers/fork/child"
	"netmodels/servers/gnet"
	"netmodels/servers/goroutine"
	"netmodels/servers/httpx"
	"netmodels/servers/iouring"
	"netmodels/servers/iterative"
	"netmodels/servers/model"
	"netmodels/servers/pool"
	"netmodels/servers/prefork"
	"netmodels/servers/selectloop"
	"netmodels/servers/thread"
)

// Entry is one model in the registry.
type Entry struct {
	Name    string
	Summary string // one line for netserver -list -v and the docs
	New     func(model.Config) model.Model
	Traits  model.Traits // declared by the model's package
}

// Description is the entry as netserver -list -json prints it.
func (e Entry) Description() model.Description {
	return model.Description{Name: e.Name, Summary: e.Summary, Traits: e.Traits}
}

var entries = []Entry{
	{iterative.Name, "one connection at a time, blocking accept/read/write", iterative.New, iterative.Traits()},
	{fork.Name, "a process per connection (netchild started with the connection as fd 3)", fork.New, fork.Traits()},
	{prefork.Name, "N worker processes sharing the listening socket, each iterative", prefork.New, prefork.Traits()},
	{thread.Name, "an OS thread per connection, blocking raw-socket calls", thread.New, thread.Traits()},
	{pool.Name, "a fixed pool of workers fed by a bounded queue; full queue: 503", pool.New, pool.Traits()},
	{goroutine.Name, "a goroutine per connection over Go's netpoller", goroutine.New, goroutine.Traits()},
	{selectloop.Name, "one thread, one select(2) loop over non-blocking sockets", selectloop.New, selectloop.Traits()},
	{epoll.Name, "one thread, a hand-written level-triggered epoll loop", epoll.New, epoll.Traits()},
	{epoll.MultiName, "one epoll loop per GOMAXPROCS, SO_REUSEPORT sockets", epoll.NewMulti, epoll.Traits()},
	{iouring.Name, "one thread, one io_uring: accept, receive and send submitted, completions reaped in batches", iouring.New, iouring.Traits()},
	{gnet.Name, "gnet v2 event loops, one per GOMAXPROCS", gnet.New, gnet.Traits()},
	{gnet.PoolName, "gnet loops handing CPU work to a worker pool (AMPED)", gnet.NewPool, gnet.Traits()},
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

// IsChild reports whether this process was started as a model's child
// process (the fork model's connection child, a prefork worker).
func IsChild() bool { return child.Is() || prefork.IsWorker() }

// RunChild runs this process as a model's child process when it was
// started as one (the fork model's connection child, a prefork worker),
// serving with h. It
// returns the exit code and true in a child, and false otherwise. Call it
// first thing in main, and in TestMain of tests that run those models.
func RunChild(h httpx.Handler) (int, bool) {
	if child.Is() {
		return child.Run(fork.Name, h), true
	}
	if prefork.IsWorker() {
		return prefork.RunWorker(h, log.New(os.Stderr, "", log.LstdFlags)), true
	}
	return 0, false
}
