package handler

// parseGuess reads the body of a guess, a JSON object (RFC 8259) with
// exactly the members "token", a string, and "guess", a number, in any
// order. It returns the token's characters and the guess's literal, for
// strconv to judge ("50.5" and "5e1" are numbers but not integers; a guess
// that is not a number is returned as it stands and fails there).
//
// It is not a general JSON parser: a string with an escape is refused
// (tokens are base64url and never need one), and so are duplicate or
// unknown members. encoding/json would do, but it is the largest import
// the fork model's per-connection child would carry: 0.2 ms of start-up
// per connection (docs/models/fork.md). FuzzParseGuess checks that what
// this accepts encoding/json reads the same way.
func parseGuess(b []byte) (token, guess []byte, ok bool) {
	i := skipWS(b, 0)
	if i >= len(b) || b[i] != '{' {
		return nil, nil, false
	}
	i = skipWS(b, i+1)
	var haveToken, haveGuess bool
	for {
		key, j, ok := jsonString(b, i)
		if !ok {
			return nil, nil, false
		}
		i = skipWS(b, j)
		if i >= len(b) || b[i] != ':' {
			return nil, nil, false
		}
		i = skipWS(b, i+1)
		switch string(key) {
		case "token":
			if haveToken {
				return nil, nil, false
			}
			haveToken = true
			if token, i, ok = jsonString(b, i); !ok {
				return nil, nil, false
			}
		case "guess":
			if haveGuess {
				return nil, nil, false
			}
			haveGuess = true
			if guess, i, ok = jsonScalar(b, i); !ok {
				return nil, nil, false
			}
		default:
			return nil, nil, false
		}
		i = skipWS(b, i)
		if i >= len(b) {
			return nil, nil, false
		}
		if b[i] == '}' {
			break
		}
		if b[i] != ',' {
			return nil, nil, false
		}
		i = skipWS(b, i+1)
	}
	if skipWS(b, i+1) != len(b) || !haveToken || !haveGuess {
		return nil, nil, false
	}
	return token, guess, true
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonString reads a string without escapes at b[i] and returns its
// characters and the index after its closing quote.
func jsonString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c >= 0x80:
			return nil, j, false
		}
	}
	return nil, len(b), false
}

// jsonScalar reads a number or one of the literals true, false and null
// at b[i], or a string without escapes (returned with its quotes), and
// returns it as written.
func jsonScalar(b []byte, i int) ([]byte, int, bool) {
	if i < len(b) && b[i] == '"' {
		_, j, ok := jsonString(b, i)
		return b[i:j], j, ok
	}
	j := i
	for j < len(b) && (b[j] >= '0' && b[j] <= '9' || b[j] == '-' || b[j] == '+' || b[j] == '.' || b[j] == 'e' || b[j] == 'E' ||
		b[j] >= 'a' && b[j] <= 'z') {
		j++
	}
	if j == i {
		return nil, i, false
	}
	return b[i:j], j, true
}
