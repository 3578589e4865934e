package httpx

import "bytes"

// Request is a parsed request head. Its byte slices point into the buffer
// that was parsed and are valid only until the model discards those bytes.
type Request struct {
	Method []byte // e.g. "GET"; a token (RFC 9110 §9.1)
	Target []byte // the request-target as sent
	Path   []byte // the path of Target, absolute-form reduced to origin-form
	Query  []byte // after '?', without it; nil when absent
	Minor  int    // HTTP/1.Minor: 0 or 1 (higher minors are handled as 1)
	Host   []byte

	// Close is true when the connection must close after this answer:
	// "Connection: close", or HTTP/1.0 without "Connection: keep-alive"
	// (RFC 9112 §9.3).
	Close bool
	// KeepAlive10 is true for an HTTP/1.0 request that asked for
	// keep-alive; its answer then says "Connection: keep-alive".
	KeepAlive10 bool

	ContentLength int64 // -1 when absent
	Chunked       bool  // Transfer-Encoding: chunked
	Expect100     bool  // Expect: 100-continue

	// Body is the request body (decoded when chunked), nil when none.
	Body []byte
}

// IsHead reports whether the method is HEAD: the answer has no body.
func (r *Request) IsHead() bool { return string(r.Method) == "HEAD" }

// HeadEnd finds the end of a message head in buf: the index just past the
// blank line that ends the header section (RFC 9112 §2.1), accepting a bare
// LF as a line terminator (§2.2). Bytes before from were already scanned; it
// returns -1 when the head is not complete yet.
func HeadEnd(buf []byte, from int) int {
	for i := from; i < len(buf); i++ {
		if buf[i] != '\n' {
			continue
		}
		if i >= 1 && buf[i-1] == '\n' {
			return i + 1
		}
		if i >= 2 && buf[i-1] == '\r' && buf[i-2] == '\n' {
			return i + 1
		}
	}
	return -1
}

// nextLine returns the line at the start of buf without its terminator, and
// the rest after it. buf must contain a '\n'.
func nextLine(buf []byte) (line, rest []byte) {
	i := 0
	for buf[i] != '\n' {
		i++
	}
	line, rest = buf[:i], buf[i+1:]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, rest
}

// IsTokenChar reports whether c is a tchar (RFC 9110 §5.6.2).
func IsTokenChar(c byte) bool { return tokenTable[c] }

// tokenTable marks the tchar bytes of RFC 9110 §5.6.2.
var tokenTable = [256]bool{
	'!': true, '#': true, '$': true, '%': true, '&': true, '\'': true, '*': true,
	'+': true, '-': true, '.': true, '^': true, '_': true, '`': true, '|': true, '~': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true, 'I': true,
	'J': true, 'K': true, 'L': true, 'M': true, 'N': true, 'O': true, 'P': true, 'Q': true, 'R': true,
	'S': true, 'T': true, 'U': true, 'V': true, 'W': true, 'X': true, 'Y': true, 'Z': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true, 'i': true,
	'j': true, 'k': true, 'l': true, 'm': true, 'n': true, 'o': true, 'p': true, 'q': true, 'r': true,
	's': true, 't': true, 'u': true, 'v': true, 'w': true, 'x': true, 'y': true, 'z': true,
}

// IsToken reports whether b is a token (RFC 9110 §5.6.2).
func IsToken(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenTable[c] {
			return false
		}
	}
	return true
}

// EqualFold compares an ASCII header name or token with a lower-case
// constant, without allocating.
func EqualFold(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// TrimOWS strips optional whitespace (SP, HTAB; RFC 9110 §5.6.3).
func TrimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// validValue reports whether a field value (of a header or a trailer
// field) is free of controls: RFC 9110 §5.5 makes CR, LF and NUL invalid
// in values; other controls except HTAB are rejected too.
func validValue(v []byte) bool {
	for _, c := range v {
		if (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// parseHead parses a complete request head (request line, header fields,
// blank line) into req. head must end with the blank line found by HeadEnd.
func parseHead(head []byte, req *Request) *Error {
	*req = Request{ContentLength: -1}
	line, rest := nextLine(head)
	if err := parseRequestLine(line, req); err != nil {
		return err
	}
	var hosts, lengths int
	var te bool
	for {
		line, rest = nextLine(rest)
		if len(line) == 0 {
			break
		}
		// RFC 9112 §5.2: a server MUST reject obs-fold with 400 (or
		// replace it); we reject.
		if line[0] == ' ' || line[0] == '\t' {
			return ErrObsFold
		}
		colon := -1
		for i, c := range line {
			if c == ':' {
				colon = i
				break
			}
		}
		// RFC 9112 §5.1: no whitespace between field name and colon.
		if colon <= 0 || !IsToken(line[:colon]) {
			return ErrHeaderLine
		}
		name, value := line[:colon], TrimOWS(line[colon+1:])
		if !validValue(value) {
			return ErrHeaderLine
		}
		switch len(name) {
		case 4:
			if EqualFold(name, "host") {
				hosts++
				req.Host = value
			}
		case 6:
			if EqualFold(name, "expect") {
				if !EqualFold(value, "100-continue") {
					return ErrExpect
				}
				req.Expect100 = true
			}
		case 10:
			if EqualFold(name, "connection") {
				parseConnection(value, req)
			}
		case 14:
			if EqualFold(name, "content-length") {
				n, ok := ParseLength(value)
				if !ok || (lengths > 0 && n != req.ContentLength) {
					return ErrContentLength
				}
				lengths++
				req.ContentLength = n
			}
		case 17:
			if EqualFold(name, "transfer-encoding") {
				// Only a single "chunked" coding is implemented; a list
				// or a repeated field is a coding we don't implement.
				if te || !EqualFold(value, "chunked") {
					te = true
					req.Chunked = false
					continue
				}
				te = true
				req.Chunked = true
			}
		}
	}
	// RFC 9112 §6.1: a request with both is a smuggling attempt; answer
	// 400 and close. A Transfer-Encoding in HTTP/1.0 is faulty framing.
	if te {
		switch {
		case lengths > 0:
			return ErrTEAndCL
		case req.Minor == 0:
			return ErrTE10
		case !req.Chunked:
			return ErrTEUnsupported
		}
	}
	// RFC 9112 §3.2: a server MUST answer 400 to an HTTP/1.1 request
	// without Host, or with more than one.
	if hosts > 1 || (hosts == 0 && req.Minor >= 1) {
		return ErrHost
	}
	if req.Minor == 0 && !req.KeepAlive10 {
		req.Close = true
	}
	if req.Close {
		req.KeepAlive10 = false
	}
	return nil
}

// parseRequestLine parses method SP request-target SP HTTP-version
// (RFC 9112 §3).
func parseRequestLine(line []byte, req *Request) *Error {
	sp1 := -1
	for i, c := range line {
		if c == ' ' {
			sp1 = i
			break
		}
	}
	if sp1 < 0 {
		return ErrRequestLine
	}
	req.Method = line[:sp1]
	if !IsToken(req.Method) {
		return ErrMethod
	}
	rest := line[sp1+1:]
	sp2 := -1
	for i, c := range rest {
		if c == ' ' {
			sp2 = i
			break
		}
	}
	if sp2 < 0 {
		// "GET /" with no version is an HTTP/0.9 simple request.
		if len(rest) > 0 && rest[0] == '/' {
			return ErrHTTP09
		}
		return ErrRequestLine
	}
	target, version := rest[:sp2], rest[sp2+1:]
	if err := parseVersion(version, req); err != nil {
		return err
	}
	return parseTarget(target, req)
}

// parseVersion parses HTTP-version = "HTTP/" DIGIT "." DIGIT, case-sensitive
// (RFC 9112 §2.3). HTTP/1.x with x > 1 is served as 1.1 (RFC 9110 §6.2);
// other majors are answered 505.
func parseVersion(v []byte, req *Request) *Error {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return ErrVersion
	}
	major, minor := int(v[5]-'0'), int(v[7]-'0')
	if major != 1 {
		if major == 0 {
			return ErrHTTP09
		}
		return ErrVersionSupported
	}
	if minor > 1 {
		minor = 1
	}
	req.Minor = minor
	return nil
}

// parseTarget accepts origin-form and absolute-form request targets
// (RFC 9112 §3.2.1, §3.2.2) and splits path from query.
func parseTarget(t []byte, req *Request) *Error {
	if len(t) == 0 {
		return ErrTarget
	}
	for _, c := range t {
		if c <= ' ' || c == 0x7f {
			return ErrTarget
		}
	}
	req.Target = t
	p := t
	if p[0] != '/' {
		// absolute-form: scheme "://" authority path-abempty [ "?" query ]
		var rest []byte
		switch {
		case len(p) > 7 && EqualFold(p[:7], "http://"):
			rest = p[7:]
		case len(p) > 8 && EqualFold(p[:8], "https://"):
			rest = p[8:]
		default:
			return ErrTarget
		}
		i := 0
		for i < len(rest) && rest[i] != '/' && rest[i] != '?' {
			i++
		}
		if i == 0 {
			return ErrTarget
		}
		p = rest[i:]
		if len(p) == 0 || p[0] == '?' {
			// An empty path is "/" (RFC 9112 §3.2.2).
			req.Path = rootPath
			if len(p) > 0 {
				req.Query = p[1:]
			}
			return nil
		}
	}
	path, query := p, []byte(nil)
	for i, c := range p {
		if c == '?' {
			path, query = p[:i], p[i+1:]
			break
		}
	}
	if !validEscapes(path) {
		return ErrTarget
	}
	req.Path, req.Query = path, query
	return nil
}

// validEscapes reports whether every '%' in path starts a pct-encoded
// octet, '%' and two hex digits (RFC 3986 §2.1). The query is left as sent:
// the handler that reads it decides.
func validEscapes(path []byte) bool {
	for i := 0; i < len(path); i++ {
		if path[i] != '%' {
			continue
		}
		if i+2 >= len(path) || !isHex(path[i+1]) || !isHex(path[i+2]) {
			return false
		}
		i += 2
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

var rootPath = []byte("/")

// parseConnection reads the Connection field's comma-separated options
// (RFC 9110 §7.6.1).
func parseConnection(v []byte, req *Request) {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		opt := TrimOWS(v[:i])
		switch {
		case EqualFold(opt, "close"):
			req.Close = true
		case EqualFold(opt, "keep-alive"):
			req.KeepAlive10 = req.Minor == 0
		}
		if i == len(v) {
			break
		}
		v = v[i+1:]
	}
}

// ParseLength parses Content-Length = 1*DIGIT (RFC 9110 §8.6),
// refusing signs, spaces, lists and overflow. Leading zeros are digits
// like any other (net/http reads "0000000000000000000" as 0), so the cap
// of 18 digits, which keeps n within int64, counts from the first non-zero.
func ParseLength(v []byte) (int64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	var n int64
	digits := 0
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > 0 || c != '0' {
			digits++
		}
		if digits > 18 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// chunkState is the incremental decoder of a chunked body (RFC 9112 §7.1).
// It keeps its position so that bytes arriving one at a time are scanned
// once.
type chunkState struct {
	off   int   // bytes of the body (after the head) consumed so far
	left  int64 // data bytes left in the current chunk
	phase uint8
	total int64 // decoded bytes so far
	trail int   // trailer bytes so far
}

const (
	chunkSize     = iota // reading chunk-size [; ext] CRLF
	chunkData            // reading chunk data
	chunkDataCRLF        // reading the CRLF after chunk data
	chunkTrailer         // reading trailer fields until an empty line
	chunkDone
)

// maxChunkLine bounds a chunk-size line or a trailer line, extensions
// included.
const maxChunkLine = 1024

// decode consumes the chunked body in b (which starts right after the head
// and includes bytes seen before, up to cs.off), appending decoded data to
// *body. It reports done when the last chunk and the trailer section are
// complete; cs.off is then the body's length on the wire.
func (cs *chunkState) decode(b []byte, body *[]byte) (done bool, err *Error) {
	for cs.off < len(b) {
		switch cs.phase {
		case chunkSize, chunkTrailer:
			nl := -1
			for i := cs.off; i < len(b); i++ {
				if b[i] == '\n' {
					nl = i
					break
				}
			}
			if nl < 0 {
				if len(b)-cs.off > maxChunkLine {
					return false, ErrChunk
				}
				return false, nil
			}
			if nl-cs.off > maxChunkLine {
				// The same limit whether the line came whole or in parts.
				return false, ErrChunk
			}
			line := b[cs.off:nl]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			} else {
				// RFC 9112 §7.1: a chunk-size line ends in CRLF. A bare
				// LF here is refused, as net/http does: a server and a
				// proxy in front of it that disagree on where a chunk
				// ends can be made to read different requests
				// (request smuggling). Trailer lines too: net/http
				// wants the trailer section to end in CRLF CRLF.
				return false, ErrChunk
			}
			cs.off = nl + 1
			if cs.phase == chunkTrailer {
				cs.trail += len(line) + 2
				if cs.trail > MaxHeaderBytes {
					return false, ErrHeaderTooLarge
				}
				if len(line) == 0 {
					cs.phase = chunkDone
					return true, nil
				}
				// A trailer line is a field line: a token, a colon.
				if colon := bytes.IndexByte(line, ':'); colon <= 0 || !IsToken(line[:colon]) || !validValue(line[colon+1:]) {
					return false, ErrChunk
				}
				continue
			}
			n, ok := ParseChunkSize(line)
			if !ok {
				return false, ErrChunk
			}
			if cs.total+n > MaxBodyBytes {
				return false, ErrBodyTooLarge
			}
			if n == 0 {
				cs.phase = chunkTrailer
				continue
			}
			cs.left, cs.phase = n, chunkData
		case chunkData:
			k := int64(len(b) - cs.off)
			if k > cs.left {
				k = cs.left
			}
			*body = append(*body, b[cs.off:cs.off+int(k)]...)
			cs.off += int(k)
			cs.left -= k
			cs.total += k
			if cs.left == 0 {
				cs.phase = chunkDataCRLF
			}
		case chunkDataCRLF:
			// The CRLF after chunk data, both bytes (see chunkSize).
			if b[cs.off] != '\r' {
				return false, ErrChunk
			}
			if cs.off+1 == len(b) {
				return false, nil // wait for the LF
			}
			if b[cs.off+1] != '\n' {
				return false, ErrChunk
			}
			cs.off += 2
			cs.phase = chunkSize
		case chunkDone:
			return true, nil
		}
	}
	return cs.phase == chunkDone, nil
}

// ParseChunkSize parses chunk-size [ chunk-ext ]: hex digits, then
// optional extensions after ';', which are ignored (RFC 9112 §7.1.1).
func ParseChunkSize(line []byte) (int64, bool) {
	var n int64
	i := 0
	for ; i < len(line); i++ {
		c := line[i]
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			goto ext
		}
		if i >= 15 {
			return 0, false
		}
		n = n<<4 | int64(d)
	}
ext:
	if i == 0 {
		return 0, false
	}
	rest := TrimOWS(line[i:])
	if len(rest) > 0 && rest[0] != ';' {
		return 0, false
	}
	return n, true
}
