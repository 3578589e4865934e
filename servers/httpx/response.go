package httpx

import "strconv"

// statusLine returns the status line of an answer, CRLF included.
func statusLine(code int) string {
	switch code {
	case 200:
		return "HTTP/1.1 200 OK\r\n"
	case 400:
		return "HTTP/1.1 400 Bad Request\r\n"
	case 404:
		return "HTTP/1.1 404 Not Found\r\n"
	case 405:
		return "HTTP/1.1 405 Method Not Allowed\r\n"
	}
	return "HTTP/1.1 " + strconv.Itoa(code) + " " + statusText(code) + "\r\n"
}

// appendHead appends a whole answer: status line, the headers API.md
// requires, and the body unless head is true (a HEAD request keeps the
// Content-Length a GET would have, RFC 9110 §9.3.2). It allocates nothing
// for the statuses of the hot path.
func appendHead(out, server, date []byte, status int, ctype string, n int,
	close, keepAlive10 bool, allow string, body []byte, head bool) []byte {
	out = append(out, statusLine(status)...)
	out = append(out, server...)
	out = append(out, "Date: "...)
	out = append(out, date...)
	out = append(out, "\r\n"...)
	if ctype != "" {
		out = append(out, "Content-Type: "...)
		out = append(out, ctype...)
		out = append(out, "\r\n"...)
	}
	out = append(out, "Content-Length: "...)
	out = strconv.AppendInt(out, int64(n), 10)
	out = append(out, "\r\n"...)
	if allow != "" {
		out = append(out, "Allow: "...)
		out = append(out, allow...)
		out = append(out, "\r\n"...)
	}
	switch {
	case close:
		out = append(out, "Connection: close\r\n"...)
	case keepAlive10:
		out = append(out, "Connection: keep-alive\r\n"...)
	}
	out = append(out, "\r\n"...)
	if !head {
		out = append(out, body...)
	}
	return out
}

// appendErrorBody appends {"error":"msg"}, escaping msg as a JSON string.
func appendErrorBody(b []byte, msg string) []byte {
	b = append(b, `{"error":`...)
	b = AppendJSONString(b, msg)
	return append(b, '}')
}

// AppendJSONString appends s as a JSON string literal (RFC 8259 §7).
func AppendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// SetError makes res an error answer with the JSON body {"error":msg}.
func (res *Response) SetError(status int, msg string) {
	res.Status = status
	res.ContentType = "application/json"
	res.Body = appendErrorBody(res.Body[:0], msg)
	res.Defer = DeferNone
}
