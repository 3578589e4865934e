package servertest

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Post is a POST request with a body and Content-Length, for keep-alive use.
func Post(path, body string) string {
	return "POST " + path + " HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
		strconv.Itoa(len(body)) + "\r\n\r\n" + body
}

// gameAnswer is the JSON of /updown/new and /updown/guess.
type gameAnswer struct {
	Token    string `json:"token"`
	Hint     string `json:"hint"`
	Attempts int    `json:"attempts"`
}

func decodeGame(t *testing.T, a *Answer) gameAnswer {
	t.Helper()
	a.Check(t, 200, "")
	var g gameAnswer
	if err := json.Unmarshal([]byte(a.Body), &g); err != nil || g.Token == "" {
		t.Fatalf("game answer %q: %v", a.Body, err)
	}
	if ct := a.Header.Get("Content-Type"); ct != "application/json" {
		t.Fatalf("Content-Type %q", ct)
	}
	return g
}

func guessBody(token string, n int) string {
	return `{"token":"` + token + `","guess":` + strconv.Itoa(n) + `}`
}

// gameCases are the up-down game's routes. The game's state travels in a
// token, so every guess goes on a new connection here: under the fork and
// prefork models each is served by another process than the one that
// dealt the game.
var gameCases = []Case{
	{Name: "updown_page", Run: func(t *testing.T, s *Server) {
		a := roundTrip(t, s, Get("/updown"), "GET")
		a.Check(t, 200, "")
		checkHeaders(t, s, a)
		if ct := a.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("Content-Type %q", ct)
		}
		for _, want := range []string{"1~100 사이의 숫자를 입력하세요!", "/updown/guess", "<script>"} {
			if !strings.Contains(a.Body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
		a = roundTrip(t, s, Post("/updown", "{}"), "POST")
		a.CheckError(t, 405, false)
		if a.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("Allow %q", a.Header.Get("Allow"))
		}
		a = roundTrip(t, s, Get("/updown/new"), "GET")
		a.CheckError(t, 405, false)
		if a.Header.Get("Allow") != "POST" {
			t.Errorf("Allow %q", a.Header.Get("Allow"))
		}
	}},
	{Name: "updown_game", Run: func(t *testing.T, s *Server) {
		// Two games side by side, each to CORRECT by binary search.
		for range 2 {
			tok := decodeGame(t, roundTrip(t, s, Post("/updown/new", ""), "POST")).Token
			lo, hi, won := 1, 100, false
			for i := 1; i <= 7 && !won; i++ {
				mid := (lo + hi) / 2
				g := decodeGame(t, roundTrip(t, s, Post("/updown/guess", guessBody(tok, mid)), "POST"))
				if g.Attempts != i {
					t.Fatalf("attempt %d counted as %d", i, g.Attempts)
				}
				tok = g.Token
				switch g.Hint {
				case "CORRECT":
					won = true
				case "UP":
					lo = mid + 1
				case "DOWN":
					hi = mid - 1
				default:
					t.Fatalf("hint %q", g.Hint)
				}
			}
			if !won {
				t.Fatal("no CORRECT within 7 guesses: the hints are not consistent")
			}
		}
		// One game on one keep-alive connection, a guess in a chunked body.
		c := Dial(t, s)
		c.Send(Post("/updown/new", ""))
		tok := decodeGame(t, c.Read("POST")).Token
		body := guessBody(tok, 50)
		c.Send("POST /updown/guess HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n" +
			strconv.FormatInt(int64(len(body)/2), 16) + "\r\n" + body[:len(body)/2] + "\r\n" +
			strconv.FormatInt(int64(len(body)-len(body)/2), 16) + "\r\n" + body[len(body)/2:] + "\r\n0\r\n\r\n")
		if g := decodeGame(t, c.Read("POST")); g.Attempts != 1 {
			t.Fatalf("chunked guess: %+v", g)
		}
	}},
	{Name: "updown_bad_input", Run: func(t *testing.T, s *Server) {
		tok := decodeGame(t, roundTrip(t, s, Post("/updown/new", ""), "POST")).Token
		c := Dial(t, s)
		for _, body := range []string{
			`{"token":"` + tok + `","guess":0}`,
			`{"token":"` + tok + `","guess":"fifty"}`,
			`{"token":"` + tok + `","guess":50.5}`,
			`{"token":"` + tok + `",`,
			`{"token":"x` + tok + `","guess":50}`,
			`{"token":"` + tok[:len(tok)-2] + `","guess":50}`,
			strings.Repeat(" ", 2000) + guessBody(tok, 50),
		} {
			c.Send(Post("/updown/guess", body))
			c.Read("POST").CheckError(t, 400, false)
		}
		// The game is untouched: the next good guess is its first.
		c.Send(Post("/updown/guess", guessBody(tok, 50)))
		if g := decodeGame(t, c.Read("POST")); g.Attempts != 1 {
			t.Fatalf("after bad guesses: %+v", g)
		}
	}},
}
