// Package httpx is the responder every netmodels server model shares: an
// incremental HTTP/1.1 request parser over byte slices, an append-style
// response writer, named limits and typed errors mapped once to statuses.
//
// It does no I/O. A model owns the sockets and feeds received bytes to a
// [Session], which answers every complete request it finds and says what to
// do next: read more, write and close, run deferred work, or flush. Because
// the same Session serves a blocking read loop, a select or epoll loop and
// gnet's OnTraffic (Peek and Discard), a difference between two models in a
// benchmark is a difference in how connections get a CPU, never in parsing.
//
// The parser follows RFC 9112 (HTTP/1.1 message syntax) and RFC 9110
// (semantics); comments cite the sections they implement.
package httpx
