package httpx

import "time"

// Handler answers requests. Handle must be cheap: it routes, validates and
// either fills res completely or sets res.Defer, in which case the model
// calls Complete later, after res.Delay for DeferSleep, possibly on another
// goroutine or in another process's worker, and never concurrently with
// another call on the same Response. Anything Complete needs must be copied
// into res.Args by Handle: the request's bytes may be gone by then.
type Handler interface {
	Handle(req *Request, res *Response)
	Complete(res *Response)
}

// DeferKind says why an answer is not ready yet.
type DeferKind uint8

// The kinds of deferred answers.
const (
	DeferNone    DeferKind = iota
	DeferCompute           // CPU work: an event loop may hand it to a worker pool
	DeferSleep             // waiting: a model waits res.Delay without burning CPU
)

// Response is what a Handler fills in. A Session reuses one per connection.
type Response struct {
	Status      int
	ContentType string // "" when there is no body
	Body        []byte // appended to by the handler; the Session owns the buffer
	Allow       string // the Allow header of a 405

	Defer DeferKind
	Delay time.Duration // for DeferSleep
	Args  [4]int64      // the handler's own state between Handle and Complete
}

// Responder is one model's shared, immutable answering setup: the handler
// and the "Server: netmodels/<model>" line. It is safe for concurrent use.
type Responder struct {
	h      Handler
	server []byte
}

// NewResponder returns the responder of the named model.
func NewResponder(model string, h Handler) *Responder {
	return &Responder{h: h, server: []byte("Server: netmodels/" + model + "\r\n")}
}

// NewSession returns the protocol state of one new connection.
func (r *Responder) NewSession() *Session {
	return &Session{r: r, res: Response{Body: make([]byte, 0, 128)}}
}

// Reset returns s to the state of a new connection, as NewSession would,
// keeping its buffers: a model that serves one connection at a time (the
// iterative loop, and so every prefork worker) then allocates nothing per
// connection, and a worker's heap stays at its idle size under load.
func (s *Session) Reset() {
	body, in := s.res.Body[:0], s.body[:0]
	if cap(in) > 64<<10 {
		in = nil // as after a large body: don't keep it for the next client
	}
	*s = Session{r: s.r, res: Response{Body: body}, body: in, date: s.date}
}

// AppendError appends a complete error answer (with Connection: close when
// e.Close) for use outside a session: a model refusing a connection (503)
// or timing out a stalled request (408).
func (r *Responder) AppendError(out []byte, e *Error) []byte {
	var d dateCache
	body := appendErrorBody(make([]byte, 0, 64), e.Msg)
	return appendHead(out, r.server, d.get(), e.Status, "application/json", len(body), e.Close, false, "", body, false)
}

// FeedStatus tells the model what to do after Feed.
type FeedStatus uint8

// What a model does after Feed returns.
const (
	// FeedMore: every complete request was answered; write the output,
	// then read more input.
	FeedMore FeedStatus = iota
	// FeedFlush: much output is queued from pipelined requests; write it,
	// then call Feed again on the rest without reading.
	FeedFlush
	// FeedDefer: a handler deferred its answer. Write the output, run
	// Complete (after Pending's delay), then call Feed on the rest.
	FeedDefer
	// FeedClose: write the output, then close the connection.
	FeedClose
)

// Session is the protocol state of one connection. It does no I/O and is
// not safe for concurrent use.
//
// The model passes Feed the connection's unconsumed input: the bytes from
// the first one not yet consumed, with new bytes appended as they arrive.
// Feed returns how many bytes it consumed (whole requests only) and the
// answers appended to out.
type Session struct {
	r   *Responder
	req Request
	res Response

	scan      int   // bytes of the current head scanned for its end
	head      int   // length of the current head, 0 while incomplete
	cl        int64 // its Content-Length, -1 when none
	chunked   bool
	continued bool // "100 Continue" sent for the current request
	chunk     chunkState
	body      []byte

	deferred  bool
	pendHead  bool
	pendClose bool
	pendKA10  bool
	draining  bool

	date dateCache
}

// Drain makes every later answer carry "Connection: close" and end the
// connection: the model is shutting down gracefully.
func (s *Session) Drain() { s.draining = true }

// Pending returns the kind and delay of the deferred answer after Feed
// returned FeedDefer.
func (s *Session) Pending() (DeferKind, time.Duration) { return s.res.Defer, s.res.Delay }

// Feed answers every complete request at the start of in, appending the
// answers to out. See FeedStatus for what the model does next.
func (s *Session) Feed(in, out []byte) (consumed int, _ []byte, _ FeedStatus) {
	pos := 0
	for {
		if s.deferred {
			return pos, out, FeedDefer
		}
		b := in[pos:]
		if len(out) >= MaxPendingOutput && len(b) > 0 {
			return pos, out, FeedFlush
		}
		parsed := false
		if s.head == 0 {
			if s.scan == 0 {
				// RFC 9112 §2.2: ignore empty lines before a request line.
				k := 0
				for k < len(b) && (b[k] == '\r' || b[k] == '\n') {
					k++
				}
				pos += k
				b = b[k:]
			}
			if len(b) == 0 {
				return pos, out, FeedMore
			}
			end := HeadEnd(b, s.scan)
			if end < 0 {
				if len(b) > MaxHeaderBytes {
					return pos, s.fail(out, ErrHeaderTooLarge), FeedClose
				}
				// Judge the request line as soon as it is complete, so
				// that an HTTP/0.9 request (one line, no blank line) or
				// garbage is answered now, not after the header timeout.
				if err := s.checkLine(b); err != nil {
					return pos, s.fail(out, err), FeedClose
				}
				s.scan = len(b)
				return pos, out, FeedMore
			}
			if end > MaxHeaderBytes {
				return pos, s.fail(out, ErrHeaderTooLarge), FeedClose
			}
			if err := parseHead(b[:end], &s.req); err != nil {
				return pos, s.fail(out, err), FeedClose
			}
			parsed = true
			s.head, s.cl, s.chunked = end, s.req.ContentLength, s.req.Chunked
			if s.cl > MaxBodyBytes {
				return pos, s.fail(out, ErrBodyTooLarge), FeedClose
			}
		}
		if !parsed {
			// The head was parsed by an earlier call; its slices pointed
			// into that call's buffer. Parse again: it is cheap and keeps
			// the session free of pointers into the model's buffers.
			_ = parseHead(b[:s.head], &s.req)
		}
		n := s.head
		switch {
		case s.chunked:
			out = s.continue100(out)
			done, err := s.chunk.decode(b[s.head:], &s.body)
			if err != nil {
				return pos, s.fail(out, err), FeedClose
			}
			if !done {
				return pos, out, FeedMore
			}
			s.req.Body = s.body
			n += s.chunk.off
		case s.cl > 0:
			if int64(len(b)-s.head) < s.cl {
				return pos, s.continue100(out), FeedMore
			}
			s.req.Body = b[s.head : s.head+int(s.cl)]
			n += int(s.cl)
		}
		out = s.answer(out)
		pos += n
		s.head, s.scan, s.continued, s.chunk = 0, 0, false, chunkState{}
		if cap(s.body) > 64<<10 {
			s.body = nil
		}
		s.body = s.body[:0]
		if s.deferred {
			return pos, out, FeedDefer
		}
		if s.pendClose {
			return pos, out, FeedClose
		}
	}
}

// checkLine parses the request line of an incomplete head when new input
// holds a line end (the request line is complete then), and returns its
// error.
func (s *Session) checkLine(b []byte) *Error {
	for i := s.scan; i < len(b); i++ {
		if b[i] == '\n' {
			line, _ := nextLine(b)
			var req Request
			return parseRequestLine(line, &req)
		}
	}
	return nil
}

// continue100 sends the interim "100 Continue" once for a request that
// expects it and whose body has not arrived (RFC 9110 §10.1.1).
func (s *Session) continue100(out []byte) []byte {
	if s.req.Expect100 && !s.continued && s.req.Minor >= 1 {
		s.continued = true
		out = append(out, "HTTP/1.1 100 Continue\r\n\r\n"...)
	}
	return out
}

// answer runs the handler on s.req and appends the answer, unless the
// handler deferred it.
func (s *Session) answer(out []byte) []byte {
	res := &s.res
	res.Status, res.ContentType, res.Body, res.Allow = 200, "", res.Body[:0], ""
	res.Defer, res.Delay = DeferNone, 0
	s.pendHead = s.req.IsHead()
	s.pendClose = s.req.Close || s.draining
	s.pendKA10 = s.req.KeepAlive10
	s.call(func() { s.r.h.Handle(&s.req, res) })
	if res.Defer != DeferNone {
		s.deferred = true
		return out
	}
	return s.write(out)
}

// Complete finishes the deferred answer and appends it to out. It reports
// whether the connection must close after it; otherwise the model calls
// Feed again on the input that followed the deferred request.
func (s *Session) Complete(out []byte) ([]byte, bool) {
	s.call(func() { s.r.h.Complete(&s.res) })
	s.res.Defer = DeferNone
	s.deferred = false
	return s.write(out), s.pendClose
}

// call runs a handler method; a panic becomes a 500 answer and a close.
func (s *Session) call(f func()) {
	defer func() {
		if recover() != nil {
			s.res.SetError(ErrHandler.Status, ErrHandler.Msg)
			s.pendClose = true
		}
	}()
	f()
}

// CompleteError answers the deferred request with the error e instead
// (a worker pool with a full queue answers ErrBusy), like Complete.
func (s *Session) CompleteError(out []byte, e *Error) ([]byte, bool) {
	s.res.SetError(e.Status, e.Msg)
	s.deferred = false
	s.pendClose = s.pendClose || e.Close
	return s.write(out), s.pendClose
}

func (s *Session) write(out []byte) []byte {
	res := &s.res
	// A stop that began while the answer was in progress closes after it.
	s.pendClose = s.pendClose || s.draining
	return appendHead(out, s.r.server, s.date.get(), res.Status, res.ContentType, len(res.Body),
		s.pendClose, s.pendKA10, res.Allow, res.Body, s.pendHead)
}

// AppendError appends the answer to a request error, with
// "Connection: close": the model closes after writing it.
func (s *Session) AppendError(out []byte, e *Error) []byte { return s.fail(out, e) }

// fail appends the answer to a request error and forgets the partial
// request.
func (s *Session) fail(out []byte, e *Error) []byte {
	s.head, s.scan = 0, 0
	body := appendErrorBody(s.res.Body[:0], e.Msg)
	s.res.Body = body
	return appendHead(out, s.r.server, s.date.get(), e.Status, "application/json", len(body),
		true, false, "", body, false)
}

// dateCache keeps the formatted Date header of the current second.
type dateCache struct {
	sec int64
	buf [len(TimeFormat)]byte
}

// TimeFormat is the IMF-fixdate layout of the Date header (RFC 9110 §5.6.7).
const TimeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

func (d *dateCache) get() []byte {
	now := time.Now()
	if sec := now.Unix(); sec != d.sec {
		d.sec = sec
		now.UTC().AppendFormat(d.buf[:0], TimeFormat)
	}
	return d.buf[:]
}
