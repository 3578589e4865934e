// Command netserver serves the netmodels responder under one concurrency
// model:
//
//	netserver -model fork -addr 127.0.0.1:8080
//	netserver -list
//
// It stops gracefully on SIGINT or SIGTERM: no new connections, answers in
// progress finish.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"netmodels/servers"
	"netmodels/servers/handler"
	"netmodels/servers/httpx"
	"netmodels/servers/model"
)

func main() {
	if servers.IsChild() {
		code, _ := servers.RunChild(handler.New())
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("netserver", flag.ContinueOnError)
	name := fs.String("model", "goroutine", "concurrency model to serve with (see -list)")
	addr := fs.String("addr", "127.0.0.1:8080", "TCP address to listen on, host:port")
	list := fs.Bool("list", false, "print the model names, one per line, and exit")
	verbose := fs.Bool("v", false, "with -list: a line on each model")
	asJSON := fs.Bool("json", false, "with -list: every model with its summary and traits as JSON (what netbench reads)")
	header := fs.Duration("header-timeout", httpx.DefaultHeaderTimeout, "time a client has to send a whole request once it began (then 408 and close)")
	idle := fs.Duration("idle-timeout", httpx.DefaultIdleTimeout, "time a keep-alive connection may sit idle between requests")
	grace := fs.Duration("grace", 0, "graceful stop: how long answers in progress may take (default 30s)")
	backlog := fs.Int("backlog", 0, "listen(2) backlog (default 1024)")
	workers := fs.Int("workers", 0, "workers or event loops of the models that have them (default GOMAXPROCS)")
	queue := fs.Int("queue", 0, "bounded queue of the pool models (default 1024)")
	childBin := fs.String("child-bin", "", "fork model: the `program` started per connection (default: netchild beside netserver, else netserver itself)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of this process (not of child processes) to `file` until the stop")
	memprofile := fs.String("memprofile", "", "at each SIGUSR1, write a heap profile of this process to `prefix`-N.pprof and log where its memory is held")
	gameKey := fs.String("game-key", "", "up-down game: the HMAC `key` in hex, at least 32 digits (default: $"+handler.GameKeyEnv+", else random at start, shared with child processes)")
	maxConns := fs.Int("max-conns", 0, "connections or child processes at once; past it, 503 (default 10000)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: netserver [flags]\n\nServes the netmodels HTTP/1.1 responder under one concurrency model.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if *list && *asJSON {
		var ds []model.Description
		for _, e := range servers.All() {
			ds = append(ds, e.Description())
		}
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ds); err != nil {
			fmt.Fprintln(os.Stderr, "netserver:", err)
			return 1
		}
		return 0
	}
	if *list {
		for _, e := range servers.All() {
			if *verbose {
				fmt.Printf("%-12s %s\n", e.Name, e.Summary)
			} else {
				fmt.Println(e.Name)
			}
		}
		return 0
	}
	e, ok := servers.Lookup(*name)
	if !ok {
		fmt.Fprintf(os.Stderr, "netserver: unknown model %q (see netserver -list)\n", *name)
		return 2
	}
	if *gameKey != "" {
		if _, err := handler.ParseGameKey(*gameKey); err != nil {
			fmt.Fprintf(os.Stderr, "netserver: -game-key: %v\n", err)
			return 2
		}
		os.Setenv(handler.GameKeyEnv, *gameKey)
	} else if v := os.Getenv(handler.GameKeyEnv); v != "" {
		if _, err := handler.ParseGameKey(v); err != nil {
			fmt.Fprintf(os.Stderr, "netserver: $%s: %v\n", handler.GameKeyEnv, err)
			return 2
		}
	}
	h := handler.New() // the key's environment variable reaches child processes
	logger := log.New(os.Stderr, "netserver["+e.Name+"] ", log.LstdFlags)
	m := e.New(model.Config{
		Handler: h, HeaderTimeout: *header, IdleTimeout: *idle, GraceTimeout: *grace,
		Backlog: *backlog, Workers: *workers, Queue: *queue, MaxConns: *maxConns,
		ChildBinary: *childBin, Log: logger,
		Ready: func(a net.Addr) { logger.Printf("serving on %v", a) },
	})
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			logger.Print(err)
			return 1
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			logger.Print(err)
			return 1
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if *memprofile != "" {
		defer memProfileOnSignal(*memprofile, logger)()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := m.Serve(ctx, *addr); err != nil {
		logger.Print(err)
		return 1
	}
	logger.Print("stopped")
	return 0
}
