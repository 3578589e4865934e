package handler

import (
	"bytes"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"netmodels/servers/httpx"
)

var testKey = bytes.Repeat([]byte{7}, GameKeyBytes)

// post runs a POST with body through h.
func post(h *Router, path, body string) *httpx.Response {
	req := &httpx.Request{Method: []byte("POST"), Target: []byte(path), Path: []byte(path)}
	if body != "" {
		req.Body = []byte(body)
	}
	res := &httpx.Response{Status: 200}
	h.Handle(req, res)
	return res
}

type guessAnswer struct {
	Hint     string `json:"hint"`
	Attempts int    `json:"attempts"`
	Token    string `json:"token"`
	Error    string `json:"error"`
}

func newToken(t *testing.T, h *Router) string {
	t.Helper()
	res := post(h, "/updown/new", "")
	var g struct {
		Token    string `json:"token"`
		Attempts int    `json:"attempts"`
		Min, Max int
	}
	if res.Status != 200 || json.Unmarshal(res.Body, &g) != nil || g.Token == "" || g.Attempts != 0 || g.Min != 1 || g.Max != 100 {
		t.Fatalf("new game: %d %s", res.Status, res.Body)
	}
	return g.Token
}

func guessWith(t *testing.T, h *Router, token string, n int) (guessAnswer, int) {
	t.Helper()
	res := post(h, "/updown/guess", `{"token":"`+token+`","guess":`+strconv.Itoa(n)+`}`)
	var a guessAnswer
	if err := json.Unmarshal(res.Body, &a); err != nil {
		t.Fatalf("guess %d: %d %q: %v", n, res.Status, res.Body, err)
	}
	if res.ContentType != appJSON {
		t.Fatalf("guess: content type %q", res.ContentType)
	}
	return a, res.Status
}

// play binary-searches a game to CORRECT and returns the secret and the
// attempts it took.
func play(t *testing.T, h *Router, token string) (secret, attempts int) {
	t.Helper()
	lo, hi := GameMin, GameMax
	for i := 1; i <= 7; i++ {
		mid := (lo + hi) / 2
		a, st := guessWith(t, h, token, mid)
		if st != 200 || a.Attempts != i {
			t.Fatalf("guess %d: %d %+v, want attempts %d", mid, st, a, i)
		}
		token = a.Token
		switch a.Hint {
		case HintCorrect:
			if again, st := guessWith(t, h, token, mid); st != 400 || !strings.Contains(again.Error, "over") {
				t.Fatalf("a guess after CORRECT: %d %+v", st, again)
			}
			return mid, i
		case HintUp:
			lo = mid + 1
		case HintDown:
			hi = mid - 1
		default:
			t.Fatalf("hint %q", a.Hint)
		}
	}
	t.Fatal("no CORRECT in 7 binary-search guesses")
	return 0, 0
}

func TestGamePlaysToCorrect(t *testing.T) {
	h := NewWithKey(testKey)
	seen := map[int]bool{}
	for range 2000 {
		s, _ := play(t, h, newToken(t, h))
		if s < GameMin || s > GameMax {
			t.Fatalf("secret %d outside [1, 100]", s)
		}
		seen[s] = true
	}
	// 2000 games miss a given number with probability 0.99^2000 ≈ 2e-9.
	if len(seen) != GameMax-GameMin+1 {
		t.Fatalf("secrets drawn: %d distinct, want all 100", len(seen))
	}
}

func TestGameSharedByProcessesWithTheKey(t *testing.T) {
	dealer, other := NewWithKey(testKey), NewWithKey(testKey)
	tok := newToken(t, dealer)
	a, _ := guessWith(t, dealer, tok, 50)
	b, _ := guessWith(t, other, tok, 50)
	if a != b {
		t.Fatalf("two routers with one key disagree: %+v and %+v", a, b)
	}
}

func TestGameRefusesForeignAndTamperedTokens(t *testing.T) {
	h := NewWithKey(testKey)
	foreign := newToken(t, NewWithKey(bytes.Repeat([]byte{8}, GameKeyBytes)))
	// A game whose first guess is not its secret, so that it goes on
	// (a first guess of 50 ends one game in a hundred).
	var a guessAnswer
	for {
		a, _ = guessWith(t, h, newToken(t, h), 50)
		if a.Hint != HintCorrect {
			break
		}
	}
	payload, mac, _ := strings.Cut(a.Token, ".")
	// Change one character of the payload, e.g. to reset the attempts.
	flip := func(s string, i int) string {
		c := byte('A')
		if s[i] == 'A' {
			c = 'B'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	bad := []string{
		foreign,
		flip(payload, 3) + "." + mac,
		payload + "." + flip(mac, 5),
		payload,
		payload + "." + mac + "x",
		"",
		".",
		"not a token",
	}
	for _, b := range bad {
		got, st := guessWith(t, h, b, 50)
		if st != 400 || !strings.Contains(got.Error, "token") || got.Token != "" {
			t.Errorf("token %q: %d %+v, want 400 about the token", b, st, got)
		}
	}
	// The good token still plays on from where it was.
	if got, st := guessWith(t, h, a.Token, 50); st != 200 || got.Attempts != 2 {
		t.Fatalf("after refusals: %d %+v", st, got)
	}
}

func TestGameRefusesBadGuesses(t *testing.T) {
	h := NewWithKey(testKey)
	tok := newToken(t, h)
	q := strconv.Quote(tok)
	cases := map[string]string{
		`{"token":` + q + `,"guess":0}`:                    "integer",
		`{"token":` + q + `,"guess":101}`:                  "integer",
		`{"token":` + q + `,"guess":-3}`:                   "integer",
		`{"token":` + q + `,"guess":50.5}`:                 "integer",
		`{"token":` + q + `,"guess":5e1}`:                  "integer",
		`{"token":` + q + `,"guess":050}`:                  "integer",
		`{"token":` + q + `,"guess":+50}`:                  "integer",
		`{"token":` + q + `,"guess":true}`:                 "integer",
		`{"token":` + q + `,"guess":"50"}`:                 "integer",
		`{"token":` + q + `,"guess":null}`:                 "integer",
		`{"token":` + q + `,"guess":99999999999999999999}`: "integer",
		`{"token":` + q + `}`:                              "JSON object",
		`{"guess":50}`:                                     "JSON object",
		`{"token":` + q + `,"guess":50,"cheat":1}`:         "JSON object",
		`{"token":` + q + `,"guess":50,"guess":51}`:        "JSON object",
		`{"token":` + q + `,"guess":{}}`:                   "JSON object",
		`{"token":` + q + `,"guess":50,}`:                  "JSON object",
		`{"token":"\u0041","guess":50}`:                    "JSON object",
		`{"token":` + q + `,"guess":50}{}`:                 "JSON object",
		`{"token":` + q + `,"guess":50`:                    "JSON object",
		`{"token":1,"guess":50}`:                           "JSON object",
		`[50]`:                                             "JSON object",
		``:                                                 "JSON object",
		`guess=50`:                                         "JSON object",
		strings.Repeat(" ", MaxGuessBody) + `{"token":` + q + `,"guess":50}`: "1024",
	}
	for body, want := range cases {
		res := post(h, "/updown/guess", body)
		var e struct{ Error string }
		if res.Status != 400 || json.Unmarshal(res.Body, &e) != nil || !strings.Contains(e.Error, want) {
			t.Errorf("body %.60q: %d %s, want 400 mentioning %q", body, res.Status, res.Body, want)
		}
	}
	// None of them counted: the first real guess is attempt 1.
	if a, st := guessWith(t, h, tok, 50); st != 200 || a.Attempts != 1 {
		t.Fatalf("after bad guesses: %d %+v", st, a)
	}
}

func TestGameMethodsAndPage(t *testing.T) {
	h := NewWithKey(testKey)
	for _, c := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/updown", 200, ""},
		{"HEAD", "/updown/", 200, ""},
		{"POST", "/updown", 405, allowGET},
		{"GET", "/updown/new", 405, allowPOST},
		{"GET", "/updown/guess", 405, allowPOST},
		{"PUT", "/updown/guess", 405, allowPOST},
	} {
		req := &httpx.Request{Method: []byte(c.method), Target: []byte(c.path), Path: []byte(c.path)}
		res := &httpx.Response{Status: 200}
		h.Handle(req, res)
		if res.Status != c.status || res.Allow != c.allow {
			t.Errorf("%s %s: %d Allow %q, want %d %q", c.method, c.path, res.Status, res.Allow, c.status, c.allow)
		}
		if c.status == 200 && (res.ContentType != textHTML || !bytes.Contains(res.Body, []byte("1~100 사이의 숫자를 입력하세요!"))) {
			t.Errorf("%s %s: %q, no game page", c.method, c.path, res.ContentType)
		}
	}
}

func TestGameKeyFromEnvironment(t *testing.T) {
	t.Setenv(GameKeyEnv, "")
	k, err := GameKey()
	if err != nil || len(k) != GameKeyBytes {
		t.Fatalf("fresh key: %x, %v", k, err)
	}
	// The fresh key went into the environment, for child processes.
	again, err := GameKey()
	if err != nil || !bytes.Equal(k, again) {
		t.Fatalf("second read: %x, %v; want %x", again, err, k)
	}
	for _, bad := range []string{"zz", "abcd", strings.Repeat("g", 64)} {
		if _, err := ParseGameKey(bad); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
}

// FuzzParseGuess checks parseGuess against encoding/json: a body it
// accepts with an integer guess, encoding/json reads with the same token
// and guess.
func FuzzParseGuess(f *testing.F) {
	for _, s := range []string{
		`{"token":"abc","guess":50}`, ` { "guess" : -0 , "token" : "" } `, `{"token":"a","guess":1e2}`,
		`{"token":"a","guess":50}x`, `{"token":"a\"b","guess":1}`, `{"Token":"a","guess":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tok, raw, ok := parseGuess(body)
		if !ok {
			return
		}
		n, isInt := jsonInt(raw)
		if !isInt {
			return
		}
		var in struct {
			Token *string         `json:"token"`
			Guess json.RawMessage `json:"guess"`
		}
		d := json.NewDecoder(bytes.NewReader(body))
		d.DisallowUnknownFields()
		if err := d.Decode(&in); err != nil || d.More() || in.Token == nil {
			t.Fatalf("parseGuess accepts %q (token %q, guess %d); encoding/json: %v", body, tok, n, err)
		}
		if *in.Token != string(tok) || string(in.Guess) != string(raw) {
			t.Fatalf("%q: parseGuess reads %q %s, encoding/json %q %s", body, tok, raw, *in.Token, in.Guess)
		}
		if _, err := d.Token(); err != io.EOF {
			t.Fatalf("%q: encoding/json sees more after the object", body)
		}
	})
}

// FuzzGuess: any body is answered 200 with a hint and a new token, or 400
// with a JSON error; never a panic.
func FuzzGuess(f *testing.F) {
	h := NewWithKey(testKey)
	f.Add([]byte(`{"token":"AQAAAAAAAAAAAAAAAAAAAA.x","guess":50}`))
	f.Add([]byte(`{"token":"","guess":1}`))
	f.Add([]byte(`{"guess":100,"token":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		res := post(h, "/updown/guess", string(body))
		var a guessAnswer
		if err := json.Unmarshal(res.Body, &a); err != nil {
			t.Fatalf("answer %q is not JSON: %v", res.Body, err)
		}
		switch res.Status {
		case 200:
			if a.Hint == "" || a.Token == "" || a.Attempts < 1 {
				t.Fatalf("200 without a hint: %s", res.Body)
			}
		case 400:
			if a.Error == "" {
				t.Fatalf("400 without an error: %s", res.Body)
			}
		default:
			t.Fatalf("status %d", res.Status)
		}
	})
}
