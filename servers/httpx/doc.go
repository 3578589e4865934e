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
//
// # Where it differs from net/http
//
// FuzzDifferential reads the first request of any input with this parser
// and with net/http's ReadRequest and fails on any disagreement but these,
// each a choice (knownDifference in diff_test.go names them):
//
//   - leading empty lines: ignored before a request line (RFC 9112 §2.2);
//     ReadRequest fails on them.
//   - limits: a head over 8 KiB is a 431 here; ReadRequest has no limit of
//     its own (net/http's server sets one).
//   - versions: HTTP/1.x with x > 1 is served as 1.1, other majors get a
//     505; ReadRequest returns them as read and leaves the choice to its
//     server.
//   - obs-fold: a header line that begins with whitespace is a 400 (RFC 9112
//     §5.2 lets a server reject it); net/http folds it into the previous
//     field's value.
//   - targets: only origin-form and http(s) absolute-form are served;
//     asterisk-form ("*", for OPTIONS), authority-form (CONNECT) and other
//     schemes are a 400. ReadRequest accepts any target url.ParseRequestURI
//     does.
//   - host: an HTTP/1.1 request without a Host field, or with two, is a 400
//     (RFC 9112 §3.2, a MUST); ReadRequest returns it and net/http's server
//     rejects it afterwards.
//   - field-names: a field name that is not a token, a space before the
//     colon above all, is a 400 (RFC 9112 §5.1, a MUST); ReadRequest
//     accepts some.
//   - transfer-encoding: any Transfer-Encoding in HTTP/1.0 is faulty framing
//     (RFC 9112 §6.1), and a coding other than a single "chunked" is a 501;
//     ReadRequest ignores the field in HTTP/1.0.
//   - chunked-lf: in chunked framing every line ends in CRLF and a trailer
//     line must be a field line; net/http lets trailer fields end in a
//     bare LF.
//
// The campaign found three differences that were faults, now fixed. Chunk
// lines ending in a bare LF, and trailer lines that are not fields, were
// accepted. They are refused now, as net/http refuses them, because a
// server that reads chunks differently from a proxy in front of it can be
// made to see requests the proxy did not (request smuggling). And a path
// with a '%' not followed by two hex digits ("/%") was served; it is a
// malformed target now (RFC 3986 §2.1), a 400 as in net/http, which leaves
// the query as sent, as this parser does. And a trailer field's value with a
// control in it (a bare CR) was accepted; trailer values now follow the
// header values' rule.
package httpx
