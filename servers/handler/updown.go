package handler

import (
	"bytes"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"os"
	"strconv"

	_ "embed"

	"netmodels/servers/httpx"
)

// The up-down game of the seed course: guess a number in [GameMin,
// GameMax], the server answers UP, DOWN or CORRECT.
//
// The server keeps no game in memory. A game is a token that the client
// holds and sends back with each guess:
//
//	base64url(payload) "." base64url(HMAC-SHA256(key, "updown-token" || payload))
//	payload = version (1) | done (1) | attempts (2, big-endian) | nonce (12)
//
// The secret is not in the token: it is derived from the nonce as
// 1 + HMAC-SHA256(key, "updown-secret" || nonce) mod 100, so a client can
// neither read it nor choose it, and any change to the token breaks its
// MAC. Every process that holds the key plays every game, which is what
// the fork and prefork models need: the connection that makes a guess is
// often served by another process than the one that dealt the game.
//
// A client may send an older token of its own game again (a replay); it
// then plays on from that point with the attempts counted there. The
// game's stakes do not call for more.
const (
	GameMin, GameMax = 1, 100

	// GameKeyEnv names the environment variable that carries the key, in
	// hex, to the processes a model starts.
	GameKeyEnv = "NETMODELS_GAME_KEY"

	// GameKeyBytes is the length of a key.
	GameKeyBytes = 32

	// MaxGuessBody bounds the body of a guess; a token and a number take
	// under 100 bytes.
	MaxGuessBody = 1024
)

const (
	tokenVersion = 1
	payloadLen   = 16
	nonceLen     = 12
	textHTML     = "text/html; charset=utf-8"
	allowPOST    = "POST"
)

//go:embed updown.html
var updownPage []byte

// Hints of a guess.
const (
	HintUp      = "UP"
	HintDown    = "DOWN"
	HintCorrect = "CORRECT"
)

// game is the state a token carries.
type game struct {
	done     bool
	attempts uint16
	nonce    [nonceLen]byte
}

// GameKey returns the key of GameKeyEnv when it holds one, else a fresh
// random key that it also puts in the environment, so that the child
// processes this process starts from then on share it.
func GameKey() ([]byte, error) {
	if v := os.Getenv(GameKeyEnv); v != "" {
		return ParseGameKey(v)
	}
	k := randomKey()
	return k, os.Setenv(GameKeyEnv, hex.EncodeToString(k))
}

// randomKey returns a fresh key. crypto/rand.Read does not fail on Linux
// 3.17 and later (it crashes the program where the kernel cannot give
// randomness), so there is no error to return.
func randomKey() []byte {
	k := make([]byte, GameKeyBytes)
	_, _ = crand.Read(k)
	return k
}

// ParseGameKey decodes a key written in hex: 16 bytes or more.
func ParseGameKey(s string) ([]byte, error) {
	k, err := hex.DecodeString(s)
	if err != nil || len(k) < 16 {
		return nil, errors.New("game key: want at least 32 hex digits")
	}
	return k, nil
}

// secret is the number a game's nonce stands for under the key.
func (h *Router) secret(g *game) int64 {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("updown-secret"))
	m.Write(g.nonce[:])
	sum := m.Sum(nil)
	return GameMin + int64(binary.BigEndian.Uint64(sum[:8])%(GameMax-GameMin+1))
}

// appendToken appends the signed token of g.
func (h *Router) appendToken(b []byte, g *game) []byte {
	var p [payloadLen]byte
	p[0] = tokenVersion
	if g.done {
		p[1] = 1
	}
	binary.BigEndian.PutUint16(p[2:4], g.attempts)
	copy(p[4:], g.nonce[:])
	b = base64.RawURLEncoding.AppendEncode(b, p[:])
	b = append(b, '.')
	return base64.RawURLEncoding.AppendEncode(b, h.tokenMAC(p[:]))
}

func (h *Router) tokenMAC(p []byte) []byte {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte("updown-token"))
	m.Write(p)
	return m.Sum(nil)
}

// parseToken checks a token's MAC and returns its game.
func (h *Router) parseToken(tok string) (game, bool) {
	var g game
	p64, m64, ok := bytes.Cut([]byte(tok), []byte{'.'})
	if !ok {
		return g, false
	}
	p, err1 := base64.RawURLEncoding.DecodeString(string(p64))
	m, err2 := base64.RawURLEncoding.DecodeString(string(m64))
	if err1 != nil || err2 != nil || len(p) != payloadLen || p[0] != tokenVersion || p[1] > 1 {
		return g, false
	}
	if !hmac.Equal(m, h.tokenMAC(p)) {
		return g, false
	}
	g.done = p[1] == 1
	g.attempts = binary.BigEndian.Uint16(p[2:4])
	copy(g.nonce[:], p[4:])
	return g, true
}

// updown answers the game's paths.
func (h *Router) updown(path string, req *httpx.Request, res *httpx.Response) {
	switch path {
	case "/updown", "/updown/":
		if getOnly(req, res) {
			res.ContentType = textHTML
			res.Body = append(res.Body, updownPage...)
		}
	case "/updown/new":
		if postOnly(req, res) {
			h.newGame(res)
		}
	case "/updown/guess":
		if postOnly(req, res) {
			h.guess(req.Body, res)
		}
	}
}

// newGame deals a game: {"token":…,"attempts":0,"min":1,"max":100}.
func (h *Router) newGame(res *httpx.Response) {
	var g game
	binary.LittleEndian.PutUint64(g.nonce[:8], rand.Uint64())
	binary.LittleEndian.PutUint32(g.nonce[8:], rand.Uint32())
	b := append(res.Body, `{"token":"`...)
	b = h.appendToken(b, &g)
	b = append(b, `","attempts":0,"min":`...)
	b = strconv.AppendInt(b, GameMin, 10)
	b = append(b, `,"max":`...)
	b = strconv.AppendInt(b, GameMax, 10)
	res.Body = append(b, '}')
	res.ContentType = appJSON
}

// guess answers {"hint":…,"attempts":k,"token":…}. Bad input is a 400
// with a JSON error and no new token: the game stays where it was.
func (h *Router) guess(body []byte, res *httpx.Response) {
	if len(body) > MaxGuessBody {
		res.SetError(400, "body over 1024 bytes: a guess is {\"token\":\"…\",\"guess\":N}")
		return
	}
	tok, raw, ok := parseGuess(body)
	if !ok {
		res.SetError(400, "body must be a JSON object {\"token\":\"…\",\"guess\":N}")
		return
	}
	n, ok := jsonInt(raw)
	if !ok || n < GameMin || n > GameMax {
		res.SetError(400, "guess must be an integer in [1, 100]")
		return
	}
	g, ok := h.parseToken(string(tok))
	if !ok {
		res.SetError(400, "token is not valid: start a new game with POST /updown/new")
		return
	}
	if g.done {
		res.SetError(400, "this game is over: start a new one with POST /updown/new")
		return
	}
	if g.attempts < 0xffff {
		g.attempts++
	}
	hint := HintCorrect
	switch s := h.secret(&g); {
	case n < s:
		hint = HintUp
	case n > s:
		hint = HintDown
	default:
		g.done = true
	}
	b := append(res.Body, `{"hint":"`...)
	b = append(b, hint...)
	b = append(b, `","attempts":`...)
	b = strconv.AppendInt(b, int64(g.attempts), 10)
	b = append(b, `,"token":"`...)
	b = h.appendToken(b, &g)
	res.Body = append(b, `"}`...)
	res.ContentType = appJSON
}

// jsonInt parses a JSON number that is an integer: -?(0|[1-9][0-9]*),
// within int64.
func jsonInt(raw []byte) (int64, bool) {
	d := raw
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 1 && d[0] == '0' {
		return 0, false
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseInt(string(raw), 10, 64)
	return n, err == nil
}

// postOnly answers 405 unless the method is POST.
func postOnly(req *httpx.Request, res *httpx.Response) bool {
	if string(req.Method) == "POST" {
		return true
	}
	res.SetError(405, "method not allowed")
	res.Allow = allowPOST
	return false
}
