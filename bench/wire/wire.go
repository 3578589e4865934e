// Package wire is netbench's HTTP/1.1 client on the wire: it writes a
// request as bytes and reads the answer with a parser of its own, in the
// spirit of the server's httpx: no allocation per answer, no header map,
// no goroutine, nothing but what a load generator needs (the status, the
// body's length and, when asked, its bytes, and whether the server closes).
//
// net/http's client costs several times what a wrk request costs (see
// docs/measurements/generator.md); this package is why netbench's engine
// does not. Its parser is fuzzed and checked against net/http's
// ReadResponse (wire_test.go), as the server's parser is against
// net/http's ReadRequest.
package wire

import (
	"bytes"
	"errors"
	"io"
	"strconv"

	"netmodels/servers/httpx"
)

// MaxHead bounds a response head; a longer one is an error.
const MaxHead = 64 << 10

// Errors of a malformed or cut answer. A cut answer wraps io.ErrUnexpectedEOF,
// whose text ("unexpected EOF") sorts it with the eof class of errors.
var (
	ErrStatus    = errors.New("wire: malformed status line")
	ErrField     = errors.New("wire: malformed header field")
	ErrLength    = errors.New("wire: bad Content-Length")
	ErrChunk     = errors.New("wire: malformed chunked body")
	ErrHeadLimit = errors.New("wire: response head over 64 KiB")
)

// Request is one request to write: Method and Target as on the request
// line, Host, an optional Body with its ContentType, and Close to ask the
// server to close after its answer.
type Request struct {
	Method, Target, Host string
	ContentType          string
	// Fields are more header lines, each "Name: value\r\n", sent as they are.
	Fields []byte
	Body   []byte
	Close  bool
}

// Append appends r as HTTP/1.1 bytes to dst.
func (r *Request) Append(dst []byte) []byte {
	dst = append(dst, r.Method...)
	dst = append(dst, ' ')
	dst = append(dst, r.Target...)
	dst = append(dst, " HTTP/1.1\r\nHost: "...)
	dst = append(dst, r.Host...)
	dst = append(dst, "\r\nUser-Agent: netbench\r\n"...)
	dst = append(dst, r.Fields...)
	if r.Close {
		dst = append(dst, "Connection: close\r\n"...)
	}
	if r.Body != nil || r.Method == "POST" || r.Method == "PUT" {
		if r.ContentType != "" {
			dst = append(dst, "Content-Type: "...)
			dst = append(dst, r.ContentType...)
			dst = append(dst, "\r\n"...)
		}
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(len(r.Body)), 10)
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "\r\n"...)
	return append(dst, r.Body...)
}

// Response is what the parser keeps of an answer's head.
type Response struct {
	Code  int
	Minor int // HTTP/1.Minor
	// Length is the body's Content-Length, -1 when the answer has none.
	Length  int64
	Chunked bool
	// Close is true when the connection ends after this answer: the server
	// said Connection: close, or spoke HTTP/1.0 without keep-alive, or the
	// body runs to the end of the stream.
	Close bool
}

// ParseHead parses a response head at the start of b. It returns the
// head's length, including its empty line, or 0 and no error when b does
// not hold a whole head yet. A bare LF ends a line, as net/http allows.
func ParseHead(b []byte, r *Response) (int, error) {
	*r = Response{Length: -1}
	end := httpx.HeadEnd(b, 0)
	if end < 0 {
		if len(b) > MaxHead {
			return 0, ErrHeadLimit
		}
		return 0, nil
	}
	// The head ends with a line end: every line of it is whole.
	status, n, _ := nextLine(b[:end])
	rest := b[n:end]
	if err := parseStatus(status, r); err != nil {
		return 0, err
	}
	keepAlive10 := false
	var length []byte // the first Content-Length's text
	for len(rest) > 0 {
		line, n, _ := nextLine(rest)
		rest = rest[n:]
		if len(line) == 0 {
			break
		}
		colon := -1
		for i, c := range line {
			if c == ':' {
				colon = i
				break
			}
			// A space is let through as net/http does (go.dev/issue/34540).
			if !httpx.IsTokenChar(c) && c != ' ' {
				return 0, ErrField
			}
		}
		if colon <= 0 {
			return 0, ErrField
		}
		name, value := line[:colon], httpx.TrimOWS(line[colon+1:])
		for _, c := range value {
			if (c < ' ' && c != '\t') || c == 0x7f {
				return 0, ErrField
			}
		}
		switch {
		case httpx.EqualFold(name, "content-length"):
			// A repeated Content-Length must repeat the text, as
			// net/http requires ("1" and "01" are two lengths).
			n, ok := httpx.ParseLength(value)
			if !ok || (length != nil && string(value) != string(length)) {
				return 0, ErrLength
			}
			length = value
			r.Length = n
		case httpx.EqualFold(name, "transfer-encoding"):
			if hasToken(value, "chunked") {
				r.Chunked = true
			}
		case httpx.EqualFold(name, "connection"):
			if hasToken(value, "close") {
				r.Close = true
			}
			if hasToken(value, "keep-alive") {
				keepAlive10 = true
			}
		}
	}
	if r.Minor == 0 && !keepAlive10 {
		r.Close = true
	}
	if r.Chunked {
		r.Length = -1 // Transfer-Encoding wins (RFC 9112 §6.3)
	}
	return end, nil
}

// NoBody reports whether an answer with this head has no body whatever its
// fields say: to a HEAD, 1xx, 204 and 304 (RFC 9112 §6.3).
func (r *Response) NoBody(head bool) bool {
	return head || r.Code/100 == 1 || r.Code == 204 || r.Code == 304
}

// parseStatus parses "HTTP/1.x DDD reason".
func parseStatus(line []byte, r *Response) error {
	if len(line) < 12 || string(line[:7]) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ' {
		return ErrStatus
	}
	r.Minor = int(line[7] - '0')
	code := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return ErrStatus
		}
		code = code*10 + int(c-'0')
	}
	if code < 100 || (len(line) > 12 && line[12] != ' ') {
		return ErrStatus
	}
	r.Code = code
	return nil
}

// hasToken reports whether the comma-separated list v holds tok, case
// insensitively.
func hasToken(v []byte, tok string) bool {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		if httpx.EqualFold(httpx.TrimOWS(v[:i]), tok) {
			return true
		}
		if i == len(v) {
			return false
		}
		v = v[i+1:]
	}
	return false
}

// Frame finds the first whole answer at the start of b, the answer to a
// request that was a HEAD when head is set. eof says that the stream ended
// after b: an answer whose body runs to the end of the stream is then
// whole, and a cut one an error. It returns the answer's length in b, 0
// while b does not hold all of it yet, and the body's length; when body is
// not nil, the body's bytes (chunks decoded) are appended to *body once the
// answer is whole. It is pure: the blocking Conn and netbench's event loop
// both read with it.
func Frame(b []byte, head, eof bool, r *Response, body *[]byte) (n int, bodyLen int64, err error) {
	h, err := ParseHead(b, r)
	if err != nil || h == 0 {
		if err == nil && eof {
			if len(b) == 0 {
				return 0, 0, io.EOF
			}
			err = io.ErrUnexpectedEOF
		}
		return 0, 0, err
	}
	rest := b[h:]
	switch {
	case r.NoBody(head):
		return h, 0, nil
	case r.Chunked:
		m, size, err := chunked(rest, body)
		if err == nil && m == 0 && eof {
			err = io.ErrUnexpectedEOF
		}
		if m == 0 || err != nil {
			return 0, size, err
		}
		return h + m, size, nil
	case r.Length >= 0:
		if int64(len(rest)) < r.Length {
			if eof {
				return 0, int64(len(rest)), io.ErrUnexpectedEOF
			}
			return 0, 0, nil
		}
		if body != nil {
			*body = append(*body, rest[:r.Length]...)
		}
		return h + int(r.Length), r.Length, nil
	}
	r.Close = true // the body runs to the end of the stream
	if !eof {
		return 0, 0, nil
	}
	if body != nil {
		*body = append(*body, rest...)
	}
	return len(b), int64(len(rest)), nil
}

// chunked frames a chunked body (RFC 9112 §7.1) and its trailer at the
// start of b: its length in b, 0 while incomplete, and the decoded size.
func chunked(b []byte, body *[]byte) (int, int64, error) {
	var total int64
	off := 0
	start := 0
	if body != nil {
		start = len(*body)
	}
	fail := func(err error) (int, int64, error) {
		if body != nil {
			*body = (*body)[:start]
		}
		return 0, total, err
	}
	for {
		l, next, ok := nextLine(b[off:])
		if !ok {
			if len(b)-off > MaxHead {
				return fail(ErrChunk)
			}
			return fail(nil)
		}
		size, valid := httpx.ParseChunkSize(l)
		if !valid {
			return fail(ErrChunk)
		}
		off += next
		if size == 0 {
			break
		}
		if int64(len(b)-off) < size+1 {
			return fail(nil)
		}
		if body != nil {
			*body = append(*body, b[off:off+int(size)]...)
		}
		total += size
		off += int(size)
		l, next, ok = nextLine(b[off:])
		if !ok {
			return fail(nil)
		}
		if len(l) != 0 {
			return fail(ErrChunk)
		}
		off += next
	}
	for { // trailer fields, up to the empty line
		l, next, ok := nextLine(b[off:])
		if !ok {
			if len(b)-off > MaxHead {
				return fail(ErrChunk)
			}
			return fail(nil)
		}
		off += next
		if len(l) == 0 {
			return off, total, nil
		}
	}
}

// nextLine returns the line at the start of b without its CRLF or LF and the
// bytes it took, or false when b holds no whole line.
func nextLine(b []byte) ([]byte, int, bool) {
	for i, c := range b {
		if c == '\n' {
			l := b[:i]
			if n := len(l); n > 0 && l[n-1] == '\r' {
				l = l[:n-1]
			}
			return l, i + 1, true
		}
	}
	return nil, 0, false
}

// Conn reads answers from one blocking connection through a buffer it
// reuses, framing them with Frame.
type Conn struct {
	R   io.Reader
	buf []byte
	r   int // start of unread bytes in buf
	w   int // end of read bytes in buf
}

// Reset makes c read from r, as a new connection, keeping its buffer.
func (c *Conn) Reset(r io.Reader) { c.R, c.r, c.w = r, 0, 0 }

// Read reads one whole answer to a request (a HEAD when head is set) and
// returns its head and the number of body bytes. When body is not nil the
// body's bytes are appended to *body. An end of stream before any byte of
// the answer is io.EOF (the server closed an idle connection); inside it,
// io.ErrUnexpectedEOF.
func (c *Conn) Read(head bool, body *[]byte) (Response, int64, error) {
	var r Response
	eof := false
	more := func() error {
		err := c.fill()
		if err == io.EOF {
			eof, err = true, nil
		}
		return err
	}
	// The head first, each byte scanned once; then as many bytes as it
	// says (all of them for a body that runs to the end), so that an
	// answer is framed once. A chunked one is framed when the bytes so far
	// end with an empty line, as its end does: nothing follows an answer
	// before the next request, so this frames it once too.
	scanned := 0
	for !eof && httpx.HeadEnd(c.buf[c.r:c.w], scanned) < 0 && c.w-c.r <= MaxHead {
		scanned = c.w - c.r
		if err := more(); err != nil {
			return r, 0, err
		}
	}
	if h, err := ParseHead(c.buf[c.r:c.w], &r); err == nil && h > 0 && !r.NoBody(head) && !r.Chunked {
		for !eof && (r.Length < 0 || int64(c.w-c.r-h) < r.Length) {
			if err := more(); err != nil {
				return r, 0, err
			}
		}
	}
	for {
		b := c.buf[c.r:c.w]
		if r.Chunked && !eof && !bytes.HasSuffix(b, []byte("\n\n")) && !bytes.HasSuffix(b, []byte("\n\r\n")) {
			if err := more(); err != nil {
				return r, 0, err
			}
			continue
		}
		n, size, err := Frame(b, head, eof, &r, body)
		if n > 0 {
			c.r += n
			return r, size, nil
		}
		if err != nil {
			return r, size, err
		}
		if err := more(); err != nil {
			return r, 0, err
		}
	}
}

// fill reads more bytes into the buffer, growing it when it is full.
func (c *Conn) fill() error {
	if c.r > 0 && c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.w == len(c.buf) {
		if c.r > 0 {
			c.w = copy(c.buf, c.buf[c.r:c.w])
			c.r = 0
		} else {
			nb := make([]byte, max(2*len(c.buf), 4096))
			copy(nb, c.buf[:c.w])
			c.buf = nb
		}
	}
	n, err := c.R.Read(c.buf[c.w:])
	c.w += n
	if n > 0 {
		return nil
	}
	if err == nil {
		err = io.ErrNoProgress
	}
	return err
}
