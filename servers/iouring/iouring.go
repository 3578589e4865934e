// Package iouring is the completion-based model: one thread, one
// io_uring (Linux 5.1 and later; this model needs 5.19). Where the event
// loops ask the kernel which sockets are ready and then make one system
// call per read or write, this loop hands the kernel the work itself —
// accept, receive, send, shut down, close — as entries in a submission
// ring, and collects the results from a completion ring, both memory it
// shares with the kernel. One io_uring_enter(2) submits every entry queued
// since the last and waits for the next completions, so under load a
// system call carries many connections' work.
//
//   - One multishot accept stays submitted: each new connection is a
//     completion, with no new request per connection.
//   - Receives take a buffer from a ring of provided buffers only when
//     data arrives, so a connection waiting to read holds no buffer.
//   - A send is linked to the connection's next receive: the kernel starts
//     the receive once the answer is sent, without a round through the
//     loop, and no connection is read while its answers are unsent.
//   - A connection ends with a shutdown linked to a close, both submitted.
//
// The HTTP work is the shared httpx.Session's, as in every model; /sleep
// uses the loop's timers, and a sort runs on the loop and stalls it, as in
// the epoll model. Where io_uring is missing or refused (by
// kernel.io_uring_disabled, or by a seccomp profile such as Docker's
// default one), Serve fails at once and says which.
package iouring

import (
	"context"

	"golang.org/x/sys/unix"

	"netmodels/servers/evloop"
	"netmodels/servers/model"
	"netmodels/servers/rawsock"
)

// Name is the model's name.
const Name = "iouring"

// Traits are what the harness and the suites know of the model.
func Traits() model.Traits {
	return model.Traits{
		Race:    true,
		Seccomp: "io_uring_setup, io_uring_enter and io_uring_register, which Docker's default seccomp profile refuses",
	}
}

type server struct{ cfg model.Config }

// New returns the io_uring model.
func New(cfg model.Config) model.Model { return &server{cfg.WithDefaults()} }

func (s *server) Name() string { return Name }

func (s *server) Serve(ctx context.Context, addr string) error {
	cfg := s.cfg
	lfd, bound, err := rawsock.Listen(addr, rawsock.Options{Backlog: cfg.Backlog})
	if err != nil {
		return err
	}
	defer unix.Close(lfd)
	ready := make(chan error, 1)
	done := make(chan error, 1)
	go func() {
		done <- serveRing(evloop.NewConfig(Name, cfg), lfd, ctx.Done(), func(err error) { ready <- err })
	}()
	if err := <-ready; err != nil {
		return err
	}
	cfg.Ready(bound)
	return <-done
}
