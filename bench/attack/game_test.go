package attack

import (
	"errors"
	"strings"
	"testing"

	"netmodels/servers/handler"
	"netmodels/servers/httpx"
)

// serve answers one request of a game with the real router.
func serve(h *handler.Router, url string, body []byte) (int, []byte) {
	path := url[strings.Index(url, "/updown"):]
	req := &httpx.Request{Method: []byte("POST"), Target: []byte(path), Path: []byte(path), Body: body}
	res := &httpx.Response{Status: 200}
	h.Handle(req, res)
	return res.Status, res.Body
}

func TestGamePlaysAgainstTheRouter(t *testing.T) {
	h := handler.NewWithKey([]byte("0123456789abcdef0123456789abcdef"))
	var g game
	wins := 0
	for i := 0; i < 2000 && wins < 100; i++ {
		was := g.token != ""
		_, url, body := g.next("http://x/updown")
		code, ans := serve(h, url, body)
		if err := g.answer(code, ans); err != nil {
			t.Fatalf("move %d: %v", i, err)
		}
		if was && g.token == "" {
			wins++
		}
	}
	if wins < 100 {
		t.Fatalf("%d games won in 2000 moves; a binary search wins within 8 moves a game", wins)
	}
}

func TestGameCatchesWrongAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		body string
	}{
		{"no token", `{"hint":"UP","attempts":1}`},
		{"not JSON", `<html>`},
		{"attempts", `{"hint":"UP","attempts":5,"token":"t2"}`},
		{"hint", `{"hint":"WARM","attempts":1,"token":"t2"}`},
	} {
		g := game{token: "t", lo: 1, hi: 100}
		g.next("http://x/updown")
		err := g.answer(200, []byte(c.body))
		if !errors.Is(err, errGame) || ErrorClass(err.Error()) != "wrong-answer" {
			t.Errorf("%s: %v", c.name, err)
		}
		if g.token != "" {
			t.Errorf("%s: the game goes on after a wrong answer", c.name)
		}
	}
	// Seven UPs (at 50, 75, 88, 94, 97, 99, 100) leave no number.
	g := game{token: "t", lo: 1, hi: 100}
	moves := []string{"UP", "UP", "UP", "UP", "UP", "UP", "UP"}
	var err error
	for i, h := range moves {
		g.next("http://x/updown")
		err = g.answer(200, []byte(`{"hint":"`+h+`","attempts":`+string(rune('1'+i))+`,"token":"t"}`))
		if err != nil {
			break
		}
	}
	if !errors.Is(err, errGame) {
		t.Fatalf("seven UPs from 1..100 leave no number; got %v", err)
	}
	// A refusal (here a 503) keeps the game: the move is sent again.
	g = game{token: "t", lo: 1, hi: 100}
	g.next("http://x/updown")
	if err := g.answer(503, []byte(`{"error":"busy"}`)); err != nil || g.token != "t" {
		t.Fatalf("503: %v, token %q", err, g.token)
	}
}
