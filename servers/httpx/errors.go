package httpx

// Error is a request error that maps to one HTTP status. Every error the
// parser returns is an *Error; the Session turns it into an answer with a
// JSON body {"error":"…"} (see API.md, "Errors").
type Error struct {
	Status int    // HTTP status code of the answer
	Msg    string // human-readable reason, sent as the "error" field
	Close  bool   // the stream can't be trusted after it: close after answering
}

func (e *Error) Error() string { return e.Msg }

// The parser's errors. They are values, compared by identity in tests.
var (
	ErrRequestLine      = &Error{400, "malformed request line", true}
	ErrMethod           = &Error{400, "malformed method", true}
	ErrTarget           = &Error{400, "malformed request target", true}
	ErrVersion          = &Error{400, "malformed HTTP version", true}
	ErrHTTP09           = &Error{505, "HTTP/0.9 is not supported", true}
	ErrVersionSupported = &Error{505, "HTTP version not supported", true}
	ErrHeaderLine       = &Error{400, "malformed header field", true}
	ErrObsFold          = &Error{400, "obsolete line folding is not allowed", true}
	ErrHost             = &Error{400, "missing or repeated Host header", true}
	ErrContentLength    = &Error{400, "bad Content-Length", true}
	ErrTEAndCL          = &Error{400, "both Transfer-Encoding and Content-Length", true}
	ErrTE10             = &Error{400, "Transfer-Encoding in an HTTP/1.0 request", true}
	ErrTEUnsupported    = &Error{501, "transfer coding not implemented", true}
	ErrChunk            = &Error{400, "malformed chunked body", true}
	ErrExpect           = &Error{417, "unsupported expectation", true}
	ErrHeaderTooLarge   = &Error{431, "request header fields too large", true}
	ErrBodyTooLarge     = &Error{413, "request body too large", true}
	ErrRequestTimeout   = &Error{408, "request timeout", true}
	ErrUnavailable      = &Error{503, "server busy", true}
	// ErrBusy answers one request a full worker queue can't take; the
	// connection stays usable.
	ErrBusy = &Error{503, "server busy: worker queue full", false}
	// ErrHandler answers a handler that panicked: a bug, but one that
	// ends one connection, never the server.
	ErrHandler = &Error{500, "internal error", true}
)

// statusText is the reason phrase of every status the responder sends.
func statusText(code int) string {
	switch code {
	case 100:
		return "Continue"
	case 200:
		return "OK"
	case 400:
		return "Bad Request"
	case 404:
		return "Not Found"
	case 405:
		return "Method Not Allowed"
	case 408:
		return "Request Timeout"
	case 413:
		return "Content Too Large"
	case 417:
		return "Expectation Failed"
	case 431:
		return "Request Header Fields Too Large"
	case 500:
		return "Internal Server Error"
	case 501:
		return "Not Implemented"
	case 503:
		return "Service Unavailable"
	case 505:
		return "HTTP Version Not Supported"
	}
	return "Unknown"
}
