package httpx

import "time"

// Limits of the wire contract (API.md). They are constants so that every
// model enforces the same ones.
const (
	// MaxHeaderBytes bounds the request line plus all header fields,
	// terminating blank line included. Larger heads are answered 431.
	MaxHeaderBytes = 8 << 10

	// MaxBodyBytes bounds a request body, after chunked decoding. Larger
	// bodies are answered 413.
	MaxBodyBytes = 1 << 20

	// MaxPendingOutput is how much answer data a Session queues from
	// pipelined requests before it asks the model to flush (FeedFlush).
	MaxPendingOutput = 64 << 10

	// DefaultHeaderTimeout is how long a client may take to send a whole
	// request once its first byte arrived.
	DefaultHeaderTimeout = 10 * time.Second

	// DefaultIdleTimeout is how long a keep-alive connection may sit idle
	// between requests.
	DefaultIdleTimeout = 30 * time.Second
)
